// The `checkevent` job (every 5 minutes, PROTOCOLS §2.2): every BILLmanager server's new upstream events.
import type { AppServices, JobContext } from '../../../core/plugins/api.ts';
import { pollServerEvents } from '../services/events.ts';
import { billmanagerServers, upstreamOf } from '../services/upstream-access.ts';

/** One server that cannot be reached does not keep the others' events back; the run fails at the end. */
export function checkEventsJob(services: () => AppServices, timeoutMs: number) {
  return async function checkEvents(ctx: JobContext): Promise<void> {
    const app = services();
    const failures: string[] = [];
    for (const server of await billmanagerServers(app)) {
      if (ctx.signal.aborted) break;
      try {
        const api = await upstreamOf(app, server, timeoutMs);
        const r = await pollServerEvents(app.db, api, server, () => ctx.clock.now().toISOString(), ctx.signal);
        ctx.count('events', r.events);
        ctx.count('services changed', r.changed);
        if (r.unmatched) ctx.count('events of unknown services', r.unmatched);
      } catch (err) {
        failures.push(`${server.name}: ${(err as Error).message}`);
      }
    }
    if (failures.length) throw new Error(`Upstream events could not be read from ${failures.join('; ')}`);
  };
}

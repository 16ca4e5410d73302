// The price watch (daily): every imported tariff compared with its upstream price list.
import type { AppServices, JobContext } from '../../../core/plugins/api.ts';
import { watchServerPrices } from '../services/price-watch.ts';
import { billmanagerServers, upstreamOf } from '../services/upstream-access.ts';
import { listTariffsOfServer } from '../store/tariffs.ts';

export function pricesJob(services: () => AppServices, timeoutMs: number) {
  return async function watchPrices(ctx: JobContext): Promise<void> {
    const app = services();
    const failures: string[] = [];
    for (const server of await billmanagerServers(app)) {
      if (ctx.signal.aborted) break;
      if ((await listTariffsOfServer(app.db, server.id)).length === 0) continue;
      try {
        const list = await (await upstreamOf(app, server, timeoutMs)).priceList(ctx.signal);
        ctx.count('price changes noticed', await watchServerPrices(app, server, list));
        ctx.count('servers checked');
      } catch (err) {
        failures.push(`${server.name}: ${(err as Error).message}`);
      }
    }
    if (failures.length) throw new Error(`The price list could not be read from ${failures.join('; ')}`);
  };
}

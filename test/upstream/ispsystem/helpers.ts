// A simulator on loopback with a couple of users and functions, and a logger that keeps every line unredacted.
import { afterEach } from 'vitest';
import { ManualClock } from '../../../core/clock.ts';
import type { Logger } from '../../../core/log.ts';
import { IspClient, type IspClientOptions } from '../../../core/upstream/ispsystem/index.ts';
import { IspSimulator, LEVEL_ADMIN, listReply, type IspSimulatorOptions, type RunningSimulator } from '../../../core/upstream/ispsystem/simulator/index.ts';

export const ADMIN = { username: 'admin', password: 'Adm1n:pa55&word=x' };
export const USER = { username: 'user0', password: 'us3r-secret' };

export interface TestSim {
  sim: IspSimulator;
  running: RunningSimulator;
  clock: ManualClock;
  client(opts?: Partial<IspClientOptions>): IspClient;
}

const open: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

/** A started simulator with `admin` and `user0`, and `user` (a list) registered; closed after each test. */
export async function startSim(opts: IspSimulatorOptions = {}): Promise<TestSim> {
  const clock = new ManualClock('2026-05-01T10:00:00Z');
  const sim = new IspSimulator({ clock, users: [{ ...ADMIN, level: LEVEL_ADMIN }, USER], ...opts });
  sim.func('user', () => listReply([{ id: '1', name: 'user0' }, { id: '2', name: 'user1' }]));
  const running = await sim.start();
  open.push(running);
  return {
    sim,
    running,
    clock,
    client: (o = {}) => new IspClient({ url: running.url, ...ADMIN, timeoutMs: 2_000, retry: { backoffMs: 10 }, ...o }),
  };
}

/** Every line the client logged, as JSON, with nothing redacted by the logger itself. */
export function captureLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const make = (base: Record<string, unknown>): Logger => {
    const emit = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
      lines.push(JSON.stringify({ level, msg, ...base, ...fields }));
    };
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (f) => make({ ...base, ...f }) };
  };
  return { log: make({}), lines };
}

/** Whatever an error can show: message, stack, String(), own properties. */
export function everythingOf(err: unknown): string {
  const e = err as Error;
  return [e.message, e.stack, String(e), JSON.stringify(e), JSON.stringify(Object.entries(e))].join('\n');
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

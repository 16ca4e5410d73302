// The simulated upstream BILLmanager: a real ISPsystem API server on loopback with a reseller account,
// for tests, the demo and operators who want to rehearse (`npx trellis simulate billmanager`).
import { systemClock, type Clock } from '../../../core/clock.ts';
import type { Logger } from '../../../core/log.ts';
import { IspSimulator, LEVEL_ADMIN, LEVEL_USER, type RunningSimulator } from '../../../core/upstream/ispsystem/simulator/index.ts';
import { registerBillmanagerFunctions } from './functions.ts';
import { BillmanagerState, type BillmanagerStateOptions } from './state.ts';

export { BillmanagerState, SIM_STATUS, type SimService, type SimEvent } from './state.ts';
export { DEFAULT_TARIFFS, DEFAULT_TAKEN_DOMAINS, type SimTariff, type SimItemType } from './catalog.ts';

export interface BillmanagerSimulatorOptions extends BillmanagerStateOptions {
  /** The reseller's account (Customer level, as seed 001 and PROTOCOLS §2 require). */
  reseller?: { username: string; password: string };
  /** The simulator's own administrator, who may use the `simulator.*` controls. */
  admin?: { username: string; password: string };
  clock?: Clock;
  host?: string;
  port?: number;
  log?: Logger;
}

export const DEFAULT_RESELLER = { username: 'reseller', password: 'reseller-secret' };

/**
 * @example
 * const upstream = new BillmanagerSimulator({ clock });
 * const { url } = await upstream.start();           // http://127.0.0.1:<port>/billmgr
 * upstream.state.whoisDown = true;                  // domain checks answer "Try later"
 * upstream.isp.faults.set('vds.order.param', { kind: 'timeout', after: true, times: 1 });
 */
export class BillmanagerSimulator {
  readonly state: BillmanagerState;
  readonly isp: IspSimulator;
  readonly reseller: { username: string; password: string };
  #running: RunningSimulator | undefined;

  constructor(opts: BillmanagerSimulatorOptions = {}) {
    this.state = new BillmanagerState(opts);
    this.reseller = opts.reseller ?? DEFAULT_RESELLER;
    const users = [{ ...this.reseller, level: LEVEL_USER }];
    if (opts.admin) users.push({ ...opts.admin, level: LEVEL_ADMIN });
    this.isp = new IspSimulator({ users, clock: opts.clock ?? systemClock, host: opts.host, port: opts.port, mgr: 'billmgr', log: opts.log });
    registerBillmanagerFunctions(this.isp, this.state);
  }

  async start(): Promise<RunningSimulator> {
    this.#running = await this.isp.start();
    return this.#running;
  }

  get url(): string {
    if (!this.#running) throw new Error('The BILLmanager simulator is not started');
    return this.#running.url;
  }

  async close(): Promise<void> {
    await this.#running?.close();
    this.#running = undefined;
  }

  /** Calls of one function the simulator received (secrets redacted). */
  calls(func: string) {
    return this.isp.calls(func);
  }
}

// Faults a test switches on per function: slow, silent, refusing, failing or garbled replies.
import type { SimError } from './sim-error.ts';

interface FaultBase {
  /** How many calls it hits before it switches itself off; absent means every call. */
  times?: number;
}

/**
 * What goes wrong. `after: true` lets the function run first and then loses or garbles its reply:
 * the upstream did the work, the caller cannot know (the case idempotent modules must survive).
 */
export type SimFault =
  | (FaultBase & { kind: 'latency'; ms: number })
  | (FaultBase & { kind: 'timeout'; after?: boolean })
  | (FaultBase & { kind: 'http500'; after?: boolean })
  | (FaultBase & { kind: 'malformed'; after?: boolean; body?: string })
  | (FaultBase & { kind: 'auth' })
  | (FaultBase & { kind: 'error'; error: SimError });

export type SimFaultKind = SimFault['kind'];

/** Per-function faults; `'*'` hits every function that has none of its own. */
export class SimFaults {
  readonly #faults = new Map<string, { fault: SimFault; left: number | undefined }>();

  /** @example sim.faults.set('domain.order.api', { kind: 'timeout', times: 1 }) */
  set(func: string, fault: SimFault): void {
    if (fault.times !== undefined && (!Number.isInteger(fault.times) || fault.times < 1)) throw new RangeError('times must be a whole number from 1');
    this.#faults.set(func, { fault, left: fault.times });
  }

  /** Switches off the fault of one function, or all of them. */
  clear(func?: string): void {
    if (func === undefined) this.#faults.clear();
    else this.#faults.delete(func);
  }

  /** The fault for this call, counted down. */
  take(func: string): SimFault | undefined {
    const key = this.#faults.has(func) ? func : this.#faults.has('*') ? '*' : undefined;
    if (key === undefined) return undefined;
    const entry = this.#faults.get(key)!;
    if (entry.left !== undefined && --entry.left <= 0) this.#faults.delete(key);
    return entry.fault;
  }
}

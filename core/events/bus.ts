// Typed in-process event bus; each listener runs isolated so one failing plugin cannot stop the rest.
import type { Logger } from '../log.ts';

/**
 * The events Trellis emits, by name. Plugins add their own through declaration merging:
 * `declare module 'trellis/core/events/bus.ts' { interface TrellisEvents { 'dsmanager.server.synced': { id: number } } }`
 */
export interface TrellisEvents {
  'user.login': { userId: number; kind: 'staff' | 'client' };
  'user.logout': { userId: number };
  'plugin.booted': { name: string; state: 'enabled' | 'failed' };
  'job.failed': { jobId: string; error: string };
  /** Since 1.2.0. After the payment that made an invoice paid has committed. */
  'invoice.paid': { invoiceId: number; clientId: number; number: string; total: number; currency: string };
  /** Since 1.2.0. A processing operation finished (done), gave up (failed) or now waits for staff (manual). */
  'service.operation': { operationId: number; serviceId: number; op: string; status: 'done' | 'failed' | 'manual'; error?: string };
  /** Since 1.2.0. A ticket was opened by a client, staff or the system (processing errors, balance alerts). */
  'ticket.opened': { ticketId: number; departmentId: number | null; clientId: number | null; origin: string; subject: string };
}

export type EventName = keyof TrellisEvents & string;
export type Listener<E extends EventName> = (payload: TrellisEvents[E]) => void | Promise<void>;

interface Registered {
  owner: string;
  listener: (payload: unknown) => void | Promise<void>;
}

export class EventBus {
  readonly #listeners = new Map<string, Registered[]>();
  constructor(
    private readonly log: Logger,
    /** False for an owner switched off at run time: its listeners are skipped. */
    private readonly isOwnerEnabled: (owner: string) => boolean = () => true,
  ) {}

  on<E extends EventName>(event: E, listener: Listener<E>, owner = 'core'): () => void {
    const list = this.#listeners.get(event) ?? [];
    const entry: Registered = { owner, listener: listener as Registered['listener'] };
    list.push(entry);
    this.#listeners.set(event, list);
    return () => {
      const cur = this.#listeners.get(event) ?? [];
      this.#listeners.set(event, cur.filter((e) => e !== entry));
    };
  }

  /** Runs every listener, awaiting each; failures are logged with the owning plugin and never rethrown. */
  async emit<E extends EventName>(event: E, payload: TrellisEvents[E]): Promise<{ failed: string[] }> {
    const failed: string[] = [];
    for (const { owner, listener } of this.#listeners.get(event) ?? []) {
      if (!this.isOwnerEnabled(owner)) continue;
      try {
        await listener(payload);
      } catch (err) {
        failed.push(owner);
        this.log.error('event listener failed', { event, plugin: owner, err });
      }
    }
    return { failed };
  }

  listenerCount(owner?: string): number {
    let n = 0;
    for (const list of this.#listeners.values()) n += owner ? list.filter((l) => l.owner === owner).length : list.length;
    return n;
  }
}

// Services whose paid period ran out with no renewal coming: auto-renew switched off, a trial with no
// paid period to continue on, or a suspended service the operator does not invoice. The day after
// their expiry date they are suspended as "expired" through their processing module; after the
// termination delay they are closed. Renewed services never get here: their renewal invoice is
// issued before expiry and dunning handles it when unpaid.
import type { Knex } from 'knex';
import { iso } from '../../db/time.ts';
import { addDays } from '../services/periods.ts';
import { transitionService } from '../services/transition.ts';
import type { BillingSettings } from '../settings.ts';
import type { OperationQueue } from '../fulfil.ts';

export interface ExpiryDeps {
  db: Knex;
  clock: { now(): Date };
  settings: BillingSettings;
  ops: OperationQueue;
  count?: (name: string, by?: number) => void;
}

const OPEN_OP = ['pending', 'running', 'manual'];
const SYSTEM = { type: 'system' as const, label: 'billing automation' };

/** Services past expiry that will not be renewed, one status at a time over the (status, expires_on) index. */
export function expiringServicesQuery(db: Knex, input: { status: string; before: string; afterId: number; invoiceSuspended: boolean }) {
  const q = db('core_services as s')
    .where('s.status', input.status)
    .andWhere('s.expires_on', '<', input.before)
    .andWhere('s.id', '>', input.afterId)
    .whereNot('s.period_kind', 'lifetime');
  // An active service ends when it will not renew; a suspended one also when suspended services are not invoiced.
  if (input.status === 'active' || input.invoiceSuspended) q.andWhere((w) => w.where('s.auto_renew', false).orWhere('s.period_kind', 'trial'));
  return q
    .whereNotExists(db('core_service_billing_periods as b').whereRaw('b.service_id = s.id and b.period_start = s.expires_on').select(db.raw('1')))
    .orderBy('s.id')
    .limit(500)
    .select('s.id', 's.expires_on', 's.item_type');
}

/** Suspends as expired the services whose period ended yesterday or before. Idempotent: one open operation per service. */
export async function runExpiries(deps: ExpiryDeps): Promise<number> {
  const { db, settings } = deps;
  const at = iso(deps.clock.now());
  const today = at.slice(0, 10);
  let expired = 0;
  for (const status of ['active', 'suspended_staff', 'suspended_client']) {
    let afterId = 0;
    for (;;) {
      const rows = (await expiringServicesQuery(db, { status, before: today, afterId, invoiceSuspended: settings.invoiceSuspended })) as { id: number; expires_on: string; item_type: string }[];
      if (!rows.length) break;
      afterId = rows.at(-1)!.id;
      for (const svc of rows) {
        const reason = `Period ended on ${svc.expires_on} and was not renewed`;
        await db.transaction(async (trx) => {
          // A domain is not suspended at the registrar: it lapses there on its own (as in dunning).
          if (svc.item_type === 'domain') {
            await transitionService(trx, { serviceId: svc.id, to: 'expired', actor: SYSTEM, reason, at });
            expired++;
            return;
          }
          const open = await trx('core_service_operations').where({ service_id: svc.id }).whereIn('op', ['suspend', 'close']).whereIn('status', OPEN_OP).first('id');
          if (open) return;
          await deps.ops.enqueue(trx, { serviceId: svc.id, op: 'suspend', payload: { status: 'expired', reason } });
          expired++;
        });
      }
    }
  }
  deps.count?.('expiring', expired);
  return expired;
}

/** Closes services that have been expired for the termination delay (seed 001: deleted after the storage period). */
export async function runExpiredTerminations(deps: ExpiryDeps): Promise<number> {
  const { db, settings } = deps;
  const today = iso(deps.clock.now()).slice(0, 10);
  const rows = (await db('core_services')
    .where('status', 'expired')
    .andWhere('expires_on', '<=', addDays(today, -settings.terminateAfterDays))
    .orderBy('id')
    .limit(5000)
    .select('id')) as { id: number }[];
  let closed = 0;
  for (const svc of rows) {
    await db.transaction(async (trx) => {
      const open = await trx('core_service_operations').where({ service_id: svc.id, op: 'close' }).whereIn('status', OPEN_OP).first('id');
      if (open) return;
      await deps.ops.enqueue(trx, { serviceId: svc.id, op: 'close', payload: { reason: `Expired for ${settings.terminateAfterDays} days` } });
      closed++;
    });
  }
  deps.count?.('expiredClosed', closed);
  return closed;
}

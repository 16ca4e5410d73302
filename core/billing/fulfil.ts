// What paying an invoice sets in motion: new services are opened, renewed ones extended or resumed,
// upgraded ones moved to their new package.
import type { Knex } from 'knex';
import type { OnInvoicePaid } from './invoices/payments.ts';
import { invoiceLines, type InvoiceRow } from './invoices/store.ts';
import { transitionService } from './services/transition.ts';
import type { ServiceStatus } from './services/status.ts';
import type { OperationKind } from '../processing/types.ts';
import { formatMoney } from '../money/money.ts';
import { applyPaidUpgrade } from './upgrades/apply.ts';

/** The part of the processing framework billing needs: queue an operation in the caller's transaction. */
export interface OperationQueue {
  enqueue(trx: Knex.Transaction, input: { serviceId: number; op: OperationKind; payload?: Record<string, unknown> }): Promise<number>;
}

export interface FulfilDeps {
  ops: OperationQueue;
  notify?: (trx: Knex.Transaction, kind: 'payment_received', invoice: InvoiceRow) => Promise<void>;
}

const SYSTEM = { type: 'system' as const, label: 'billing' };

export function makeOnInvoicePaid(deps: FulfilDeps): OnInvoicePaid {
  return async function onInvoicePaid(trx, invoice, at) {
    // An upgrade invoice has no service on its lines (see upgrades/apply.ts): its change is found by the invoice.
    if (invoice.kind === 'upgrade') await applyPaidUpgrade(trx, invoice, { ops: deps.ops, at });
    const lines = await invoiceLines(trx, invoice.id);
    const serviceIds = [...new Set(lines.map((l) => l.service_id).filter((id): id is number => id !== null))];
    for (const serviceId of serviceIds) {
      const service = (await trx('core_services as s')
        .leftJoin('core_processing_servers as p', 'p.id', 's.processing_server_id')
        .where('s.id', serviceId)
        .first('s.id', 's.status', 's.expires_on', 's.period_kind', 's.period_length', 'p.allow_prolong')) as
        | { id: number; status: ServiceStatus; expires_on: string | null; period_kind: string; period_length: number; allow_prolong: boolean | number | null }
        | undefined;
      if (!service) continue;
      const reason = `Invoice ${invoice.number} paid`;
      if (invoice.kind === 'order') {
        if (service.status === 'pending') {
          await transitionService(trx, { serviceId, to: 'in_progress', actor: SYSTEM, reason, at });
          await deps.ops.enqueue(trx, { serviceId, op: 'open' });
        }
        continue;
      }
      if (invoice.kind === 'renewal') {
        const ends = lines.filter((l) => l.service_id === serviceId && l.kind === 'renewal' && l.period_end).map((l) => l.period_end!);
        const newExpiry = ends.sort().at(-1) ?? service.expires_on;
        if (newExpiry && (!service.expires_on || newExpiry > service.expires_on)) {
          await trx('core_services').where({ id: serviceId }).update({ expires_on: newExpiry, updated_at: at });
        }
        if (service.status === 'pending_renewal') await transitionService(trx, { serviceId, to: 'active', actor: SYSTEM, reason, at });
        // Only a suspension for non-payment is lifted by a payment; staff and client suspensions stay.
        if (service.status === 'suspended_nonpayment' || service.status === 'expired') {
          await deps.ops.enqueue(trx, { serviceId, op: 'resume' });
        }
        if (service.allow_prolong === true || service.allow_prolong === 1) {
          await deps.ops.enqueue(trx, { serviceId, op: 'prolong', payload: { periodKind: service.period_kind, periodLength: service.period_length, expiresOn: newExpiry } });
        }
      }
    }
    if (deps.notify) await deps.notify(trx, 'payment_received', invoice);
  };
}

export function describeAmount(amount: number, currency: string): string {
  return formatMoney({ amount, currency });
}

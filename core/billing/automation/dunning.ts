// Dunning: reminders before the due date and 1st/2nd/3rd overdue notices, suspension for non-payment
// (never on weekends or holidays if so set), termination, and cancelling long-overdue invoices.
// Every pass is idempotent: running it twice on one day sends nothing twice and changes nothing twice.
import type { Knex } from 'knex';
import type { Clock } from '../../clock.ts';
import { iso } from '../../db/time.ts';
import { addDays } from '../services/periods.ts';
import { transitionService } from '../services/transition.ts';
import type { BillingSettings } from '../settings.ts';
import type { OperationQueue } from '../fulfil.ts';
import type { NoticeKind } from '../notifications.ts';
import { cancelInvoice } from '../invoices/payments.ts';
import { formatMoney } from '../../money/money.ts';

export type Notify = (trx: Knex.Transaction, input: { kind: NoticeKind; clientId: number; data: Record<string, unknown> }) => Promise<unknown>;

export interface DunningDeps {
  db: Knex;
  clock: Clock;
  settings: BillingSettings;
  ops: OperationQueue;
  notify: Notify;
  /** Link to an invoice in the client area, for e-mails. */
  invoiceUrl: (invoiceId: number) => string;
  count?: (name: string, by?: number) => void;
}

const SYSTEM = { type: 'system' as const, label: 'billing automation' };
const STAGE_NAMES = ['', 'reminder', '1st overdue notice', '2nd overdue notice', '3rd overdue notice'];

interface OpenInvoice {
  id: number;
  number: string;
  client_id: number;
  total: number;
  amount_paid: number;
  currency: string;
  due_on: string;
  reminder_stage: number;
}

/** Whether suspensions may happen on `day` (weekends and listed holidays can be kept free). */
export function isSuspensionDay(day: string, s: BillingSettings): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  if (!s.suspendOnWeekends && (weekday === 0 || weekday === 6)) return false;
  return !s.holidays.includes(day);
}

/** The next day on or after `day` on which a suspension may happen. */
export function nextSuspensionDay(day: string, s: BillingSettings): string {
  let d = day;
  for (let i = 0; i < 30 && !isSuspensionDay(d, s); i++) d = addDays(d, 1);
  return d;
}

export function suspensionDateFor(dueOn: string, s: BillingSettings): string {
  return nextSuspensionDay(addDays(dueOn, s.suspendAfterDays), s);
}

function invoiceData(inv: OpenInvoice, deps: DunningDeps) {
  return {
    invoice: { number: inv.number, total: formatMoney({ amount: inv.total - inv.amount_paid, currency: inv.currency }), due_on: inv.due_on },
    links: { invoice: deps.invoiceUrl(inv.id) },
  };
}

export async function runReminders(deps: DunningDeps): Promise<number> {
  const { db, settings: s } = deps;
  const now = deps.clock.now();
  const at = iso(now);
  const today = at.slice(0, 10);
  let sent = 0;
  let afterId = 0;
  for (;;) {
    const rows = (await db('core_invoices')
      .whereIn('status', ['unpaid', 'collections'])
      .andWhere('due_on', '<=', addDays(today, s.reminderBeforeDueDays))
      .andWhere('reminder_stage', '<', 4)
      .andWhere('id', '>', afterId)
      .orderBy('id')
      .limit(500)
      .select('id', 'number', 'client_id', 'total', 'amount_paid', 'currency', 'due_on', 'reminder_stage')) as OpenInvoice[];
    if (!rows.length) break;
    afterId = rows.at(-1)!.id;
    for (const inv of rows) {
      // The highest stage reached today; stages missed while the job was down are not sent late.
      let stage = inv.due_on >= today ? 1 : 0;
      s.overdueReminderDays.forEach((days, i) => {
        if (addDays(inv.due_on, days) <= today) stage = i + 2;
      });
      if (stage <= inv.reminder_stage) continue;
      await db.transaction(async (trx) => {
        const changed = await trx('core_invoices').where({ id: inv.id, reminder_stage: inv.reminder_stage }).update({ reminder_stage: stage, updated_at: at });
        if (changed !== 1) return;
        const data = invoiceData(inv, deps);
        if (stage === 1) await deps.notify(trx, { kind: 'invoice_reminder', clientId: inv.client_id, data });
        else await deps.notify(trx, { kind: 'invoice_overdue', clientId: inv.client_id, data: { ...data, stage: STAGE_NAMES[stage], suspend_on: suspensionDateFor(inv.due_on, s) } });
        sent++;
      });
    }
  }
  deps.count?.('reminders', sent);
  return sent;
}

/** Services covered by an unpaid invoice that fell due on or before `dueBefore`. */
function overdueServicesQuery(db: Knex, input: { dueBefore: string; statuses: string[]; afterId: number }) {
  return db('core_invoices as i')
    .join('core_invoice_lines as l', 'l.invoice_id', 'i.id')
    .join('core_services as s', 's.id', 'l.service_id')
    .whereIn('i.status', ['unpaid', 'collections'])
    .andWhere('i.due_on', '<=', input.dueBefore)
    .whereIn('s.status', input.statuses)
    .andWhere('s.id', '>', input.afterId)
    .groupBy('s.id', 's.client_id', 's.status', 's.label', 's.item_type')
    .orderBy('s.id')
    .limit(500)
    .select('s.id', 's.client_id', 's.status', 's.label', 's.item_type')
    .min({ invoice_id: 'i.id' });
}

export async function runSuspensions(deps: DunningDeps): Promise<number> {
  const { db, settings: s } = deps;
  const at = iso(deps.clock.now());
  const today = at.slice(0, 10);
  let suspended = 0;
  // Domains are not suspended: past their expiry unpaid they expire at the registrar.
  const expired = (await db('core_services').where({ status: 'pending_renewal' }).andWhere('expires_on', '<', today).select('id')) as { id: number }[];
  for (const e of expired) {
    await db.transaction((trx) => transitionService(trx, { serviceId: e.id, to: 'expired', actor: SYSTEM, reason: 'Renewal not paid before expiry', at }));
  }
  deps.count?.('expired', expired.length);
  if (!isSuspensionDay(today, s)) return 0;
  let afterId = 0;
  for (;;) {
    const rows = (await overdueServicesQuery(db, { dueBefore: addDays(today, -s.suspendAfterDays), statuses: ['active'], afterId })) as { id: number; client_id: number; label: string; item_type: string; invoice_id: number }[];
    if (!rows.length) break;
    afterId = rows.at(-1)!.id;
    for (const svc of rows) {
      if (svc.item_type === 'domain') continue;
      await db.transaction(async (trx) => {
        const pending = await trx('core_service_operations').where({ service_id: svc.id, op: 'suspend' }).whereIn('status', ['pending', 'running', 'manual']).first('id');
        if (pending) return;
        await deps.ops.enqueue(trx, { serviceId: svc.id, op: 'suspend', payload: { status: 'suspended_nonpayment', reason: 'Invoice overdue' } });
        const inv = (await trx('core_invoices').where({ id: svc.invoice_id }).first('id', 'number', 'client_id', 'total', 'amount_paid', 'currency', 'due_on', 'reminder_stage')) as OpenInvoice;
        await deps.notify(trx, { kind: 'service_suspended', clientId: svc.client_id, data: { ...invoiceData(inv, deps), service: { name: svc.label || `#${svc.id}` } } });
        suspended++;
      });
    }
  }
  deps.count?.('suspended', suspended);
  return suspended;
}

export async function runTerminations(deps: DunningDeps): Promise<number> {
  const { db, settings: s } = deps;
  const at = iso(deps.clock.now());
  const today = at.slice(0, 10);
  let closed = 0;
  let afterId = 0;
  for (;;) {
    const rows = (await overdueServicesQuery(db, { dueBefore: addDays(today, -s.terminateAfterDays), statuses: ['suspended_nonpayment'], afterId })) as { id: number }[];
    if (!rows.length) break;
    afterId = rows.at(-1)!.id;
    for (const svc of rows) {
      await db.transaction(async (trx) => {
        const pending = await trx('core_service_operations').where({ service_id: svc.id, op: 'close' }).whereIn('status', ['pending', 'running', 'manual']).first('id');
        if (pending) return;
        await deps.ops.enqueue(trx, { serviceId: svc.id, op: 'close', payload: { reason: `Unpaid for ${s.terminateAfterDays} days` } });
        closed++;
      });
    }
  }
  deps.count?.('terminated', closed);
  return closed;
}

export async function runInvoiceCancellations(deps: DunningDeps): Promise<number> {
  const { db, settings: s } = deps;
  const at = iso(deps.clock.now());
  const today = at.slice(0, 10);
  const rows = (await db('core_invoices')
    .where({ status: 'unpaid', amount_paid: 0 })
    .andWhere('due_on', '<=', addDays(today, -s.cancelInvoicesAfterDays))
    .orderBy('id')
    .limit(5000)
    .select('id', 'kind')) as { id: number; kind: string }[];
  let cancelled = 0;
  for (const inv of rows) {
    await db.transaction(async (trx) => {
      if (!(await cancelInvoice(trx, { invoiceId: inv.id, at }))) return;
      cancelled++;
      if (inv.kind !== 'order') return;
      const services = (await trx('core_invoice_lines as l').join('core_services as s', 's.id', 'l.service_id').where('l.invoice_id', inv.id).andWhere('s.status', 'pending').distinct('s.id')) as { id: number }[];
      for (const svc of services) await transitionService(trx, { serviceId: svc.id, to: 'cancelled', actor: SYSTEM, reason: 'Order invoice not paid', at });
    });
  }
  deps.count?.('invoicesCancelled', cancelled);
  return cancelled;
}

// What a client sees first: balance, what is owed, services that need attention, recent invoices,
// open tickets and, for every overdue invoice, the day its services will be suspended unless paid.
// Every query is scoped by the client id: this module is the client's view of billing.
import type { Knex } from 'knex';
import { addDays } from '../services/periods.ts';
import { suspensionDateFor, nextSuspensionDay } from '../automation/dunning.ts';
import { getBillingSettings, type BillingSettings } from '../settings.ts';
import type { AppServices } from '../../services.ts';
import type { ServiceStatus } from '../services/status.ts';
import type { InvoiceStatus } from '../invoices/store.ts';
import { ACTIVE_TICKET_STATUSES } from '../../support/tickets.ts';

type Q = Knex | Knex.Transaction;

/** Statuses a client should look at: something is wrong or about to change. */
export const ATTENTION_STATUSES: readonly ServiceStatus[] = ['suspended_nonpayment', 'suspended_staff', 'pending_renewal', 'failed', 'in_progress', 'pending', 'expired'];
export const OPEN_INVOICE_STATUSES: readonly InvoiceStatus[] = ['unpaid', 'collections'];

export interface HomeInvoice {
  id: number;
  number: string;
  status: InvoiceStatus;
  currency: string;
  total: number;
  due: number;
  entered_on: string;
  due_on: string;
}

export interface HomeService {
  id: number;
  label: string;
  package_name: string;
  status: ServiceStatus;
  expires_on: string | null;
  suspend_reason: string | null;
}

export interface DunningStep {
  invoice: HomeInvoice;
  /** The services that invoice covers and that are still running. */
  services: { id: number; label: string; package_name: string; item_type: string }[];
  /** When they are suspended unless the invoice is paid (null: the operator never suspends them, e.g. domains). */
  suspendOn: string | null;
  /** When they are closed for good. */
  terminateOn: string;
  /** Whether the suspension date has passed (the run has not got to it yet, or it is a holiday). */
  overdueBy: number;
}

export interface ClientHome {
  client: { id: number; name: string; currency: string; balance: number };
  /** Owed per currency (invoices may be in other currencies than the credit balance). */
  unpaid: { currency: string; amount: number; count: number }[];
  attention: HomeService[];
  recentInvoices: HomeInvoice[];
  openTickets: { id: number; subject: string; status: string; updated_at: string }[];
  dunning: DunningStep[];
}

function toInvoice(r: Record<string, unknown>): HomeInvoice {
  const total = Number(r.total);
  return {
    id: Number(r.id), number: String(r.number), status: r.status as InvoiceStatus, currency: String(r.currency), total,
    due: Math.max(0, total - Number(r.amount_paid)), entered_on: String(r.entered_on), due_on: String(r.due_on),
  };
}

const INVOICE_COLUMNS = ['id', 'number', 'status', 'currency', 'total', 'amount_paid', 'entered_on', 'due_on'];

export async function clientHome(db: Q, clientId: number, opts: { today: string; settings: BillingSettings }): Promise<ClientHome | null> {
  const client = (await db('core_clients').where({ id: clientId }).first('id', 'name', 'currency', 'balance')) as { id: number; name: string; currency: string; balance: number | string } | undefined;
  if (!client) return null;

  const open = ((await db('core_invoices').where({ client_id: clientId }).whereIn('status', OPEN_INVOICE_STATUSES).orderBy([{ column: 'due_on' }, { column: 'id' }]).limit(200).select(INVOICE_COLUMNS)) as Record<string, unknown>[]).map(toInvoice);
  const unpaid = new Map<string, { currency: string; amount: number; count: number }>();
  for (const inv of open) {
    const u = unpaid.get(inv.currency) ?? { currency: inv.currency, amount: 0, count: 0 };
    u.amount += inv.due;
    u.count += 1;
    unpaid.set(inv.currency, u);
  }

  const attention = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where('s.client_id', clientId)
    .whereIn('s.status', ATTENTION_STATUSES)
    .orderBy('s.id')
    .limit(50)
    .select('s.id', 's.label', 'p.name as package_name', 's.status', 's.expires_on', 's.suspend_reason')) as HomeService[];

  const recentInvoices = ((await db('core_invoices').where({ client_id: clientId }).orderBy([{ column: 'entered_on', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(5).select(INVOICE_COLUMNS)) as Record<string, unknown>[]).map(toInvoice);

  const openTickets = (await db('core_tickets').where({ client_id: clientId }).whereIn('status', ACTIVE_TICKET_STATUSES).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(5).select('id', 'subject', 'status', 'updated_at')) as ClientHome['openTickets'];

  const overdue = open.filter((i) => i.due_on < opts.today);
  const dunning: DunningStep[] = [];
  if (overdue.length) {
    const covered = (await db('core_invoice_lines as l')
      .join('core_services as s', 's.id', 'l.service_id')
      .join('core_packages as p', 'p.id', 's.package_id')
      .whereIn('l.invoice_id', overdue.map((i) => i.id))
      .andWhere('s.client_id', clientId)
      .whereNotIn('s.status', ['cancelled', 'transferred', 'fraud', 'expired'])
      .distinct('l.invoice_id', 's.id', 's.label', 'p.name as package_name', 's.item_type')) as { invoice_id: number; id: number; label: string; package_name: string; item_type: string }[];
    for (const invoice of overdue) {
      const services = covered.filter((c) => Number(c.invoice_id) === invoice.id).map(({ id, label, package_name, item_type }) => ({ id, label, package_name, item_type }));
      // Domains are not suspended by dunning: they lapse at the registrar on their expiry date.
      const suspendable = services.some((s) => s.item_type !== 'domain');
      const planned = suspensionDateFor(invoice.due_on, opts.settings);
      // A date already passed means the next suspension run: today, or the next day suspensions may happen.
      const suspendOn = suspendable ? (planned < opts.today ? nextSuspensionDay(opts.today, opts.settings) : planned) : null;
      dunning.push({
        invoice, services, suspendOn,
        terminateOn: addDays(invoice.due_on, opts.settings.terminateAfterDays),
        overdueBy: Math.round((Date.parse(`${opts.today}T00:00:00Z`) - Date.parse(`${invoice.due_on}T00:00:00Z`)) / 86_400_000),
      });
    }
  }

  return { client: { id: client.id, name: client.name, currency: client.currency, balance: Number(client.balance) }, unpaid: [...unpaid.values()], attention, recentInvoices, openTickets, dunning };
}

/** clientHome with today's date and the operator's dunning settings, for a request. */
export async function loadClientHome(app: Pick<AppServices, 'db' | 'clock' | 'settings'>, clientId: number): Promise<ClientHome | null> {
  return clientHome(app.db, clientId, { today: app.clock.now().toISOString().slice(0, 10), settings: await getBillingSettings(app.settings) });
}

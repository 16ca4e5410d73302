// SQL of the billing admin pages: the service and invoice lists, what a service or invoice page shows,
// and the small staff changes that have no domain function (auto-renew, expiry date, collections).
// Every list filter and page lookup is an index range (see test/billing/admin-query-plans.test.ts).
import type { Knex } from 'knex';
import type { InvoiceRow, TransactionRow } from '../invoices/store.ts';
import type { ServiceStatus } from '../services/status.ts';

type Q = Knex | Knex.Transaction;

export interface ServiceRow {
  id: number;
  client_id: number;
  package_id: number;
  item_type: string;
  label: string;
  status: ServiceStatus;
  period_id: number | null;
  period_kind: 'trial' | 'days' | 'months' | 'lifetime';
  period_length: number;
  currency: string;
  price: number;
  auto_renew: boolean | number;
  expires_on: string | null;
  params: string;
  parent_id: number | null;
  processing_server_id: number | null;
  external_id: string | null;
  suspend_reason: string | null;
  cancel_requested: boolean | number;
  created_at: string;
  activated_at: string | null;
  updated_at: string;
}

export type ServiceListRow = Pick<ServiceRow, 'id' | 'client_id' | 'package_id' | 'item_type' | 'label' | 'status' | 'currency' | 'price' | 'expires_on' | 'period_kind' | 'period_length' | 'processing_server_id' | 'auto_renew'> & {
  client_label?: string;
  package_name?: string;
  server_name?: string | null;
};

export interface ServiceFilters {
  status?: string;
  itemType?: string;
  serverId?: number;
  clientId?: number;
}

/**
 * The service list, filtered, unsorted: one table so its count(*) reads only the index of the filter
 * ((status, expires_on), (item_type, status), (processing_server_id, status), (client_id, id)). The page's
 * client, package and server names are looked up for its rows afterwards (namesForServices).
 */
export function serviceListQuery(db: Q, f: ServiceFilters): Knex.QueryBuilder {
  const q = db('core_services as s').select(
    's.id', 's.client_id', 's.package_id', 's.item_type', 's.label', 's.status', 's.currency', 's.price', 's.expires_on', 's.period_kind', 's.period_length', 's.processing_server_id', 's.auto_renew',
  );
  if (f.clientId) q.where('s.client_id', f.clientId);
  if (f.status) q.where('s.status', f.status);
  if (f.itemType) q.where('s.item_type', f.itemType);
  if (f.serverId) q.where('s.processing_server_id', f.serverId);
  return q;
}

/** Adds client, package and server names to a page of services (three primary-key lookups). */
export async function namesForServices(db: Q, rows: ServiceListRow[]): Promise<ServiceListRow[]> {
  if (!rows.length) return rows;
  const clients = await clientLabels(db, rows.map((r) => r.client_id));
  const packages = new Map(
    ((await db('core_packages').whereIn('id', [...new Set(rows.map((r) => r.package_id))]).select('id', 'name')) as { id: number; name: string }[]).map((p) => [Number(p.id), p.name]),
  );
  const serverIds = [...new Set(rows.map((r) => r.processing_server_id).filter((id): id is number => id !== null))];
  const servers = new Map(
    (serverIds.length ? ((await db('core_processing_servers').whereIn('id', serverIds).select('id', 'name')) as { id: number; name: string }[]) : []).map((s) => [Number(s.id), s.name]),
  );
  return rows.map((r) => ({
    ...r,
    client_label: clients.get(Number(r.client_id)) ?? `#${r.client_id}`,
    package_name: packages.get(Number(r.package_id)) ?? `#${r.package_id}`,
    server_name: r.processing_server_id === null ? null : (servers.get(Number(r.processing_server_id)) ?? `#${r.processing_server_id}`),
  }));
}

/** Display names of clients by id: a company by its name, a person with their company if any. */
export async function clientLabels(db: Q, ids: number[]): Promise<Map<number, string>> {
  const unique = [...new Set(ids.map(Number))];
  if (!unique.length) return new Map();
  const rows = (await db('core_clients').whereIn('id', unique).select('id', 'kind', 'name', 'company')) as { id: number; kind: string; name: string; company: string }[];
  return new Map(rows.map((r) => [Number(r.id), r.kind === 'company' || !r.company || r.company === r.name ? r.name : `${r.name} (${r.company})`]));
}

export async function getService(db: Q, id: number): Promise<ServiceRow | undefined> {
  const row = (await db('core_services').where({ id }).first()) as ServiceRow | undefined;
  return row ? { ...row, id: Number(row.id), client_id: Number(row.client_id), price: Number(row.price) } : undefined;
}

export interface ServiceAddonView {
  addon_id: number;
  name: string;
  internal_name: string;
  kind: 'enum' | 'logic' | 'number';
  unit: string;
  value: string;
  /** What the value means: the enumeration item's name, yes/no, the number with its unit. */
  shown: string;
  price: number;
}

export async function serviceAddons(db: Q, serviceId: number): Promise<ServiceAddonView[]> {
  const rows = (await db('core_service_addons as sa')
    .join('core_addons as a', 'a.id', 'sa.addon_id')
    .where('sa.service_id', serviceId)
    .orderBy('a.position')
    .orderBy('a.id')
    .select('sa.addon_id', 'sa.value', 'sa.price', 'a.name', 'a.internal_name', 'a.kind', 'a.unit', 'a.enumeration_id')) as (Omit<ServiceAddonView, 'shown'> & { enumeration_id: number | null })[];
  const out: ServiceAddonView[] = [];
  for (const r of rows) {
    let shown = r.value;
    if (r.kind === 'logic') shown = r.value === '1' ? 'yes' : 'no';
    else if (r.kind === 'number') shown = `${r.value}${r.unit ? ` ${r.unit}` : ''}`;
    else if (r.enumeration_id !== null) {
      const item = (await db('core_enumeration_items').where({ enumeration_id: r.enumeration_id, internal_name: r.value }).first('name')) as { name: string } | undefined;
      if (item) shown = item.name;
    }
    out.push({ addon_id: Number(r.addon_id), name: r.name, internal_name: r.internal_name, kind: r.kind, unit: r.unit, value: r.value, shown, price: Number(r.price) });
  }
  return out;
}

export interface HistoryRow {
  id: number;
  at: string;
  from_status: string | null;
  to_status: string;
  actor_type: string;
  actor_label: string;
  reason: string;
}

export async function serviceHistory(db: Q, serviceId: number, limit = 100): Promise<HistoryRow[]> {
  return (await db('core_service_history').where({ service_id: serviceId }).orderBy('id', 'desc').limit(limit)) as HistoryRow[];
}

export async function childServices(db: Q, serviceId: number): Promise<Pick<ServiceRow, 'id' | 'label' | 'status' | 'item_type'>[]> {
  return (await db('core_services').where({ parent_id: serviceId }).orderBy('id').limit(200).select('id', 'label', 'status', 'item_type')) as Pick<ServiceRow, 'id' | 'label' | 'status' | 'item_type'>[];
}

/** Invoices with a line for this service, newest first. */
export async function invoicesOfService(db: Q, serviceId: number, limit = 50): Promise<InvoiceRow[]> {
  const ids = ((await db('core_invoice_lines').where({ service_id: serviceId }).distinct('invoice_id')) as { invoice_id: number }[]).map((r) => Number(r.invoice_id));
  if (!ids.length) return [];
  return (await db('core_invoices').whereIn('id', ids).orderBy('id', 'desc').limit(limit)) as InvoiceRow[];
}

/** Unpaid order invoices with a line for this service (what cancelling a pending order cancels). */
export async function openOrderInvoicesOfService(db: Q, serviceId: number): Promise<InvoiceRow[]> {
  const ids = ((await db('core_invoice_lines').where({ service_id: serviceId }).distinct('invoice_id')) as { invoice_id: number }[]).map((r) => Number(r.invoice_id));
  if (!ids.length) return [];
  return (await db('core_invoices').whereIn('id', ids).andWhere({ kind: 'order' }).whereIn('status', ['draft', 'unpaid', 'collections'])) as InvoiceRow[];
}

/** Operations of a service still waiting to finish (pending, running, or waiting for staff). */
export async function openOperations(db: Q, serviceId: number): Promise<{ id: number; op: string; status: string }[]> {
  const rows = (await db('core_service_operations')
    .where({ service_id: serviceId })
    .whereIn('status', ['pending', 'running', 'manual'])
    .orderBy('id')
    .select('id', 'op', 'status')) as { id: number; op: string; status: string }[];
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export type InvoiceListRow = Pick<InvoiceRow, 'id' | 'number' | 'client_id' | 'kind' | 'status' | 'currency' | 'total' | 'amount_paid' | 'entered_on' | 'due_on'> & { client_label?: string };

/** The invoice list, filtered, unsorted: (client_id, …) and (status, due_on) indexes serve the filters. */
export function invoiceListQuery(db: Q, f: { status?: string; clientId?: number }): Knex.QueryBuilder {
  const q = db('core_invoices').select('id', 'number', 'client_id', 'kind', 'status', 'currency', 'total', 'amount_paid', 'entered_on', 'due_on');
  if (f.clientId) q.where('client_id', f.clientId);
  if (f.status) q.where('status', f.status);
  return q;
}

export async function namesForInvoices(db: Q, rows: InvoiceListRow[]): Promise<InvoiceListRow[]> {
  const clients = await clientLabels(db, rows.map((r) => r.client_id));
  return rows.map((r) => ({ ...r, client_label: clients.get(Number(r.client_id)) ?? `#${r.client_id}` }));
}

export type TransactionView = TransactionRow & { refunded: number; refundable: number; reference: string };

/** An invoice's transactions, each with what was already refunded of it and what still can be. */
export async function transactionsOfInvoice(db: Q, invoiceId: number): Promise<TransactionView[]> {
  const rows = (await db('core_transactions').where({ invoice_id: invoiceId }).orderBy('id')) as TransactionRow[];
  return withRefunds(db, rows);
}

async function withRefunds(db: Q, rows: TransactionRow[]): Promise<TransactionView[]> {
  const ids = rows.map((r) => Number(r.id));
  const sums = new Map<number, number>();
  if (ids.length) {
    const refunds = (await db('core_transactions').whereIn('refund_of', ids).groupBy('refund_of').select('refund_of').sum({ total: 'amount' })) as { refund_of: number; total: number | string | null }[];
    for (const r of refunds) sums.set(Number(r.refund_of), -Number(r.total ?? 0));
  }
  return rows.map((r) => {
    const amount = Number(r.amount);
    const refunded = sums.get(Number(r.id)) ?? 0;
    let reference = '';
    try {
      const raw = r.raw ? (JSON.parse(r.raw) as { reference?: unknown }) : {};
      if (typeof raw.reference === 'string') reference = raw.reference;
    } catch {
      // raw is what a gateway sent; not ours to insist on
    }
    return { ...r, id: Number(r.id), amount, refunded, refundable: r.status === 'approved' && amount > 0 ? Math.max(0, amount - refunded) : 0, reference };
  });
}

export interface ClientSummary {
  services: Pick<ServiceRow, 'id' | 'label' | 'status' | 'item_type' | 'expires_on' | 'price' | 'currency' | 'package_id' | 'period_kind' | 'period_length'>[];
  serviceCount: number;
  invoices: InvoiceListRow[];
  invoiceCount: number;
  unpaidCount: number;
  unpaidDue: number;
}

/** The billing section of the client page: latest services and invoices, counts, what is due. */
export async function clientSummary(db: Q, clientId: number, limit = 10): Promise<ClientSummary> {
  const services = (await db('core_services').where({ client_id: clientId }).orderBy('id', 'desc').limit(limit).select('id', 'label', 'status', 'item_type', 'expires_on', 'price', 'currency', 'package_id', 'period_kind', 'period_length')) as ClientSummary['services'];
  const [{ n: serviceCount }] = (await db('core_services').where({ client_id: clientId }).count({ n: '*' })) as [{ n: number | string }];
  const invoices = (await db('core_invoices')
    .where({ client_id: clientId })
    .orderBy('entered_on', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .select('id', 'number', 'client_id', 'kind', 'status', 'currency', 'total', 'amount_paid', 'entered_on', 'due_on')) as InvoiceListRow[];
  const [{ n: invoiceCount }] = (await db('core_invoices').where({ client_id: clientId }).count({ n: '*' })) as [{ n: number | string }];
  const [unpaid] = (await db('core_invoices')
    .where({ client_id: clientId })
    .whereIn('status', ['unpaid', 'collections'])
    .count({ n: '*' })
    .sum({ total: 'total', paid: 'amount_paid' })) as [{ n: number | string; total: number | string | null; paid: number | string | null }];
  return {
    services,
    serviceCount: Number(serviceCount),
    invoices,
    invoiceCount: Number(invoiceCount),
    unpaidCount: Number(unpaid.n),
    unpaidDue: Number(unpaid.total ?? 0) - Number(unpaid.paid ?? 0),
  };
}

export interface ClientOption {
  id: number;
  label: string;
  currency: string;
}

/** Active clients for the order form's select, by name (the (status, name) index), at most `limit`. */
export async function activeClientOptions(db: Q, limit: number): Promise<ClientOption[]> {
  const rows = (await db('core_clients').where({ status: 'active' }).orderBy('name').orderBy('id').limit(limit).select('id', 'kind', 'name', 'company', 'currency')) as {
    id: number;
    kind: string;
    name: string;
    company: string;
    currency: string;
  }[];
  return rows.map((r) => ({ id: Number(r.id), label: `${r.kind === 'company' || !r.company || r.company === r.name ? r.name : `${r.name} (${r.company})`} · #${r.id} · ${r.currency}`, currency: r.currency }));
}

/** A client's services that another can be ordered under (not closed ones), newest first. */
export async function parentCandidates(db: Q, clientId: number): Promise<Pick<ServiceRow, 'id' | 'label' | 'status' | 'item_type'>[]> {
  return (await db('core_services')
    .where({ client_id: clientId })
    .whereNotIn('status', ['cancelled', 'transferred', 'fraud', 'expired'])
    .orderBy('id', 'desc')
    .limit(200)
    .select('id', 'label', 'status', 'item_type')) as Pick<ServiceRow, 'id' | 'label' | 'status' | 'item_type'>[];
}

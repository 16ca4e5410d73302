// SQL of the client's domain orders: domain services on BILLmanager servers, always scoped by client id.
import type { Knex } from 'knex';
import { MODULE_NAME } from '../processing/module.ts';

type Q = Knex | Knex.Transaction;

export interface DomainOrderRow {
  id: number;
  client_id: number;
  label: string;
  status: string;
  expires_on: string | null;
  created_at: string;
  params: string;
  package_name: string;
  auto_renew: boolean | number;
}

export interface OrderInvoice {
  id: number;
  number: string;
  status: string;
  total: number;
  amount_paid: number;
  currency: string;
  due_on: string;
}

/** The client's domains bought through the upstream BILLmanager, for buildTable (sort: label, status, created_at). */
export function clientDomainsQuery(db: Q, clientId: number) {
  return db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .join('core_processing_servers as ps', 'ps.id', 's.processing_server_id')
    .where({ 's.client_id': clientId, 's.item_type': 'domain', 'ps.module': MODULE_NAME })
    .select('s.id', 's.label', 's.status', 's.expires_on', 's.created_at', 'p.name as package_name');
}

/** One of the client's domains; null for another client's, a non-domain, or one not on a BILLmanager server. */
export async function findClientDomainOrder(db: Q, clientId: number, serviceId: number): Promise<DomainOrderRow | null> {
  if (!Number.isSafeInteger(serviceId)) return null;
  const row = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .join('core_processing_servers as ps', 'ps.id', 's.processing_server_id')
    .where({ 's.id': serviceId, 's.client_id': clientId, 's.item_type': 'domain', 'ps.module': MODULE_NAME })
    .first('s.id', 's.client_id', 's.label', 's.status', 's.expires_on', 's.created_at', 's.params', 's.auto_renew', 'p.name as package_name')) as DomainOrderRow | undefined;
  return row ?? null;
}

/** The invoice that ordered a service (its first, 'order' invoice), scoped by the client. */
export async function orderInvoiceOf(db: Q, clientId: number, serviceId: number): Promise<OrderInvoice | null> {
  const row = (await db('core_invoices as i')
    .join('core_invoice_lines as l', 'l.invoice_id', 'i.id')
    .where({ 'l.service_id': serviceId, 'i.client_id': clientId, 'i.kind': 'order' })
    .orderBy('i.id')
    .first('i.id', 'i.number', 'i.status', 'i.total', 'i.amount_paid', 'i.currency', 'i.due_on')) as OrderInvoice | undefined;
  return row ? { ...row, id: Number(row.id), total: Number(row.total), amount_paid: Number(row.amount_paid) } : null;
}

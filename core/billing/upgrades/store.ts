// All SQL for package and add-on changes (core_service_upgrades).
import type { Knex } from 'knex';
import { insertedId } from '../invoices/store.ts';
import type { ProrationBasis } from './proration.ts';

type Q = Knex | Knex.Transaction;

export type UpgradeKind = 'package' | 'addons';
export type UpgradeStatus = 'awaiting_payment' | 'applied' | 'cancelled' | 'void';

/** An add-on the service has after a change, as core_service_addons will hold it. */
export interface ResultAddon {
  addonId: number;
  internalName: string;
  value: string;
  price: number;
}

export interface UpgradeRow {
  id: number;
  service_id: number;
  client_id: number;
  kind: UpgradeKind;
  from_package_id: number;
  to_package_id: number;
  to_period_id: number | null;
  currency: string;
  old_price: number;
  new_price: number;
  addons: string;
  basis: ProrationBasis;
  period_start: string | null;
  period_end: string | null;
  days_left: number;
  days_in_period: number;
  credit: number;
  charge: number;
  tax: number;
  total: number;
  invoice_id: number | null;
  status: UpgradeStatus;
  note: string;
  actor: string;
  created_at: string;
  closed_at: string | null;
}

export type NewUpgrade = Omit<UpgradeRow, 'id' | 'closed_at' | 'addons'> & { addons: ResultAddon[] };

const MONEY_COLUMNS = ['old_price', 'new_price', 'credit', 'charge', 'tax', 'total'] as const;

/** PostgreSQL hands bigints back as strings. */
function normalise(row: Record<string, unknown> | undefined): UpgradeRow | undefined {
  if (!row) return undefined;
  const out = { ...row } as Record<string, unknown>;
  for (const k of MONEY_COLUMNS) out[k] = Number(out[k]);
  for (const k of ['id', 'service_id', 'client_id', 'from_package_id', 'to_package_id', 'days_left', 'days_in_period']) out[k] = Number(out[k]);
  for (const k of ['to_period_id', 'invoice_id']) out[k] = out[k] === null || out[k] === undefined ? null : Number(out[k]);
  return out as unknown as UpgradeRow;
}

export function resultAddons(row: Pick<UpgradeRow, 'addons'>): ResultAddon[] {
  try {
    const list = JSON.parse(row.addons) as unknown;
    return Array.isArray(list) ? (list as ResultAddon[]) : [];
  } catch {
    return [];
  }
}

export async function insertUpgrade(trx: Knex.Transaction, row: NewUpgrade): Promise<number> {
  const [r] = await trx('core_service_upgrades').insert({ ...row, addons: JSON.stringify(row.addons), closed_at: row.status === 'awaiting_payment' ? null : row.created_at }).returning('id');
  return insertedId(r);
}

export async function findUpgradeByInvoice(db: Q, invoiceId: number): Promise<UpgradeRow | undefined> {
  return normalise(await db('core_service_upgrades').where({ invoice_id: invoiceId }).orderBy('id', 'desc').first());
}

/**
 * The change of a service that waits for its invoice, if any. One whose invoice was cancelled meanwhile
 * (by staff, or by the run that cancels long-overdue invoices) no longer waits.
 */
export async function findAwaitingUpgrade(db: Q, serviceId: number): Promise<(UpgradeRow & { invoice_number: string; invoice_status: string; invoice_due: number }) | undefined> {
  const row = (await db('core_service_upgrades as u')
    .join('core_invoices as i', 'i.id', 'u.invoice_id')
    .where({ 'u.service_id': serviceId, 'u.status': 'awaiting_payment' })
    .whereIn('i.status', ['draft', 'unpaid', 'collections'])
    .orderBy('u.id', 'desc')
    .first('u.*', 'i.number as invoice_number', 'i.status as invoice_status', 'i.total as invoice_total', 'i.amount_paid as invoice_paid')) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const base = normalise(row)!;
  return { ...base, invoice_number: String(row.invoice_number), invoice_status: String(row.invoice_status), invoice_due: Number(row.invoice_total) - Number(row.invoice_paid) };
}

export async function closeUpgrade(trx: Knex.Transaction, id: number, from: UpgradeStatus, to: UpgradeStatus, at: string, note?: string): Promise<boolean> {
  const changed = await trx('core_service_upgrades')
    .where({ id, status: from })
    .update({ status: to, closed_at: at, ...(note !== undefined ? { note: note.slice(0, 500) } : {}) });
  return changed === 1;
}

export async function upgradesOfService(db: Q, serviceId: number, limit = 20): Promise<UpgradeRow[]> {
  const rows = (await db('core_service_upgrades').where({ service_id: serviceId }).orderBy('id', 'desc').limit(limit)) as Record<string, unknown>[];
  return rows.map((r) => normalise(r)!);
}

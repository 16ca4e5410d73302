// All SQL for billing accounts and the services each one pays for.
import type { Knex } from 'knex';
import { bool } from '../../db/time.ts';
import { chunksOf } from '../../db/batch.ts';
import type { AccountType } from './schemas.ts';

type Q = Knex | Knex.Transaction;

export interface BillingAccountRow {
  id: number;
  client_id: number;
  contact_id: number | null;
  type: AccountType;
  label: string;
  card_type: string | null;
  last4: string | null;
  card_exp_month: string | null;
  card_exp_year: string | null;
  bank_name: string | null;
  sealed: string | null;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

export type BillingAccountColumns = Omit<BillingAccountRow, 'id' | 'created_at' | 'updated_at'>;

/** A service of the client as the "Billable for" list shows it. */
export interface PayableServiceRow {
  id: number;
  label: string;
  status: string;
  package_name: string;
  /** The account that pays for it now, or null. */
  billing_account_id: number | null;
}

function normalize(row: BillingAccountRow): BillingAccountRow {
  return { ...row, id: Number(row.id), client_id: Number(row.client_id), contact_id: row.contact_id === null ? null : Number(row.contact_id), is_default: bool(row.is_default) };
}

export async function listAccounts(db: Q, clientId: number): Promise<BillingAccountRow[]> {
  const rows = (await db('core_billing_accounts').where({ client_id: clientId }).orderBy([{ column: 'is_default', order: 'desc' }, { column: 'id' }])) as BillingAccountRow[];
  return rows.map(normalize);
}

/** One account of one client: every lookup is scoped by the client. */
export async function getAccount(db: Q, clientId: number, id: number): Promise<BillingAccountRow | undefined> {
  const row = (await db('core_billing_accounts').where({ id, client_id: clientId }).first()) as BillingAccountRow | undefined;
  return row ? normalize(row) : undefined;
}

/** For staff pages that address an account by id alone (staff may see every client). */
export async function getAccountById(db: Q, id: number): Promise<BillingAccountRow | undefined> {
  const row = (await db('core_billing_accounts').where({ id }).first()) as BillingAccountRow | undefined;
  return row ? normalize(row) : undefined;
}

export async function insertAccount(trx: Knex.Transaction, fields: BillingAccountColumns, at: string): Promise<number> {
  const [row] = await trx('core_billing_accounts').insert({ ...fields, created_at: at, updated_at: at }).returning('id');
  return Number(typeof row === 'object' ? (row as { id: number }).id : row);
}

export async function updateAccount(trx: Knex.Transaction, id: number, fields: Partial<BillingAccountColumns>, at: string): Promise<void> {
  await trx('core_billing_accounts').where({ id }).update({ ...fields, updated_at: at });
}

export async function deleteAccount(trx: Knex.Transaction, id: number): Promise<void> {
  await trx('core_billing_account_services').where({ billing_account_id: id }).delete();
  await trx('core_billing_accounts').where({ id }).delete();
}

export async function countAccounts(db: Q, clientId: number): Promise<number> {
  const [{ n }] = (await db('core_billing_accounts').where({ client_id: clientId }).count({ n: '*' })) as [{ n: number | string }];
  return Number(n);
}

/** Makes `accountId` the client's only default account (or none when null). */
export async function setDefaultAccount(trx: Knex.Transaction, clientId: number, accountId: number | null, at: string): Promise<void> {
  await trx('core_billing_accounts').where({ client_id: clientId, is_default: true }).whereNot({ id: accountId ?? 0 }).update({ is_default: false, updated_at: at });
  if (accountId !== null) await trx('core_billing_accounts').where({ id: accountId, client_id: clientId }).update({ is_default: true, updated_at: at });
}

export async function defaultAccount(db: Q, clientId: number): Promise<BillingAccountRow | undefined> {
  const row = (await db('core_billing_accounts').where({ client_id: clientId, is_default: true }).first()) as BillingAccountRow | undefined;
  return row ? normalize(row) : undefined;
}

export async function accountServiceIds(db: Q, accountId: number): Promise<number[]> {
  const rows = (await db('core_billing_account_services').where({ billing_account_id: accountId }).orderBy('service_id').select('service_id')) as { service_id: number }[];
  return rows.map((r) => Number(r.service_id));
}

/** The services of a client (top-level and add-ons) with the account paying for each. */
export async function payableServices(db: Q, clientId: number): Promise<PayableServiceRow[]> {
  const rows = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .leftJoin('core_billing_account_services as bas', 'bas.service_id', 's.id')
    .where('s.client_id', clientId)
    .orderBy('s.id')
    .select('s.id', 's.label', 's.status', 'p.name as package_name', 'bas.billing_account_id')) as PayableServiceRow[];
  return rows.map((r) => ({ ...r, id: Number(r.id), billing_account_id: r.billing_account_id === null ? null : Number(r.billing_account_id) }));
}

/** Which of `serviceIds` belong to the client. */
export async function clientServiceIds(db: Q, clientId: number, serviceIds: number[]): Promise<Set<number>> {
  if (!serviceIds.length) return new Set();
  const rows = (await db('core_services').where({ client_id: clientId }).whereIn('id', serviceIds).select('id')) as { id: number }[];
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * The account pays for exactly `serviceIds` afterwards: others it paid for are released, and a
 * service another account paid for moves to this one (a service has at most one paying account).
 */
export async function replaceAccountServices(trx: Knex.Transaction, accountId: number, serviceIds: number[]): Promise<void> {
  const q = trx('core_billing_account_services').where({ billing_account_id: accountId });
  if (serviceIds.length) q.whereNotIn('service_id', serviceIds);
  await q.delete();
  if (!serviceIds.length) return;
  await trx('core_billing_account_services').whereIn('service_id', serviceIds).whereNot({ billing_account_id: accountId }).delete();
  const have = new Set(await accountServiceIds(trx, accountId));
  const rows = serviceIds.filter((id) => !have.has(id)).map((service_id) => ({ billing_account_id: accountId, service_id }));
  if (rows.length) await trx('core_billing_account_services').insert(rows);
}

/**
 * Which of `clientIds` have a stored card (type card with sealed data): only those can be charged
 * unattended, so a renewal run asks the gateway for no one else. One query per IN_LIST_CHUNK clients.
 */
export async function clientsWithStoredCards(db: Q, clientIds: readonly number[]): Promise<Set<number>> {
  const out = new Set<number>();
  for (const ids of chunksOf(clientIds)) {
    const rows = (await db('core_billing_accounts').whereIn('client_id', ids).andWhere({ type: 'card' }).whereNotNull('sealed').distinct('client_id')) as { client_id: number }[];
    for (const r of rows) out.add(Number(r.client_id));
  }
  return out;
}

/** The account that pays for a service, if any (for auto-renewal from a stored method). */
export async function accountPayingFor(db: Q, serviceId: number): Promise<BillingAccountRow | undefined> {
  const row = (await db('core_billing_accounts as a')
    .join('core_billing_account_services as bas', 'bas.billing_account_id', 'a.id')
    .where('bas.service_id', serviceId)
    .first('a.*')) as BillingAccountRow | undefined;
  return row ? normalize(row) : undefined;
}

export async function clientContacts(db: Q, clientId: number): Promise<{ id: number; first_name: string; last_name: string; email: string; is_primary: boolean }[]> {
  const rows = (await db('core_contacts').where({ client_id: clientId }).orderBy([{ column: 'is_primary', order: 'desc' }, { column: 'id' }]).select('id', 'first_name', 'last_name', 'email', 'is_primary')) as {
    id: number;
    first_name: string;
    last_name: string;
    email: string;
    is_primary: boolean;
  }[];
  return rows.map((r) => ({ ...r, id: Number(r.id), is_primary: bool(r.is_primary) }));
}

export async function clientExists(db: Q, clientId: number): Promise<{ id: number; name: string; company: string; kind: string } | undefined> {
  return (await db('core_clients').where({ id: clientId }).first('id', 'name', 'company', 'kind')) as { id: number; name: string; company: string; kind: string } | undefined;
}

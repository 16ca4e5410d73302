// All SQL for clients, contacts, their login users, search terms and credit-ledger reads.
import type { Knex } from 'knex';
import { bool } from '../../db/time.ts';

/** A database handle or a transaction: reads take either, writes are always handed the transaction. */
export type Queryable = Knex | Knex.Transaction;

export const CLIENT_KINDS = ['person', 'company'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];
export const CLIENT_STATUSES = ['active', 'suspended', 'closed'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];
export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export const EMAIL_FORMATS = ['html', 'text'] as const;
export type EmailFormat = (typeof EMAIL_FORMATS)[number];
/** The kinds of e-mail a contact can choose to receive (seed 003 "Email Actions"). */
export const EMAIL_ACTIONS = ['invoices', 'payment_receipts', 'service_notices', 'support_replies', 'marketing'] as const;
export type EmailAction = (typeof EMAIL_ACTIONS)[number];
/** What a contact's login may do in the client area; stored as the login user's role. */
export const CONTACT_PERMISSIONS = ['all', 'billing', 'technical'] as const;
export type ContactPermission = (typeof CONTACT_PERMISSIONS)[number];
/**
 * The role of the primary contact's login: the account owner, who may use everything and is the only
 * one who manages contacts and their logins. Other logins carry their contact's permissions as role.
 */
export const OWNER_ROLE = 'owner';

export interface ClientRow {
  id: number;
  kind: ClientKind;
  name: string;
  company: string;
  email: string;
  country: string;
  currency: string;
  language: string;
  status: ClientStatus;
  /** Credit, in minor units of `currency`. */
  balance: number;
  tax_exempt: boolean;
  vat_number: string;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface ContactRow {
  id: number;
  client_id: number;
  is_primary: boolean;
  company: string;
  first_name: string;
  last_name: string;
  email: string;
  address1: string;
  address2: string;
  city: string;
  state: string;
  county: string;
  zip: string;
  country: string;
  phone: string;
  phone2: string;
  fax: string;
  mobile: string;
  language: string;
  email_format: EmailFormat;
  email_actions: EmailAction[];
  user_id: number | null;
  permissions: ContactPermission;
  created_at: string;
  updated_at: string;
}

/** A login user of a client, with the contact it belongs to (if any). */
export interface ClientUserRow {
  id: number;
  email: string;
  name: string;
  role: string | null;
  status: 'active' | 'suspended';
  last_login_at: string | null;
  created_at: string;
  contact_id: number | null;
  contact_first_name: string | null;
  contact_last_name: string | null;
}

export interface LedgerRow {
  id: number;
  client_id: number;
  at: string;
  amount: number;
  currency: string;
  balance_after: number;
  kind: string;
  invoice_id: number | null;
  transaction_id: number | null;
  note: string;
  actor: string;
}

export interface CurrencyRow {
  code: string;
  name: string;
  minor_units: number;
}

/** knex hands back `[{ id }]` on PostgreSQL and, depending on the driver, `[id]` or `[{ id }]` on SQLite. */
function insertedId(row: unknown): number {
  return Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);
}

function toClient(r: Record<string, unknown>): ClientRow {
  return { ...(r as unknown as ClientRow), balance: Number(r.balance), tax_exempt: bool(r.tax_exempt) };
}

export function parseEmailActions(raw: unknown): EmailAction[] {
  if (typeof raw !== 'string') return [];
  try {
    const list = JSON.parse(raw) as unknown;
    return Array.isArray(list) ? EMAIL_ACTIONS.filter((a) => list.includes(a)) : [];
  } catch {
    return [];
  }
}

function toContact(r: Record<string, unknown>): ContactRow {
  return { ...(r as unknown as ContactRow), is_primary: bool(r.is_primary), email_actions: parseEmailActions(r.email_actions) };
}

/* ---------- clients ---------- */

export async function findClient(db: Queryable, id: number): Promise<ClientRow | undefined> {
  if (!Number.isSafeInteger(id)) return undefined;
  const row = (await db('core_clients').where({ id }).first()) as Record<string, unknown> | undefined;
  return row ? toClient(row) : undefined;
}

export type ClientColumns = Omit<ClientRow, 'id' | 'balance' | 'created_at' | 'updated_at'>;

export async function insertClient(trx: Knex.Transaction, fields: ClientColumns, at: string): Promise<number> {
  const [row] = await trx('core_clients').insert({ ...fields, balance: 0, created_at: at, updated_at: at }).returning('id');
  return insertedId(row);
}

export async function updateClient(trx: Knex.Transaction, id: number, fields: Partial<ClientColumns>, at: string): Promise<void> {
  await trx('core_clients').where({ id }).update({ ...fields, updated_at: at });
}

/**
 * Takes the client's row lock for the rest of the transaction (PostgreSQL row lock; SQLite's
 * BEGIN IMMEDIATE already serialises writers), so two staff changing the same client's contacts
 * at once cannot leave it with two primary contacts or none. False when the client does not exist.
 */
export async function lockClient(trx: Knex.Transaction, clientId: number, at: string): Promise<boolean> {
  return (await trx('core_clients').where({ id: clientId }).update({ updated_at: at })) === 1;
}

/** The next code point after the last one: every string starting with `prefix` sorts below it in binary order. */
function prefixUpperBound(prefix: string): string {
  const chars = [...prefix];
  const last = chars.pop()!;
  return chars.join('') + String.fromCodePoint(last.codePointAt(0)! + 1);
}

/**
 * Words of names, companies and e-mail addresses, lower-cased, for the search index. An e-mail
 * address is a term of its own as well, so "ivan@ex" finds it; its parts are words like any other.
 */
export function searchTerms(...texts: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    const lower = text.toLowerCase();
    for (const m of lower.matchAll(/[^\s,;<>()"']+@[^\s,;<>()"']+/g)) out.add(m[0]);
    for (const w of lower.split(/[^\p{L}\p{N}]+/u)) if (w) out.add(w);
  }
  return [...out].map((t) => t.slice(0, 100)).filter((t, i, all) => all.indexOf(t) === i);
}

/** How a search box's text becomes prefixes: e-mail addresses stay whole, everything else splits into words. */
export function searchWords(query: string): string[] {
  const words: string[] = [];
  for (const token of query.toLowerCase().trim().split(/\s+/)) {
    if (!token) continue;
    if (token.includes('@')) words.push(token.slice(0, 100));
    else for (const w of token.split(/[^\p{L}\p{N}]+/u)) if (w) words.push(w.slice(0, 100));
  }
  return [...new Set(words)].slice(0, 5);
}

/** Replaces the search terms of a client from its own fields and its contacts'. */
export async function rebuildSearchTerms(trx: Knex.Transaction, clientId: number): Promise<void> {
  const client = (await trx('core_clients').where({ id: clientId }).first('name', 'company', 'email', 'vat_number')) as
    | { name: string; company: string; email: string; vat_number: string }
    | undefined;
  await trx('core_client_search').where({ client_id: clientId }).delete();
  if (!client) return;
  const contacts = (await trx('core_contacts').where({ client_id: clientId }).select('first_name', 'last_name', 'company', 'email')) as {
    first_name: string;
    last_name: string;
    company: string;
    email: string;
  }[];
  const terms = searchTerms(client.name, client.company, client.email, client.vat_number, ...contacts.flatMap((c) => [c.first_name, c.last_name, c.company, c.email]));
  for (let i = 0; i < terms.length; i += 100) {
    await trx('core_client_search').insert(terms.slice(i, i + 100).map((term) => ({ client_id: clientId, term })));
  }
}

/**
 * The admin list: filtered by status and by a search text, unsorted and unpaged (buildTable does
 * that). Each word must be the start of a word of the client's or a contact's name, company or
 * e-mail (an index range on core_client_search), or of the client's e-mail; digits also match the id.
 */
export function clientListQuery(db: Knex, filter: { search?: string; status?: ClientStatus }): Knex.QueryBuilder {
  const q = db('core_clients').select('id', 'kind', 'name', 'company', 'email', 'country', 'currency', 'status', 'balance', 'created_at');
  if (filter.status) q.where('status', filter.status);
  const search = filter.search?.trim() ?? '';
  const words = searchWords(search);
  const id = /^#?(\d{1,9})$/.exec(search)?.[1];
  if (words.length || id) {
    q.where((outer) => {
      outer.where((all) => {
        for (const word of words) {
          const hi = prefixUpperBound(word);
          all.where((w) => {
            w.whereIn(
              'id',
              db('core_client_search').select('client_id').where('term', '>=', word).andWhere('term', '<', hi)
                // Under a linguistic collation (PostgreSQL with en_US) the range can admit a few extra terms; this drops them.
                .andWhereRaw('substr(term, 1, ?) = ?', [[...word].length, word]),
            ).orWhere((e) => e.where('email', '>=', word).andWhere('email', '<', hi));
          });
        }
      });
      if (id) outer.orWhere('id', Number(id));
    });
  }
  return q;
}

/* ---------- currencies, invoices, services ---------- */

export async function activeCurrencies(db: Queryable): Promise<CurrencyRow[]> {
  return (await db('core_currencies').where({ active: true }).orderBy('code').select('code', 'name', 'minor_units')) as CurrencyRow[];
}

export async function isActiveCurrency(db: Queryable, code: string): Promise<boolean> {
  return Boolean(await db('core_currencies').where({ code, active: true }).first('code'));
}

/** Minor units of every currency (active or not: old ledger rows may use one that was switched off). */
export async function minorUnitsByCurrency(db: Queryable): Promise<Record<string, number>> {
  const rows = (await db('core_currencies').select('code', 'minor_units')) as { code: string; minor_units: number }[];
  return Object.fromEntries(rows.map((r) => [r.code, Number(r.minor_units)]));
}

export async function hasInvoicesOrServices(db: Queryable, clientId: number): Promise<{ invoices: boolean; services: boolean }> {
  const invoice = await db('core_invoices').where({ client_id: clientId }).first('id');
  const service = await db('core_services').where({ client_id: clientId }).first('id');
  return { invoices: Boolean(invoice), services: Boolean(service) };
}

/* ---------- contacts ---------- */

export type ContactColumns = Omit<ContactRow, 'id' | 'client_id' | 'is_primary' | 'user_id' | 'created_at' | 'updated_at'>;

function contactValues(fields: Partial<ContactColumns>): Record<string, unknown> {
  const { email_actions, ...rest } = fields;
  return email_actions === undefined ? rest : { ...rest, email_actions: JSON.stringify(email_actions) };
}

export async function listContacts(db: Queryable, clientId: number): Promise<ContactRow[]> {
  const rows = (await db('core_contacts').where({ client_id: clientId }).orderBy([{ column: 'is_primary', order: 'desc' }, { column: 'id' }])) as Record<string, unknown>[];
  return rows.map(toContact);
}

export async function findContact(db: Queryable, clientId: number, contactId: number): Promise<ContactRow | undefined> {
  if (!Number.isSafeInteger(contactId)) return undefined;
  const row = (await db('core_contacts').where({ id: contactId, client_id: clientId }).first()) as Record<string, unknown> | undefined;
  return row ? toContact(row) : undefined;
}

export async function findPrimaryContact(db: Queryable, clientId: number): Promise<ContactRow | undefined> {
  const row = (await db('core_contacts').where({ client_id: clientId, is_primary: true }).orderBy('id').first()) as Record<string, unknown> | undefined;
  return row ? toContact(row) : undefined;
}

export async function insertContact(trx: Knex.Transaction, clientId: number, fields: ContactColumns & { is_primary: boolean; user_id?: number | null }, at: string): Promise<number> {
  const [row] = await trx('core_contacts').insert({ ...contactValues(fields), client_id: clientId, created_at: at, updated_at: at }).returning('id');
  return insertedId(row);
}

export async function updateContact(trx: Knex.Transaction, clientId: number, contactId: number, fields: Partial<ContactColumns> & { user_id?: number | null }, at: string): Promise<void> {
  await trx('core_contacts').where({ id: contactId, client_id: clientId }).update({ ...contactValues(fields), updated_at: at });
}

export async function deleteContact(trx: Knex.Transaction, clientId: number, contactId: number): Promise<void> {
  await trx('core_contacts').where({ id: contactId, client_id: clientId }).delete();
}

/** Makes `contactId` the only primary contact of the client. */
export async function setPrimaryContact(trx: Knex.Transaction, clientId: number, contactId: number, at: string): Promise<void> {
  await trx('core_contacts').where({ client_id: clientId, is_primary: true }).whereNot({ id: contactId }).update({ is_primary: false, updated_at: at });
  await trx('core_contacts').where({ client_id: clientId, id: contactId }).update({ is_primary: true, updated_at: at });
}

/* ---------- login users of a client ---------- */

export async function listClientUsers(db: Queryable, clientId: number): Promise<ClientUserRow[]> {
  return (await clientUsersQuery(db, clientId).orderBy('u.id')) as ClientUserRow[];
}

/** A login user of this client (never another client's, never staff). */
export async function findClientUser(db: Queryable, clientId: number, userId: number): Promise<ClientUserRow | undefined> {
  if (!Number.isSafeInteger(userId)) return undefined;
  return (await clientUsersQuery(db, clientId).where('u.id', userId).first()) as ClientUserRow | undefined;
}

function clientUsersQuery(db: Queryable, clientId: number) {
  return db('core_users as u')
    .leftJoin('core_contacts as ct', 'ct.user_id', 'u.id')
    .where({ 'u.kind': 'client', 'u.client_id': clientId })
    .select(
      'u.id', 'u.email', 'u.name', 'u.role', 'u.status', 'u.last_login_at', 'u.created_at',
      'ct.id as contact_id', 'ct.first_name as contact_first_name', 'ct.last_name as contact_last_name',
    );
}

/** The id of the client login user with this e-mail address, other than `exceptUserId`. */
export async function clientLoginOwner(db: Queryable, email: string, exceptUserId: number | null): Promise<number | undefined> {
  const q = db('core_users').where({ kind: 'client', email });
  if (exceptUserId !== null) q.whereNot({ id: exceptUserId });
  const row = (await q.first('id')) as { id: number } | undefined;
  return row?.id;
}

export async function updateClientUser(
  trx: Knex.Transaction,
  clientId: number,
  userId: number,
  fields: { email?: string; name?: string; role?: string; password_hash?: string; status?: 'active' | 'suspended'; language?: string },
  at: string,
): Promise<void> {
  await trx('core_users').where({ id: userId, kind: 'client', client_id: clientId }).update({ ...fields, updated_at: at });
}

/** Ends every session of a client login user; returns how many. */
export async function endClientUserSessions(trx: Knex.Transaction, userId: number): Promise<number> {
  return trx('core_sessions').where({ user_id: userId }).delete();
}

/** Deletes a client's login user with its sessions, and unlinks it from its contact. */
export async function deleteClientUser(trx: Knex.Transaction, clientId: number, userId: number, at: string): Promise<void> {
  await trx('core_contacts').where({ client_id: clientId, user_id: userId }).update({ user_id: null, updated_at: at });
  await trx('core_sessions').where({ user_id: userId }).delete();
  await trx('core_users').where({ id: userId, kind: 'client', client_id: clientId }).delete();
}

/* ---------- credit ledger (written by the payments code; read here) ---------- */

export function ledgerQuery(db: Knex, clientId: number): Knex.QueryBuilder {
  return db('core_credit_ledger').where({ client_id: clientId }).select('id', 'client_id', 'at', 'amount', 'currency', 'balance_after', 'kind', 'invoice_id', 'transaction_id', 'note', 'actor');
}

export async function recentLedger(db: Queryable, clientId: number, limit: number): Promise<LedgerRow[]> {
  const rows = (await db('core_credit_ledger').where({ client_id: clientId }).orderBy('id', 'desc').limit(limit)) as LedgerRow[];
  return rows.map((r) => ({ ...r, amount: Number(r.amount), balance_after: Number(r.balance_after) }));
}

export async function countLedger(db: Queryable, clientId: number): Promise<number> {
  const [{ n }] = (await db('core_credit_ledger').where({ client_id: clientId }).count({ n: '*' })) as [{ n: number | string }];
  return Number(n);
}

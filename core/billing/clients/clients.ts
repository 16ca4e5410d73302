// Clients: create one with its primary contact (and optionally a login), edit, suspend, close, reactivate.
import type { Knex } from 'knex';
import { iso } from '../../db/time.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { LOGIN_TAKEN, contactColumns, createContactLogin, validateContact, validateLogin } from './contacts.ts';
import { audit, fail, isUniqueViolation, ok, type ClientDeps, type FieldErrors, type Outcome } from './outcome.ts';
import { clientEditSchema, clientSchema, issuesToFields, type ClientFields, type ClientInputFields, type ContactInputFields, type LoginInputFields } from './schemas.ts';
import {
  clientLoginOwner,
  findClient,
  findPrimaryContact,
  hasInvoicesOrServices,
  insertClient,
  insertContact,
  isActiveCurrency,
  rebuildSearchTerms,
  updateClient,
  type ClientRow,
  type ClientStatus,
  type ContactRow,
  type Queryable,
} from './store.ts';

export type { ClientRow, ClientStatus };

/** How staff and e-mails name a client: a company by its name, a person with their company if any. */
export function clientDisplayName(row: Pick<ClientRow, 'kind' | 'name' | 'company'>): string {
  if (row.kind === 'company' || !row.company || row.company === row.name) return row.name;
  return `${row.name} (${row.company})`;
}

export async function getClient(db: Queryable, id: number): Promise<ClientRow | undefined> {
  return findClient(db, id);
}

function clientColumns(v: ClientFields, email: string) {
  return {
    kind: v.kind,
    name: v.name,
    company: v.kind === 'company' && v.company === '' ? v.name : v.company,
    email,
    country: v.country,
    currency: v.currency,
    language: v.language,
    status: 'active' as const,
    tax_exempt: v.taxExempt,
    vat_number: v.vatNumber,
    notes: v.notes === '' ? null : v.notes,
  };
}

export interface NewClientInput {
  client: ClientInputFields;
  /** The primary contact. */
  contact: ContactInputFields;
  /** A login for the primary contact; omit, or leave loginEmail empty, for none. */
  login?: LoginInputFields | null;
}

/**
 * Creates a client with its primary contact, and a login for that contact when asked, in one
 * transaction. Every field is checked first (currency must be active, the login's user name free);
 * on any error nothing is written and the errors come back by form field name.
 *
 * @example
 * const r = await createClient(db, {
 *   client: { kind: 'person', country: 'DE', currency: 'EUR' },
 *   contact: { firstName: 'Anna', lastName: 'Berg', email: 'anna@example.test', country: 'DE', emailActions: ['invoices'] },
 * }, { clock, actor: { type: 'system', label: 'demo seed' } });
 * if (r.ok) console.log(r.value.clientId);
 */
export async function createClient(db: Knex, input: NewClientInput, deps: ClientDeps): Promise<Outcome<{ clientId: number; contactId: number; userId: number | null }>> {
  const errors: FieldErrors = {};
  const client = clientSchema.safeParse(input.client);
  if (!client.success) Object.assign(errors, issuesToFields(client.error));
  const contact = validateContact(input.contact);
  if (!contact.ok) for (const [k, v] of Object.entries(contact.errors)) errors[k] ??= v;
  const login = validateLogin(input.login ?? null, 'new');
  if (!login.ok) Object.assign(errors, login.errors);
  if (!client.success || !contact.ok || !login.ok) return fail(errors);

  const c = client.data;
  const person = contact.value;
  if (c.name === '') c.name = c.kind === 'company' ? c.company : `${person.firstName} ${person.lastName}`.trim();
  const passwordHash = login.value ? await hashPassword(login.value.password) : null;
  const at = iso(deps.clock.now());

  try {
    return await db.transaction(async (trx) => {
      const problems: FieldErrors = {};
      if (!(await isActiveCurrency(trx, c.currency))) problems.currency = `${c.currency} is not an active currency: choose one from the list`;
      if (login.value && (await clientLoginOwner(trx, login.value.loginEmail, null)) !== undefined) problems.loginEmail = LOGIN_TAKEN;
      if (Object.keys(problems).length) return fail(problems);

      const clientId = await insertClient(trx, clientColumns(c, person.email), at);
      const contactId = await insertContact(trx, clientId, { ...contactColumns(person), is_primary: true }, at);
      let userId: number | null = null;
      if (login.value && passwordHash) userId = await createContactLogin(trx, deps, { clientId, contactId, isPrimary: true, person, login: login.value, passwordHash });
      await rebuildSearchTerms(trx, clientId);
      await audit(trx, deps, 'client.created', clientId, { name: c.name, currency: c.currency, contactId, ...(userId ? { loginUserId: userId } : {}) });
      return ok({ clientId, contactId, userId });
    });
  } catch (err) {
    // Two people creating the same login at once: the unique key decides, the loser gets the field error.
    if (isUniqueViolation(err)) return fail({ loginEmail: LOGIN_TAKEN });
    throw err;
  }
}

/**
 * Saves the client's own fields (not its e-mail, which is its primary contact's). The currency
 * cannot change once the client has invoices, services or a non-zero balance: those amounts are
 * in the old currency.
 */
export async function updateClientDetails(db: Knex, clientId: number, input: ClientInputFields, deps: ClientDeps): Promise<Outcome<{ changed: string[] }>> {
  const parsed = clientEditSchema.safeParse(input);
  if (!parsed.success) return fail(issuesToFields(parsed.error));
  const v = parsed.data;
  const at = iso(deps.clock.now());
  return db.transaction(async (trx) => {
    const current = await findClient(trx, clientId);
    if (!current) return fail({ _form: `Client #${clientId} does not exist.` });
    if (v.currency !== current.currency) {
      if (!(await isActiveCurrency(trx, v.currency))) return fail({ currency: `${v.currency} is not an active currency: choose one from the list` });
      const used = await hasInvoicesOrServices(trx, clientId);
      const why = used.invoices ? 'it already has invoices' : used.services ? 'it already has services' : current.balance !== 0 ? 'its credit balance is not zero' : null;
      if (why) return fail({ currency: `The currency cannot change because ${why} in ${current.currency}.` });
    }
    const next = clientColumns(v, current.email);
    const fields = { kind: next.kind, name: next.name, company: next.company, country: next.country, currency: next.currency, language: next.language, tax_exempt: next.tax_exempt, vat_number: next.vat_number, notes: next.notes };
    const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter((k) => (fields[k] ?? null) !== (current[k] ?? null));
    if (changed.length === 0) return ok({ changed });
    await updateClient(trx, clientId, fields, at);
    await rebuildSearchTerms(trx, clientId);
    await audit(trx, deps, 'client.updated', clientId, { changed, ...(changed.includes('currency') ? { currencyFrom: current.currency, currencyTo: v.currency } : {}) });
    return ok({ changed });
  });
}

const STATUS_ACTIONS: Record<ClientStatus, string> = { active: 'client.reactivated', suspended: 'client.suspended', closed: 'client.closed' };

/**
 * Suspends, closes or reactivates a client. Its login users keep their own status: a suspended
 * client can still sign in to pay. Services are not touched here; their module listens for the
 * change or asks for the status.
 */
export async function setClientStatus(db: Knex, clientId: number, status: ClientStatus, deps: ClientDeps, reason = ''): Promise<Outcome<{ from: ClientStatus; to: ClientStatus }>> {
  const at = iso(deps.clock.now());
  return db.transaction(async (trx) => {
    const current = await findClient(trx, clientId);
    if (!current) return fail({ _form: `Client #${clientId} does not exist.` });
    if (current.status === status) return fail({ _form: `The client is already ${status}.` });
    // Compare-and-set: two staff clicking at once change it once.
    const changed = await trx('core_clients').where({ id: clientId, status: current.status }).update({ status, updated_at: at });
    if (changed !== 1) return fail({ _form: 'The client was changed by someone else meanwhile; reload and try again.' });
    await audit(trx, deps, STATUS_ACTIONS[status], clientId, { from: current.status, to: status, ...(reason ? { reason: reason.slice(0, 500) } : {}) });
    return ok({ from: current.status, to: status });
  });
}

export async function getPrimaryContact(db: Queryable, clientId: number): Promise<ContactRow | undefined> {
  return findPrimaryContact(db, clientId);
}

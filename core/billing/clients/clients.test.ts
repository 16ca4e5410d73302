// Clients, contacts and their logins as domain functions: validation, one transaction, the invariants.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { ManualClock } from '../../clock.ts';
import { verifyPassword } from '../../auth/passwords.ts';
import {
  addContact,
  clientDisplayName,
  clientUsers,
  contactsReceiving,
  createClient,
  getClient,
  getPrimaryContact,
  listContacts,
  makePrimaryContact,
  removeContact,
  removeContactLogin,
  resetClientUserPassword,
  setClientStatus,
  setClientUserStatus,
  updateClientDetails,
  updateContactDetails,
  type ClientDeps,
  type NewClientInput,
} from './index.ts';
import { searchTerms, searchWords } from './store.ts';

let t: TestDb;
let db: Knex;
const clock = new ManualClock('2026-03-02T09:00:00Z');
const deps: ClientDeps = { clock, actor: { type: 'staff', id: 1, label: 'boss@example.test', ip: '127.0.0.1' } };

beforeEach(async () => {
  t = await createMigratedTestDb();
  db = t.db;
});
afterEach(async () => {
  await t?.destroy();
});

const anna = (over: Partial<NewClientInput['contact']> = {}): NewClientInput['contact'] => ({
  firstName: 'Anna', lastName: 'Berg', email: 'Anna.Berg@Example.test', country: 'DE', emailActions: ['invoices', 'service_notices'], ...over,
});

async function counts() {
  const out: Record<string, number> = {};
  for (const table of ['core_clients', 'core_contacts', 'core_users', 'core_client_search', 'core_audit_log', 'core_sessions']) {
    const [{ n }] = (await db(table).count({ n: '*' })) as [{ n: number | string }];
    out[table] = Number(n);
  }
  return out;
}

async function newClient(input: Partial<NewClientInput> = {}) {
  const r = await createClient(db, { client: { country: 'DE', currency: 'USD' }, contact: anna(), ...input }, deps);
  if (!r.ok) throw new Error(`createClient failed: ${JSON.stringify(r.errors)}`);
  return r.value;
}

async function addEur() {
  await db('core_currencies').insert({ code: 'EUR', name: 'Euro', symbol: '€', minor_units: 2, rate_to_base: 1_080_000, is_base: false, active: true, updated_at: '2026-03-01T00:00:00.000Z' });
}

describe('creating a client', () => {
  it('creates the client and its primary contact together, named after the person', async () => {
    const { clientId, contactId, userId } = await newClient();
    expect(userId).toBeNull();
    const client = await getClient(db, clientId);
    expect(client).toMatchObject({ kind: 'person', name: 'Anna Berg', email: 'anna.berg@example.test', country: 'DE', currency: 'USD', status: 'active', balance: 0, tax_exempt: false });
    const primary = await getPrimaryContact(db, clientId);
    expect(primary).toMatchObject({ id: contactId, is_primary: true, first_name: 'Anna', email: 'anna.berg@example.test', email_format: 'html', email_actions: ['invoices', 'service_notices'] });
    const audit = await db('core_audit_log').where({ action: 'client.created' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'staff', actor_label: 'boss@example.test', target: `client:${clientId}` });
  });

  it('names a company client after the company and shows a person with their company', async () => {
    const { clientId } = await newClient({ client: { kind: 'company', company: 'Acme Hosting GmbH', country: 'DE', currency: 'USD' } });
    const client = (await getClient(db, clientId))!;
    expect(client.name).toBe('Acme Hosting GmbH');
    expect(clientDisplayName(client)).toBe('Acme Hosting GmbH');
    expect(clientDisplayName({ kind: 'person', name: 'Anna Berg', company: 'Acme' })).toBe('Anna Berg (Acme)');
    const missing = await createClient(db, { client: { kind: 'company', country: 'DE', currency: 'USD' }, contact: anna() }, deps);
    expect(missing).toEqual({ ok: false, errors: { company: 'Enter the company name' } });
  });

  it('reports every bad field at once and writes nothing', async () => {
    const before = await counts();
    const r = await createClient(db, {
      client: { country: 'XX', currency: 'usd' },
      contact: anna({ email: 'not-an-address', country: 'XX', county: 'Kings', state: 'NY' }),
      login: { loginEmail: 'anna@example.test', password: 'short', confirm: 'other' },
    }, deps);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toMatchObject({
      country: 'Choose a country from the list',
      email: expect.stringMatching(/valid e-mail/),
      county: expect.stringMatching(/only for US addresses/),
      password: 'Use at least 10 characters',
      confirm: 'The two passwords do not match',
    });
    expect(await counts()).toEqual(before);
  });

  it('refuses a currency that is not active, and accepts one once the operator adds it', async () => {
    const before = await counts();
    const r = await createClient(db, { client: { country: 'DE', currency: 'EUR' }, contact: anna() }, deps);
    expect(r).toEqual({ ok: false, errors: { currency: 'EUR is not an active currency: choose one from the list' } });
    expect(await counts()).toEqual(before);
    await addEur();
    const { clientId } = await newClient({ client: { country: 'DE', currency: 'EUR' } });
    expect((await getClient(db, clientId))!.currency).toBe('EUR');
  });

  it('allows a county only with a two-letter US state, and stores the state upper-case', async () => {
    const german = await createClient(db, { client: { country: 'DE', currency: 'USD' }, contact: anna({ state: 'Bayern', county: 'Kings' }) }, deps);
    expect(german.ok || german.errors.county).toMatch(/only for US addresses/);
    const noState = await createClient(db, { client: { country: 'US', currency: 'USD' }, contact: anna({ country: 'US', state: 'New York', county: 'Kings' }) }, deps);
    expect(noState.ok || noState.errors.county).toMatch(/two-letter US state code/);
    const { clientId } = await newClient({ client: { country: 'US', currency: 'USD' }, contact: anna({ country: 'US', state: 'ny', county: 'Kings' }) });
    expect(await getPrimaryContact(db, clientId)).toMatchObject({ state: 'NY', county: 'Kings', country: 'US' });
  });

  it('gives the primary contact a login as the account owner, in the contact\'s language', async () => {
    const { clientId, contactId, userId } = await newClient({ contact: anna({ permissions: 'billing', language: 'ru' }), login: { loginEmail: 'Anna@Example.test', password: 'a long passphrase', confirm: 'a long passphrase' } });
    const user = await db('core_users').where({ id: userId! }).first();
    expect(user).toMatchObject({ kind: 'client', email: 'anna@example.test', role: 'owner', language: 'ru', client_id: clientId, status: 'active', name: 'Anna Berg' });
    expect(await verifyPassword(user.password_hash, 'a long passphrase')).toBe(true);
    expect((await getPrimaryContact(db, clientId))!.user_id).toBe(userId);
    expect(contactId).toBeGreaterThan(0);

    const before = await counts();
    const again = await createClient(db, { client: { country: 'DE', currency: 'USD' }, contact: anna(), login: { loginEmail: 'anna@example.test', password: 'another passphrase' } }, deps);
    expect(again.ok || again.errors.loginEmail).toMatch(/already uses this user name/);
    expect(await counts()).toEqual(before);
  });

  it('wants a user name when a password is given, and a password when a user name is', async () => {
    const noName = await createClient(db, { client: { country: 'DE', currency: 'USD' }, contact: anna(), login: { loginEmail: '', password: 'a long passphrase' } }, deps);
    expect(noName.ok || noName.errors.loginEmail).toMatch(/Enter a user name/);
    const noPassword = await createClient(db, { client: { country: 'DE', currency: 'USD' }, contact: anna(), login: { loginEmail: 'anna@example.test', password: '' } }, deps);
    expect(noPassword.ok || noPassword.errors.password).toMatch(/Enter a password/);
  });
});

describe('editing a client', () => {
  it('changes the currency only while there are no invoices, services or credit', async () => {
    await addEur();
    const { clientId } = await newClient();
    const base = { name: 'Anna Berg', country: 'DE', currency: 'EUR' };
    const free = await updateClientDetails(db, clientId, base, deps);
    expect(free).toEqual({ ok: true, value: { changed: ['currency'] } });

    await db('core_clients').where({ id: clientId }).update({ balance: 500 });
    const withCredit = await updateClientDetails(db, clientId, { ...base, currency: 'USD' }, deps);
    expect(withCredit.ok || withCredit.errors.currency).toMatch(/credit balance is not zero/);
    await db('core_clients').where({ id: clientId }).update({ balance: 0 });

    await db('core_invoices').insert({ number: 'INV-1', client_id: clientId, kind: 'manual', status: 'unpaid', currency: 'EUR', subtotal: 1000, total: 1000, entered_on: '2026-03-02', due_on: '2026-03-09', created_at: '2026-03-02T09:00:00.000Z', updated_at: '2026-03-02T09:00:00.000Z' });
    const withInvoice = await updateClientDetails(db, clientId, { ...base, currency: 'USD' }, deps);
    expect(withInvoice.ok || withInvoice.errors.currency).toMatch(/already has invoices in EUR/);
    expect((await getClient(db, clientId))!.currency).toBe('EUR');

    const other = await updateClientDetails(db, clientId, { ...base, name: 'Anna B.', taxExempt: true, vatNumber: 'de 123 456 789' }, deps);
    expect(other).toEqual({ ok: true, value: { changed: ['name', 'tax_exempt', 'vat_number'] } });
    expect(await getClient(db, clientId)).toMatchObject({ name: 'Anna B.', tax_exempt: true, vat_number: 'DE123456789' });
  });

  it('suspends, closes and reactivates with an audit record for each, and refuses a no-op', async () => {
    const { clientId } = await newClient();
    expect(await setClientStatus(db, clientId, 'suspended', deps)).toEqual({ ok: true, value: { from: 'active', to: 'suspended' } });
    expect(await setClientStatus(db, clientId, 'closed', deps)).toEqual({ ok: true, value: { from: 'suspended', to: 'closed' } });
    expect((await setClientStatus(db, clientId, 'closed', deps)).ok).toBe(false);
    expect(await setClientStatus(db, clientId, 'active', deps)).toEqual({ ok: true, value: { from: 'closed', to: 'active' } });
    const actions = (await db('core_audit_log').where('action', 'like', 'client.%').orderBy('id')).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['client.created', 'client.suspended', 'client.closed', 'client.reactivated']);
  });
});

describe('contacts', () => {
  it('keeps exactly one primary contact, which cannot be deleted, and the client e-mail follows it', async () => {
    const { clientId, contactId } = await newClient();
    const added = await addContact(db, clientId, { contact: anna({ firstName: 'Boris', lastName: 'Ivanov', email: 'boris@example.test' }) }, deps);
    if (!added.ok) throw new Error('addContact failed');
    const refused = await removeContact(db, clientId, contactId, deps);
    expect(refused.ok || refused.errors._form).toMatch(/primary contact cannot be deleted/);

    expect((await makePrimaryContact(db, clientId, added.value.contactId, deps)).ok).toBe(true);
    const primaries = (await listContacts(db, clientId)).filter((c) => c.is_primary);
    expect(primaries.map((c) => c.id)).toEqual([added.value.contactId]);
    expect((await getClient(db, clientId))!.email).toBe('boris@example.test');

    expect((await removeContact(db, clientId, contactId, deps)).ok).toBe(true);
    expect((await listContacts(db, clientId)).map((c) => c.id)).toEqual([added.value.contactId]);

    const edited = await updateContactDetails(db, clientId, added.value.contactId, { contact: anna({ firstName: 'Boris', lastName: 'Ivanov', email: 'b.ivanov@example.test' }) }, deps);
    expect(edited.ok).toBe(true);
    expect((await getClient(db, clientId))!.email).toBe('b.ivanov@example.test');
  });

  it('moves the owner role with the primary contact; the previous owner keeps its contact permissions', async () => {
    const login = (email: string) => ({ loginEmail: email, password: 'a long passphrase', confirm: 'a long passphrase' });
    const { clientId, contactId, userId } = await newClient({ contact: anna({ email: 'own@example.test', permissions: 'billing' }), login: login('own@example.test') });
    const added = await addContact(db, clientId, { contact: anna({ email: 'tech@example.test', permissions: 'technical', language: 'ru' }), login: login('tech@example.test') }, deps);
    if (!added.ok) throw new Error(JSON.stringify(added.errors));
    const roleOf = async (id: number) => ((await db('core_users').where({ id }).first('role', 'language')) as { role: string; language: string });
    expect(await roleOf(added.value.userId!)).toEqual({ role: 'technical', language: 'ru' });

    expect((await makePrimaryContact(db, clientId, added.value.contactId, deps)).ok).toBe(true);
    expect((await roleOf(added.value.userId!)).role).toBe('owner');
    expect((await roleOf(userId!)).role).toBe('billing');
    // Editing the primary contact keeps its login the owner's, whatever permissions the form carries.
    await updateContactDetails(db, clientId, added.value.contactId, { contact: anna({ email: 'tech@example.test', permissions: 'technical', language: 'en' }) }, deps);
    expect(await roleOf(added.value.userId!)).toEqual({ role: 'owner', language: 'en' });
    expect(contactId).toBeGreaterThan(0);
  });

  it('makes the logins of existing primary contacts the owner\'s (migration 20261122003300), and back', async () => {
    const login = (email: string) => ({ loginEmail: email, password: 'a long passphrase', confirm: 'a long passphrase' });
    const { clientId, userId } = await newClient({ contact: anna({ email: 'old@example.test', permissions: 'billing' }), login: login('old@example.test') });
    const other = await addContact(db, clientId, { contact: anna({ email: 'tech@example.test', permissions: 'technical' }), login: login('tech@example.test') }, deps);
    if (!other.ok) throw new Error(JSON.stringify(other.errors));
    // As logins were made before the owner role existed.
    await db('core_users').where({ id: userId! }).update({ role: 'billing' });
    const migration = await import('../../../migrations/20261122003300_primary_login_owner.ts');
    await migration.up(db);
    const roles = async () => Object.fromEntries(((await db('core_users').whereIn('id', [userId!, other.value.userId!]).select('id', 'role')) as { id: number; role: string }[]).map((u) => [Number(u.id), u.role]));
    expect(await roles()).toEqual({ [userId!]: 'owner', [other.value.userId!]: 'technical' });
    await migration.down(db);
    expect(await roles()).toEqual({ [userId!]: 'billing', [other.value.userId!]: 'technical' });
  });

  it('never touches a contact of another client', async () => {
    const a = await newClient();
    const b = await newClient({ contact: anna({ email: 'other@example.test' }) });
    const other = await addContact(db, b.clientId, { contact: anna({ email: 'second@example.test' }) }, deps);
    if (!other.ok) throw new Error('addContact failed');
    expect((await removeContact(db, a.clientId, other.value.contactId, deps)).ok).toBe(false);
    expect((await updateContactDetails(db, a.clientId, other.value.contactId, { contact: anna() }, deps)).ok).toBe(false);
    expect(await listContacts(db, b.clientId)).toHaveLength(2);
  });

  it('tells who receives which e-mail, with format and language, primary first and once per address', async () => {
    const { clientId } = await newClient({ contact: anna({ emailActions: ['invoices'] }) });
    await addContact(db, clientId, { contact: anna({ firstName: 'Tech', lastName: 'Person', email: 'tech@example.test', emailFormat: 'text', language: 'ru', emailActions: ['service_notices', 'support_replies'] }) }, deps);
    await addContact(db, clientId, { contact: anna({ firstName: 'Books', lastName: 'Keeper', email: 'books@example.test', emailActions: ['invoices', 'payment_receipts'] }) }, deps);
    await addContact(db, clientId, { contact: anna({ firstName: 'Same', lastName: 'Address', emailActions: ['invoices'] }) }, deps);

    const invoices = await contactsReceiving(db, clientId, 'invoices');
    expect(invoices.map((r) => [r.email, r.isPrimary])).toEqual([['anna.berg@example.test', true], ['books@example.test', false]]);
    const notices = await contactsReceiving(db, clientId, 'service_notices');
    expect(notices).toEqual([{ contactId: expect.any(Number), email: 'tech@example.test', name: 'Tech Person', format: 'text', language: 'ru', isPrimary: false }]);
    expect(await contactsReceiving(db, clientId, 'marketing')).toEqual([]);
  });

  it('gives a contact a login later, renames it, and takes it away with its sessions', async () => {
    const { clientId, contactId } = await newClient();
    const given = await updateContactDetails(db, clientId, contactId, { contact: anna(), login: { loginEmail: 'anna@login.test', password: 'a long passphrase', confirm: 'a long passphrase' } }, deps);
    if (!given.ok) throw new Error(JSON.stringify(given.errors));
    expect(given.value.loginCreated).toBe(true);
    const userId = given.value.userId!;
    await db('core_sessions').insert({ id: 'sess-1', user_id: userId, created_at: '2026-03-02T09:00:00.000Z', last_seen_at: '2026-03-02T09:00:00.000Z', expires_at: '2026-03-09T09:00:00.000Z' });

    const emptyName = await updateContactDetails(db, clientId, contactId, { contact: anna(), login: { loginEmail: '', password: '' } }, deps);
    expect(emptyName.ok || emptyName.errors.loginEmail).toMatch(/Remove login/);
    const renamed = await updateContactDetails(db, clientId, contactId, { contact: anna({ permissions: 'technical' }), login: { loginEmail: 'anna2@login.test', password: '' } }, deps);
    expect(renamed.ok && renamed.value.passwordChanged).toBe(false);
    // The primary contact's login stays the owner's: permissions limit the other contacts' logins only.
    expect(await db('core_users').where({ id: userId }).first()).toMatchObject({ email: 'anna2@login.test', role: 'owner' });
    expect(await db('core_sessions').where({ user_id: userId })).toHaveLength(1);

    expect((await removeContactLogin(db, clientId, contactId, deps)).ok).toBe(true);
    expect(await db('core_users').where({ id: userId }).first()).toBeUndefined();
    expect(await db('core_sessions').where({ user_id: userId })).toHaveLength(0);
    expect((await getPrimaryContact(db, clientId))!.user_id).toBeNull();
  });
});

describe('login users', () => {
  it('resets a password, ending every session of that login only', async () => {
    const { clientId, userId } = await newClient({ login: { loginEmail: 'anna@example.test', password: 'a long passphrase' } });
    const other = await newClient({ contact: anna({ email: 'x@example.test' }), login: { loginEmail: 'x@example.test', password: 'a long passphrase' } });
    for (const [id, user] of [['s1', userId], ['s2', userId], ['s3', other.userId]] as const) {
      await db('core_sessions').insert({ id, user_id: user!, created_at: '2026-03-02T09:00:00.000Z', last_seen_at: '2026-03-02T09:00:00.000Z', expires_at: '2026-03-09T09:00:00.000Z' });
    }
    const mismatch = await resetClientUserPassword(db, clientId, userId!, { password: 'new long password', confirm: 'something else' }, deps);
    expect(mismatch).toEqual({ ok: false, errors: { confirm: 'The two passwords do not match' } });
    expect((await resetClientUserPassword(db, clientId, other.userId!, { password: 'new long password' }, deps)).ok).toBe(false);

    expect(await resetClientUserPassword(db, clientId, userId!, { password: 'new long password', confirm: 'new long password' }, deps)).toEqual({ ok: true, value: { endedSessions: 2 } });
    const row = await db('core_users').where({ id: userId! }).first();
    expect(await verifyPassword(row.password_hash, 'new long password')).toBe(true);
    expect((await db('core_sessions').select('id')).map((r: { id: string }) => r.id)).toEqual(['s3']);
  });

  it('lists every login of the client and suspends and reactivates one', async () => {
    const { clientId, userId } = await newClient({ login: { loginEmail: 'anna@example.test', password: 'a long passphrase' } });
    await addContact(db, clientId, { contact: anna({ email: 'tech@example.test' }), login: { loginEmail: 'tech@example.test', password: 'a long passphrase' } }, deps);
    const users = await clientUsers(db, clientId);
    expect(users.map((u) => [u.email, u.contact_first_name])).toEqual([['anna@example.test', 'Anna'], ['tech@example.test', 'Anna']]);
    expect((await setClientUserStatus(db, clientId, userId!, 'suspended', deps)).ok).toBe(true);
    expect((await db('core_users').where({ id: userId! }).first()).status).toBe('suspended');
    expect((await setClientUserStatus(db, clientId, userId!, 'suspended', deps)).ok).toBe(false);
    expect((await setClientUserStatus(db, clientId, userId!, 'active', deps)).ok).toBe(true);
  });
});

describe('search terms', () => {
  it('splits names into lower-case words and keeps e-mail addresses whole too', () => {
    expect(searchTerms('Ivan O’Brien-Petrov', 'ivan.petrov@Example.com')).toEqual(['ivan', 'o', 'brien', 'petrov', 'ivan.petrov@example.com', 'example', 'com']);
    expect(searchWords('  Ivan  pet ')).toEqual(['ivan', 'pet']);
    expect(searchWords('IVAN@ex')).toEqual(['ivan@ex']);
    expect(searchWords("o'brien")).toEqual(['o', 'brien']);
  });
});

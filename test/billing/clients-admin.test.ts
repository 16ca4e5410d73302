// The client admin pages as staff use them: list and search, the new-client form, contacts, logins, status.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { createClient, type NewClientInput } from '../../core/billing/clients/index.ts';
import { EMAIL_ACTIONS } from '../../core/billing/clients/store.ts';

let t: TestApp;
afterEach(async () => {
  await t?.destroy();
});

const system = () => ({ clock: t.clock, actor: { type: 'system' as const, label: 'test' } });

async function seedClient(first: string, last: string, email: string, extra: Partial<NewClientInput> = {}): Promise<number> {
  const r = await createClient(t.services.db, { client: { country: 'DE', currency: 'USD' }, contact: { firstName: first, lastName: last, email, country: 'DE', emailActions: ['invoices'] }, ...extra }, system());
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value.clientId;
}

async function staff(role = 'admin'): Promise<Agent> {
  await t.createUser('staff', `${role}@staff.test`, { role });
  const agent = t.agent();
  await agent.login('staff', `${role}@staff.test`);
  return agent;
}

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['core_clients', 'core_contacts', 'core_users', 'core_client_search', 'core_audit_log', 'core_sessions']) {
    const [{ n }] = (await t.services.db(table).count({ n: '*' })) as [{ n: number | string }];
    out[table] = Number(n);
  }
  return out;
}

const newClientForm = (over: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  kind: 'person', company: '', firstName: 'Olga', lastName: 'Smirnova', email: 'olga@example.test',
  address1: '1 Main St', city: 'Brooklyn', state: 'NY', county: 'Kings', zip: '11201', country: 'US', phone: '+1 555 0100',
  currency: 'USD', language: 'en', emailFormat: 'html', emailActions: ['invoices', 'service_notices'], permissions: 'all',
  loginEmail: '', password: '', confirm: '', ...over,
});

const rowsText = (page: Awaited<ReturnType<Agent['get']>>, col: number) =>
  page.$('#clients-table tbody tr').map((_, tr) => page.$(tr).find('td').eq(col).text().trim()).get();

describe('the client list', () => {
  it('searches by the start of names, companies and e-mail addresses and filters by status', async () => {
    t = await createTestApp();
    const admin = await staff();
    const zoe = await seedClient('Zoe', 'Adams', 'zoe@alpha.test');
    await seedClient('Boris', 'Ivanov', 'boris@example.test', { client: { kind: 'company', company: 'Northwind Traders', country: 'DE', currency: 'USD' } });
    await seedClient('Anna', 'Berg', 'anna@example.test');
    await t.services.db('core_clients').where({ id: zoe }).update({ status: 'suspended' });

    const all = await admin.get('/admin/clients');
    expect(all.status).toBe(200);
    expect(rowsText(all, 1)).toEqual(['Anna Berg', 'Northwind Traders', 'Zoe Adams']);
    expect(rowsText((await admin.get('/admin/clients?q=north')), 1)).toEqual(['Northwind Traders']);
    expect(rowsText((await admin.get('/admin/clients?q=ivan')), 1)).toEqual(['Northwind Traders']); // a contact's last name
    expect(rowsText((await admin.get('/admin/clients?q=ZOE%40alp')), 1)).toEqual(['Zoe Adams']);
    expect(rowsText((await admin.get('/admin/clients?q=anna+berg')), 1)).toEqual(['Anna Berg']);
    expect(rowsText((await admin.get(`/admin/clients?q=%23${zoe}`)), 1)).toEqual(['Zoe Adams']);
    expect((await admin.get('/admin/clients?q=nobody')).$('#clients-table td.empty').text()).toMatch(/No clients match/);
    const suspended = await admin.get('/admin/clients?status=suspended');
    expect(rowsText(suspended, 1)).toEqual(['Zoe Adams']);
    expect(suspended.$('#client-status option[selected]').attr('value')).toBe('suspended');
  });

  it('sorts and pages with plain links that keep the search, and answers htmx with the table alone', async () => {
    t = await createTestApp();
    const admin = await staff();
    for (let i = 0; i < 27; i++) await seedClient(`Person${String(i).padStart(2, '0')}`, 'Example', `p${i}@example.test`);
    await seedClient('Aaron', 'Other', 'aaron@other.test');

    const searched = await admin.get('/admin/clients?q=example');
    expect(searched.$('.page-info').text()).toMatch(/Page 1 of 2 · 27 in all/);
    const byName = searched.$('#clients-table th a').filter((_, a) => searched.$(a).text().includes('Name'));
    expect(byName.attr('href')).toBe('/admin/clients?q=example&sort=name&dir=asc');
    expect(byName.attr('hx-get')).toBe('/admin/clients?q=example&sort=name&dir=asc');

    const sorted = await admin.get(byName.attr('href')!);
    expect(rowsText(sorted, 1).slice(0, 3)).toEqual(['Person00 Example', 'Person01 Example', 'Person02 Example']);
    const next = sorted.$('a[rel="next"]').attr('href')!;
    expect(next).toBe('/admin/clients?q=example&sort=name&dir=asc&page=2');
    expect(rowsText(await admin.get(next), 1)).toEqual(['Person25 Example', 'Person26 Example']);
    const desc = await admin.get('/admin/clients?q=example&sort=name&dir=desc');
    expect(rowsText(desc, 1)[0]).toBe('Person26 Example');
    // The search form keeps the chosen order.
    expect(sorted.$('form.client-search input[name="sort"]').attr('value')).toBe('name');

    const fragment = await admin.get('/admin/clients?sort=name&dir=asc', { 'hx-request': 'true' });
    expect(fragment.html).not.toMatch(/<html|side-nav/);
    expect(fragment.$('#clients-table tbody tr').first().find('td').eq(1).text().trim()).toBe('Aaron Other');
  });
});

describe('the new-client form', () => {
  it('creates a client with its primary contact and shows both on the client page', async () => {
    t = await createTestApp();
    const admin = await staff();
    const res = await admin.post('/admin/clients/new', newClientForm({ state: 'ny' }));
    expect(res.status).toBe(303);
    const id = Number(/\/admin\/clients\/(\d+)$/.exec(res.res.headers.get('location')!)![1]);
    const client = await t.services.db('core_clients').where({ id }).first();
    expect(client).toMatchObject({ name: 'Olga Smirnova', email: 'olga@example.test', country: 'US', currency: 'USD', status: 'active' });
    const contact = await t.services.db('core_contacts').where({ client_id: id }).first();
    expect(contact).toMatchObject({ first_name: 'Olga', state: 'NY', county: 'Kings', zip: '11201', phone: '+1 555 0100', email_actions: '["invoices","service_notices"]' });

    const page = await admin.get(`/admin/clients/${id}`);
    expect(page.$('.flash-success').text()).toMatch(/Client #\d+ was created/);
    expect(page.$('h1').text()).toMatch(/Olga Smirnova/);
    expect(page.$('#contacts tbody').text()).toMatch(/olga@example\.test/);
    expect(page.$('#contacts tbody').text()).toMatch(/primary/);
    expect(page.$('#summary').text()).toMatch(/0\.00 USD/);
  });

  const badCases: [string, Record<string, string | string[]>, string, RegExp][] = [
    ['a bad e-mail address', { email: 'olga-at-example' }, 'email', /valid e-mail address/],
    ['an unknown country', { country: 'XX', county: '', state: '' }, 'country', /Choose a country from the list/],
    ['a county with a state outside the US', { country: 'DE', state: 'Bayern', county: 'Kings' }, 'county', /only for US addresses/],
    ['a county with a state that is not a US state code', { state: 'New York', county: 'Kings' }, 'county', /two-letter US state code/],
    ['a password confirmation that does not match', { loginEmail: 'olga@example.test', password: 'a long passphrase', confirm: 'a long passphrase!' }, 'confirm', /do not match/],
    ['an unknown currency', { currency: 'EUR' }, 'currency', /not an active currency/],
    ['a company without a name', { kind: 'company', company: '' }, 'company', /Enter the company name/],
  ];
  for (const [what, change, field, message] of badCases) {
    it(`refuses ${what} beside the field, keeps the input and writes nothing`, async () => {
      t = await createTestApp();
      const admin = await staff();
      const before = await counts();
      const res = await admin.post('/admin/clients/new', newClientForm(change));
      expect(res.status).toBe(400);
      expect(res.$(`#f-${field}-error`).text()).toMatch(message);
      expect(res.$('.flash-error').text()).toMatch(/correct the fields/);
      expect(res.$('#f-firstName').attr('value')).toBe('Olga');
      expect(res.$('#f-address1').attr('value')).toBe('1 Main St');
      expect(res.$('#f-emailActions-invoices').attr('checked')).toBeDefined();
      expect(res.$('#f-emailActions-marketing').attr('checked')).toBeUndefined();
      expect(res.$('#f-password').attr('value')).toBeUndefined();
      if (field !== 'email') expect(res.$('#f-email').attr('value')).toBe('olga@example.test');
      expect(await counts()).toEqual(before);
    });
  }

  it('ticks every e-mail with "Toggle all" without JavaScript, and swaps only the boxes for htmx, saving nothing', async () => {
    t = await createTestApp();
    const admin = await staff();
    const before = await counts();
    const plain = await admin.post('/admin/clients/new', newClientForm({ toggleAll: '1', emailActions: ['invoices'] }));
    expect(plain.status).toBe(200);
    expect(plain.html).toMatch(/^<!doctype html>/i);
    for (const a of EMAIL_ACTIONS) expect(plain.$(`#f-emailActions-${a}`).attr('checked'), a).toBeDefined();
    expect(plain.$('#f-firstName').attr('value')).toBe('Olga');
    expect(plain.$('.field-error').length).toBe(0);

    const again = await admin.post('/admin/clients/new', newClientForm({ toggleAll: '1', emailActions: [...EMAIL_ACTIONS] }));
    for (const a of EMAIL_ACTIONS) expect(again.$(`#f-emailActions-${a}`).attr('checked'), a).toBeUndefined();

    const button = plain.$('#email-actions button[name="toggleAll"]');
    expect(button.attr('hx-post')).toBe('/admin/clients/new');
    expect(button.attr('hx-select')).toBe('#email-actions');
    const htmx = await admin.post('/admin/clients/new', newClientForm({ toggleAll: '1' }), { headers: { 'hx-request': 'true' } });
    expect(htmx.status).toBe(200);
    expect(htmx.html).not.toMatch(/<html/);
    expect(htmx.$('#email-actions input:checked').length).toBe(EMAIL_ACTIONS.length);
    expect(await counts()).toEqual(before);
  });

  it('shows the county field where it applies, and without scripts always, with a hint', async () => {
    t = await createTestApp();
    const admin = await staff();
    const us = await admin.get('/admin/clients/county-field?country=US&state=ny');
    expect(us.$('#county-field').attr('hidden')).toBeUndefined();
    expect(us.$('#f-county').length).toBe(1);
    const de = await admin.get('/admin/clients/county-field?country=DE&state=Bayern');
    expect(de.$('#county-field').attr('hidden')).toBeDefined();
    expect(de.$('#f-county').length).toBe(0);
    expect(de.html).not.toMatch(/<html/);
    const form = await admin.get('/admin/clients/new');
    expect(form.$('#county-field').attr('hx-get')).toBe('/admin/clients/county-field');
    expect(form.$('#county-field').attr('hx-trigger')).toMatch(/change from:#f-state/);
    expect(form.html).toMatch(/<noscript>[\s\S]*name="county"[\s\S]*Only for US states[\s\S]*<\/noscript>/);
  });

  it('lets support staff look and edit contacts but not create or change clients', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test');
    const support = await staff('support');
    const list = await support.get('/admin/clients');
    expect(list.status).toBe(200);
    expect(list.$('a[href="/admin/clients/new"]').length).toBe(0);
    expect((await support.get('/admin/clients/new')).status).toBe(403);
    const before = await counts();
    expect((await support.post('/admin/clients/new', newClientForm())).status).toBe(403);
    expect((await support.post(`/admin/clients/${clientId}/suspend`)).status).toBe(403);
    expect((await support.post(`/admin/clients/${clientId}/edit`, { name: 'X', country: 'DE', currency: 'USD' })).status).toBe(403);
    expect(await counts()).toEqual(before);

    const detail = await support.get(`/admin/clients/${clientId}`);
    expect(detail.$(`a[href="/admin/clients/${clientId}/edit"]`).length).toBe(0);
    const contactId = (await t.services.db('core_contacts').where({ client_id: clientId }).first()).id;
    const form = await support.get(`/admin/clients/${clientId}/contacts/${contactId}`);
    expect(form.status).toBe(200);
    const saved = await support.post(`/admin/clients/${clientId}/contacts/${contactId}`, { firstName: 'Anna', lastName: 'Berg-Lund', email: 'anna@example.test', country: 'DE', emailActions: 'invoices' });
    expect(saved.status).toBe(303);
    expect((await t.services.db('core_contacts').where({ id: contactId }).first()).last_name).toBe('Berg-Lund');
  });
});

describe('contacts and their logins', () => {
  it('gives a new contact a login that signs in to the client area', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test');
    const admin = await staff();
    const form = await admin.get(`/admin/clients/${clientId}/contacts/new`);
    expect(form.$('#f-country option[selected]').attr('value')).toBe('DE');
    const res = await admin.post(`/admin/clients/${clientId}/contacts/new`, {
      firstName: 'Tom', lastName: 'Tech', email: 'tom@example.test', country: 'DE', emailFormat: 'text', emailActions: ['service_notices'],
      permissions: 'technical', loginEmail: 'Tom@Example.test', password: 'tom long password', confirm: 'tom long password',
    });
    expect(res.status).toBe(303);
    const user = await t.services.db('core_users').where({ kind: 'client', email: 'tom@example.test' }).first();
    expect(user).toMatchObject({ client_id: clientId, role: 'technical' });

    const client = t.agent();
    await client.login('client', 'tom@example.test', 'tom long password');
    expect((await client.get('/client')).status).toBe(200);

    const page = await admin.get(`/admin/clients/${clientId}`);
    const row = page.$('#logins tbody tr').filter((_, tr) => page.$(tr).text().includes('tom@example.test'));
    expect(row.text()).toMatch(/Tom Tech/);
    expect(row.text()).not.toMatch(/never/);
  });

  it('refuses a mismatched confirmation on the contact form and keeps the contact as it was', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test');
    const admin = await staff();
    const contactId = (await t.services.db('core_contacts').where({ client_id: clientId }).first()).id;
    const before = await counts();
    const res = await admin.post(`/admin/clients/${clientId}/contacts/${contactId}`, {
      firstName: 'Anna', lastName: 'Changed', email: 'anna@example.test', country: 'DE', loginEmail: 'anna@example.test', password: 'a long passphrase', confirm: 'different passphrase',
    });
    expect(res.status).toBe(400);
    expect(res.$('#f-confirm-error').text()).toMatch(/do not match/);
    expect(res.$('#f-lastName').attr('value')).toBe('Changed');
    expect(await counts()).toEqual(before);
    expect((await t.services.db('core_contacts').where({ id: contactId }).first()).last_name).toBe('Berg');
  });

  it('resets a client user password, which ends their sessions', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test', { login: { loginEmail: 'anna@example.test', password: 'first long password' } });
    const userId = (await t.services.db('core_users').where({ kind: 'client', email: 'anna@example.test' }).first()).id;
    const client = t.agent();
    await client.login('client', 'anna@example.test', 'first long password');
    expect((await client.get('/client')).status).toBe(200);

    const admin = await staff();
    const bad = await admin.post(`/admin/clients/${clientId}/users/${userId}/password`, { password: 'second long password', confirm: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-confirm-error').text()).toMatch(/do not match/);
    expect((await client.get('/client')).status).toBe(200);

    const ok = await admin.post(`/admin/clients/${clientId}/users/${userId}/password`, { password: 'second long password', confirm: 'second long password' });
    expect(ok.status).toBe(303);
    expect((await admin.get(ok.res.headers.get('location')!)).$('.flash-success').text()).toMatch(/1 session\(s\) were signed out/);
    const after = await client.get('/client');
    expect(after.status).toBe(303);
    expect(after.res.headers.get('location')).toMatch(/^\/login/);
    await expect(t.agent().login('client', 'anna@example.test', 'first long password')).rejects.toThrow(/401/);
    await t.agent().login('client', 'anna@example.test', 'second long password');
    expect(await t.services.db('core_audit_log').where({ action: 'client.login_password_reset' })).toHaveLength(1);
  });

  it('suspends a login, signing it out, and lets it back in when reactivated', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test', { login: { loginEmail: 'anna@example.test', password: 'first long password' } });
    const userId = (await t.services.db('core_users').where({ kind: 'client', email: 'anna@example.test' }).first()).id;
    const client = t.agent();
    await client.login('client', 'anna@example.test', 'first long password');
    const admin = await staff();
    expect((await admin.post(`/admin/clients/${clientId}/users/${userId}/suspend`)).status).toBe(303);
    expect((await client.get('/client')).status).toBe(303);
    await expect(t.agent().login('client', 'anna@example.test', 'first long password')).rejects.toThrow(/401/);
    expect((await admin.post(`/admin/clients/${clientId}/users/${userId}/activate`)).status).toBe(303);
    await t.agent().login('client', 'anna@example.test', 'first long password');
  });

  it('removes a login with its sessions, and never deletes the primary contact', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test', { login: { loginEmail: 'anna@example.test', password: 'first long password' } });
    const contactId = (await t.services.db('core_contacts').where({ client_id: clientId }).first()).id;
    const client = t.agent();
    await client.login('client', 'anna@example.test', 'first long password');
    const admin = await staff();

    const refused = await admin.post(`/admin/clients/${clientId}/contacts/${contactId}/delete`);
    expect(refused.status).toBe(303);
    expect((await admin.get(`/admin/clients/${clientId}`)).$('.flash-error').text()).toMatch(/primary contact cannot be deleted/);
    expect(await t.services.db('core_contacts').where({ id: contactId })).toHaveLength(1);

    expect((await admin.post(`/admin/clients/${clientId}/contacts/${contactId}/login/remove`)).status).toBe(303);
    expect(await t.services.db('core_users').where({ kind: 'client' })).toHaveLength(0);
    expect((await client.get('/client')).status).toBe(303);
    const page = await admin.get(`/admin/clients/${clientId}`);
    expect(page.$('#logins').text()).toMatch(/Nobody can sign in/);
  });

  it('reaches contacts and logins only through their own client', async () => {
    t = await createTestApp();
    const a = await seedClient('Anna', 'Berg', 'anna@example.test');
    const b = await seedClient('Boris', 'Ivanov', 'boris@example.test', { login: { loginEmail: 'boris@example.test', password: 'boris long password' } });
    const bContact = (await t.services.db('core_contacts').where({ client_id: b }).first()).id;
    const bUser = (await t.services.db('core_users').where({ client_id: b }).first()).id;
    const admin = await staff();
    expect((await admin.get(`/admin/clients/${a}/contacts/${bContact}`)).status).toBe(404);
    expect((await admin.post(`/admin/clients/${a}/contacts/${bContact}/delete`)).status).toBe(404);
    expect((await admin.post(`/admin/clients/${a}/users/${bUser}/password`, { password: 'hijacked password', confirm: 'hijacked password' })).status).toBe(404);
    expect((await admin.post(`/admin/clients/${a}/users/${bUser}/suspend`)).status).toBe(404);
    expect((await t.services.db('core_users').where({ id: bUser }).first()).status).toBe('active');
    expect((await admin.get('/admin/clients/999999')).status).toBe(404);
  });
});

describe('the client page', () => {
  it('shows the credit balance and ledger, and what other modules add to its slot', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test');
    const db = t.services.db;
    await db('core_clients').where({ id: clientId }).update({ balance: 1250 });
    await db('core_credit_ledger').insert([
      { client_id: clientId, at: '2026-03-01T10:00:00.000Z', amount: 2000, currency: 'USD', balance_after: 2000, kind: 'overpayment', note: 'Overpayment of invoice 7', actor: 'system' },
      { client_id: clientId, at: '2026-03-02T10:00:00.000Z', amount: -750, currency: 'USD', balance_after: 1250, kind: 'invoice_payment', note: 'Paid invoice 8', actor: 'system' },
    ]);
    t.services.slots.add('admin.client.detail', 'core', (data) => `<section class="card" id="slot-probe">Services of client ${Number(data.clientId)}</section>`);
    const admin = await staff('billing');
    const page = await admin.get(`/admin/clients/${clientId}`);
    expect(page.$('#summary .big-number').text()).toBe('12.50 USD');
    expect(page.$('#credit tbody tr').first().text()).toMatch(/invoice payment[\s\S]*-7\.50 USD[\s\S]*12\.50 USD/);
    expect(page.$('#slot-probe').text()).toBe(`Services of client ${clientId}`);
    const ledger = await admin.get(`/admin/clients/${clientId}/ledger`);
    expect(ledger.$('#ledger-table tbody tr')).toHaveLength(2);
    expect(ledger.$('#ledger-table tbody tr').first().text()).toMatch(/Paid invoice 8/);
  });

  it('suspends, closes and reactivates with POST buttons and records each in the audit log', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test');
    const admin = await staff();
    const page = await admin.get(`/admin/clients/${clientId}`);
    expect(page.$(`form[action="/admin/clients/${clientId}/suspend"] input[name="_csrf"]`).length).toBe(1);
    expect((await admin.post(`/admin/clients/${clientId}/suspend`)).status).toBe(303);
    const suspended = await admin.get(`/admin/clients/${clientId}`);
    expect(suspended.$('h1 .badge').text()).toBe('Suspended');
    expect(suspended.$(`form[action="/admin/clients/${clientId}/reactivate"]`).length).toBe(1);
    await admin.post(`/admin/clients/${clientId}/close`);
    await admin.post(`/admin/clients/${clientId}/reactivate`);
    const audit = await t.services.db('core_audit_log').where('target', `client:${clientId}`).orderBy('id');
    expect(audit.map((r: { action: string }) => r.action)).toEqual(['client.created', 'client.suspended', 'client.closed', 'client.reactivated']);
    expect(audit[1]).toMatchObject({ actor_type: 'staff', actor_label: 'admin@staff.test' });
  });

  it('edits the client, refusing a currency change once there are invoices', async () => {
    t = await createTestApp();
    const clientId = await seedClient('Anna', 'Berg', 'anna@example.test');
    await t.services.db('core_currencies').insert({ code: 'EUR', name: 'Euro', symbol: '€', minor_units: 2, rate_to_base: 1_080_000, is_base: false, active: true, updated_at: '2026-03-01T00:00:00.000Z' });
    await t.services.db('core_invoices').insert({ number: 'INV-1', client_id: clientId, kind: 'manual', status: 'unpaid', currency: 'USD', subtotal: 1000, total: 1000, entered_on: '2026-03-02', due_on: '2026-03-09', created_at: '2026-03-02T09:00:00.000Z', updated_at: '2026-03-02T09:00:00.000Z' });
    const admin = await staff();
    const form = await admin.get(`/admin/clients/${clientId}/edit`);
    expect(form.$('#f-name').attr('value')).toBe('Anna Berg');
    expect(form.$('#f-currency-hint').text()).toMatch(/Cannot change: it has invoices/);
    const refused = await admin.post(`/admin/clients/${clientId}/edit`, { kind: 'person', name: 'Anna B.', country: 'DE', currency: 'EUR', language: 'en' });
    expect(refused.status).toBe(400);
    expect(refused.$('#f-currency-error').text()).toMatch(/already has invoices in USD/);
    expect(refused.$('#f-name').attr('value')).toBe('Anna B.');
    expect((await t.services.db('core_clients').where({ id: clientId }).first()).name).toBe('Anna Berg');
    const saved = await admin.post(`/admin/clients/${clientId}/edit`, { kind: 'person', name: 'Anna B.', country: 'DE', currency: 'USD', language: 'ru', taxExempt: '1' });
    expect(saved.status).toBe(303);
    expect(await t.services.db('core_clients').where({ id: clientId }).first()).toMatchObject({ name: 'Anna B.', language: 'ru' });
  });

  it('escapes what people typed', async () => {
    t = await createTestApp();
    const clientId = await seedClient('<img src=x onerror=alert(1)>', '<script>alert(2)</script>', 'x@example.test');
    const admin = await staff();
    for (const url of [`/admin/clients/${clientId}`, '/admin/clients', `/admin/clients?q=${encodeURIComponent('<script>')}`]) {
      const page = await admin.get(url);
      expect(page.html, url).not.toContain('<script>alert(2)</script>');
      expect(page.html, url).not.toContain('<img src=x');
    }
  });
});

// Contacts in the portal (seed 003 "Adding Contacts"): every field of the guide, errors beside their fields
// with the rest kept, the county only for a US state, "Toggle All" without JavaScript, logins with
// permissions, the primary contact kept, deleting another removes its login; scoping, CSRF, Russian.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import type { PageResult } from '../../../test/helpers/app.ts';
import { EMAIL_ACTION_LABELS, PERMISSION_LABELS } from '../../../core/billing/clients/labels.ts';
import { contactsSection } from '../routes/contacts.ts';

let f: PortalFixture;
const db = () => f.t.services.db;
const BASE = '/client/contacts';
const AT = '2026-03-02T09:00:00.000Z';

beforeAll(async () => {
  f = await portalApp();
});
afterAll(async () => {
  await f.t.destroy();
});

const errorOf = (page: PageResult, name: string) => page.$(`#f-${name}-error`).text();

/** Every field of the guide's Contact Details page. */
const bob = {
  company: 'Analytical Engines Ltd', firstName: 'Bob', lastName: 'Babbage', email: 'Bob@Example.test', address1: '1 Dorset Street', address2: 'Suite 2',
  city: 'Brooklyn', state: 'ny', county: 'Kings', zip: '11201', country: 'US', phone: '+1 555 0100', phone2: '+1 555 0101', fax: '+1 555 0102', mobile: '+1 555 0103',
  loginEmail: 'bob@example.test', password: 'bob long password', confirm: 'bob long password', permissions: 'billing', language: 'ru', emailFormat: 'text',
  emailActions: ['invoices', 'payment_receipts'],
};

async function contactId(email: string): Promise<number> {
  return Number((await db()('core_contacts').where({ client_id: f.clientId, email }).first('id')).id);
}

describe('adding a contact', () => {
  it('saves every field of the guide and gives the contact a login in its language', async () => {
    const form = await f.client.get(`${BASE}/new`);
    expect(form.status).toBe(200);
    expect(form.$('#f-country option[selected]').attr('value')).toBe('US');
    expect(form.$('input[name=emailActions][checked]').length).toBeGreaterThan(0);
    const res = await f.client.post(`${BASE}/new`, bob);
    expect(res.status).toBe(303);
    const row = await db()('core_contacts').where({ client_id: f.clientId, email: 'bob@example.test' }).first();
    expect(row).toMatchObject({
      company: 'Analytical Engines Ltd', first_name: 'Bob', last_name: 'Babbage', address1: '1 Dorset Street', address2: 'Suite 2', city: 'Brooklyn', state: 'NY', county: 'Kings',
      zip: '11201', country: 'US', phone: '+1 555 0100', phone2: '+1 555 0101', fax: '+1 555 0102', mobile: '+1 555 0103', language: 'ru', email_format: 'text',
      permissions: 'billing', is_primary: expect.anything(),
    });
    expect(JSON.parse(row.email_actions)).toEqual(['invoices', 'payment_receipts']);
    expect(await db()('core_users').where({ id: row.user_id }).first()).toMatchObject({ kind: 'client', email: 'bob@example.test', role: 'billing', language: 'ru', client_id: f.clientId });

    const list = await f.client.get(BASE);
    expect(list.$('.flash-success').text()).toContain('Bob Babbage was added and can now sign in.');
    const tr = list.$('table.contacts tbody tr').filter((_, r) => list.$(r).text().includes('Bob Babbage'));
    expect(tr.text()).toContain('bob@example.test');
    expect(tr.text()).toContain('Billing only');
    expect(tr.find(`a[href="/client/billing-accounts?contact=${row.id}"]`).text()).toBe('View/Manage Billing Account');
  });

  it('shows a mismatched confirmation and an unknown country beside their fields, keeps the rest, and saves nothing', async () => {
    const before = await db()('core_contacts').count({ n: '*' });
    const res = await f.client.post(`${BASE}/new`, { ...bob, email: 'carol@example.test', firstName: 'Carol', loginEmail: 'carol@example.test', confirm: 'something else entirely', country: 'XX' });
    expect(res.status).toBe(400);
    expect(errorOf(res, 'confirm')).toBe('The two passwords do not match');
    expect(errorOf(res, 'country')).toBe('Choose a country from the list');
    expect(res.$('#f-firstName').attr('value')).toBe('Carol');
    expect(res.$('#f-phone2').attr('value')).toBe('+1 555 0101');
    expect(res.$('#f-permissions option[selected]').attr('value')).toBe('billing');
    expect(res.$('#f-emailFormat option[selected]').attr('value')).toBe('text');
    expect(res.$('#f-password').attr('value')).toBeUndefined();
    expect(res.html).not.toContain('bob long password');
    expect(await db()('core_contacts').count({ n: '*' })).toEqual(before);
  });

  it('refuses a user name another login already has', async () => {
    const res = await f.client.post(`${BASE}/new`, { ...bob, email: 'dup@example.test', loginEmail: 'other@example.test' });
    expect(res.status).toBe(400);
    expect(errorOf(res, 'loginEmail')).toMatch(/already uses this user name/);
  });
});

describe('the county', () => {
  it('is there for a two-letter US state only', async () => {
    const ny = await f.client.get(`${BASE}/county-field?state=NY&country=US`, { 'hx-request': 'true' });
    expect(ny.$('#county-field #f-county')).toHaveLength(1);
    expect(ny.$('label[for="f-county"]').text()).toBe('County');
    const bavaria = await f.client.get(`${BASE}/county-field?state=Bayern&country=DE`, { 'hx-request': 'true' });
    expect(bavaria.$('#county-field').attr('hidden')).toBeDefined();
    expect(bavaria.$('#f-county')).toHaveLength(0);
    expect((await f.client.get(`${BASE}/county-field?state=New%20York&country=US`)).$('#f-county')).toHaveLength(0);

    // The whole form: shown for Bob (NY, US); for a German address only inside <noscript>, marked US-only.
    const edit = await f.client.get(`${BASE}/${await contactId('bob@example.test')}`);
    expect(edit.$('#county-field #f-county').attr('value')).toBe('Kings');
    const fresh = await f.client.post(`${BASE}/new`, { ...bob, country: 'DE', state: 'Bayern', county: '', confirm: 'mismatch to stay on the form' });
    expect(fresh.$('#county-field').attr('hidden')).toBeDefined();
    expect(fresh.$('noscript').html()).toContain('County (US states only)');
  });

  it('is refused for an address outside the US', async () => {
    const res = await f.client.post(`${BASE}/new`, { ...bob, email: 'dora@example.test', loginEmail: '', password: '', confirm: '', country: 'DE', state: 'Bayern', county: 'Kings' });
    expect(res.status).toBe(400);
    expect(errorOf(res, 'county')).toMatch(/only for US addresses/);
    expect(res.$('#county-field #f-county').attr('value')).toBe('Kings');
  });
});

describe('Toggle All', () => {
  it('ticks every e-mail, then none, by posting the form back without saving', async () => {
    const before = await db()('core_contacts').count({ n: '*' });
    const all = await f.client.post(`${BASE}/new`, { ...bob, email: 'eve@example.test', emailActions: ['invoices'], toggleAll: '1' });
    expect(all.status).toBe(200);
    expect(all.$('input[name=emailActions]').length).toBe(5);
    expect(all.$('input[name=emailActions][checked]').length).toBe(5);
    expect(all.$('#f-email').attr('value')).toBe('eve@example.test');
    expect(all.$('.field-error')).toHaveLength(0);
    const none = await f.client.post(`${BASE}/new`, { ...bob, emailActions: ['invoices', 'payment_receipts', 'service_notices', 'support_replies', 'marketing'], toggleAll: '1' });
    expect(none.$('input[name=emailActions][checked]').length).toBe(0);
    const htmx = await f.client.post(`${BASE}/new`, { ...bob, toggleAll: '1' }, { headers: { 'hx-request': 'true' } });
    expect(htmx.html).not.toContain('<html');
    expect(htmx.$('#email-actions input[checked]').length).toBe(5);
    expect(await db()('core_contacts').count({ n: '*' })).toEqual(before);
  });
});

describe('editing and deleting', () => {
  it('edits a contact; a new password signs its login out everywhere', async () => {
    const id = await contactId('bob@example.test');
    const bobAgent = f.t.agent();
    await bobAgent.login('client', 'bob@example.test', 'bob long password');
    expect((await bobAgent.get('/client')).status).toBe(200);

    const form = await f.client.get(`${BASE}/${id}`);
    expect(form.$('h1').text()).toBe('Edit Contact Info: Bob Babbage');
    expect(form.$('#f-loginEmail').attr('value')).toBe('bob@example.test');
    expect(form.$('#f-password').attr('value')).toBeUndefined();
    const res = await f.client.post(`${BASE}/${id}`, { ...bob, lastName: 'Babbage-King', password: 'a brand new password', confirm: 'a brand new password' });
    expect(res.status).toBe(303);
    expect(await db()('core_contacts').where({ id }).first()).toMatchObject({ last_name: 'Babbage-King' });
    expect((await bobAgent.get('/client')).status).toBe(303);
    await bobAgent.login('client', 'bob@example.test', 'a brand new password');
  });

  it('keeps the primary contact: no delete, no login fields, the owner keeps its login', async () => {
    const [row] = await db()('core_contacts')
      .insert({ client_id: f.clientId, is_primary: true, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.test', country: 'GB', user_id: (await db()('core_users').where({ email: 'ada@example.test' }).first('id')).id, created_at: AT, updated_at: AT })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    const list = await f.client.get(BASE);
    const tr = list.$('table.contacts tbody tr').filter((_, r) => list.$(r).text().includes('Ada Lovelace'));
    expect(tr.find('.badge-ok').text()).toBe('primary');
    expect(tr.text()).toContain('Account owner');
    expect(tr.find(`a[href="${BASE}/${id}/delete"]`)).toHaveLength(0);

    const form = await f.client.get(`${BASE}/${id}`);
    expect(form.$('#f-loginEmail')).toHaveLength(0);
    expect(form.$('form.contact-form').text()).toContain('account owner’s contact');
    const saved = await f.client.post(`${BASE}/${id}`, { firstName: 'Ada', lastName: 'King', email: 'ada@example.test', country: 'GB', permissions: 'technical', loginEmail: 'hijack@example.test', password: 'x long password', confirm: 'x long password' });
    expect(saved.status).toBe(303);
    expect(await db()('core_users').where({ email: 'ada@example.test' }).first()).toMatchObject({ role: 'owner' });
    expect(await db()('core_users').where({ email: 'hijack@example.test' }).first()).toBeUndefined();

    const refused = await f.client.post(`${BASE}/${id}/delete`);
    expect(refused.status).toBe(303);
    expect((await f.client.get(BASE)).$('.flash-error').text()).toMatch(/primary contact cannot be deleted/);
    expect(await db()('core_contacts').where({ id }).first()).toBeTruthy();
    expect((await f.client.get(`${BASE}/${id}/delete`)).$('button.danger')).toHaveLength(0);
  });

  it('takes a login away and keeps the contact', async () => {
    const created = await f.client.post(`${BASE}/new`, { ...bob, email: 'fay@example.test', loginEmail: 'fay@example.test', firstName: 'Fay' });
    expect(created.status).toBe(303);
    const id = await contactId('fay@example.test');
    const userId = (await db()('core_contacts').where({ id }).first('user_id')).user_id;
    const res = await f.client.post(`${BASE}/${id}/login/remove`);
    expect(res.status).toBe(303);
    expect(await db()('core_users').where({ id: userId }).first()).toBeUndefined();
    expect(await db()('core_contacts').where({ id }).first('user_id')).toEqual({ user_id: null });
  });

  it('deletes another contact after asking, with its login and sessions', async () => {
    const id = await contactId('bob@example.test');
    const userId = (await db()('core_contacts').where({ id }).first('user_id')).user_id;
    const confirm = await f.client.get(`${BASE}/${id}/delete`);
    expect(confirm.$('.flash-warning').text()).toContain('Its login bob@example.test is deleted too');
    const res = await f.client.post(`${BASE}/${id}/delete`);
    expect(res.status).toBe(303);
    expect(await db()('core_contacts').where({ id }).first()).toBeUndefined();
    expect(await db()('core_users').where({ id: userId }).first()).toBeUndefined();
    expect(await db()('core_sessions').where({ user_id: userId })).toEqual([]);
    expect((await f.client.get(BASE)).$('.flash-success').text()).toContain('Bob Babbage-King and their login were deleted.');
  });
});

describe('another client\'s contacts', () => {
  it('answer 404 on every route, read or write, and stay as they were', async () => {
    const [row] = await db()('core_contacts').insert({ client_id: f.otherClientId, is_primary: false, first_name: 'Their', last_name: 'Contact', email: 'their.contact@example.test', country: 'US', created_at: AT, updated_at: AT }).returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    for (const path of [`${BASE}/${id}`, `${BASE}/${id}/delete`]) {
      const res = await f.client.get(path);
      expect(res.status, path).toBe(404);
      expect(res.html).not.toContain('their.contact@example.test');
    }
    for (const path of [`${BASE}/${id}`, `${BASE}/${id}/delete`, `${BASE}/${id}/login/remove`]) expect((await f.client.post(path, { ...bob, toggleAll: '1' })).status, path).toBe(404);
    expect(await db()('core_contacts').where({ id }).first()).toMatchObject({ first_name: 'Their', client_id: f.otherClientId });
  });

  it('a post without the CSRF token is refused with 403 and saves nothing', async () => {
    const before = await db()('core_contacts').count({ n: '*' });
    expect((await f.client.post(`${BASE}/new`, { ...bob, email: 'nocsrf@example.test', loginEmail: '' }, { csrf: null })).status).toBe(403);
    expect(await db()('core_contacts').count({ n: '*' })).toEqual(before);
  });
});

describe('in Russian', () => {
  it('speaks Russian, countries and errors included', async () => {
    await f.client.post('/language', { lang: 'ru', next: BASE });
    try {
      const list = await f.client.get(BASE);
      expect(list.$('h1').text()).toBe('Контакты');
      const res = await f.client.post(`${BASE}/new`, { ...bob, email: 'gus@example.test', loginEmail: 'gus@example.test', confirm: 'different', country: 'DE', state: 'Bayern', county: '' });
      expect(res.$('h1').text()).toBe('Добавить контакт');
      expect(errorOf(res, 'confirm')).toBe('Пароли не совпадают');
      expect(res.$('#f-country option[selected]').text()).toBe('Германия');
      expect(res.$('label[for="f-emailFormat"]').text()).toBe('Формат писем');
      expect(res.$('noscript').html()).toContain('Округ (только для штатов США)');
    } finally {
      await f.client.post('/language', { lang: 'en', next: BASE });
    }
  });

  it('has a translation of every text of the section', () => {
    const i18n = f.t.services.i18n;
    const files = [new URL('../routes/contacts.ts', import.meta.url), ...['contacts', 'contact-form', 'contact-county', 'contact-delete'].map((v) => new URL(`../views/client/${v}.eta`, import.meta.url))];
    const literals = files.flatMap((u) => [...fs.readFileSync(u, 'utf8').matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\'/g, "'")));
    const labels = [...Object.values(EMAIL_ACTION_LABELS), ...Object.values(PERMISSION_LABELS), 'Plain text', 'Account owner', 'Billing only', 'Technical only', 'Everything'];
    const missing = [...new Set([...literals, ...labels])].filter((k) => !i18n.has('ru', k));
    expect(missing).toEqual([]);
    expect(Object.keys(contactsSection.ru).length).toBeGreaterThan(100);
  });
});

// Processing servers through the admin pages: the seed 001 form, its rules, the password, check and fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import type { Agent } from '../helpers/app.ts';
import { listTables } from '../../core/db/knex.ts';
import { ProcessingError, type ProcessingModule } from '../../core/processing/types.ts';
import { ADMIN_EMAIL, insertServer, processingApp } from './fixtures.ts';

const UPSTREAM_PASSWORD = 'Upstream-S3cret!';

const dsmanager: ProcessingModule = {
  name: 'dsm-test',
  title: 'DSmanager (test)',
  itemTypes: ['dedicated', 'colocation'],
  features: ['check_connection', 'server_config'],
  requiresPreset: true,
  async checkConnection(ctx) {
    if (ctx.server.password !== UPSTREAM_PASSWORD) throw new ProcessingError('auth', `Access denied for ${ctx.server.username}`);
    return { ok: true, message: `Signed in to ${ctx.server.url} as ${ctx.server.username}` };
  },
  async getServerConfig() {
    return { presets: [{ internalName: 'HPCorei5', name: 'HP Core i5' }, { internalName: 'HPCorei7', name: 'HP Core i7' }], enumerations: { os: [{ internalName: 'debian12', name: 'Debian 12' }] } };
  },
};

const registrar: ProcessingModule = { name: 'registrar-test', title: 'Registrar (test)', itemTypes: ['domain'], features: [] };

let t: TestApp;
let admin: Agent;
let technical: number;

beforeAll(async () => {
  t = await processingApp({ modules: [dsmanager, registrar] });
  admin = t.agent();
  await admin.login('staff', ADMIN_EMAIL);
  technical = ((await t.services.db('core_departments').where({ name: 'Technical' }).first('id')) as { id: number }).id;
});
afterAll(async () => {
  await t.destroy();
});

const form = (o: Record<string, string> = {}) => ({
  module: 'dsm-test',
  item_type: 'dedicated',
  name: 'dsm.example.test',
  url: '',
  username: 'reseller',
  password: UPSTREAM_PASSWORD,
  department_id: String(technical),
  max_clients: '',
  use_for_new_orders: '1',
  allow_prolong: '1',
  notify_errors: '1',
  ...o,
});

async function serverCount(): Promise<number> {
  const [{ n }] = (await t.services.db('core_processing_servers').count({ n: '*' })) as [{ n: number | string }];
  return Number(n);
}

describe('adding a processing server', () => {
  let id: number;

  it('fills the URL from the name, seals the password and shows the server', async () => {
    const res = await admin.post('/admin/processing/servers', form());
    expect(res.status).toBe(303);
    id = Number(/\/servers\/(\d+)$/.exec(res.res.headers.get('location')!)![1]);
    const row = await t.services.db('core_processing_servers').where({ id }).first();
    expect(row).toMatchObject({ name: 'dsm.example.test', url: 'https://dsm.example.test/', username: 'reseller', module: 'dsm-test', item_type: 'dedicated', department_id: technical, max_clients: null });
    expect(Boolean(row.use_for_new_orders)).toBe(true);
    expect(Boolean(row.allow_set_param)).toBe(false); // unchecked boxes are off
    expect(row.password_sealed).toMatch(/^v1:/);
    expect(t.services.secrets.decrypt(row.password_sealed)).toBe(UPSTREAM_PASSWORD);
    const page = await admin.get(`/admin/processing/servers/${id}`);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('dsm.example.test');
    expect(page.$('.flash-success').text()).toMatch(/was added/);
  });

  it('never shows the password, and keeps it when the field is left blank', async () => {
    const page = await admin.get(`/admin/processing/servers/${id}`);
    expect(page.html).not.toContain(UPSTREAM_PASSWORD);
    expect(page.$('#f-password').attr('value')).toBeUndefined();
    expect(page.$('#f-password-hint').text()).toMatch(/Leave blank to keep it/);
    const before = (await t.services.db('core_processing_servers').where({ id }).first('password_sealed')).password_sealed as string;
    const saved = await admin.post(`/admin/processing/servers/${id}`, form({ password: '', max_clients: '40' }));
    expect(saved.status).toBe(303);
    const after = await t.services.db('core_processing_servers').where({ id }).first('password_sealed', 'max_clients');
    expect(after).toEqual({ password_sealed: before, max_clients: 40 });
    // Nothing anywhere in the database holds it in clear: not the audit log, not a form echo.
    for (const table of await listTables(t.services.db)) {
      const rows = await t.services.db(table).select('*');
      expect(JSON.stringify(rows), table).not.toContain(UPSTREAM_PASSWORD);
    }
    const bad = await admin.post(`/admin/processing/servers/${id}`, form({ password: 'another-secret-value', url: 'ftp://dsm.example.test' }));
    expect(bad.status).toBe(400);
    expect(bad.html).not.toContain('another-secret-value');
  });

  it('shows the module’s answer to “Check connection” and records it', async () => {
    const res = await admin.post(`/admin/processing/servers/${id}/check`);
    expect(res.status).toBe(303);
    const page = await admin.get(`/admin/processing/servers/${id}`);
    expect(page.$('.flash-success').text()).toMatch(/Connection OK: Signed in to https:\/\/dsm\.example\.test\/ as reseller/);
    expect(page.$('.details').text()).toMatch(/OK/);
    const row = await t.services.db('core_processing_servers').where({ id }).first('checked_at', 'check_ok', 'check_message');
    expect(row.checked_at).toBe('2026-03-02T09:00:00.000Z');
    expect(Boolean(row.check_ok)).toBe(true);

    await t.services.db('core_processing_servers').where({ id }).update({ password_sealed: t.services.secrets.encrypt('wrong') });
    await admin.post(`/admin/processing/servers/${id}/check`);
    const failed = await admin.get(`/admin/processing/servers/${id}`);
    expect(failed.$('.flash-error').text()).toMatch(/Connection failed: Access denied for reseller/);
    expect(failed.$('.proc-check-message').text()).toMatch(/Access denied/);
    expect(Boolean((await t.services.db('core_processing_servers').where({ id }).first('check_ok')).check_ok)).toBe(false);
    await t.services.db('core_processing_servers').where({ id }).update({ password_sealed: t.services.secrets.encrypt(UPSTREAM_PASSWORD) });
  });

  it('stores and shows the presets that “Fetch configuration” brings', async () => {
    expect((await admin.get(`/admin/processing/servers/${id}`)).html).toMatch(/Not fetched yet/);
    const res = await admin.post(`/admin/processing/servers/${id}/config`);
    expect(res.status).toBe(303);
    const page = await admin.get(`/admin/processing/servers/${id}`);
    expect(page.$('.flash-success').text()).toMatch(/2 presets/);
    const rows = page.$('table.presets tbody tr').map((_, tr) => page.$(tr).find('td').map((__, td) => page.$(td).text()).get().join(' | ')).get();
    expect(rows).toEqual(['HPCorei5 | HP Core i5', 'HPCorei7 | HP Core i7']);
    expect(await t.services.processing.serverPresets(id)).toEqual([
      { internalName: 'HPCorei5', name: 'HP Core i5' },
      { internalName: 'HPCorei7', name: 'HP Core i7' },
    ]);
  });

  it('lists the server with its module, item type and connection state', async () => {
    const page = await admin.get('/admin/processing/servers');
    const row = page.$('#servers-table tbody tr').first();
    expect(row.text()).toMatch(/dsm\.example\.test/);
    expect(row.text()).toMatch(/DSmanager \(test\)/);
    expect(row.text()).toMatch(/0 \/ 40/);
    expect(row.find('a').attr('href')).toBe(`/admin/processing/servers/${id}`);
  });
});

describe('the server form refuses bad input', () => {
  const cases: [string, Record<string, string>, string, RegExp, number][] = [
    ['an address that is not http(s)', { name: 'ftp.example.test', url: 'ftp://files.example.test/' }, 'url', /starts with http:\/\/ or https:\/\//, 400],
    ['a blank URL when the name is not a host name', { name: 'Our DSmanager', url: '' }, 'url', /not a host name/, 400],
    ['an item type the module cannot provide', { name: 'reg.example.test', module: 'registrar-test', item_type: 'colocation' }, 'item_type', /cannot provide Colocation; it provides Domain names/, 400],
    ['the same upstream login twice for one item type', { name: 'dsm-again.example.test', url: 'https://dsm.example.test/', item_type: 'dedicated' }, 'item_type', /already provides Dedicated servers from this URL with this user/, 409],
    ['a negative maximum of clients', { name: 'neg.example.test', max_clients: '-3' }, 'max_clients', /whole number of at least 1/, 400],
    ['a name another server has', { name: 'dsm.example.test', url: 'https://other.example.test/' }, 'name', /Another processing server has this name/, 409],
    ['an unknown module', { name: 'x.example.test', module: 'nope' }, 'module', /no processing module 'nope'/, 400],
  ];

  it.each(cases)('%s: a field error, the input kept, nothing saved', async (_what, fields, field, message, status) => {
    if ((await serverCount()) === 0) await insertServer(t, { name: 'dsm.example.test', module: 'dsm-test', itemType: 'dedicated', url: 'https://dsm.example.test/', username: 'reseller' });
    const before = await serverCount();
    const res = await admin.post('/admin/processing/servers', form(fields));
    expect(res.status).toBe(status);
    expect(res.$(`#f-${field}-error`).text()).toMatch(message);
    expect(res.$('.flash-error').text()).toMatch(/correct the fields/);
    expect(res.$('#f-name').attr('value')).toBe(fields.name);
    expect(res.$('#f-password').attr('value')).toBeUndefined();
    expect(res.html).not.toContain(UPSTREAM_PASSWORD);
    expect(await serverCount()).toBe(before);
  });

  it('accepts the same upstream login for a second item type (seed 002: one server per type)', async () => {
    if ((await serverCount()) === 0) await insertServer(t, { name: 'dsm.example.test', module: 'dsm-test', itemType: 'dedicated', url: 'https://dsm.example.test/', username: 'reseller' });
    const before = await serverCount();
    const res = await admin.post('/admin/processing/servers', form({ name: 'dsm-colocation.example.test', url: 'https://dsm.example.test/', item_type: 'colocation' }));
    expect(res.status).toBe(303);
    expect(await serverCount()).toBe(before + 1);
  });

  it('shows every problem at once, the field rules and the database rules together', async () => {
    const before = await serverCount();
    const res = await admin.post('/admin/processing/servers', form({ name: 'Our registrar', module: 'registrar-test', item_type: 'dedicated', max_clients: '-3' }));
    expect(res.status).toBe(400);
    expect(res.$('.field-error').map((_, e) => res.$(e).attr('id')).get()).toEqual(['f-item_type-error', 'f-url-error', 'f-max_clients-error']);
    expect(await serverCount()).toBe(before);
  });

  it('accepts the same upstream for a second item type with its own user there', async () => {
    const res = await admin.post('/admin/processing/servers', form({ name: 'dsm-colo.example.test', url: 'https://dsm.example.test/', username: 'reseller-colo', item_type: 'colocation' }));
    expect(res.status).toBe(303);
  });
});

describe('the URL hint', () => {
  it('shows, as the name is typed, the URL a blank field becomes', async () => {
    const res = await admin.get('/admin/processing/servers/url-hint?name=my.ru-tld.ru', { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    expect(res.html).not.toMatch(/<html/);
    expect(res.$('code').text()).toBe('https://my.ru-tld.ru/');
    const none = await admin.get('/admin/processing/servers/url-hint?name=Our%20server', { 'hx-request': 'true' });
    expect(none.html).toMatch(/when the name is a host name/);
    const form = await admin.get('/admin/processing/servers/new');
    expect(form.$('#url-preview').attr('hx-get')).toBe('/admin/processing/servers/url-hint');
    expect(form.$('#url-preview').attr('hx-trigger')).toMatch(/from:#f-name/);
  });
});

describe('access', () => {
  it('keeps the server pages for administrators', async () => {
    await t.createUser('staff', 'support@example.test', { role: 'support' });
    const support = t.agent();
    await support.login('staff', 'support@example.test');
    expect((await support.get('/admin/processing/servers')).status).toBe(403);
    expect((await support.get('/admin/processing/operations')).status).toBe(200);
    const nav = (await support.get('/admin')).$('nav.side-nav a').map((_, a) => a.attribs.href).get();
    expect(nav).toContain('/admin/processing/operations');
    expect(nav).not.toContain('/admin/processing/servers');
  });
});

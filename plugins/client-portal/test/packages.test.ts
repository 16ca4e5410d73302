// Packages in the portal: the list (sort, filter, pages), the Manage page in each state, Panel Options and
// Panel Login, auto-renew, cancellation requests, Manage Certificate, the plugin slot, Russian, and never
// another client's package.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../../../test/helpers/app.ts';
import { insertClient, insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { insertServer } from '../../../test/processing/fixtures.ts';
import { ManualClock } from '../../../core/clock.ts';
import { definePlugin, type ProcessingModule } from '../../../core/plugins/api.ts';
import { insertBasicService, insertUpgradeCatalog, type UpgradeCatalog } from '../../../core/billing/upgrades/test-fixtures.ts';
import clientPortal from '../index.ts';

const panelModule: ProcessingModule = {
  name: 'fixture-panel',
  title: 'Fixture Panel',
  itemTypes: ['hosting', 'ssl'],
  features: ['login_url', 'set_param'],
  async loginUrl(_ctx, service) {
    return `https://panel.example.test/sso?once=${service.id}-${service.packageInternalName}`;
  },
  async setParam() {
    return {};
  },
};

/** A plugin as a DSmanager-like plugin would be: its module, and a section on the Manage page. */
const slotPlugin = definePlugin({
  meta: { name: 'fixture-slot', version: '1.0.0', apiVersion: '^1.2.0' },
  register(ctx) {
    ctx.processing.register(panelModule);
    ctx.ui.slot('client.service.detail', (data) => `<section class="card" id="fixture-slot"><h2>Reboot</h2><p>client ${Number(data.clientId)} service ${Number(data.serviceId)} ${String(data.itemType)}</p></section>`);
  },
});

/** A real request (RSA 2048; CN shop.example.com, O Example GmbH, C DE; two DNS names), made once with openssl. */
const CSR = [
  '-----BEGIN CERTIFICATE REQUEST-----',
  'MIIDGzCCAgMCAQAwgZExCzAJBgNVBAYTAkRFMQ8wDQYDVQQIDAZCZXJsaW4xDzAN',
  'BgNVBAcMBkJlcmxpbjEVMBMGA1UECgwMRXhhbXBsZSBHbWJIMQwwCgYDVQQLDANX',
  'ZWIxGTAXBgNVBAMMEHNob3AuZXhhbXBsZS5jb20xIDAeBgkqhkiG9w0BCQEWEWFk',
  'bWluQGV4YW1wbGUuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA',
  'spNv06969fhsaoG29I0xdYwMrn/vXnLc/tLJAuR/kQ5kUhamgoJY+/brIHjcKfQd',
  'JwTR21KTH/cSlDrvngCxaFjnQAzFfyBZfbgENBYSaIrJibto16w7P1dW83ocyRI9',
  'f2d6FiRINDA6EgqJBGofT1HMPcJWNjjwHM0GIOhJmEhRkO4BYyuWTGwUWhE8rU9x',
  '3Ib5dRw93PcM8QqRTiBTgGVXS+mpomdbOW0vZnQqvceOkR1etcE1rxyr7akyevVW',
  'IRWLaqkP8f87HYteUzsGdxrXJ66dndj2bnGlyyTE5OBYwdBeSMITmrqf/CBzR48m',
  '/RLum36tkHhezA7QtLPvLQIDAQABoEQwQgYJKoZIhvcNAQkOMTUwMzAxBgNVHREE',
  'KjAoghBzaG9wLmV4YW1wbGUuY29tghR3d3cuc2hvcC5leGFtcGxlLmNvbTANBgkq',
  'hkiG9w0BAQsFAAOCAQEAQzT/Y8lhKGC4Sfl/d6TqE5mhIZLvpr+Vq+SwDgAInaUg',
  '760gp6FaED8H9EctsYS8ZBRPfYhKqsC/u8wstnM7FtoU0nNoeF0EEuuHlszTOYmE',
  'a5ma/hsRvCUaggHz5gjDJX86u4KJ7M5rwXe32m9PlpcenbgsvLLUFBEgNCzyDScW',
  'rvsujP4GwqnmUIAT/rsYy8QgFUfsoYkun+am6q8L9JEGJpoQseQn9IF0WEZKO2Hx',
  'xGCg5+PNESRVvLiyEJpEuTAPP1yqOoeLvCZA9ooFaqdwTt9B6+VVLTiPW8Ps7af0',
  '2ALMCgXuGgPCJgbP1K2gPOrI4zSbZKWJghFeAqUVjQ==',
  '-----END CERTIFICATE REQUEST-----',
].join('\n');

let t: TestApp;
let client: Agent;
let other: Agent;
let clientId: number;
let otherClientId: number;
let catalog: UpgradeCatalog;
const ids = { basic: 0, suspended: 0, cancelled: 0, theirs: 0, onPanel: 0, inactiveOnPanel: 0, ssl: 0 };

beforeAll(async () => {
  t = await createTestApp({ plugins: [clientPortal(), slotPlugin], clock: new ManualClock('2026-03-15T09:00:00Z') });
  const db = t.services.db;
  clientId = await insertClient(db, { name: 'Ada Lovelace' });
  otherClientId = await insertClient(db, { name: 'Other Client' });
  await t.createUser('client', 'ada@example.test', { clientId });
  await t.createUser('client', 'other@example.test', { clientId: otherClientId });
  client = t.agent();
  await client.login('client', 'ada@example.test');
  other = t.agent();
  await other.login('client', 'other@example.test');

  catalog = await insertUpgradeCatalog(db);
  const serverId = await insertServer(t, { module: 'fixture-panel', itemType: 'hosting', name: 'web-7.example.test' });
  ids.basic = await insertBasicService(db, catalog, { clientId, label: 'ada.example.test', serverId });
  ids.onPanel = ids.basic;
  ids.inactiveOnPanel = await insertBasicService(db, catalog, { clientId, label: 'paused.example.test', serverId, status: 'suspended_staff' });
  ids.suspended = ids.inactiveOnPanel;
  const { packageId: old } = await insertPackage(db, { name: 'Old plan' });
  ids.cancelled = await insertService(db, { clientId, packageId: old, label: 'gone.example.test', status: 'cancelled', price: 500, expiresOn: '2026-01-01' });
  ids.theirs = await insertBasicService(db, catalog, { clientId: otherClientId, label: 'theirs.example.test', serverId });
  const { packageId: sslPackage } = await insertPackage(db, { name: 'SSL Standard', itemType: 'ssl' });
  ids.ssl = await insertService(db, { clientId, packageId: sslPackage, itemType: 'ssl', label: 'shop.example.com', price: 4900, expiresOn: '2027-03-01' });
  await db('core_services').where({ id: ids.ssl }).update({ period_kind: 'months', period_length: 12, params: JSON.stringify({ csr: CSR, approver_email: 'admin@example.com', contacts: { technical: { first_name: 'Tess', last_name: 'Tech', email: 'tech@example.com', phone: '+49 30 123' } } }) });
});
afterAll(async () => {
  await t.destroy();
});

const text = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Pages written out for a look in a browser when TRELLIS_PAGES_DIR is set. */
function keep(name: string, page: PageResult): void {
  const dir = process.env.TRELLIS_PAGES_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(`${dir}/${name}.html`, page.html);
}

type Node = { type: string; data?: string; children?: Node[] };
/** The text of the elements with a space between every text node ("Package ID #1", not "Package ID#1"). */
function words(page: PageResult, selector: string): string {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'text') out.push(n.data ?? '');
    else n.children?.forEach(walk);
  };
  page.$(selector).each((_, el) => {
    walk(el as unknown as Node);
  });
  return text(out.join(' '));
}

describe('the packages list', () => {
  it('lists only the client\'s packages with price, billing cycle, next renewal and status', async () => {
    const page = await client.get('/client/packages');
    keep('packages', page);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Packages');
    const rows = page.$('#packages tbody tr');
    expect(rows).toHaveLength(4);
    expect(page.html).not.toContain('theirs.example.test');
    const basic = rows.filter((_, r) => page.$(r).text().includes('ada.example.test'));
    expect(text(basic.text())).toContain(`#${ids.basic}`);
    expect(text(basic.text())).toContain('10.00 USD');
    expect(text(basic.text())).toContain('1 month');
    expect(text(basic.text())).toContain('2026-04-01');
    expect(text(basic.text())).toContain('Active');
    expect(basic.find(`a[href="/client/packages/${ids.basic}"]`).length).toBeGreaterThan(0);
    // The status words with what they mean for invoicing.
    expect(words(page, '.package-legend')).toContain('Active Invoiced every billing cycle.');
    expect(words(page, '.package-legend')).toContain('Cancelled Not invoiced.');
    // Sorting is a plain link.
    expect(page.$('#packages thead a').filter((_, a) => page.$(a).text().startsWith('Price')).attr('href')).toBe('/client/packages?sort=price&dir=asc');
  });

  it('sorts by price and filters by status with links and a GET form', async () => {
    const byPrice = await client.get('/client/packages?sort=price&dir=asc');
    const prices = byPrice.$('#packages tbody tr').map((_, r) => text(byPrice.$(r).find('td').eq(2).text())).get();
    expect(prices).toEqual(['5.00 USD', '10.00 USD', '10.00 USD', '49.00 USD']);
    const suspended = await client.get('/client/packages?status=suspended_staff');
    expect(suspended.$('#packages tbody tr')).toHaveLength(1);
    expect(suspended.$('#packages tbody').text()).toContain('paused.example.test');
    expect(suspended.$('#pkg-status option[selected]').attr('value')).toBe('suspended_staff');
    const none = await client.get('/client/packages?status=fraud');
    expect(words(none, '#packages tbody')).toBe('No packages with this status.');
  });

  it('pages through many packages', async () => {
    const db = t.services.db;
    const { packageId } = await insertPackage(db, { name: 'Bulk' });
    const many = await insertClient(db, { name: 'Many' });
    await t.createUser('client', 'many@example.test', { clientId: many });
    for (let i = 0; i < 27; i++) await insertService(db, { clientId: many, packageId, label: `site${i}.test` });
    const agent = t.agent();
    await agent.login('client', 'many@example.test');
    const first = await agent.get('/client/packages');
    expect(first.$('#packages tbody tr')).toHaveLength(25);
    const next = first.$('a[rel="next"]').attr('href')!;
    expect(next).toBe('/client/packages?page=2');
    const second = await agent.get(next);
    expect(second.$('#packages tbody tr')).toHaveLength(2);
  });
});

describe('the Manage page', () => {
  it('shows the details, add-ons with values, parameters, Panel Options and the sections of an active package', async () => {
    const page = await client.get(`/client/packages/${ids.basic}`);
    expect(page.status).toBe(200);
    expect(words(page, 'h1')).toBe('Basic (ada.example.test) Active');
    const details = words(page, 'section[aria-labelledby="details-h"]');
    expect(details).toContain(`Package ID #${ids.basic}`);
    expect(details).toContain('Type Web hosting');
    expect(details).toContain('Invoiced every billing cycle.');
    expect(details).toContain('Billing cycle 1 month');
    expect(details).toContain('Next renewal 2026-04-01');
    const setup = words(page, 'section[aria-labelledby="setup-h"]');
    expect(setup).toContain('Extra IPv4 1 IP');
    expect(setup).toContain('Backups No');
    expect(setup).toContain('Operating system Debian 12');
    expect(setup).toContain('IP address 203.0.113.10');
    expect(words(page, '#panel-options')).toContain('Server web-7.example.test Control panel Fixture Panel');
    // The sign-in link is fetched when clicked, never part of the page.
    expect(page.$('#panel-login a').attr('href')).toBe(`/client/packages/${ids.basic}/panel-login`);
    expect(page.html).not.toContain('panel.example.test');
    // Upgrade / Downgrade: Add-ons and Packages.
    expect(page.$('#upgrade form.addons-form').attr('action')).toBe(`/client/packages/${ids.basic}/addons`);
    expect(words(page, '#upgrade .upgrade-packages tbody tr:nth-child(1)')).toBe('Premium Premium plan 25.00 USD Upgrade Perform Upgrade');
    expect(words(page, '#upgrade .upgrade-packages tbody tr:nth-child(2)')).toBe('Lite Lite plan 6.00 USD Downgrade Perform Downgrade');
    expect(page.$('#auto-renew button').text()).toBe('Turn auto-renew off');
    expect(page.$('#cancel textarea[name="reason"]')).toHaveLength(1);
    expect(page.$('#certificate')).toHaveLength(0);
  });

  it('renders a fixture plugin\'s section through the client.service.detail slot', async () => {
    const page = await client.get(`/client/packages/${ids.basic}`);
    expect(words(page, '#fixture-slot')).toBe(`Reboot client ${clientId} service ${ids.basic} hosting`);
  });

  it('offers no changes and no panel login for a suspended package, and says why', async () => {
    const page = await client.get(`/client/packages/${ids.suspended}`);
    expect(words(page, 'h1')).toContain('Suspended by staff');
    expect(words(page, '#upgrade')).toContain('The package can be changed while the service is active.');
    expect(page.$('#upgrade form')).toHaveLength(0);
    expect(words(page, '#panel-login')).toContain('You can sign in to the control panel while the package is active.');
    expect(page.$('#panel-login a')).toHaveLength(0);
  });

  it('shows a cancelled package as closed: nothing to change or cancel', async () => {
    const page = await client.get(`/client/packages/${ids.cancelled}`);
    expect(words(page, 'h1')).toBe('Old plan (gone.example.test) Cancelled');
    expect(words(page, 'section[aria-labelledby="details-h"]')).toContain('Not invoiced.');
    expect(page.$('#cancel form')).toHaveLength(0);
    expect(page.$('#auto-renew form')).toHaveLength(0);
    expect(words(page, '#panel-options')).toContain('This package is not linked to a hosting panel.');
    expect(words(page, '#panel-login')).toContain('This package has no control panel you can sign in to from here.');
  });
});

describe('Panel Login', () => {
  it('asks the module when the client clicks and redirects there', async () => {
    const res = await client.get(`/client/packages/${ids.basic}/panel-login`);
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toMatch(new RegExp(`^https://panel\\.example\\.test/sso\\?once=${ids.basic}-basic-`));
    expect(res.res.headers.get('cache-control')).toBe('no-store');
    const audit = await t.services.db('core_audit_log').where({ action: 'sso.panel_login', target: `service:${ids.basic}` }).first();
    expect(audit).toBeTruthy();
  });

  it('goes back to the page with the reason for a package that is not active, and for a link from another site', async () => {
    const res = await client.get(`/client/packages/${ids.suspended}/panel-login`);
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe(`/client/packages/${ids.suspended}#panel-login`);
    const page = await client.get(`/client/packages/${ids.suspended}`);
    expect(page.$('.flash-error').text()).toContain('while the service is active');
    const cross = await client.get(`/client/packages/${ids.basic}/panel-login`, { 'sec-fetch-site': 'cross-site' });
    expect(cross.res.headers.get('location')).toBe(`/client/packages/${ids.basic}#panel-login`);
  });
});

describe('auto-renew and cancellation', () => {
  it('turns auto-renew off and on, with a line in the service history', async () => {
    const off = await client.post(`/client/packages/${ids.basic}/auto-renew`, { auto_renew: '0' });
    expect(off.status).toBe(303);
    expect(await t.services.db('core_services').where({ id: ids.basic }).first('auto_renew')).toMatchObject({ auto_renew: expect.anything() });
    expect(Boolean((await t.services.db('core_services').where({ id: ids.basic }).first('auto_renew')).auto_renew)).toBe(false);
    const page = await client.get(`/client/packages/${ids.basic}`);
    expect(page.$('.flash-success').text()).toContain('Auto-renew is off');
    expect(words(page, 'section[aria-labelledby="details-h"]')).toContain('Next renewal Ends on 2026-04-01');
    await client.post(`/client/packages/${ids.basic}/auto-renew`, { auto_renew: '1' });
    expect(Boolean((await t.services.db('core_services').where({ id: ids.basic }).first('auto_renew')).auto_renew)).toBe(true);
    const history = await t.services.db('core_service_history').where({ service_id: ids.basic }).orderBy('id').pluck('reason');
    expect(history.slice(-2)).toEqual(['Auto-renew turned off by the client', 'Auto-renew turned on by the client']);
  });

  it('asks for a reason, records the request as pending, and lets the client withdraw it', async () => {
    const empty = await client.post(`/client/packages/${ids.basic}/cancel`, { reason: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.$('#f-reason-error').text()).toBe('Tell us why you want to cancel');

    const res = await client.post(`/client/packages/${ids.basic}/cancel`, { reason: 'Moving to our own servers' });
    expect(res.status).toBe(303);
    const db = t.services.db;
    const svc = await db('core_services').where({ id: ids.basic }).first('cancel_requested', 'auto_renew', 'status');
    expect(Boolean(svc.cancel_requested)).toBe(true);
    expect(Boolean(svc.auto_renew)).toBe(false); // no renewal invoice: the expiry run ends it after 2026-03-31
    expect(svc.status).toBe('active');
    expect(await db('core_service_cancel_requests').where({ service_id: ids.basic }).first('status', 'timing', 'effective_on', 'reason')).toEqual({
      status: 'pending', timing: 'end_of_period', effective_on: '2026-04-01', reason: 'Moving to our own servers',
    });
    const page = await client.get(`/client/packages/${ids.basic}`);
    expect(words(page, '.package-notice:first')).toContain('Cancellation requested. The package ends when its paid period does, on 2026-04-01');
    expect(words(page, '#cancel')).toContain('Request pending');
    expect(words(page, '#upgrade')).toContain('Withdraw the request to change its package.');
    const list = await client.get('/client/packages');
    expect(list.$('#packages tbody').text()).toContain('Cancellation requested');

    // Staff see it on the service page.
    await t.createUser('staff', 'staff@example.test', { role: 'admin' });
    const staff = t.agent();
    await staff.login('staff', 'staff@example.test');
    const admin = await staff.get(`/admin/billing/services/${ids.basic}`);
    expect(words(admin, '.billing-cancel-request')).toContain('Cancellation requested by the client');
    expect(words(admin, '.billing-cancel-request')).toContain('Moving to our own servers');

    const withdrawn = await client.post(`/client/packages/${ids.basic}/cancel/withdraw`);
    expect(withdrawn.status).toBe(303);
    const after = await db('core_services').where({ id: ids.basic }).first('cancel_requested', 'auto_renew');
    expect(Boolean(after.cancel_requested)).toBe(false);
    expect(Boolean(after.auto_renew)).toBe(true); // as it was before the request
    expect(await db('core_service_cancel_requests').where({ service_id: ids.basic }).first('status')).toEqual({ status: 'withdrawn' });
  });
});

describe('Manage Certificate', () => {
  it('shows the CSR, the contacts and the package summary as tabs', async () => {
    const manage = await client.get(`/client/packages/${ids.ssl}`);
    expect(manage.$('#certificate a').attr('href')).toBe(`/client/packages/${ids.ssl}/certificate`);
    const csr = await client.get(`/client/packages/${ids.ssl}/certificate`);
    keep('certificate', csr);
    expect(csr.status).toBe(200);
    expect(csr.$('.tabs a[aria-current="page"]').text()).toBe('CSR Information');
    expect(csr.$('.tabs a').map((_, a) => csr.$(a).attr('href')).get()).toEqual(['csr', 'contacts', 'summary'].map((tab) => `/client/packages/${ids.ssl}/certificate?tab=${tab}`));
    const panel = words(csr, '#certificate-panel');
    expect(panel).toContain('Common name shop.example.com');
    expect(panel).toContain('Organization Example GmbH');
    expect(panel).toContain('Country DE');
    expect(panel).toContain('approver_email admin@example.com');
    const contacts = await client.get(`/client/packages/${ids.ssl}/certificate?tab=contacts`);
    keep('certificate-contacts', contacts);
    expect(words(contacts, '#certificate-panel')).toContain('Technical contact Name Tess Tech');
    const summary = await client.get(`/client/packages/${ids.ssl}/certificate?tab=summary`);
    expect(words(summary, '#certificate-panel')).toContain('Package SSL Standard (shop.example.com) Created 2026-03-02 Billing cycle 1 year');
    // A package that is not a certificate has no such page.
    expect((await client.get(`/client/packages/${ids.basic}/certificate`)).status).toBe(404);
  });
});

describe('another client\'s package', () => {
  it('is not found on every route, read or write, and stays unchanged', async () => {
    const id = ids.theirs;
    const gets = ['', '/upgrade?to=' + catalog.premium.packageId, '/addons?addon.ipv4=3', '/panel-login', '/certificate'];
    for (const path of gets) expect((await client.get(`/client/packages/${id}${path}`)).status, `GET ${path}`).toBe(404);
    const posts: [string, Record<string, string>][] = [
      ['/upgrade', { to: String(catalog.premium.packageId), expected_total: '823', expected_price: '2500' }],
      ['/addons', { 'addon.ipv4': '3', expected_total: '329', expected_price: '1600' }],
      ['/change/withdraw', {}],
      ['/auto-renew', { auto_renew: '0' }],
      ['/cancel', { reason: 'not mine' }],
      ['/cancel/withdraw', {}],
    ];
    for (const [path, body] of posts) {
      const res = await client.post(`/client/packages/${id}${path}`, body);
      expect(res.status, `POST ${path}`).toBe(404);
      expect(res.html).not.toContain('theirs.example.test');
    }
    const db = t.services.db;
    const svc = await db('core_services').where({ id }).first('package_id', 'auto_renew', 'cancel_requested');
    expect(svc.package_id).toBe(catalog.basic.packageId);
    expect(Boolean(svc.auto_renew)).toBe(true);
    expect(Boolean(svc.cancel_requested)).toBe(false);
    expect(await db('core_service_upgrades').where({ service_id: id })).toEqual([]);
    expect(await db('core_invoices').where({ client_id: clientId, kind: 'upgrade' })).toEqual([]);
    // The owner still sees it.
    expect((await other.get(`/client/packages/${id}`)).status).toBe(200);
  });

  it('a form without the CSRF token is refused', async () => {
    const res = await client.post(`/client/packages/${ids.basic}/cancel`, { reason: 'no token' }, { csrf: null });
    expect(res.status).toBe(403);
    expect(await t.services.db('core_service_cancel_requests').where({ reason: 'no token' })).toEqual([]);
  });
});

describe('in Russian', () => {
  it('speaks Russian on the list and the Manage page', async () => {
    await client.post('/language', { lang: 'ru', next: '/client/packages' });
    const list = await client.get('/client/packages');
    expect(list.$('h1').text()).toBe('Пакеты');
    expect(list.$('#packages thead').text()).toContain('Номер пакета');
    expect(words(list, '#packages tbody')).toContain('1 месяц');
    expect(words(list, '#packages tbody')).toContain('Активна');
    expect(words(list, '.package-legend')).toContain('Счёт выставляется каждый расчётный период.');
    const page = await client.get(`/client/packages/${ids.basic}`);
    expect(page.$('#upgrade-h').text()).toBe('Смена тарифа');
    expect(page.$('#panel-options-h').text()).toBe('Параметры панели');
    expect(page.$('#panel-login-h').text()).toBe('Вход в панель');
    expect(page.$('#upgrade .upgrade-packages button').first().text()).toBe('Повысить тариф');
    expect(page.$('#cancel-h').text()).toBe('Отказ от услуги');
    const cert = await client.get(`/client/packages/${ids.ssl}/certificate?tab=summary`);
    expect(words(cert, '#certificate-panel')).toContain('1 год');
    await client.post('/language', { lang: 'en', next: '/client/packages' });
  });
});

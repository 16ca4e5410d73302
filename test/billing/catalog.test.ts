// The catalog admin pages as staff use them: plain forms (no JavaScript), field errors, roles, audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { getOffer, priceAddons } from '../../core/billing/catalog/offer.ts';
import { findPackageByInternalName } from '../../core/billing/catalog/offer.ts';
import { listPeriods, listEnumerationItems, findEnumerationByInternalName } from '../../core/billing/catalog/store.ts';

const CATALOG_TABLES = [
  'core_packages',
  'core_package_periods',
  'core_package_prices',
  'core_package_servers',
  'core_package_upgrades',
  'core_addons',
  'core_addon_prices',
  'core_currencies',
  'core_tax_rates',
  'core_enumerations',
  'core_enumeration_items',
  'core_item_types',
  'core_settings',
];

let t: TestApp;
let admin: Agent;

async function rowCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of CATALOG_TABLES) {
    const [{ n }] = (await t.services.db(table).count({ n: '*' })) as [{ n: number | string }];
    out[table] = Number(n);
  }
  const [{ n }] = (await t.services.db('core_audit_log').where('action', 'like', 'catalog.%').count({ n: '*' })) as [{ n: number | string }];
  out.audit = Number(n);
  return out;
}

/** Creates a package through the form and returns its id. */
async function createPackage(agent: Agent, fields: Record<string, string>): Promise<number> {
  const res = await agent.post('/admin/catalog/packages', { billing_type: 'period', active: '1', ...fields });
  expect(res.status, res.$('.field-error').text()).toBe(303);
  return Number(/\/packages\/(\d+)$/.exec(res.res.headers.get('location')!)![1]);
}

beforeAll(async () => {
  t = await createTestApp();
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  await t.createUser('staff', 'support@example.test', { role: 'support' });
  await t.createUser('staff', 'billing@example.test', { role: 'billing' });
  admin = t.agent();
  await admin.login('staff', 'admin@example.test');
  const eur = await admin.post('/admin/catalog/currencies', { code: 'EUR', name: 'Euro', symbol: '€', minor_units: '2', rate: '1.08' });
  expect(eur.status).toBe(303);
});
afterAll(async () => {
  await t.destroy();
});

describe('building a package', () => {
  it('creates a package with two periods priced in two currencies and add-ons of all three kinds', async () => {
    // An enumeration with items, as for the OS list of dedicated servers.
    const en = await admin.post('/admin/catalog/enumerations', { name: 'Operating systems', internal_name: 'ostempl' });
    expect(en.status).toBe(303);
    const enumUrl = en.res.headers.get('location')!;
    for (const [name, internal_name] of [['Debian 12', 'debian12'], ['Windows Server 2022', 'win2022']]) {
      expect((await admin.post(`${enumUrl}/items`, { name: name!, internal_name: internal_name! })).status).toBe(303);
    }
    const enumeration = (await findEnumerationByInternalName(t.services.db, 'ostempl'))!;
    const [debian, windows] = await listEnumerationItems(t.services.db, [enumeration.id]);

    const id = await createPackage(admin, { name: 'HP Core i5', internal_name: 'HPCorei5', item_type: 'dedicated', agreement: 'Servers are provided as is.' });
    const url = `/admin/catalog/packages/${id}`;
    const created = await admin.get(url);
    expect(created.$('.flash-success').text()).toMatch(/HP Core i5.*was added/);

    const form = await admin.get(`${url}/periods/new`);
    expect(form.$('#f-price-USD').length).toBe(1);
    expect(form.$('#f-setup-EUR').length).toBe(1);
    const month = await admin.post(`${url}/periods`, { kind: 'months', length: '1', active: '1', 'price.USD': '49.00', 'setup.USD': '25', 'price.EUR': '45.50', 'setup.EUR': '' });
    expect(month.status).toBe(303);
    expect(month.res.headers.get('location')).toBe(url);
    expect((await admin.post(`${url}/periods`, { kind: 'months', length: '12', active: '1', 'price.USD': '490', 'price.EUR': '455' })).status).toBe(303);
    const [m1, m12] = await listPeriods(t.services.db, [id]);

    // Step one of an add-on is a GET form: kind and enumeration, nothing saved.
    const chooser = await admin.get(`${url}/addons/new`);
    expect(chooser.$('form[method="get"] select[name="kind"]').length).toBe(1);
    const enumForm = await admin.get(`${url}/addons/new?kind=enum&enumeration=${enumeration.id}`);
    expect(enumForm.$(`input[name="price.${m1!.id}.${windows!.id}.EUR"]`).length).toBe(1);
    const os = await admin.post(`${url}/addons`, {
      kind: 'enum',
      enumeration_id: String(enumeration.id),
      name: 'Operating system',
      internal_name: 'os',
      default_value: 'debian12',
      required: '1',
      active: '1',
      [`price.${m1!.id}.${debian!.id}.USD`]: '0',
      [`price.${m1!.id}.${windows!.id}.USD`]: '20',
      [`price.${m1!.id}.${windows!.id}.EUR`]: '18.50',
      [`price.${m12!.id}.${debian!.id}.USD`]: '0',
      [`price.${m12!.id}.${windows!.id}.USD`]: '200',
    });
    expect(os.status, os.$('.field-error, .flash-error').text()).toBe(303);
    const backup = await admin.post(`${url}/addons`, { kind: 'logic', name: 'Daily backup', internal_name: 'backup', active: '1', [`price.${m1!.id}.0.USD`]: '5', [`price.${m12!.id}.0.USD`]: '50', [`price.${m1!.id}.0.EUR`]: '4.60' });
    expect(backup.status, backup.$('.field-error').text()).toBe(303);
    const ip = await admin.post(`${url}/addons`, {
      kind: 'number',
      name: 'IPv4 addresses',
      internal_name: 'ipv4',
      unit: 'IP',
      min: '1',
      max: '16',
      step: '1',
      included: '1',
      default_value: '1',
      active: '1',
      [`price.${m1!.id}.0.USD`]: '3',
      [`price.${m12!.id}.0.USD`]: '30',
    });
    expect(ip.status, ip.$('.field-error').text()).toBe(303);

    const page = await admin.get(url);
    const priceRow = page.$('#periods tbody tr').first();
    expect(priceRow.find('th').text().trim()).toBe('1 month');
    expect(priceRow.text()).toMatch(/49\.00 USD/);
    expect(priceRow.text()).toMatch(/\+ 25\.00 USD setup/);
    expect(priceRow.text()).toMatch(/45\.50 EUR/);
    expect(page.$('#addons .addon-block h3').map((_, h) => page.$(h).find('code').text()).get()).toEqual(['os', 'backup', 'ipv4']);
    expect(page.$('#addons').text()).toMatch(/18\.50 EUR/);
    expect(page.$('.catalog-warnings').length).toBe(0);

    // What the ordering code will read.
    const offer = (await getOffer(t.services.db, { packageId: id, periodId: m1!.id, currency: 'EUR' }))!;
    expect([offer.price, offer.setupFee]).toEqual([4550, 0]);
    expect(priceAddons(offer, { os: 'win2022', backup: '1', ipv4: '1' })).toMatchObject({ ok: true, total: 1850 + 460 });
    const usd = (await getOffer(t.services.db, { packageId: id, periodId: m12!.id, currency: 'USD' }))!;
    expect(priceAddons(usd, { os: 'win2022', ipv4: '4' }).total).toBe(20_000 + 3 * 3000);

    const audit = await t.services.db('core_audit_log').where('target', `package:${id}`).orderBy('id').select('action', 'actor_label');
    expect(audit.map((r) => r.action)).toEqual(['catalog.package_created', 'catalog.period_created', 'catalog.period_created', 'catalog.addon_created', 'catalog.addon_created', 'catalog.addon_created']);
    expect(new Set(audit.map((r) => r.actor_label))).toEqual(new Set(['admin@example.test']));
  });

  it('warns on the package page about what cannot be sold yet', async () => {
    const id = await createPackage(admin, { name: 'Warned', internal_name: 'warned', item_type: 'vds' });
    const url = `/admin/catalog/packages/${id}`;
    expect((await admin.get(url)).$('.catalog-warnings').text()).toMatch(/Add an active period with a price/);
    expect((await admin.post(`${url}/periods`, { kind: 'months', length: '1', active: '1', 'price.USD': '5' })).status).toBe(303);
    const [m1] = await listPeriods(t.services.db, [id]);
    expect((await admin.post(`${url}/addons`, { kind: 'logic', name: 'Backup', internal_name: 'backup', active: '1', [`price.${m1!.id}.0.USD`]: '1' })).status).toBe(303);
    expect((await admin.post(`${url}/periods`, { kind: 'trial', length: '14', active: '1', 'price.USD': '0' })).status).toBe(303);
    const warnings = (await admin.get(url)).$('.catalog-warnings li').map((_, li) => li.children.map((n) => ('data' in n ? n.data : '')).join('')).get();
    expect(warnings).toEqual([
      '14-day trial has no price in EUR: it cannot be ordered in EUR.',
      '1 month has no price in EUR: it cannot be ordered in EUR.',
      'Add-on “Backup” has no USD price for 14-day trial: it cannot be chosen with that period.',
    ]);
    expect((await admin.post(`${url}/delete`)).status).toBe(303);
  });

  it('lists packages sorted by any column, filtered by kind and status, with links that work without JavaScript', async () => {
    await createPackage(admin, { name: 'Alpha VDS', internal_name: 'vds-z', item_type: 'vds' });
    const zulu = await createPackage(admin, { name: 'Zulu VDS', internal_name: 'vds-a', item_type: 'vds' });
    expect((await admin.post(`/admin/catalog/packages/${zulu}/deactivate`)).status).toBe(303);
    const names = (page: Awaited<ReturnType<Agent['get']>>) => page.$('#packages-table tbody tr td:first-child').map((_, td) => page.$(td).text().trim()).get();

    const asc = await admin.get('/admin/catalog/packages');
    expect(names(asc)).toEqual(['Alpha VDS', 'HP Core i5', 'Zulu VDS']);
    const sortLink = asc.$('#packages-table th a').first().attr('href')!;
    expect(sortLink).toBe('/admin/catalog/packages?sort=name&dir=desc');
    expect(names(await admin.get(sortLink))).toEqual(['Zulu VDS', 'HP Core i5', 'Alpha VDS']);
    expect(names(await admin.get('/admin/catalog/packages?type=vds&sort=internal_name&dir=asc'))).toEqual(['Zulu VDS', 'Alpha VDS']);
    expect(names(await admin.get('/admin/catalog/packages?sort=item_type&dir=desc'))).toEqual(['Zulu VDS', 'Alpha VDS', 'HP Core i5']);
    expect(names(await admin.get('/admin/catalog/packages?type=vds'))).toEqual(['Alpha VDS', 'Zulu VDS']);
    const active = await admin.get('/admin/catalog/packages?type=vds&status=active&sort=name&dir=desc');
    expect(names(active)).toEqual(['Alpha VDS']);
    expect(active.$('#packages-table th a').first().attr('href')).toBe('/admin/catalog/packages?type=vds&status=active&sort=name&dir=asc');
    const fragment = await admin.get('/admin/catalog/packages?sort=name&dir=asc', { 'hx-request': 'true' });
    expect(fragment.html).not.toMatch(/<html/);
    expect(fragment.$('#packages-table tbody tr').length).toBe(3);
  });
});

describe('bad input', () => {
  it('gives a field message, keeps what was typed and changes nothing', async () => {
    const pkg = (await findPackageByInternalName(t.services.db, 'HPCorei5'))!;
    const url = `/admin/catalog/packages/${pkg.id}`;
    const [m1] = await listPeriods(t.services.db, [pkg.id]);
    const before = await rowCounts();

    const dup = await admin.post('/admin/catalog/packages', { name: 'Copy', internal_name: 'HPCorei5', item_type: 'dedicated', billing_type: 'period' });
    expect(dup.status).toBe(400);
    expect(dup.$('#f-internal_name-error').text()).toBe('An internal name must be unique');
    expect(dup.$('#f-name').attr('value')).toBe('Copy');

    const wrongType = await admin.post('/admin/catalog/packages', { name: 'X', internal_name: 'x-1', item_type: 'spaceship', billing_type: 'weekly' });
    expect(wrongType.$('#f-item_type-error').text()).toBe('Choose the kind of service from the list');
    expect(wrongType.$('#f-billing_type-error').text()).toBe('Choose how it is billed');

    const negative = await admin.post(`${url}/periods`, { kind: 'months', length: '3', 'price.USD': '-10', 'price.EUR': '9' });
    expect(negative.status).toBe(400);
    expect(negative.$('#f-price-USD-error').text()).toBe('Prices cannot be negative');
    expect(negative.$('#f-price-USD').attr('value')).toBe('-10');
    expect(negative.$('#f-price-EUR').attr('value')).toBe('9');

    const noBase = await admin.post(`${url}/periods`, { kind: 'months', length: '3', 'price.USD': '', 'price.EUR': '9' });
    expect(noBase.$('#f-price-USD-error').text()).toBe('Enter a price in USD');

    const unknownCurrency = await admin.post(`${url}/periods`, { kind: 'months', length: '3', 'price.USD': '10', 'price.XYZ': '9' });
    expect(unknownCurrency.status).toBe(400);
    expect(unknownCurrency.$('.flash-error').text()).toMatch(/XYZ is not one/);

    const duplicateTerm = await admin.post(`${url}/periods`, { kind: 'months', length: '1', 'price.USD': '10' });
    expect(duplicateTerm.$('#f-length-error').text()).toBe('This package already has a 1 month period');

    const addonNoBase = await admin.post(`${url}/addons`, { kind: 'logic', name: 'Monitoring', internal_name: 'monitoring', [`price.${m1!.id}.0.EUR`]: '1' });
    expect(addonNoBase.status).toBe(400);
    expect(addonNoBase.$(`#f-price-${m1!.id}-0-USD-error`).text()).toBe('Enter a price in USD');
    expect(addonNoBase.$(`#f-price-${m1!.id}-0-EUR`).attr('value')).toBe('1');

    const lower = await admin.post('/admin/catalog/currencies', { code: 'gbp', name: 'Pound', minor_units: '2', rate: '1.27' });
    expect(lower.status).toBe(400);
    expect(lower.$('#f-code-error').text()).toBe('Use the three-letter ISO 4217 code in capitals, e.g. EUR');
    expect(lower.$('#f-code').attr('value')).toBe('gbp');

    const rate = await admin.post('/admin/catalog/currencies', { code: 'GBP', name: 'Pound', minor_units: '2', rate: '1.2700001' });
    expect(rate.$('#f-rate-error').text()).toMatch(/at most 6 decimals/);

    const percent = await admin.post('/admin/catalog/taxes', { country: 'DE', name: 'VAT', rate: '19 percent' });
    expect(percent.status).toBe(400);
    expect(percent.$('#f-rate-error').text()).toBe('Enter a percentage from 0 to 100 with at most two decimals, like 20 or 7.25');

    const enumDup = await admin.post('/admin/catalog/enumerations', { name: 'Again', internal_name: 'ostempl' });
    expect(enumDup.$('#f-internal_name-error').text()).toBe('An internal name must be unique');

    expect(await rowCounts()).toEqual(before);
  });
});

describe('roles', () => {
  it('lets support and billing staff read the catalog but not change it', async () => {
    const pkg = (await findPackageByInternalName(t.services.db, 'HPCorei5'))!;
    const url = `/admin/catalog/packages/${pkg.id}`;
    const before = await rowCounts();
    for (const email of ['support@example.test', 'billing@example.test']) {
      const staff = t.agent();
      await staff.login('staff', email);
      const nav = (await staff.get('/admin')).$('nav.side-nav a').map((_, a) => a.attribs.href).get();
      expect(nav).toContain('/admin/catalog/packages');
      const list = await staff.get('/admin/catalog/packages');
      expect(list.status).toBe(200);
      expect(list.$('a[href="/admin/catalog/packages/new"]').length).toBe(0);
      const page = await staff.get(url);
      expect(page.status).toBe(200);
      expect(page.$('#periods').text()).toMatch(/49\.00 USD/);
      expect(page.$(`form[action^="${url}"]`).length).toBe(0);
      expect(page.$(`a[href="${url}/edit"]`).length).toBe(0);
      for (const path of ['/admin/catalog/currencies', '/admin/catalog/taxes', '/admin/catalog/enumerations', '/admin/catalog/item-types']) {
        const p = await staff.get(path);
        expect(p.status, path).toBe(200);
        expect(p.$('form[method="post"]').filter((_, f) => (f.attribs.action ?? '').startsWith('/admin/catalog')).length, path).toBe(0);
      }
      for (const path of ['/admin/catalog/packages/new', `${url}/edit`, `${url}/periods/new`, `${url}/addons/new?kind=logic`, '/admin/catalog/currencies/USD/edit']) {
        expect((await staff.get(path)).status, path).toBe(403);
      }
      const posts: [string, Record<string, string>][] = [
        ['/admin/catalog/packages', { name: 'Sneaky', internal_name: 'sneaky', item_type: 'vds', billing_type: 'period' }],
        [`${url}/periods`, { kind: 'days', length: '7', 'price.USD': '1' }],
        [`${url}/deactivate`, {}],
        [`${url}/delete`, {}],
        ['/admin/catalog/currencies/EUR/deactivate', {}],
        ['/admin/catalog/taxes', { country: 'FR', name: 'TVA', rate: '20' }],
        ['/admin/catalog/item-types/vds/disable', {}],
      ];
      for (const [path, fields] of posts) expect((await staff.post(path, fields)).status, path).toBe(403);
    }
    expect(await rowCounts()).toEqual(before);
    expect((await findPackageByInternalName(t.services.db, 'HPCorei5'))!.active).toBe(true);
  });
});

describe('keeping what is sold consistent', () => {
  it('refuses to delete a package with services and deactivates it instead', async () => {
    const id = await createPackage(admin, { name: 'Busy', internal_name: 'busy', item_type: 'vds' });
    const url = `/admin/catalog/packages/${id}`;
    expect((await admin.post(`${url}/periods`, { kind: 'months', length: '1', active: '1', 'price.USD': '5' })).status).toBe(303);
    const [period] = await listPeriods(t.services.db, [id]);
    const now = t.clock.now().toISOString();
    const [client] = await t.services.db('core_clients').insert({ name: 'Acme', email: 'acme@example.test', country: 'DE', currency: 'USD', created_at: now, updated_at: now }).returning('id');
    const clientId = typeof client === 'object' ? (client as { id: number }).id : (client as number);
    await t.services.db('core_services').insert({ client_id: clientId, package_id: id, item_type: 'vds', status: 'active', period_id: period!.id, period_kind: 'months', period_length: 1, currency: 'USD', price: 500, created_at: now, updated_at: now });

    const del = await admin.post(`${url}/delete`);
    expect(del.status).toBe(303);
    expect(del.res.headers.get('location')).toBe(url);
    expect((await admin.get(url)).$('.flash-error').text()).toMatch(/1 service was ordered from “Busy”, so it cannot be deleted\. Make it inactive instead/);
    const periodDel = await admin.post(`${url}/periods/${period!.id}/delete`);
    expect(periodDel.status).toBe(303);
    expect((await admin.get(url)).$('.flash-error').text()).toMatch(/cannot be deleted/);
    expect(await listPeriods(t.services.db, [id])).toHaveLength(1);
    expect(await getOffer(t.services.db, { packageId: id, periodId: period!.id, currency: 'USD' })).not.toBeNull();

    expect((await admin.post(`${url}/deactivate`)).status).toBe(303);
    expect((await admin.get(url)).$('h1 .badge').text()).toBe('Inactive');
    expect(await getOffer(t.services.db, { packageId: id, periodId: period!.id, currency: 'USD' })).toBeNull();
    // Its kind of service cannot change while services use it.
    const edit = await admin.post(url, { name: 'Busy', internal_name: 'busy', item_type: 'dedicated', billing_type: 'period' });
    expect(edit.$('#f-item_type-error').text()).toBe('1 service uses this package, so its kind of service cannot change');
  });

  it('deletes a package nobody ordered, with its periods and prices', async () => {
    const id = await createPackage(admin, { name: 'Short-lived', internal_name: 'short-lived', item_type: 'vds' });
    expect((await admin.post(`/admin/catalog/packages/${id}/periods`, { kind: 'lifetime', 'price.USD': '99' })).status).toBe(303);
    const del = await admin.post(`/admin/catalog/packages/${id}/delete`);
    expect(del.res.headers.get('location')).toBe('/admin/catalog/packages');
    expect(await findPackageByInternalName(t.services.db, 'short-lived')).toBeNull();
    expect(await listPeriods(t.services.db, [id])).toEqual([]);
    expect((await admin.get(`/admin/catalog/packages/${id}`)).status).toBe(404);
  });

  it('offers only switched-on kinds of service for new packages', async () => {
    expect((await admin.post('/admin/catalog/item-types/colocation/disable')).status).toBe(303);
    const form = await admin.get('/admin/catalog/packages/new');
    const offered = form.$('#f-item_type option').map((_, o) => o.attribs.value).get();
    expect(offered).not.toContain('colocation');
    expect(offered).toContain('dedicated');
    const refused = await admin.post('/admin/catalog/packages', { name: 'Rack', internal_name: 'rack', item_type: 'colocation', billing_type: 'period' });
    expect(refused.$('#f-item_type-error').text()).toBe('Colocation is switched off under Service kinds; switch it on first');
    expect((await admin.post('/admin/catalog/item-types/colocation/enable')).status).toBe(303);
    expect((await admin.get('/admin/catalog/packages/new')).$('#f-item_type option[value="colocation"]').length).toBe(1);
  });

  it('keeps the base currency active and asks for new rates when the base changes', async () => {
    const refuse = await admin.post('/admin/catalog/currencies/USD/deactivate');
    expect(refuse.status).toBe(303);
    expect((await admin.get('/admin/catalog/currencies')).$('.flash-error').text()).toMatch(/USD is the base currency and cannot be deactivated/);
    expect((await admin.post('/admin/catalog/currencies/EUR/base')).status).toBe(303);
    const page = await admin.get('/admin/catalog/currencies');
    expect(page.$('.flash-warning').text()).toMatch(/The rates of USD were recalculated .* Re-enter today’s rates/);
    expect(page.$('#currencies-table tbody tr').filter((_, tr) => page.$(tr).find('td').first().text().trim() === 'USD').find('td').eq(4).text().trim()).toBe('0.925926');
    const badRate = await admin.post('/admin/catalog/currencies/USD', { name: 'US dollar', symbol: '$', rate: '0' });
    expect(badRate.$('#f-rate-error').text()).toBe('Enter the price of one USD in EUR, e.g. 98.123456 (a positive number, at most 6 decimals)');
    expect((await admin.post('/admin/catalog/currencies/USD', { name: 'US dollar', symbol: '$', rate: '0.92' })).status).toBe(303);
    expect((await admin.post('/admin/catalog/currencies/USD/base')).status).toBe(303);
    const rows = await t.services.db('core_currencies').whereIn('code', ['USD', 'EUR']).orderBy('code').select('code', 'rate_to_base');
    expect(rows.map((r) => [r.code, Number(r.rate_to_base)])).toEqual([
      ['EUR', 1_086_957],
      ['USD', 1_000_000],
    ]);
  });

  it('refuses to delete an enumeration an add-on uses', async () => {
    const e = (await findEnumerationByInternalName(t.services.db, 'ostempl'))!;
    await admin.post(`/admin/catalog/enumerations/${e.id}/delete`);
    expect((await admin.get(`/admin/catalog/enumerations/${e.id}`)).$('.flash-error').text()).toMatch(/is used by the add-on “Operating system” of HP Core i5/);
    expect(await findEnumerationByInternalName(t.services.db, 'ostempl')).not.toBeNull();
  });

  it('stores tax rates and the tax mode, and records both in the audit log', async () => {
    expect((await admin.post('/admin/catalog/taxes', { country: 'US', region: 'CA', name: 'Sales tax', rate: '7.25' })).status).toBe(303);
    expect((await admin.post('/admin/catalog/taxes/settings', { prices_include_tax: '1' })).status).toBe(303);
    const page = await admin.get('/admin/catalog/taxes');
    expect(page.$('#taxes-table').text()).toMatch(/7\.25 %/);
    expect(page.$('#f-prices_include_tax').attr('checked')).toBeDefined();
    expect(await t.services.settings.get('billing.catalog')).toEqual({ pricesIncludeTax: true });
    const actions = (await t.services.db('core_audit_log').whereIn('action', ['catalog.tax_rate_added', 'catalog.settings_saved']).select('action')).map((r) => r.action).sort();
    expect(actions).toEqual(['catalog.settings_saved', 'catalog.tax_rate_added']);
  });
});

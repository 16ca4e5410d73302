// The staff order form: client, then a package sold in the client's currency, then period, add-ons,
// label, parameters and a first-invoice discount. Bad input is answered beside its field and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../helpers/app.ts';
import { createClient } from '../../core/billing/clients/index.ts';
import { listPeriods } from '../../core/billing/catalog/store.ts';

let t: TestApp;
let admin: Agent;
const ids = { vds: 0, month: 0, year: 0, euroWeb: 0, euroPeriod: 0, client: 0, euroClient: 0 };
const ORDER_TABLES = ['core_services', 'core_service_addons', 'core_service_history', 'core_invoices', 'core_invoice_lines', 'core_outbox', 'core_service_operations', 'core_audit_log'];

const text = (page: PageResult, selector: string) => page.$(selector).text().replace(/\s+/g, ' ').trim();

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ORDER_TABLES) {
    const [{ n }] = (await t.services.db(table).count({ n: '*' })) as [{ n: number | string }];
    out[table] = Number(n);
  }
  return out;
}

async function created(res: PageResult): Promise<string> {
  expect(res.status, res.$('.field-error, .flash-error').text()).toBe(303);
  return res.res.headers.get('location')!;
}

async function client(currency: string, first: string): Promise<number> {
  const r = await createClient(t.services.db, { client: { country: 'DE', currency }, contact: { firstName: first, lastName: 'Example', email: `${first.toLowerCase()}@example.test`, country: 'DE', emailActions: ['invoices'] } }, { clock: t.clock, actor: { type: 'system', label: 'test' } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value.clientId;
}

/** A valid order of the VDS package; tests spoil one field at a time. */
const order = (over: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  clientId: String(ids.client),
  packageId: String(ids.vds),
  periodId: String(ids.month),
  'addon.os': 'win2022',
  'addon.backup': ['0', '1'],
  'addon.ipv4': '3',
  label: 'vds1.example.test',
  domain: 'vds1.example.test',
  params: 'ip=192.0.2.10\nrack=A7',
  discount: '',
  ...over,
});

beforeAll(async () => {
  t = await createTestApp();
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  await t.createUser('staff', 'support@example.test', { role: 'support' });
  admin = t.agent();
  await admin.login('staff', 'admin@example.test');
  await created(await admin.post('/admin/catalog/currencies', { code: 'EUR', name: 'Euro', symbol: '€', minor_units: '2', rate: '1.08' }));
  const en = await created(await admin.post('/admin/catalog/enumerations', { name: 'Operating systems', internal_name: 'ostempl' }));
  await created(await admin.post(`${en}/items`, { name: 'Debian 12', internal_name: 'debian12' }));
  await created(await admin.post(`${en}/items`, { name: 'Windows Server 2022', internal_name: 'win2022' }));
  const enumId = Number(/(\d+)$/.exec(en)![1]);
  const [debian, windows] = (await t.services.db('core_enumeration_items').where({ enumeration_id: enumId }).orderBy('position').select('id')) as { id: number }[];

  const vds = await created(await admin.post('/admin/catalog/packages', { name: 'VDS M', internal_name: 'vds-m', item_type: 'vds', billing_type: 'period', active: '1', description: '2 vCPU, 4 GB' }));
  ids.vds = Number(/(\d+)$/.exec(vds)![1]);
  await created(await admin.post(`${vds}/periods`, { kind: 'months', length: '1', active: '1', 'price.USD': '10.00', 'setup.USD': '' }));
  await created(await admin.post(`${vds}/periods`, { kind: 'months', length: '12', active: '1', 'price.USD': '100.00', 'setup.USD': '' }));
  const [m, y] = await listPeriods(t.services.db, [ids.vds]);
  ids.month = m!.id;
  ids.year = y!.id;
  await created(await admin.post(`${vds}/addons`, {
    kind: 'enum', enumeration_id: String(enumId), name: 'Operating system', internal_name: 'os', default_value: 'debian12', required: '1', active: '1',
    [`price.${m!.id}.${debian!.id}.USD`]: '0', [`price.${m!.id}.${windows!.id}.USD`]: '5', [`price.${y!.id}.${debian!.id}.USD`]: '0', [`price.${y!.id}.${windows!.id}.USD`]: '50',
  }));
  await created(await admin.post(`${vds}/addons`, { kind: 'logic', name: 'Daily backup', internal_name: 'backup', active: '1', [`price.${m!.id}.0.USD`]: '2', [`price.${y!.id}.0.USD`]: '20' }));
  await created(await admin.post(`${vds}/addons`, {
    kind: 'number', name: 'IPv4 addresses', internal_name: 'ipv4', unit: 'IP', min: '1', max: '8', step: '1', included: '1', default_value: '1', active: '1', [`price.${m!.id}.0.USD`]: '1.50', [`price.${y!.id}.0.USD`]: '15',
  }));

  const euro = await created(await admin.post('/admin/catalog/packages', { name: 'Euro Web', internal_name: 'euro-web', item_type: 'hosting', billing_type: 'period', active: '1' }));
  ids.euroWeb = Number(/(\d+)$/.exec(euro)![1]);
  await created(await admin.post(`${euro}/periods`, { kind: 'months', length: '1', active: '1', 'price.USD': '8.00', 'price.EUR': '7.00' }));
  ids.euroPeriod = (await listPeriods(t.services.db, [ids.euroWeb]))[0]!.id;

  ids.client = await client('USD', 'Anna');
  ids.euroClient = await client('EUR', 'Boris');
});
afterAll(async () => {
  await t?.destroy();
});

describe('choosing what to order', () => {
  it('lists active clients, then only the packages priced in the chosen client’s currency', async () => {
    const start = await admin.get('/admin/billing/order');
    expect(start.status).toBe(200);
    expect(start.$('#f-client option').map((_, o) => start.$(o).text()).get()).toEqual(['Choose a client…', `Anna Example · #${ids.client} · USD`, `Boris Example · #${ids.euroClient} · EUR`]);
    expect(start.$('#f-package').length).toBe(0);
    expect(start.$('#order-form').length).toBe(0);

    const usd = await admin.get(`/admin/billing/order?client=${ids.client}`);
    expect(usd.$('#f-package option').map((_, o) => usd.$(o).text()).get()).toEqual(['Choose a package…', 'Euro Web (from 8.00 USD)', 'VDS M (from 10.00 USD)']);
    const eur = await admin.get(`/admin/billing/order?client=${ids.euroClient}`);
    expect(eur.$('#f-package option').map((_, o) => eur.$(o).text()).get()).toEqual(['Choose a package…', 'Euro Web (from 7.00 EUR)']);
    // A package not sold in the client's currency is not offered, even from a link: the page stays at step one.
    const wrong = await admin.get(`/admin/billing/order?client=${ids.euroClient}&package=${ids.vds}`);
    expect(wrong.$('#order-form').length).toBe(0);
  });

  it('asks for each add-on the way its kind needs: a list, a yes/no box, a number with its range', async () => {
    const page = await admin.get(`/admin/billing/order?client=${ids.client}&package=${ids.vds}`);
    expect(page.$('#f-periodId option').map((_, o) => page.$(o).text()).get()).toEqual(['1 month — 10.00 USD', '1 year — 100.00 USD']);
    expect(page.$('select#f-addon-os option').map((_, o) => page.$(o).text()).get()).toEqual(['Debian 12 (included)', 'Windows Server 2022 (+5.00 USD)']);
    expect(page.$('select#f-addon-os option[selected]').attr('value')).toBe('debian12');
    expect(page.$('input[type="checkbox"]#f-addon-backup').length).toBe(1);
    expect(page.$('input[type="hidden"][name="addon.backup"]').attr('value')).toBe('0');
    expect(text(page, 'label[for="f-addon-backup"]')).toBe('Daily backup (+2.00 USD)');
    const ip = page.$('input[type="number"]#f-addon-ipv4');
    expect([ip.attr('min'), ip.attr('max'), ip.attr('step'), ip.attr('value')]).toEqual(['1', '8', '1', '1']);
    expect(text(page, '#f-addon-ipv4-hint')).toBe('1–8; 1.50 USD per IP beyond the 1 included.');
  });

  it('swaps only the add-on section, with the new period’s prices and the choices kept, when htmx asks', async () => {
    const qs = new URLSearchParams({ clientId: String(ids.client), packageId: String(ids.vds), periodId: String(ids.year), 'addon.os': 'win2022', 'addon.ipv4': '4', label: 'x' });
    qs.append('addon.backup', '0');
    qs.append('addon.backup', '1');
    const fragment = await admin.get(`/admin/billing/order?${qs}`, { 'hx-request': 'true' });
    expect(fragment.html).not.toMatch(/<html|side-nav/);
    expect(text(fragment, '#order-addons .hint').startsWith('Prices per period for 1 year.')).toBe(true);
    expect(fragment.$('select#f-addon-os option[selected]').text()).toBe('Windows Server 2022 (+50.00 USD)');
    expect(fragment.$('#f-addon-backup').attr('checked')).toBeDefined();
    expect(fragment.$('#f-addon-ipv4').attr('value')).toBe('4');
  });
});

describe('bad input', () => {
  const cases: [string, Record<string, string | string[]>, string, RegExp][] = [
    ['no client', { clientId: '' }, 'f-client', /Choose a client/],
    ['a package not sold in the client’s currency', { clientId: 'euro' }, 'f-package', /Choose a package that can be ordered in EUR/],
    ['a period of another package', { periodId: 'euro' }, 'f-periodId', /cannot be ordered for that period in USD/],
    ['a period that is not a number', { periodId: 'x1' }, 'f-periodId', /Choose one of the periods listed/],
    ['an operating system that is not on the list', { 'addon.os': 'freebsd' }, 'f-addon-os', /Choose one of: Debian 12, Windows Server 2022/],
    ['more IP addresses than the maximum', { 'addon.ipv4': '20' }, 'f-addon-ipv4', /IPv4 addresses: .*8/],
    ['a yes/no add-on answered with something else', { 'addon.backup': 'maybe' }, 'f-addon-backup', /Answer “Daily backup” with yes \(1\) or no \(0\)/],
    ['a negative discount', { discount: '-1.00' }, 'f-discount', /A discount must be zero or more/],
    ['a discount that is not an amount', { discount: '5,5,5' }, 'f-discount', /Enter an amount such as 5\.00/],
    ['a discount larger than the first invoice', { discount: '100' }, 'f-discount', /cannot be more than the first invoice before tax, 20\.00 USD/],
    ['a label that is too long', { label: 'x'.repeat(256) }, 'f-label', /at most 255 characters/],
    ['parameters that are not name=value', { params: 'ip 192.0.2.10' }, 'f-params', /Write each parameter as name=value/],
  ];

  it.each(cases)('refuses %s with a message beside the field, keeps the input and changes nothing', async (_what, over, fieldId, message) => {
    const fields = order(over);
    if (fields.periodId === 'euro') fields.periodId = String(ids.euroPeriod);
    if (fields.clientId === 'euro') fields.clientId = String(ids.euroClient);
    const before = await counts();
    const res = await admin.post('/admin/billing/order', fields);
    expect(res.status).toBe(400);
    expect(res.$(`#${fieldId}-error`).text()).toMatch(message);
    expect(res.$(`#${fieldId}`).attr('aria-invalid')).toBe('true');
    expect(res.$('.flash-error').text()).toMatch(/correct the fields/);
    if (fieldId !== 'f-label' && fieldId !== 'f-client' && fieldId !== 'f-package') expect(res.$('#f-label').attr('value')).toBe('vds1.example.test');
    expect(await counts()).toEqual(before);
  });

  it('refuses an order for a client who is not active', async () => {
    await t.services.db('core_clients').where({ id: ids.euroClient }).update({ status: 'suspended' });
    const before = await counts();
    const res = await admin.post('/admin/billing/order', { clientId: String(ids.euroClient), packageId: String(ids.euroWeb), periodId: String(ids.euroPeriod) });
    expect(res.status).toBe(400);
    expect(res.$('#f-client-error').text()).toMatch(/The client is suspended; reactivate it before ordering/);
    expect(await counts()).toEqual(before);
    await t.services.db('core_clients').where({ id: ids.euroClient }).update({ status: 'active' });
  });

  it('is closed to support staff', async () => {
    const support = t.agent();
    await support.login('staff', 'support@example.test');
    expect((await support.get('/admin/billing/order')).status).toBe(403);
    const before = await counts();
    expect((await support.post('/admin/billing/order', order())).status).toBe(403);
    expect(await counts()).toEqual(before);
  });
});

describe('placing an order', () => {
  it('creates the pending service with its add-ons and parameters and shows the invoice with the discount', async () => {
    const res = await admin.post('/admin/billing/order', order({ discount: '1.50' }));
    const location = await created(res);
    const invoice = await admin.get(location);
    expect(text(invoice, '.flash-success')).toMatch(/^Order placed: service #(\d+) is pending until invoice INV-\d+ for 18\.50 USD is paid\.$/);
    const serviceId = Number(/service #(\d+)/.exec(text(invoice, '.flash-success'))![1]);
    expect(invoice.$('.invoice-lines tbody tr td:first-child').map((_, td) => invoice.$(td).contents().first().text().trim()).get()).toEqual([
      'VDS M (vds1.example.test), 1 month',
      'Operating system: Windows Server 2022',
      'Daily backup: yes',
      'IPv4 addresses: 3 IP (1 included)',
    ]);
    expect(text(invoice, '.invoice-lines tfoot')).toMatch(/Subtotal\s*20\.00 USD\s*Discount\s*−1\.50 USD\s*Tax\s*0\.00 USD\s*Total\s*18\.50 USD/);

    const svc = (await t.services.db('core_services').where({ id: serviceId }).first()) as { status: string; label: string; params: string; price: number | string };
    expect(svc.status).toBe('pending');
    expect(svc.label).toBe('vds1.example.test');
    expect(JSON.parse(svc.params)).toEqual({ ip: '192.0.2.10', rack: 'A7', domain: 'vds1.example.test' });
    expect(Number(svc.price)).toBe(20_00);

    const page = await admin.get(`/admin/billing/services/${serviceId}`);
    const rows = page.$('#prov-h ~ table tbody tr').map((_, tr) => page.$(tr).find('td').map((__, td) => page.$(td).text().trim()).get().join(' | ')).get();
    expect(rows).toEqual(['Operating system | Windows Server 2022 | 5.00 USD', 'Daily backup | yes | 2.00 USD', 'IPv4 addresses | 3 IP | 3.00 USD']);
    const params = page.$('#prov-h ~ dl.details:last-of-type dt').map((_, dt) => `${page.$(dt).text()}=${page.$(dt).next('dd').text()}`).get();
    expect(params).toEqual(['ip=192.0.2.10', 'rack=A7', 'domain=vds1.example.test']);
  });

  it('pays an order discounted to nothing at once and queues its set-up', async () => {
    const res = await admin.post('/admin/billing/order', order({ 'addon.os': 'debian12', 'addon.backup': '0', 'addon.ipv4': '1', discount: '10.00', label: 'free.example.test' }));
    const invoice = await admin.get(await created(res));
    expect(text(invoice, '.flash-success')).toMatch(/comes to nothing and is paid, so the set-up operation was queued/);
    expect(text(invoice, 'h1')).toMatch(/Paid$/);
    const serviceId = Number(/service #(\d+)/.exec(text(invoice, '.flash-success'))![1]);
    expect((await t.services.db('core_services').where({ id: serviceId }).first('status')).status).toBe('in_progress');
    expect(await t.services.db('core_service_operations').where({ service_id: serviceId, op: 'open' }).count({ n: '*' }).then((r) => Number((r[0] as { n: number | string }).n))).toBe(1);
  });
});

// Importing rate plans from pricelist.export, then renaming and repricing them with margins (seed 001).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resellerApp, type ResellerFixture } from './helpers.ts';

let f: ResellerFixture;
beforeAll(async () => {
  f = await resellerApp();
});
afterAll(async () => {
  await f.close();
});

async function tariffIdOf(upstreamId: string): Promise<number> {
  const row = (await f.t.services.db('bmr_tariffs').where({ upstream_id: upstreamId }).first('id')) as { id: number };
  return Number(row.id);
}

describe('importing rate plans', () => {
  it('lists the upstream tariffs of the server’s kind with their periods and costs', async () => {
    const page = await f.staff.get(`/admin/billmanager-reseller/import?server=${f.servers.vds}`);
    expect(page.status).toBe(200);
    const rows = page.$('tbody tr');
    expect(rows).toHaveLength(7);
    const vds1 = rows.filter((_, tr) => page.$(tr).text().includes('VDS-1'));
    expect(vds1.find('input[name="tariff"]').attr('value')).toBe('101');
    expect(vds1.text()).toMatch(/1 month: 5\.00 EUR/);
    expect(vds1.text()).toMatch(/1 year: 54\.00 EUR/);
    const domain = rows.filter((_, tr) => page.$(tr).text().includes('Domain .ru'));
    expect(domain.find('input[name="tariff"]')).toHaveLength(0);
    expect(domain.text()).toMatch(/this server provides vds/);
  });

  it('refuses an empty choice and a tariff of another kind, importing nothing', async () => {
    const none = await f.staff.post('/admin/billmanager-reseller/import', { server: String(f.servers.vds) });
    expect(none.status).toBe(400);
    expect(none.$('#f-tariff-error').text()).toBe('Choose at least one tariff to import');
    const wrong = await f.staff.post('/admin/billmanager-reseller/import', { server: String(f.servers.vds), tariff: ['101', '301'] });
    expect(wrong.status).toBe(400);
    expect(wrong.$('#f-tariff-error').text()).toBe('“Domain .ru”: Sells domain; this server provides vds. Nothing was imported.');
    expect(Number(((await f.t.services.db('bmr_tariffs').count({ n: '*' })) as [{ n: number }])[0].n)).toBe(0);
  });

  it('creates a switched-off package per tariff with the upstream periods, costs and OS choice', async () => {
    const res = await f.staff.post('/admin/billmanager-reseller/import', { server: String(f.servers.vds), tariff: ['101', '102'] });
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe('/admin/billmanager-reseller/plans');
    const db = f.t.services.db;
    const pkg = (await db('core_packages').where({ internal_name: `bmr-${f.servers.vds}-101` }).first()) as { id: number; name: string; item_type: string; active: boolean | number };
    expect(pkg).toMatchObject({ name: 'VDS-1 (1 vCPU, 1 GB RAM, 20 GB SSD)', item_type: 'vds' });
    expect(Boolean(pkg.active)).toBe(false);
    const periods = (await db('core_package_periods').where({ package_id: pkg.id }).orderBy('length').select('kind', 'length')) as { kind: string; length: number }[];
    expect(periods.map((p) => `${p.kind}:${p.length}`)).toEqual(['months:1', 'months:3', 'months:12']);
    const costs = (await db('bmr_tariff_periods').where({ tariff_id: await tariffIdOf('101') }).orderBy('code').select('code', 'cost')) as { code: number; cost: number }[];
    expect(costs.map((c) => [Number(c.code), Number(c.cost)])).toEqual([[1, 500], [3, 1450], [12, 5400]]);
    expect(await db('core_package_servers').where({ package_id: pkg.id }).pluck('server_id')).toEqual([f.servers.vds]);
    const os = (await db('core_addons').where({ package_id: pkg.id }).first()) as { internal_name: string; kind: string; required: boolean | number };
    expect(os).toMatchObject({ internal_name: 'ostempl', kind: 'enum' });
    const again = await f.staff.get(`/admin/billmanager-reseller/import?server=${f.servers.vds}`);
    expect(again.$('tbody tr').filter((_, tr) => again.$(tr).text().includes('VDS-1')).text()).toMatch(/Imported/);
    const list = await f.staff.get('/admin/billmanager-reseller/plans');
    expect(list.$('#bmr-plans tbody tr')).toHaveLength(2);
    expect(list.$('#bmr-plans').text()).toMatch(/Switched off/);
  });

  it('imports a domain tariff with its zone to the domain server', async () => {
    const res = await f.staff.post('/admin/billmanager-reseller/import', { server: String(f.servers.domain), tariff: ['301', '303'] });
    expect(res.status).toBe(303);
    const rows = (await f.t.services.db('bmr_tariffs').where({ server_id: f.servers.domain }).orderBy('upstream_id').select('upstream_id', 'tld', 'currency')) as { upstream_id: string; tld: string; currency: string }[];
    expect(rows).toEqual([{ upstream_id: '301', tld: 'ru', currency: 'RUB' }, { upstream_id: '303', tld: 'com', currency: 'RUB' }]);
  });
});

describe('renaming and repricing a plan', () => {
  it('shows the upstream cost converted to each currency with the core exchange rates', async () => {
    const page = await f.staff.get(`/admin/billmanager-reseller/plans/${await tariffIdOf('101')}`);
    expect(page.status).toBe(200);
    const month = page.$('.bmr-prices tbody tr').first();
    expect(month.find('th').text()).toBe('1 month');
    expect(month.text()).toMatch(/5\.00 EUR/);
    // 5 EUR at 1.08 USD = 5.40 USD; in roubles at 0.011 USD: 490.91 RUB.
    expect(month.text()).toMatch(/cost 5\.40 USD/);
    expect(month.text()).toMatch(/cost 490\.91 RUB/);
  });

  it('gives field errors for a sold period without a price and a bad amount, and saves nothing', async () => {
    const id = await tariffIdOf('101');
    const plan = await f.staff.get(`/admin/billmanager-reseller/plans/${id}`);
    const periodIds = plan.$('.bmr-prices input[type=checkbox]').map((_, el) => plan.$(el).attr('name')!.split('.')[1]).get();
    const res = await f.staff.post(`/admin/billmanager-reseller/plans/${id}`, {
      name: '',
      active: '1',
      [`sell.${periodIds[0]}`]: '1',
      [`price.${periodIds[0]}.USD`]: '',
      [`sell.${periodIds[1]}`]: '1',
      [`price.${periodIds[1]}.USD`]: '-3',
      [`price.${periodIds[2]}.EUR`]: '1.234',
    });
    expect(res.status).toBe(400);
    expect(res.$('#f-name-error').text()).toBe('Enter the name clients see');
    expect(res.$(`#f-price-${periodIds[0]}-USD-error`).text()).toBe('Enter a price in USD for 1 month, or stop selling this period');
    expect(res.$(`#f-price-${periodIds[1]}-USD-error`).text()).toBe('Prices cannot be negative');
    expect(res.$(`#f-price-${periodIds[2]}-EUR-error`).text()).toBe('EUR has 2 decimal places at most');
    const pkg = (await f.t.services.db('core_packages').where({ internal_name: `bmr-${f.servers.vds}-101` }).first()) as { id: number; name: string };
    expect(pkg.name).toBe('VDS-1 (1 vCPU, 1 GB RAM, 20 GB SSD)');
    expect(await f.t.services.db('core_package_prices').whereIn('period_id', periodIds.map(Number))).toHaveLength(0);
  });

  it('renames it, prices the sold periods, stops one, puts it on sale and shows the margin', async () => {
    const id = await tariffIdOf('101');
    const plan = await f.staff.get(`/admin/billmanager-reseller/plans/${id}`);
    const [month, quarter, year] = plan.$('.bmr-prices input[type=checkbox]').map((_, el) => plan.$(el).attr('name')!.split('.')[1]).get();
    const res = await f.staff.post(`/admin/billmanager-reseller/plans/${id}`, {
      name: 'Cloud S',
      description: 'One core, 1 GB',
      active: '1',
      [`sell.${month}`]: '1',
      [`price.${month}.USD`]: '9.00',
      [`price.${month}.RUB`]: '790',
      [`sell.${year}`]: '1',
      [`price.${year}.USD`]: '90',
      [`price.${quarter}.USD`]: '',
    });
    expect(res.status).toBe(303);
    const db = f.t.services.db;
    const pkg = (await db('core_packages').where({ internal_name: `bmr-${f.servers.vds}-101` }).first()) as { id: number; name: string; active: boolean | number };
    expect(pkg.name).toBe('Cloud S');
    expect(Boolean(pkg.active)).toBe(true);
    const offers = await f.t.services.db('core_package_prices').whereIn('period_id', [Number(month), Number(year)]).orderBy('price').select('currency', 'price');
    expect(offers.map((o: { currency: string; price: number }) => `${o.currency} ${Number(o.price)}`)).toEqual(['USD 900', 'USD 9000', 'RUB 79000']);
    const q = (await db('core_package_periods').where({ id: Number(quarter) }).first()) as { active: boolean | number };
    expect(Boolean(q.active)).toBe(false);
    // The OS choice is free wherever the period is priced, so the add-on can be chosen.
    expect(await db('core_addon_prices').where({ period_id: Number(month), currency: 'USD' })).toHaveLength(3);
    const page = await f.staff.get(`/admin/billmanager-reseller/plans/${id}`);
    const first = page.$('.bmr-prices tbody tr').first();
    expect(first.text()).toMatch(/margin 3\.60 USD \(40%\)/);
    expect(first.text()).toMatch(/margin 299\.09 RUB \(37\.9%\)/);
    const list = await f.staff.get('/admin/billmanager-reseller/plans');
    expect(list.$('#bmr-plans').text()).toMatch(/Cloud S/);
  });

  it('is orderable by clients once on sale', async () => {
    const { listOrderablePackages } = await import('../../../core/billing/catalog/offer.ts');
    const offers = await listOrderablePackages(f.t.services.db, { itemType: 'vds', currency: 'USD' });
    expect(offers.map((o) => o.name)).toEqual(['Cloud S']);
    expect(offers[0]!.periods.map((p) => p.price)).toEqual([900, 9000]);
  });
});

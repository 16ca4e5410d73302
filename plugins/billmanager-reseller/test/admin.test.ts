// The plugin's other admin pages: what is resold (switching item types), upstream price changes noticed
// once and accepted or dismissed, and ordering a domain for a client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAndPrice, resellerApp, runJob, serviceRow, type ResellerFixture } from './helpers.ts';

let f: ResellerFixture;
beforeAll(async () => {
  f = await resellerApp({ credit: 10_000 });
});
afterAll(async () => {
  await f.close();
});

async function itemTypeEnabled(id: string): Promise<boolean> {
  const row = (await f.t.services.db('core_item_types').where({ id }).first('enabled')) as { enabled: boolean | number };
  return Boolean(row.enabled);
}

describe('what is resold', () => {
  it('switches the item types with the plugin’s switches, at once', async () => {
    const page = await f.staff.get('/admin/billmanager-reseller/features');
    expect(page.$('#f-resellDomains').attr('checked')).toBeDefined();
    expect(page.$('#f-resellHosting').attr('checked')).toBeUndefined();
    const res = await f.staff.post('/admin/billmanager-reseller/features', { resellDomains: '1', resellVds: '1', resellHosting: '1' });
    expect(res.status).toBe(303);
    expect(await itemTypeEnabled('dedicated')).toBe(false);
    expect(await itemTypeEnabled('hosting')).toBe(true);
    const saved = await f.t.services.settings.resolvePluginSettings('billmanager-reseller', (await import('../settings.ts')).billmanagerSettings as never);
    expect(saved).toMatchObject({ ok: true, value: { resellDomains: true, resellDedicated: false, resellHosting: true, requestTimeoutSeconds: 30 } });
  });

  it('takes domain ordering away from clients while domains are not resold', async () => {
    await f.staff.post('/admin/billmanager-reseller/features', { resellVds: '1' });
    expect(await itemTypeEnabled('domain')).toBe(false);
    expect((await f.client.get('/client/billmanager-reseller/domains/order')).status).toBe(404);
    await f.staff.post('/admin/billmanager-reseller/features', { resellDomains: '1', resellVds: '1', resellDedicated: '1' });
    expect(await itemTypeEnabled('domain')).toBe(true);
    expect((await f.client.get('/client/billmanager-reseller/domains/order')).status).toBe(200);
  });
});

describe('upstream price changes', () => {
  let tariffId: number;

  it('notices a changed cost and a new period once, with one ticket', async () => {
    ({ tariffId } = await importAndPrice(f, { server: 'vds', upstreamId: '101', name: 'Cloud S', prices: { 1: '9.00', 12: '90.00' } }));
    expect((await runJob(f, 'prices')).counts['price changes noticed'] ?? 0).toBe(0);
    const tariff = f.upstream.state.tariffs.get(101)!;
    tariff.periods = [{ code: 1, cost: 600 }, { code: 3, cost: 1450 }, { code: 12, cost: 5400 }, { code: 24, cost: 10000 }];
    expect((await runJob(f, 'prices')).counts['price changes noticed']).toBe(1);
    expect((await runJob(f, 'prices')).counts['price changes noticed'] ?? 0).toBe(0);
    const tickets = await f.t.services.db('core_tickets').where('dedupe_key', 'like', 'bmr.price-change:%');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ department_id: f.departmentId, subject: 'Upstream changed the prices of “Cloud S”' });
    const page = await f.staff.get('/admin/billmanager-reseller/changes');
    const text = page.$('main section.card').first().text();
    expect(text).toMatch(/1 month: 5\.00 EUR → 6\.00 EUR/);
    expect(text).toMatch(/2 years: new, 100\.00 EUR/);
    const plan = await f.staff.get(`/admin/billmanager-reseller/plans/${tariffId}`);
    expect(plan.$('main').text()).toMatch(/1 change to review/);
  });

  it('records the new costs when accepted and adds the new period switched off', async () => {
    const change = (await f.t.services.db('bmr_price_changes').first('id')) as { id: number };
    const res = await f.staff.post(`/admin/billmanager-reseller/changes/${change.id}/accept`);
    expect(res.status).toBe(303);
    const costs = (await f.t.services.db('bmr_tariff_periods').where({ tariff_id: tariffId }).orderBy('code').select('code', 'cost')) as { code: number; cost: number }[];
    expect(costs.map((c) => [Number(c.code), Number(c.cost)])).toEqual([[1, 600], [3, 1450], [12, 5400], [24, 10000]]);
    const plan = await f.staff.get(`/admin/billmanager-reseller/plans/${tariffId}`);
    const twoYears = plan.$('.bmr-prices tbody tr').filter((_, tr) => plan.$(tr).find('th').text() === '2 years');
    expect(twoYears.find('input[type=checkbox]').attr('checked')).toBeUndefined();
    expect(plan.$('.bmr-prices tbody tr').first().text()).toMatch(/6\.00 EUR/);
    expect((await runJob(f, 'prices')).counts['price changes noticed'] ?? 0).toBe(0);
    const again = await f.staff.post(`/admin/billmanager-reseller/changes/${change.id}/dismiss`);
    expect(again.status).toBe(303);
    expect((await f.t.services.db('bmr_price_changes').where({ id: change.id }).first('status')) as { status: string }).toEqual({ status: 'accepted' });
  });

  it('tells once when the upstream withdraws a tariff, and dismissing keeps the costs', async () => {
    f.upstream.state.tariffs.delete(101);
    expect((await runJob(f, 'prices')).counts['price changes noticed']).toBe(1);
    const page = await f.staff.get('/admin/billmanager-reseller/changes');
    expect(page.$('main section.card').first().text()).toMatch(/no longer offers this tariff/);
    const change = (await f.t.services.db('bmr_price_changes').where({ status: 'open' }).first('id')) as { id: number };
    await f.staff.post(`/admin/billmanager-reseller/changes/${change.id}/dismiss`);
    expect((await runJob(f, 'prices')).counts['price changes noticed'] ?? 0).toBe(0);
    expect(await f.t.services.db('bmr_tariff_periods').where({ tariff_id: tariffId })).toHaveLength(4);
  });
});

describe('ordering a domain for a client', () => {
  it('checks the name, then orders in the client’s name with their contacts', async () => {
    await importAndPrice(f, { server: 'domain', upstreamId: '301', name: 'Domain .ru', prices: { 12: '15.00' } });
    const none = await f.staff.get('/admin/billmanager-reseller/domains/order?client=&name=shop&zone=ru');
    expect(none.status).toBe(400);
    expect(none.$('#f-client-error').text()).toBe('Choose an active client from the list');
    const busy = await f.staff.get(`/admin/billmanager-reseller/domains/order?client=${f.clientId}&name=busy&zone=ru`);
    expect(busy.status).toBe(409);
    expect(busy.$('.bmr-availability').text()).toMatch(/Busy/);
    const free = await f.staff.get(`/admin/billmanager-reseller/domains/order?client=${f.clientId}&name=ada-shop&zone=ru`);
    expect(free.status).toBe(200);
    const offer = free.$('#f-offer option').first().attr('value')!;
    const contact = free.$('#f-contact_owner option').first().attr('value')!;
    const res = await f.staff.post('/admin/billmanager-reseller/domains/order', { client: String(f.clientId), name: 'ada-shop', zone: 'ru', offer, contact_owner: contact, contact_admin: contact, contact_tech: contact, contact_bill: contact });
    expect(res.status).toBe(303);
    const id = Number(res.res.headers.get('location')!.split('/').pop());
    const svc = (await f.t.services.db('core_services').where({ id }).first('client_id', 'label', 'status')) as { client_id: number; label: string; status: string };
    expect(svc).toMatchObject({ client_id: f.clientId, label: 'ada-shop.ru', status: 'pending' });
    expect((await serviceRow(f, id)).processing_server_id).toBe(f.servers.domain);
  });
});

describe('the overview', () => {
  it('shows the BILLmanager servers, the plans and the changes to review, with the plugin’s pages linked', async () => {
    await f.t.services.processing.checkConnection(f.servers.domain);
    const page = await f.staff.get('/admin/billmanager-reseller');
    expect(page.status).toBe(200);
    expect(page.$('main .card').first().text()).toMatch(/billmanager-domain\.example\.test\s+domain\s+connected/);
    expect(page.$('main .big-number').text()).toBe('2');
    expect(page.$('.bmr-subnav a').map((_, a) => page.$(a).attr('href')).get()).toContain('/admin/billmanager-reseller/registrars');
    expect(page.$('.bmr-subnav a[aria-current="page"]').text()).toBe('Overview');
    const registrars = await f.staff.get('/admin/billmanager-reseller/registrars');
    expect(registrars.status).toBe(200);
    expect(registrars.$('tbody').text()).toMatch(/No registrar yet/);
  });
});

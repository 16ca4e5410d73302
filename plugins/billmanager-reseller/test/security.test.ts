// Route security of the plugin: every state change needs the CSRF token, admin pages are for staff
// (changes for admins), and a client never sees or touches another client's domains (404, not 403).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAndPrice, resellerApp, type ResellerFixture } from './helpers.ts';
import type { Agent } from '../../../test/helpers/app.ts';

let f: ResellerFixture;
let domainId: number;
let registrarId: number;
let tariffId: number;
let support: Agent;
let billing: Agent;

beforeAll(async () => {
  f = await resellerApp({ credit: 10_000 });
  const plan = await importAndPrice(f, { server: 'domain', upstreamId: '301', prices: { 12: '15.00' } });
  tariffId = plan.tariffId;
  const placed = await f.t.services.billing.placeOrder({ clientId: f.clientId, packageId: plan.packageId, periodId: plan.periodIds[12]!, label: 'private.ru', params: { domain: 'private.ru' }, actor: { type: 'client', label: 'test' } });
  domainId = placed.serviceId;
  // Active, so the registrar forms are shown and accepted for its owner.
  await f.t.services.db('core_services').where({ id: domainId }).update({ status: 'active', expires_on: '2027-03-02' });
  const reg = await f.staff.post('/admin/billmanager-reseller/registrars', { name: 'Reg', server_id: String(f.servers.domain), min_balance: '0', min_balance_currency: 'RUB' });
  registrarId = Number(reg.res.headers.get('location')!.split('/').pop());
  await f.t.createUser('staff', 'support@example.test', { role: 'support' });
  await f.t.createUser('staff', 'billing@example.test', { role: 'billing' });
  support = f.t.agent();
  await support.login('staff', 'support@example.test');
  billing = f.t.agent();
  await billing.login('staff', 'billing@example.test');
});
afterAll(async () => {
  await f.close();
});

const ADMIN = '/admin/billmanager-reseller';
const CLIENT = '/client/billmanager-reseller';

describe('CSRF', () => {
  it('refuses every state change of the admin pages without the token', async () => {
    for (const path of [`${ADMIN}/import`, `${ADMIN}/plans/${tariffId}`, `${ADMIN}/registrars`, `${ADMIN}/registrars/${registrarId}`, `${ADMIN}/registrars/${registrarId}/check`, `${ADMIN}/registrars/${registrarId}/delete`, `${ADMIN}/changes/1/accept`, `${ADMIN}/features`, `${ADMIN}/domains/order`]) {
      const res = await f.staff.post(path, { name: 'x', server: String(f.servers.domain) }, { csrf: null });
      expect(res.status, path).toBe(403);
    }
    expect(await f.t.services.db('bmr_registrars')).toHaveLength(1);
  });

  it('refuses every state change of the client pages without the token', async () => {
    for (const path of [`${CLIENT}/domains/order`, `${CLIENT}/domains/${domainId}/pay`, `${CLIENT}/domains/${domainId}/nameservers`, `${CLIENT}/domains/${domainId}/lock`, `${CLIENT}/domains/${domainId}/autorenew`]) {
      const res = await f.client.post(path, { lock: 'on' }, { csrf: null });
      expect(res.status, path).toBe(403);
    }
    expect(await f.t.services.db('core_service_operations').where({ service_id: domainId, op: 'set_param' })).toHaveLength(0);
  });
});

describe('staff only', () => {
  it('sends visitors to sign in and refuses clients and support staff', async () => {
    const anonymous = f.t.agent();
    const res = await anonymous.get(`${ADMIN}/plans`);
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toMatch(/^\/admin\/login/);
    for (const path of [ADMIN, `${ADMIN}/plans`, `${ADMIN}/registrars/${registrarId}`, `${ADMIN}/import`, `${ADMIN}/changes`, `${ADMIN}/features`, `${ADMIN}/domains/order`]) {
      expect((await f.client.get(path)).status, path).toBe(403);
      expect((await support.get(path)).status, path).toBe(403);
    }
  });

  it('lets billing staff look and order for a client, but only admins change the catalog and registrars', async () => {
    expect((await billing.get(`${ADMIN}/plans/${tariffId}`)).status).toBe(200);
    expect((await billing.get(`${ADMIN}/registrars/${registrarId}`)).status).toBe(200);
    expect((await billing.post(`${ADMIN}/plans/${tariffId}`, { name: 'Hijacked' })).status).toBe(403);
    expect((await billing.post(`${ADMIN}/registrars/${registrarId}/delete`)).status).toBe(403);
    expect((await billing.post(`${ADMIN}/features`, {})).status).toBe(403);
    expect((await billing.post(`${ADMIN}/import`, { server: String(f.servers.vds), tariff: '101' })).status).toBe(403);
    expect((await billing.get(`${ADMIN}/domains/order`)).status).toBe(200);
    const pkg = (await f.t.services.db('core_packages as p').join('bmr_tariffs as t', 't.package_id', 'p.id').where('t.id', tariffId).first('p.name')) as { name: string };
    expect(pkg.name).not.toBe('Hijacked');
  });

  it('keeps staff out of the client pages', async () => {
    expect((await f.staff.get(`${CLIENT}/domains`)).status).toBe(403);
  });
});

describe('a client never sees another client’s domains', () => {
  it('answers 404 to every page and action on another client’s domain', async () => {
    expect((await f.client.get(`${CLIENT}/domains/${domainId}`)).status).toBe(200);
    expect((await f.other.get(`${CLIENT}/domains/${domainId}`)).status).toBe(404);
    await f.other.get(`${CLIENT}/domains`);
    for (const [path, fields] of [
      ['pay', {}],
      ['nameservers', { 'ns.0': 'ns1.evil.example', 'ns.1': 'ns2.evil.example' }],
      ['lock', { lock: 'off' }],
      ['autorenew', { autorenew: 'off' }],
    ] as const) {
      expect((await f.other.post(`${CLIENT}/domains/${domainId}/${path}`, fields)).status, path).toBe(404);
    }
    expect(await f.t.services.db('core_service_operations').where({ service_id: domainId, op: 'set_param' })).toHaveLength(0);
    const invoice = (await f.t.services.db('core_invoices').where({ client_id: f.clientId }).first('status')) as { status: string };
    expect(invoice.status).toBe('unpaid');
  });

  it('lists only the client’s own domains', async () => {
    const mine = await f.client.get(`${CLIENT}/domains`);
    expect(mine.$('#bmr-domains tbody').text()).toMatch(/private\.ru/);
    const theirs = await f.other.get(`${CLIENT}/domains`);
    expect(theirs.$('#bmr-domains tbody').text()).not.toMatch(/private\.ru/);
    expect(theirs.$('#bmr-domains tbody').text()).toMatch(/You have no domains here yet/);
  });

  it('does not order with another client’s contact', async () => {
    const other = (await f.t.services.db('core_contacts').where({ client_id: f.otherClientId }).first('id')) as { id: number };
    const offer = `${(await f.t.services.db('bmr_tariffs').where({ id: tariffId }).first('package_id')).package_id}:x`;
    const res = await f.client.post(`${CLIENT}/domains/order`, { name: 'stolen-contact', zone: 'ru', offer, contact_owner: String(other.id), contact_admin: String(other.id), contact_tech: String(other.id), contact_bill: String(other.id) });
    expect(res.status).toBe(400);
    expect(res.$('#f-contact_owner-error').text()).toBe('Choose one of your contacts');
  });
});

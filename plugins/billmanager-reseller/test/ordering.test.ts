// Ordering through to active (placeOrder → payment → the operations queue → the checkevent job): a
// domain from the client's pages with the whois answers of seed 001, and a virtual server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAndPrice, operationsOf, orderAndPay, resellerApp, runJob, serviceRow, type ResellerFixture } from './helpers.ts';

let f: ResellerFixture;
let domainOffer: string;
beforeAll(async () => {
  f = await resellerApp({ credit: 10_000 });
  const ru = await importAndPrice(f, { server: 'domain', upstreamId: '301', name: 'Domain .ru', prices: { 12: '15.00' } });
  await importAndPrice(f, { server: 'domain', upstreamId: '303', name: 'Domain .com', prices: { 12: '19.00', 24: '36.00' } });
  domainOffer = `${ru.packageId}:${ru.periodIds[12]}`;
});
afterAll(async () => {
  await f.close();
});

const ORDER = '/client/billmanager-reseller/domains/order';

describe('checking a name (seed 001)', () => {
  it('offers the zones of the imported domain plans', async () => {
    const page = await f.client.get(ORDER);
    expect(page.status).toBe(200);
    expect(page.$('#f-zone option').map((_, o) => page.$(o).text()).get()).toEqual(['.com', '.ru']);
  });

  it('wants the name without its zone', async () => {
    const page = await f.client.get(`${ORDER}?name=mycompany.ru&zone=ru`);
    expect(page.status).toBe(400);
    expect(page.$('#f-name-error').text()).toBe('Enter the name without the zone: choose the zone from the list');
    const bad = await f.client.get(`${ORDER}?name=-bad-&zone=xx`);
    expect(bad.$('#f-name-error').text()).toMatch(/Latin letters/);
    expect(bad.$('#f-zone-error').text()).toBe('Choose a zone from the list');
  });

  it('says "Busy" for a name somebody registered', async () => {
    const page = await f.client.get(`${ORDER}?name=yandex&zone=ru`);
    expect(page.status).toBe(409);
    expect(page.$('.bmr-availability').text()).toMatch(/Busy\s+yandex\.ru is already registered/);
    expect(page.$(`form[method="post"][action="${ORDER}"]`)).toHaveLength(0);
  });

  it('gives the "Try later" error while the whois server is down', async () => {
    f.upstream.state.whoisDown = true;
    try {
      const page = await f.client.get(`${ORDER}?name=freshname&zone=ru`);
      expect(page.status).toBe(503);
      expect(page.$('.bmr-availability [role=alert]').text()).toMatch(/^Try later\./);
      expect(page.$(`form[method="post"][action="${ORDER}"]`)).toHaveLength(0);
    } finally {
      f.upstream.state.whoisDown = false;
    }
  });

  it('speaks Russian to a client who chose it', async () => {
    await f.client.post('/language', { lang: 'ru', next: ORDER });
    try {
      const page = await f.client.get(`${ORDER}?name=yandex&zone=ru`);
      expect(page.$('h1').text()).toBe('Регистрация домена');
      expect(page.$('.bmr-availability').text()).toMatch(/Занят/);
      const free = await f.client.get(`${ORDER}?name=svobodnoe&zone=ru`);
      expect(free.$('.bmr-availability').text()).toMatch(/Свободен\s+svobodnoe\.ru можно зарегистрировать/);
      expect(free.$('#f-offer option').text()).toBe('Domain .ru — 1 год — 15.00 USD');
      expect(free.$('label[for="f-contact_owner"]').text()).toMatch(/Администратор домена \(владелец\)/);
    } finally {
      await f.client.post('/language', { lang: 'en', next: ORDER });
    }
  });
});

describe('registering a domain from the client area', () => {
  let serviceId: number;

  it('continues with a free name to plan, period, contacts and name servers', async () => {
    const page = await f.client.get(`${ORDER}?name=adas-garden&zone=ru`);
    expect(page.status).toBe(200);
    expect(page.$('.bmr-availability').text()).toMatch(/Free\s+adas-garden\.ru can be registered/);
    expect(page.$('#f-offer option').map((_, o) => page.$(o).text()).get()).toEqual(['Domain .ru — 1 year — 15.00 USD']);
    expect(page.$('#f-contact_owner option').text()).toMatch(/Ada Lovelace <ada@example.test>/);
  });

  it('gives field errors for a foreign contact, a bad name server and a plan of another zone, and orders nothing', async () => {
    const other = (await f.t.services.db('core_contacts').where({ client_id: f.otherClientId }).first('id')) as { id: number };
    const res = await f.client.post(ORDER, { name: 'adas-garden', zone: 'ru', offer: '999:1', contact_owner: String(other.id), contact_admin: '', contact_tech: '', contact_bill: '', 'ns.0': 'ns1.example.com', 'ns.1': 'not a host' });
    expect(res.status).toBe(400);
    expect(res.$('#f-offer-error').text()).toBe('Choose a rate plan and period from the list');
    expect(res.$('#f-contact_owner-error').text()).toBe('Choose one of your contacts');
    expect(res.$('#f-ns-1-error').text()).toBe('Enter a host name, like ns1.example.com');
    expect(await f.t.services.db('core_services').where({ client_id: f.clientId })).toHaveLength(0);
  });

  it('places the order: a pending domain and its invoice', async () => {
    const contact = (await f.t.services.db('core_contacts').where({ client_id: f.clientId }).first('id')) as { id: number };
    const c = String(contact.id);
    const res = await f.client.post(ORDER, { name: 'adas-garden', zone: 'ru', offer: domainOffer, contact_owner: c, contact_admin: c, contact_tech: c, contact_bill: c, 'ns.0': 'ns1.adas.example', 'ns.1': 'ns2.adas.example' });
    expect(res.status).toBe(303);
    serviceId = Number(res.res.headers.get('location')!.split('/').pop());
    const svc = await serviceRow(f, serviceId);
    expect(svc.status).toBe('pending');
    expect(JSON.parse(svc.params)).toMatchObject({ domain: 'adas-garden.ru', nameservers: ['ns1.adas.example', 'ns2.adas.example'], contact_owner: { first_name: 'Ada', email: 'ada@example.test', phone: '+7.4951234567' } });
    const page = await f.client.get(`/client/billmanager-reseller/domains/${serviceId}`);
    expect(page.$('h1').text()).toBe('adas-garden.ru');
    expect(page.$('.cards').text()).toMatch(/15\.00 USD/);
    expect(page.$(`form[action="/client/billmanager-reseller/domains/${serviceId}/pay"]`)).toHaveLength(1);
  });

  it('registers it upstream once paid, and shows it active after the checkevent job', async () => {
    const paid = await f.client.post(`/client/billmanager-reseller/domains/${serviceId}/pay`);
    expect(paid.status).toBe(303);
    expect((await serviceRow(f, serviceId)).status).toBe('in_progress');
    await f.t.services.processing.runDue();
    const [order] = f.upstream.calls('domain.order.api');
    expect(order!.params).toMatchObject({ domain: 'adas-garden.ru', pricelist: '301', period: '12', action: 'register', ns0: 'ns1.adas.example', ns1: 'ns2.adas.example', owner_email: 'ada@example.test', customer_first_name: 'Ada' });
    expect((await serviceRow(f, serviceId)).status).toBe('in_progress');
    // The registration takes the upstream three minutes; its event reaches Trellis by the job.
    f.clock.advance(5 * 60_000);
    const run = await runJob(f, 'checkevent');
    expect(run.counts['services changed']).toBe(1);
    const svc = await serviceRow(f, serviceId);
    expect(svc.status).toBe('active');
    expect(svc.external_id).toBe('1001');
    expect(svc.expires_on).toBe('2027-03-02');
    expect(JSON.parse(svc.params)).toMatchObject({ upstream_id: '1001', nameservers: ['ns1.adas.example', 'ns2.adas.example'], registrar_lock: 'off' });
    // The queued open finds the domain open at its next try and completes without ordering again.
    f.clock.advance(60_000);
    await f.t.services.processing.runDue();
    expect((await operationsOf(f, serviceId))[0]!.status).toBe('done');
    expect(f.upstream.calls('domain.order.api')).toHaveLength(1);
    const page = await f.client.get(`/client/billmanager-reseller/domains/${serviceId}`);
    expect(page.$('.bmr-head .badge').text()).toBe('Active');
    const list = await f.client.get('/client/billmanager-reseller/domains');
    expect(list.$('#bmr-domains tbody').text()).toMatch(/adas-garden\.ru/);
  });

  it('sends name servers, the lock and autorenew to the upstream as operations', async () => {
    const base = `/client/billmanager-reseller/domains/${serviceId}`;
    expect((await f.client.post(`${base}/nameservers`, { 'ns.0': 'ns1.new.example', 'ns.1': 'ns2.new.example' })).status).toBe(303);
    expect((await f.client.post(`${base}/lock`, { lock: 'on' })).status).toBe(303);
    await f.t.services.processing.runDue();
    expect(f.upstream.calls('domain.ns').at(-1)!.params).toMatchObject({ elid: '1001', ns0: 'ns1.new.example', ns1: 'ns2.new.example', sok: 'ok' });
    expect(f.upstream.calls('domain.edit').at(-1)!.params).toMatchObject({ elid: '1001', lock: 'on', sok: 'ok' });
    expect(f.upstream.state.services.get(1001)).toMatchObject({ ns: ['ns1.new.example', 'ns2.new.example'], lock: true });
    expect((await f.client.post(`${base}/autorenew`, { autorenew: 'off' })).status).toBe(303);
    await f.t.services.processing.runDue();
    expect(f.upstream.calls('domain.edit').at(-1)!.params).toMatchObject({ autoprolong: 'off' });
    const svc = (await f.t.services.db('core_services').where({ id: serviceId }).first('params', 'auto_renew')) as { params: string; auto_renew: boolean | number };
    expect(Boolean(svc.auto_renew)).toBe(false);
    expect(JSON.parse(svc.params)).toMatchObject({ nameservers: ['ns1.new.example', 'ns2.new.example'], registrar_lock: 'on', autorenew: 'off' });
    // The portal's domain pages queue the same operation with the client-area keys: contacts, password, DNS.
    const admin = { first_name: 'Grace', last_name: 'Hopper', company: '', email: 'grace@example.test', address1: 'Main St 1', address2: '', city: 'Arlington', state: 'VA', zip: '22201', country: 'US', phone: '+1.7035550100', fax: '' };
    await f.t.services.processing.enqueue(f.t.services.db, { serviceId, op: 'set_param', payload: { changes: { contact_admin: admin, auth_code: 'Tr4nsfer!', dns_records: [{ type: 'A', name: '@', value: '192.0.2.1' }] } } });
    await f.t.services.processing.runDue();
    expect(f.upstream.calls('domain.edit').at(-1)!.params).toMatchObject({ admin_first_name: 'Grace', admin_email: 'grace@example.test', admin_phone: '+1.7035550100' });
    expect(f.upstream.state.services.get(1001)!.authCode).toBe('Tr4nsfer!');
    const last = (await operationsOf(f, serviceId)).at(-1)!;
    expect(last.status).toBe('done');
    expect(JSON.parse(last.result!).message).toBe('Recorded in Trellis only (the upstream has no such setting): dns_records.');
    // More than four name servers: the fifth and later go in ns_additional (PROTOCOLS §2.2).
    const five = ['ns1.many.example', 'ns2.many.example', 'ns3.many.example', 'ns4.many.example', 'ns5.many.example'];
    await f.t.services.processing.enqueue(f.t.services.db, { serviceId, op: 'set_param', payload: { changes: { nameservers: five } } });
    await f.t.services.processing.runDue();
    expect(f.upstream.calls('domain.ns').at(-1)!.params).toMatchObject({ ns3: 'ns4.many.example', ns_additional: 'ns5.many.example' });
    expect(f.upstream.state.services.get(1001)!.ns).toEqual(five);
    expect(JSON.parse((await serviceRow(f, serviceId)).params).nameservers).toEqual(five);
    const bad = await f.client.post(`${base}/nameservers`, { 'ns.0': 'only-one.example' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-ns-error').text()).toMatch(/at least two name servers/);
  });
});

describe('a virtual server', () => {
  it('goes through to active with its IP from the upstream events', async () => {
    const { packageId, periodIds } = await importAndPrice(f, { server: 'vds', upstreamId: '102', prices: { 1: '20.00' } });
    const id = await orderAndPay(f, { packageId, periodId: periodIds[1]!, label: 'box.example.test', addons: { ostempl: 'Ubuntu-24.04' } });
    await f.t.services.processing.runDue();
    const order = f.upstream.calls('vds.order.param').at(-1)!;
    expect(order.params).toMatchObject({ pricelist: '102', period: '1', ostempl: 'Ubuntu-24.04', skipbasket: 'on', domain: 'box.example.test' });
    expect((await serviceRow(f, id)).status).toBe('in_progress');
    f.clock.advance(5 * 60_000);
    await runJob(f, 'checkevent');
    const svc = await serviceRow(f, id);
    expect(svc.status).toBe('active');
    expect(JSON.parse(svc.params)).toMatchObject({ ostempl: 'Ubuntu-24.04', ip: expect.stringMatching(/^10\.0\.0\.\d+$/) });
  });
});

// Portal Domains: the list across packages, and each registrar function queued as a set_param
// operation whose progress the pages show — on a module that implements setParam and on the manual one.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import type { Agent, PageResult } from '../../../test/helpers/app.ts';
import { insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { insertServer } from '../../../test/processing/fixtures.ts';
import type { ProcessingModule } from '../../../core/processing/types.ts';
import { clientArea } from '../../../core/plugins/api.ts';

let f: PortalFixture;
let staffId: number;
/** What the fixture registrar was asked to change, in order. */
const sent: Record<string, unknown>[] = [];
const registrar: ProcessingModule = {
  name: 'test-registrar',
  title: 'Test registrar',
  itemTypes: ['domain'],
  features: ['set_param'],
  async setParam(_ctx, _service, changes) {
    sent.push(changes);
    return {};
  },
};

const ids = { automatic: 0, manual: 0, hosting: 0, theirs: 0, spare: 0 };
const PARAMS = {
  nameservers: ['ns1.host.test', 'ns2.host.test'],
  registrar_lock: 'on',
  dns_hosted: 'on',
  dns_records: [{ type: 'A', name: '@', value: '192.0.2.10' }],
  auth_code: 'Tr4nsfer!Code',
};

async function setParams(id: number, params: Record<string, unknown>) {
  await f.t.services.db('core_services').where({ id }).update({ params: JSON.stringify(params) });
}

async function operationsOf(id: number) {
  return (await f.t.services.db('core_service_operations').where({ service_id: id }).orderBy('id')) as { id: number; op: string; status: string; payload: string }[];
}

async function paramsOf(id: number): Promise<Record<string, unknown>> {
  const row = (await f.t.services.db('core_services').where({ id }).first('params')) as { params: string };
  return JSON.parse(row.params) as Record<string, unknown>;
}

/** Writes a page to /tmp when DOMAINS_DUMP is set, to look at it in a browser. */
function dump(name: string, page: PageResult): PageResult {
  if (process.env.DOMAINS_DUMP) {
    fs.mkdirSync('/tmp/dv', { recursive: true });
    fs.writeFileSync(`/tmp/dv/${name}.html`, page.html.replaceAll('href="/static/', 'href="file:///work/main/static/'));
  }
  return page;
}

async function runQueue() {
  return f.t.services.processing.runDue();
}

beforeAll(async () => {
  f = await portalApp();
  const db = f.t.services.db;
  f.t.services.processing.registerModule(registrar);
  staffId = await f.t.createUser('staff', 'staff@example.test', { role: 'admin' });
  const automaticServer = await insertServer(f.t, { module: 'test-registrar', itemType: 'domain' });
  const manualServer = await insertServer(f.t, { module: 'manual', itemType: 'domain' });
  const { packageId: domainPackage } = await insertPackage(db, { name: '.test domain', itemType: 'domain' });
  const { packageId: hostingPackage } = await insertPackage(db, { name: 'Hosting S', itemType: 'hosting' });
  ids.automatic = await insertService(db, { clientId: f.clientId, packageId: domainPackage, itemType: 'domain', label: 'ada-lovelace.test', serverId: automaticServer, expiresOn: '2027-01-15' });
  ids.manual = await insertService(db, { clientId: f.clientId, packageId: domainPackage, itemType: 'domain', label: 'analytical-engine.test', serverId: manualServer, expiresOn: '2026-11-30' });
  ids.spare = await insertService(db, { clientId: f.clientId, packageId: domainPackage, itemType: 'domain', label: 'bernoulli.test', serverId: automaticServer, expiresOn: '2026-12-01' });
  ids.hosting = await insertService(db, { clientId: f.clientId, packageId: hostingPackage, itemType: 'hosting', label: 'web1' });
  ids.theirs = await insertService(db, { clientId: f.otherClientId, packageId: domainPackage, itemType: 'domain', label: 'theirs.test', serverId: automaticServer });
  for (const id of [ids.automatic, ids.manual, ids.spare, ids.theirs]) await setParams(id, PARAMS);
  await setParams(ids.hosting, { domain: 'difference-engine.test', ip: '192.0.2.44' });
});
afterAll(async () => {
  await f.t.destroy();
});

describe('the domain list', () => {
  it('shows the domain services and the domains other packages carry, never another client’s', async () => {
    const page = dump('list', await f.client.get('/client/domains'));
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Domains');
    const rows = page.$('#domains-table tbody tr');
    expect(rows.map((_, r) => page.$(r).find('th').text().trim()).get()).toEqual(['ada-lovelace.test', 'analytical-engine.test', 'bernoulli.test', 'difference-engine.test']);
    const own = rows.eq(0);
    expect(own.find('th a').attr('href')).toBe(`/client/domains/${ids.automatic}`);
    expect(own.text()).toMatch(/\.test domain/);
    expect(own.text()).toMatch(/Active/);
    expect(own.text()).toMatch(/2027-01-15/);
    expect(own.find('td').eq(3).text().trim()).toBe('Yes');
    expect(own.find('td').eq(4).text().trim()).toBe('Locked');
    const carried = rows.eq(3);
    expect(carried.find('th a')).toHaveLength(0);
    expect(carried.find('td').eq(0).text().replace(/\s+/g, ' ').trim()).toBe('Comes with Hosting S (web1)');
    expect(carried.find('td a').attr('href')).toBe(`/client/packages/${ids.hosting}`);
    expect(page.html).not.toContain('theirs.test');
    expect(page.$('nav.side-nav a[href="/client/domains"]').attr('aria-current')).toBe('page');
  });

  it('sorts, filters and pages with plain links', async () => {
    const desc = await f.client.get('/client/domains?sort=domain&dir=desc');
    expect(desc.$('#domains-table tbody th').first().text().trim()).toBe('difference-engine.test');
    expect(desc.$('th[aria-sort="descending"] a').attr('href')).toContain('dir=asc');
    // Soonest first; a domain without an expiry date of its own comes last.
    const byExpiry = await f.client.get('/client/domains?sort=expires_on&dir=asc');
    expect(byExpiry.$('#domains-table tbody th').map((_, th) => byExpiry.$(th).text().trim()).get()).toEqual(['analytical-engine.test', 'bernoulli.test', 'ada-lovelace.test', 'difference-engine.test']);
    const found = await f.client.get('/client/domains?q=ENGINE');
    expect(found.$('#domains-table tbody th').map((_, th) => found.$(th).text().trim()).get()).toEqual(['analytical-engine.test', 'difference-engine.test']);
    const none = await f.client.get('/client/domains?q=100%25_');
    expect(none.$('#domains-table td.empty').text()).toBe('No domains match this filter.');
    expect(found.$('.pagination .page-info').text()).toBe('Page 1 of 1 · 2 in all');
  });
});

describe('autorenew', () => {
  it('turns off with a plain form post: billing stops at once, the registrar is told through an operation', async () => {
    const overview = dump('overview', await f.client.get(`/client/domains/${ids.automatic}`));
    const form = overview.$(`form[action="/client/domains/${ids.automatic}/autorenew"]`);
    expect(form.find('button').text()).toBe('Turn autorenew off');
    expect(form.find('input[name="autorenew"]').val()).toBe('0');

    const res = await f.client.post(`/client/domains/${ids.automatic}/autorenew`, { back: 'overview', autorenew: '0' });
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe(`/client/domains/${ids.automatic}`);
    const svc = (await f.t.services.db('core_services').where({ id: ids.automatic }).first('auto_renew')) as { auto_renew: boolean | number };
    expect(Boolean(svc.auto_renew)).toBe(false);
    const history = (await f.t.services.db('core_service_history').where({ service_id: ids.automatic }).orderBy('id', 'desc').first('actor_type', 'reason')) as { actor_type: string; reason: string };
    expect(history).toMatchObject({ actor_type: 'client' });
    expect(history.reason).toMatch(/Autorenew turned off by the client/);
    const [op] = await operationsOf(ids.automatic);
    expect(op).toMatchObject({ op: 'set_param', status: 'pending' });
    expect(JSON.parse(op!.payload)).toEqual({ changes: { autorenew: 'off', autorenew_days: 14 } });

    const pending = dump('overview-pending', await f.client.get(`/client/domains/${ids.automatic}`));
    expect(pending.$('.flash-success').text()).toMatch(/Autorenew: your change has been requested/);
    const line = pending.$('#change-autorenew');
    expect(line.text()).toMatch(/Queued/);
    expect(line.attr('hx-trigger')).toBe('every 3s');
    expect(line.attr('hx-get')).toBe(`/client/domains/${ids.automatic}/changes/autorenew?watch=${op!.id}`);
    // Refused, not merged: the first change has not reached the registrar yet.
    const again = await f.client.post(`/client/domains/${ids.automatic}/autorenew`, { back: 'overview', autorenew: '1' });
    expect(again.status).toBe(303);
    expect((await f.client.get(`/client/domains/${ids.automatic}`)).$('.flash-error').text()).toMatch(/Autorenew: an earlier change is still on its way/);
    expect(await operationsOf(ids.automatic)).toHaveLength(1);

    expect(await runQueue()).toMatchObject({ done: 1 });
    const done = await f.client.get(`/client/domains/${ids.automatic}`);
    expect(done.$('#change-autorenew').text()).toMatch(/Done/);
    expect(done.$('#change-autorenew').attr('hx-trigger')).toBeUndefined();
    expect(done.$('form[action$="/autorenew"] button').text()).toBe('Turn autorenew on');
    expect(await paramsOf(ids.automatic)).toMatchObject({ autorenew: 'off', autorenew_days: 14 });
    expect(sent.at(-1)).toEqual({ autorenew: 'off', autorenew_days: 14 });
  });

  it('takes a rule: renew N days before the expiry date', async () => {
    const page = dump('autorenew', await f.client.get(`/client/domains/${ids.automatic}/autorenew`));
    expect(page.$('input[name="autorenew"][value="0"]').attr('checked')).toBeDefined();
    const bad = await f.client.post(`/client/domains/${ids.automatic}/autorenew`, { autorenew: '1', days: '400' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-days-error').text()).toBe('Enter a number of days from 1 to 90');
    const ok = await f.client.post(`/client/domains/${ids.automatic}/autorenew`, { autorenew: '1', days: '30' });
    expect(ok.res.headers.get('location')).toBe(`/client/domains/${ids.automatic}/autorenew`);
    await runQueue();
    expect(await paramsOf(ids.automatic)).toMatchObject({ autorenew: 'on', autorenew_days: 30 });
    const after = await f.client.get(`/client/domains/${ids.automatic}/autorenew`);
    expect(after.$('#f-days').val()).toBe('30');
    const same = await f.client.post(`/client/domains/${ids.automatic}/autorenew`, { autorenew: '1', days: '30' });
    expect(same.status).toBe(303);
    expect((await f.client.get(`/client/domains/${ids.automatic}/autorenew`)).$('.flash-info').text()).toMatch(/Nothing changed/);
  });
});

describe('registrar lock and name servers', () => {
  it('unlocks through the module and shows the new state once done', async () => {
    const before = (await operationsOf(ids.automatic)).length;
    const res = await f.client.post(`/client/domains/${ids.automatic}/lock`, { lock: '0' });
    expect(res.res.headers.get('location')).toBe(`/client/domains/${ids.automatic}/lock`);
    const ops = await operationsOf(ids.automatic);
    expect(ops).toHaveLength(before + 1);
    expect(JSON.parse(ops.at(-1)!.payload)).toEqual({ changes: { registrar_lock: 'off' } });
    await runQueue();
    const page = dump('lock', await f.client.get(`/client/domains/${ids.automatic}/lock`));
    expect(page.$('#change-lock').text()).toMatch(/Done/);
    expect(page.$('.domain-state').text()).toMatch(/Unlocked/);
    expect(page.$('form[action$="/lock"] button').text()).toBe('Lock the domain');
  });

  it('changes the name servers: the operation carries them, polling reloads the page when done', async () => {
    const res = await f.client.post(`/client/domains/${ids.automatic}/dns/nameservers`, { ns: ['NS1.Example.NET.', 'ns2.example.net', 'ns3.example.net'], save: '1' });
    expect(res.status).toBe(303);
    const op = (await operationsOf(ids.automatic)).at(-1)!;
    expect(JSON.parse(op.payload)).toEqual({ changes: { nameservers: ['ns1.example.net', 'ns2.example.net', 'ns3.example.net'] } });

    const pending = await f.client.get(`/client/domains/${ids.automatic}/dns`);
    expect(pending.$('#change-nameservers').text()).toMatch(/Queued/);
    expect(pending.$('#ns-form button[name="save"].primary').attr('disabled')).toBeDefined();
    const pollUrl = pending.$('#change-nameservers').attr('hx-get')!;
    const still = await f.client.get(pollUrl, { 'hx-request': 'true' });
    expect(still.res.headers.get('hx-refresh')).toBeNull();
    expect(still.$('#change-nameservers').attr('hx-trigger')).toBe('every 3s');
    expect(still.$('nav.side-nav')).toHaveLength(0);

    await runQueue();
    const settled = await f.client.get(pollUrl, { 'hx-request': 'true' });
    expect(settled.res.headers.get('hx-refresh')).toBe('true');
    expect(settled.$('#change-nameservers').attr('hx-trigger')).toBeUndefined();
    const page = dump('dns', await f.client.get(`/client/domains/${ids.automatic}/dns`));
    expect(page.$('#change-nameservers').text()).toMatch(/Done/);
    expect(page.$('input[name="ns"]').map((_, i) => page.$(i).val()).get()).toEqual(['ns1.example.net', 'ns2.example.net', 'ns3.example.net']);
    expect(sent.at(-1)).toEqual({ nameservers: ['ns1.example.net', 'ns2.example.net', 'ns3.example.net'] });
  });

  it('adds and removes name server rows by posting back, without saving', async () => {
    const before = (await operationsOf(ids.automatic)).length;
    const added = await f.client.post(`/client/domains/${ids.automatic}/dns/nameservers`, { ns: ['a.example.net', 'b.example.net'], add_ns: '1' });
    expect(added.status).toBe(200);
    expect(added.$('input[name="ns"]')).toHaveLength(3);
    expect(added.$('#f-ns-2').attr('autofocus')).toBeDefined();
    const removed = await f.client.post(`/client/domains/${ids.automatic}/dns/nameservers`, { ns: ['a.example.net', 'b.example.net', 'c.example.net'], remove_ns: '0' });
    expect(removed.$('input[name="ns"]').map((_, i) => removed.$(i).val()).get()).toEqual(['b.example.net', 'c.example.net']);
    expect(await operationsOf(ids.automatic)).toHaveLength(before);
  });

  it('edits hosted DNS records, one row of each type', async () => {
    const added = await f.client.post(`/client/domains/${ids.automatic}/dns/records`, { rr_type: ['A'], rr_name: ['@'], rr_value: ['192.0.2.10'], rr_priority: [''], add_rr: '1' });
    expect(added.$('select[name="rr_type"]')).toHaveLength(2);
    const res = await f.client.post(`/client/domains/${ids.automatic}/dns/records`, {
      rr_type: ['A', 'AAAA', 'CNAME', 'MX', 'TXT'],
      rr_name: ['@', '@', 'www', '@', '_dmarc'],
      rr_value: ['192.0.2.10', '2001:DB8::10', 'ada-lovelace.test.', 'mail.ada-lovelace.test', 'v=DMARC1; p=none'],
      rr_priority: ['', '', '', '10', ''],
      save: '1',
    });
    expect(res.status).toBe(303);
    await runQueue();
    expect((await paramsOf(ids.automatic)).dns_records).toEqual([
      { type: 'A', name: '@', value: '192.0.2.10' },
      { type: 'AAAA', name: '@', value: '2001:db8::10' },
      { type: 'CNAME', name: 'www', value: 'ada-lovelace.test' },
      { type: 'MX', name: '@', value: 'mail.ada-lovelace.test', priority: 10 },
      { type: 'TXT', name: '_dmarc', value: 'v=DMARC1; p=none' },
    ]);
  });

  it('lets a different kind join a change that has not been sent yet, and refuses the same kind', async () => {
    const id = ids.spare;
    const ns = await f.client.post(`/client/domains/${id}/dns/nameservers`, { ns: ['ns1.other.test', 'ns2.other.test'], save: '1' });
    expect(ns.status).toBe(303);
    const lock = await f.client.post(`/client/domains/${id}/lock`, { lock: '0' });
    expect(lock.status).toBe(303);
    const ops = await operationsOf(id);
    expect(ops).toHaveLength(1);
    expect(JSON.parse(ops[0]!.payload)).toEqual({ changes: { nameservers: ['ns1.other.test', 'ns2.other.test'], registrar_lock: 'off' } });
    const again = await f.client.post(`/client/domains/${id}/dns/nameservers`, { ns: ['ns7.other.test', 'ns8.other.test'], save: '1' });
    expect(again.status).toBe(409);
    expect(again.$('#ns-form .flash-error').text()).toBe('Name servers: an earlier change is still on its way. You can change this again once it is done.');
    expect(again.$('input[name="ns"]').first().val()).toBe('ns7.other.test');
    expect(await operationsOf(id)).toHaveLength(1);
    await runQueue();
    expect(await paramsOf(id)).toMatchObject({ nameservers: ['ns1.other.test', 'ns2.other.test'], registrar_lock: 'off' });
    const page = await f.client.get(`/client/domains/${id}`);
    expect(page.$('#change-nameservers').text()).toMatch(/Done/);
    expect(page.$('#change-lock').text()).toMatch(/Done/);
  });
});

describe('the manual module', () => {
  it('leaves the change waiting for staff until they complete it', async () => {
    const res = await f.client.post(`/client/domains/${ids.manual}/lock`, { lock: '0', back: 'overview' });
    expect(res.res.headers.get('location')).toBe(`/client/domains/${ids.manual}`);
    expect(await runQueue()).toMatchObject({ manual: 1 });
    const waiting = dump('manual', await f.client.get(`/client/domains/${ids.manual}`));
    expect(waiting.$('#change-lock').text()).toMatch(/Waiting for staff/);
    expect(waiting.$('#change-lock').attr('hx-trigger')).toBe('every 30s');
    expect(waiting.$('form[action$="/lock"]')).toHaveLength(0);
    expect((await paramsOf(ids.manual)).registrar_lock).toBe('on');

    const [op] = await operationsOf(ids.manual);
    await f.t.services.processing.completeManually(op!.id, { values: {} }, { id: staffId, label: 'staff@example.test' });
    const done = await f.client.get(`/client/domains/${ids.manual}`);
    expect(done.$('#change-lock').text()).toMatch(/Done/);
    expect(done.$('.domain-details').text()).toMatch(/Unlocked/);
    expect((await paramsOf(ids.manual)).registrar_lock).toBe('off');
  });
});

describe('contact info', () => {
  it('fills a WHOIS contact from one of the client’s contacts, phone in the registrars’ form', async () => {
    const [row] = await f.t.services.db('core_contacts')
      .insert({ client_id: f.clientId, is_primary: true, first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.test', address1: '12 St James’s Square', city: 'London', zip: 'SW1Y 4JH', country: 'GB', phone: '+44 20 7946 0958', created_at: '2026-03-01T00:00:00.000Z', updated_at: '2026-03-01T00:00:00.000Z' })
      .returning('id');
    const contactId = Number(typeof row === 'object' ? (row as { id: number }).id : row);
    const page = dump('contacts', await f.client.get(`/client/domains/${ids.spare}/contacts`));
    expect(page.$('#f-owner_source').val()).toBe(`contact:${contactId}`);
    expect(page.$('#f-admin_source').val()).toBe('owner');

    const filled = await f.client.post(`/client/domains/${ids.spare}/contacts`, { owner_source: `contact:${contactId}`, admin_source: 'owner', tech_source: 'owner', bill_source: 'owner', fill: 'owner' });
    expect(filled.status).toBe(200);
    expect(filled.$('#f-owner_phone').val()).toBe('+44.2079460958');
    expect(filled.$('#f-owner_source').val()).toBe('');

    const saved = await f.client.post(`/client/domains/${ids.spare}/contacts`, { owner_source: `contact:${contactId}`, admin_source: 'owner', tech_source: 'owner', bill_source: 'owner', save: '1' });
    expect(saved.status).toBe(303);
    const op = (await operationsOf(ids.spare)).at(-1)!;
    const changes = (JSON.parse(op.payload) as { changes: Record<string, Record<string, unknown>> }).changes;
    expect(Object.keys(changes)).toEqual(['contact_owner', 'contact_admin', 'contact_tech', 'contact_bill']);
    expect(changes.contact_owner).toMatchObject({ first_name: 'Ada', email: 'ada@example.test', country: 'GB', phone: '+44.2079460958', source_contact_id: contactId });
    expect(changes.contact_bill).toEqual(changes.contact_owner);
  });
});

describe('domain password', () => {
  it('is shown only on request and changed through the module', async () => {
    const page = dump('password', await f.client.get(`/client/domains/${ids.automatic}/password`));
    expect(page.html).not.toContain(PARAMS.auth_code);
    expect(page.res.headers.get('cache-control')).toBe('no-store');
    const shown = dump('password-shown', await f.client.post(`/client/domains/${ids.automatic}/password/show`));
    expect(shown.status).toBe(200);
    expect(shown.$('code.auth-code').text()).toBe(PARAMS.auth_code);
    expect(shown.res.headers.get('cache-control')).toBe('no-store');
    const audit = (await f.t.services.db('core_audit_log').where({ action: 'domain.auth_code_shown' }).first('actor_type', 'target')) as { actor_type: string; target: string };
    expect(audit).toEqual({ actor_type: 'client', target: `service:${ids.automatic}` });

    const suggested = await f.client.post(`/client/domains/${ids.automatic}/password`, { auth_code: '', suggest: '1' });
    const code = String(suggested.$('#f-auth_code').val());
    expect(code).toHaveLength(16);
    const weak = await f.client.post(`/client/domains/${ids.automatic}/password`, { auth_code: 'password', save: '1' });
    expect(weak.status).toBe(400);
    expect(weak.$('#f-auth_code-error').text()).toBe('Include at least one letter, one digit and one symbol');
    const res = await f.client.post(`/client/domains/${ids.automatic}/password`, { auth_code: code, save: '1' });
    expect(res.status).toBe(303);
    // A secret at rest: sealed in the queued operation, in clear only for the module's call.
    const queued = (await operationsOf(ids.automatic)).at(-1)!;
    expect(queued.payload).not.toContain(code);
    expect(queued.payload).toContain('$sealed');
    sent.length = 0;
    await runQueue();
    expect(sent).toContainEqual(expect.objectContaining({ auth_code: code }));
    const stored = (await paramsOf(ids.automatic)).auth_code;
    expect(JSON.stringify(stored)).not.toContain(code);
    const again = await f.client.post(`/client/domains/${ids.automatic}/password/show`);
    expect(again.$('code.auth-code').text()).toBe(code);
    const log = (await f.t.services.db('core_audit_log').where({ action: 'domain.change_requested' }).select('details')) as { details: string }[];
    expect(log.map((l) => l.details).join('\n')).not.toContain(code);
  });
});

describe('bad input', () => {
  async function rejected(url: string, fields: Record<string, string | string[]>): Promise<PageResult> {
    const before = (await operationsOf(ids.spare)).length;
    const page = await f.client.post(url, fields);
    expect(page.status).toBe(400);
    expect(await operationsOf(ids.spare)).toHaveLength(before);
    return page;
  }
  const url = (path: string) => `/client/domains/${ids.spare}${path}`;

  it('one name server', async () => {
    const page = dump('dns-errors', await rejected(url('/dns/nameservers'), { ns: ['ns1.example.net', ''], save: '1' }));
    expect(page.$('#ns-form .field-error').text()).toMatch(/Enter at least two name servers/);
    expect(page.$('#f-ns-0').val()).toBe('ns1.example.net');
  });

  it('an invalid host name', async () => {
    const page = await rejected(url('/dns/nameservers'), { ns: ['ns1.example.net', 'bad_host..net'], save: '1' });
    expect(page.$('#f-ns-1-error').text()).toBe('Enter a host name, like ns1.example.com');
    expect(page.$('#f-ns-1').attr('aria-invalid')).toBe('true');
  });

  it('a bad MX priority', async () => {
    const page = await rejected(url('/dns/records'), { rr_type: ['MX'], rr_name: ['@'], rr_value: ['mail.example.net'], rr_priority: ['70000'], save: '1' });
    expect(page.$('#f-rr-0-priority-error').text()).toMatch(/whole number from 0 to 65535/);
  });

  it('a bad e-mail address and an unknown country', async () => {
    const fields: Record<string, string> = { owner_source: '', admin_source: 'owner', tech_source: 'owner', bill_source: 'owner', save: '1' };
    Object.assign(fields, { owner_first_name: 'Ada', owner_last_name: 'Lovelace', owner_email: 'not-an-address', owner_address1: '1 Main St', owner_city: 'London', owner_country: 'XX', owner_phone: '+44 20 7946 0958' });
    const page = dump('contacts-errors', await rejected(url('/contacts'), fields));
    expect(page.$('#f-owner_email-error').text()).toBe('Enter a valid e-mail address, like name@example.com');
    expect(page.$('#f-owner_country-error').text()).toBe('Choose a country from the list');
    expect(page.$('#f-owner_first_name').val()).toBe('Ada');
  });

  it('a phone number without its country code', async () => {
    const fields: Record<string, string> = { owner_source: '', admin_source: 'owner', tech_source: 'owner', bill_source: 'owner', save: '1' };
    Object.assign(fields, { owner_first_name: 'Ada', owner_last_name: 'Lovelace', owner_email: 'ada@example.test', owner_address1: '1 Main St', owner_city: 'London', owner_country: 'GB', owner_phone: '020 7946 0958' });
    const page = await rejected(url('/contacts'), fields);
    expect(page.$('#f-owner_phone-error').text()).toMatch(/\+CC\.NNNN/);
  });
});

describe('access', () => {
  /** Every domain route, with `id` in place of the domain. */
  function domainRoutes(id: number): { method: string; path: string }[] {
    const seen = new Set<string>();
    return f.t.app.routes
      .filter((r) => r.path.startsWith('/client/domains/:') && (r.method === 'GET' || r.method === 'POST'))
      .map((r) => ({ method: r.method, path: r.path.replace(/:id(\{[^}]*\})?/, String(id)).replace(/:kind/, 'lock') }))
      .filter((r) => !seen.has(`${r.method} ${r.path}`) && Boolean(seen.add(`${r.method} ${r.path}`)));
  }

  async function call(agent: Agent, r: { method: string; path: string }): Promise<PageResult> {
    return r.method === 'GET' ? agent.get(r.path) : agent.post(r.path, { lock: '0', autorenew: '0', ns: ['ns1.x.test', 'ns2.x.test'], save: '1' });
  }

  it('answers 404 for another client’s domain and for a service that is not a domain, on every route', async () => {
    const routes = domainRoutes(ids.theirs);
    expect(routes.length).toBeGreaterThanOrEqual(13);
    for (const id of [ids.theirs, ids.hosting, 999999]) {
      for (const r of domainRoutes(id)) {
        const res = await call(f.client, r);
        expect(`${r.method} ${r.path} → ${res.status}`).toBe(`${r.method} ${r.path} → 404`);
        expect(res.html).not.toContain('theirs.test');
      }
    }
    expect(await operationsOf(ids.theirs)).toHaveLength(0);
  });

  it('refuses a change without the CSRF token', async () => {
    const before = (await operationsOf(ids.spare)).length;
    const res = await f.client.post(`/client/domains/${ids.spare}/lock`, { lock: '1' }, { csrf: null });
    expect(res.status).toBe(403);
    expect(await operationsOf(ids.spare)).toHaveLength(before);
  });
});

describe('in Russian', () => {
  it('speaks Russian on the list, the domain pages and their errors', async () => {
    await f.client.post('/language', { lang: 'ru', next: '/client/domains' });
    try {
      const list = dump('list-ru', await f.client.get('/client/domains'));
      expect(list.$('h1').text()).toBe('Домены');
      expect(list.$('#domains-table thead th').map((_, th) => list.$(th).text().replace(/[▲▼]/g, '').trim()).get()).toEqual(['Домен', 'Пакет', 'Статус', 'Истекает', 'Автопродление', 'Блокировка']);
      expect(list.$('.pagination .page-info').text()).toBe('Страница 1 из 1 · всего 4');
      const overview = dump('overview-ru', await f.client.get(`/client/domains/${ids.automatic}`));
      expect(overview.$('nav.domain-tabs a').map((_, a) => overview.$(a).text()).get()).toEqual(['Обзор', 'Контакты', 'Настройки DNS', 'Блокировка', 'Автопродление', 'Пароль домена']);
      expect(overview.$('#change-nameservers').text()).toMatch(/Выполнено/);
      const dns = dump('dns-ru', await f.client.post(`/client/domains/${ids.spare}/dns/nameservers`, { ns: ['ns1.example.net', 'bad_host'], save: '1' }));
      expect(dns.$('#f-ns-1-error').text()).toBe('Введите имя хоста, например ns1.example.com');
      const contacts = dump('contacts-ru', await f.client.get(`/client/domains/${ids.spare}/contacts`));
      expect(contacts.$('#f-owner_country option[value="DE"]').text()).toBe('Германия');
    } finally {
      await f.client.post('/language', { lang: 'en', next: '/client/domains' });
    }
  });
});

/** Every text the section can show: t('…') in its views and routes, its labels, core's messages for it. */
function sectionTexts(): string[] {
  const here = (p: string) => new URL(p, import.meta.url);
  const views = fs.readdirSync(here('../views/client/')).filter((n) => n.startsWith('domain')).map((n) => fs.readFileSync(here(`../views/client/${n}`), 'utf8'));
  const routes = fs.readFileSync(here('../routes/domains.ts'), 'utf8');
  const core = fs.readFileSync(here('../../../core/billing/client-area/domains.ts'), 'utf8');
  const texts = new Set<string>();
  for (const src of [...views, routes]) for (const m of src.matchAll(/\bt\('([^']+)'/g)) texts.add(m[1]!);
  for (const m of routes.matchAll(/\b(?:label|stateLabel|text): '([^']+)'/g)) texts.add(m[1]!);
  // Core's messages and labels: its quoted sentences.
  for (const m of core.matchAll(/'([A-Z][^'\n]* [^'\n]*)'/g)) texts.add(m[1]!);
  for (const label of [...Object.values(clientArea.DOMAIN_CHANGE_LABELS), ...Object.values(clientArea.DOMAIN_CONTACT_ROLE_LABELS)]) texts.add(label);
  return [...texts];
}

describe('translations', () => {
  it('has Russian for every text of the section', () => {
    const texts = sectionTexts();
    expect(texts.length).toBeGreaterThan(150);
    expect(texts.filter((text) => !f.t.services.i18n.has('ru', text))).toEqual([]);
  });
});

describe('a long list', () => {
  it('pages by 25 with links that work without JavaScript and that htmx upgrades', async () => {
    const db = f.t.services.db;
    const { packageId } = await insertPackage(db, { name: '.example domain', itemType: 'domain' });
    for (let i = 0; i < 24; i++) await insertService(db, { clientId: f.clientId, packageId, itemType: 'domain', label: `zz${String(i).padStart(2, '0')}.example`, expiresOn: '2026-12-31' });
    const first = await f.client.get('/client/domains');
    expect(first.$('#domains-table tbody tr')).toHaveLength(25);
    expect(first.$('.pagination .page-info').text()).toBe('Page 1 of 2 · 28 in all');
    const next = first.$('#domains-table a[rel="next"]');
    expect(next.attr('href')).toBe('/client/domains?page=2');
    expect(next.attr('hx-select')).toBe('#domains-table');
    const second = await f.client.get(next.attr('href')!);
    expect(second.$('#domains-table tbody th').map((_, th) => second.$(th).text().trim()).get()).toEqual(['zz21.example', 'zz22.example', 'zz23.example']);
    expect(second.$('#domains-table a[rel="prev"]').attr('href')).toBe('/client/domains?page=1');
  });
});

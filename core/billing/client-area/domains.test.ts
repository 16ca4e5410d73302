// The client's domains: what registrars accept, the list across packages, and how changes queue.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { insertClient, insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import {
  clientDomainListQuery,
  describeClientDomainRows,
  domainChanges,
  findClientDomain,
  generateDomainAuthCode,
  normalizeHostName,
  parseAuthCode,
  parseDnsRecords,
  parseDomainContact,
  parseNameservers,
  readDomainSettings,
  requestDomainChange,
  revealDomainAuthCode,
  toRegistrarPhone,
  type DnsRecordInput,
} from './domains.ts';

describe('what registrars accept', () => {
  it('takes host names in any case, with a root dot, and IDN names as punycode', () => {
    expect(normalizeHostName(' NS1.Example.COM. ')).toBe('ns1.example.com');
    expect(normalizeHostName('ns1.пример.рф')).toBe('ns1.xn--e1afmkfd.xn--p1ai');
    for (const bad of ['localhost', '192.0.2.1', 'a..example.com', '-a.example.com', 'a-.example.com', 'a_b.example.com', `${'a'.repeat(64)}.com`, 'ns1 .example.com', '']) {
      expect(normalizeHostName(bad), bad).toBeNull();
    }
  });

  it('writes phone numbers as +CC.NNNN when the country code stands apart', () => {
    expect(toRegistrarPhone('+7.4951234567')).toBe('+7.4951234567');
    expect(toRegistrarPhone('+7 495 123-45-67')).toBe('+7.4951234567');
    expect(toRegistrarPhone('+1 (425) 282 6400')).toBe('+1.4252826400');
    expect(toRegistrarPhone('+44 20 7946 0958')).toBe('+44.2079460958');
    for (const bad of ['+74951234567', '8 495 123-45-67', '+7.12', '+0.4951234567', '+7.1234567890123456', 'call me']) expect(toRegistrarPhone(bad), bad).toBeNull();
  });

  it('wants 2 to 13 different name servers; empty rows do not count', () => {
    expect(parseNameservers(['ns1.example.net', '', 'NS2.example.net'])).toEqual({ ok: true, value: ['ns1.example.net', 'ns2.example.net'] });
    expect(parseNameservers(['ns1.example.net', 'ns1.example.net.'])).toEqual({ ok: false, errors: { 'ns.1': 'This name server is listed twice' } });
    expect(parseNameservers(['', 'ns1.example.net', ' '])).toEqual({ ok: false, errors: { ns: 'Enter at least two name servers: registries require two' } });
    const fourteen = Array.from({ length: 14 }, (_, i) => `ns${i}.example.net`);
    expect(parseNameservers(fourteen)).toEqual({ ok: false, errors: { ns: 'Enter at most 13 name servers' } });
  });

  it('checks each DNS record by its type', () => {
    const rr = (type: string, name: string, value: string, priority = ''): DnsRecordInput => ({ type, name, value, priority });
    const ok = parseDnsRecords(
      [rr('A', 'www.example.com.', '192.0.2.1'), rr('aaaa', '', '2001:DB8::1'), rr('MX', '@', 'Mail.Example.com', '0'), rr('TXT', '_dmarc', 'v=DMARC1; p=none'), rr('CNAME', '*.dev', 'example.com'), rr('A', '', '', '')],
      'example.com',
    );
    expect(ok).toEqual({
      ok: true,
      value: [
        { type: 'A', name: 'www', value: '192.0.2.1' },
        { type: 'AAAA', name: '@', value: '2001:db8::1' },
        { type: 'MX', name: '@', value: 'mail.example.com', priority: 0 },
        { type: 'TXT', name: '_dmarc', value: 'v=DMARC1; p=none' },
        { type: 'CNAME', name: '*.dev', value: 'example.com' },
      ],
    });
    const bad = parseDnsRecords(
      [rr('A', '@', '999.1.1.1'), rr('AAAA', '@', '192.0.2.1'), rr('MX', '@', 'mail.example.com', '-1'), rr('CNAME', '@', 'example.net'), rr('TXT', 'x', 'two\nlines'), rr('SRV', 'x', 'y'), rr('A', 'bad name', '192.0.2.1')],
      'example.com',
    );
    expect(bad.ok).toBe(false);
    expect(bad.ok ? {} : bad.errors).toEqual({
      'rr.0.value': 'Enter an IPv4 address, like 192.0.2.10',
      'rr.1.value': 'Enter an IPv6 address, like 2001:db8::10',
      'rr.2.priority': 'Enter the priority: a whole number from 0 to 65535 (lower is tried first)',
      'rr.3.name': 'The domain itself cannot have a CNAME record: use an A or AAAA record',
      'rr.4.value': 'Use one line of text without control characters',
      'rr.5.type': 'Choose a record type from the list',
      'rr.6.name': 'Use @ for the domain itself, or a name like www or mail',
    });
  });

  it('keeps a CNAME alone on its name, and each record once', () => {
    const rr = (type: string, name: string, value: string): DnsRecordInput => ({ type, name, value, priority: '' });
    const r = parseDnsRecords([rr('CNAME', 'www', 'example.net'), rr('A', 'www', '192.0.2.1'), rr('A', 'ftp', '192.0.2.1'), rr('A', 'FTP', '192.0.2.1')], 'example.com');
    expect(r.ok ? {} : r.errors).toEqual({ 'rr.0.name': 'A CNAME record cannot share its name with other records', 'rr.3.value': 'This record is listed twice' });
  });

  it('checks the guide’s contact fields', () => {
    const good = { first_name: 'Ada', last_name: 'Lovelace', email: ' Ada@Example.TEST ', address1: '1 Main St', city: 'London', country: 'gb', phone: '+44 20 7946 0958', fax: '' };
    const r = parseDomainContact(good);
    expect(r.ok && r.value).toMatchObject({ email: 'ada@example.test', country: 'GB', phone: '+44.2079460958', fax: '', company: '' });
    const bad = parseDomainContact({ ...good, email: 'nope', country: 'XX', phone: '020 7946 0958', zip: 'SW1<', last_name: '' });
    expect(bad.ok ? {} : bad.errors).toEqual({
      email: 'Enter a valid e-mail address, like name@example.com',
      country: 'Choose a country from the list',
      phone: 'Enter the number as +CC.NNNN: a plus, the country code, a dot and the number, e.g. +7.4951234567',
      zip: 'Use only letters, digits, spaces and hyphens in a postal code',
      last_name: 'Enter the last name',
    });
  });

  it('asks for a strong transfer code, and suggests only codes it accepts', () => {
    expect(parseAuthCode('Tr4nsfer!Code')).toEqual({ ok: true, value: 'Tr4nsfer!Code' });
    expect(parseAuthCode('short1!')).toEqual({ ok: false, errors: { auth_code: 'Use 8 to 32 characters' } });
    expect(parseAuthCode('with space1!')).toEqual({ ok: false, errors: { auth_code: 'Use Latin letters, digits and the symbols shown below only' } });
    expect(parseAuthCode('NoDigitsHere!')).toEqual({ ok: false, errors: { auth_code: 'Include at least one letter, one digit and one symbol' } });
    const codes = Array.from({ length: 200 }, () => generateDomainAuthCode());
    expect(codes.filter((c) => !parseAuthCode(c).ok)).toEqual([]);
    expect(new Set(codes).size).toBe(200);
  });

  it('reads BILLmanager’s name server params (ns0..ns3 with glue, ns_additional)', () => {
    const s = readDomainSettings({ ns0: 'ns1.example.net/192.0.2.1', ns1: 'ns2.example.net', ns_additional: 'ns3.example.net, ns4.example.net', registrar_lock: 'off', auth_code: 'x' });
    expect(s).toMatchObject({ nameservers: ['ns1.example.net', 'ns2.example.net', 'ns3.example.net', 'ns4.example.net'], lock: false, hasAuthCode: true, dnsHosted: false });
    expect(JSON.stringify(s)).not.toContain('"x"');
  });
});

describe('domains in the database', () => {
  let t: TestApp;
  let ada: number;
  let other: number;
  const svc: Record<string, number> = {};
  const actor = { userId: 1, label: 'ada@example.test' };

  async function insertDomain(clientId: number, label: string, extra: { status?: string; params?: Record<string, unknown> } = {}): Promise<number> {
    const { packageId } = await insertPackage(t.services.db, { name: `.${label.split('.').pop()} domain`, itemType: 'domain' });
    const id = await insertService(t.services.db, { clientId, packageId, itemType: 'domain', label, status: extra.status ?? 'active' });
    if (extra.params) await t.services.db('core_services').where({ id }).update({ params: JSON.stringify(extra.params) });
    return id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    const db = t.services.db;
    ada = await insertClient(db, { name: 'Ada' });
    other = await insertClient(db, { name: 'Other' });
    for (let i = 0; i < 30; i++) svc[`d${i}`] = await insertDomain(ada, `d${String(i).padStart(2, '0')}.example`);
    svc.expired = await insertDomain(ada, 'gone.example', { status: 'cancelled' });
    svc.pct = await insertDomain(ada, '100%_off.example');
    svc.theirs = await insertDomain(other, 'theirs.example', { params: { auth_code: 'Their!Code1' } });
    const { packageId } = await insertPackage(db, { name: 'Hosting', itemType: 'hosting' });
    svc.hosting = await insertService(db, { clientId: ada, packageId, label: 'web1' });
    await db('core_services').where({ id: svc.hosting }).update({ params: JSON.stringify({ domain: 'carried.example', note: 'has "domain" in it' }) });
    svc.noDomain = await insertService(db, { clientId: ada, packageId, label: 'web2' });
    await db('core_services').where({ id: svc.noDomain }).update({ params: JSON.stringify({ note: 'the "domain" word, but no domain param' }) });
  });
  afterAll(async () => {
    await t.destroy();
  });

  const count = async (q: ReturnType<typeof clientDomainListQuery>) => Number(((await q.clone().clearSelect().clearOrder().count({ n: '*' })) as [{ n: number | string }])[0].n);

  it('lists the client’s domain services and carried domains, counts and pages them', async () => {
    const db = t.services.db;
    const q = clientDomainListQuery(db, ada);
    expect(await count(q)).toBe(32);
    const page = describeClientDomainRows(await q.clone().orderBy('domain', 'desc').orderBy('id', 'desc').limit(3).offset(0));
    expect(page.map((r) => [r.domain, r.source])).toEqual([['d29.example', 'domain'], ['d28.example', 'domain'], ['d27.example', 'domain']]);
    const last = describeClientDomainRows(await q.clone().orderBy('domain', 'asc').orderBy('id', 'asc').limit(25).offset(25));
    expect(last.map((r) => r.domain)).toEqual(['d23.example', 'd24.example', 'd25.example', 'd26.example', 'd27.example', 'd28.example', 'd29.example']);
    const carried = describeClientDomainRows(await clientDomainListQuery(db, ada, { q: 'carried' }));
    expect(carried).toEqual([{ id: svc.hosting, domain: 'carried.example', source: 'package', package_name: 'Hosting', package_label: 'web1', status: 'active', expires_on: null, auto_renew: null, lock: null }]);
  });

  it('filters by status and by name, wildcards taken literally', async () => {
    const db = t.services.db;
    expect(await count(clientDomainListQuery(db, ada, { status: 'all' }))).toBe(33);
    expect((await clientDomainListQuery(db, ada, { status: 'cancelled' })).map((r: { domain: string }) => r.domain)).toEqual(['gone.example']);
    expect((await clientDomainListQuery(db, ada, { q: '%_' })).map((r: { domain: string }) => r.domain)).toEqual(['100%_off.example']);
    expect(await count(clientDomainListQuery(db, ada, { q: 'THEIRS' }))).toBe(0);
    expect(await count(clientDomainListQuery(db, other))).toBe(1);
  });

  it('finds a domain only for its client, and only a domain service', async () => {
    const db = t.services.db;
    expect((await findClientDomain(db, ada, svc.d0!))?.domain).toBe('d00.example');
    expect(await findClientDomain(db, ada, svc.theirs!)).toBeNull();
    expect(await findClientDomain(db, ada, svc.hosting!)).toBeNull();
    expect(await findClientDomain(db, ada, Number.NaN)).toBeNull();
    expect(await revealDomainAuthCode(t.services, { clientId: ada, serviceId: svc.theirs!, actor })).toEqual({ ok: false, reason: 'not_found' });
    expect(await revealDomainAuthCode(t.services, { clientId: other, serviceId: svc.theirs!, actor })).toEqual({ ok: true, code: 'Their!Code1' });
  });

  it('queues changes: another kind joins a pending change, the same kind waits, nothing joins a running one', async () => {
    const app = t.services;
    const id = svc.d1!;
    const first = await requestDomainChange(app, { clientId: ada, serviceId: id, kind: 'nameservers', changes: { nameservers: ['a.example.net', 'b.example.net'] }, actor });
    expect(first).toMatchObject({ ok: true, merged: false });
    const joined = await requestDomainChange(app, { clientId: ada, serviceId: id, kind: 'lock', changes: { registrar_lock: 'on' }, actor });
    expect(joined).toEqual({ ok: true, operationId: (first as { operationId: number }).operationId, merged: true });
    const same = await requestDomainChange(app, { clientId: ada, serviceId: id, kind: 'lock', changes: { registrar_lock: 'off' }, actor });
    expect(same).toMatchObject({ ok: false, reason: 'same_kind_pending' });
    expect(Object.keys(await domainChanges(app.db, id)).sort()).toEqual(['lock', 'nameservers']);

    // The runner has it: nothing may be added to what the module is already sending.
    await app.db('core_service_operations').where({ service_id: id }).update({ status: 'running' });
    expect(await requestDomainChange(app, { clientId: ada, serviceId: id, kind: 'password', changes: { auth_code: 'N3w!Code99' }, actor })).toEqual({ ok: false, reason: 'busy' });
    // Settled (here: failed), the same kind may be asked for again, as a new operation.
    await app.db('core_service_operations').where({ service_id: id }).update({ status: 'failed', finished_at: '2026-03-02T09:01:00.000Z' });
    const retry = await requestDomainChange(app, { clientId: ada, serviceId: id, kind: 'lock', changes: { registrar_lock: 'off' }, actor });
    expect(retry).toMatchObject({ ok: true, merged: false });
    const ops = (await app.db('core_service_operations').where({ service_id: id }).orderBy('id').select('payload')) as { payload: string }[];
    expect(ops.map((o) => JSON.parse(o.payload))).toEqual([{ changes: { nameservers: ['a.example.net', 'b.example.net'], registrar_lock: 'on' } }, { changes: { registrar_lock: 'off' } }]);
  });

  it('refuses another client’s domain and a domain that is no longer editable, queuing nothing', async () => {
    const app = t.services;
    expect(await requestDomainChange(app, { clientId: ada, serviceId: svc.theirs!, kind: 'lock', changes: { registrar_lock: 'off' }, actor })).toEqual({ ok: false, reason: 'not_found' });
    expect(await requestDomainChange(app, { clientId: ada, serviceId: svc.expired!, kind: 'lock', changes: { registrar_lock: 'off' }, actor })).toEqual({ ok: false, reason: 'not_editable', status: 'cancelled' });
    await expect(requestDomainChange(app, { clientId: ada, serviceId: svc.d2!, kind: 'lock', changes: { auth_code: 'sneaky' }, actor })).rejects.toThrow(/cannot carry auth_code/);
    const [{ n }] = (await app.db('core_service_operations').whereIn('service_id', [svc.theirs!, svc.expired!, svc.d2!]).count({ n: '*' })) as [{ n: number | string }];
    expect(Number(n)).toBe(0);
  });

  it('turns auto-renew off at once with a line in the service history, and says so only once', async () => {
    const app = t.services;
    const id = svc.d3!;
    const r = await requestDomainChange(app, { clientId: ada, serviceId: id, kind: 'autorenew', changes: { autorenew: 'off', autorenew_days: 20 }, actor, autoRenew: false });
    expect(r.ok).toBe(true);
    const row = (await app.db('core_services').where({ id }).first('auto_renew', 'params')) as { auto_renew: boolean | number; params: string };
    expect(Boolean(row.auto_renew)).toBe(false);
    expect(JSON.parse(row.params)).toEqual({});
    const history = (await app.db('core_service_history').where({ service_id: id }).select('actor_type', 'actor_label', 'reason')) as { actor_type: string; actor_label: string; reason: string }[];
    expect(history).toEqual([{ actor_type: 'client', actor_label: 'ada@example.test', reason: expect.stringMatching(/^Autorenew turned off by the client \(set-param operation #\d+\)$/) }]);
  });
});

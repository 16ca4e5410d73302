// A client can never see or change another client's records: every portal route with a parameter is
// walked with the other client's ids, by GET and by POST with a valid CSRF token, and must answer 404.
// Routes are enumerated from the app, so a section added later is covered (or this test says which
// parameter it does not know yet).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import { insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { makeInvoice } from '../../../test/payments/helpers.ts';
import { createBillingAccount } from '../../../core/billing/accounts/index.ts';
import { insertedId } from '../../../core/billing/invoices/store.ts';

let f: PortalFixture;
/** The other client's record for each kind of path the portal has. */
const theirs: Record<string, number> = {};
/** Which record a path's parameter names, by the section the path is in. */
const KIND_OF_SECTION: Record<string, string> = {
  invoices: 'invoice',
  packages: 'service',
  domains: 'domain',
  'billing-accounts': 'account',
  contacts: 'contact',
  tickets: 'ticket',
  statement: 'invoice',
  // Sessions are named by an opaque id, panel jumps by a service id: any id of the other client's serves.
  security: 'service',
  account: 'service',
};

beforeAll(async () => {
  f = await portalApp();
  const db = f.t.services.db;
  const other = f.otherClientId;
  theirs.invoice = (await makeInvoice(db, other, 1234)).id;
  const { packageId } = await insertPackage(db, { name: 'Their VPS' });
  theirs.service = await insertService(db, { clientId: other, packageId, label: 'theirs.example.test' });
  const { packageId: domainPackage } = await insertPackage(db, { name: 'Their domain', itemType: 'domain' });
  theirs.domain = await insertService(db, { clientId: other, packageId: domainPackage, itemType: 'domain', label: 'theirs.test' });
  const account = await createBillingAccount(f.t.services, { clientId: other, type: 'manual', values: {}, actor: { type: 'system', label: 'test' } });
  if (!account.ok) throw new Error(`billing account: ${JSON.stringify(account)}`);
  theirs.account = account.value.accountId;
  const [contact] = await db('core_contacts')
    .insert({ client_id: other, is_primary: false, first_name: 'Their', last_name: 'Contact', email: 'their.contact@example.test', country: 'US', created_at: '2026-03-02T09:00:00.000Z', updated_at: '2026-03-02T09:00:00.000Z' })
    .returning('id');
  theirs.contact = insertedId(contact);
  theirs.ticket = await f.t.services.tickets.open({ subject: 'Their ticket', body: 'Private', departmentId: null, clientId: other, author: { type: 'client', id: null, label: 'Other' } });
});
afterAll(async () => {
  await f.t.destroy();
});

/** Portal routes with parameters, as concrete paths holding the other client's ids. */
function portalRoutesWithParams(): { method: string; path: string; problem?: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string; problem?: string }[] = [];
  for (const r of f.t.app.routes) {
    if (!r.path.startsWith('/client/') || !r.path.includes(':') || r.path.includes('*') || r.method === 'ALL') continue;
    const section = r.path.split('/')[2]!;
    const kind = KIND_OF_SECTION[section];
    const id = kind ? theirs[kind] : undefined;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!id) {
      out.push({ method: r.method, path: r.path, problem: `no record kind known for section '${section}': add it to KIND_OF_SECTION` });
      continue;
    }
    out.push({ method: r.method, path: r.path.replace(/:[a-zA-Z]+(\{[^}]*\})?/g, String(id)) });
  }
  return out;
}

describe('another client\'s records', () => {
  it('answer 404 on every portal route, read or write', async () => {
    const routes = portalRoutesWithParams();
    const failures: string[] = routes.filter((r) => r.problem).map((r) => `${r.method} ${r.path}: ${r.problem}`);
    for (const r of routes.filter((x) => !x.problem)) {
      const res = r.method === 'GET' ? await f.client.get(r.path) : await f.client.request(r.path, { method: r.method, body: new URLSearchParams({ _csrf: f.client.csrf }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (res.status !== 404) failures.push(`${r.method} ${r.path} → ${res.status}`);
      if (res.html.includes('theirs.example.test') || res.html.includes('Their ticket') || res.html.includes('12.34')) failures.push(`${r.method} ${r.path} shows the other client's data`);
    }
    expect(failures).toEqual([]);
  });

  it('stay unchanged after all those requests', async () => {
    const db = f.t.services.db;
    expect(await db('core_invoices').where({ id: theirs.invoice }).first('status', 'amount_paid')).toEqual({ status: 'unpaid', amount_paid: 0 });
    expect((await db('core_services').where({ id: theirs.service }).first('status', 'auto_renew', 'cancel_requested'))).toMatchObject({ status: 'active' });
    expect(await db('core_billing_accounts').where({ id: theirs.account }).first('id')).toBeTruthy();
    expect(await db('core_contacts').where({ id: theirs.contact }).first('id')).toBeTruthy();
    const [{ n }] = (await db('core_service_operations').whereIn('service_id', [theirs.domain!, theirs.service!]).count({ n: '*' })) as [{ n: number | string }];
    expect(Number(n)).toBe(0);
  });
});

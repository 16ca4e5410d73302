// Every payments and billing-account route: state changes need a CSRF token (the callback a signature),
// /admin pages are closed to clients and visitors, and no GET writes anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { listTables } from '../../core/db/knex.ts';
import { paymentsOf, setupPayments } from '../../core/billing/payments/setup.ts';
import { insertClient } from '../billing/ledger-fixtures.ts';
import { makeInvoice } from './helpers.ts';

let t: TestApp;
let clientId: number;

beforeAll(async () => {
  t = await createTestApp();
  if (!paymentsOf(t.services)) await setupPayments(t.app, t.services);
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  clientId = await insertClient(t.services.db);
  await makeInvoice(t.services.db, clientId, 1000);
  await t.createUser('client', 'client@example.test', { clientId });
});
afterAll(async () => {
  await t.destroy();
});

const OURS = /^\/(payments|admin\/payments|admin\/billing-accounts)(\/|$)/;

function ourRoutes(kind: 'GET' | 'STATE') {
  const seen = new Set<string>();
  return t.app.routes
    .filter((r) => OURS.test(r.path) && !r.path.includes('*'))
    .filter((r) => (kind === 'GET' ? r.method === 'GET' : !['GET', 'HEAD', 'OPTIONS', 'ALL'].includes(r.method)))
    .map((r) => ({ method: r.method, path: r.path.replace(/:[a-zA-Z]+(\{[^}]*\})?/g, (m) => (m.startsWith(':type') ? 'card' : m.startsWith(':gateway') ? 'test' : '1')) }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && (seen.add(`${r.method} ${r.path}`), true));
}

describe('payments routes', () => {
  it('are mounted', () => {
    expect(ourRoutes('STATE').map((r) => r.path)).toEqual(
      expect.arrayContaining(['/payments/callback/test', '/admin/payments/invoice/1/record', '/admin/payments/transaction/1/refund', '/admin/payments/settings', '/admin/billing-accounts/client/1/new/card', '/admin/billing-accounts/1/edit', '/admin/billing-accounts/1/delete']),
    );
    expect(ourRoutes('GET').map((r) => r.path)).toContain('/payments/return');
  });

  it('refuse every state change without a CSRF token (the callback: without a signature)', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const failures: string[] = [];
    for (const r of ourRoutes('STATE')) {
      const missing = await admin.request(r.path, { method: r.method, body: new URLSearchParams({ x: '1' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      if (missing.status !== 403) failures.push(`${r.method} ${r.path} → ${missing.status}`);
      const json = await admin.request(r.path, { method: r.method, body: JSON.stringify({ _csrf: admin.csrf }), headers: { 'content-type': 'application/json' } });
      if (json.status !== 403) failures.push(`${r.method} ${r.path} JSON → ${json.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('close the admin pages to clients and send visitors to the staff sign-in', async () => {
    const client = t.agent();
    await client.login('client', 'client@example.test');
    const failures: string[] = [];
    for (const r of ourRoutes('GET').filter((x) => x.path.startsWith('/admin/'))) {
      const asClient = await client.get(r.path);
      if (asClient.status !== 403) failures.push(`client GET ${r.path} → ${asClient.status}`);
      const asVisitor = await t.agent().get(r.path);
      if (asVisitor.status !== 303) failures.push(`visitor GET ${r.path} → ${asVisitor.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('change nothing in the database on any GET', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const client = t.agent();
    await client.login('client', 'client@example.test');
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const table of await listTables(t.services.db)) if (!table.startsWith('knex_migrations')) out[table] = JSON.stringify(await t.services.db(table).select('*'));
      return out;
    };
    const before = await snapshot();
    for (const r of ourRoutes('GET')) {
      await admin.get(r.path);
      await client.get(r.path);
      await t.agent().get(r.path);
    }
    await admin.get(`/admin/billing-accounts/client/${clientId}/new/card`);
    const after = await snapshot();
    for (const table of Object.keys(before)) expect(after[table], `table ${table} changed on GET`).toBe(before[table]);
  });
});

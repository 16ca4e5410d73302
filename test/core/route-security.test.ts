// Enumerates every registered route, so a route added later is covered without touching this file:
// state changes need a CSRF token, /admin is closed to clients and visitors, GET changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, REPO_ROOT } from '../helpers/app.ts';
import hello from '../../plugins/hello/index.ts';
import clientPortal from '../../plugins/client-portal/index.ts';
import { listTables } from '../../core/db/knex.ts';
import { insertClient } from '../billing/ledger-fixtures.ts';
import { makeInvoice } from '../payments/helpers.ts';

let t: TestApp;
const fixtureGood = `${REPO_ROOT}/test/fixtures/plugins/fixture-good/index.ts`;

beforeAll(async () => {
  const fs = await import('node:fs');
  // The fixture plugin adds more routes when present; hello and the client portal are always there.
  t = await createTestApp({ plugins: [hello(), clientPortal(), fs.existsSync(fixtureGood) ? fixtureGood : null] });
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  // Record #1 of each kind exists and is this client's, so ':id' paths reach real pages.
  const clientId = await insertClient(t.services.db);
  await makeInvoice(t.services.db, clientId, 1000);
  await t.createUser('client', 'client@example.test', { clientId });
});
afterAll(async () => {
  await t.destroy();
});

/** Concrete paths for a route pattern: parameters get plausible values. */
function concrete(path: string): string {
  return path
    .replace(/:name\b[^/]*/g, 'hello')
    .replace(/:id\b[^/]*/g, '1')
    .replace(/:[a-zA-Z]+[^/]*/g, 'x')
    .replace(/\/\*$/, '');
}

function routes(method: 'GET' | 'STATE') {
  const seen = new Set<string>();
  return t.app.routes
    .filter((r) => (method === 'GET' ? r.method === 'GET' : !['GET', 'HEAD', 'OPTIONS', 'ALL'].includes(r.method)))
    .filter((r) => !r.path.includes('*'))
    .map((r) => ({ method: r.method, path: concrete(r.path) }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && (seen.add(`${r.method} ${r.path}`), true));
}

describe('every route', () => {
  it('finds the routes of core and of the plugins', () => {
    const state = routes('STATE').map((r) => r.path);
    expect(state).toContain('/admin/login');
    expect(state).toContain('/logout');
    expect(state).toContain('/admin/hello');
    expect(state).toEqual(expect.arrayContaining(['/payments/callback/x', '/admin/payments/invoice/1/record', '/admin/payments/transaction/1/refund', '/admin/billing-accounts/1/edit', '/language']));
    const gets = routes('GET').map((r) => r.path);
    expect(gets).toEqual(expect.arrayContaining(['/admin/system/jobs', '/payments/return', '/client']));
  });

  it('rejects a state-changing request without a CSRF token or with a wrong one', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const visitor = t.agent();
    await visitor.get('/login');
    const failures: string[] = [];
    for (const r of routes('STATE')) {
      for (const agent of [admin, visitor]) {
        const missing = await agent.request(r.path, { method: r.method, body: new URLSearchParams({ x: '1' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        if (missing.status !== 403) failures.push(`${r.method} ${r.path} without token → ${missing.status}`);
        const wrong = await agent.request(r.path, { method: r.method, body: new URLSearchParams({ _csrf: 'forged' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        if (wrong.status !== 403) failures.push(`${r.method} ${r.path} with a forged token → ${wrong.status}`);
        const json = await agent.request(r.path, { method: r.method, body: JSON.stringify({ _csrf: agent.csrf }), headers: { 'content-type': 'application/json' } });
        if (json.status !== 403) failures.push(`${r.method} ${r.path} JSON body without header → ${json.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('does not accept the token of another session', async () => {
    const a = t.agent();
    await a.login('staff', 'admin@example.test');
    const b = t.agent();
    await b.login('staff', 'admin@example.test');
    expect(a.csrf).not.toBe(b.csrf);
    const res = await a.post('/admin/hello', { name: 'Mallory' }, { csrf: b.csrf });
    expect(res.status).toBe(403);
    const ok = await a.post('/admin/hello', { name: 'Alice' });
    expect(ok.status).toBe(303);
  });

  it('closes every /admin page to client users and sends visitors to the staff sign-in', async () => {
    const client = t.agent();
    await client.login('client', 'client@example.test');
    const visitor = t.agent();
    const failures: string[] = [];
    for (const r of routes('GET').filter((x) => x.path === '/admin' || x.path.startsWith('/admin/'))) {
      if (r.path === '/admin/login') continue;
      const asClient = await client.get(r.path);
      if (asClient.status !== 403) failures.push(`client GET ${r.path} → ${asClient.status}`);
      const asVisitor = await visitor.get(r.path);
      if (asVisitor.status !== 303 || !asVisitor.res.headers.get('location')?.startsWith('/admin/login')) failures.push(`visitor GET ${r.path} → ${asVisitor.status}`);
    }
    for (const r of routes('STATE').filter((x) => x.path.startsWith('/admin/') && x.path !== '/admin/login')) {
      const asClient = await client.post(r.path, {});
      if (asClient.status !== 403) failures.push(`client ${r.method} ${r.path} → ${asClient.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('keeps staff out of the client area and visitors out of both', async () => {
    const staff = t.agent();
    await staff.login('staff', 'admin@example.test');
    for (const r of routes('GET').filter((x) => x.path === '/client' || x.path.startsWith('/client/'))) {
      expect((await staff.get(r.path)).status, r.path).toBe(403);
      const visitor = await t.agent().get(r.path);
      expect(visitor.status, r.path).toBe(303);
      expect(visitor.res.headers.get('location')).toMatch(/^\/login/);
    }
  });

  it('changes nothing in the database on any GET', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const client = t.agent();
    await client.login('client', 'client@example.test');
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const table of await listTables(t.services.db)) {
        if (table.startsWith('knex_migrations')) continue;
        const rows = await t.services.db(table).select('*');
        out[table] = JSON.stringify(rows);
      }
      return out;
    };
    const before = await snapshot();
    for (const r of routes('GET')) {
      await admin.get(r.path);
      await client.get(r.path);
      await t.agent().get(r.path);
    }
    // Paths whose parameters the generic substitution cannot guess.
    await admin.get('/admin/billing-accounts/client/1/new/card');
    const after = await snapshot();
    // Visitors' GETs set a cookie but write nothing; the one allowed write is none at all.
    for (const table of Object.keys(before)) expect(after[table], `table ${table} changed on GET`).toBe(before[table]);
  });
});

describe('security headers', () => {
  it('are on every response, pages, errors and static files alike', async () => {
    const agent = t.agent();
    for (const path of ['/login', '/no-such-page', '/static/css/trellis.css', '/healthz']) {
      const { res } = await agent.get(path);
      expect(res.headers.get('content-security-policy'), path).toMatch(/script-src 'self'/);
      expect(res.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
    }
  });

  it('marks authenticated pages as not cacheable', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const { res } = await admin.get('/admin');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, and Secure only behind https', async () => {
    const agent = t.agent();
    await agent.get('/admin/login');
    const res = await t.app.request('http://localhost/admin/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      body: new URLSearchParams({ _csrf: agent.csrf, email: 'admin@example.test', password: 'correct horse battery' }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('trellis_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
  });
});

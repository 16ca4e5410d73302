// The client pages read through indexes: every query of the list (each sort, search, status filter) and the
// client page is captured and EXPLAINed against thousands of clients, on SQLite and PostgreSQL alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { insertBatched } from '../../core/db/batch.ts';
import { searchTerms } from '../../core/billing/clients/store.ts';
import { fullScans } from '../helpers/query-plans.ts';

let t: TestApp;
const captured = new Map<string, { sql: string; bindings: readonly unknown[] }>();
const CLIENTS = 3000;
// A handful of rows by nature: the operator's currencies.
const SMALL_TABLES = new Set(['core_settings', 'core_jobs', 'core_currencies']);

beforeAll(async () => {
  t = await createTestApp();
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  const db = t.services.db;
  const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  const first = ['Anna', 'Boris', 'Olga', 'Ivan', 'Zoe', 'Tom', 'Mila', 'Petr'];
  const last = ['Berg', 'Ivanov', 'Smirnova', 'Adams', 'Kowalski', 'Novak'];
  const clients = Array.from({ length: CLIENTS }, (_, i) => ({
    kind: i % 5 ? 'person' : 'company', name: `${first[i % 8]} ${last[i % 6]} ${i}`, company: i % 5 ? '' : `Company ${i}`, email: `c${i}@example${i % 50}.test`,
    country: 'DE', currency: 'USD', language: 'en', status: i % 10 ? 'active' : 'suspended', balance: (i * 37) % 1000, tax_exempt: false, vat_number: '', created_at: at(i), updated_at: at(i),
  }));
  await insertBatched(db, 'core_clients', clients);
  await insertBatched(db, 'core_contacts', clients.map((c, i) => ({
    client_id: i + 1, is_primary: true, first_name: first[i % 8], last_name: last[i % 6], email: c.email, country: 'DE', email_actions: '["invoices"]', created_at: c.created_at, updated_at: c.updated_at,
  })));
  await insertBatched(db, 'core_client_search', clients.flatMap((c, i) => searchTerms(c.name, c.company, c.email).map((term) => ({ client_id: i + 1, term }))));
  await insertBatched(db, 'core_users', clients.map((c, i) => ({
    kind: 'client', email: c.email, name: c.name, password_hash: 'x', role: 'all', client_id: i + 1, status: 'active', created_at: c.created_at, updated_at: c.updated_at,
  })));
  await insertBatched(db, 'core_credit_ledger', Array.from({ length: 500 }, (_, i) => ({
    client_id: (i % 20) + 1, at: at(i), amount: 100, currency: 'USD', balance_after: 100 * (i + 1), kind: 'overpayment', note: '', actor: 'seed',
  })));
  await db.raw('analyze');
  db.on('query', (q: { sql: string; bindings?: readonly unknown[] }) => {
    if (/^\s*select/i.test(q.sql) && !/sqlite_master|pg_tables|knex_migrations/.test(q.sql)) captured.set(q.sql, { sql: q.sql, bindings: q.bindings ?? [] });
  });
});
afterAll(async () => {
  await t.destroy();
});


describe('client page query plans', () => {
  it('serve the list in every sort order, searched and filtered, and the client page from an index', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    captured.clear();
    const lists = ['/admin/clients', '/admin/clients?status=suspended', '/admin/clients?q=ivan', '/admin/clients?q=ivan+ber&status=active', '/admin/clients?q=c12%40example1', '/admin/clients?q=1234', '/admin/clients?page=40'];
    for (const page of lists) {
      const first = await admin.get(page);
      expect(first.status, page).toBe(200);
      for (const a of first.$('#clients-table th a[href*="sort="]').toArray()) {
        const href = first.$(a).attr('href')!;
        expect((await admin.get(href)).status, href).toBe(200);
        expect((await admin.get(href.replace('dir=asc', 'dir=desc'))).status, href).toBe(200);
      }
    }
    for (const page of ['/admin/clients/7', '/admin/clients/7/ledger', '/admin/clients/7/ledger?sort=at&dir=asc', '/admin/clients/7/edit', '/admin/clients/7/contacts/7', '/admin/clients/7/contacts/new']) {
      expect((await admin.get(page)).status, page).toBe(200);
    }
    // Searching found something, so the plans were made for real work.
    expect((await admin.get('/admin/clients?q=ivan')).$('.page-info').text()).toMatch(/750 in all/) // Ivan 375 + Ivanov 500 − both 125;
    expect(captured.size).toBeGreaterThan(15);
    const offenders: string[] = [];
    for (const { sql, bindings } of captured.values()) {
      const scans = (await fullScans(t.services.db, sql, bindings)).filter((tbl) => !SMALL_TABLES.has(tbl));
      if (scans.length) offenders.push(`${scans.join(',')}: ${sql}`);
    }
    expect(offenders).toEqual([]);
  });
});

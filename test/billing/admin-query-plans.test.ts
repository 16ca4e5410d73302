// The billing admin pages read through indexes: every query of the service and invoice lists (each
// filter and sort they offer), the service, invoice, printable invoice and order pages and the client
// page's Billing section is captured and EXPLAINed against thousands of rows, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { insertBatched } from '../../core/db/batch.ts';
import { setupBillingAdmin } from '../../core/billing/admin/setup.ts';
import { AT } from './ledger-fixtures.ts';
import { fullScans as sharedFullScans } from '../helpers/query-plans.ts';

let t: TestApp;
const captured = new Map<string, { sql: string; bindings: readonly unknown[] }>();
const CLIENTS = 2000;
const SERVICES = 6000;
const PACKAGES = 1000;
// A handful of rows by nature: the operator's settings, currencies, service kinds, servers, jobs.
const SMALL_TABLES = new Set(['core_settings', 'core_jobs', 'core_currencies', 'core_item_types', 'core_processing_servers', 'core_departments']);
const STATUSES = ['active', 'active', 'active', 'suspended_nonpayment', 'pending', 'cancelled'];
const INVOICE_STATUSES = ['paid', 'paid', 'unpaid', 'cancelled', 'collections'];

beforeAll(async () => {
  t = await createTestApp();
  setupBillingAdmin(t.services);
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  const db = t.services.db;
  const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  const day = (i: number) => new Date(Date.UTC(2025, 0, 1) + (i % 400) * 86_400_000).toISOString().slice(0, 10);
  await insertBatched(db, 'core_clients', Array.from({ length: CLIENTS }, (_, i) => ({
    kind: 'person', name: `Client ${i}`, company: '', email: `c${i}@example.test`, country: 'DE', currency: 'USD', language: 'en', status: i % 10 ? 'active' : 'suspended', balance: 0, tax_exempt: false, vat_number: '', created_at: at(i), updated_at: at(i),
  })));
  await insertBatched(db, 'core_contacts', Array.from({ length: CLIENTS }, (_, i) => ({ client_id: i + 1, is_primary: true, first_name: 'C', last_name: String(i), email: `c${i}@example.test`, country: 'DE', email_actions: '["invoices"]', created_at: at(i), updated_at: at(i) })));
  await insertBatched(db, 'core_users', Array.from({ length: CLIENTS }, (_, i) => ({ kind: 'client', email: `c${i}@example.test`, name: `C${i}`, password_hash: 'x', role: 'all', client_id: i + 1, status: 'active', created_at: at(i), updated_at: at(i) })));
  await insertBatched(db, 'core_packages', Array.from({ length: PACKAGES }, (_, i) => ({ name: `Package ${i}`, internal_name: `pkg-${i}`, item_type: i % 2 ? 'hosting' : 'vds', billing_type: 'period', description: '', agreement: '', active: i % 3 !== 0, position: i % 50, created_at: AT, updated_at: AT })));
  await insertBatched(db, 'core_package_periods', Array.from({ length: PACKAGES }, (_, i) => ({ package_id: i + 1, kind: 'months', length: 1, active: true, position: 0 })));
  await insertBatched(db, 'core_package_prices', Array.from({ length: PACKAGES }, (_, i) => ({ period_id: i + 1, currency: 'USD', price: 1000 + i, setup_fee: 0 })));
  await insertBatched(db, 'core_processing_servers', Array.from({ length: 6 }, (_, i) => ({ name: `srv${i}.example.test`, module: 'manual', item_type: i % 2 ? 'hosting' : 'vds', url: `https://srv${i}.example.test/`, created_at: AT, updated_at: AT })));
  await insertBatched(db, 'core_services', Array.from({ length: SERVICES }, (_, i) => ({
    client_id: (i % CLIENTS) + 1, package_id: (i % 40) + 2, item_type: ((i % 40) + 1) % 2 ? 'hosting' : 'vds', label: `s${i}.test`, status: STATUSES[i % STATUSES.length], period_id: (i % 40) + 2, period_kind: 'months', period_length: 1,
    currency: 'USD', price: 1000, auto_renew: true, expires_on: day(i), params: '{}', parent_id: null, processing_server_id: (i % 6) + 1, external_id: null, suspend_reason: null, cancel_requested: false, created_at: at(i), activated_at: at(i), updated_at: at(i),
  })));
  await insertBatched(db, 'core_service_history', Array.from({ length: SERVICES }, (_, i) => ({ service_id: i + 1, at: at(i), from_status: null, to_status: 'pending', actor_type: 'system', actor_label: 'seed', reason: 'Ordered' })));
  await insertBatched(db, 'core_invoices', Array.from({ length: SERVICES }, (_, i) => ({
    number: `INV-${String(i + 1).padStart(6, '0')}`, client_id: (i % CLIENTS) + 1, kind: 'order', status: INVOICE_STATUSES[i % INVOICE_STATUSES.length], currency: 'USD', tax_inclusive: false,
    subtotal: 1000, discount: 0, tax: 0, total: 1000 + (i % 97), amount_paid: i % 5 < 2 ? 1000 + (i % 97) : 0, entered_on: day(i), due_on: day(i + 7), reminder_stage: 0, notes: '', created_at: at(i), updated_at: at(i),
  })));
  await insertBatched(db, 'core_invoice_lines', Array.from({ length: SERVICES }, (_, i) => ({ invoice_id: i + 1, service_id: i + 1, kind: 'service', description: `Package ${(i % 40) + 1}`, quantity: 1, unit_price: 1000, amount: 1000, tax_rate_bp: 0, tax: 0, position: 0 })));
  await insertBatched(db, 'core_transactions', Array.from({ length: 2000 }, (_, i) => ({ client_id: (i % CLIENTS) + 1, invoice_id: i * 3 + 1, gateway: 'manual', external_id: `seed-${i}`, method: 'Bank transfer', status: 'approved', status_code: '', amount: 1000, currency: 'USD', created_at: at(i) })));
  await db.raw('analyze');
  db.on('query', (q: { sql: string; bindings?: readonly unknown[] }) => {
    if (/^\s*select/i.test(q.sql) && !/sqlite_master|pg_tables|knex_migrations/.test(q.sql)) captured.set(q.sql, { sql: q.sql, bindings: q.bindings ?? [] });
  });
});
afterAll(async () => {
  await t?.destroy();
});

/**
 * Full scans of a table in the plan; index scans and covering-index counts are fine. On SQLite, an
 * unfiltered page in primary-key order shows as "SCAN s" too, though it walks the rowid b-tree and
 * stops after the page (LIMIT): that one plan is let through.
 */
/** As the shared check, but an unfiltered page walking the services' primary key with a LIMIT is fine. */
async function fullScans(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string[]> {
  const primaryKeyPage = !/\swhere\s/i.test(sql) && /order by `s`\.`id` (asc|desc)(, `s`\.`id` (asc|desc))? limit \?( offset \?)?$/i.test(sql);
  return (await sharedFullScans(db, sql, bindings)).filter((table) => !(primaryKeyPage && table === 's'));
}

describe('billing admin query plans', () => {
  it('serve both lists in every filter and sort order, and every billing page, from an index', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    captured.clear();
    const lists = [
      '/admin/billing/services', '/admin/billing/services?status=suspended_nonpayment', '/admin/billing/services?type=vds', '/admin/billing/services?server=3', '/admin/billing/services?client=7',
      '/admin/billing/services?status=active&type=hosting&server=2', '/admin/billing/services?page=100',
      '/admin/billing/invoices', '/admin/billing/invoices?status=unpaid', '/admin/billing/invoices?client=7', '/admin/billing/invoices?client=7&status=paid', '/admin/billing/invoices?page=100',
    ];
    for (const page of lists) {
      const first = await admin.get(page);
      expect(first.status, page).toBe(200);
      for (const a of first.$('table th a[href*="sort="]').toArray()) {
        const href = first.$(a).attr('href')!;
        expect((await admin.get(href)).status, href).toBe(200);
        expect((await admin.get(href.replace('dir=asc', 'dir=desc'))).status, href).toBe(200);
      }
    }
    for (const page of ['/admin/billing/services/7', '/admin/billing/invoices/7', '/admin/billing/invoices/7/print', '/admin/clients/7', '/admin/billing/order', '/admin/billing/order?client=7', '/admin/billing/order?client=7&package=3', '/admin/billing/settings']) {
      expect((await admin.get(page)).status, page).toBe(200);
    }
    // The pages found rows, so the plans were made for real work.
    expect((await admin.get('/admin/billing/services?status=active')).$('.page-info').text()).toMatch(/3000 in all/);
    expect(captured.size).toBeGreaterThan(25);
    const offenders: string[] = [];
    for (const { sql, bindings } of captured.values()) {
      // listOrderablePackages reads every orderable package by nature; the catalog's own plan test covers it.
      if (sql.includes('from `core_packages` inner join `core_item_types`')) continue;
      const scans = (await fullScans(t.services.db, sql, bindings)).filter((tbl) => !SMALL_TABLES.has(tbl));
      if (scans.length) offenders.push(`${scans.join(',')}: ${sql}`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('billing automation query plans', () => {
  it('renewal, dunning and expiry runs read through indexes', async () => {
    // The seeded invoices took numbers without the counter; the run continues after them.
    await t.services.db('core_counters').where({ name: 'invoice' }).update({ value: SERVICES });
    captured.clear();
    const counts: Record<string, number> = {};
    const count = (name: string, by = 1) => void (counts[name] = (counts[name] ?? 0) + by);
    await t.services.billing.runRenewals(count);
    await t.services.billing.runDunning(count);
    // The runs did real work, so the plans were made for it.
    expect(counts.invoices).toBeGreaterThan(0);
    expect(captured.size).toBeGreaterThan(8);
    const offenders: string[] = [];
    for (const { sql, bindings } of captured.values()) {
      const scans = (await sharedFullScans(t.services.db, sql, bindings)).filter((tbl) => !SMALL_TABLES.has(tbl));
      if (scans.length) offenders.push(`${scans.join(',')}: ${sql}`);
    }
    expect(offenders).toEqual([]);
  });
});

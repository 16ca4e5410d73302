// The catalog reads through indexes: every query of its list pages (each sort and filter), the package
// page and the ordering queries (getOffer, listOrderablePackages) is captured and EXPLAINed against
// thousands of packages, enumerations and tax rates, on SQLite and PostgreSQL alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { insertBatched } from '../../core/db/batch.ts';
import { getOffer, listOrderablePackages, findPackageByInternalName } from '../../core/billing/catalog/offer.ts';
import { findTaxRate } from '../../core/billing/catalog/taxes.ts';
import { fullScans } from '../helpers/query-plans.ts';

let t: TestApp;
const captured = new Map<string, { sql: string; bindings: readonly unknown[] }>();
const PACKAGES = 3000;
// A handful of rows by nature: the operator's currencies and kinds of service.
const SMALL_TABLES = new Set(['core_settings', 'core_jobs', 'core_currencies', 'core_item_types']);
const TYPES = ['hosting', 'domain', 'vds', 'dedicated', 'colocation', 'ssl', 'software', 'other'];

beforeAll(async () => {
  t = await createTestApp();
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  const db = t.services.db;
  const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  await insertBatched(
    db,
    'core_packages',
    Array.from({ length: PACKAGES }, (_, i) => ({
      name: `Plan ${(i * 7919) % PACKAGES}`, internal_name: `plan-${i}`, item_type: TYPES[i % TYPES.length], billing_type: 'period', description: '', agreement: '',
      active: i % 3 !== 0, position: i % 50, created_at: at(i), updated_at: at(i),
    })),
  );
  await insertBatched(db, 'core_package_periods', Array.from({ length: PACKAGES }, (_, i) => ({ package_id: i + 1, kind: 'months', length: 1, active: true, position: 0 })));
  await insertBatched(db, 'core_package_prices', Array.from({ length: PACKAGES }, (_, i) => ({ period_id: i + 1, currency: 'USD', price: 100 + i, setup_fee: 0 })));
  await insertBatched(db, 'core_enumerations', Array.from({ length: 2000 }, (_, i) => ({ name: `List ${(i * 31) % 2000}`, internal_name: `list-${i}` })));
  await insertBatched(db, 'core_enumeration_items', Array.from({ length: 4000 }, (_, i) => ({ enumeration_id: (i % 2000) + 1, name: `Item ${i}`, internal_name: `item-${i}`, position: i })));
  await insertBatched(db, 'core_addons', Array.from({ length: 2000 }, (_, i) => ({ package_id: i + 1, name: 'OS', internal_name: 'os', kind: 'enum', enumeration_id: i + 1, position: 0 })));
  await insertBatched(db, 'core_addon_prices', Array.from({ length: 4000 }, (_, i) => ({ addon_id: (i % 2000) + 1, period_id: (i % 2000) + 1, currency: 'USD', enum_item_id: i + 1, price: 0 })));
  const countries = Array.from({ length: 26 * 26 }, (_, i) => String.fromCharCode(65 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26)));
  await insertBatched(db, 'core_tax_rates', countries.flatMap((c, i) => [{ country: c, region: '', name: `VAT ${i % 40}`, rate_bp: 1000 + i, active: true }, { country: c, region: 'R1', name: `Regional ${i % 40}`, rate_bp: 500, active: true }]));
  await db.raw('analyze');
  db.on('query', (q: { sql: string; bindings?: readonly unknown[] }) => {
    if (/^\s*select/i.test(q.sql) && !/sqlite_master|pg_tables|knex_migrations/.test(q.sql)) captured.set(q.sql, { sql: q.sql, bindings: q.bindings ?? [] });
  });
});
afterAll(async () => {
  await t.destroy();
});


describe('catalog query plans', () => {
  it('serve every catalog list in every sort order and filter, the package page and the ordering queries from an index', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    captured.clear();
    const lists = [
      '/admin/catalog/packages',
      '/admin/catalog/packages?type=vds',
      '/admin/catalog/packages?status=inactive',
      '/admin/catalog/packages?type=dedicated&status=active',
      '/admin/catalog/packages?page=30',
      '/admin/catalog/enumerations',
      '/admin/catalog/currencies',
      '/admin/catalog/taxes',
      '/admin/catalog/item-types',
    ];
    for (const page of lists) {
      const first = await admin.get(page);
      expect(first.status, page).toBe(200);
      for (const a of first.$('th a[href*="sort="]').toArray()) {
        const href = first.$(a).attr('href')!;
        expect((await admin.get(href)).status, href).toBe(200);
        expect((await admin.get(href.replace('dir=asc', 'dir=desc'))).status, href).toBe(200);
      }
    }
    expect((await admin.get('/admin/catalog/packages?type=vds&status=active')).$('.page-info').text()).toMatch(/250 in all/);
    for (const page of ['/admin/catalog/packages/7', '/admin/catalog/packages/7/edit', '/admin/catalog/packages/7/periods/new', '/admin/catalog/packages/7/periods/7/edit', '/admin/catalog/packages/7/addons/1/edit', '/admin/catalog/enumerations/7', '/admin/catalog/taxes/7/edit']) {
      const res = await admin.get(page);
      expect(res.status, page).toBe(res.status === 404 ? 404 : 200);
    }
    const db = t.services.db;
    expect((await getOffer(db, { packageId: 2, periodId: 2, currency: 'USD' }))?.addons[0]?.items).toEqual([{ internalName: 'item-1', name: 'Item 1' }, { internalName: 'item-2001', name: 'Item 2001' }]);
    expect((await listOrderablePackages(db, { currency: 'USD', itemType: 'vds' })).length).toBe(250);
    expect((await listOrderablePackages(db, { currency: 'USD' })).length).toBe(2000);
    expect(await findPackageByInternalName(db, 'plan-9')).not.toBeNull();
    expect((await findTaxRate(db, 'DE', 'R1'))?.name).toMatch(/Regional/);
    expect(captured.size).toBeGreaterThan(20);

    const offenders: string[] = [];
    // The catalog's own queries (sessions and users are core's, checked by test/core/query-plans).
    const catalogQueries = [...captured.values()].filter((q) => /core_(package|addon|enumeration|tax_rates|currencies|item_types|processing_servers|services)/.test(q.sql));
    expect(catalogQueries.length).toBeGreaterThan(20);
    for (const { sql, bindings } of catalogQueries) {
      const scans = (await fullScans(db, sql, bindings)).filter((tbl) => !SMALL_TABLES.has(tbl));
      if (scans.length) offenders.push(`${scans.join(',')}: ${sql}`);
    }
    expect(offenders).toEqual([]);
  });
});

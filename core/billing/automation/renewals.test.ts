// Renewal runs bill each service period once, whatever happens between runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { insertClient, insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { ManualClock } from '../../clock.ts';
import { DEFAULT_BILLING_SETTINGS } from '../settings.ts';
import { runRenewals } from './renewals.ts';
import { recordPayment } from '../invoices/payments.ts';
import { makeOnInvoicePaid } from '../fulfil.ts';

let t: TestDb;
const clock = new ManualClock('2026-03-02T09:00:00Z');
beforeEach(async () => {
  t = await createMigratedTestDb();
});
afterEach(async () => {
  await t.destroy();
});

const run = (overrides: Partial<typeof DEFAULT_BILLING_SETTINGS> = {}) => runRenewals({ db: t.db, clock, settings: { ...DEFAULT_BILLING_SETTINGS, ...overrides }, taxInclusive: false });

describe('renewal run', () => {
  it('invoices services expiring within the lead time, once', async () => {
    const c = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db, { name: 'Hosting S' });
    const due = await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-03-10', price: 1500, label: 'example.com' });
    await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-05-01' }); // not yet
    await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-03-05', status: 'cancelled' }); // not invoiced
    await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-03-05', autoRenew: false });
    expect(await run()).toMatchObject({ invoices: 1 });
    const lines = await t.db('core_invoice_lines');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service_id: due, kind: 'renewal', period_start: '2026-03-10', period_end: '2026-04-10', amount: 1500 });
    expect(lines[0].description).toBe('Renewal of Hosting S (example.com), 1 month: 2026-03-10 – 2026-04-09');
    const inv = await t.db('core_invoices').first();
    expect(inv).toMatchObject({ kind: 'renewal', status: 'unpaid', total: 1500, due_on: '2026-03-10', number: 'INV-000001' });
    expect(await run()).toMatchObject({ invoices: 0 });
    expect(await t.db('core_invoices').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('bills the next period after the last one is paid, adds tax and moves domains to pending renewal', async () => {
    const c = await insertClient(t.db, { country: 'DE' });
    await t.db('core_tax_rates').insert({ country: 'DE', region: '', name: 'VAT', rate_bp: 1900, active: true });
    const { packageId } = await insertPackage(t.db, { itemType: 'domain' });
    const s = await insertService(t.db, { clientId: c, packageId, itemType: 'domain', expiresOn: '2026-03-10', price: 1000 });
    await run();
    expect((await t.db('core_services').where({ id: s }).first()).status).toBe('pending_renewal');
    const inv = await t.db('core_invoices').first();
    expect(inv).toMatchObject({ subtotal: 1000, tax: 190, total: 1190 });
    const enqueued: string[] = [];
    const onPaid = makeOnInvoicePaid({ ops: { enqueue: async (_trx, i) => (enqueued.push(i.op), 1) } });
    await t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 1190, currency: 'USD', gateway: 'manual', externalId: 'r1', method: 'Bank', at: clock.now().toISOString() }, onPaid));
    const after = await t.db('core_services').where({ id: s }).first();
    expect(after).toMatchObject({ status: 'active', expires_on: '2026-04-10' });
    expect(enqueued).toEqual([]);
    clock.set('2026-03-30T09:00:00Z');
    expect(await run()).toMatchObject({ invoices: 1 });
    const second = await t.db('core_invoice_lines').orderBy('id', 'desc').first();
    expect(second).toMatchObject({ period_start: '2026-04-10', period_end: '2026-05-10' });
    clock.set('2026-03-02T09:00:00Z');
  });

  it('invoices suspended services only when the operator says so', async () => {
    const c = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db);
    await insertService(t.db, { clientId: c, packageId, status: 'suspended_staff' });
    expect(await run()).toMatchObject({ invoices: 0 });
    expect(await run({ invoiceSuspended: true })).toMatchObject({ invoices: 1 });
  });

  it('processes thousands of services in chunks without loading them all', async () => {
    const c = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db);
    const rows = Array.from({ length: 1203 }, () => ({
      client_id: c, package_id: packageId, item_type: 'hosting', label: '', status: 'active', period_id: null, period_kind: 'months', period_length: 1, currency: 'USD', price: 100, auto_renew: true,
      expires_on: '2026-03-10', params: '{}', parent_id: null, processing_server_id: null, external_id: null, suspend_reason: null, cancel_requested: false, created_at: 'x', activated_at: 'x', updated_at: 'x',
    }));
    const { insertBatched } = await import('../../db/batch.ts');
    await insertBatched(t.db, 'core_services', rows);
    const r = await run();
    expect(r).toEqual({ invoices: 1203, services: 1203 });
    const numbers = (await t.db('core_invoices').orderBy('number').pluck('number')) as string[];
    expect(new Set(numbers).size).toBe(1203);
    expect(numbers.at(-1)).toBe('INV-001203');
  });
});

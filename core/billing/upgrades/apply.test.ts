// Confirming a change: invoiced and applied on payment, credited and applied at once, voided when the
// service went away before the invoice was paid.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { insertClient } from '../../../test/billing/ledger-fixtures.ts';
import { makeOnInvoicePaid, type OperationQueue } from '../fulfil.ts';
import { recordPayment } from '../invoices/payments.ts';
import { createInvoice } from '../invoices/create.ts';
import { DEFAULT_BILLING_SETTINGS } from '../settings.ts';
import { confirmChange, cancelAwaitingUpgrade, type ConfirmResult } from './apply.ts';
import { loadServiceForChange, previewAddonChange, previewPackageChange, type ChangePreview, type PreviewResult } from './preview.ts';
import { insertBasicService, insertUpgradeCatalog, type UpgradeCatalog } from './test-fixtures.ts';

let t: TestDb;
let catalog: UpgradeCatalog;
let clientId: number;
let queued: { serviceId: number; op: string; payload?: Record<string, unknown> }[];
const ops: OperationQueue = {
  async enqueue(_trx, input) {
    queued.push(input);
    return queued.length;
  },
};
const ctx = { today: '2026-03-15', taxInclusive: false };
const AT = '2026-03-15T10:00:00.000Z';
const actor = { type: 'client' as const, id: 1, label: 'ada@example.test' };

beforeEach(async () => {
  t = await createMigratedTestDb();
  catalog = await insertUpgradeCatalog(t.db);
  clientId = await insertClient(t.db, { name: 'Ada' });
  queued = [];
});
afterEach(async () => {
  await t.destroy();
});

function previewOf(r: PreviewResult): ChangePreview {
  if (!r.ok) throw new Error(`no preview: ${JSON.stringify(r)}`);
  return r.preview;
}

async function packagePreview(db: Knex | Knex.Transaction, serviceId: number, toPackageId: number): Promise<ChangePreview> {
  return previewOf(await previewPackageChange(db, (await loadServiceForChange(db, clientId, serviceId))!, toPackageId, ctx));
}

function confirm(preview: ChangePreview): Promise<ConfirmResult> {
  return t.db.transaction((trx) => confirmChange(trx, preview, { ops, settings: DEFAULT_BILLING_SETTINGS, at: AT, actor }));
}

async function pay(invoiceId: number, amount: number) {
  return t.db.transaction((trx) => recordPayment(trx, { invoiceId, amount, currency: 'USD', gateway: 'test', externalId: `pay-${invoiceId}`, method: 'Card', at: AT }, makeOnInvoicePaid({ ops })));
}

describe('confirming an upgrade', () => {
  it('invoices the prorated difference, and changes the service only when the invoice is paid', async () => {
    const serviceId = await insertBasicService(t.db, catalog, { clientId });
    const preview = await packagePreview(t.db, serviceId, catalog.premium.packageId);
    expect(preview.proration).toMatchObject({ daysLeft: 17, daysInPeriod: 31, total: 823 });
    const result = await confirm(preview);
    if (result.outcome !== 'invoice') throw new Error(result.outcome);
    const invoice = await t.db('core_invoices').where({ id: result.invoice.id }).first();
    expect(invoice).toMatchObject({ kind: 'upgrade', status: 'unpaid', total: 823, client_id: clientId, due_on: '2026-03-22' });
    const lines = await t.db('core_invoice_lines').where({ invoice_id: invoice.id }).orderBy('position');
    expect(lines.map((l) => [l.kind, Number(l.amount), l.service_id, l.period_start, l.period_end])).toEqual([
      ['upgrade', 1371, null, '2026-03-15', '2026-04-01'],
      ['credit', -548, null, '2026-03-15', '2026-04-01'],
    ]);
    expect(lines[0].description).toBe('Upgrade: Basic (web1.example.test) → Premium (2026-03-15 – 2026-03-31, 17 of 31 days)');
    expect(lines[1].description).toBe('Unused part of Basic (web1.example.test) (2026-03-15 – 2026-03-31, 17 of 31 days)');
    expect(await t.db('core_services').where({ id: serviceId }).first('package_id', 'price')).toMatchObject({ package_id: catalog.basic.packageId, price: 1000 });
    expect(queued).toEqual([]);

    // A second change while this one waits is refused.
    await expect(packagePreview(t.db, serviceId, catalog.lite.packageId)).rejects.toThrow(/waiting for payment/);

    await pay(invoice.id, 823);
    const svc = await t.db('core_services').where({ id: serviceId }).first('package_id', 'period_id', 'price');
    expect(svc).toMatchObject({ package_id: catalog.premium.packageId, period_id: catalog.premium.periodId, price: 2500 });
    const addons = await t.db('core_service_addons').where({ service_id: serviceId }).orderBy('addon_id').select('addon_id', 'value', 'price');
    expect(addons).toEqual([
      { addon_id: catalog.addons.premiumIpv4, value: '1', price: 0 },
      { addon_id: catalog.addons.premiumBackup, value: '0', price: 0 },
    ]);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ serviceId, op: 'set_param', payload: { changes: {}, upgrade: { kind: 'package', toPackage: expect.stringMatching(/^premium-/), addons: { ipv4: '1', backup: '0' } } } });
    expect(await t.db('core_service_upgrades').where({ service_id: serviceId }).first('status', 'invoice_id')).toEqual({ status: 'applied', invoice_id: invoice.id });
    const history = await t.db('core_service_history').where({ service_id: serviceId }).orderBy('id').pluck('reason');
    expect(history).toEqual([
      `Package changed from Basic to Premium on payment of invoice ${invoice.number} (8.23 USD)`,
      `Package changed from Basic to Premium: invoice ${invoice.number} paid`,
    ]);
  });

  it('adds tax to the difference when prices are without tax', async () => {
    await t.db('core_tax_rates').insert({ country: 'DE', region: '', name: 'VAT', rate_bp: 2000, active: true });
    clientId = await insertClient(t.db, { name: 'Berlin GmbH', country: 'DE' });
    const serviceId = await insertBasicService(t.db, catalog, { clientId });
    const preview = await packagePreview(t.db, serviceId, catalog.premium.packageId);
    expect(preview.proration).toMatchObject({ net: 823, tax: 165, total: 988 });
    const result = await confirm(preview);
    if (result.outcome !== 'invoice') throw new Error(result.outcome);
    expect(await t.db('core_invoices').where({ id: result.invoice.id }).first('subtotal', 'tax', 'total')).toEqual({ subtotal: 823, tax: 165, total: 988 });
  });

  it('voids a paid change whose service was cancelled meanwhile, and credits what was paid', async () => {
    const serviceId = await insertBasicService(t.db, catalog, { clientId });
    const result = await confirm(await packagePreview(t.db, serviceId, catalog.premium.packageId));
    if (result.outcome !== 'invoice') throw new Error(result.outcome);
    await t.db('core_services').where({ id: serviceId }).update({ status: 'cancelled' });
    await pay(result.invoice.id, 823);
    expect(await t.db('core_service_upgrades').where({ service_id: serviceId }).first('status')).toEqual({ status: 'void' });
    expect(await t.db('core_services').where({ id: serviceId }).first('package_id')).toEqual({ package_id: catalog.basic.packageId });
    expect(await t.db('core_credit_ledger').where({ client_id: clientId }).select('kind', 'amount')).toEqual([{ kind: 'upgrade_credit', amount: 823 }]);
    expect(queued).toEqual([]);
  });

  it('a client can withdraw a change whose invoice is unpaid', async () => {
    const serviceId = await insertBasicService(t.db, catalog, { clientId });
    const result = await confirm(await packagePreview(t.db, serviceId, catalog.premium.packageId));
    if (result.outcome !== 'invoice') throw new Error(result.outcome);
    const withdrawn = await t.db.transaction((trx) => cancelAwaitingUpgrade(trx, { clientId, serviceId, at: AT, actor }));
    expect(withdrawn).toEqual({ invoiceNumber: result.invoice.number });
    expect(await t.db('core_invoices').where({ id: result.invoice.id }).first('status')).toEqual({ status: 'cancelled' });
    expect(await t.db('core_service_upgrades').where({ service_id: serviceId }).first('status')).toEqual({ status: 'cancelled' });
    // Nothing waits any more: another change may be previewed.
    expect((await packagePreview(t.db, serviceId, catalog.lite.packageId)).toPackage.name).toBe('Lite');
  });
});

describe('what stops a change', () => {
  it('waits for an unpaid invoice of the next period, and prorates the paid-ahead days once it is paid', async () => {
    const serviceId = await insertBasicService(t.db, catalog, { clientId });
    const renewal = await t.db.transaction(async (trx) => {
      const inv = await createInvoice(trx, { clientId, kind: 'renewal', currency: 'USD', enteredOn: '2026-03-15', dueOn: '2026-04-01', lines: [{ serviceId, kind: 'renewal', description: 'Renewal', unitPrice: 10_00, periodStart: '2026-04-01', periodEnd: '2026-05-01' }], taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-', at: AT });
      await trx('core_service_billing_periods').insert({ service_id: serviceId, period_start: '2026-04-01', period_end: '2026-05-01', invoice_id: inv.id });
      return inv;
    });
    const svc = (await loadServiceForChange(t.db, clientId, serviceId))!;
    expect(await previewPackageChange(t.db, svc, catalog.premium.packageId, ctx)).toEqual({
      ok: false,
      message: { text: 'Invoice {number} for the next period is waiting for payment. Pay it first, then change the package.', vars: { number: renewal.number } },
    });
    await pay(renewal.id, 10_00);
    expect(await t.db('core_services').where({ id: serviceId }).first('expires_on')).toEqual({ expires_on: '2026-05-01' });
    // Paid until May: 47 days left, counted against the 30 days of the April period.
    const preview = await packagePreview(t.db, serviceId, catalog.premium.packageId);
    expect(preview.proration).toMatchObject({ daysLeft: 47, daysInPeriod: 30 });
    expect(preview.proration.items[0]).toMatchObject({ credit: 1567, charge: 3917 }); // 1000 × 47/30 = 1566.67; 2500 × 47/30 = 3916.67
  });
});

describe('confirming a downgrade', () => {
  it('credits the difference to the balance and applies at once', async () => {
    const serviceId = await insertBasicService(t.db, catalog, { clientId });
    const preview = await packagePreview(t.db, serviceId, catalog.lite.packageId);
    // 1000 × 17/31 = 548 back; 600 × 17/31 = 329.03 → 329 charged; 219 to the balance.
    expect(preview.proration.items[0]).toMatchObject({ credit: 548, charge: 329 });
    const result = await confirm(preview);
    expect(result).toMatchObject({ outcome: 'credit', credited: 219 });
    expect(await t.db('core_clients').where({ id: clientId }).first('balance')).toEqual({ balance: 219 });
    expect(await t.db('core_credit_ledger').where({ client_id: clientId }).first('kind', 'amount', 'balance_after')).toEqual({ kind: 'upgrade_credit', amount: 219, balance_after: 219 });
    expect(await t.db('core_services').where({ id: serviceId }).first('package_id', 'price')).toEqual({ package_id: catalog.lite.packageId, price: 600 });
    expect(await t.db('core_service_addons').where({ service_id: serviceId })).toEqual([]);
    expect(queued.map((q) => q.op)).toEqual(['set_param']);
    expect(await t.db('core_invoices').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});

describe('adjusting add-ons', () => {
  it('bills the changed add-ons only, and keeps the package price as ordered', async () => {
    const serviceId = await insertBasicService(t.db, catalog, { clientId, price: 9_00 }); // an older, lower package price
    const svc = (await loadServiceForChange(t.db, clientId, serviceId))!;
    const preview = previewOf(await previewAddonChange(t.db, svc, { ipv4: '3', backup: '1' }, ctx));
    // Extra IPv4 1 → 3: 0.00 → 6.00 a month; Backups no → yes: 0.00 → 5.00. 600 × 17/31 → 329; 500 × 17/31 → 274.
    expect(preview.changes).toEqual([
      { name: 'Extra IPv4', kind: 'number', from: '1 IP', to: '3 IP' },
      { name: 'Backups', kind: 'logic', from: 'No', to: 'Yes' },
    ]);
    expect(preview.proration.items.map((i) => [i.credit, i.charge])).toEqual([[0, 329], [0, 274]]);
    expect(preview.newPrice).toBe(9_00 + 6_00 + 5_00);
    const result = await confirm(preview);
    if (result.outcome !== 'invoice') throw new Error(result.outcome);
    expect(result.invoice.total).toBe(603);
    await pay(result.invoice.id, 603);
    expect(await t.db('core_services').where({ id: serviceId }).first('package_id', 'price')).toEqual({ package_id: catalog.basic.packageId, price: 2000 });
    const values = await t.db('core_service_addons').where({ service_id: serviceId }).orderBy('addon_id').select('addon_id', 'value', 'price');
    expect(values).toEqual([
      { addon_id: catalog.addons.ipv4, value: '3', price: 600 },
      { addon_id: catalog.addons.backup, value: '1', price: 500 },
      { addon_id: catalog.addons.os, value: 'debian12', price: 0 },
    ]);
  });

  it('says which value is wrong, and refuses a change that changes nothing', async () => {
    const serviceId = await insertBasicService(t.db, catalog, { clientId });
    const svc = (await loadServiceForChange(t.db, clientId, serviceId))!;
    const bad = await previewAddonChange(t.db, svc, { ipv4: '20', os: 'beos' }, ctx);
    expect(bad).toEqual({
      ok: false,
      errors: {
        ipv4: { text: 'Enter a whole number from {min} to {max}, in steps of {step}', vars: { min: 1, max: 8, step: 1 } },
        os: { text: 'Choose one of the listed options' },
      },
    });
    expect(await previewAddonChange(t.db, svc, { ipv4: '1' }, ctx)).toEqual({ ok: false, message: { text: 'Nothing changes: choose other values first.' } });
  });
});

describe('a trial', () => {
  it('changes package at once and for nothing: trials are not prorated', async () => {
    const trial = await insertUpgradeCatalog(t.db, { periodKind: 'trial', periodLength: 14, prices: { basic: 0, premium: 0, lite: 0 } });
    const serviceId = await insertBasicService(t.db, trial, { clientId, periodKind: 'trial', periodLength: 14, price: 0, activatedOn: '2026-03-10', expiresOn: '2026-03-24' });
    const preview = await packagePreview(t.db, serviceId, trial.premium.packageId);
    expect(preview.proration).toMatchObject({ basis: 'trial', total: 0, outcome: 'none' });
    expect(await confirm(preview)).toMatchObject({ outcome: 'none' });
    expect(await t.db('core_services').where({ id: serviceId }).first('package_id', 'period_kind', 'expires_on')).toEqual({ package_id: trial.premium.packageId, period_kind: 'trial', expires_on: '2026-03-24' });
    expect(queued.map((q) => q.op)).toEqual(['set_param']);
  });
});

// Billing settings: every automation setting and the invoice header, checked field by field; what
// is refused changes nothing, what is saved is what the renewal and dunning runs read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../helpers/app.ts';
import { DEFAULT_BILLING_SETTINGS, getBillingSettings } from '../../core/billing/settings.ts';
import { getInvoiceHeader } from '../../core/billing/admin/settings.ts';
import { insertClient, insertPackage } from './ledger-fixtures.ts';

let t: TestApp;
let admin: Agent;

/** Every field of the form, filled with valid values that differ from the defaults. */
const valid = (over: Record<string, string> = {}): Record<string, string> => ({
  invoicePrefix: 'TR-',
  paymentTermsDays: '10',
  renewalLeadDays: '20',
  reminderBeforeDueDays: '5',
  overdue1: '2',
  overdue2: '9',
  overdue3: '20',
  suspendAfterDays: '12',
  suspendOnWeekends: '',
  holidays: '2026-12-25\n2026-01-01\n\n2026-12-25',
  terminateAfterDays: '45',
  cancelInvoicesAfterDays: '90',
  invoiceSuspended: '1',
  autoRenewFromCredit: '',
  companyName: 'Trellis Hosting Ltd',
  addressLines: '1 Server Lane\nLondon EC1A 1AA\n',
  taxId: 'GB123456789',
  footer: 'IBAN GB00 TEST',
  ...over,
});

async function snapshot(): Promise<string> {
  return JSON.stringify([await t.services.db('core_settings').whereIn('key', ['billing.settings', 'billing.invoice_header']).orderBy('key').select('key', 'value'), await t.services.db('core_audit_log').count({ n: '*' })]);
}

const error = (page: PageResult, field: string) => page.$(`#f-${field}-error`).text();

beforeAll(async () => {
  t = await createTestApp();
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  await t.createUser('staff', 'billing@example.test', { role: 'billing' });
  await t.createUser('staff', 'support@example.test', { role: 'support' });
  admin = t.agent();
  await admin.login('staff', 'admin@example.test');
});
afterAll(async () => {
  await t?.destroy();
});

describe('the billing settings page', () => {
  it('shows the defaults until something is saved', async () => {
    const page = await admin.get('/admin/billing/settings');
    expect(page.status).toBe(200);
    const value = (name: string) => page.$(`[name="${name}"]`).attr('value');
    expect([value('invoicePrefix'), value('paymentTermsDays'), value('renewalLeadDays'), value('overdue1'), value('overdue2'), value('overdue3'), value('suspendAfterDays')]).toEqual(['INV-', '7', '14', '1', '7', '14', '7']);
    expect(page.$('#f-suspendOnWeekends').attr('checked')).toBeDefined();
    expect(page.$('#f-invoiceSuspended').attr('checked')).toBeUndefined();
    expect(page.$('#f-holidays').text()).toBe('');
  });

  const bad: [string, Record<string, string>, string, RegExp][] = [
    ['negative payment terms', { paymentTermsDays: '-1' }, 'paymentTermsDays', /Cannot be negative/],
    ['payment terms that are not a number', { paymentTermsDays: 'seven' }, 'paymentTermsDays', /Enter a whole number/],
    ['a fraction of a day', { renewalLeadDays: '1.5' }, 'renewalLeadDays', /Enter a whole number/],
    ['an empty number', { reminderBeforeDueDays: '' }, 'reminderBeforeDueDays', /Enter a number/],
    ['too long a renewal lead', { renewalLeadDays: '500' }, 'renewalLeadDays', /At most 120 days/],
    ['a negative suspension delay', { suspendAfterDays: '-3' }, 'suspendAfterDays', /Cannot be negative/],
    ['a 1st overdue notice on the due date', { overdue1: '0' }, 'overdue1', /At least 1 day/],
    ['a 2nd overdue notice before the 1st', { overdue1: '9', overdue2: '9' }, 'overdue2', /Send the 2nd notice after the 1st/],
    ['a 3rd overdue notice before the 2nd', { overdue3: '5' }, 'overdue3', /Send the 3rd notice after the 2nd/],
    ['termination before suspension', { terminateAfterDays: '12' }, 'terminateAfterDays', /Terminate later than you suspend/],
    ['a holiday that is not a date', { holidays: '2026-12-25\n2026-02-30' }, 'holidays', /“2026-02-30” is not a date/],
    ['a holiday written another way', { holidays: '25.12.2026' }, 'holidays', /write one day per line as YYYY-MM-DD/],
    ['a prefix with a slash', { invoicePrefix: 'INV/' }, 'invoicePrefix', /Letters, digits and hyphens only/],
    ['too long a prefix', { invoicePrefix: 'INVOICE-2026-' }, 'invoicePrefix', /at most 10 characters/],
    ['too long a company name', { companyName: 'x'.repeat(201) }, 'companyName', /at most 200 characters/],
  ];

  it.each(bad)('refuses %s beside the field, keeps what was typed, and saves nothing', async (_what, over, field, message) => {
    const before = await snapshot();
    const res = await admin.post('/admin/billing/settings', valid(over));
    expect(res.status).toBe(400);
    expect(error(res, field)).toMatch(message);
    expect(res.$(`#f-${field}`).attr('aria-invalid')).toBe('true');
    expect(res.$('#f-companyName').attr('value')).toBe(over.companyName ?? 'Trellis Hosting Ltd');
    expect(await snapshot()).toBe(before);
  });

  it('saves every setting and the invoice header, which the billing runs then read', async () => {
    const res = await admin.post('/admin/billing/settings', valid());
    expect(res.status).toBe(303);
    const page = await admin.get(res.res.headers.get('location')!);
    expect(page.$('.flash-success').text()).toMatch(/Billing settings were saved/);
    expect(await getBillingSettings(t.services.settings)).toEqual({
      ...DEFAULT_BILLING_SETTINGS,
      invoicePrefix: 'TR-',
      paymentTermsDays: 10,
      renewalLeadDays: 20,
      reminderBeforeDueDays: 5,
      overdueReminderDays: [2, 9, 20],
      suspendAfterDays: 12,
      suspendOnWeekends: false,
      holidays: ['2026-01-01', '2026-12-25'],
      terminateAfterDays: 45,
      cancelInvoicesAfterDays: 90,
      invoiceSuspended: true,
      autoRenewFromCredit: false,
    });
    expect(await getInvoiceHeader(t.services.settings)).toEqual({ companyName: 'Trellis Hosting Ltd', addressLines: ['1 Server Lane', 'London EC1A 1AA'], taxId: 'GB123456789', footer: 'IBAN GB00 TEST' });
    expect(page.$('#f-holidays').text()).toBe('2026-01-01\n2026-12-25');
    expect(page.$('#f-suspendOnWeekends').attr('checked')).toBeUndefined();
    const audit = (await t.services.db('core_audit_log').where({ action: 'billing.settings_saved' }).first('details', 'actor_label')) as { details: string; actor_label: string };
    expect(audit.actor_label).toBe('admin@example.test');
    expect(Object.keys(JSON.parse(audit.details).changed)).toContain('invoicePrefix');

    // The next order's invoice carries the new prefix and payment terms.
    const clientId = await insertClient(t.services.db);
    const { packageId, periodId } = await insertPackage(t.services.db);
    await t.services.db('core_package_prices').insert({ period_id: periodId, currency: 'USD', price: 500, setup_fee: 0 });
    const placed = await t.services.billing.placeOrder({ clientId, packageId, periodId, actor: { type: 'system', label: 'test' } });
    expect(placed.invoiceNumber).toMatch(/^TR-\d{6}$/);
    expect(((await t.services.db('core_invoices').where({ id: placed.invoiceId }).first('due_on')) as { due_on: string }).due_on).toBe('2026-03-12');
  });

  it('is open to billing staff and closed to support staff', async () => {
    const billing = t.agent();
    await billing.login('staff', 'billing@example.test');
    expect((await billing.get('/admin/billing/settings')).status).toBe(200);
    expect((await billing.post('/admin/billing/settings', valid({ paymentTermsDays: '14' }))).status).toBe(303);
    const support = t.agent();
    await support.login('staff', 'support@example.test');
    expect((await support.get('/admin/billing/settings')).status).toBe(403);
    const before = await snapshot();
    expect((await support.post('/admin/billing/settings', valid({ paymentTermsDays: '30' }))).status).toBe(403);
    expect(await snapshot()).toBe(before);
  });
});

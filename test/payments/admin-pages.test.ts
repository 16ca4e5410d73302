// Staff pages: the billing-account form (field errors, kept values, secrets never echoed), record a payment,
// refund once per form, charge a stored card, gateway settings (secret never shown), and who may use them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../helpers/app.ts';
import { insertClient, insertPackage, insertService } from '../billing/ledger-fixtures.ts';
import { getInvoice } from '../../core/billing/invoices/store.ts';
import { getTestGatewaySettings } from '../../core/billing/payments/settings.ts';
import { makeInvoice, startLivePanel, type LivePanel } from './helpers.ts';

let p: LivePanel;
let admin: Agent;

beforeAll(async () => {
  p = await startLivePanel();
  await p.t.createUser('staff', 'admin@example.test', { role: 'admin' });
  await p.t.createUser('staff', 'billing@example.test', { role: 'billing' });
  await p.t.createUser('staff', 'support@example.test', { role: 'support' });
  admin = p.t.agent();
  await admin.login('staff', 'admin@example.test');
});
afterAll(async () => {
  await p?.close();
});

const db = () => p.t.services.db;
const card = { nameOnCard: 'Grace Hopper', cardType: 'visa', cardNumber: '4242 4242 4242 4241', expMonth: '1', expYear: '2027', label: 'Office card' };

describe('the billing-account form', () => {
  it('shows each error beside its field, keeps what was typed except the number, and saves nothing', async () => {
    const c = await insertClient(db());
    const chooser = await admin.get(`/admin/billing-accounts/client/${c}/new`);
    expect(chooser.status).toBe(200);
    expect(chooser.$(`a[href="/admin/billing-accounts/client/${c}/new/card"]`).text()).toBe('Credit card');
    await admin.get(`/admin/billing-accounts/client/${c}/new/card`);

    const res = await admin.post(`/admin/billing-accounts/client/${c}/new/card`, { ...card, cvv: '9184' });
    expect(res.status).toBe(400);
    const errorOf = (name: string) => res.$(`#f-${name}`).closest('.field').find('.field-error').text();
    expect(errorOf('cardNumber')).toBe('This card number is not valid');
    expect(errorOf('expMonth')).toBe('Enter the month as two digits, e.g. 01');
    expect(res.$('#f-nameOnCard').attr('value')).toBe('Grace Hopper');
    expect(res.$('#f-label').attr('value')).toBe('Office card');
    expect(res.$('#f-cardType option[selected]').attr('value')).toBe('visa');
    expect(res.$('#f-cardNumber').attr('value')).toBe('');
    expect(res.$('#f-cardNumber').closest('.field').find('.hint').text()).toContain('ending in 4241');
    expect(res.html).not.toContain('4242424242424241');
    expect(res.html).not.toContain('4242 4242 4242 4241');
    expect(res.html).not.toContain('9184');
    expect(await db()('core_billing_accounts').where({ client_id: c })).toEqual([]);
  });

  it('keeps the typed bank details on an error (only the card number and CVV are never shown again)', async () => {
    const c = await insertClient(db());
    await admin.get(`/admin/billing-accounts/client/${c}/new/echeck`);
    const res = await admin.post(`/admin/billing-accounts/client/${c}/new/echeck`, { bankName: 'First Bank', accountKind: 'savings', routingNumber: '12345678', accountNumber: '000123456789', dateOfBirth: '01/31/1980' });
    expect(res.status).toBe(400);
    expect(res.$('h1').text()).toBe('New eCheck account');
    expect(res.$('#f-routingNumber').closest('.field').find('.field-error').text()).toBe('A routing number has 9 digits');
    expect(res.$('#f-routingNumber').attr('value')).toBe('12345678');
    expect(res.$('#f-accountNumber').attr('value')).toBe('000123456789');
    expect(res.$('#f-accountKind option[selected]').attr('value')).toBe('savings');
    expect(await db()('core_billing_accounts').where({ client_id: c })).toEqual([]);
  });

  it('adds a card, lists it masked on the client page, and never shows the number on the edit page', async () => {
    const c = await insertClient(db());
    const { packageId } = await insertPackage(db());
    const s = await insertService(db(), { clientId: c, packageId, label: 'example.org' });
    const ok = await admin.post(`/admin/billing-accounts/client/${c}/new/card`, { ...card, cardNumber: '4242-4242-4242-4242', expMonth: '01', serviceIds: String(s) });
    expect(ok.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe(`/admin/clients/${c}#billing-accounts`);
    const section = await p.t.services.slots.render('admin.client.detail', { clientId: c });
    expect(section).toContain('Visa •••• 4242');
    expect(section).toContain('example.org');
    expect(section).not.toContain('4242424242424242');

    const row = (await db()('core_billing_accounts').where({ client_id: c }).first()) as { id: number };
    const edit = await admin.get(`/admin/billing-accounts/${row.id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.$('#f-nameOnCard').attr('value')).toBe('Grace Hopper');
    expect(edit.$('#f-cardNumber').attr('value')).toBe('');
    expect(edit.html).not.toContain('4242424242424242');
    expect(edit.$(`input[name="serviceIds"][value="${s}"]`).attr('checked')).toBeDefined();
  });

  it('is for admin and billing staff only', async () => {
    const c = await insertClient(db());
    const support = p.t.agent();
    await support.login('staff', 'support@example.test');
    expect((await support.get(`/admin/billing-accounts/client/${c}/new/card`)).status).toBe(403);
    expect((await support.post(`/admin/billing-accounts/client/${c}/new/manual`, {})).status).toBe(403);
    const billing = p.t.agent();
    await billing.login('staff', 'billing@example.test');
    expect((await billing.get(`/admin/billing-accounts/client/${c}/new/card`)).status).toBe(200);
    expect((await billing.get('/admin/payments/settings')).status).toBe(403);
  });
});

describe('record a payment and refund it', () => {
  it('records money received with its reference once, and refuses the same reference again', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 1200);
    const form = await admin.get(`/admin/payments/invoice/${inv.id}/record`);
    expect(form.$('#f-amount').attr('value')).toBe('12.00');
    expect(form.$('#f-paidOn').attr('value')).toBe('2026-03-02');
    const key = form.$('input[name="formKey"]').attr('value')!;

    const bad = await admin.post(`/admin/payments/invoice/${inv.id}/record`, { amount: '12.345', method: 'Bank transfer', reference: '', paidOn: '2026-03-09', formKey: key });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-amount').closest('.field').find('.field-error').text()).toContain('at most 2 decimals');
    expect(bad.$('#f-paidOn').closest('.field').find('.field-error').text()).toBe('The date cannot be in the future');
    expect(bad.$('#f-amount').attr('value')).toBe('12.345');

    const ok = await admin.post(`/admin/payments/invoice/${inv.id}/record`, { amount: '12,00', method: 'Bank transfer', reference: `BANK-${inv.id}`, paidOn: '2026-03-01', formKey: key });
    expect(ok.status).toBe(303);
    expect((await getInvoice(db(), inv.id))!).toMatchObject({ status: 'paid', amount_paid: 1200 });
    expect(await db()('core_transactions').where({ invoice_id: inv.id })).toEqual([expect.objectContaining({ gateway: 'manual', external_id: `BANK-${inv.id}`, method: 'Bank transfer', amount: 1200, created_at: '2026-03-01T12:00:00.000Z' })]);

    const again = await admin.get(`/admin/payments/invoice/${inv.id}/record`);
    const dup = await admin.post(`/admin/payments/invoice/${inv.id}/record`, { amount: '1.00', method: 'Cash', reference: `BANK-${inv.id}`, paidOn: '2026-03-02', formKey: again.$('input[name="formKey"]').attr('value')! });
    expect(dup.status).toBe(409);
    expect(dup.$('#f-reference').closest('.field').find('.field-error').text()).toContain('already recorded');
    expect(await db()('core_transactions').where({ invoice_id: inv.id })).toHaveLength(1);
  });

  it('refunds once however often the same form is sent, and never more than was paid', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 5000);
    const paid = await p.payments.recordManualPayment({ invoiceId: inv.id, amount: 5000, method: 'Cash', reference: `R-${inv.id}`, paidOn: '2026-03-02', formKey: 'x', actor: { type: 'staff', label: 'test' } });
    const form = await admin.get(`/admin/payments/transaction/${paid.transactionId}/refund`);
    expect(form.$('#f-amount').attr('value')).toBe('50.00');
    const key = form.$('input[name="key"]').attr('value')!;

    const tooMuch = await admin.post(`/admin/payments/transaction/${paid.transactionId}/refund`, { amount: '50.01', reason: '', key });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.$('#f-amount').closest('.field').find('.field-error').text()).toBe('You can refund at most 50.00 USD');

    const first = await admin.post(`/admin/payments/transaction/${paid.transactionId}/refund`, { amount: '20.00', reason: 'Goodwill', key });
    const second = await admin.post(`/admin/payments/transaction/${paid.transactionId}/refund`, { amount: '20.00', reason: 'Goodwill', key });
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(await db()('core_transactions').where({ refund_of: paid.transactionId })).toEqual([expect.objectContaining({ amount: -2000, status: 'refunded' })]);
    expect(Number(((await db()('core_clients').where({ id: c }).first('balance')) as { balance: number }).balance)).toBe(2000);

    const forged = await admin.post(`/admin/payments/transaction/${paid.transactionId}/refund`, { amount: '1.00', reason: '', key: 'AAAAAAAAAAAAAAAA.made-up' });
    expect(forged.status).toBe(400);
    expect(await db()('core_transactions').where({ refund_of: paid.transactionId })).toHaveLength(1);
  });

  it('charges a stored card from its page', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 800);
    await admin.post(`/admin/billing-accounts/client/${c}/new/card`, { ...card, cardNumber: '4000000000000002', expMonth: '01' });
    const accountId = ((await db()('core_billing_accounts').where({ client_id: c }).first('id')) as { id: number }).id;
    const form = await admin.get(`/admin/payments/invoice/${inv.id}/charge`);
    expect(form.$('#f-accountId option[selected]').text()).toContain('Visa •••• 0002');
    const declined = await admin.post(`/admin/payments/invoice/${inv.id}/charge`, { accountId: String(accountId), cvv: '123' });
    expect(declined.status).toBe(303);
    const after = await admin.get(declined.res.headers.get('location')!.replace(/#.*$/, ''));
    expect(after.html).toContain('declined');
    expect((await getInvoice(db(), inv.id))!.status).toBe('unpaid');
  });
});

describe('gateway settings', () => {
  it('store the shared secret without ever showing it, keep it when left empty, and check the template', async () => {
    const page = await admin.get('/admin/payments/settings');
    expect(page.status).toBe(200);
    expect(page.$('#f-testSecret').attr('value')).toBeUndefined();
    const saved = await admin.post('/admin/payments/settings', { testEnabled: '1', testUrl: 'http://127.0.0.1:4999', testSecret: 'a-brand-new-shared-secret', bankEnabled: '1', bankInstructions: 'Pay {{amount}} quoting {{reference}}' });
    expect(saved.status).toBe(303);
    expect((await getTestGatewaySettings(p.t.services.settings, p.t.services.secrets)).secret).toBe('a-brand-new-shared-secret');
    const stored = (await db()('core_settings').where({ key: 'payments.test' }).first()) as { value: string };
    expect(stored.value).not.toContain('a-brand-new-shared-secret');
    const again = await admin.get('/admin/payments/settings');
    expect(again.html).not.toContain('a-brand-new-shared-secret');
    expect(again.$('#f-testUrl').attr('value')).toBe('http://127.0.0.1:4999');
    expect(again.res.headers.get('content-security-policy')).toContain('http://127.0.0.1:4999');

    await admin.post('/admin/payments/settings', { testEnabled: '1', testUrl: p.gateway.url, testSecret: '', bankEnabled: '1', bankInstructions: 'Pay {{amount}}' });
    expect((await getTestGatewaySettings(p.t.services.settings, p.t.services.secrets)).secret).toBe('a-brand-new-shared-secret');
    expect((await admin.get('/admin/payments/settings')).res.headers.get('content-security-policy')).not.toContain('http://127.0.0.1:4999');

    const bad = await admin.post('/admin/payments/settings', { testEnabled: '1', testUrl: 'ftp://x', testSecret: 'short', bankEnabled: '1', bankInstructions: 'Pay {{{amount}}}' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-testUrl').closest('.field').find('.field-error').text()).toContain('http(s)');
    expect(bad.$('#f-testSecret').closest('.field').find('.field-error').text()).toBe('Use at least 16 characters for the shared secret');
    expect(bad.$('#f-bankInstructions').closest('.field').find('.field-error').text()).toContain('not allowed');
  });
});

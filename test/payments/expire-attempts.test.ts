// Payment attempts that never come back from the gateway expire (the hourly job, by the panel's clock,
// after the payments setting's age), once; a signed approval that arrives after that is still applied,
// because the gateway took the money.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { insertClient } from '../billing/ledger-fixtures.ts';
import { paymentsOf } from '../../core/billing/payments/setup.ts';
import type { PaymentService } from '../../core/billing/payments/service.ts';
import { ATTEMPT_SETTINGS_KEY, saveTestGatewaySettings } from '../../core/billing/payments/settings.ts';
import { SIGNATURE_HEADER, signBody } from '../../core/billing/payments/test-gateway/protocol.ts';
import { getInvoice } from '../../core/billing/invoices/store.ts';
import { GATEWAY_SECRET, makeInvoice } from './helpers.ts';

const HOUR = 3_600_000;
let t: TestApp;
let payments: PaymentService;

beforeEach(async () => {
  t = await createTestApp();
  payments = paymentsOf(t.services)!;
  // Starting a payment only builds the signed link; no gateway has to listen for these tests.
  await saveTestGatewaySettings(t.services.settings, t.services.secrets, { enabled: true, url: 'http://127.0.0.1:9', secret: GATEWAY_SECRET });
});
afterEach(async () => {
  await t?.destroy();
});

const db = () => t.services.db;
const attempt = async (id: string) => (await db()('core_payment_attempts').where({ id }).first('status', 'completed_at')) as { status: string; completed_at: string | null };
const expireJob = () => t.services.jobs.runOnce('core.payments.expire-attempts', 'manual');

async function started(clientId: number, amount: number) {
  const inv = await makeInvoice(db(), clientId, amount);
  const s = await payments.startPayment({ clientId, invoiceIds: [inv.id], gatewayId: 'test' });
  return { inv, attemptId: s.attemptId };
}

async function callback(attemptId: string, outcome: 'approved' | 'declined', amount: number, transaction: string) {
  const body = JSON.stringify({ attempt: attemptId, outcome, transaction, amount: outcome === 'approved' ? amount : 0, currency: 'USD', code: outcome, message: '' });
  const res = await t.app.request('http://localhost/payments/callback/test', { method: 'POST', body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(GATEWAY_SECRET, body) } });
  return { status: res.status, body: (await res.json()) as { ok: boolean; result?: string } };
}

describe('expiring payment attempts', () => {
  it('marks attempts still waiting after 24 hours as expired, once, and leaves younger and settled ones alone', async () => {
    const c = await insertClient(db());
    const old = await started(c, 1000);
    const declined = await started(c, 1100);
    expect((await callback(declined.attemptId, 'declined', 1100, 'tg-d1')).status).toBe(200);
    t.clock.advance(20 * HOUR);
    const young = await started(c, 1200);

    t.clock.advance(4 * HOUR - 1000);
    const early = await expireJob();
    expect(early.status).toBe('ok');
    expect(early.counts.expired ?? 0).toBe(0);
    expect(await attempt(old.attemptId)).toMatchObject({ status: 'started', completed_at: null });

    t.clock.advance(2000);
    const run = await expireJob();
    expect(run.counts).toMatchObject({ expired: 1 });
    expect(await attempt(old.attemptId)).toEqual({ status: 'expired', completed_at: t.clock.now().toISOString() });
    expect(await attempt(young.attemptId)).toMatchObject({ status: 'started' });
    expect(await attempt(declined.attemptId)).toMatchObject({ status: 'declined' });
    // Nothing moves money: the invoice is as unpaid as before.
    expect((await getInvoice(db(), old.inv.id))!).toMatchObject({ status: 'unpaid', amount_paid: 0 });

    const again = await expireJob();
    expect(again.counts.expired ?? 0).toBe(0);
    expect(await attempt(old.attemptId)).toMatchObject({ status: 'expired' });

    t.clock.advance(21 * HOUR);
    expect((await expireJob()).counts).toMatchObject({ expired: 1 });
    expect(await attempt(young.attemptId)).toMatchObject({ status: 'expired' });
  });

  it('applies a signed approval that arrives after the attempt expired: the gateway took the money', async () => {
    const c = await insertClient(db());
    const { inv, attemptId } = await started(c, 4200);
    t.clock.advance(30 * HOUR);
    await expireJob();
    expect(await attempt(attemptId)).toMatchObject({ status: 'expired' });

    const late = await callback(attemptId, 'approved', 4200, 'tg-late-1');
    expect(late).toEqual({ status: 200, body: { ok: true, result: 'applied' } });
    expect(await attempt(attemptId)).toMatchObject({ status: 'approved' });
    expect((await getInvoice(db(), inv.id))!).toMatchObject({ status: 'paid', amount_paid: 4200 });
    expect(await db()('core_transactions').where({ invoice_id: inv.id }).select('gateway', 'status', 'amount', 'external_id')).toEqual([
      { gateway: 'test', status: 'approved', amount: 4200, external_id: `tg-late-1:${inv.id}` },
    ]);
    expect(t.logLines.some((l) => l.includes('approved payment for an expired attempt'))).toBe(true);
    // The job does not touch it again, and a replay of the approval pays nothing twice.
    await expireJob();
    expect(await attempt(attemptId)).toMatchObject({ status: 'approved' });
    expect((await callback(attemptId, 'approved', 4200, 'tg-late-1')).body.result).toBe('replay');
  });

  it('keeps a late approval when the invoice was paid another way meanwhile: it goes to the credit balance', async () => {
    const c = await insertClient(db());
    const { inv, attemptId } = await started(c, 3000);
    t.clock.advance(25 * HOUR);
    await expireJob();
    await payments.recordManualPayment({ invoiceId: inv.id, amount: 3000, method: 'Bank transfer', reference: 'wire-1', paidOn: t.clock.now().toISOString().slice(0, 10), formKey: 'k', actor: { type: 'staff', label: 'test' } });
    expect((await callback(attemptId, 'approved', 3000, 'tg-late-2')).body.result).toBe('applied');
    expect(Number((await db()('core_clients').where({ id: c }).first('balance')).balance)).toBe(3000);
  });

  it('ignores a late decline of an expired attempt', async () => {
    const c = await insertClient(db());
    const { inv, attemptId } = await started(c, 900);
    t.clock.advance(25 * HOUR);
    await expireJob();
    expect((await callback(attemptId, 'declined', 900, 'tg-late-d')).body.result).toBe('replay');
    expect(await attempt(attemptId)).toMatchObject({ status: 'expired' });
    expect(await db()('core_transactions').where({ invoice_id: inv.id })).toEqual([]);
  });

  it('waits as long as the payments setting says, and shows the client that the payment expired', async () => {
    await db()('core_settings').insert({ key: ATTEMPT_SETTINGS_KEY, value: JSON.stringify({ expireAfterHours: 2 }), updated_at: t.clock.now().toISOString() });
    const c = await insertClient(db());
    const { attemptId } = await started(c, 500);
    t.clock.advance(HOUR);
    expect((await expireJob()).counts.expired ?? 0).toBe(0);
    t.clock.advance(HOUR + 1);
    expect((await expireJob()).counts).toMatchObject({ expired: 1 });

    await t.createUser('client', 'payer@example.test', { clientId: c });
    const client = t.agent();
    await client.login('client', 'payer@example.test');
    const page = await client.get(`/payments/return?attempt=${attemptId}`);
    expect(page.status).toBe(200);
    expect(page.$('.payment-result').attr('class')).toContain('payment-expired');
    expect(page.$('.payment-result').text()).toContain('This payment was not completed in time');
  });

  it('takes the age from the Payment gateways page', async () => {
    await t.createUser('staff', 'admin@example.test', { role: 'admin' });
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    expect((await admin.get('/admin/payments/settings')).$('#f-attemptsExpireHours').attr('value')).toBe('24');
    const base = { testEnabled: '1', testUrl: 'http://127.0.0.1:9', testSecret: '', bankEnabled: '', bankInstructions: '' };
    const bad = await admin.post('/admin/payments/settings', { ...base, attemptsExpireHours: '0' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-attemptsExpireHours-error').text()).toBe('Enter between 1 and 720 hours (30 days)');
    expect((await admin.post('/admin/payments/settings', { ...base, attemptsExpireHours: '1.5' })).$('#f-attemptsExpireHours-error').text()).toBe('Enter a whole number of hours');
    expect((await admin.post('/admin/payments/settings', { ...base, attemptsExpireHours: '48' })).status).toBe(303);
    expect((await admin.get('/admin/payments/settings')).$('#f-attemptsExpireHours').attr('value')).toBe('48');

    const c = await insertClient(db());
    const { attemptId } = await started(c, 500);
    t.clock.advance(47 * HOUR);
    await expireJob();
    expect(await attempt(attemptId)).toMatchObject({ status: 'started' });
    t.clock.advance(2 * HOUR);
    await expireJob();
    expect(await attempt(attemptId)).toMatchObject({ status: 'expired' });
  });
});

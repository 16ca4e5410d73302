// The whole payment flow for real: the panel on a loopback port, the test gateway's hosted page, its signed
// server-to-server callback, replays and forgeries, declines and errors, several invoices, stored cards.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertClient } from '../billing/ledger-fixtures.ts';
import { getInvoice } from '../../core/billing/invoices/store.ts';
import { createBillingAccount } from '../../core/billing/accounts/accounts.ts';
import { saveBankGatewaySettings, saveTestGatewaySettings } from '../../core/billing/payments/settings.ts';
import { SIGNATURE_HEADER, signBody } from '../../core/billing/payments/test-gateway/protocol.ts';
import { startTestGateway } from '../../core/billing/payments/test-gateway/server.ts';
import { GATEWAY_SECRET, makeInvoice, payOnHostedPage, startLivePanel, type LivePanel } from './helpers.ts';

let p: LivePanel;

beforeAll(async () => {
  p = await startLivePanel();
});
afterAll(async () => {
  await p?.close();
});

const db = () => p.t.services.db;
const transactionsOf = (invoiceId: number) => db()('core_transactions').where({ invoice_id: invoiceId }).orderBy('id');
const attempt = (id: string) => db()('core_payment_attempts').where({ id }).first();
const balanceOf = async (clientId: number) => Number(((await db()('core_clients').where({ id: clientId }).first('balance')) as { balance: number }).balance);
const postCallback = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${p.url}/payments/callback/test`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

async function start(clientId: number, invoiceIds: number[]) {
  const started = await p.payments.startPayment({ clientId, invoiceIds, gatewayId: 'test', returnUrl: '/payments/return' });
  if (started.next.kind !== 'redirect') throw new Error('the test gateway should redirect');
  return { ...started, link: started.next.url };
}

describe('paying through the test gateway', () => {
  it('pays an invoice: hosted page, Approve, signed callback, transaction, back to the shop', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 1999);
    const s = await start(c, [inv.id]);
    expect(s).toMatchObject({ amount: 1999, currency: 'USD', invoiceIds: [inv.id] });
    expect(s.link.startsWith(`${p.gateway.url}/pay?`)).toBe(true);

    const { page, html, press } = await payOnHostedPage(s.link, 'approved');
    expect(page.status).toBe(200);
    expect(html).toContain('19.99 USD');
    expect(press.status).toBe(303);
    expect(press.headers.get('location')).toBe(`${p.url}/payments/return?attempt=${s.attemptId}`);

    expect((await getInvoice(db(), inv.id))!).toMatchObject({ status: 'paid', amount_paid: 1999 });
    const txs = await transactionsOf(inv.id);
    expect(txs).toHaveLength(1);
    const sent = JSON.parse(p.gateway.callbacks.at(-1)!.body) as { transaction: string };
    expect(txs[0]).toMatchObject({ gateway: 'test', status: 'approved', amount: 1999, currency: 'USD', method: 'Credit Card', external_id: `${sent.transaction}:${inv.id}`, status_code: 'approved' });
    expect(await attempt(s.attemptId)).toMatchObject({ status: 'approved' });
    // Paying set the billing effects in motion: the client is told, in the same transaction.
    const client = (await db()('core_clients').where({ id: c }).first('email')) as { email: string };
    expect(await db()('core_outbox').where({ to: client.email }).select('subject')).toEqual([{ subject: expect.stringContaining(inv.number) }]);
  });

  it('pays nothing twice when the same callback arrives again, or the client presses Approve again', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 2500);
    const s = await start(c, [inv.id]);
    await payOnHostedPage(s.link, 'approved');
    const original = p.gateway.callbacks.at(-1)!;
    expect(original.status).toBe(200);

    const replay = await postCallback(original.body, { [SIGNATURE_HEADER]: original.signature });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ ok: true, result: 'replay' });
    const again = await payOnHostedPage(s.link, 'approved');
    expect(again.press.status).toBe(303);

    expect(await transactionsOf(inv.id)).toHaveLength(1);
    expect((await getInvoice(db(), inv.id))!.amount_paid).toBe(2500);
    expect(await balanceOf(c)).toBe(0);
  });

  it('pays once when two copies of the callback arrive at the same moment', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 6100);
    const s = await start(c, [inv.id]);
    const body = JSON.stringify({ attempt: s.attemptId, outcome: 'approved', transaction: `tg_race_${inv.id}`, amount: 6100, currency: 'USD', code: 'approved', message: 'Approved' });
    const headers = { [SIGNATURE_HEADER]: signBody(GATEWAY_SECRET, body) };
    const answers = await Promise.all([postCallback(body, headers), postCallback(body, headers), postCallback(body, headers)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const results = (await Promise.all(answers.map((a) => a.json() as Promise<{ result: string }>))).map((r) => r.result).sort();
    expect(results).toEqual(['applied', 'replay', 'replay']);
    expect(await transactionsOf(inv.id)).toHaveLength(1);
    expect(await balanceOf(c)).toBe(0);
  });

  it('answers a forged, tampered or unsigned callback with 403 and records nothing', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 4000);
    const s = await start(c, [inv.id]);
    const body = JSON.stringify({ attempt: s.attemptId, outcome: 'approved', transaction: 'forged-1', amount: 4000, currency: 'USD', code: 'approved', message: 'Approved' });

    expect((await postCallback(body)).status).toBe(403);
    expect((await postCallback(body, { [SIGNATURE_HEADER]: signBody('not-the-shared-secret-at-all', body) })).status).toBe(403);
    const signed = signBody(GATEWAY_SECRET, body);
    expect((await postCallback(body.replace('4000', '9000'), { [SIGNATURE_HEADER]: signed })).status).toBe(403);
    expect((await fetch(`${p.url}/payments/callback/bank`, { method: 'POST', body, headers: { [SIGNATURE_HEADER]: signed } })).status).toBe(403);
    expect((await fetch(`${p.url}/payments/callback/nope`, { method: 'POST', body, headers: { [SIGNATURE_HEADER]: signed } })).status).toBe(403);

    expect(await transactionsOf(inv.id)).toEqual([]);
    expect((await getInvoice(db(), inv.id))!.status).toBe('unpaid');
    expect(await attempt(s.attemptId)).toMatchObject({ status: 'started' });
    // The same body with the right signature is accepted: the refusals above were for the signature alone.
    expect((await postCallback(body, { [SIGNATURE_HEADER]: signed })).status).toBe(200);
    expect((await getInvoice(db(), inv.id))!.status).toBe('paid');
  });

  it('records a decline and an error as transactions of nothing and leaves the invoice unpaid', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 1200);
    const declined = await start(c, [inv.id]);
    expect((await payOnHostedPage(declined.link, 'declined')).press.status).toBe(303);
    const failed = await start(c, [inv.id]);
    expect((await payOnHostedPage(failed.link, 'error')).press.status).toBe(303);

    expect(await attempt(declined.attemptId)).toMatchObject({ status: 'declined' });
    expect(await attempt(failed.attemptId)).toMatchObject({ status: 'error' });
    const txs = await transactionsOf(inv.id);
    expect(txs.map((x) => [x.status, x.amount, x.status_code])).toEqual([
      ['declined', 0, 'card_declined'],
      ['error', 0, 'processing_error'],
    ]);
    expect(JSON.parse(txs[0].raw)).toMatchObject({ attempted: 1200 });
    expect((await getInvoice(db(), inv.id))!).toMatchObject({ status: 'unpaid', amount_paid: 0 });
    expect(await balanceOf(c)).toBe(0);
    // A decline replayed after the fact changes nothing.
    const decline = p.gateway.callbacks.find((x) => x.body.includes(declined.attemptId))!;
    expect(await (await postCallback(decline.body, { [SIGNATURE_HEADER]: decline.signature })).json()).toEqual({ ok: true, result: 'replay' });
    expect(await transactionsOf(inv.id)).toHaveLength(2);
  });

  it('pays two invoices in one payment, each what it owes, the rest of an overpayment to credit', async () => {
    const c = await insertClient(db());
    const a = await makeInvoice(db(), c, 1500);
    const b = await makeInvoice(db(), c, 2500);
    const s = await start(c, [a.id, b.id]);
    expect(s.amount).toBe(4000);
    // Meanwhile staff record 10.00 on the second invoice: the gateway still charges 40.00.
    await p.payments.recordManualPayment({ invoiceId: b.id, amount: 1000, method: 'Cash', reference: `cash-${b.id}`, paidOn: '2026-03-02', formKey: 'k', actor: { type: 'staff', label: 'test' } });
    await payOnHostedPage(s.link, 'approved');
    const tx = (JSON.parse(p.gateway.callbacks.at(-1)!.body) as { transaction: string }).transaction;
    expect(await transactionsOf(a.id)).toEqual([expect.objectContaining({ amount: 1500, external_id: `${tx}:${a.id}` })]);
    expect((await transactionsOf(b.id)).map((x) => [x.gateway, x.amount])).toEqual([
      ['manual', 1000],
      ['test', 2500],
    ]);
    expect((await getInvoice(db(), a.id))!.status).toBe('paid');
    expect((await getInvoice(db(), b.id))!.status).toBe('paid');
    expect(await balanceOf(c)).toBe(1000);
  });

  it('refuses to start for another client’s invoice, a paid one, or invoices in two currencies', async () => {
    const c = await insertClient(db());
    const other = await insertClient(db());
    const mine = await makeInvoice(db(), c, 100);
    const theirs = await makeInvoice(db(), other, 100);
    const euro = await makeInvoice(db(), c, 100, 'EUR');
    await expect(p.payments.startPayment({ clientId: c, invoiceIds: [mine.id, theirs.id], gatewayId: 'test' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(p.payments.startPayment({ clientId: c, invoiceIds: [mine.id, euro.id], gatewayId: 'test' })).rejects.toMatchObject({ code: 'currency' });
    await expect(p.payments.startPayment({ clientId: c, invoiceIds: [], gatewayId: 'test' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(p.payments.startPayment({ clientId: c, invoiceIds: [mine.id], gatewayId: 'test', returnUrl: 'https://evil.example/steal' })).rejects.toMatchObject({ code: 'invalid' });
    await db()('core_invoices').where({ id: mine.id }).update({ status: 'paid', amount_paid: 100 });
    await expect(p.payments.startPayment({ clientId: c, invoiceIds: [mine.id], gatewayId: 'test' })).rejects.toMatchObject({ code: 'not_payable' });
  });

  it('shows the result to the paying client only, and lets the hosted page redirect under the CSP', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 700);
    const s = await start(c, [inv.id]);
    await payOnHostedPage(s.link, 'declined');
    const email = `payer${c}@example.test`;
    await p.t.createUser('client', email, { clientId: c });
    const client = p.t.agent();
    await client.login('client', email);
    const page = await client.get(`/payments/return?attempt=${s.attemptId}`);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Payment');
    expect(page.$('.payment-result').text()).toContain('declined');
    expect(page.$('.payment-result').text()).toContain(inv.number);

    const stranger = await insertClient(db());
    await p.t.createUser('client', `stranger${stranger}@example.test`, { clientId: stranger });
    const other = p.t.agent();
    await other.login('client', `stranger${stranger}@example.test`);
    expect((await other.get(`/payments/return?attempt=${s.attemptId}`)).status).toBe(404);
    expect((await p.t.agent().get(`/payments/return?attempt=${s.attemptId}`)).status).toBe(404);

    const csp = page.res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`form-action 'self' ${new URL(p.gateway.url).origin}`);
  });
});

describe('paying by bank transfer', () => {
  it('gives the operator’s instructions with the attempt as reference, and takes no callback', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 4550);
    await expect(p.payments.startPayment({ clientId: c, invoiceIds: [inv.id], gatewayId: 'bank' })).rejects.toMatchObject({ code: 'gateway_unavailable' });
    await saveBankGatewaySettings(p.t.services.settings, { enabled: true, instructions: 'Transfer {{amount}} with reference {{reference}} ({{invoices}}).' });
    const s = await p.payments.startPayment({ clientId: c, invoiceIds: [inv.id], gatewayId: 'bank' });
    expect(s.next).toEqual({ kind: 'instructions', title: 'Pay by bank transfer', text: `Transfer 45.50 USD with reference ${s.attemptId} (${inv.number}).` });
    expect(await attempt(s.attemptId)).toMatchObject({ gateway: 'bank', status: 'started', amount: 4550 });
    const body = JSON.stringify({ attempt: s.attemptId, outcome: 'approved', transaction: 'b1', amount: 4550, currency: 'USD', code: 'approved', message: '' });
    expect((await fetch(`${p.url}/payments/callback/bank`, { method: 'POST', body, headers: { [SIGNATURE_HEADER]: signBody(GATEWAY_SECRET, body) } })).status).toBe(403);
    expect((await getInvoice(db(), inv.id))!.status).toBe('unpaid');
  });
});

describe('stored cards', () => {
  async function cardAccount(clientId: number, number: string) {
    const r = await createBillingAccount(
      { db: db(), clock: p.t.clock, secrets: p.t.services.secrets, settings: p.t.services.settings, audit: p.t.services.audit },
      { clientId, type: 'card', values: { nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: number, expMonth: '12', expYear: '2027' }, actor: { type: 'system' } },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.value.accountId;
  }

  it('charges an approving card and pays the invoice', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 3300);
    const accountId = await cardAccount(c, '4242424242424242');
    const r = await p.payments.chargeStoredAccount({ clientId: c, accountId, invoiceIds: [inv.id], cvv: '123' });
    expect(r).toMatchObject({ outcome: 'approved', statusCode: 'approved', result: { kind: 'applied', paidInvoiceIds: [inv.id] } });
    expect((await getInvoice(db(), inv.id))!.status).toBe('paid');
    expect(await transactionsOf(inv.id)).toEqual([expect.objectContaining({ status: 'approved', amount: 3300 })]);
    // The card number never lands in the transaction's raw record.
    expect(JSON.stringify(await transactionsOf(inv.id))).not.toContain('4242424242424242');
  });

  it('records 4000000000000002 as declined and 4000000000000119 as an error, the invoice unpaid', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 900);
    const declining = await cardAccount(c, '4000000000000002');
    const failing = await cardAccount(c, '4000000000000119');
    expect(await p.payments.chargeStoredAccount({ clientId: c, accountId: declining, invoiceIds: [inv.id] })).toMatchObject({ outcome: 'declined', statusCode: 'card_declined' });
    expect(await p.payments.chargeStoredAccount({ clientId: c, accountId: failing, invoiceIds: [inv.id] })).toMatchObject({ outcome: 'error', statusCode: 'processing_error' });
    expect((await transactionsOf(inv.id)).map((x) => [x.status, x.amount])).toEqual([
      ['declined', 0],
      ['error', 0],
    ]);
    expect((await getInvoice(db(), inv.id))!.status).toBe('unpaid');
  });

  it('will not charge another client’s card', async () => {
    const c = await insertClient(db());
    const other = await insertClient(db());
    const inv = await makeInvoice(db(), c, 900);
    const theirs = await cardAccount(other, '4242424242424242');
    await expect(p.payments.chargeStoredAccount({ clientId: c, accountId: theirs, invoiceIds: [inv.id] })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('a gateway without a shared secret', () => {
  it('refuses every start and every callback, on the panel and on the gateway', async () => {
    const c = await insertClient(db());
    const inv = await makeInvoice(db(), c, 500);
    const s = await start(c, [inv.id]);
    await saveTestGatewaySettings(p.t.services.settings, p.t.services.secrets, { enabled: true, url: p.gateway.url, secret: '' });
    try {
      await expect(p.payments.startPayment({ clientId: c, invoiceIds: [inv.id], gatewayId: 'test' })).rejects.toMatchObject({ code: 'gateway_unavailable' });
      const body = JSON.stringify({ attempt: s.attemptId, outcome: 'approved', transaction: 'empty-key', amount: 500, currency: 'USD', code: 'approved', message: '' });
      const emptyKeySignature = crypto.createHmac('sha256', '').update(body).digest('hex');
      expect((await postCallback(body, { [SIGNATURE_HEADER]: emptyKeySignature })).status).toBe(403);
      expect((await postCallback(body)).status).toBe(403);
      // The gateway still calls back with its own secret: the panel, having none, refuses that too.
      const press = await payOnHostedPage(s.link, 'approved');
      expect(press.press.status).toBe(502);
      expect(p.gateway.callbacks.at(-1)!.status).toBe(403);
      expect(await transactionsOf(inv.id)).toEqual([]);
      expect((await getInvoice(db(), inv.id))!.status).toBe('unpaid');
    } finally {
      await saveTestGatewaySettings(p.t.services.settings, p.t.services.secrets, { enabled: true, url: p.gateway.url, secret: GATEWAY_SECRET });
    }
  });

  it('as a gateway server, refuses every payment page and stored-card charge', async () => {
    const gw = await startTestGateway({ port: 0, secret: '' });
    try {
      const page = await fetch(`${gw.url}/pay?attempt=pa_x&amount=100&currency=USD&return=http://127.0.0.1/&callback=http://127.0.0.1/&sig=00`);
      expect(page.status).toBe(503);
      expect(await page.text()).not.toContain('Approve');
      const charge = await fetch(`${gw.url}/charge`, { method: 'POST', body: '{}', headers: { [SIGNATURE_HEADER]: crypto.createHmac('sha256', '').update('{}').digest('hex') } });
      expect(charge.status).toBe(403);
    } finally {
      await gw.close();
    }
  });
});

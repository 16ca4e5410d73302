// Paying from the portal for real: the panel on a loopback port with the portal, the test gateway's
// hosted page and its signed callback, stored and new cards charged server-to-server, the credit
// balance, several invoices in one payment, bad input, double submits, CSRF, and Russian.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, PageResult, TestApp } from '../../../test/helpers/app.ts';
import { insertClient } from '../../../test/billing/ledger-fixtures.ts';
import { makeInvoice, payOnHostedPage, startLivePanel, type LivePanel } from '../../../test/payments/helpers.ts';
import { createBillingAccount } from '../../../core/billing/accounts/accounts.ts';
import { DECLINED_CARD } from '../../../core/billing/payments/test-gateway/protocol.ts';
import { saveBankGatewaySettings } from '../../../core/billing/payments/settings.ts';
import clientPortal from '../index.ts';

// The gateway posts its callback to the panel over HTTP, so the panel listens for real.
let live: LivePanel;
let t: TestApp;
let url: string;
let clientId: number;
let otherClientId: number;
let client: Agent;

beforeAll(async () => {
  live = await startLivePanel({ plugins: [clientPortal()] });
  ({ t, url } = live);
  clientId = await insertClient(t.services.db, { name: 'Ada Lovelace' });
  otherClientId = await insertClient(t.services.db, { name: 'Other Client' });
  await t.createUser('client', 'ada@example.test', { clientId });
  client = t.agent();
  await client.login('client', 'ada@example.test');
});
afterAll(async () => {
  await live?.close();
});

const db = () => t.services.db;
const invoiceRow = (id: number) => db()('core_invoices').where({ id }).first('status', 'amount_paid') as Promise<{ status: string; amount_paid: number }>;
const transactionsOf = (id: number) => db()('core_transactions').where({ invoice_id: id }).orderBy('id').select('gateway', 'status', 'status_code', 'amount', 'external_id');
const card = { nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: '4242 4242 4242 4242', expMonth: '12', expYear: '2028', issueNumber: '', startDate: '', cvv: '123' };

/** Opens a payment page and returns its form's one-time key (the agent keeps the CSRF token). */
async function openPay(path: string): Promise<{ page: PageResult; key: string }> {
  const page = await client.get(path);
  expect(page.status, path).toBe(200);
  return { page, key: page.$('input[name="key"]').attr('value')! };
}

/** Follows a 303 within the panel (absolute URLs on the public URL included). */
async function follow(res: PageResult): Promise<PageResult> {
  expect(res.status).toBe(303);
  const loc = res.res.headers.get('location')!;
  return client.get(loc.startsWith(url) ? loc.slice(url.length) : loc);
}

const flashes = (page: PageResult) => page.$('.flash-stack .flash').map((_, el) => page.$(el).text().trim()).get();

describe('paying one invoice', () => {
  it('shows what is paid and every way to pay', async () => {
    const inv = await makeInvoice(db(), clientId, 1500);
    const { page, key } = await openPay(`/client/invoices/${inv.id}/pay`);
    fs.writeFileSync('/tmp/portal-pay.html', page.html);
    expect(key).toMatch(/^[A-Za-z0-9_-]{16}\./);
    expect(page.$('h1').text()).toBe(`Pay invoice ${inv.number}`);
    expect(page.$('.pay-total-amount').text()).toBe('15.00 USD');
    expect(page.$('input[name="method"]').map((_, el) => page.$(el).attr('value')).get()).toEqual(['gateway:test', 'card']);
    expect(page.$('button[value="pay"]').text()).toBe('Confirm Payment');
    // Every field has a label.
    for (const name of ['nameOnCard', 'cardType', 'cardNumber', 'expMonth', 'expYear', 'issueNumber', 'startDate', 'cvv', 'saveCard']) {
      expect(page.$(`label[for="f-${name}"]`).text().trim(), name).not.toBe('');
    }
  });

  it('pays on the test gateway’s page and comes back to a paid invoice', async () => {
    const inv = await makeInvoice(db(), clientId, 2000);
    const { key } = await openPay(`/client/invoices/${inv.id}/pay`);
    const go = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'gateway:test', intent: 'pay' });
    expect(go.status).toBe(303);
    const link = go.res.headers.get('location')!;
    expect(link.startsWith(`${live.gateway.url}/pay?`)).toBe(true);
    const { press } = await payOnHostedPage(link, 'approved');
    expect(press.status).toBe(303);
    const back = press.headers.get('location')!;
    expect(back).toMatch(new RegExp(`^${url}/client/invoices/payment\\?attempt=pa_`));
    const result = await client.get(back.slice(url.length));
    expect(result.status).toBe(200);
    expect(result.$('.payment-result .flash-success').text()).toBe('Thank you: your payment of 20.00 USD was received.');
    expect(result.$('.payment-result tbody').text()).toMatch(new RegExp(`${inv.number}\\s*0\\.00 USD\\s*Paid`));
    expect(await invoiceRow(inv.id)).toEqual({ status: 'paid', amount_paid: 2000 });
    const detail = await client.get(`/client/invoices/${inv.id}`);
    expect(detail.$('.invoice-transactions tbody tr').text()).toMatch(/Credit Card\s*Approved[\s\S]*20\.00 USD/);
  });

  it('comes back declined, charges nothing and offers to pay again', async () => {
    const inv = await makeInvoice(db(), clientId, 2100);
    const { key } = await openPay(`/client/invoices/${inv.id}/pay`);
    const go = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'gateway:test', intent: 'pay' });
    const { press } = await payOnHostedPage(go.res.headers.get('location')!, 'declined');
    const result = await client.get(press.headers.get('location')!.slice(url.length));
    expect(result.$('.payment-result .flash-error').text()).toMatch(/^Your payment of 21\.00 USD was declined\. Nothing was charged/);
    expect(result.$(`a[href="/client/invoices/${inv.id}/pay"]`).text()).toBe('Pay again');
    expect(await invoiceRow(inv.id)).toEqual({ status: 'unpaid', amount_paid: 0 });
    const detail = await client.get(`/client/invoices/${inv.id}`);
    expect(detail.$('.invoice-transactions tbody tr').text()).toMatch(/Declined\s*card_declined/);
  });

  it('charges a new card, saves it masked when asked, and shows the invoice paid', async () => {
    const inv = await makeInvoice(db(), clientId, 3000);
    const { key } = await openPay(`/client/invoices/${inv.id}/pay`);
    const res = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'card', ...card, saveCard: '1', intent: 'pay' });
    const result = await follow(res);
    expect(result.$('.payment-result .flash-success').text()).toBe('Thank you: your payment of 30.00 USD was received.');
    expect(flashes(result)).toEqual(['Your card was saved as a billing account for future payments.']);
    expect(await invoiceRow(inv.id)).toEqual({ status: 'paid', amount_paid: 3000 });
    const accounts = (await db()('core_billing_accounts').where({ client_id: clientId }).select('type', 'card_type', 'last4', 'card_exp_month', 'card_exp_year', 'sealed')) as { sealed: string }[];
    expect(accounts).toEqual([{ type: 'card', card_type: 'visa', last4: '4242', card_exp_month: '12', card_exp_year: '2028', sealed: expect.any(String) }]);
    expect(accounts[0]!.sealed).not.toContain('4242424242424242');
    // The saved card is offered next time, shown by its last four digits only.
    const next = await makeInvoice(db(), clientId, 100);
    const { page } = await openPay(`/client/invoices/${next.id}/pay`);
    expect(page.$('#f-accountId option').text()).toBe('Visa •••• 4242 (default)');
    expect(page.html).not.toContain('4242424242424242');
  });

  it('charges a stored billing account chosen from the drop-down', async () => {
    const account = await createBillingAccount(t.services, { clientId, type: 'card', values: { nameOnCard: 'Ada Lovelace', cardType: 'mastercard', cardNumber: '5555555555554444', expMonth: '06', expYear: '2029', label: 'Work card' }, actor: { type: 'system' } });
    if (!account.ok) throw new Error(JSON.stringify(account.errors));
    const inv = await makeInvoice(db(), clientId, 4500);
    const { page, key } = await openPay(`/client/invoices/${inv.id}/pay`);
    expect(page.$('#f-accountId option').map((_, o) => page.$(o).text()).get()).toContain('MasterCard •••• 4444 — Work card');
    const result = await follow(await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'account', accountId: String(account.value.accountId), accountCvv: '', intent: 'pay' }));
    expect(result.$('.payment-result .flash-success').text()).toBe('Thank you: your payment of 45.00 USD was received.');
    expect(await invoiceRow(inv.id)).toEqual({ status: 'paid', amount_paid: 4500 });
    expect(await transactionsOf(inv.id)).toEqual([expect.objectContaining({ gateway: 'test', status: 'approved', amount: 4500 })]);
  });

  it('pays from the credit balance when the client has credit in that currency', async () => {
    await db()('core_clients').where({ id: clientId }).update({ balance: 5000 });
    try {
      const inv = await makeInvoice(db(), clientId, 1200);
      const { page, key } = await openPay(`/client/invoices/${inv.id}/pay`);
      expect(page.$('input[name="method"][value="credit"]')).toHaveLength(1);
      expect(page.$('input[name="method"][value="credit"]').closest('.pay-method').text()).toContain('You have 50.00 USD of credit.');
      const res = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'credit', intent: 'pay' });
      expect(res.res.headers.get('location')).toBe(`/client/invoices/${inv.id}`);
      const detail = await follow(res);
      expect(flashes(detail)).toEqual(['12.00 USD of your credit balance paid for this. Thank you!']);
      expect(detail.$('.invoice-transactions tbody').text()).toMatch(/Credit balance\s*Approved/);
      expect(await invoiceRow(inv.id)).toEqual({ status: 'paid', amount_paid: 1200 });
      expect(Number(((await db()('core_clients').where({ id: clientId }).first('balance')) as { balance: number }).balance)).toBe(3800);
    } finally {
      await db()('core_clients').where({ id: clientId }).update({ balance: 0 });
    }
  });
});

describe('paying outside the panel', () => {
  it('gives the bank transfer details with the reference to quote, and leaves the invoice open', async () => {
    await saveBankGatewaySettings(t.services.settings, { enabled: true, instructions: 'Transfer {{amount}} to IBAN IE00 BANK 0000 with reference {{reference}} ({{invoices}}).' });
    try {
      const inv = await makeInvoice(db(), clientId, 4550);
      const { page, key } = await openPay(`/client/invoices/${inv.id}/pay`);
      expect(page.$('input[name="method"][value="gateway:bank"]').closest('.pay-method').text()).toMatch(/Bank transfer\s*You get the payment details/);
      const res = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'gateway:bank', intent: 'pay' });
      expect(res.status).toBe(200);
      expect(res.$('h1').text()).toBe('Pay by bank transfer');
      const reference = res.$('.payment-instructions code').text();
      expect(reference).toMatch(/^pa_/);
      expect(res.$('.instructions').text()).toBe(`Transfer 45.50 USD to IBAN IE00 BANK 0000 with reference ${reference} (${inv.number}).`);
      expect(await invoiceRow(inv.id)).toEqual({ status: 'unpaid', amount_paid: 0 });
    } finally {
      await saveBankGatewaySettings(t.services.settings, { enabled: false, instructions: '' });
    }
  });
});

describe('bad input', () => {
  let inv: { id: number; number: string };
  let key: string;
  beforeAll(async () => {
    inv = await makeInvoice(db(), clientId, 999);
    ({ key } = await openPay(`/client/invoices/${inv.id}/pay`));
  });

  const cases: [string, Record<string, string>, string, string][] = [
    ['a card number failing Luhn', { cardNumber: '4242 4242 4242 4241' }, 'cardNumber', 'This card number is not valid'],
    ['a one-digit month', { expMonth: '1' }, 'expMonth', 'Enter the month as two digits, e.g. 01'],
    ['a three-digit year', { expYear: '202' }, 'expYear', 'Enter the year as four digits, e.g. 2027'],
    ['an expired card', { expMonth: '02', expYear: '2026' }, 'expMonth', 'This card expired at the end of that month; check the expiry date'],
  ];
  for (const [what, fields, field, message] of cases) {
    it(`shows ${what} beside its field, keeps the rest and never echoes the number or CVV`, async () => {
      const page = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'card', ...card, ...fields, intent: 'pay' });
      expect(page.status).toBe(400);
      expect(page.$(`#f-${field}-error`).text()).toBe(message);
      expect(page.$(`#f-${field}`).attr('aria-invalid')).toBe('true');
      expect(page.$('input[name="method"][value="card"]').attr('checked')).toBeDefined();
      expect(page.$('#f-nameOnCard').attr('value')).toBe('Ada Lovelace');
      expect(page.$('#f-cardType option[selected]').attr('value')).toBe('visa');
      expect(page.$('#f-cardNumber').attr('value')).toBe('');
      expect(page.$('#f-cvv').attr('value')).toBe('');
      expect(page.$('#f-cardNumber-hint').text()).toBe('For your security the card number is not kept when this page comes back: type it again.');
      expect(page.html).not.toMatch(/4242 ?4242 ?4242 ?424[12]/);
      expect(page.$('input[name="key"]').attr('value')).toBe(key);
    });
  }

  it('asks to choose a way to pay when none is chosen', async () => {
    const page = await client.post(`/client/invoices/${inv.id}/pay`, { key, intent: 'pay' });
    expect(page.status).toBe(400);
    expect(page.$('#method-error').text()).toBe('Choose how to pay');
    expect(page.$('input[name="method"]').first().attr('aria-describedby')).toBe('method-error');
    expect(await invoiceRow(inv.id)).toEqual({ status: 'unpaid', amount_paid: 0 });
    expect(await transactionsOf(inv.id)).toEqual([]);
  });

  it('refuses a form whose key was not issued by the panel', async () => {
    const page = await client.post(`/client/invoices/${inv.id}/pay`, { key: 'made-up', method: 'card', ...card, intent: 'pay' });
    expect(page.status).toBe(400);
    expect(page.$('.flash-error').first().text()).toBe('This page has expired: check the details and confirm the payment again.');
    expect(await transactionsOf(inv.id)).toEqual([]);
  });

  it('refuses a POST without the CSRF token (403) and charges nothing', async () => {
    const page = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'card', ...card, intent: 'pay' }, { csrf: null });
    expect(page.status).toBe(403);
    expect(await transactionsOf(inv.id)).toEqual([]);
  });
});

describe('double submits', () => {
  it('charge a card once when the same form arrives twice at once and again later', async () => {
    const inv = await makeInvoice(db(), clientId, 2750);
    const { key } = await openPay(`/client/invoices/${inv.id}/pay`);
    const fields = { key, method: 'card', ...card, cardNumber: '4000056655665556', intent: 'pay' };
    const [a, b] = await Promise.all([client.post(`/client/invoices/${inv.id}/pay`, fields), client.post(`/client/invoices/${inv.id}/pay`, fields)]);
    // One of the two charged; the other says it was a repeat (its page also clears the flash cookie).
    expect((await follow(b)).html).toContain('Thank you: your payment of 27.50 USD was received.');
    const c = await client.post(`/client/invoices/${inv.id}/pay`, fields);
    expect([a.status, b.status, c.status]).toEqual([303, 303, 303]);
    expect(await transactionsOf(inv.id)).toEqual([expect.objectContaining({ status: 'approved', amount: 2750 })]);
    expect(await invoiceRow(inv.id)).toEqual({ status: 'paid', amount_paid: 2750 });
    expect(await db()('core_payment_attempts').where({ client_id: clientId }).andWhere('invoice_ids', JSON.stringify([inv.id])).count({ n: '*' })).toEqual([{ n: 1 }]);
    // The late one lands on the payment the first one made and says nothing more was charged.
    expect(c.res.headers.get('location')).toBe(a.res.headers.get('location'));
    const late = await follow(c);
    expect(flashes(late)).toEqual(['This payment was already submitted, so nothing more was charged.']);
    expect(late.$('.payment-result .flash-success').text()).toBe('Thank you: your payment of 27.50 USD was received.');
  });

  it('say so when a stored-card form is sent again after it was charged', async () => {
    const inv = await makeInvoice(db(), clientId, 300);
    const other = await makeInvoice(db(), clientId, 400);
    const { key } = await openPay('/client/invoices/pay');
    const account = (await db()('core_billing_accounts').where({ client_id: clientId, last4: '4444' }).first('id')) as { id: number };
    const fields = { key, invoiceIds: [String(inv.id), String(other.id)], currency: 'USD', method: 'account', accountId: String(account.id), intent: 'pay' };
    const first = await follow(await client.post('/client/invoices/pay', fields));
    expect(first.$('.payment-result .flash-success').text()).toBe('Thank you: your payment of 7.00 USD was received.');
    const again = await follow(await client.post('/client/invoices/pay', fields));
    expect(flashes(again)).toEqual(['This payment was already submitted, so nothing more was charged.']);
    expect((await transactionsOf(inv.id)).length + (await transactionsOf(other.id)).length).toBe(2);
  });
});

describe('paying all outstanding', () => {
  it('ticks every open invoice of the currency, totals the ticked ones and pays them in one transaction', async () => {
    // Start from a client whose earlier invoices are settled, so only these two are open.
    await db()('core_invoices').where({ client_id: clientId, status: 'unpaid' }).update({ status: 'cancelled' });
    const a = await makeInvoice(db(), clientId, 1000);
    const b = await makeInvoice(db(), clientId, 2500);
    const euros = await makeInvoice(db(), clientId, 9900, 'EUR');
    const { page, key } = await openPay('/client/invoices/pay');
    fs.writeFileSync('/tmp/portal-pay-all.html', page.html);
    expect(page.$('input[name="invoiceIds"]').map((_, el) => [[page.$(el).attr('value'), page.$(el).attr('checked') !== undefined]]).get()).toEqual([[String(a.id), true], [String(b.id), true]]);
    expect(page.$('#pay-total strong').text()).toBe('35.00 USD');
    expect(page.$('.flash-info').text()).toMatch(/You also have 1 unpaid invoice in EUR \(99\.00 EUR\)\. Invoices in different currencies are paid separately\./);
    expect(page.$('a[href="/client/invoices/pay?currency=EUR"]')).toHaveLength(1);

    // Without JavaScript: untick one and press "Update total".
    const updated = await client.post('/client/invoices/pay', { key, currency: 'USD', sel: '1', invoiceIds: [String(b.id)], intent: 'update', method: 'card', ...card });
    expect(updated.status).toBe(200);
    expect(updated.$('#pay-total strong').text()).toBe('25.00 USD');
    expect(updated.$('#pay-confirm-total').text()).toBe('You pay 25.00 USD.');
    expect(updated.$('#f-nameOnCard').attr('value')).toBe('Ada Lovelace');
    // With htmx: the same total comes from a GET of the ticked boxes.
    const swapped = await client.get(`/client/invoices/pay?sel=1&currency=USD&invoiceIds=${a.id}`, { 'HX-Request': 'true' });
    expect(swapped.$('#pay-total strong').text()).toBe('10.00 USD');
    expect(swapped.$('nav.side-nav')).toHaveLength(0);

    const result = await follow(await client.post('/client/invoices/pay', { key, currency: 'USD', invoiceIds: [String(a.id), String(b.id)], method: 'card', ...card, intent: 'pay' }));
    expect(result.$('.payment-result .flash-success').text()).toBe('Thank you: your payment of 35.00 USD was received.');
    expect(await invoiceRow(a.id)).toEqual({ status: 'paid', amount_paid: 1000 });
    expect(await invoiceRow(b.id)).toEqual({ status: 'paid', amount_paid: 2500 });
    const attempts = (await db()('core_payment_attempts').where({ client_id: clientId }).andWhere('invoice_ids', JSON.stringify([a.id, b.id])).select('amount', 'status')) as unknown[];
    expect(attempts).toEqual([{ amount: 3500, status: 'approved' }]);
    const [ta] = (await transactionsOf(a.id)) as { external_id: string }[];
    const [tb] = (await transactionsOf(b.id)) as { external_id: string }[];
    expect(ta!.external_id.split(':')[0]).toBe(tb!.external_id.split(':')[0]);
    expect(await invoiceRow(euros.id)).toEqual({ status: 'unpaid', amount_paid: 0 });

    // The euro invoice is paid on its own page of the list.
    const eur = await client.get('/client/invoices/pay?currency=EUR');
    expect(eur.$('#pay-total strong').text()).toBe('99.00 EUR');
  });

  it('asks for at least one invoice, and never pays another client’s invoice', async () => {
    const theirs = await makeInvoice(db(), otherClientId, 1234);
    const { key } = await openPay('/client/invoices/pay');
    const page = await client.post('/client/invoices/pay', { key, currency: 'USD', invoiceIds: [String(theirs.id)], method: 'card', ...card, intent: 'pay' });
    expect(page.status).toBe(400);
    expect(page.$('#invoiceIds-error').text()).toBe('Choose at least one invoice to pay');
    expect(page.html).not.toContain('12.34');
    expect(await invoiceRow(theirs.id)).toEqual({ status: 'unpaid', amount_paid: 0 });
    expect(await transactionsOf(theirs.id)).toEqual([]);
  });
});

describe('another client', () => {
  it('gets 404 for the payment pages of someone else’s invoice and for their payment attempts', async () => {
    const theirs = await makeInvoice(db(), otherClientId, 1234);
    const { key } = await openPay('/client/invoices/pay');
    expect((await client.get(`/client/invoices/${theirs.id}/pay`)).status).toBe(404);
    expect((await client.post(`/client/invoices/${theirs.id}/pay`, { key, method: 'card', ...card, intent: 'pay' })).status).toBe(404);
    const started = await live.payments.startPayment({ clientId: otherClientId, invoiceIds: [theirs.id], gatewayId: 'test' });
    expect((await client.get(`/client/invoices/payment?attempt=${started.attemptId}`)).status).toBe(404);
    expect(await invoiceRow(theirs.id)).toEqual({ status: 'unpaid', amount_paid: 0 });
  });
});

describe('in Russian', () => {
  it('renders the payment page and its messages translated', async () => {
    const inv = await makeInvoice(db(), clientId, 5000);
    await client.post('/language', { lang: 'ru', next: '/client' });
    try {
      const { page, key } = await openPay(`/client/invoices/${inv.id}/pay`);
      fs.writeFileSync('/tmp/portal-pay-ru.html', page.html);
      expect(page.$('h1').text()).toBe(`Оплатить счёт ${inv.number}`);
      expect(page.$('button[value="pay"]').text()).toBe('Подтвердить оплату');
      expect(page.$('label[for="f-cardNumber"]').text().trim()).toBe('Номер карты');
      const bad = await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'card', ...card, expMonth: '1', intent: 'pay' });
      expect(bad.$('#f-expMonth-error').text()).toBe('Введите месяц двумя цифрами, например 01');
      const declined = await follow(await client.post(`/client/invoices/${inv.id}/pay`, { key, method: 'card', ...card, cardNumber: DECLINED_CARD, intent: 'pay' }));
      expect(flashes(declined)).toEqual(['Ответ платёжного шлюза: Карта отклонена']);
      expect(declined.$('.payment-result .flash-error').text()).toMatch(/^Платёж на 50\.00 USD отклонён/);
    } finally {
      await client.post('/language', { lang: 'en', next: '/client' });
    }
  });
});

// The client's invoice, statement and payments: always scoped by the client, a statement that adds up to
// what is owed less credit, and card charges that happen once per form key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { insertClient, insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { createInvoice } from '../invoices/create.ts';
import { cancelInvoice, payFromCredit, recordPayment, refundPayment } from '../invoices/payments.ts';
import { saveTestGatewaySettings } from '../payments/settings.ts';
import { startTestGateway, type TestGateway } from '../payments/test-gateway/server.ts';
import { DECLINED_CARD } from '../payments/test-gateway/protocol.ts';
import {
  clientInvoice,
  clientInvoiceDetail,
  clientStatement,
  defaultStatementPeriod,
  isPayFormKey,
  parsePayChoice,
  payClientInvoices,
  payFormKey,
  payOptions,
  statementPeriod,
  type PayChoice,
  type PayOptions,
} from './invoices.ts';

let t: TestApp;
let gateway: TestGateway;
const SECRET = 'client-area-gateway-secret-0123456789';
const db = () => t.services.db;
const noop = async () => {};

beforeAll(async () => {
  t = await createTestApp();
  gateway = await startTestGateway({ port: 0, host: '127.0.0.1', secret: SECRET });
  await saveTestGatewaySettings(t.services.settings, t.services.secrets, { enabled: true, url: gateway.url, secret: SECRET });
});
afterAll(async () => {
  await gateway?.close();
  await t?.destroy();
});

async function invoice(clientId: number, lines: { amount: number; serviceId?: number; kind?: 'service' | 'addon' | 'manual'; description?: string }[], opts: { currency?: string; enteredOn?: string; taxRateBp?: number; taxInclusive?: boolean; at?: string } = {}) {
  const enteredOn = opts.enteredOn ?? '2026-03-02';
  return db().transaction((trx) =>
    createInvoice(trx, {
      clientId, kind: 'order', currency: opts.currency ?? 'USD', enteredOn, dueOn: enteredOn, taxRateBp: opts.taxRateBp ?? 0, taxInclusive: opts.taxInclusive ?? false, numberPrefix: 'INV-', at: opts.at ?? `${enteredOn}T08:00:00.000Z`,
      lines: lines.map((l) => ({ kind: l.kind ?? 'service', serviceId: l.serviceId ?? null, description: l.description ?? 'Work', unitPrice: l.amount })),
    }),
  );
}

const pay = (invoiceId: number, amount: number, at: string, ext = `ext-${Math.random()}`) =>
  db().transaction((trx) => recordPayment(trx, { invoiceId, amount, currency: 'USD', gateway: 'manual', externalId: ext, method: 'Bank transfer', at }, noop));

describe('one invoice of a client', () => {
  it('names the package each line bills, with its taxes, and never another client’s service', async () => {
    const ada = await insertClient(db(), { name: 'Ada' });
    const bob = await insertClient(db(), { name: 'Bob' });
    const { packageId } = await insertPackage(db(), { name: 'VPS M' });
    const mine = await insertService(db(), { clientId: ada, packageId, label: 'web1' });
    const his = await insertService(db(), { clientId: bob, packageId, label: 'secret-host' });
    const inv = await invoice(ada, [{ amount: 1000, serviceId: mine, description: 'VPS M, 1 month' }, { amount: 200, serviceId: mine, kind: 'addon', description: 'Extra IP: 1' }, { amount: 50, serviceId: his, kind: 'manual' }], { taxRateBp: 2000 });
    const d = (await clientInvoiceDetail(db(), ada, inv.id))!;
    expect(d.invoice).toMatchObject({ number: inv.number, status: 'unpaid', subtotal: 1250, tax: 250, total: 1500, balanceDue: 1500, payable: true, taxInclusive: false });
    expect(d.taxRateBp).toBe(2000);
    expect(d.lines.map((l) => [l.kind, l.description, l.service?.packageName ?? null, l.service?.label ?? null])).toEqual([
      ['service', 'VPS M, 1 month', 'VPS M', 'web1'],
      ['addon', 'Extra IP: 1', 'VPS M', 'web1'],
      ['manual', 'Work', null, null],
    ]);
    expect(await clientInvoiceDetail(db(), bob, inv.id)).toBeUndefined();
    expect(await clientInvoice(db(), ada, 0)).toBeUndefined();
  });

  it('lists its transactions with refunds as such, and hides drafts', async () => {
    const c = await insertClient(db());
    const inv = await invoice(c, [{ amount: 1000 }]);
    const { transactionId } = await pay(inv.id, 1000, '2026-03-03T10:00:00.000Z');
    await db().transaction((trx) => refundPayment(trx, { transactionId, amount: 300, key: 'k1', at: '2026-03-04T10:00:00.000Z' }));
    const d = (await clientInvoiceDetail(db(), c, inv.id))!;
    expect(d.invoice).toMatchObject({ status: 'paid', amountPaid: 1000, amountRefunded: 300, balanceDue: 0, payable: false });
    expect(d.transactions.map((x) => [x.method, x.status, x.amount, x.isRefund])).toEqual([
      ['Bank transfer', 'approved', 1000, false],
      ['Refund of Bank transfer', 'refunded', -300, true],
    ]);
    const draft = await db().transaction((trx) => createInvoice(trx, { clientId: c, kind: 'manual', currency: 'USD', enteredOn: '2026-03-02', dueOn: '2026-03-02', lines: [{ kind: 'manual', description: 'x', unitPrice: 1 }], taxRateBp: 0, taxInclusive: false, numberPrefix: 'D-', at: '2026-03-02T08:00:00.000Z', status: 'draft' }));
    expect(await clientInvoice(db(), c, draft.id)).toBeUndefined();
  });
});

describe('the statement of account', () => {
  it('runs a balance through invoices, payments, credit and refunds that ends at what is owed less credit', async () => {
    const c = await insertClient(db());
    const other = await insertClient(db());
    const old = await invoice(c, [{ amount: 500 }], { enteredOn: '2025-01-10' });
    await pay(old.id, 500, '2025-01-11T09:00:00.000Z');
    const a = await invoice(c, [{ amount: 1000 }], { enteredOn: '2026-02-01' });
    await pay(a.id, 1300, '2026-02-02T09:00:00.000Z'); // 300 over: credit
    const b = await invoice(c, [{ amount: 200 }], { enteredOn: '2026-02-03' });
    await db().transaction((trx) => payFromCredit(trx, { invoiceId: b.id, clientId: c, at: '2026-02-03T12:00:00.000Z' }, noop));
    const cancelled = await invoice(c, [{ amount: 700 }], { enteredOn: '2026-02-04' });
    await db().transaction((trx) => cancelInvoice(trx, { invoiceId: cancelled.id, at: '2026-02-05T09:00:00.000Z' }));
    const [payment] = (await db()('core_transactions').where({ invoice_id: a.id }).select('id')) as { id: number }[];
    await db().transaction((trx) => refundPayment(trx, { transactionId: payment!.id, amount: 400, key: 'r1', at: '2026-02-06T09:00:00.000Z' }));
    await invoice(c, [{ amount: 900 }], { enteredOn: '2026-02-07' });
    await invoice(c, [{ amount: 5000 }], { enteredOn: '2026-02-07', currency: 'EUR' });
    await invoice(other, [{ amount: 777 }], { enteredOn: '2026-02-07' });

    const s = await clientStatement(db(), c, { from: '2026-01-01', to: '2026-03-01', currency: 'USD' });
    expect(s.opening).toBe(0);
    expect(s.entries.map((e) => [e.date, e.kind, e.invoiceNumber, e.charge, e.credit, e.moved, e.balance])).toEqual([
      ['2026-02-01', 'invoice', a.number, 1000, 0, 0, 1000],
      ['2026-02-02', 'payment', a.number, 0, 1300, 0, -300],
      ['2026-02-03', 'invoice', b.number, 200, 0, 0, -100],
      ['2026-02-03', 'paid_from_credit', b.number, 0, 0, 200, -100],
      ['2026-02-04', 'invoice', cancelled.number, 700, 0, 0, 600],
      ['2026-02-05', 'invoice_cancelled', cancelled.number, 0, 700, 0, -100],
      ['2026-02-06', 'refund', a.number, 0, 400, 0, -500],
      ['2026-02-07', 'invoice', expect.any(String), 900, 0, 0, 400],
    ]);
    expect(s.closing).toBe(400);
    // What the statement ends at is what the client owes less the credit it holds.
    const client = (await db()('core_clients').where({ id: c }).first('balance')) as { balance: number | string };
    expect(Number(client.balance)).toBe(500);
    expect(s.closing).toBe(900 - Number(client.balance));
    expect(s.currencies).toEqual(['USD', 'EUR']);
    expect(s.entries.some((e) => e.charge === 777 || e.charge === 5000)).toBe(false);

    const later = await clientStatement(db(), c, { from: '2026-02-04', to: '2026-02-05', currency: 'USD' });
    expect(later.opening).toBe(-100);
    expect(later.entries.map((e) => e.balance)).toEqual([600, -100]);
    expect(later.closing).toBe(-100);

    const euros = await clientStatement(db(), c, { from: '2026-01-01', to: '2026-03-01', currency: 'EUR' });
    expect(euros.entries.map((e) => [e.kind, e.charge])).toEqual([['invoice', 5000]]);
  });

  it('reads its period from the query, the last twelve months by default', () => {
    expect(defaultStatementPeriod('2026-03-02')).toEqual({ from: '2025-03-03', to: '2026-03-02' });
    expect(statementPeriod({}, '2026-03-02')).toEqual({ from: '2025-03-03', to: '2026-03-02', errors: {} });
    expect(statementPeriod({ from: '2026-01-01', to: '2027-01-01' }, '2026-03-02')).toEqual({ from: '2026-01-01', to: '2026-03-02', errors: {} });
    expect(statementPeriod({ from: '2026-13-01' }, '2026-03-02').errors).toEqual({ from: 'Enter the date as YYYY-MM-DD, e.g. 2026-01-31' });
    expect(statementPeriod({ from: '2026-03-01', to: '2026-02-01' }, '2026-03-02').errors).toEqual({ from: 'The start of the period must come before its end' });
  });
});

describe('paying', () => {
  const card = { nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: '4242 4242 4242 4242', expMonth: '12', expYear: '2028', issueNumber: '', startDate: '', cvv: '123' };
  const options = (o: Partial<PayOptions> = {}): PayOptions => ({ gateways: [{ id: 'test', title: 'Test gateway', offline: false }], cardsAccepted: true, accounts: [{ id: 7, shownAs: 'Visa •••• 4242', label: '', isDefault: true, isProtected: false }], expiredAccounts: [], credit: 0, passphraseMode: false, cardTypes: [], ...o });
  const now = new Date('2026-03-02T09:00:00Z');

  it('reads the chosen way to pay, and says what is wrong beside the field', () => {
    expect(parsePayChoice({ method: 'gateway:test' }, { now, options: options() })).toEqual({ ok: true, choice: { method: 'gateway', gatewayId: 'test' } });
    expect(parsePayChoice({}, { now, options: options() })).toEqual({ ok: false, errors: { method: 'Choose how to pay' } });
    expect(parsePayChoice({ method: 'credit' }, { now, options: options() })).toEqual({ ok: false, errors: { method: 'You have no credit balance in this currency' } });
    expect(parsePayChoice({ method: 'account', accountId: '8' }, { now, options: options() })).toEqual({ ok: false, errors: { accountId: 'Choose one of your stored cards' } });
    const ok = parsePayChoice({ method: 'card', ...card }, { now, options: options() });
    expect(ok).toEqual({ ok: true, choice: { method: 'card', card: { nameOnCard: 'Ada Lovelace', cardType: 'visa', number: '4242424242424242', expMonth: '12', expYear: '2028', issueNumber: '', startDate: '', cvv: '123' }, save: false, passphrase: '' } });
    const bad = (fields: Record<string, string>, o?: Partial<PayOptions>) => {
      const r = parsePayChoice({ method: 'card', ...card, ...fields }, { now, options: options(o) });
      return r.ok ? {} : r.errors;
    };
    expect(bad({ cardNumber: '4242 4242 4242 4241' })).toEqual({ cardNumber: 'This card number is not valid' });
    expect(bad({ expMonth: '1' })).toEqual({ expMonth: 'Enter the month as two digits, e.g. 01' });
    expect(bad({ expYear: '202' })).toEqual({ expYear: 'Enter the year as four digits, e.g. 2027' });
    expect(bad({ expMonth: '02', expYear: '2026' })).toEqual({ expMonth: 'This card expired at the end of that month; check the expiry date' });
    expect(bad({ cvv: '' })).toEqual({ cvv: 'Enter the security code (CVV) from the back of the card' });
    expect(bad({ saveCard: '1', passphrase: '' }, { passphraseMode: true })).toEqual({ passphrase: 'Enter the encryption pass-phrase' });
    expect(bad({ passphrase: 'short' })).toEqual({});
    // Without a gateway that charges cards, neither a stored nor a new card is a way to pay.
    expect(parsePayChoice({ method: 'card', ...card }, { now, options: options({ cardsAccepted: false }) })).toEqual({ ok: false, errors: { method: 'Choose how to pay' } });
  });

  it('charges a new card once per form key, saves it masked only when approved and asked to', async () => {
    const c = await insertClient(db());
    const inv = await invoice(c, [{ amount: 2500 }]);
    const key = payFormKey(t.services, c);
    expect(isPayFormKey(t.services, c, key)).toBe(true);
    expect(isPayFormKey(t.services, c + 1, key)).toBe(false);
    const choice = parsePayChoice({ method: 'card', ...card, saveCard: '1' }, { now, options: await payOptions(t.services, c, 'USD') });
    if (!choice.ok) throw new Error(JSON.stringify(choice.errors));
    const input = { clientId: c, invoiceIds: [inv.id], choice: choice.choice, key, returnUrl: '/client', actor: { type: 'client' as const, label: 'ada@example.test' } };
    const [first, second] = await Promise.all([payClientInvoices(t.services, input), payClientInvoices(t.services, input)]);
    const third = await payClientInvoices(t.services, input);
    const results = [first, second, third].map((r) => (r.kind === 'charged' ? [r.outcome, r.replay, r.saved] : r.kind));
    expect(results.filter((r) => Array.isArray(r) && r[1] === false)).toEqual([['approved', false, 'yes']]);
    expect((await clientInvoice(db(), c, inv.id))!).toMatchObject({ status: 'paid', amountPaid: 2500 });
    expect(await db()('core_transactions').where({ invoice_id: inv.id }).select('amount', 'status')).toEqual([{ amount: 2500, status: 'approved' }]);
    const accounts = (await db()('core_billing_accounts').where({ client_id: c }).select('type', 'last4', 'card_exp_month', 'card_exp_year', 'sealed')) as { sealed: string }[];
    expect(accounts).toEqual([{ type: 'card', last4: '4242', card_exp_month: '12', card_exp_year: '2028', sealed: expect.any(String) }]);
    expect(accounts[0]!.sealed).not.toContain('4242424242424242');
    expect(JSON.stringify(await db()('core_audit_log').select('details'))).not.toContain('4242424242424242');
  });

  it('stores nothing for a declined card and reports the gateway’s words', async () => {
    const c = await insertClient(db());
    const inv = await invoice(c, [{ amount: 800 }]);
    const choice: PayChoice = { method: 'card', card: { nameOnCard: 'X', cardType: 'visa', number: DECLINED_CARD, expMonth: '12', expYear: '2028', issueNumber: '', startDate: '', cvv: '123' }, save: true, passphrase: '' };
    const r = await payClientInvoices(t.services, { clientId: c, invoiceIds: [inv.id], choice, key: payFormKey(t.services, c), returnUrl: '/client', actor: { type: 'client', label: 'x' } });
    expect(r).toMatchObject({ kind: 'charged', outcome: 'declined', statusCode: 'card_declined', message: 'The card was declined', saved: 'no', replay: false });
    expect(await db()('core_billing_accounts').where({ client_id: c })).toEqual([]);
    expect((await clientInvoice(db(), c, inv.id))!.status).toBe('unpaid');
  });

  it('pays from credit as far as it goes, and never spends it twice', async () => {
    const c = await insertClient(db(), { balance: 1500 });
    const a = await invoice(c, [{ amount: 1000 }]);
    const b = await invoice(c, [{ amount: 1000 }]);
    const input = { clientId: c, invoiceIds: [a.id, b.id], choice: { method: 'credit' } as PayChoice, key: payFormKey(t.services, c), returnUrl: '/client', actor: { type: 'client' as const, label: 'x' } };
    expect(await payClientInvoices(t.services, input)).toEqual({ kind: 'credit', applied: 1500, currency: 'USD', paidInvoiceIds: [a.id], stillDue: 500 });
    expect(await payClientInvoices(t.services, input)).toEqual({ kind: 'credit', applied: 0, currency: 'USD', paidInvoiceIds: [], stillDue: 500 });
    const other = await insertClient(db(), { balance: 5000 });
    expect(await payClientInvoices(t.services, { ...input, clientId: other })).toMatchObject({ kind: 'refused' });
    expect((await clientInvoice(db(), c, b.id))!.amountPaid).toBe(500);
  });
});

// Payments: idempotent by gateway id, overpayments and refunds to credit, credit never spent twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { AT, insertClient } from '../../../test/billing/ledger-fixtures.ts';
import { createInvoice } from './create.ts';
import { cancelInvoice, payFromCredit, PaymentError, recordPayment, refundPayment, type OnInvoicePaid } from './payments.ts';
import { getInvoice } from './store.ts';

let t: TestDb;
let paidCalls: number[];
const onPaid: OnInvoicePaid = async (_trx, inv) => {
  paidCalls.push(inv.id);
};

beforeEach(async () => {
  t = await createMigratedTestDb();
  paidCalls = [];
});
afterEach(async () => {
  await t.destroy();
});

async function invoice(clientId: number, amount: number, currency = 'USD') {
  return t.db.transaction((trx) =>
    createInvoice(trx, { clientId, kind: 'manual', currency, enteredOn: '2026-03-02', dueOn: '2026-03-09', lines: [{ kind: 'manual', description: 'Work', unitPrice: amount }], taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-', at: AT }),
  );
}

const balanceOf = async (clientId: number) => Number(((await t.db('core_clients').where({ id: clientId }).first('balance')) as { balance: number }).balance);

describe('payments', () => {
  it('number invoices sequentially without gaps', async () => {
    const c = await insertClient(t.db);
    const a = await invoice(c, 100);
    const b = await invoice(c, 100);
    expect([a.number, b.number]).toEqual(['INV-000001', 'INV-000002']);
  });

  it('pay an invoice once however often the gateway repeats its callback', async () => {
    const c = await insertClient(t.db);
    const inv = await invoice(c, 1500);
    const pay = () => t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 1500, currency: 'USD', gateway: 'test', externalId: 'tx-1', method: 'Credit Card', at: AT }, onPaid));
    const first = await pay();
    const replay = await pay();
    expect(first).toMatchObject({ created: true, applied: 1500, credited: 0, paid: true });
    expect(replay.created).toBe(false);
    expect(paidCalls).toEqual([inv.id]);
    expect(await t.db('core_transactions').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect((await getInvoice(t.db, inv.id))!.status).toBe('paid');
  });

  it('credit the part of a payment that exceeds the amount due', async () => {
    const c = await insertClient(t.db);
    const inv = await invoice(c, 1000);
    await t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 600, currency: 'USD', gateway: 'manual', externalId: 'a', method: 'Bank transfer', at: AT }, onPaid));
    expect((await getInvoice(t.db, inv.id))!.status).toBe('unpaid');
    const r = await t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 700, currency: 'USD', gateway: 'manual', externalId: 'b', method: 'Bank transfer', at: AT }, onPaid));
    expect(r).toMatchObject({ applied: 400, credited: 300, paid: true });
    expect(await balanceOf(c)).toBe(300);
    const ledger = await t.db('core_credit_ledger').where({ client_id: c });
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ amount: 300, balance_after: 300, kind: 'overpayment' });
  });

  it('refuse a payment in another currency or of a fractional amount', async () => {
    const c = await insertClient(t.db);
    const inv = await invoice(c, 1000);
    await expect(t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 1000, currency: 'EUR', gateway: 'test', externalId: 'x', method: 'Card', at: AT }, onPaid))).rejects.toMatchObject({ code: 'currency' });
    await expect(t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 10.5, currency: 'USD', gateway: 'test', externalId: 'y', method: 'Card', at: AT }, onPaid))).rejects.toBeInstanceOf(PaymentError);
    expect(await t.db('core_transactions').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('never lets two requests spend the same credit', async () => {
    const c = await insertClient(t.db, { balance: 1000 });
    const a = await invoice(c, 1000);
    const b = await invoice(c, 1000);
    const results = await Promise.allSettled([
      t.db.transaction((trx) => payFromCredit(trx, { invoiceId: a.id, clientId: c, at: AT }, onPaid)),
      t.db.transaction((trx) => payFromCredit(trx, { invoiceId: b.id, clientId: c, at: AT }, onPaid)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await balanceOf(c)).toBe(0);
    const statuses = [(await getInvoice(t.db, a.id))!.status, (await getInvoice(t.db, b.id))!.status].sort();
    expect(statuses).toEqual(['paid', 'unpaid']);
  });

  it('never pays one invoice twice from credit when the same request arrives twice', async () => {
    const c = await insertClient(t.db, { balance: 5000 });
    const a = await invoice(c, 1000);
    const results = await Promise.allSettled([
      t.db.transaction((trx) => payFromCredit(trx, { invoiceId: a.id, clientId: c, at: AT }, onPaid)),
      t.db.transaction((trx) => payFromCredit(trx, { invoiceId: a.id, clientId: c, at: AT }, onPaid)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await balanceOf(c)).toBe(4000);
  });

  it('refund to the credit balance exactly once per request, never more than was paid', async () => {
    const c = await insertClient(t.db);
    const inv = await invoice(c, 1000);
    const { transactionId } = await t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 1000, currency: 'USD', gateway: 'test', externalId: 'p', method: 'Card', at: AT }, onPaid));
    const refund = () => t.db.transaction((trx) => refundPayment(trx, { transactionId, amount: 400, key: 'form-token-1', at: AT }));
    expect((await refund()).created).toBe(true);
    expect((await refund()).created).toBe(false);
    expect(await balanceOf(c)).toBe(400);
    // A partial refund leaves the invoice paid, with what was paid intact and the refund beside it.
    expect(await getInvoice(t.db, inv.id)).toMatchObject({ status: 'paid', amount_paid: 1000, amount_refunded: 400 });
    await expect(t.db.transaction((trx) => refundPayment(trx, { transactionId, amount: 601, key: 'form-token-2', at: AT }))).rejects.toMatchObject({ code: 'refund_too_large' });
    await t.db.transaction((trx) => refundPayment(trx, { transactionId, amount: 600, key: 'form-token-3', at: AT }));
    expect(await getInvoice(t.db, inv.id)).toMatchObject({ status: 'refunded', amount_paid: 1000, amount_refunded: 1000 });
    expect(await balanceOf(c)).toBe(1000);
  });

  it('refunds against an invoice only what the invoice kept, not the overpayment already in credit', async () => {
    const c = await insertClient(t.db);
    const inv = await invoice(c, 1000);
    const { transactionId } = await t.db.transaction((trx) => recordPayment(trx, { invoiceId: inv.id, amount: 1500, currency: 'USD', gateway: 'test', externalId: 'over', method: 'Card', at: AT }, onPaid));
    expect(await balanceOf(c)).toBe(500);
    await expect(t.db.transaction((trx) => refundPayment(trx, { transactionId, amount: 1001, key: 'k1', at: AT }))).rejects.toMatchObject({ code: 'refund_too_large' });
    await t.db.transaction((trx) => refundPayment(trx, { transactionId, amount: 1000, key: 'k2', at: AT }));
    expect(await balanceOf(c)).toBe(1500);
    expect(await getInvoice(t.db, inv.id)).toMatchObject({ status: 'refunded', amount_refunded: 1000 });
  });

  it('cancel only an invoice that has received nothing', async () => {
    const c = await insertClient(t.db);
    const a = await invoice(c, 1000);
    const b = await invoice(c, 1000);
    await t.db.transaction((trx) => recordPayment(trx, { invoiceId: b.id, amount: 10, currency: 'USD', gateway: 'manual', externalId: 'z', method: 'Cash', at: AT }, onPaid));
    expect(await t.db.transaction((trx) => cancelInvoice(trx, { invoiceId: a.id, at: AT }))).toBe(true);
    expect(await t.db.transaction((trx) => cancelInvoice(trx, { invoiceId: b.id, at: AT }))).toBe(false);
  });
});

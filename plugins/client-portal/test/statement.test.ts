// The statement of account: invoices, payments, refunds and credit in date order with a running balance,
// for a chosen period and currency, on screen and on paper; only the client's own records.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import type { PageResult } from '../../../test/helpers/app.ts';
import { createInvoice } from '../../../core/billing/invoices/create.ts';
import { payFromCredit, recordPayment, refundPayment } from '../../../core/billing/invoices/payments.ts';

let f: PortalFixture;
const numbers: Record<string, string> = {};
const noop = async () => {};

async function invoice(name: string, clientId: number, amount: number, enteredOn: string, currency = 'USD') {
  const inv = await f.t.services.db.transaction((trx) =>
    createInvoice(trx, { clientId, kind: 'manual', currency, enteredOn, dueOn: enteredOn, taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-', at: `${enteredOn}T08:00:00.000Z`, lines: [{ kind: 'manual', description: name, unitPrice: amount }] }),
  );
  numbers[name] = inv.number;
  return inv;
}

beforeAll(async () => {
  f = await portalApp();
  const db = f.t.services.db;
  const pay = (invoiceId: number, amount: number, at: string, method = 'Credit Card') =>
    db.transaction((trx) => recordPayment(trx, { invoiceId, amount, currency: 'USD', gateway: 'test', externalId: `tx-${at}`, method, at }, noop));
  // Before the default period (the clock says 2026-03-02): only the opening balance shows it.
  await invoice('old', f.clientId, 700, '2025-01-15');
  const a = await invoice('a', f.clientId, 1000, '2025-06-01');
  const payment = await pay(a.id, 1500, '2025-06-02T10:00:00.000Z');
  const b = await invoice('b', f.clientId, 300, '2025-07-01');
  await db.transaction((trx) => payFromCredit(trx, { invoiceId: b.id, clientId: f.clientId, at: '2025-07-01T12:00:00.000Z' }, noop));
  await db.transaction((trx) => refundPayment(trx, { transactionId: payment.transactionId, amount: 400, key: 'r1', at: '2025-08-01T10:00:00.000Z' }));
  await invoice('c', f.clientId, 2000, '2026-02-01');
  await invoice('euro', f.clientId, 5000, '2026-02-10', 'EUR');
  await invoice('theirs', f.otherClientId, 4321, '2026-02-10');
});
afterAll(async () => {
  await f?.t.destroy();
});

const rows = (page: PageResult) =>
  page.$('.statement-table tr').map((_, tr) => [page.$(tr).find('th, td').map((__, c) => page.$(c).text().replace(/\s+/g, ' ').trim()).get()]).get() as string[][];

describe('the statement of account', () => {
  it('is in the Billing menu and lists the last twelve months in date order with a running balance', async () => {
    const page = await f.client.get('/client/statement');
    expect(page.status).toBe(200);
    fs.writeFileSync('/tmp/portal-statement.html', page.html);
    expect(page.$('nav.side-nav a[href="/client/statement"]').text()).toBe('Statement');
    expect(page.$('#f-from').attr('value')).toBe('2025-03-03');
    expect(page.$('#f-to').attr('value')).toBe('2026-03-02');
    expect(rows(page)).toEqual([
      ['Date', 'Description', 'Charges', 'Payments and credits', 'Balance'],
      ['2025-03-03', 'Opening balance on 2025-03-03', '7.00 USD'],
      ['2025-06-01', `Invoice ${numbers.a}`, '10.00 USD', '', '17.00 USD'],
      ['2025-06-02', `Payment for invoice ${numbers.a} (Credit Card)`, '', '15.00 USD', '2.00 USD'],
      ['2025-07-01', `Invoice ${numbers.b}`, '3.00 USD', '', '5.00 USD'],
      ['2025-07-01', `Invoice ${numbers.b} paid from your credit balance (3.00 USD)`, '', '', '5.00 USD'],
      ['2025-08-01', `Refund to your credit balance for invoice ${numbers.a}`, '', '4.00 USD', '1.00 USD'],
      ['2026-02-01', `Invoice ${numbers.c}`, '20.00 USD', '', '21.00 USD'],
      ['2026-03-02', 'Closing balance on 2026-03-02', '21.00 USD'],
    ]);
    // Owed: the old invoice (7.00) and c (20.00); in credit: 10.00 overpaid − 3.00 spent + 4.00 refunded = 6.00.
    expect(page.$('.statement-closing strong').text()).toBe('You owe 21.00 USD.');
    expect(page.$(`.statement-table a[href^="/client/invoices/"]`).length).toBeGreaterThan(0);
    expect(page.html).not.toContain('43.21');
    expect(page.html).not.toContain('50.00 EUR');
    expect(page.$('a[href="/client/statement?from=2025-03-03&to=2026-03-02&currency=EUR"]').text()).toBe('EUR');
  });

  it('shows a chosen period from its opening balance, and credit as credit', async () => {
    const page = await f.client.get('/client/statement?from=2025-06-02&to=2025-08-31');
    expect(rows(page).slice(1)).toEqual([
      ['2025-06-02', 'Opening balance on 2025-06-02', '17.00 USD'],
      ['2025-06-02', `Payment for invoice ${numbers.a} (Credit Card)`, '', '15.00 USD', '2.00 USD'],
      ['2025-07-01', `Invoice ${numbers.b}`, '3.00 USD', '', '5.00 USD'],
      ['2025-07-01', `Invoice ${numbers.b} paid from your credit balance (3.00 USD)`, '', '', '5.00 USD'],
      ['2025-08-01', `Refund to your credit balance for invoice ${numbers.a}`, '', '4.00 USD', '1.00 USD'],
      ['2025-08-31', 'Closing balance on 2025-08-31', '1.00 USD'],
    ]);
    const credit = await f.client.get('/client/statement?from=2025-06-02&to=2025-06-02');
    expect(rows(credit).at(-1)).toEqual(['2025-06-02', 'Closing balance on 2025-06-02', '2.00 USD']);
    const before = await f.client.get('/client/statement?from=2024-01-01&to=2025-01-31');
    expect(rows(before).slice(1, 3)).toEqual([['2024-01-01', 'Opening balance on 2024-01-01', '0.00 USD'], ['2025-01-15', `Invoice ${numbers.old}`, '7.00 USD', '', '7.00 USD']]);
  });

  it('keeps each currency apart', async () => {
    const page = await f.client.get('/client/statement?currency=EUR');
    expect(rows(page).slice(1)).toEqual([
      ['2025-03-03', 'Opening balance on 2025-03-03', '0.00 EUR'],
      ['2026-02-10', `Invoice ${numbers.euro}`, '50.00 EUR', '', '50.00 EUR'],
      ['2026-03-02', 'Closing balance on 2026-03-02', '50.00 EUR'],
    ]);
    expect(page.$('#f-currency option[selected]').attr('value')).toBe('EUR');
  });

  it('says what is wrong with a date beside the field and shows the default period meanwhile', async () => {
    const page = await f.client.get('/client/statement?from=2025-13-01&to=2025-06-01');
    expect(page.status).toBe(400);
    expect(page.$('#f-from-error').text()).toBe('Enter the date as YYYY-MM-DD, e.g. 2026-01-31');
    expect(page.$('#f-from').attr('value')).toBe('2025-13-01');
    const reversed = await f.client.get('/client/statement?from=2025-06-01&to=2025-05-01');
    expect(reversed.status).toBe(400);
    expect(reversed.$('#f-from-error').text()).toBe('The start of the period must come before its end');
  });

  it('prints on its own sheet without the portal around it', async () => {
    const page = await f.client.get('/client/statement/print?from=2025-06-01&to=2025-06-30');
    expect(page.status).toBe(200);
    fs.writeFileSync('/tmp/portal-statement-print.html', page.html);
    expect(page.$('body').hasClass('area-bare')).toBe(true);
    expect(page.$('nav.side-nav')).toHaveLength(0);
    expect(page.$('.statement-sheet').text()).toContain('Statement of account of Ada Lovelace');
    expect(page.$('.statement-table a')).toHaveLength(0);
    expect(rows(page).at(-1)).toEqual(['2025-06-30', 'Closing balance on 2025-06-30', '2.00 USD']);
  });

  it('reads in Russian for a Russian reader', async () => {
    await f.client.post('/language', { lang: 'ru', next: '/client' });
    try {
      const page = await f.client.get('/client/statement?from=2025-06-02&to=2025-06-02');
      expect(page.$('h1').text()).toBe('Выписка по счёту');
      expect(page.$('nav.side-nav a[href="/client/statement"]').text()).toBe('Выписка');
      expect(rows(page)[0]).toEqual(['Дата', 'Описание', 'Начислено', 'Оплачено и зачтено', 'Сальдо']);
      expect(rows(page)[2]![1]).toBe(`Оплата счёта ${numbers.a} (Банковская карта)`);
      expect(page.$('.statement-closing strong').text()).toBe('Ваша задолженность: 2.00 USD.');
    } finally {
      await f.client.post('/language', { lang: 'en', next: '/client' });
    }
  });
});

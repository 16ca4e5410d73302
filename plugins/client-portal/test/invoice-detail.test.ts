// The invoice page and its printable sheet: lines with their packages, add-ons, discount, taxes, totals,
// transactions with refunds; another client's invoice is not found; Russian readers read Russian.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import { insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { createInvoice } from '../../../core/billing/invoices/create.ts';
import { recordPayment, refundPayment } from '../../../core/billing/invoices/payments.ts';
import { INVOICE_HEADER_KEY } from '../../../core/billing/admin/settings.ts';

let f: PortalFixture;
let paid: { id: number; number: string };
let open: { id: number; number: string };
let theirs: { id: number; number: string };
let serviceId: number;

const noop = async () => {};

beforeAll(async () => {
  f = await portalApp();
  const db = f.t.services.db;
  const { packageId } = await insertPackage(db, { name: 'VPS Medium' });
  serviceId = await insertService(db, { clientId: f.clientId, packageId, label: 'web1.example.test' });
  paid = await db.transaction((trx) =>
    createInvoice(trx, {
      clientId: f.clientId, kind: 'order', currency: 'USD', enteredOn: '2026-02-20', dueOn: '2026-02-27', taxRateBp: 2000, taxInclusive: true, discount: 500, numberPrefix: 'INV-', at: '2026-02-20T09:00:00.000Z',
      lines: [
        { kind: 'service', serviceId, description: 'VPS Medium, 1 month', unitPrice: 10000, periodStart: '2026-02-20', periodEnd: '2026-03-20' },
        { kind: 'addon', serviceId, description: 'Extra IP address: 2', quantity: 2, unitPrice: 250 },
      ],
    }),
  );
  const pay = await db.transaction((trx) => recordPayment(trx, { invoiceId: paid.id, amount: 10000, currency: 'USD', gateway: 'test', externalId: 'tx-9:1', method: 'Credit Card', statusCode: 'approved', at: '2026-02-21T10:00:00.000Z' }, noop));
  await db.transaction((trx) => refundPayment(trx, { transactionId: pay.transactionId, amount: 1500, key: 'r-1', at: '2026-02-22T10:00:00.000Z', reason: 'Goodwill' }));
  open = await db.transaction((trx) =>
    createInvoice(trx, { clientId: f.clientId, kind: 'renewal', currency: 'USD', enteredOn: '2026-02-25', dueOn: '2026-03-01', taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-', at: '2026-02-25T09:00:00.000Z', lines: [{ kind: 'renewal', serviceId, description: 'Renewal of VPS Medium', unitPrice: 1999 }] }),
  );
  theirs = await db.transaction((trx) =>
    createInvoice(trx, { clientId: f.otherClientId, kind: 'manual', currency: 'USD', enteredOn: '2026-02-25', dueOn: '2026-03-01', taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-', at: '2026-02-25T09:00:00.000Z', lines: [{ kind: 'manual', description: 'Their secret work', unitPrice: 4321 }] }),
  );
  await f.t.services.settings.set(INVOICE_HEADER_KEY, { companyName: 'Reseller Hosting Ltd', addressLines: ['1 Server Street', 'Dublin'], taxId: 'IE1234567X', footer: 'Thank you for your business.' });
});
afterAll(async () => {
  await f?.t.destroy();
});

const cells = (page: Awaited<ReturnType<typeof f.client.get>>, selector: string) =>
  page.$(selector).map((_, tr) => [page.$(tr).find('th, td').map((__, td) => page.$(td).text().replace(/\s+/g, ' ').trim()).get()]).get() as string[][];

describe('the invoice page', () => {
  it('shows every line with its package, the add-ons, discount, taxes, totals and the transactions', async () => {
    const page = await f.client.get(`/client/invoices/${paid.id}`);
    expect(page.status).toBe(200);
    fs.writeFileSync('/tmp/portal-invoice.html', page.html);
    expect(page.$('h1').text().replace(/\s+/g, ' ').trim()).toBe(`Invoice ${paid.number} Paid`);
    const lines = cells(page, '.invoice-lines tbody tr');
    expect(lines).toEqual([
      ['VPS Medium, 1 month Package: VPS Medium (web1.example.test)', '2026-02-20 – 2026-03-20', '1', '100.00 USD', '100.00 USD'],
      ['Add-on: Extra IP address: 2 Package: VPS Medium (web1.example.test)', '—', '2', '2.50 USD', '5.00 USD'],
    ]);
    expect(page.$(`.invoice-lines a[href="/client/packages/${serviceId}"]`)).toHaveLength(2);
    expect(cells(page, '.invoice-lines tfoot tr')).toEqual([
      ['Subtotal', '105.00 USD'],
      ['Discount', '−5.00 USD'],
      ['Tax (20%, included in the prices)', '16.67 USD'],
      ['Total', '100.00 USD'],
      ['Amount paid', '100.00 USD'],
      ['Amount refunded', '−15.00 USD'],
      ['Balance due', '0.00 USD'],
    ]);
    const txs = cells(page, '.invoice-transactions tbody tr');
    expect(txs).toHaveLength(2);
    expect(txs[0]).toEqual([expect.stringMatching(/^#\d+$/), 'Credit Card', 'Approved', '2026-02-21 10:00 UTC', '100.00 USD']);
    expect(txs[1]).toEqual([expect.stringMatching(/^#\d+$/), 'Refund of Credit Card', 'Refund', '2026-02-22 10:00 UTC', '-15.00 USD']);
    expect(page.$('.invoice-transactions thead th').map((_, th) => page.$(th).text()).get()).toEqual(['Transaction ID', 'Payment Method', 'Status Code', 'Date', 'Amount']);
    // Paid: no Pay Now; the printable view is always there.
    expect(page.$(`a[href="/client/invoices/${paid.id}/pay"]`)).toHaveLength(0);
    expect(page.$(`a[href="/client/invoices/${paid.id}/print"]`).text()).toBe('Printable view');
  });

  it('offers Pay Now on an open invoice and says it is overdue', async () => {
    const page = await f.client.get(`/client/invoices/${open.id}`);
    expect(page.status).toBe(200);
    expect(page.$(`a[href="/client/invoices/${open.id}/pay"]`).first().text()).toBe('Pay Now');
    expect(page.$('#inv-sum-h').parent().text()).toMatch(/2026-03-01\s*Overdue/);
    expect(page.$('.invoice-balance .big-number').text()).toBe('19.99 USD');
    expect(page.$('.invoice-transactions')).toHaveLength(0);
  });

  it('prints a clean sheet with the operator’s details and who is billed, without the portal around it', async () => {
    const page = await f.client.get(`/client/invoices/${paid.id}/print`);
    expect(page.status).toBe(200);
    fs.writeFileSync('/tmp/portal-invoice-print.html', page.html);
    expect(page.$('body').hasClass('area-bare')).toBe(true);
    expect(page.$('nav.side-nav')).toHaveLength(0);
    expect(page.$('.invoice-company').text()).toBe('Reseller Hosting Ltd');
    expect(page.$('.invoice-from').text()).toContain('Tax ID: IE1234567X');
    expect(page.$('.invoice-client').text()).toBe('Ada Lovelace');
    expect(page.$('.invoice-sheet h1').text()).toBe(`Invoice ${paid.number}`);
    expect(page.$('.invoice-footer').text()).toBe('Thank you for your business.');
    expect(page.$('.invoice-table tfoot').text()).toMatch(/Balance due\s*0\.00 USD/);
    expect(page.$('link[href="/static/css/portal.css"]')).toHaveLength(1);
  });

  it('does not exist for another client: 404 on the page, the print and paying it', async () => {
    for (const path of [`/client/invoices/${theirs.id}`, `/client/invoices/${theirs.id}/print`, `/client/invoices/${theirs.id}/pay`]) {
      const page = await f.client.get(path);
      expect(page.status, path).toBe(404);
      expect(page.html).not.toContain('Their secret work');
      expect(page.html).not.toContain('43.21');
    }
    const post = await f.client.post(`/client/invoices/${theirs.id}/pay`, { method: 'credit' });
    expect(post.status).toBe(404);
    // Nor does a number that is no invoice, or the other client's view of ours.
    expect((await f.client.get('/client/invoices/999999')).status).toBe(404);
    expect((await f.other.get(`/client/invoices/${paid.id}`)).status).toBe(404);
  });

  it('reads in Russian for a Russian reader', async () => {
    await f.client.post('/language', { lang: 'ru', next: '/client' });
    try {
      const page = await f.client.get(`/client/invoices/${paid.id}`);
      fs.writeFileSync('/tmp/portal-invoice-ru.html', page.html);
      expect(page.$('h1').text().replace(/\s+/g, ' ').trim()).toBe(`Счёт ${paid.number} Оплачен`);
      expect(page.$('#inv-tx-h').text()).toBe('Платежи');
      expect(page.$('.invoice-transactions thead th').map((_, th) => page.$(th).text()).get()).toEqual(['Номер платежа', 'Способ оплаты', 'Статус', 'Дата', 'Сумма']);
      expect(cells(page, '.invoice-lines tfoot tr')[2]).toEqual(['Налог (20%, включён в цены)', '16.67 USD']);
      expect(page.html).toContain('Возврат: Банковская карта');
      const print = await f.client.get(`/client/invoices/${paid.id}/print`);
      expect(print.$('.invoice-to h2').text()).toBe('Плательщик');
    } finally {
      await f.client.post('/language', { lang: 'en', next: '/client' });
    }
  });
});

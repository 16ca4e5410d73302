// The invoice pages: the list and its filters, the invoice page and its actions (pay from credit, cancel,
// collections, links to record a payment and refund), the printable invoice, and the client page's Billing section.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../helpers/app.ts';
import { setupBillingAdmin } from '../../core/billing/admin/setup.ts';
import { createClient } from '../../core/billing/clients/index.ts';
import { insertPackage } from './ledger-fixtures.ts';
import { INVOICE_HEADER_KEY } from '../../core/billing/admin/settings.ts';

let t: TestApp;
let admin: Agent;
const ids = { anna: 0, boris: 0, pkg: 0, period: 0 };

const text = (page: PageResult, selector: string) => page.$(selector).text().replace(/\s+/g, ' ').trim();
const listed = (page: PageResult) => page.$('#invoices-table tbody tr td:first-child a').map((_, a) => page.$(a).text().trim()).get();
const db = (): Knex => t.services.db;
const system = { type: 'system' as const, label: 'test' };

async function invoiceStatus(id: number): Promise<string> {
  return ((await db()('core_invoices').where({ id }).first('status')) as { status: string }).status;
}

async function order(clientId: number, label = ''): Promise<{ serviceId: number; invoiceId: number; invoiceNumber: string }> {
  return t.services.billing.placeOrder({ clientId, packageId: ids.pkg, periodId: ids.period, label, actor: system });
}

async function act(url: string): Promise<PageResult> {
  const res = await admin.post(url, {});
  expect(res.status).toBe(303);
  return admin.get(res.res.headers.get('location')!);
}

async function client(first: string, last: string, extra: Record<string, string> = {}): Promise<number> {
  const r = await createClient(
    db(),
    { client: { country: 'DE', currency: 'USD' }, contact: { firstName: first, lastName: last, email: `${first.toLowerCase()}@example.test`, country: 'DE', emailActions: ['invoices'], ...extra } },
    { clock: t.clock, actor: system },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value.clientId;
}

beforeAll(async () => {
  t = await createTestApp();
  setupBillingAdmin(t.services);
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  admin = t.agent();
  await admin.login('staff', 'admin@example.test');
  ids.anna = await client('Anna', 'Berg', { company: 'Berg Hosting GmbH', address1: 'Hauptstraße 5', address2: '2. OG', city: 'Berlin', zip: '10115' });
  ids.boris = await client('Boris', 'Ivanov');
  const p = await insertPackage(db(), { name: 'Web Start' });
  ids.pkg = p.packageId;
  ids.period = p.periodId;
  await db()('core_package_prices').insert({ period_id: p.periodId, currency: 'USD', price: 1000, setup_fee: 250 });
});
afterAll(async () => {
  await t?.destroy();
});

describe('the invoice list', () => {
  it('filters by status and client, sorts by number, and lets due date and amount sort once filtered', async () => {
    const a1 = await order(ids.anna, 'a1.test');
    const a2 = await order(ids.anna, 'a2.test');
    const b1 = await order(ids.boris, 'b1.test');
    await t.services.billing.recordPayment({ invoiceId: a2.invoiceId, amount: 1250, currency: 'USD', gateway: 'manual', externalId: 'list-a2', method: 'Cash' });

    const all = await admin.get('/admin/billing/invoices');
    expect(all.status).toBe(200);
    expect(listed(all)).toEqual([b1.invoiceNumber, a2.invoiceNumber, a1.invoiceNumber]);
    expect(all.$('#invoices-table thead th').map((_, th) => all.$(th).text().replace(/[▲▼]/g, '').trim()).get()).toEqual(['Invoice ID', 'Client', 'Kind', 'Entered', 'Due Date', 'Amount', 'Balance due', 'Status']);
    expect(all.$('#invoices-table th a').map((_, a) => all.$(a).text().replace(/[▲▼]/g, '').trim()).get()).toEqual(['Invoice ID', 'Entered', 'Status']);
    const row = all.$(`#invoices-table tbody tr:has(a[href="/admin/billing/invoices/${a2.invoiceId}"])`);
    expect(row.find('td').map((_, td) => all.$(td).text().trim()).get()).toEqual([a2.invoiceNumber, 'Anna Berg', 'Order', '2026-03-02', '2026-03-09', '12.50 USD', '—', 'Paid']);

    expect(listed(await admin.get('/admin/billing/invoices?status=paid'))).toEqual([a2.invoiceNumber]);
    const anna = await admin.get(`/admin/billing/invoices?client=${ids.anna}`);
    expect(listed(anna)).toEqual([a2.invoiceNumber, a1.invoiceNumber]);
    expect(text(anna, 'caption')).toBe('Invoices of Anna Berg');
    expect(anna.$('#invoices-table th a').map((_, a) => anna.$(a).text().replace(/[▲▼]/g, '').trim()).get()).toEqual(['Invoice ID', 'Entered', 'Due Date', 'Amount', 'Status']);
    expect(listed(await admin.get(`/admin/billing/invoices?client=${ids.anna}&status=unpaid`))).toEqual([a1.invoiceNumber]);
    expect(listed(await admin.get('/admin/billing/invoices?sort=number&dir=asc'))).toEqual([a1.invoiceNumber, a2.invoiceNumber, b1.invoiceNumber]);
    const fragment = await admin.get('/admin/billing/invoices?status=unpaid', { 'hx-request': 'true' });
    expect(fragment.html).not.toMatch(/<html|side-nav/);
    expect(listed(fragment)).toEqual([b1.invoiceNumber, a1.invoiceNumber]);
  });
});

describe('the invoice page', () => {
  it('shows dates, lines, totals, transactions in the seed’s words, and links to record a payment and to refund', async () => {
    const placed = await order(ids.anna, 'page.test');
    await t.services.billing.recordPayment({ invoiceId: placed.invoiceId, amount: 500, currency: 'USD', gateway: 'manual', externalId: 'page-1', method: 'Bank transfer', statusCode: 'recorded', raw: { reference: 'SEPA-77' } });
    const page = await admin.get(`/admin/billing/invoices/${placed.invoiceId}`);
    expect(text(page, 'h1')).toBe(`Invoice ${placed.invoiceNumber} Unpaid`);
    expect(text(page, '#sum-h + dl')).toBe(`Invoice ID${placed.invoiceNumber} ClientAnna Berg (#${ids.anna}) KindOrder StatusUnpaid Entered2026-03-02 Due Date2026-03-09`);
    expect(page.$('.invoice-lines tbody tr').length).toBe(2);
    expect(text(page, '.invoice-lines tfoot')).toMatch(/Subtotal\s*12\.50 USD\s*Tax\s*0\.00 USD\s*Total\s*12\.50 USD\s*Paid\s*5\.00 USD\s*Balance due\s*7\.50 USD/);
    expect(text(page, '.balance-card .big-number')).toBe('7.50 USD');
    expect(page.$('#transactions thead th').map((_, th) => page.$(th).text().trim()).get()).toEqual(['Transaction ID', 'Payment Method', 'Status Code', 'Date', 'Amount', 'Actions']);
    const tx = page.$('#transactions tbody tr').first();
    expect(tx.find('td').map((_, td) => page.$(td).text().replace(/\s+/g, ' ').trim()).get().slice(0, 5)).toEqual([expect.stringMatching(/^#\d+ ref\. SEPA-77$/), 'Bank transfer', 'approved · recorded', '2026-03-02 09:00 UTC', '5.00 USD']);
    const here = encodeURIComponent(`/admin/billing/invoices/${placed.invoiceId}`);
    expect(page.$('.balance-card a').filter((_, a) => page.$(a).text() === 'Record payment').attr('href')).toBe(`/admin/payments/invoice/${placed.invoiceId}/record?next=${here}`);
    expect(tx.find('a').attr('href')).toMatch(new RegExp(`^/admin/payments/transaction/\\d+/refund\\?next=${here.replace(/%/g, '%')}$`));
    // The payments page it links to exists and sends staff back here.
    const record = await admin.get(page.$('.balance-card a').filter((_, a) => page.$(a).text() === 'Record payment').attr('href')!);
    expect(record.status).toBe(200);
    expect(record.$('input[name="next"]').attr('value')).toBe(`/admin/billing/invoices/${placed.invoiceId}`);
  });

  it('pays from the client’s credit what it covers, and hides the button once there is none', async () => {
    const placed = await order(ids.boris, 'credit.test');
    await db()('core_clients').where({ id: ids.boris }).update({ balance: 400 });
    await db()('core_credit_ledger').insert({ client_id: ids.boris, at: '2026-03-02T09:00:00.000Z', amount: 400, currency: 'USD', balance_after: 400, kind: 'adjustment', note: 'test', actor: 'test' });
    const before = await admin.get(`/admin/billing/invoices/${placed.invoiceId}`);
    expect(text(before, '.balance-card')).toContain('The client has 4.00 USD of credit.');
    const page = await act(`/admin/billing/invoices/${placed.invoiceId}/pay-from-credit`);
    expect(text(page, '.flash-success')).toBe(`4.00 USD of the client's credit was applied to invoice ${placed.invoiceNumber}; 8.50 USD is still due.`);
    expect(text(page, '.balance-card .big-number')).toBe('8.50 USD');
    expect(page.$('form[action$="/pay-from-credit"]').length).toBe(0);
    expect(text(page, '#transactions tbody')).toContain('Credit balance');
    const again = await act(`/admin/billing/invoices/${placed.invoiceId}/pay-from-credit`);
    expect(text(again, '.flash-error')).toBe('There is no credit balance to pay with');
  });

  it('cancels an unpaid order invoice and the pending service with it, but not one that received money', async () => {
    const placed = await order(ids.anna, 'cancel.test');
    const page = await act(`/admin/billing/invoices/${placed.invoiceId}/cancel`);
    expect(text(page, '.flash-success')).toBe(`Invoice ${placed.invoiceNumber} was cancelled, and the pending order it was for.`);
    expect(text(page, 'h1')).toBe(`Invoice ${placed.invoiceNumber} Cancelled`);
    expect(((await db()('core_services').where({ id: placed.serviceId }).first('status')) as { status: string }).status).toBe('cancelled');
    expect(page.$('form[action$="/cancel"], form[action$="/collections"]').length).toBe(0);

    const paid = await order(ids.anna, 'partly.test');
    await t.services.billing.recordPayment({ invoiceId: paid.invoiceId, amount: 100, currency: 'USD', gateway: 'manual', externalId: 'cancel-part', method: 'Cash' });
    const refused = await act(`/admin/billing/invoices/${paid.invoiceId}/cancel`);
    expect(text(refused, '.flash-error')).toBe(`Invoice ${paid.invoiceNumber} has received a payment: refund it before cancelling the invoice.`);
    expect(await invoiceStatus(paid.invoiceId)).toBe('unpaid');
  });

  it('marks an unpaid invoice as in collections, where it can still be paid, and refuses a paid one', async () => {
    const placed = await order(ids.anna, 'collections.test');
    const page = await act(`/admin/billing/invoices/${placed.invoiceId}/collections`);
    expect(text(page, 'h1')).toBe(`Invoice ${placed.invoiceNumber} In collections`);
    expect(page.$('.balance-card a').filter((_, a) => page.$(a).text() === 'Record payment').length).toBe(1);
    await t.services.billing.recordPayment({ invoiceId: placed.invoiceId, amount: 1250, currency: 'USD', gateway: 'manual', externalId: 'collections-1', method: 'Cash' });
    expect(await invoiceStatus(placed.invoiceId)).toBe('paid');
    const refused = await act(`/admin/billing/invoices/${placed.invoiceId}/collections`);
    expect(text(refused, '.flash-error')).toBe(`Only an unpaid invoice can go to collections; ${placed.invoiceNumber} is paid.`);
    expect(await invoiceStatus(placed.invoiceId)).toBe('paid');
  });

  it('answers 404 for an invoice that does not exist', async () => {
    expect((await admin.get('/admin/billing/invoices/999999')).status).toBe(404);
    expect((await admin.get('/admin/billing/invoices/999999/print')).status).toBe(404);
  });
});

describe('the printable invoice', () => {
  it('prints the operator’s header and the client’s primary contact address in the bare layout', async () => {
    await t.services.settings.set(INVOICE_HEADER_KEY, { companyName: 'Trellis Hosting Ltd', addressLines: ['1 Server Lane', 'London EC1A 1AA', 'United Kingdom'], taxId: 'GB123456789', footer: 'IBAN GB00 TEST 0000 0000 00' });
    const placed = await order(ids.anna, 'print.test');
    const page = await admin.get(`/admin/billing/invoices/${placed.invoiceId}/print`);
    expect(page.status).toBe(200);
    expect(page.$('.side-nav').length).toBe(0);
    expect(page.$('body').attr('class')).toBe('area-bare');
    expect(page.$('.invoice-from p').map((_, p) => page.$(p).text()).get()).toEqual(['Trellis Hosting Ltd', '1 Server Lane', 'London EC1A 1AA', 'United Kingdom', 'Tax ID: GB123456789']);
    expect(page.$('.invoice-to p').map((_, p) => page.$(p).text()).get()).toEqual(['Anna Berg', 'Berg Hosting GmbH', 'Hauptstraße 5', '2. OG', '10115 Berlin', 'Germany', `Client number #${ids.anna}`]);
    expect(text(page, '.invoice-meta h1')).toBe(`Invoice ${placed.invoiceNumber}`);
    expect(text(page, '.invoice-meta dl')).toBe('Entered2026-03-02 Due Date2026-03-09 StatusUnpaid');
    expect(page.$('.invoice-table').first().find('tbody tr').length).toBe(2);
    expect(text(page, '.invoice-table tfoot')).toMatch(/Total\s*12\.50 USD/);
    expect(text(page, '.invoice-footer')).toBe('IBAN GB00 TEST 0000 0000 00');
    expect(page.$('.print-actions a').attr('href')).toBe(`/admin/billing/invoices/${placed.invoiceId}`);
  });
});

describe('the client page', () => {
  it('has a Billing section with the client’s services, recent invoices, what is due, and a New order button', async () => {
    const page = await admin.get(`/admin/clients/${ids.boris}`);
    expect(page.status).toBe(200);
    const section = page.$('#billing');
    expect(section.length).toBe(1);
    expect(section.find('a').filter((_, a) => page.$(a).text() === 'New order').attr('href')).toBe(`/admin/billing/order?client=${ids.boris}`);
    const services = (await db()('core_services').where({ client_id: ids.boris }).orderBy('id', 'desc').select('id')) as { id: number }[];
    expect(section.find('table').first().find('tbody tr').length).toBe(services.length);
    expect(section.find(`a[href="/admin/billing/services/${services[0]!.id}"]`).length).toBe(2);
    const unpaid = (await db()('core_invoices').where({ client_id: ids.boris, status: 'unpaid' }).select('total', 'amount_paid')) as { total: number; amount_paid: number }[];
    const due = unpaid.reduce((a, i) => a + Number(i.total) - Number(i.amount_paid), 0);
    expect(text(page, '#billing dl')).toBe(`Balance due${(due / 100).toFixed(2)} USD (${unpaid.length} unpaid invoice${unpaid.length === 1 ? '' : 's'}) Credit balance0.00 USD`);
    expect(section.find(`a[href="/admin/billing/invoices?client=${ids.boris}"]`).length).toBe(1);
  });
});

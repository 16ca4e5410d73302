// A service's whole life through the admin pages, as an operator clicks it: a package with a monthly
// price, a client, an order, the invoice, a payment, the manual set-up, renewal, reminders, overdue
// notices, suspension for non-payment, payment, resumption — and at the end the books balance to the cent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../helpers/app.ts';
import { setupBillingAdmin } from '../../core/billing/admin/setup.ts';
import { listPeriods } from '../../core/billing/catalog/store.ts';

let t: TestApp;
let admin: Agent;
const ids = { package: 0, period: 0, client: 0, service: 0, orderInvoice: 0, renewalInvoice: 0 };

const today = () => t.clock.now().toISOString().slice(0, 10);
const text = (page: PageResult, selector: string) => page.$(selector).text().replace(/\s+/g, ' ').trim();
const located = (res: PageResult) => res.res.headers.get('location') ?? '';

async function followed(res: PageResult): Promise<PageResult> {
  expect(res.status, `${res.$('.field-error, .flash-error').text()}`).toBe(303);
  return admin.get(located(res));
}

/** Moves the panel's clock one day through the sandbox page and runs the billing jobs, as the scheduler would. */
async function nextDay(): Promise<void> {
  const res = await admin.post('/admin/system/sandbox/advance', { days: '1' });
  expect(res.status, text(res, 'main')).toBe(303);
  // In tests the sessions run on the moved clock too, so a day later the admin signs in again.
  await admin.login('staff', 'admin@example.test');
  await runJobs();
}

async function runJobs(): Promise<void> {
  for (const id of ['core.billing.renewals', 'core.billing.dunning', 'core.processing.run']) {
    const run = await t.services.jobs.runOnce(id, 'manual');
    expect(run.status, `${id}: ${run.error}`).toBe('ok');
  }
}

async function outboxSubjects(): Promise<string[]> {
  return ((await t.services.db('core_outbox').orderBy('id').select('subject')) as { subject: string }[]).map((r) => r.subject);
}

/** The one operation of this kind waiting for staff, found on the operations page. */
async function manualOperation(label: string): Promise<number> {
  const page = await admin.get('/admin/processing/operations?status=manual');
  const rows = page.$('#operations-table tbody tr').toArray().filter((tr) => page.$(tr).text().includes(`#${ids.service}`) && page.$(tr).find('td').first().text().includes(label));
  expect(rows, `a manual “${label}” operation for service #${ids.service}`).toHaveLength(1);
  return Number(/\/(\d+)$/.exec(page.$(rows[0]).find('a').attr('href')!)![1]);
}

async function serviceStatus(): Promise<{ status: string; expires: string }> {
  const page = await admin.get(`/admin/billing/services/${ids.service}`);
  expect(page.status).toBe(200);
  const dd = (term: string) => page.$('#svc-h').parent().find('dt').filter((_, dt) => page.$(dt).text().trim() === term).next('dd').text().replace(/\s+/g, ' ').trim();
  return { status: text(page, 'h1 .badge'), expires: dd('Expires') };
}

/** "Record payment" on the invoice page leads to the payments page, which sends staff back to the invoice. */
async function recordPayment(invoiceId: number, amount: string, reference: string): Promise<PageResult> {
  const invoice = await admin.get(`/admin/billing/invoices/${invoiceId}`);
  const link = invoice.$('.balance-card a').filter((_, a) => invoice.$(a).text().trim() === 'Record payment').attr('href')!;
  expect(link).toBe(`/admin/payments/invoice/${invoiceId}/record?next=%2Fadmin%2Fbilling%2Finvoices%2F${invoiceId}`);
  const form = await admin.get(link);
  const field = (name: string) => form.$(`form [name="${name}"]`).attr('value') ?? '';
  const res = await admin.post(form.$('form[method="post"]').last().attr('action')!, {
    amount, method: 'Bank transfer', reference, paidOn: field('paidOn'), formKey: field('formKey'), next: field('next'),
  });
  expect(located(res)).toBe(`/admin/billing/invoices/${invoiceId}`);
  return followed(res);
}

beforeAll(async () => {
  t = await createTestApp({ env: { TRELLIS_SANDBOX: '1' } });
  setupBillingAdmin(t.services);
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  admin = t.agent();
  await admin.login('staff', 'admin@example.test');
});
afterAll(async () => {
  await t?.destroy();
});

describe('a hosting service from order to renewal, through the admin pages', () => {
  it('creates a package with a monthly period, price, setup fee and a paid add-on in the catalog', async () => {
    const created = await admin.post('/admin/catalog/packages', { name: 'Web Start', internal_name: 'web-start', item_type: 'hosting', billing_type: 'period', active: '1', position: '10' });
    expect(created.status, created.$('.field-error').text()).toBe(303);
    const url = located(created);
    ids.package = Number(/\/packages\/(\d+)$/.exec(url)![1]);
    expect((await admin.post(`${url}/periods`, { kind: 'months', length: '1', active: '1', 'price.USD': '19.99', 'setup.USD': '5.00' })).status).toBe(303);
    ids.period = (await listPeriods(t.services.db, [ids.package]))[0]!.id;
    const addon = await admin.post(`${url}/addons`, { kind: 'logic', name: 'Daily backup', internal_name: 'backup', active: '1', [`price.${ids.period}.0.USD`]: '2.00' });
    expect(addon.status, addon.$('.field-error').text()).toBe(303);
  });

  it('adds a processing server on the manual module for web hosting', async () => {
    const res = await admin.post('/admin/processing/servers', { name: 'web1.example.test', module: 'manual', item_type: 'hosting', url: '', username: '', password: '', department_id: '', max_clients: '', use_for_new_orders: '1' });
    expect(res.status, res.$('.field-error').text()).toBe(303);
  });

  it('creates a client who receives invoice e-mails', async () => {
    const res = await admin.post('/admin/clients/new', {
      kind: 'person', company: '', firstName: 'Olga', lastName: 'Smirnova', email: 'olga@example.test', address1: '1 Main St', city: 'Brooklyn', state: 'NY', county: 'Kings', zip: '11201',
      country: 'US', phone: '+1 555 0100', currency: 'USD', language: 'en', emailFormat: 'html', emailActions: ['invoices', 'payment_receipts', 'service_notices'], permissions: 'all', loginEmail: '', password: '', confirm: '',
    });
    expect(res.status, res.$('.field-error').text()).toBe(303);
    ids.client = Number(/\/admin\/clients\/(\d+)$/.exec(located(res))![1]);
  });

  it('orders the package for the client from the client page, two steps without JavaScript', async () => {
    const clientPage = await admin.get(`/admin/clients/${ids.client}`);
    const newOrder = clientPage.$('#billing a').filter((_, a) => clientPage.$(a).text().includes('New order')).attr('href')!;
    expect(newOrder).toBe(`/admin/billing/order?client=${ids.client}`);
    const step1 = await admin.get(newOrder);
    expect(step1.$('#f-package option').map((_, o) => step1.$(o).text()).get().join('|')).toMatch(/Web Start \(from 19\.99 USD\)/);
    const step2 = await admin.get(`${newOrder}&package=${ids.package}`);
    expect(text(step2, '#f-periodId option')).toBe('1 month — 19.99 USD + 5.00 USD setup');
    expect(text(step2, 'label[for="f-addon-backup"]')).toContain('Daily backup (+2.00 USD)');

    const res = await admin.post('/admin/billing/order', { clientId: String(ids.client), packageId: String(ids.package), periodId: String(ids.period), 'addon.backup': ['0', '1'], label: 'example.test', domain: 'example.test', params: '', discount: '' });
    expect(res.status, res.$('.field-error, .flash-error').text()).toBe(303);
    ids.orderInvoice = Number(/\/admin\/billing\/invoices\/(\d+)$/.exec(located(res))![1]);
    const invoice = await admin.get(located(res));
    expect(text(invoice, '.flash-success')).toMatch(/Order placed: service #\d+ is pending until invoice INV-000001 for 26\.99 USD is paid/);
    ids.service = Number(/service #(\d+)/.exec(text(invoice, '.flash-success'))![1]);
    expect(text(invoice, 'h1')).toBe('Invoice INV-000001 Unpaid');
    const lines = invoice.$('.invoice-lines tbody tr').map((_, tr) => invoice.$(tr).find('td').map((__, td) => invoice.$(td).text().replace(/\s+/g, ' ').trim()).get().join(' | ')).get();
    expect(lines).toEqual([
      `Web Start (example.test), 1 month service #${ids.service} | — | 1 | 19.99 USD | 19.99 USD`,
      `Setup of Web Start (example.test) service #${ids.service} | — | 1 | 5.00 USD | 5.00 USD`,
      `Daily backup: yes service #${ids.service} | — | 1 | 2.00 USD | 2.00 USD`,
    ]);
    expect(text(invoice, '.balance-card .big-number')).toBe('26.99 USD');
    expect((await serviceStatus()).status).toBe('Pending');
  });

  it('records a bank payment that pays the invoice, the rest going to credit, and queues the set-up', async () => {
    const page = await recordPayment(ids.orderInvoice, '30.00', 'BANK-0001');
    expect(text(page, '.flash-success')).toBe('30.00 USD recorded on invoice INV-000001; 3.01 USD went to the client\'s credit balance.');
    expect(text(page, 'h1')).toBe('Invoice INV-000001 Paid');
    expect(text(page, '#transactions tbody tr')).toMatch(/ref\. BANK-0001 Bank transfer approved · recorded .* 30\.00 USD/);
    expect((await serviceStatus()).status).toBe('Work in progress');
  });

  it('shows the manual module’s open operation waiting for staff, and completing it makes the service active with an expiry', async () => {
    await runJobs();
    const opId = await manualOperation('Set up');
    const service = await admin.get(`/admin/billing/services/${ids.service}`);
    expect(text(service, '.billing-pending')).toContain(`Set up requested — operation #${opId} is waiting for staff to complete it`);
    expect(service.$(`.service-operations a[href="/admin/processing/operations/${opId}"]`).length).toBe(1);

    const done = await admin.post(`/admin/processing/operations/${opId}/complete`, { externalId: 'WEB-42', staff_note: 'Account made in the panel' });
    expect(done.status).toBe(303);
    expect(await serviceStatus()).toEqual({ status: 'Active', expires: '2026-04-02' });
    const page = await admin.get(`/admin/billing/services/${ids.service}`);
    expect(page.$('#prov-h').parent().text()).toContain('WEB-42');
    expect(text(page, '.billing-rule')).toBe('Invoiced every billing cycle.');
  });

  it('issues the renewal invoice 14 days before expiry, reminds, sends overdue notices and suspends a week after the due date', async () => {
    const start = (await outboxSubjects()).length;
    while (today() < '2026-04-09') {
      await nextDay();
      const renewal = (await t.services.db('core_invoices').where({ kind: 'renewal' }).first('id', 'entered_on')) as { id: number; entered_on: string } | undefined;
      if (renewal && !ids.renewalInvoice) {
        expect(renewal.entered_on).toBe('2026-03-19');
        ids.renewalInvoice = renewal.id;
      }
    }
    const renewal = await admin.get(`/admin/billing/invoices/${ids.renewalInvoice}`);
    expect(text(renewal, 'h1')).toBe('Invoice INV-000002 Unpaid');
    expect(text(renewal, '.invoice-lines tbody')).toContain('Renewal of Web Start (example.test), 1 month: 2026-04-02 – 2026-05-01');
    expect(text(renewal, '.balance-card .big-number')).toBe('21.99 USD');
    // The client's 3.01 USD of credit does not cover it, so it was not paid from credit.
    expect(text(renewal, '.balance-card')).toContain('The client has 3.01 USD of credit.');

    expect((await outboxSubjects()).slice(start)).toEqual([
      'Invoice INV-000002: 21.99 USD due 2026-04-02',
      'Reminder: invoice INV-000002 is due on 2026-04-02',
      'Overdue (1st overdue notice): invoice INV-000002',
      'Overdue (2nd overdue notice): invoice INV-000002',
      `Service suspended: example.test`,
    ]);
    const outbox = await admin.get('/admin/system/outbox');
    expect(outbox.html).toContain('Overdue (2nd overdue notice): invoice INV-000002');

    // Suspension goes through the module: until staff complete it, the service stays active.
    const service = await admin.get(`/admin/billing/services/${ids.service}`);
    expect(text(service, 'h1 .badge')).toBe('Active');
    const opId = await manualOperation('Suspend');
    expect((await admin.post(`/admin/processing/operations/${opId}/complete`, { staff_note: '' })).status).toBe(303);
    expect(await serviceStatus()).toEqual({ status: 'Suspended for non-payment', expires: '2026-04-02' });

    // Running the jobs again the same day sends nothing twice.
    const before = (await outboxSubjects()).length;
    await runJobs();
    expect((await outboxSubjects()).length).toBe(before);
  });

  it('resumes the service once the renewal invoice is paid (credit first, then a payment) and extends its expiry', async () => {
    await nextDay();
    const credit = await followed(await admin.post(`/admin/billing/invoices/${ids.renewalInvoice}/pay-from-credit`, {}));
    expect(text(credit, '.flash-success')).toBe('3.01 USD of the client\'s credit was applied to invoice INV-000002; 18.98 USD is still due.');
    const paid = await recordPayment(ids.renewalInvoice, '18.98', 'BANK-0002');
    expect(text(paid, 'h1')).toBe('Invoice INV-000002 Paid');
    expect(await serviceStatus()).toEqual({ status: 'Suspended for non-payment', expires: '2026-05-02' });

    await runJobs();
    const opId = await manualOperation('Resume');
    expect((await admin.post(`/admin/processing/operations/${opId}/complete`, { staff_note: 'Unsuspended' })).status).toBe(303);
    expect(await serviceStatus()).toEqual({ status: 'Active', expires: '2026-05-02' });
    const history = await admin.get(`/admin/billing/services/${ids.service}`);
    expect(text(history, '#hist-h + .table-wrap tbody tr:first-child')).toMatch(/Suspended for non-payment → Active/);
  });

  it('refunds a whole second order to credit', async () => {
    const res = await admin.post('/admin/billing/order', { clientId: String(ids.client), packageId: String(ids.package), periodId: String(ids.period), 'addon.backup': '0', label: 'second.example.test', discount: '4.99' });
    expect(res.status, res.$('.field-error').text()).toBe(303);
    const invoiceId = Number(/(\d+)$/.exec(located(res))![1]);
    const invoice = await admin.get(located(res));
    expect(text(invoice, '.balance-card .big-number')).toBe('20.00 USD');
    await recordPayment(invoiceId, '20.00', 'BANK-0003');
    const page = await admin.get(`/admin/billing/invoices/${invoiceId}`);
    const refundUrl = page.$('#transactions a').filter((_, a) => page.$(a).text().includes('Refund')).attr('href')!;
    const form = await admin.get(refundUrl);
    expect(form.$('#f-amount').attr('value')).toBe('20.00');
    const refunded = await followed(await admin.post(refundUrl, { amount: '20.00', reason: 'Ordered twice', key: form.$('input[name="key"]').attr('value')! }));
    expect(text(refunded, '.flash-success')).toBe('20.00 USD refunded to the client\'s credit balance.');
    expect(text(refunded, 'h1')).toBe(`Invoice ${text(invoice, 'h1').split(' ')[1]} Refunded`);
  });

  it('balances the books to the cent: every invoice, transaction and credit balance adds up', async () => {
    const db = t.services.db;
    const invoices = (await db('core_invoices').select()) as { id: number; status: string; subtotal: number; discount: number; tax: number; total: number; amount_paid: number; amount_refunded: number; tax_inclusive: unknown }[];
    const lines = (await db('core_invoice_lines').select('invoice_id', 'amount', 'quantity', 'unit_price')) as { invoice_id: number; amount: number; quantity: number; unit_price: number }[];
    const txs = (await db('core_transactions').select()) as { invoice_id: number | null; gateway: string; status: string; amount: number }[];
    const clients = (await db('core_clients').select('id', 'balance')) as { id: number; balance: number }[];
    const ledger = (await db('core_credit_ledger').orderBy('id').select()) as { client_id: number; amount: number; balance_after: number; kind: string; invoice_id: number | null }[];
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (const v of [...invoices.flatMap((i) => [i.subtotal, i.discount, i.tax, i.total, i.amount_paid, i.amount_refunded]), ...lines.map((l) => l.amount), ...txs.map((x) => x.amount), ...clients.map((c) => c.balance), ...ledger.map((l) => l.amount)]) {
      expect(Number.isSafeInteger(v), `${v} is whole minor units`).toBe(true);
    }
    for (const inv of invoices) {
      const mine = lines.filter((l) => l.invoice_id === inv.id);
      expect(sum(mine.map((l) => l.amount))).toBe(inv.subtotal);
      for (const l of mine) expect(l.amount).toBe(l.quantity * l.unit_price);
      expect(inv.total).toBe(inv.subtotal - inv.discount + (inv.tax_inclusive === true || inv.tax_inclusive === 1 ? 0 : inv.tax));
      // What an invoice received: its payments and refunds, less what went on to credit.
      const received = sum(txs.filter((x) => x.invoice_id === inv.id && (x.status === 'approved' || x.status === 'refunded')).map((x) => x.amount));
      const overpaid = sum(ledger.filter((l) => l.invoice_id === inv.id && l.kind === 'overpayment').map((l) => l.amount));
      expect(received - overpaid, `invoice #${inv.id}`).toBe(inv.amount_paid - inv.amount_refunded);
      expect(inv.amount_refunded).toBeLessThanOrEqual(inv.amount_paid);
    }
    const paid = invoices.filter((i) => i.status === 'paid');
    expect(paid.length).toBe(2);
    expect(sum(paid.map((i) => i.total))).toBe(sum(paid.map((i) => i.amount_paid)));

    const payments = sum(txs.filter((x) => x.status === 'approved' && x.gateway !== 'credit').map((x) => x.amount));
    const refunds = -sum(txs.filter((x) => x.gateway === 'refund').map((x) => x.amount));
    const creditChanges = sum(ledger.filter((l) => l.kind !== 'refund').map((l) => l.amount));
    expect(payments).toBe(30_00 + 18_98 + 20_00);
    expect(refunds).toBe(20_00);
    expect(payments - refunds).toBe(sum(invoices.map((i) => i.amount_paid - i.amount_refunded)) + creditChanges);
    // Refunds go to the credit balance: nothing has left the books.
    expect(payments).toBe(sum(invoices.map((i) => i.amount_paid - i.amount_refunded)) + sum(clients.map((c) => c.balance)));
    for (const c of clients) {
      const mine = ledger.filter((l) => l.client_id === c.id);
      expect(sum(mine.map((l) => l.amount))).toBe(c.balance);
      if (mine.length) expect(mine.at(-1)!.balance_after).toBe(c.balance);
    }
    expect(clients.find((c) => c.id === ids.client)!.balance).toBe(20_00);
  });
});

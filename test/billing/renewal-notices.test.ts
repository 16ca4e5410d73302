// What the renewal job does after each chunk of invoices, batched: the "invoice created" notice to the
// right people, paying from credit where the balance covers an invoice, and asking the stored-card
// hook only about clients that have a stored card — with a number of queries that does not grow
// with the number of invoices.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { AT, insertClient, insertPackage, insertService } from './ledger-fixtures.ts';
import { BILLING_SETTINGS_KEY, DEFAULT_BILLING_SETTINGS } from '../../core/billing/settings.ts';
import type { OnInvoicePaid } from '../../core/billing/invoices/payments.ts';

let t: TestApp;
let db: Knex;
let packageId: number;

beforeEach(async () => {
  t = await createTestApp();
  db = t.services.db;
  ({ packageId } = await insertPackage(db, { name: 'Hosting' }));
});
afterEach(async () => {
  await t?.destroy();
});

async function addContact(clientId: number, email: string, opts: { primary?: boolean; actions?: string[] } = {}): Promise<void> {
  await db('core_contacts').insert({
    client_id: clientId, is_primary: opts.primary ?? false, first_name: 'C', last_name: 'Ontact', email, country: 'DE',
    email_actions: JSON.stringify(opts.actions ?? []), created_at: AT, updated_at: AT,
  });
}

async function clientEmail(clientId: number): Promise<string> {
  return ((await db('core_clients').where({ id: clientId }).first('email')) as { email: string }).email;
}

const invoiceOf = async (serviceId: number) =>
  (await db('core_invoices as i').join('core_invoice_lines as l', 'l.invoice_id', 'i.id').where('l.service_id', serviceId).first('i.id', 'i.number', 'i.status', 'i.amount_paid')) as { id: number; number: string; status: string; amount_paid: number };

const outbox = async () => (await db('core_outbox').orderBy('id').select('to', 'subject', 'text')) as { to: string; subject: string; text: string }[];

function run() {
  const counts: Record<string, number> = {};
  return t.services.billing.runRenewals((name, by = 1) => void (counts[name] = (counts[name] ?? 0) + by)).then(() => counts);
}

describe('the renewal run’s notices', () => {
  it('go to the contacts who asked for invoices, else the primary contact, else the client’s e-mail, each address once', async () => {
    const asked = await insertClient(db, { name: 'Asked' });
    await addContact(asked, 'boss@example.test', { primary: true, actions: ['service_notices'] });
    await addContact(asked, 'Books@Example.test', { actions: ['invoices'] });
    await addContact(asked, 'books@example.test', { actions: ['invoices', 'payment_receipts'] });
    await addContact(asked, 'ops@example.test', { actions: ['marketing'] });
    const primaryOnly = await insertClient(db, { name: 'Primary' });
    await addContact(primaryOnly, 'Owner@Example.test', { primary: true, actions: [] });
    await addContact(primaryOnly, 'tech@example.test', { actions: ['service_notices'] });
    const nobody = await insertClient(db, { name: 'Nobody' });
    const services = [await insertService(db, { clientId: asked, packageId, price: 1500 }), await insertService(db, { clientId: primaryOnly, packageId }), await insertService(db, { clientId: nobody, packageId })];

    const counts = await run();
    expect(counts.invoices).toBe(3);
    const mails = await outbox();
    const [a, p, n] = await Promise.all(services.map(invoiceOf));
    expect(mails.map((m) => [m.to, m.subject])).toEqual([
      ['books@example.test', `Invoice ${a!.number}: 15.00 USD due 2026-03-10`],
      ['owner@example.test', `Invoice ${p!.number}: 10.00 USD due 2026-03-10`],
      [(await clientEmail(nobody)).toLowerCase(), `Invoice ${n!.number}: 10.00 USD due 2026-03-10`],
    ]);
    expect(mails[0]!.text).toContain('Dear Asked,');
    // The default template lists the invoice's lines.
    expect(mails[0]!.text).toMatch(/\n- Renewal of Hosting, 1 month: 2026-03-10 – 2026-04-09: 15\.00 USD\n/);
    expect(mails[0]!.text).toContain(`/client/invoices/${a!.id}`);
  });

  it('pay from credit only what the balance covers in full, in invoice order, and leave the rest unpaid', async () => {
    const rich = await insertClient(db, { balance: 1500 });
    const poor = await insertClient(db, { balance: 0 });
    const euros = await insertClient(db, { balance: 5000, currency: 'EUR' });
    const first = await insertService(db, { clientId: rich, packageId, price: 1000 });
    const second = await insertService(db, { clientId: rich, packageId, price: 1000 });
    const poorService = await insertService(db, { clientId: poor, packageId, price: 1000 });
    const usdForEuroClient = await insertService(db, { clientId: euros, packageId, price: 1000, currency: 'USD' });

    const counts = await run();
    expect(counts).toMatchObject({ invoices: 4, paidFromCredit: 1 });
    expect(await invoiceOf(first)).toMatchObject({ status: 'paid', amount_paid: 1000 });
    expect(await invoiceOf(second)).toMatchObject({ status: 'unpaid', amount_paid: 0 });
    expect(await invoiceOf(poorService)).toMatchObject({ status: 'unpaid' });
    expect(await invoiceOf(usdForEuroClient)).toMatchObject({ status: 'unpaid' });
    expect(Number((await db('core_clients').where({ id: rich }).first('balance')).balance)).toBe(500);
    expect(Number((await db('core_clients').where({ id: euros }).first('balance')).balance)).toBe(5000);
    expect((await db('core_services').where({ id: first }).first('expires_on')).expires_on).toBe('2026-04-10');
    // The invoice notice first, then the receipt of the credit payment.
    const subjects = (await outbox()).map((m) => m.subject);
    const paidNumber = (await invoiceOf(first))!.number;
    expect(subjects.filter((s) => s.includes(paidNumber))).toEqual([`Invoice ${paidNumber}: 10.00 USD due 2026-03-10`, `Payment received for invoice ${paidNumber}`]);
  });

  it('pay nothing from credit when the operator turned it off', async () => {
    await db('core_settings').insert({ key: BILLING_SETTINGS_KEY, value: JSON.stringify({ ...DEFAULT_BILLING_SETTINGS, autoRenewFromCredit: false }), updated_at: AT });
    const rich = await insertClient(db, { balance: 5000 });
    const s = await insertService(db, { clientId: rich, packageId });
    const counts = await run();
    expect(counts.paidFromCredit).toBeUndefined();
    expect(await invoiceOf(s)).toMatchObject({ status: 'unpaid' });
  });

  it('undo only the credit payment that failed half-way; the chunk’s notices and other payments stay', async () => {
    const a = await insertClient(db, { balance: 1000 });
    const b = await insertClient(db, { balance: 1000 });
    const sa = await insertService(db, { clientId: a, packageId, price: 1000 });
    const sb = await insertService(db, { clientId: b, packageId, price: 1000 });
    const billing = t.services.billing as unknown as { onInvoicePaid: OnInvoicePaid };
    const real = billing.onInvoicePaid;
    // Fails after the balance was taken and the invoice marked paid: only a rollback puts them back.
    billing.onInvoicePaid = async (trx, invoice, at) => {
      if (invoice.client_id === a) throw new Error('fulfilment broke');
      await real(trx, invoice, at);
    };
    const charged: number[] = [];
    t.services.billing.autoCharge = async (id) => {
      charged.push(id);
      return false;
    };
    await db('core_billing_accounts').insert([a, b].map((clientId) => ({ client_id: clientId, type: 'card', label: '', sealed: 'sealed-card', is_default: true, created_at: AT, updated_at: AT })));

    const counts = await run();
    expect(counts).toMatchObject({ invoices: 2, paidFromCredit: 1 });
    const [ia, ib] = [await invoiceOf(sa), await invoiceOf(sb)];
    expect(ia).toMatchObject({ status: 'unpaid', amount_paid: 0 });
    expect(ib).toMatchObject({ status: 'paid', amount_paid: 1000 });
    expect(Number((await db('core_clients').where({ id: a }).first('balance')).balance)).toBe(1000);
    expect(await db('core_transactions').where({ invoice_id: ia!.id })).toEqual([]);
    expect(await db('core_credit_ledger').where({ client_id: a })).toEqual([]);
    expect((await outbox()).filter((m) => m.subject.startsWith('Invoice '))).toHaveLength(2);
    // The one credit could not pay goes on to the stored card.
    expect(charged).toEqual([ia!.id]);
  });

  it('ask the stored-card hook only about unpaid invoices of clients with a stored card', async () => {
    const withCard = await insertClient(db);
    const withBankAccount = await insertClient(db);
    const withUnsealedCard = await insertClient(db);
    const without = await insertClient(db);
    const paidByCredit = await insertClient(db, { balance: 5000 });
    const services = await Promise.all([withCard, withBankAccount, withUnsealedCard, without, paidByCredit].map((clientId) => insertService(db, { clientId, packageId })));
    await db('core_billing_accounts').insert([
      { client_id: withCard, type: 'card', label: '', sealed: 'sealed-card', is_default: false, created_at: AT, updated_at: AT },
      { client_id: withBankAccount, type: 'wire', label: '', sealed: 'sealed-bank', is_default: true, created_at: AT, updated_at: AT },
      { client_id: withUnsealedCard, type: 'card', label: '', sealed: null, is_default: true, created_at: AT, updated_at: AT },
      { client_id: paidByCredit, type: 'card', label: '', sealed: 'sealed-card', is_default: true, created_at: AT, updated_at: AT },
    ]);
    const asked: number[] = [];
    t.services.billing.autoCharge = async (id) => {
      asked.push(id);
      if (asked.length === 1) throw new Error('gateway exploded');
      return true;
    };
    const counts = await run();
    expect(asked).toEqual([(await invoiceOf(services[0]!))!.id]);
    expect(counts).toMatchObject({ invoices: 5, paidFromCredit: 1, storedCardFailed: 1 });
  });

  it('read and write the same few times for forty invoices as for five', async () => {
    const queriesFor = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = await insertClient(db, { balance: i % 2 ? 0 : 100 });
        await addContact(c, `c${n}-${i}@example.test`, { primary: true, actions: ['invoices'] });
        await insertService(db, { clientId: c, packageId, expiresOn: '2026-03-10' });
      }
      let queries = 0;
      const count = () => void queries++;
      db.on('query', count);
      const counts = await run();
      db.off('query', count);
      expect(counts.invoices).toBe(n);
      return queries;
    };
    const five = await queriesFor(5);
    const forty = await queriesFor(40);
    expect(forty).toBeLessThanOrEqual(five + 2);
    expect((await outbox()).length).toBe(45);
  });
});

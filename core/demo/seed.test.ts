// The demo seed on a fresh panel (SQLite, or PostgreSQL with TRELLIS_TEST_DB=pg): every state is there,
// the demo logins work through the real login forms, the books balance, and seeding twice refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { SERVICE_STATUSES } from '../billing/services/status.ts';
import { DEMO_CLIENT, DEMO_STAFF, DemoSeedError, HISTORY_DAYS, seedDemo, type DemoSummary } from './seed.ts';

const CLIENTS = 20;
const NOW = '2026-03-02T09:00:00Z';

let t: TestApp;
let summary: DemoSummary;

beforeAll(async () => {
  t = await createTestApp();
  summary = await seedDemo(t.services, { clients: CLIENTS });
}, 180_000);
afterAll(async () => {
  await t?.destroy();
});

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('demo:seed', () => {
  it('creates the demo client and the clients asked for, with services ordered over the history', async () => {
    expect(summary.clients).toBe(CLIENTS + 1);
    expect(summary.from).toBe('2025-01-26');
    expect(summary.to).toBe('2026-03-02');
    expect(summary.activity.orders).toBe(summary.services);
    const db = t.services.db;
    const [first] = (await db('core_invoices').min({ at: 'created_at' })) as [{ at: string }];
    const [last] = (await db('core_invoices').max({ at: 'created_at' })) as [{ at: string }];
    expect(first.at >= '2025-01-26').toBe(true);
    expect(last.at <= new Date(NOW).toISOString()).toBe(true);
    expect(HISTORY_DAYS).toBeGreaterThan(365);
  });

  it('has services in every status and invoices unpaid, overdue, paid, cancelled, refunded and in collections', async () => {
    for (const status of SERVICE_STATUSES) expect(summary.serviceStatuses[status], status).toBeGreaterThan(0);
    for (const status of ['unpaid', 'overdue', 'paid', 'cancelled', 'refunded', 'collections']) expect(summary.invoiceStatuses[status], status).toBeGreaterThan(0);
    const db = t.services.db;
    // Paid invoices have their transactions; the in-progress service waits for staff in the queue.
    const paidWithout = await db('core_invoices as i').where('i.status', 'paid').where('i.total', '>', 0).whereNotExists(db('core_transactions as x').whereRaw('x.invoice_id = i.id').select(db.raw('1'))).count({ n: '*' });
    expect(Number((paidWithout[0] as { n: number | string }).n)).toBe(0);
    const waiting = await db('core_service_operations as o').join('core_services as s', 's.id', 'o.service_id').where({ 's.status': 'in_progress', 'o.op': 'open', 'o.status': 'manual' }).count({ n: '*' });
    expect(Number((waiting[0] as { n: number | string }).n)).toBeGreaterThan(0);
  });

  it('lets the demo staff and the demo client sign in with the printed passwords', async () => {
    for (const s of DEMO_STAFF) {
      const staff = t.agent();
      await staff.login('staff', s.email, s.password);
      const home = await staff.get('/admin');
      expect(home.status, s.email).toBe(200);
    }
    const client = t.agent();
    await client.login('client', DEMO_CLIENT.email, DEMO_CLIENT.password);
    expect((await client.get('/client')).status).toBe(200);
    const db = t.services.db;
    const user = (await db('core_users').where({ kind: 'client', email: DEMO_CLIENT.email }).first('client_id')) as { client_id: number };
    const contact = (await db('core_contacts').where({ client_id: user.client_id, is_primary: true }).first('email')) as { email: string };
    expect(contact.email).toBe(DEMO_CLIENT.email);
    const states = ((await db('core_services').where({ client_id: user.client_id }).select('status')) as { status: string }[]).map((s) => s.status).sort();
    expect(states).toEqual(expect.arrayContaining(['active', 'pending', 'pending_renewal', 'cancelled']));
    const invoices = ((await db('core_invoices').where({ client_id: user.client_id }).distinct('status')) as { status: string }[]).map((r) => r.status);
    expect(invoices).toEqual(expect.arrayContaining(['paid', 'unpaid', 'refunded']));
  });

  it('balances the books to the cent in every currency', async () => {
    const db = t.services.db;
    const invoices = (await db('core_invoices').select()) as { id: number; currency: string; subtotal: number; discount: number; tax: number; total: number; amount_paid: number; amount_refunded: number; tax_inclusive: unknown }[];
    const lines = (await db('core_invoice_lines').select('invoice_id', 'amount', 'quantity', 'unit_price')) as { invoice_id: number; amount: number; quantity: number; unit_price: number }[];
    const txs = (await db('core_transactions').select()) as { invoice_id: number | null; gateway: string; status: string; amount: number; currency: string }[];
    const clients = (await db('core_clients').select('id', 'balance', 'currency')) as { id: number; balance: number; currency: string }[];
    const ledger = (await db('core_credit_ledger').orderBy('id').select()) as { client_id: number; amount: number; balance_after: number; kind: string; invoice_id: number | null; currency: string }[];
    const n = (v: unknown) => Number(v);
    for (const inv of invoices) {
      const mine = lines.filter((l) => n(l.invoice_id) === n(inv.id));
      expect(sum(mine.map((l) => n(l.amount)))).toBe(n(inv.subtotal));
      expect(n(inv.total)).toBe(n(inv.subtotal) - n(inv.discount) + (inv.tax_inclusive === true || inv.tax_inclusive === 1 ? 0 : n(inv.tax)));
      const received = sum(txs.filter((x) => n(x.invoice_id) === n(inv.id) && (x.status === 'approved' || x.status === 'refunded')).map((x) => n(x.amount)));
      const overpaid = sum(ledger.filter((l) => n(l.invoice_id) === n(inv.id) && l.kind === 'overpayment').map((l) => n(l.amount)));
      expect(received - overpaid, `invoice #${inv.id}`).toBe(n(inv.amount_paid) - n(inv.amount_refunded));
    }
    const currencies = [...new Set(invoices.map((i) => i.currency))];
    expect(currencies.length).toBeGreaterThan(1);
    for (const cur of currencies) {
      const payments = sum(txs.filter((x) => x.currency === cur && x.status === 'approved' && x.gateway !== 'credit').map((x) => n(x.amount)));
      const refunds = -sum(txs.filter((x) => x.currency === cur && x.gateway === 'refund').map((x) => n(x.amount)));
      const amountPaid = sum(invoices.filter((i) => i.currency === cur).map((i) => n(i.amount_paid) - n(i.amount_refunded)));
      // The credit ledger's own changes (overpayments in, payments from credit out); refunds are counted once, as refunds.
      const creditChanges = sum(ledger.filter((l) => l.currency === cur && l.kind !== 'refund').map((l) => n(l.amount)));
      expect(payments - refunds, cur).toBe(amountPaid + creditChanges);
      // Refunds go to the credit balance: nothing has left the books.
      expect(payments, cur).toBe(amountPaid + sum(clients.filter((c) => c.currency === cur).map((c) => n(c.balance))));
    }
    expect(sum(ledger.filter((l) => l.kind === 'refund').map((l) => n(l.amount)))).toBeGreaterThan(0);
    expect(sum(txs.filter((x) => x.gateway === 'credit').map((x) => n(x.amount)))).toBeGreaterThan(0);
    for (const c of clients) {
      const mine = ledger.filter((l) => n(l.client_id) === n(c.id));
      expect(sum(mine.map((l) => n(l.amount)))).toBe(n(c.balance));
      if (mine.length) expect(n(mine.at(-1)!.balance_after)).toBe(n(c.balance));
    }
  });

  it('refuses to seed a panel that already has data, and changes nothing', async () => {
    const before = await t.services.db('core_clients').count({ n: '*' });
    await expect(seedDemo(t.services, { clients: 1 })).rejects.toThrow(DemoSeedError);
    await expect(seedDemo(t.services, { clients: 1 })).rejects.toThrow(/The panel already has data \(.*\); demo:seed needs an empty data dir/);
    expect(await t.services.db('core_clients').count({ n: '*' })).toEqual(before);
  });

  it('makes the same panel from the same seed and the same "now"', async () => {
    const other = await createTestApp();
    try {
      const again = await seedDemo(other.services, { clients: CLIENTS });
      expect({ ...again, ms: 0 }).toEqual({ ...summary, ms: 0 });
      const fingerprint = async (app: TestApp) =>
        app.services.db('core_invoices').orderBy('number').select('number', 'client_id', 'kind', 'status', 'currency', 'total', 'amount_paid', 'due_on', 'created_at');
      expect(await fingerprint(other)).toEqual(await fingerprint(t));
    } finally {
      await other.destroy();
    }
  }, 180_000);
});

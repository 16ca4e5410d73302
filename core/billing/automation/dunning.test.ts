// Dunning passes: each notice once, suspension only on working days, only for non-payment.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { insertClient, insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { ManualClock } from '../../clock.ts';
import { DEFAULT_BILLING_SETTINGS, type BillingSettings } from '../settings.ts';
import { runRenewals } from './renewals.ts';
import { isSuspensionDay, nextSuspensionDay, runInvoiceCancellations, runReminders, runSuspensions, runTerminations, type DunningDeps } from './dunning.ts';

let t: TestDb;
let clock: ManualClock;
let notices: { kind: string; clientId: number; data: Record<string, unknown> }[];
let ops: { serviceId: number; op: string; payload?: Record<string, unknown> }[];

beforeEach(async () => {
  t = await createMigratedTestDb();
  clock = new ManualClock('2026-03-02T09:00:00Z'); // a Monday
  notices = [];
  ops = [];
});
afterEach(async () => {
  await t.destroy();
});

function deps(settings: Partial<BillingSettings> = {}): DunningDeps {
  return {
    db: t.db,
    clock,
    settings: { ...DEFAULT_BILLING_SETTINGS, ...settings },
    ops: { enqueue: async (trx, input) => (ops.push(input), 1) },
    notify: async (_trx, n) => void notices.push(n),
    invoiceUrl: (id) => `http://panel.test/client/invoices/${id}`,
  };
}

async function overdueSetup() {
  const c = await insertClient(t.db);
  const { packageId } = await insertPackage(t.db);
  const s = await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-03-10', label: 'site.example' });
  await runRenewals({ db: t.db, clock, settings: DEFAULT_BILLING_SETTINGS, taxInclusive: false });
  return { c, s };
}

describe('dunning', () => {
  it('sends the reminder and the three overdue notices each once, on their days', async () => {
    await overdueSetup(); // invoice due 2026-03-10
    const at = async (day: string) => {
      clock.set(`${day}T09:00:00Z`);
      await runReminders(deps());
      await runReminders(deps()); // a second run the same day sends nothing
      return notices.map((n) => (n.kind === 'invoice_overdue' ? `${n.kind}:${n.data.stage}` : n.kind));
    };
    expect(await at('2026-03-06')).toEqual([]);
    expect(await at('2026-03-07')).toEqual(['invoice_reminder']);
    expect(await at('2026-03-11')).toEqual(['invoice_reminder', 'invoice_overdue:1st overdue notice']);
    expect(await at('2026-03-17')).toEqual(['invoice_reminder', 'invoice_overdue:1st overdue notice', 'invoice_overdue:2nd overdue notice']);
    expect((await at('2026-03-24')).length).toBe(4);
    expect((await at('2026-04-30')).length).toBe(4);
    expect(notices[1]!.data.suspend_on).toBe('2026-03-17');
    expect(notices[1]!.data.links).toEqual({ invoice: expect.stringMatching(/\/client\/invoices\/\d+$/) });
  });

  it('suspends for non-payment after the grace days, once, and not on a weekend when told so', async () => {
    const { s } = await overdueSetup();
    clock.set('2026-03-16T09:00:00Z'); // 6 days late
    expect(await runSuspensions(deps())).toBe(0);
    clock.set('2026-03-21T09:00:00Z'); // Saturday, 11 days late
    expect(await runSuspensions(deps({ suspendOnWeekends: false }))).toBe(0);
    expect(await runSuspensions(deps())).toBe(1);
    expect(ops).toEqual([{ serviceId: s, op: 'suspend', payload: { status: 'suspended_nonpayment', reason: 'Invoice overdue' } }]);
    expect(notices.map((n) => n.kind)).toEqual(['service_suspended']);
  });

  it('computes suspension days around weekends and holidays', () => {
    const s = { ...DEFAULT_BILLING_SETTINGS, suspendOnWeekends: false, holidays: ['2026-03-23'] };
    expect(isSuspensionDay('2026-03-21', s)).toBe(false);
    expect(nextSuspensionDay('2026-03-21', s)).toBe('2026-03-24');
  });

  it('terminates services suspended for non-payment after the limit, and cancels long-overdue invoices', async () => {
    const { s } = await overdueSetup();
    await t.db('core_services').where({ id: s }).update({ status: 'suspended_nonpayment' });
    clock.set('2026-04-08T09:00:00Z'); // 29 days late
    expect(await runTerminations(deps())).toBe(0);
    clock.set('2026-04-09T09:00:00Z');
    expect(await runTerminations(deps())).toBe(1);
    expect(ops.map((o) => o.op)).toEqual(['close']);
    clock.set('2026-05-09T09:00:00Z');
    expect(await runInvoiceCancellations(deps())).toBe(1);
    expect(await runInvoiceCancellations(deps())).toBe(0);
    expect((await t.db('core_invoices').first()).status).toBe('cancelled');
  });

  it('lets unpaid domains expire instead of suspending them', async () => {
    const c = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db, { itemType: 'domain' });
    const d = await insertService(t.db, { clientId: c, packageId, itemType: 'domain', expiresOn: '2026-03-10' });
    await runRenewals({ db: t.db, clock, settings: DEFAULT_BILLING_SETTINGS, taxInclusive: false });
    clock.set('2026-03-25T09:00:00Z');
    await runSuspensions(deps());
    expect(ops).toEqual([]);
    expect((await t.db('core_services').where({ id: d }).first()).status).toBe('expired');
  });
});

// The end of a term: trials continue on a paid period or end; services that will not renew expire, once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { insertClient, insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { ManualClock } from '../../clock.ts';
import { DEFAULT_BILLING_SETTINGS } from '../settings.ts';
import { runRenewals } from './renewals.ts';
import { runExpiredTerminations, runExpiries } from './expiry.ts';
import { insertedId } from '../invoices/store.ts';

let t: TestDb;
const clock = new ManualClock('2026-03-02T09:00:00Z');
const settings = { ...DEFAULT_BILLING_SETTINGS };
let queued: { serviceId: number; op: string; payload?: Record<string, unknown> }[];
const ops = {
  enqueue: async (trx: Parameters<Parameters<TestDb['db']['transaction']>[0]>[0], input: { serviceId: number; op: string; payload?: Record<string, unknown> }) => {
    queued.push(input);
    // What the real queue leaves behind, so the pass can see an operation is open.
    const [row] = await trx('core_service_operations')
      .insert({ service_id: input.serviceId, op: input.op, status: 'pending', payload: JSON.stringify(input.payload ?? {}), created_at: clock.now().toISOString() })
      .returning('id');
    return insertedId(row);
  },
};

beforeEach(async () => {
  t = await createMigratedTestDb();
  queued = [];
  clock.set('2026-03-02T09:00:00Z');
});
afterEach(async () => {
  await t.destroy();
});

const renew = () => runRenewals({ db: t.db, clock, settings, taxInclusive: false });
const expire = () => runExpiries({ db: t.db, clock, settings, ops });

async function trialPackage(opts: { paidPrice?: number }) {
  const { packageId, periodId: monthId } = await insertPackage(t.db, { name: 'VPS S' });
  const [tp] = await t.db('core_package_periods').insert({ package_id: packageId, kind: 'trial', length: 14, active: true, position: -1 }).returning('id');
  const trialId = insertedId(tp);
  await t.db('core_package_prices').insert({ period_id: trialId, currency: 'USD', price: 0, setup_fee: 0 });
  if (opts.paidPrice !== undefined) await t.db('core_package_prices').insert({ period_id: monthId, currency: 'USD', price: opts.paidPrice, setup_fee: 500 });
  return { packageId, trialId, monthId };
}

async function trialService(clientId: number, p: { packageId: number; trialId: number }) {
  const id = await insertService(t.db, { clientId, packageId: p.packageId, periodId: p.trialId, price: 0, expiresOn: '2026-03-10' });
  await t.db('core_services').where({ id }).update({ period_kind: 'trial', period_length: 14 });
  return id;
}

describe('trials', () => {
  it('continue on the first paid period: the renewal invoice is for real money, without the setup fee', async () => {
    const c = await insertClient(t.db);
    const p = await trialPackage({ paidPrice: 1500 });
    const s = await trialService(c, p);
    await renew();
    expect(await t.db('core_services').where({ id: s }).first()).toMatchObject({ period_kind: 'months', period_length: 1, period_id: p.monthId, price: 1500 });
    const line = await t.db('core_invoice_lines').where({ service_id: s }).first();
    expect(line).toMatchObject({ amount: 1500, period_start: '2026-03-10', period_end: '2026-04-10' });
    expect(line.description).toContain('1 month');
    const history = await t.db('core_service_history').where({ service_id: s }).pluck('reason');
    expect(history).toEqual(['Trial ends: continues on 1 month at 15.00 USD']);
    await renew();
    expect(await t.db('core_invoices').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('with no paid period simply end: no 0.00 invoice, and the service expires the day after', async () => {
    const c = await insertClient(t.db);
    const p = await trialPackage({});
    const s = await trialService(c, p);
    await renew();
    expect(await t.db('core_invoices').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await expire()).toBe(0); // not past its expiry yet
    clock.set('2026-03-11T02:00:00Z');
    await renew();
    expect(await t.db('core_invoices').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await expire()).toBe(1);
    expect(queued).toEqual([{ serviceId: s, op: 'suspend', payload: { status: 'expired', reason: 'Period ended on 2026-03-10 and was not renewed' } }]);
    expect(await expire()).toBe(0);
  });
});

describe('expiry pass', () => {
  it('expires services with auto-renew off, never those whose renewal is billed or that renew', async () => {
    const c = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db);
    const off = await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-03-05', autoRenew: false });
    const renewing = await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-03-05' });
    await insertService(t.db, { clientId: c, packageId, expiresOn: '2026-03-20', autoRenew: false }); // not yet
    await renew(); // bills `renewing`
    clock.set('2026-03-06T02:00:00Z');
    expect(await expire()).toBe(1);
    expect(queued.map((q) => q.serviceId)).toEqual([off]);
    expect(queued.map((q) => q.serviceId)).not.toContain(renewing);
    expect(await expire()).toBe(0);
  });

  it('lets a domain lapse without a registrar operation, and expires suspended services the operator does not invoice', async () => {
    const c = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db, { itemType: 'domain' });
    const domain = await insertService(t.db, { clientId: c, packageId, itemType: 'domain', expiresOn: '2026-03-01', autoRenew: false });
    const { packageId: hosting } = await insertPackage(t.db);
    const suspended = await insertService(t.db, { clientId: c, packageId: hosting, status: 'suspended_staff', expiresOn: '2026-03-01' });
    expect(await expire()).toBe(2);
    expect(await t.db('core_services').where({ id: domain }).first()).toMatchObject({ status: 'expired' });
    expect(queued.map((q) => q.serviceId)).toEqual([suspended]);
    expect(await runExpiries({ db: t.db, clock, settings: { ...settings, invoiceSuspended: true }, ops })).toBe(0);
  });

  it('closes services expired for the termination delay, once', async () => {
    const c = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db);
    const s = await insertService(t.db, { clientId: c, packageId, status: 'expired', expiresOn: '2026-03-01' });
    const term = () => runExpiredTerminations({ db: t.db, clock, settings, ops });
    expect(await term()).toBe(0);
    clock.set(`${new Date(Date.parse('2026-03-01T09:00:00Z') + settings.terminateAfterDays * 86_400_000).toISOString()}`);
    expect(await term()).toBe(1);
    expect(queued).toEqual([expect.objectContaining({ serviceId: s, op: 'close' })]);
    expect(await term()).toBe(0);
  });
});

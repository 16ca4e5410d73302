// Renewal invoices are paid unattended by the stored card that pays for the service (through the
// real test gateway), never from a pass-phrase-protected card, and a declined card leaves it unpaid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertClient, insertPackage, insertService } from '../billing/ledger-fixtures.ts';
import { createBillingAccount } from '../../core/billing/accounts/accounts.ts';
import { startLivePanel, type LivePanel } from './helpers.ts';

let p: LivePanel;
beforeAll(async () => {
  p = await startLivePanel();
});
afterAll(async () => {
  await p.close();
});

async function cardFor(clientId: number, number: string, serviceIds: number[]) {
  const r = await createBillingAccount(
    { db: p.t.services.db, clock: p.t.clock, secrets: p.t.services.secrets, settings: p.t.services.settings, audit: p.t.services.audit },
    { clientId, type: 'card', values: { nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: number, expMonth: '12', expYear: '2029', services: serviceIds.map(String) }, actor: { type: 'system' } },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  await p.t.services.db('core_billing_account_services').insert(serviceIds.map((id) => ({ billing_account_id: r.value.accountId, service_id: id }))).onConflict('service_id').ignore();
  return r.value.accountId;
}

describe('auto-renew from a stored card', () => {
  it('pays the renewal invoice with the card that pays for the service, and leaves a declined one unpaid', async () => {
    const db = p.t.services.db;
    const { packageId } = await insertPackage(db, { name: 'Hosting' });
    const good = await insertClient(db);
    const bad = await insertClient(db);
    const goodService = await insertService(db, { clientId: good, packageId, expiresOn: '2026-03-10', price: 2500 });
    const badService = await insertService(db, { clientId: bad, packageId, expiresOn: '2026-03-10', price: 2500 });
    await cardFor(good, '4242424242424242', [goodService]);
    await cardFor(bad, '4000000000000002', [badService]);
    const run = await p.t.services.jobs.runOnce('core.billing.renewals', 'manual');
    expect(run.status).toBe('ok');
    expect(run.counts).toMatchObject({ invoices: 2, paidByStoredCard: 1 });
    const invoiceOf = (serviceId: number) => db('core_invoices as i').join('core_invoice_lines as l', 'l.invoice_id', 'i.id').where('l.service_id', serviceId).first('i.*');
    expect(await invoiceOf(goodService)).toMatchObject({ status: 'paid', amount_paid: 2500 });
    expect(await invoiceOf(badService)).toMatchObject({ status: 'unpaid', amount_paid: 0 });
    expect((await db('core_services').where({ id: goodService }).first()).expires_on).toBe('2026-04-10');
  });
});

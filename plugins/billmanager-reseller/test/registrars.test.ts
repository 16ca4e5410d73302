// The registrar "BILLmanager" (seed 001): its form, the daily balance check (exactly one ticket a day
// when the balance is below the minimum), the runway forecast, Send errors and Restart operations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, importAndPrice, operationsOf, orderAndPay, resellerApp, runJob, runOperations, serviceRow, type ResellerFixture } from './helpers.ts';

let f: ResellerFixture;
let registrarId: number;
beforeAll(async () => {
  f = await resellerApp({ credit: 100_000, server: { notifyErrors: false } });
});
afterAll(async () => {
  await f.close();
});

const BASE = '/admin/billmanager-reseller/registrars';

async function lowTickets() {
  return (await f.t.services.db('core_tickets').where('dedupe_key', 'like', 'bmr.balance-low:%').orderBy('id')) as { id: number; subject: string; department_id: number; dedupe_key: string }[];
}

describe('the registrar form', () => {
  it('gives field errors for a negative minimum, a missing name and a server that is not the domain server, and saves nothing', async () => {
    await f.staff.get(`${BASE}/new`);
    const res = await f.staff.post(BASE, { name: '', server_id: String(f.servers.vds), min_balance: '-5', min_balance_currency: 'RUB', send_errors: '1' });
    expect(res.status).toBe(400);
    expect(res.$('#f-name-error').text()).toBe('Enter the registrar’s name');
    expect(res.$('#f-server_id-error').text()).toMatch(/provides vds; a registrar needs the server that provides domain names/);
    expect(res.$('#f-min_balance-error').text()).toBe('The minimum balance cannot be negative');
    const bad = await f.staff.post(BASE, { name: 'X', server_id: '999', min_balance: '12.345', min_balance_currency: 'XYZ' });
    expect(bad.$('#f-server_id-error').text()).toMatch(/Choose a server with the module BILLmanager/);
    expect(bad.$('#f-min_balance_currency-error').text()).toMatch(/Choose the currency/);
    expect(await f.t.services.db('bmr_registrars')).toHaveLength(0);
  });

  it('adds the registrar of seed 001', async () => {
    const res = await f.staff.post(BASE, { name: 'RU-CENTER via BILLmanager', server_id: String(f.servers.domain), min_balance: '5000', min_balance_currency: 'RUB', send_errors: '1', restart_operations: '1' });
    expect(res.status).toBe(303);
    registrarId = Number(res.res.headers.get('location')!.split('/').pop());
    const row = (await f.t.services.db('bmr_registrars').where({ id: registrarId }).first()) as { min_balance: number; min_balance_currency: string };
    expect(Number(row.min_balance)).toBe(500_000);
    const dup = await f.staff.post(BASE, { name: 'RU-CENTER via BILLmanager', server_id: String(f.servers.domain), min_balance: '1', min_balance_currency: 'RUB' });
    expect(dup.$('#f-name-error').text()).toBe('Another registrar has this name');
  });
});

describe('the daily balance check', () => {
  it('opens no ticket while the balance is above the minimum', async () => {
    const run = await runJob(f, 'registrars');
    expect(run.counts['tickets opened'] ?? 0).toBe(0);
    expect(await lowTickets()).toHaveLength(0);
    const page = await f.staff.get(`${BASE}/${registrarId}`);
    expect(page.$('.big-number').text()).toBe('10,000.00 RUB');
  });

  it('opens exactly one ticket a day for the responsible department when the balance is lower', async () => {
    f.upstream.state.account.balance = 120_000; // 1,200.00 RUB < 5,000.00 RUB
    await runJob(f, 'registrars');
    await runJob(f, 'registrars');
    await f.staff.post(`${BASE}/${registrarId}/check`);
    let tickets = await lowTickets();
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ department_id: f.departmentId });
    expect(tickets[0]!.subject).toMatch(/1,200\.00 RUB is below the minimum/);
    const message = (await f.t.services.db('core_ticket_messages').where({ ticket_id: tickets[0]!.id }).first('body')) as { body: string };
    expect(message.body).toMatch(/below the minimum of 5,000\.00 RUB/);
    expect(message.body).toMatch(/Renewals due in the next 30 days cost 0\.00 RUB/);
    f.clock.advance(24 * 60 * 60_000);
    await runJob(f, 'registrars');
    await runJob(f, 'registrars');
    tickets = await lowTickets();
    expect(tickets).toHaveLength(2);
    expect(tickets.map((t) => t.dedupe_key.split(':').pop())).toEqual(['2026-03-02', '2026-03-03']);
  });

  it('forecasts the day the balance runs out from renewals due in 30 days at upstream cost', async () => {
    // A day went by: the staff session ended with it.
    await f.staff.login('staff', ADMIN_EMAIL);
    const ru = await importAndPrice(f, { server: 'domain', upstreamId: '301', prices: { 12: '15.00' } });
    const com = await importAndPrice(f, { server: 'domain', upstreamId: '303', prices: { 12: '19.00' } });
    const db = f.t.services.db;
    const one = await orderAndPay(f, { packageId: ru.packageId, periodId: ru.periodIds[12]!, label: 'first.ru', params: { domain: 'first.ru' } });
    const two = await orderAndPay(f, { packageId: com.packageId, periodId: com.periodIds[12]!, label: 'second.com', params: { domain: 'second.com' } });
    const three = await orderAndPay(f, { packageId: ru.packageId, periodId: ru.periodIds[12]!, label: 'later.ru', params: { domain: 'later.ru' } });
    // As if registered a year ago: renewals fall due on 03-10, 03-20 and (outside the window) 04-20.
    await db('core_services').where({ id: one }).update({ status: 'active', expires_on: '2026-03-10' });
    await db('core_services').where({ id: two }).update({ status: 'active', expires_on: '2026-03-20' });
    await db('core_services').where({ id: three }).update({ status: 'active', expires_on: '2026-04-20' });
    await db('core_service_operations').whereIn('service_id', [one, two, three]).delete();
    f.upstream.state.account.balance = 100_000; // 1,000.00 RUB: pays .ru (590), not then .com (1,090)
    await f.staff.post(`${BASE}/${registrarId}/check`);
    const page = await f.staff.get(`${BASE}/${registrarId}`);
    expect(page.$('.bmr-runway').text()).toMatch(/Runs out\s+2026-03-20/);
    const rows = page.$('.bmr-runway-list tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows.eq(0).text()).toMatch(/2026-03-10\s+first\.ru\s+590\.00 RUB\s+410\.00 RUB/);
    expect(rows.eq(1).text()).toMatch(/2026-03-20\s+second\.com\s+1,090\.00 RUB\s+-680\.00 RUB/);
    expect(page.$('.card').text()).toMatch(/680\.00 RUB more than the balance/);
  });
});

describe('Send errors and Restart operations', () => {
  it('opens a ticket for a failed domain operation though the server does not notify, and queues it again the next day', async () => {
    await f.staff.login('staff', ADMIN_EMAIL);
    const { packageId, periodIds } = await importAndPrice(f, { server: 'domain', upstreamId: '302', prices: { 12: '25.00' } });
    f.upstream.state.whoisDown = true;
    const id = await orderAndPay(f, { packageId, periodId: periodIds[12]!, label: 'stuck.su', params: { domain: 'stuck.su' } });
    await runOperations(f, 6, 60 * 60_000);
    const [op] = await operationsOf(f, id);
    expect(op).toMatchObject({ status: 'failed', attempts: 5 });
    expect(op!.last_error).toMatch(/Try later/);
    const ticket = await f.t.services.db('core_tickets').where({ dedupe_key: `processing.op:${op!.id}` }).first();
    expect(ticket).toMatchObject({ department_id: f.departmentId, service_id: id });
    f.upstream.state.whoisDown = false;
    const run = await runJob(f, 'registrars');
    expect(run.counts['operations restarted']).toBe(1);
    expect((await serviceRow(f, id)).status).toBe('in_progress');
    await runOperations(f, 1);
    f.clock.advance(10 * 60_000);
    await runJob(f, 'checkevent');
    expect((await serviceRow(f, id)).status).toBe('active');
    // Nothing failed any more: the next day restarts nothing.
    f.clock.advance(24 * 60 * 60_000);
    expect((await runJob(f, 'registrars')).counts['operations restarted'] ?? 0).toBe(0);
  });
});

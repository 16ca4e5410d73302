// The processing module against the simulated upstream: connection check, opening a VDS through to
// active, lost and garbled replies mid-order, an empty upstream balance, prolongation on and off.
import { afterEach, describe, expect, it } from 'vitest';
import { ispsystemSimulator } from '../../../core/plugins/api.ts';
import { operationsOf, orderAndPay, rawPackage, resellerApp, runOperations, serviceRow, type FixtureOptions, type ResellerFixture } from './helpers.ts';

let f: ResellerFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function setup(opts: FixtureOptions = {}) {
  f = await resellerApp({ credit: 100_000, ...opts });
  return f;
}

async function vdsService(fx: ResellerFixture, months = 1): Promise<number> {
  const { packageId, periodId } = await rawPackage(fx, { itemType: 'vds', tariffId: 101, months, price: 900 });
  return orderAndPay(fx, { packageId, periodId, label: 'web1.example.test' });
}

describe('check connection', () => {
  it('signs in and reads the balance from dashboard.info', async () => {
    const fx = await setup();
    const page = await fx.staff.post(`/admin/processing/servers/${fx.servers.vds}/check`);
    expect(page.status).toBe(303);
    const server = await fx.staff.get(`/admin/processing/servers/${fx.servers.vds}`);
    expect(server.$('.proc-check-message').text()).toBe("Signed in as reseller; the account's balance is 10,000.00 RUB.");
    expect(fx.upstream.calls('dashboard.info')).toHaveLength(1);
  });

  it('says the credentials are wrong without showing the password', async () => {
    const fx = await setup({ server: { password: 'wrong-password' } });
    const result = await fx.t.services.processing.checkConnection(fx.servers.domain);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/Check the user name and password/);
    expect(result.message).not.toContain('wrong-password');
  });
});

describe('opening a virtual server', () => {
  it('orders it with skipbasket and the remote id, and makes it active once the upstream has set it up', async () => {
    const fx = await setup();
    const id = await vdsService(fx);
    await runOperations(fx);
    expect((await serviceRow(fx, id)).status).toBe('in_progress');
    const [order] = fx.upstream.calls('vds.order.param');
    expect(order!.params).toMatchObject({ pricelist: '101', period: '1', skipbasket: 'on', sok: 'ok', domain: 'web1.example.test' });
    expect(order!.params.remoteid).toMatch(new RegExp(`^trellis-${id}-\\d+$`));
    // The upstream takes two minutes; the queue retries after its backoff and finds it open.
    await runOperations(fx, 2);
    const svc = await serviceRow(fx, id);
    expect(svc.status).toBe('active');
    expect(svc.external_id).toBe('1001');
    expect(JSON.parse(svc.params)).toMatchObject({ ip: '10.0.0.10', ostempl: 'Debian-12', upstream_id: '1001' });
    expect(svc.expires_on).toBe('2026-04-02');
    expect(fx.upstream.state.account.balance).toBe(1_000_000 - 50_000); // 5 EUR at 100 RUB
    expect(fx.upstream.calls('vds.order.param')).toHaveLength(1);
  });

  for (const fault of [{ kind: 'timeout', after: true, times: 1 }, { kind: 'malformed', after: true, times: 1 }] as const) {
    it(`orders once when the reply to the order is lost (${fault.kind}) and the queue retries`, async () => {
      const fx = await setup();
      fx.upstream.isp.faults.set('vds.order.param', fault);
      const id = await vdsService(fx);
      await runOperations(fx);
      const [first] = await operationsOf(fx, id);
      expect(first).toMatchObject({ status: 'pending', attempts: 1 });
      expect(first!.last_error).toBeTruthy();
      await runOperations(fx, 3);
      expect((await serviceRow(fx, id)).status).toBe('active');
      expect(fx.upstream.calls('vds.order.param')).toHaveLength(1);
      expect([...fx.upstream.state.services.values()].filter((s) => s.remoteid.startsWith(`trellis-${id}-`))).toHaveLength(1);
    });
  }

  it('retries while the upstream balance is too low, then fails with a ticket and never shows the service active', async () => {
    const fx = await setup({ upstream: { balance: 100 } });
    const id = await vdsService(fx);
    await runOperations(fx, 8, 60 * 60_000);
    const [op] = await operationsOf(fx, id);
    expect(op).toMatchObject({ status: 'failed', attempts: 5 });
    expect(op!.last_error).toMatch(/not enough money/);
    expect((await serviceRow(fx, id)).status).toBe('failed');
    const history = (await fx.t.services.db('core_service_history').where({ service_id: id }).pluck('to_status')) as string[];
    expect(history).not.toContain('active');
    const ticket = await fx.t.services.db('core_tickets').where({ id: op!.ticket_id! }).first();
    expect(ticket).toMatchObject({ department_id: fx.departmentId, service_id: id });
    expect(fx.upstream.state.services.size).toBe(0);
  });

  it('answers "Busy" for a taken domain as a permanent failure', async () => {
    const fx = await setup();
    const { packageId, periodId } = await rawPackage(fx, { itemType: 'domain', tariffId: 301, months: 12, price: 1500 });
    const id = await orderAndPay(fx, { packageId, periodId, label: 'busy.ru', params: { domain: 'busy.ru' } });
    await runOperations(fx);
    const [op] = await operationsOf(fx, id);
    expect(op).toMatchObject({ status: 'failed', attempts: 1 });
    expect(op!.last_error).toMatch(/busy/);
  });

  it('does not call the upstream for an auth error twice', async () => {
    const fx = await setup();
    fx.upstream.isp.faults.set('vds', { kind: 'error', error: new ispsystemSimulator.SimError('auth', 'badpassword') });
    const id = await vdsService(fx);
    await runOperations(fx);
    const [op] = await operationsOf(fx, id);
    expect(op).toMatchObject({ status: 'failed', attempts: 1 });
    expect(op!.last_error).toMatch(/refused the credentials/);
  });
});

describe('prolongation', () => {
  async function activeVds(fx: ResellerFixture) {
    const id = await vdsService(fx);
    await runOperations(fx, 3);
    expect((await serviceRow(fx, id)).status).toBe('active');
    return id;
  }

  it('renews at the upstream with service.prolong when Prolongation is on', async () => {
    const fx = await setup();
    const id = await activeVds(fx);
    const before = fx.upstream.state.account.balance;
    fx.clock.set('2026-03-25T09:00:00Z');
    // The renewal invoice is paid from the client's credit as it is issued, which queues the prolongation.
    await fx.t.services.billing.runRenewals();
    expect(await fx.t.services.db('core_invoices').where({ kind: 'renewal', status: 'paid' }).first()).toBeTruthy();
    await runOperations(fx);
    const prolong = (await operationsOf(fx, id)).find((o) => o.op === 'prolong')!;
    expect(prolong.status).toBe('done');
    expect(fx.upstream.calls('service.prolong')).toHaveLength(1);
    expect(fx.upstream.calls('service.prolong')[0]!.params).toMatchObject({ elid: '1001', period: '1', sok: 'ok' });
    expect(fx.upstream.state.services.get(1001)!.expiredate).toBe('2026-05-02');
    expect((await serviceRow(fx, id)).expires_on).toBe('2026-05-02');
    expect(fx.upstream.state.account.balance).toBe(before - 50_000);
  });

  it('sends nothing upstream when Prolongation is off, and the framework records the renewal only in Trellis', async () => {
    const fx = await setup({ server: { allowProlong: false } });
    const id = await activeVds(fx);
    // Queued by hand: billing itself does not queue a prolongation for a server with the switch off.
    await fx.t.services.processing.enqueue(fx.t.services.db, { serviceId: id, op: 'prolong', payload: { expiresOn: '2026-05-02' } });
    await runOperations(fx);
    const prolong = (await operationsOf(fx, id)).find((o) => o.op === 'prolong')!;
    expect(prolong.status).toBe('done');
    expect(JSON.parse(prolong.result!).message).toMatch(/Prolongation is switched off/);
    expect(fx.upstream.calls('service.prolong')).toHaveLength(0);
  });
});

describe('the rest of the lifecycle', () => {
  it('suspends, resumes, synchronises and deletes at the upstream', async () => {
    const fx = await setup();
    const id = await vdsService(fx);
    await runOperations(fx, 3);
    const processing = fx.t.services.processing;
    const db = fx.t.services.db;
    const upstream = () => fx.upstream.state.services.get(1001)!;

    await processing.enqueue(db, { serviceId: id, op: 'suspend', payload: { status: 'suspended_nonpayment' } });
    await runOperations(fx);
    expect(upstream().status).toBe(3);
    expect((await serviceRow(fx, id)).status).toBe('suspended_nonpayment');
    expect(fx.upstream.calls('vds.suspend').at(-1)!.params.elid).toBe('1001');

    await processing.enqueue(db, { serviceId: id, op: 'resume' });
    await runOperations(fx);
    expect(upstream().status).toBe(2);
    expect((await serviceRow(fx, id)).status).toBe('active');

    await processing.enqueue(db, { serviceId: id, op: 'sync' });
    await runOperations(fx);
    const sync = (await operationsOf(fx, id)).find((o) => o.op === 'sync')!;
    expect(sync.status).toBe('done');
    expect(JSON.parse(sync.result!)).toMatchObject({ status: 'active', externalId: '1001', params: { upstream_expires_on: '2026-04-02' } });

    await processing.enqueue(db, { serviceId: id, op: 'set_param', payload: { changes: { hostname: 'renamed.example.test', dns_records: [] } } });
    await runOperations(fx);
    expect(upstream().name).toBe('renamed.example.test');
    const setParam = (await operationsOf(fx, id)).find((o) => o.op === 'set_param')!;
    expect(JSON.parse(setParam.result!).message).toMatch(/Trellis only.*dns_records/);

    await processing.enqueue(db, { serviceId: id, op: 'close' });
    await runOperations(fx);
    expect(upstream().status).toBe(4);
    expect((await serviceRow(fx, id)).status).toBe('cancelled');
    // Deleting again finds nothing upstream and is done: operations may run twice.
    const again = await processing.enqueue(db, { serviceId: id, op: 'close' });
    await runOperations(fx);
    expect((await operationsOf(fx, id)).find((o) => o.id === again)!.status).toBe('done');
  });

  it('changes nothing upstream when Changing parameters is off', async () => {
    const fx = await setup({ server: { allowSetParam: false } });
    const id = await vdsService(fx);
    await runOperations(fx, 3);
    await fx.t.services.processing.enqueue(fx.t.services.db, { serviceId: id, op: 'set_param', payload: { changes: { hostname: 'other.example.test' } } });
    await runOperations(fx);
    const op = (await operationsOf(fx, id)).find((o) => o.op === 'set_param')!;
    expect(JSON.parse(op.result!).message).toMatch(/Changing parameters is switched off/);
    expect(fx.upstream.calls('vds.edit')).toHaveLength(0);
    expect(fx.upstream.state.services.get(1001)!.name).toBe('web1.example.test');
  });

  it('lets the upstream suspend a service whose term ran out there, and says so', async () => {
    const fx = await setup({ server: { allowProlong: false } });
    const id = await vdsService(fx);
    await runOperations(fx, 3);
    fx.clock.set('2026-04-02T09:00:00Z');
    await fx.t.services.jobs.runOnce('billmanager-reseller.checkevent', 'manual');
    const svc = (await fx.t.services.db('core_services').where({ id }).first('status', 'suspend_reason')) as { status: string; suspend_reason: string };
    expect(svc).toEqual({ status: 'suspended_staff', suspend_reason: 'Suspended at the upstream BILLmanager' });
  });
});

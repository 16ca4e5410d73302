// A panel with the reseller plugin wired to a simulated upstream BILLmanager on loopback: what every
// test of this plugin starts from (staff and two clients signed in, servers for domains and VDS).
import { ManualClock } from '../../../core/clock.ts';
import { saveServer } from '../../../core/processing/servers.ts';
import { createTestApp, type Agent, type TestApp } from '../../../test/helpers/app.ts';
import { insertClient } from '../../../test/billing/ledger-fixtures.ts';
import billmanagerReseller from '../index.ts';
import type { BillmanagerSettings } from '../settings.ts';
import { BillmanagerSimulator, type BillmanagerSimulatorOptions } from '../simulator/index.ts';

export const START = '2026-03-02T09:00:00Z';
export const ADMIN_EMAIL = 'admin@example.test';

export interface ResellerFixture {
  t: TestApp;
  clock: ManualClock;
  upstream: BillmanagerSimulator;
  /** Processing servers (module BILLmanager) for domains and virtual servers, both on the simulator. */
  servers: { domain: number; vds: number };
  departmentId: number;
  staff: Agent;
  clientId: number;
  client: Agent;
  otherClientId: number;
  other: Agent;
  close(): Promise<void>;
}

export interface FixtureOptions {
  settings?: Partial<BillmanagerSettings>;
  upstream?: BillmanagerSimulatorOptions;
  server?: { allowProlong?: boolean; allowSetParam?: boolean; notifyErrors?: boolean; password?: string };
  /** Money each client has as credit, in minor units of USD. */
  credit?: number;
}

async function insertContact(t: TestApp, clientId: number, o: { first: string; last: string; email: string; primary: boolean }): Promise<number> {
  const at = '2026-03-01T00:00:00.000Z';
  const [row] = await t.services
    .db('core_contacts')
    .insert({ client_id: clientId, is_primary: o.primary, first_name: o.first, last_name: o.last, email: o.email, country: 'RU', city: 'Moscow', address1: 'Tverskaya 1', zip: '125009', phone: '+7.4951234567', created_at: at, updated_at: at })
    .returning('id');
  return Number(typeof row === 'object' ? (row as { id: number }).id : row);
}

export async function resellerApp(opts: FixtureOptions = {}): Promise<ResellerFixture> {
  const clock = new ManualClock(START);
  const upstream = new BillmanagerSimulator({ clock, admin: { username: 'simadmin', password: 'simadmin-pw' }, ...opts.upstream });
  const running = await upstream.start();
  const t = await createTestApp({ plugins: [billmanagerReseller({ requestTimeoutSeconds: 1, ...opts.settings })], clock });
  const db = t.services.db;
  const now = clock.now().toISOString();
  // The panel sells in dollars; the upstream bills in roubles and euros (seed 001).
  await db('core_currencies').insert([
    { code: 'EUR', name: 'Euro', symbol: '€', minor_units: 2, rate_to_base: 1_080_000, is_base: false, active: true, updated_at: now },
    { code: 'RUB', name: 'Russian rouble', symbol: '₽', minor_units: 2, rate_to_base: 11_000, is_base: false, active: true, updated_at: now },
  ]);
  const department = (await db('core_departments').where({ kind: 'technical' }).first('id')) as { id: number };
  const servers = { domain: 0, vds: 0 };
  for (const itemType of ['domain', 'vds'] as const) {
    servers[itemType] = await saveServer(
      db,
      {
        name: `billmanager-${itemType}.example.test`,
        module: 'billmanager',
        itemType,
        url: running.url,
        username: upstream.reseller.username,
        password: opts.server?.password ?? upstream.reseller.password,
        departmentId: Number(department.id),
        maxClients: null,
        useForNewOrders: true,
        allowProlong: opts.server?.allowProlong ?? true,
        allowSetParam: opts.server?.allowSetParam ?? true,
        notifyErrors: opts.server?.notifyErrors ?? true,
      },
      { seal: (p) => t.services.secrets.encrypt(p), now },
    );
  }
  await t.createUser('staff', ADMIN_EMAIL, { role: 'admin' });
  const staff = t.agent();
  await staff.login('staff', ADMIN_EMAIL);

  const clientId = await insertClient(db, { name: 'Ada Lovelace', balance: opts.credit ?? 0 });
  const otherClientId = await insertClient(db, { name: 'Other Client', balance: opts.credit ?? 0 });
  await insertContact(t, clientId, { first: 'Ada', last: 'Lovelace', email: 'ada@example.test', primary: true });
  await insertContact(t, otherClientId, { first: 'Otto', last: 'Other', email: 'otto@example.test', primary: true });
  await t.createUser('client', 'ada@example.test', { clientId });
  await t.createUser('client', 'other@example.test', { clientId: otherClientId });
  const client = t.agent();
  await client.login('client', 'ada@example.test');
  const other = t.agent();
  await other.login('client', 'other@example.test');

  return {
    t,
    clock,
    upstream,
    servers,
    departmentId: Number(department.id),
    staff,
    clientId,
    client,
    otherClientId,
    other,
    async close() {
      await upstream.close();
      await t.destroy();
    },
  };
}

/** A package straight in the catalog whose internal name is the upstream tariff id (no import). */
export async function rawPackage(f: ResellerFixture, o: { itemType: string; tariffId: number; months: number; price: number }): Promise<{ packageId: number; periodId: number }> {
  const db = f.t.services.db;
  const at = f.clock.now().toISOString();
  const [p] = await db('core_packages').insert({ name: `Tariff ${o.tariffId}`, internal_name: String(o.tariffId), item_type: o.itemType, billing_type: 'period', description: '', agreement: '', active: true, position: 0, created_at: at, updated_at: at }).returning('id');
  const packageId = Number(typeof p === 'object' ? (p as { id: number }).id : p);
  const [per] = await db('core_package_periods').insert({ package_id: packageId, kind: 'months', length: o.months, active: true, position: 0 }).returning('id');
  const periodId = Number(typeof per === 'object' ? (per as { id: number }).id : per);
  await db('core_package_prices').insert({ period_id: periodId, currency: 'USD', price: o.price, setup_fee: 0 });
  return { packageId, periodId };
}

/** Orders for a client and pays the invoice from the client's credit; returns the service id. */
export async function orderAndPay(f: ResellerFixture, o: { clientId?: number; packageId: number; periodId: number; label?: string; params?: Record<string, unknown>; addons?: Record<string, string> }): Promise<number> {
  const clientId = o.clientId ?? f.clientId;
  const placed = await f.t.services.billing.placeOrder({ clientId, packageId: o.packageId, periodId: o.periodId, label: o.label ?? '', params: o.params ?? {}, addons: o.addons ?? {}, actor: { type: 'staff', label: 'test' } });
  const paid = await f.t.services.billing.payFromCredit({ invoiceId: placed.invoiceId, clientId });
  if (!paid.paid) throw new Error(`invoice ${placed.invoiceNumber} was not paid from credit`);
  return placed.serviceId;
}

export async function serviceRow(f: ResellerFixture, id: number) {
  return (await f.t.services.db('core_services').where({ id }).first()) as { id: number; status: string; external_id: string | null; expires_on: string | null; params: string; processing_server_id: number | null };
}

export async function operationsOf(f: ResellerFixture, serviceId: number) {
  return (await f.t.services.db('core_service_operations').where({ service_id: serviceId }).orderBy('id')) as { id: number; op: string; status: string; attempts: number; last_error: string | null; ticket_id: number | null; result: string | null }[];
}

/** Runs the operations queue now, then keeps moving the clock past each retry's backoff and running it again. */
export async function runOperations(f: ResellerFixture, rounds = 1, stepMs = 5 * 60_000): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (i > 0) f.clock.advance(stepMs);
    await f.t.services.processing.runDue();
  }
}

export async function runJob(f: ResellerFixture, id: string) {
  const run = await f.t.services.jobs.runOnce(`billmanager-reseller.${id}`, 'manual');
  if (run.status !== 'ok') throw new Error(`job ${id} ended ${run.status}: ${run.error}`);
  return run;
}

/**
 * Imports an upstream tariff through the admin page and puts it on sale at the given USD prices
 * (by upstream period code, e.g. { 12: '15.00' }); returns the tariff row id and the package id.
 */
export async function importAndPrice(f: ResellerFixture, o: { server: 'domain' | 'vds'; upstreamId: string; name?: string; prices: Record<number, string> }): Promise<{ tariffId: number; packageId: number; periodIds: Record<number, number> }> {
  const imported = await f.staff.post('/admin/billmanager-reseller/import', { server: String(f.servers[o.server]), tariff: o.upstreamId });
  if (imported.status !== 303) throw new Error(`import of ${o.upstreamId} answered ${imported.status}: ${imported.$('.field-error, .flash-error').text()}`);
  const db = f.t.services.db;
  const tariff = (await db('bmr_tariffs').where({ server_id: f.servers[o.server], upstream_id: o.upstreamId }).first('id', 'package_id')) as { id: number; package_id: number };
  const periods = (await db('bmr_tariff_periods').where({ tariff_id: tariff.id }).select('code', 'period_id')) as { code: number; period_id: number }[];
  const fields: Record<string, string> = { name: o.name ?? `Plan ${o.upstreamId}`, active: '1' };
  const periodIds: Record<number, number> = {};
  for (const p of periods) {
    periodIds[Number(p.code)] = Number(p.period_id);
    const price = o.prices[Number(p.code)];
    if (price === undefined) continue;
    fields[`sell.${p.period_id}`] = '1';
    fields[`price.${p.period_id}.USD`] = price;
  }
  const saved = await f.staff.post(`/admin/billmanager-reseller/plans/${tariff.id}`, fields);
  if (saved.status !== 303) throw new Error(`pricing of ${o.upstreamId} answered ${saved.status}: ${saved.$('.field-error').text()}`);
  return { tariffId: Number(tariff.id), packageId: Number(tariff.package_id), periodIds };
}

// Test data for processing and support: clients, packages, servers and services inserted straight with knex.
import type { Knex } from 'knex';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { ManualClock } from '../../core/clock.ts';
import { setupProcessing } from '../../core/processing/setup.ts';
import { setupSupport } from '../../core/support/setup.ts';
import type { ProcessingModule } from '../../core/processing/types.ts';
import type { ServiceStatus } from '../../core/billing/services/status.ts';

export const ADMIN_EMAIL = 'admin@example.test';

/** A panel on a fresh test database with processing and support set up (as createApp will once it calls them). */
export async function processingApp(opts: { modules?: ProcessingModule[]; start?: string } = {}): Promise<TestApp> {
  const t = await createTestApp({ clock: new ManualClock(opts.start ?? '2026-03-02T09:00:00Z') });
  setupProcessing(t.services);
  setupSupport(t.services);
  for (const m of opts.modules ?? []) t.services.processing.registerModule(m);
  await t.createUser('staff', ADMIN_EMAIL, { role: 'admin' });
  return t;
}

function now(db: Knex): string {
  void db;
  return '2026-03-01T00:00:00.000Z';
}

function idOf(row: unknown): number {
  return Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);
}

export async function insertClient(db: Knex, o: { name?: string; email?: string } = {}): Promise<number> {
  const [row] = await db('core_clients')
    .insert({ kind: 'person', name: o.name ?? 'Ada Client', email: o.email ?? 'ada@client.test', country: 'US', currency: 'USD', created_at: now(db), updated_at: now(db) })
    .returning('id');
  return idOf(row);
}

export async function insertPackage(
  db: Knex,
  o: { itemType?: string; internalName?: string; periodKind?: 'trial' | 'days' | 'months' | 'lifetime'; periodLength?: number } = {},
): Promise<{ packageId: number; periodId: number }> {
  const [p] = await db('core_packages')
    .insert({ name: o.internalName ?? 'Colo 1U', internal_name: o.internalName ?? `pkg-${Math.random().toString(36).slice(2, 8)}`, item_type: o.itemType ?? 'colocation', created_at: now(db), updated_at: now(db) })
    .returning('id');
  const packageId = idOf(p);
  const [period] = await db('core_package_periods')
    .insert({ package_id: packageId, kind: o.periodKind ?? 'months', length: o.periodLength ?? 1 })
    .returning('id');
  return { packageId, periodId: idOf(period) };
}

export interface ServerFixture {
  name?: string;
  module?: string;
  itemType?: string;
  url?: string;
  username?: string;
  password?: string;
  departmentId?: number | null;
  maxClients?: number | null;
  useForNewOrders?: boolean;
  allowProlong?: boolean;
  allowSetParam?: boolean;
  notifyErrors?: boolean;
}

export async function insertServer(t: TestApp, o: ServerFixture = {}): Promise<number> {
  const at = now(t.services.db);
  const name = o.name ?? `srv-${Math.random().toString(36).slice(2, 8)}.example.test`;
  const [row] = await t.services
    .db('core_processing_servers')
    .insert({
      name,
      module: o.module ?? 'manual',
      item_type: o.itemType ?? 'colocation',
      url: o.url ?? `https://${name}/`,
      username: o.username ?? 'reseller',
      password_sealed: o.password ? t.services.secrets.encrypt(o.password) : null,
      department_id: o.departmentId ?? null,
      max_clients: o.maxClients ?? null,
      use_for_new_orders: o.useForNewOrders ?? true,
      allow_prolong: o.allowProlong ?? true,
      allow_set_param: o.allowSetParam ?? true,
      notify_errors: o.notifyErrors ?? false,
      created_at: at,
      updated_at: at,
    })
    .returning('id');
  return idOf(row);
}

export async function insertService(
  db: Knex,
  o: { clientId: number; packageId: number; periodId?: number | null; itemType?: string; status?: ServiceStatus; serverId?: number | null; label?: string; periodKind?: string; periodLength?: number; expiresOn?: string | null },
): Promise<number> {
  const [row] = await db('core_services')
    .insert({
      client_id: o.clientId,
      package_id: o.packageId,
      item_type: o.itemType ?? 'colocation',
      label: o.label ?? 'rack-12.example.test',
      status: o.status ?? 'pending',
      period_id: o.periodId ?? null,
      period_kind: o.periodKind ?? 'months',
      period_length: o.periodLength ?? 1,
      currency: 'USD',
      price: 5000,
      expires_on: o.expiresOn ?? null,
      processing_server_id: o.serverId ?? null,
      created_at: now(db),
      updated_at: now(db),
    })
    .returning('id');
  return idOf(row);
}

/** A client, a package and a pending service on a new server of `module`: the usual starting point. */
export async function serviceOnServer(
  t: TestApp,
  server: ServerFixture = {},
  service: { status?: ServiceStatus; periodKind?: 'trial' | 'days' | 'months' | 'lifetime'; periodLength?: number; expiresOn?: string | null } = {},
): Promise<{ clientId: number; packageId: number; serverId: number; serviceId: number }> {
  const db = t.services.db;
  const itemType = server.itemType ?? 'colocation';
  const clientId = await insertClient(db);
  const { packageId, periodId } = await insertPackage(db, { itemType, periodKind: service.periodKind, periodLength: service.periodLength });
  const serverId = await insertServer(t, { ...server, itemType });
  const serviceId = await insertService(db, {
    clientId,
    packageId,
    periodId,
    itemType,
    status: service.status ?? 'pending',
    serverId,
    periodKind: service.periodKind ?? 'months',
    periodLength: service.periodLength ?? 1,
    expiresOn: service.expiresOn ?? null,
  });
  return { clientId, packageId, serverId, serviceId };
}

export interface ServiceRecord {
  status: string;
  external_id: string | null;
  expires_on: string | null;
  activated_at: string | null;
  params: string;
  suspend_reason: string | null;
  processing_server_id: number | null;
}

export async function serviceRow(db: Knex, id: number): Promise<ServiceRecord> {
  return (await db('core_services').where({ id }).first()) as ServiceRecord;
}

export async function operationRow(db: Knex, id: number) {
  return (await db('core_service_operations').where({ id }).first()) as {
    id: number;
    status: string;
    payload: string;
    attempts: number;
    max_attempts: number;
    next_attempt_at: string | null;
    last_error: string | null;
    ticket_id: number | null;
    result: string | null;
    completed_by: string | null;
    locked_by: string | null;
  };
}

/** Queues an operation in its own transaction (as ordering code does inside its own). */
export async function enqueue(t: TestApp, input: Parameters<TestApp['services']['processing']['enqueue']>[1]): Promise<number> {
  return t.services.db.transaction((trx) => t.services.processing.enqueue(trx, input));
}

/** A module whose operations follow a script, counting calls. Each step returns an outcome or throws. */
export function scriptedModule(
  name: string,
  steps: Partial<Record<'open' | 'suspend' | 'resume' | 'close' | 'prolong', ((attempt: number) => Promise<Record<string, unknown>> | Record<string, unknown>) | undefined>>,
  extra: Partial<ProcessingModule> = {},
): ProcessingModule & { calls: { op: string; operationId: number | undefined; attempt: number | undefined }[] } {
  const calls: { op: string; operationId: number | undefined; attempt: number | undefined }[] = [];
  const wrap = (op: keyof typeof steps) => {
    const step = steps[op];
    if (!step) return undefined;
    return async (ctx: Parameters<NonNullable<ProcessingModule['open']>>[0]) => {
      calls.push({ op, operationId: ctx.operation?.id, attempt: ctx.operation?.attempt });
      return step(calls.filter((c) => c.op === op).length);
    };
  };
  return {
    name,
    title: `Test module ${name}`,
    features: Object.keys(steps) as ProcessingModule['features'],
    open: wrap('open'),
    suspend: wrap('suspend'),
    resume: wrap('resume'),
    close: wrap('close'),
    prolong: wrap('prolong'),
    ...extra,
    calls,
  };
}

// The operations queue's SQL (core_service_operations): due and stale operations, claims, lists, a service's log.
import type { Knex } from 'knex';
import { OPERATION_LABELS, type OperationKind, type OperationStatus } from './types.ts';

type Q = Knex | Knex.Transaction;

export const OPERATIONS = 'core_service_operations';

export interface OperationRow {
  id: number;
  service_id: number;
  server_id: number | null;
  op: OperationKind;
  status: OperationStatus;
  payload: string;
  result: string | null;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  ticket_id: number | null;
  locked_by: string | null;
  locked_until: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  completed_by: string | null;
}

/** An operation with the names the pages show. */
export interface OperationView extends OperationRow {
  /** The operation in the operators' words ('Set up', 'Suspend', ...). */
  label: string;
  service_label: string | null;
  service_status: string | null;
  client_id: number | null;
  server_name: string | null;
  server_module: string | null;
}

/** The list filter: one status, or 'attention' for what waits for a person (failed and manual). */
export type OperationFilter = OperationStatus | 'attention';
export const OPERATION_FILTERS: { value: OperationFilter; label: string }[] = [
  { value: 'attention', label: 'Needs attention (failed and manual)' },
  { value: 'manual', label: 'Manual' },
  { value: 'failed', label: 'Failed' },
  { value: 'pending', label: 'Pending' },
  { value: 'running', label: 'Running' },
  { value: 'done', label: 'Done' },
];

export function parseJson(raw: string | null | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function normalise<T extends OperationRow>(r: T): T {
  return { ...r, id: Number(r.id), service_id: Number(r.service_id), attempts: Number(r.attempts), max_attempts: Number(r.max_attempts) };
}

function toView(r: OperationView): OperationView {
  return { ...normalise(r), label: OPERATION_LABELS[r.op] ?? r.op };
}

export async function getOperation(db: Q, id: number): Promise<OperationRow | undefined> {
  const row = (await db(OPERATIONS).where({ id }).first()) as OperationRow | undefined;
  return row ? normalise(row) : undefined;
}

/**
 * Operations with the names pages show. Correlated subqueries rather than joins: a list's
 * count(*) then reads only the index of its filter.
 */
function viewQuery(db: Q) {
  const service = (col: string, as: string) => db('core_services as s').select(`s.${col}`).where('s.id', db.ref('o.service_id')).as(as);
  const server = (col: string, as: string) => db('core_processing_servers as srv').select(`srv.${col}`).where('srv.id', db.ref('o.server_id')).as(as);
  return db(`${OPERATIONS} as o`).select(
    'o.*',
    service('label', 'service_label'),
    service('status', 'service_status'),
    service('client_id', 'client_id'),
    server('name', 'server_name'),
    server('module', 'server_module'),
  );
}

export async function getOperationView(db: Q, id: number): Promise<OperationView | undefined> {
  const row = (await viewQuery(db).where('o.id', id).first()) as OperationView | undefined;
  return row ? toView(row) : undefined;
}

/** The query behind /admin/processing/operations, filtered, unsorted (every filter is an index range). */
export function operationListQuery(db: Q, filter: OperationFilter) {
  const q = viewQuery(db);
  if (filter === 'attention') q.whereIn('o.status', ['failed', 'manual']);
  else q.where('o.status', filter);
  return q;
}

/** A service's operation log, newest first (the service page shows it). */
export async function operationsForService(db: Q, serviceId: number, opts: { limit?: number } = {}): Promise<OperationView[]> {
  const rows = (await viewQuery(db)
    .where('o.service_id', serviceId)
    .orderBy('o.id', 'desc')
    .limit(opts.limit ?? 100)) as OperationView[];
  return rows.map(toView);
}

/** The latest operations of a server (the server page shows them). */
export async function operationsForServer(db: Q, serverId: number, opts: { limit?: number } = {}): Promise<OperationView[]> {
  const rows = (await viewQuery(db)
    .where('o.server_id', serverId)
    .orderBy('o.id', 'desc')
    .limit(opts.limit ?? 20)) as OperationView[];
  return rows.map(toView);
}

/** Pending operations whose time has come, oldest first. */
export function dueOperationsQuery(db: Q, nowIso: string, limit: number) {
  return db(OPERATIONS)
    .select('id')
    .where('status', 'pending')
    .andWhere('next_attempt_at', '<=', nowIso)
    .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
    .limit(limit);
}

/** Operations left 'running' by a runner that died (or overran): their lease has expired. */
export function staleOperationsQuery(db: Q, nowIso: string, limit: number) {
  return db(OPERATIONS).select('id').where('status', 'running').andWhere('locked_until', '<', nowIso).orderBy('id').limit(limit);
}

/** The open operation for a service and kind, if one is pending or running (enqueue is idempotent on it). */
export function activeOperationQuery(db: Q, serviceId: number, op: OperationKind) {
  return db(OPERATIONS).where({ service_id: serviceId, op }).whereIn('status', ['pending', 'running']).first('id', 'status', 'payload');
}

/**
 * Takes an operation for `runner` with one conditional UPDATE: only if it is still due, or
 * 'running' with an expired lease (its runner died). Counts the attempt. No transaction is held.
 */
export async function claimOperation(db: Q, id: number, runner: string, nowIso: string, lockedUntilIso: string): Promise<boolean> {
  const n = await db(OPERATIONS)
    .where({ id })
    .andWhere((w) =>
      w
        .where((p) => p.where('status', 'pending').andWhere('next_attempt_at', '<=', nowIso))
        .orWhere((r) => r.where('status', 'running').andWhere('locked_until', '<', nowIso)),
    )
    .update({ status: 'running', locked_by: runner, locked_until: lockedUntilIso, started_at: nowIso, attempts: db.raw('attempts + 1') });
  return n === 1;
}

/** The queries the runner and the operations page run, for EXPLAIN tests (each must use an index). */
export function explainableProcessingQueries(db: Knex): Record<string, Knex.QueryBuilder> {
  const now = '2026-01-01T00:00:00.000Z';
  return {
    dueOperations: dueOperationsQuery(db, now, 20),
    staleOperations: staleOperationsQuery(db, now, 20),
    activeOperation: activeOperationQuery(db, 1, 'open'),
    operationsForService: viewQuery(db).where('o.service_id', 1).orderBy('o.id', 'desc').limit(100),
  };
}

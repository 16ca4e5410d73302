// All SQL of the jobs subsystem: core_jobs (known jobs, schedule, lease), core_job_runs (run log), core_job_queue.
import type { Knex } from 'knex';
import type { JobInfo, JobKind, JobRun, JobRunStatus, JobTrigger, QueueItem, QueueItemStatus } from './types.ts';

export const JOBS = 'core_jobs';
export const RUNS = 'core_job_runs';
export const QUEUE = 'core_job_queue';

/** A connection or a transaction: every function here works on either. */
type Q = Knex | Knex.Transaction;

// ---------------------------------------------------------------------------------------------
// Row shapes (as the database returns them)

export interface JobRow {
  id: string;
  owner: string;
  kind: JobKind;
  schedule: string | null;
  scope: 'global' | 'local' | null;
  description: string | null;
  next_run_at: string | null;
  last_run_at: string | null;
  last_status: Exclude<JobRunStatus, 'running'> | null;
  last_duration_ms: number | null;
  last_error: string | null;
  consecutive_failures: number;
  lease_owner: string | null;
  lease_until: string | null;
  run_requested_at: string | null;
  updated_at: string;
}

export interface RunRow {
  id: number;
  job_id: string;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  status: JobRunStatus;
  error: string | null;
  counts: string | null;
  trigger: JobTrigger;
  queue_item_id: number | null;
  attempt: number | null;
  runner: string | null;
}

export interface QueueRow {
  id: number;
  job_id: string;
  payload: string;
  status: QueueItemStatus;
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_by: string | null;
  locked_until: string | null;
  last_error: string | null;
  dedupe_key: string | null;
  dedupe_active: string | null;
  created_at: string;
  finished_at: string | null;
}

// ---------------------------------------------------------------------------------------------
// Query builders shared by the code below and by the EXPLAIN test (each must be served by an index).

/** Scheduled jobs whose time has come or whose "Run now" was pressed. */
export function dueJobsQuery(db: Q, nowIso: string) {
  return db(JOBS)
    .select('id', 'run_requested_at')
    .where('next_run_at', '<=', nowIso)
    // `> ''` rather than `is not null`: a plain range both engines serve from the index.
    .orWhere('run_requested_at', '>', '');
}

/** Pending queue items due now, oldest first, for the queues this process knows. */
export function dueQueueItemsQuery(db: Q, nowIso: string, jobIds: string[], limit: number) {
  return db(QUEUE)
    .select('id', 'job_id')
    .where('status', 'pending')
    .andWhere('run_at', '<=', nowIso)
    .whereIn('job_id', jobIds)
    .orderBy([{ column: 'run_at' }, { column: 'id' }])
    .limit(limit);
}

/** Items left 'running' by a process that stopped or overran its lock. */
export function staleQueueItemsQuery(db: Q, nowIso: string, limit: number) {
  return db(QUEUE)
    .select('id', 'job_id', 'attempts', 'max_attempts')
    .where('status', 'running')
    .andWhere('locked_until', '<', nowIso)
    .orderBy('locked_until')
    .limit(limit);
}

export function recentRunsQuery(db: Q, jobId: string, limit: number) {
  return db(RUNS)
    .select<RunRow[]>('*')
    .where('job_id', jobId)
    .orderBy([
      { column: 'started_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit);
}

export function jobListQuery(db: Q) {
  return db(JOBS).select<JobRow[]>('*').orderBy('id');
}

/** Queue items per job and status, for the states the admin page shows (done items are not counted). */
export function queueCountsQuery(db: Q) {
  return db(QUEUE)
    .select('job_id', 'status')
    .count({ n: '*' })
    .whereIn('status', ['pending', 'running', 'failed'])
    .groupBy('job_id', 'status');
}

export function queueItemsQuery(db: Q, jobId: string, status: QueueItemStatus | undefined, limit: number) {
  const q = db(QUEUE).select<QueueRow[]>('*').where('job_id', jobId);
  if (status) q.andWhere('status', status);
  return q.orderBy('id', 'desc').limit(limit);
}

/**
 * The queries tick() and the admin page run, with placeholder values, for EXPLAIN (QUERY PLAN)
 * tests that check every one of them is served by an index.
 */
export function explainableJobQueries(db: Knex): Record<string, Knex.QueryBuilder> {
  const now = '2026-01-01T00:00:00.000Z';
  return {
    dueScheduledJobs: dueJobsQuery(db, now),
    dueQueueItems: dueQueueItemsQuery(db, now, ['core.example', 'other.example'], 10),
    staleQueueItems: staleQueueItemsQuery(db, now, 50),
    recentRuns: recentRunsQuery(db, 'core.example', 20),
    jobList: jobListQuery(db),
    queueCounts: queueCountsQuery(db),
    queueItems: queueItemsQuery(db, 'core.example', 'failed', 50),
  };
}

// ---------------------------------------------------------------------------------------------
// core_jobs

export async function getJobRows(db: Q, ids: string[]): Promise<JobRow[]> {
  if (ids.length === 0) return [];
  return db(JOBS).select<JobRow[]>('*').whereIn('id', ids);
}

export async function getJobRow(db: Q, id: string): Promise<JobRow | undefined> {
  return db(JOBS).select<JobRow[]>('*').where('id', id).first();
}

export type JobDefinitionFields = Pick<JobRow, 'owner' | 'kind' | 'schedule' | 'scope' | 'description'>;

/** Inserts the row unless another process just did. */
export async function insertJobRow(db: Q, id: string, fields: JobDefinitionFields, nextRunAt: string | null, nowIso: string): Promise<void> {
  await db(JOBS)
    .insert({ id, ...fields, next_run_at: nextRunAt, consecutive_failures: 0, updated_at: nowIso })
    .onConflict('id')
    .ignore();
}

export async function updateJobDefinition(
  db: Q,
  id: string,
  fields: JobDefinitionFields,
  nextRunAt: string | null | undefined,
  nowIso: string,
): Promise<void> {
  const patch: Record<string, unknown> = { ...fields, updated_at: nowIso };
  if (nextRunAt !== undefined) patch.next_run_at = nextRunAt;
  await db(JOBS).where('id', id).update(patch);
}

/**
 * Takes the lease of a global job: succeeds for exactly one caller while the lease is free.
 * With `requireDue` the job must still be due, so a process that read a stale "due" list cannot
 * run a job another process has just finished. Clears a pending "Run now" request.
 */
export async function acquireLease(
  db: Q,
  id: string,
  owner: string,
  untilIso: string,
  nowIso: string,
  requireDue: boolean,
): Promise<boolean> {
  const q = db(JOBS)
    .where('id', id)
    .andWhere((w) => w.whereNull('lease_until').orWhere('lease_until', '<', nowIso));
  if (requireDue) q.andWhere((w) => w.where('next_run_at', '<=', nowIso).orWhereNotNull('run_requested_at'));
  const n = await q.update({ lease_owner: owner, lease_until: untilIso, run_requested_at: null });
  return n === 1;
}

/** A local job consumes a "Run now" request; only one process gets it. */
export async function consumeRunRequest(db: Q, id: string): Promise<boolean> {
  const n = await db(JOBS).where('id', id).whereNotNull('run_requested_at').update({ run_requested_at: null });
  return n === 1;
}

export async function requestRun(db: Q, id: string, nowIso: string): Promise<boolean> {
  const n = await db(JOBS).where({ id, kind: 'scheduled' }).update({ run_requested_at: nowIso });
  return n === 1;
}

export interface JobResultFields {
  lastRunAt: string;
  status: Exclude<JobRunStatus, 'running'>;
  durationMs: number;
  error: string | null;
  /** undefined leaves next_run_at as it is (queues). */
  nextRunAt?: string | null;
}

/**
 * Records the outcome of a run on the job's row and, in the same statement, releases the lease if
 * `leaseOwner` still holds it (another process may have taken over an expired lease meanwhile).
 */
export async function recordJobResult(db: Q, id: string, r: JobResultFields, leaseOwner: string | null): Promise<void> {
  const patch: Record<string, unknown> = {
    last_run_at: r.lastRunAt,
    last_status: r.status,
    last_duration_ms: r.durationMs,
    last_error: r.error,
    consecutive_failures: r.status === 'ok' ? 0 : db.raw('?? + 1', ['consecutive_failures']),
  };
  if (r.nextRunAt !== undefined) patch.next_run_at = r.nextRunAt;
  if (leaseOwner) {
    patch.lease_until = db.raw('case when ?? = ? then null else ?? end', ['lease_owner', leaseOwner, 'lease_until']);
    patch.lease_owner = db.raw('case when ?? = ? then null else ?? end', ['lease_owner', leaseOwner, 'lease_owner']);
  }
  await db(JOBS).where('id', id).update(patch);
}

// ---------------------------------------------------------------------------------------------
// core_job_runs

export interface NewRun {
  jobId: string;
  startedAt: string;
  trigger: JobTrigger;
  runner: string;
  queueItemId?: number | null;
  attempt?: number | null;
}

export async function insertRun(db: Q, r: NewRun): Promise<number> {
  const [row] = await db(RUNS)
    .insert({
      job_id: r.jobId,
      started_at: r.startedAt,
      status: 'running',
      trigger: r.trigger,
      runner: r.runner,
      queue_item_id: r.queueItemId ?? null,
      attempt: r.attempt ?? null,
    })
    .returning('id');
  return Number((row as { id: number }).id);
}

export interface RunOutcome {
  finishedAt: string;
  durationMs: number;
  status: Exclude<JobRunStatus, 'running'>;
  error: string | null;
  counts: Record<string, number>;
}

export async function finishRun(db: Q, id: number, o: RunOutcome): Promise<void> {
  await db(RUNS)
    .where('id', id)
    .update({
      finished_at: o.finishedAt,
      duration_ms: o.durationMs,
      status: o.status,
      error: o.error,
      counts: Object.keys(o.counts).length ? JSON.stringify(o.counts) : null,
    });
}

/** Closes runs a stopped process left 'running' (for a global job whose lease we now hold). */
export async function abandonRunningRuns(db: Q, jobId: string, nowIso: string, message: string): Promise<number> {
  return db(RUNS).where({ job_id: jobId, status: 'running' }).update({ status: 'failed', error: message, finished_at: nowIso });
}

export async function abandonRunsOfItem(db: Q, queueItemId: number, nowIso: string, message: string): Promise<number> {
  return db(RUNS).where({ queue_item_id: queueItemId, status: 'running' }).update({ status: 'failed', error: message, finished_at: nowIso });
}

export async function getRun(db: Q, id: number): Promise<JobRun | undefined> {
  const row = await db(RUNS).select<RunRow[]>('*').where('id', id).first();
  return row ? toRun(row) : undefined;
}

export async function recentRuns(db: Q, jobId: string, limit: number): Promise<JobRun[]> {
  const rows = await recentRunsQuery(db, jobId, limit);
  return rows.map(toRun);
}

export function toRun(row: RunRow): JobRun {
  return {
    id: Number(row.id),
    jobId: row.job_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    status: row.status,
    error: row.error,
    counts: row.counts ? (JSON.parse(row.counts) as Record<string, number>) : {},
    trigger: row.trigger,
    queueItemId: row.queue_item_id === null ? null : Number(row.queue_item_id),
    attempt: row.attempt === null ? null : Number(row.attempt),
    runner: row.runner,
  };
}

// ---------------------------------------------------------------------------------------------
// core_job_queue

export interface NewQueueItem {
  jobId: string;
  payload: string;
  maxAttempts: number;
  runAt: string;
  dedupeKey: string | null;
  createdAt: string;
}

/** Inserts a pending item; returns null when an active item with the same dedupe key exists. */
export async function insertQueueItem(db: Q, item: NewQueueItem): Promise<number | null> {
  const rows = await db(QUEUE)
    .insert({
      job_id: item.jobId,
      payload: item.payload,
      status: 'pending',
      attempts: 0,
      max_attempts: item.maxAttempts,
      run_at: item.runAt,
      dedupe_key: item.dedupeKey,
      dedupe_active: item.dedupeKey,
      created_at: item.createdAt,
    })
    .onConflict(['job_id', 'dedupe_active'])
    .ignore()
    .returning('id');
  const row = rows[0] as { id: number } | undefined;
  return row ? Number(row.id) : null;
}

export async function findActiveDedupe(db: Q, jobId: string, dedupeKey: string): Promise<number | null> {
  const row = (await db(QUEUE).select('id').where({ job_id: jobId, dedupe_active: dedupeKey }).first()) as { id: number } | undefined;
  return row ? Number(row.id) : null;
}

export async function dueQueueItems(db: Q, nowIso: string, jobIds: string[], limit: number): Promise<{ id: number; job_id: string }[]> {
  if (jobIds.length === 0 || limit <= 0) return [];
  const rows = (await dueQueueItemsQuery(db, nowIso, jobIds, limit)) as { id: number; job_id: string }[];
  return rows.map((r) => ({ id: Number(r.id), job_id: r.job_id }));
}

export async function staleQueueItems(db: Q, nowIso: string, limit: number) {
  const rows = (await staleQueueItemsQuery(db, nowIso, limit)) as Pick<QueueRow, 'id' | 'job_id' | 'attempts' | 'max_attempts'>[];
  return rows.map((r) => ({ id: Number(r.id), jobId: r.job_id, attempts: Number(r.attempts), maxAttempts: Number(r.max_attempts) }));
}

/** Claims a due pending item for `owner`; succeeds for exactly one caller. Counts the attempt. */
export async function claimQueueItem(db: Q, id: number, owner: string, lockedUntilIso: string, nowIso: string): Promise<boolean> {
  const n = await db(QUEUE)
    .where({ id, status: 'pending' })
    .andWhere('run_at', '<=', nowIso)
    .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', nowIso))
    .update({ status: 'running', locked_by: owner, locked_until: lockedUntilIso, attempts: db.raw('?? + 1', ['attempts']) });
  return n === 1;
}

/** Takes back an item whose lock expired while 'running': to 'pending' again, or 'failed' when out of attempts. */
export async function releaseStaleItem(db: Q, id: number, nowIso: string, exhausted: boolean, message: string): Promise<boolean> {
  const patch: Record<string, unknown> = exhausted
    ? { status: 'failed', finished_at: nowIso, dedupe_active: null, locked_by: null, locked_until: null, last_error: message }
    : { status: 'pending', run_at: nowIso, locked_by: null, locked_until: null, last_error: message };
  const n = await db(QUEUE).where({ id, status: 'running' }).andWhere('locked_until', '<', nowIso).update(patch);
  return n === 1;
}

export async function getQueueRow(db: Q, id: number): Promise<QueueRow | undefined> {
  return db(QUEUE).select<QueueRow[]>('*').where('id', id).first();
}

export type ItemOutcome =
  | { status: 'done'; finishedAt: string }
  | { status: 'failed'; finishedAt: string; error: string }
  | { status: 'pending'; runAt: string; error: string; refundAttempt?: boolean };

/** Settles a claimed item; only while `owner` still holds it. Returns false if the lock was lost. */
export async function settleQueueItem(db: Q, id: number, owner: string, o: ItemOutcome): Promise<boolean> {
  let patch: Record<string, unknown>;
  if (o.status === 'done') patch = { status: 'done', finished_at: o.finishedAt, dedupe_active: null, last_error: null };
  else if (o.status === 'failed') patch = { status: 'failed', finished_at: o.finishedAt, dedupe_active: null, last_error: o.error };
  else {
    patch = { status: 'pending', run_at: o.runAt, last_error: o.error };
    if (o.refundAttempt) patch.attempts = db.raw('?? - 1', ['attempts']);
  }
  const n = await db(QUEUE)
    .where({ id, status: 'running', locked_by: owner })
    .update({ ...patch, locked_by: null, locked_until: null });
  return n === 1;
}

export async function queueCounts(db: Q): Promise<Map<string, { pending: number; running: number; failed: number }>> {
  const rows = (await queueCountsQuery(db)) as { job_id: string; status: QueueItemStatus; n: number | string }[];
  const out = new Map<string, { pending: number; running: number; failed: number }>();
  for (const r of rows) {
    const c = out.get(r.job_id) ?? { pending: 0, running: 0, failed: 0 };
    if (r.status === 'pending' || r.status === 'running' || r.status === 'failed') c[r.status] = Number(r.n);
    out.set(r.job_id, c);
  }
  return out;
}

export async function listQueueItems(db: Q, jobId: string, status: QueueItemStatus | undefined, limit: number): Promise<QueueItem[]> {
  const rows = await queueItemsQuery(db, jobId, status, limit);
  return rows.map(toQueueItem);
}

export function toQueueItem(row: QueueRow): QueueItem {
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    payload = row.payload;
  }
  return {
    id: Number(row.id),
    jobId: row.job_id,
    payload,
    status: row.status,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAt: row.run_at,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    dedupeKey: row.dedupe_key,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

// ---------------------------------------------------------------------------------------------
// Admin list and housekeeping

export async function listJobRows(db: Q): Promise<JobRow[]> {
  return jobListQuery(db);
}

/** Deletes runs started, and finished queue items settled, before `beforeIso`. */
export async function prune(db: Q, beforeIso: string): Promise<{ runs: number; queueItems: number }> {
  const runs = await db(RUNS).where('started_at', '<', beforeIso).whereNot('status', 'running').delete();
  const queueItems = await db(QUEUE).whereIn('status', ['done', 'failed']).andWhere('finished_at', '<', beforeIso).delete();
  return { runs, queueItems };
}

export function toJobInfoBase(row: JobRow): Omit<JobInfo, 'registered' | 'running' | 'pendingItems' | 'runningItems' | 'failedItems'> {
  return {
    id: row.id,
    owner: row.owner,
    kind: row.kind,
    schedule: row.schedule,
    scope: row.scope,
    description: row.description,
    nextRunAt: row.next_run_at,
    lastRunAt: row.last_run_at,
    lastStatus: row.last_status,
    lastDurationMs: row.last_duration_ms === null ? null : Number(row.last_duration_ms),
    lastError: row.last_error,
    consecutiveFailures: Number(row.consecutive_failures),
    runRequestedAt: row.run_requested_at,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
  };
}

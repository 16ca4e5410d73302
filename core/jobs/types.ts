// The job contracts plugins and core code see: scheduled jobs, queued jobs and their run context.
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';

/** A cron pattern (evaluated in UTC unless `timezone` names an IANA zone) or a fixed interval. */
export type JobSchedule = { cron: string; timezone?: string } | { everyMs: number };

export interface JobContext {
  db: Knex;
  clock: Clock;
  log: Logger;
  /** Aborted when the run exceeds its timeout or the process shuts down. */
  signal: AbortSignal;
  /** Adds to a named counter recorded with the run ("invoices: 12"). */
  count(name: string, by?: number): void;
  /** The plugin that owns the job, or 'core'. */
  owner: string;
}

/** What a plugin passes to ctx.jobs.schedule(); `id` is local ("sync"), the host prefixes it ("dsmanager.sync"). */
export interface ScheduledJobDef {
  id: string;
  schedule: JobSchedule;
  /** 'global': one run across all processes sharing the database (a lease); 'local': each process runs it. */
  scope?: 'global' | 'local';
  timeoutMs?: number;
  description?: string;
  run(ctx: JobContext): Promise<void> | void;
}

/** What a plugin passes to ctx.jobs.define() for queued work. */
export interface QueueDef<P = unknown> {
  id: string;
  maxAttempts?: number;
  /** Backoff between attempts: base * 2^(attempt-1), capped at max. */
  backoff?: { baseMs: number; maxMs: number };
  timeoutMs?: number;
  description?: string;
  run(payload: P, ctx: JobContext): Promise<void> | void;
}

export interface EnqueueOptions {
  delayMs?: number;
  /** When a pending or running item with the same key exists, enqueue returns it instead of adding another. */
  dedupeKey?: string;
  /**
   * Enqueue inside the caller's transaction, so the item exists only if the caller's writes commit.
   * On SQLite (one connection) a caller holding a transaction MUST pass it here, or enqueue deadlocks.
   */
  trx?: Knex.Transaction;
}

export interface QueueHandle<P = unknown> {
  readonly id: string;
  enqueue(payload: P, opts?: EnqueueOptions): Promise<number>;
}

export type JobKind = 'scheduled' | 'queue';
export type JobRunStatus = 'running' | 'ok' | 'failed' | 'timeout';
/** What started a run: its schedule, "Run now" in the admin, a queue item, or the CLI. */
export type JobTrigger = 'schedule' | 'manual' | 'queue' | 'cli';
export type QueueItemStatus = 'pending' | 'running' | 'done' | 'failed';

/** One recorded run (a row of core_job_runs). Timestamps are ISO strings from the JobSystem's clock. */
export interface JobRun {
  id: number;
  jobId: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  status: JobRunStatus;
  error: string | null;
  counts: Record<string, number>;
  trigger: JobTrigger;
  queueItemId: number | null;
  attempt: number | null;
  runner: string | null;
}

/** One line of the admin jobs page. */
export interface JobInfo {
  id: string;
  owner: string;
  kind: JobKind;
  /** 'cron 0 3 * * *', 'cron 0 3 * * * tz=Europe/Berlin' or 'every 60000ms'; null for queues. */
  schedule: string | null;
  scope: 'global' | 'local' | null;
  description: string | null;
  /** False when the database knows the job but no enabled plugin in this process registered it. */
  registered: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastStatus: Exclude<JobRunStatus, 'running'> | null;
  lastDurationMs: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  runRequestedAt: string | null;
  /** A lease is held (global jobs) or this process is running it right now. */
  running: boolean;
  leaseOwner: string | null;
  leaseUntil: string | null;
  /** Queue items waiting, being worked on, and given up on. Zero for scheduled jobs. */
  pendingItems: number;
  runningItems: number;
  failedItems: number;
}

/** A row of core_job_queue. */
export interface QueueItem {
  id: number;
  jobId: string;
  payload: unknown;
  status: QueueItemStatus;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: string;
  finishedAt: string | null;
}

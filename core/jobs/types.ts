// The job contracts plugins and core code see: scheduled jobs, queued jobs and their run context.
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';

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
  /** When a pending item with the same key exists, enqueue returns it instead of adding another. */
  dedupeKey?: string;
}

export interface QueueHandle<P = unknown> {
  readonly id: string;
  enqueue(payload: P, opts?: EnqueueOptions): Promise<number>;
}

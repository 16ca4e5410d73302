// The JobSystem: registers scheduled jobs and queues, and runs what is due on each tick, coordinated through the database.
import crypto from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Cron } from 'croner';
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { iso } from '../db/time.ts';
import * as store from './store.ts';
import type {
  EnqueueOptions,
  JobContext,
  JobInfo,
  JobRun,
  JobRunStatus,
  JobTrigger,
  QueueDef,
  QueueHandle,
  QueueItem,
  QueueItemStatus,
  ScheduledJobDef,
} from './types.ts';

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF = { baseMs: 30_000, maxMs: 60 * 60_000 };
const DEFAULT_POLL_MS = 1000;
const DEFAULT_QUEUE_CONCURRENCY = 4;
const DEFAULT_LEASE_GRACE_MS = 60_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
const MAX_ERROR_CHARS = 4000;
const LOCAL_ID = /^[a-z0-9][a-z0-9_.-]*$/i;

export interface JobSystemOptions {
  db: Knex;
  clock: Clock;
  log: Logger;
  /** Names this process in leases, locks and the run log; defaults to host:pid:random. */
  processId?: string;
  /** How often the loop started by start() ticks. */
  pollMs?: number;
  /** Queue items this process runs at the same time. */
  queueConcurrency?: number;
  /** Added to a job's timeout for its lease/lock, so a slow finish is not mistaken for a dead process. */
  leaseGraceMs?: number;
  /** How long stop() lets aborted runs wind down before recording them as interrupted. */
  shutdownGraceMs?: number;
  /** False for an owner switched off at run time: its jobs and queue items wait, untouched. */
  isOwnerEnabled?: (owner: string) => boolean;
}

export interface TickResult {
  /** The runs this tick started, finished (tick() waits for them). */
  runs: JobRun[];
}

interface ScheduledEntry {
  kind: 'scheduled';
  id: string;
  owner: string;
  def: ScheduledJobDef;
  scope: 'global' | 'local';
  timeoutMs: number;
  scheduleText: string;
  cron: Cron | null;
  everyMs: number | null;
  /** Local jobs: when this process runs it next (each process keeps its own). */
  localNext: Date | null;
}

interface QueueEntry {
  kind: 'queue';
  id: string;
  owner: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  def: QueueDef<any>;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  timeoutMs: number;
}

type Entry = ScheduledEntry | QueueEntry;

interface ExecResult {
  status: Exclude<JobRunStatus, 'running'>;
  error: string | null;
  counts: Record<string, number>;
  durationMs: number;
  /** The run was cut short by stop(); a queue item goes back to pending without using up an attempt. */
  interrupted: boolean;
}

interface ActiveRun {
  abort(reason: unknown): void;
  interrupt(): void;
}

export class JobTimeoutError extends Error {
  constructor(jobId: string, timeoutMs: number) {
    super(`Job ${jobId} timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** Exponential backoff after failed attempt number `attempt` (1-based): base * 2^(attempt-1), capped at max. */
export function backoffMs(attempt: number, backoff: { baseMs: number; maxMs: number }): number {
  return Math.min(backoff.baseMs * 2 ** Math.max(0, attempt - 1), backoff.maxMs);
}

function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message || err.name : String(err);
  return msg.length > MAX_ERROR_CHARS ? msg.slice(0, MAX_ERROR_CHARS) + '…' : msg;
}

export class JobSystem {
  readonly processId: string;
  readonly #db: Knex;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #isOwnerEnabled: (owner: string) => boolean;
  readonly #pollMs: number;
  readonly #queueConcurrency: number;
  readonly #leaseGraceMs: number;
  readonly #shutdownGraceMs: number;

  readonly #entries = new Map<string, Entry>();
  #dirty = false;
  #syncing: Promise<void> | null = null;

  /** Scheduled jobs running in this process right now (never started twice here). */
  readonly #runningHere = new Set<string>();
  #queueInflight = 0;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #active = new Set<ActiveRun>();
  #stopping = false;

  /** Claim phases of passes run one after another. */
  #passChain: Promise<unknown> = Promise.resolve();
  #loopOn = false;
  #timer: NodeJS.Timeout | null = null;
  #loopPass: Promise<void> | null = null;

  constructor(opts: JobSystemOptions) {
    this.#db = opts.db;
    this.#clock = opts.clock;
    this.#log = opts.log;
    this.processId = opts.processId ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
    this.#pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    this.#queueConcurrency = opts.queueConcurrency ?? DEFAULT_QUEUE_CONCURRENCY;
    this.#leaseGraceMs = opts.leaseGraceMs ?? DEFAULT_LEASE_GRACE_MS;
    this.#shutdownGraceMs = opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    this.#isOwnerEnabled = opts.isOwnerEnabled ?? (() => true);
  }

  // -------------------------------------------------------------------------------------------
  // Registration

  registerScheduled(owner: string, def: ScheduledJobDef): void {
    const entry = this.#prepareScheduled(owner, def);
    this.#entries.set(entry.id, entry);
    this.#dirty = true;
  }

  /** Throws what registerScheduled would, without registering: lets a caller check a batch first. */
  validateScheduled(owner: string, def: ScheduledJobDef): void {
    this.#prepareScheduled(owner, def);
  }

  /** Throws what defineQueue would, without defining it. */
  validateQueue(owner: string, def: QueueDef<unknown>): void {
    this.#prepareQueue(owner, def);
  }

  #prepareScheduled(owner: string, def: ScheduledJobDef): ScheduledEntry {
    const id = this.#fullId(owner, def.id);
    const scope = def.scope ?? 'global';
    if (scope !== 'global' && scope !== 'local') throw new Error(`Job ${id}: scope must be 'global' or 'local'`);
    const timeoutMs = this.#checkTimeout(id, def.timeoutMs);
    let cron: Cron | null = null;
    let everyMs: number | null = null;
    let scheduleText: string;
    if ('cron' in def.schedule) {
      const { cron: pattern, timezone } = def.schedule;
      try {
        // UTC unless the job names a zone: the panel shows every time in UTC, and servers move between zones.
        cron = new Cron(pattern, { timezone: timezone ?? 'UTC', paused: true });
        cron.nextRun(this.#clock.now()); // an unknown timezone only shows here
      } catch (err) {
        throw new Error(`Job ${id}: invalid cron schedule '${pattern}'${timezone ? ` (timezone ${timezone})` : ''}: ${errorMessage(err)}`);
      }
      scheduleText = `cron ${pattern}${timezone ? ` tz=${timezone}` : ''}`;
    } else if ('everyMs' in def.schedule && Number.isFinite(def.schedule.everyMs) && def.schedule.everyMs >= 1) {
      everyMs = Math.round(def.schedule.everyMs);
      scheduleText = `every ${everyMs}ms`;
    } else {
      throw new Error(`Job ${id}: schedule must be { cron } or { everyMs } with everyMs >= 1`);
    }
    if (typeof def.run !== 'function') throw new Error(`Job ${id}: run must be a function`);
    return { kind: 'scheduled', id, owner, def, scope, timeoutMs, scheduleText, cron, everyMs, localNext: null };
  }

  defineQueue<P>(owner: string, def: QueueDef<P>): QueueHandle<P> {
    const entry = this.#prepareQueue(owner, def as QueueDef<unknown>);
    this.#entries.set(entry.id, entry);
    this.#dirty = true;
    return { id: entry.id, enqueue: (payload: P, opts?: EnqueueOptions) => this.#enqueue(entry, payload, opts) };
  }

  #prepareQueue(owner: string, def: QueueDef<unknown>): QueueEntry {
    const id = this.#fullId(owner, def.id);
    const timeoutMs = this.#checkTimeout(id, def.timeoutMs);
    const maxAttempts = def.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new Error(`Job ${id}: maxAttempts must be an integer >= 1`);
    const backoff = def.backoff ?? DEFAULT_BACKOFF;
    if (!(backoff.baseMs >= 0 && backoff.maxMs >= backoff.baseMs)) throw new Error(`Job ${id}: backoff needs 0 <= baseMs <= maxMs`);
    if (typeof def.run !== 'function') throw new Error(`Job ${id}: run must be a function`);
    return { kind: 'queue', id, owner, def, maxAttempts, backoff, timeoutMs };
  }

  #fullId(owner: string, localId: string): string {
    if (!owner || !LOCAL_ID.test(owner)) throw new Error(`Invalid job owner '${owner}'`);
    if (!localId || !LOCAL_ID.test(localId)) throw new Error(`Invalid job id '${localId}' for owner '${owner}' (letters, digits, '.', '_', '-')`);
    const id = `${owner}.${localId}`;
    if (this.#entries.has(id)) throw new Error(`Job id '${id}' is already registered; job ids must be unique`);
    return id;
  }

  #checkTimeout(id: string, timeoutMs: number | undefined): number {
    const t = timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days).
    if (!Number.isFinite(t) || t < 1 || t > 2_147_483_647) throw new Error(`Job ${id}: timeoutMs must be between 1 and 2147483647`);
    return t;
  }

  // -------------------------------------------------------------------------------------------
  // Sync: one core_jobs row per registered job

  /** Upserts the core_jobs rows of the registered jobs and computes their next runs. */
  async sync(): Promise<void> {
    while (this.#syncing) await this.#syncing;
    this.#syncing = this.#doSync().finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }

  async #ensureSynced(): Promise<void> {
    if (this.#dirty) await this.sync();
  }

  async #doSync(): Promise<void> {
    this.#dirty = false;
    const entries = [...this.#entries.values()];
    if (entries.length === 0) return;
    const now = this.#clock.now();
    const nowIso = iso(now);
    const rows = new Map((await store.getJobRows(this.#db, entries.map((e) => e.id))).map((r) => [r.id, r]));
    for (const e of entries) {
      const row = rows.get(e.id);
      const fields: store.JobDefinitionFields =
        e.kind === 'scheduled'
          ? { owner: e.owner, kind: 'scheduled', schedule: e.scheduleText, scope: e.scope, description: e.def.description ?? null }
          : { owner: e.owner, kind: 'queue', schedule: null, scope: null, description: e.def.description ?? null };
      let next: string | null | undefined;
      if (e.kind === 'scheduled') {
        if (e.scope === 'local' && !e.localNext) e.localNext = this.#firstRun(e, now, null);
        const keep = row && row.kind === 'scheduled' && row.schedule === e.scheduleText && row.next_run_at;
        if (!keep) {
          const first = e.scope === 'local' ? e.localNext : this.#firstRun(e, now, row?.last_run_at ? new Date(row.last_run_at) : null);
          next = first ? iso(first) : null;
        }
      } else if (row && row.next_run_at !== null) {
        next = null;
      }
      if (!row) {
        await store.insertJobRow(this.#db, e.id, fields, next ?? null, nowIso);
      } else if (
        next !== undefined ||
        row.owner !== fields.owner ||
        row.kind !== fields.kind ||
        row.schedule !== fields.schedule ||
        row.scope !== fields.scope ||
        row.description !== fields.description
      ) {
        await store.updateJobDefinition(this.#db, e.id, fields, next, nowIso);
      }
    }
  }

  /** Cron: the next slot after now. Interval: one interval after the last run, or now if it never ran. */
  #firstRun(e: ScheduledEntry, now: Date, lastRunAt: Date | null): Date | null {
    if (e.cron) return e.cron.nextRun(now);
    return lastRunAt ? new Date(lastRunAt.getTime() + (e.everyMs ?? 0)) : now;
  }

  /** After a run that started at `startedAt`: the next cron slot after now, or start + interval. */
  #nextAfterRun(e: ScheduledEntry, startedAt: Date): Date | null {
    if (e.cron) return e.cron.nextRun(this.#clock.now());
    return new Date(startedAt.getTime() + (e.everyMs ?? 0));
  }

  // -------------------------------------------------------------------------------------------
  // Ticking

  /**
   * One pass: runs the scheduled jobs that are due and claims due queue items, then waits for the
   * runs it started. Never throws for a failing job (or a failing database); those are logged.
   */
  async tick(): Promise<TickResult> {
    const started = await this.#claimPass();
    const runs = await Promise.all(started);
    return { runs: runs.filter((r): r is JobRun => r !== null) };
  }

  /** Starts the loop: a pass every pollMs; passes never overlap and the loop does not wait for long runs. */
  start(): void {
    if (this.#loopOn) return;
    this.#loopOn = true;
    const loop = () => {
      this.#timer = null;
      if (!this.#loopOn) return;
      this.#loopPass = this.#claimPass().then(
        () => undefined,
        () => undefined,
      );
      void this.#loopPass.finally(() => {
        this.#loopPass = null;
        if (this.#loopOn) {
          this.#timer = setTimeout(loop, this.#pollMs);
          this.#timer.unref();
        }
      });
    };
    this.#timer = setTimeout(loop, 0);
    this.#timer.unref();
  }

  /**
   * Stops the loop, waits for the pass in progress, aborts the signals of runs still going, gives
   * them shutdownGraceMs to finish, then records the rest as interrupted.
   */
  async stop(): Promise<void> {
    this.#loopOn = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#loopPass) await this.#loopPass;
    await this.#passChain.catch(() => undefined);
    if (this.#inflight.size === 0) return;
    this.#stopping = true;
    try {
      for (const run of this.#active) run.abort(new Error('The job system is stopping'));
      const all = Promise.allSettled([...this.#inflight]);
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, this.#shutdownGraceMs);
        graceTimer.unref();
      });
      await Promise.race([all, grace]);
      clearTimeout(graceTimer);
      for (const run of [...this.#active]) run.interrupt();
      await all;
    } finally {
      this.#stopping = false;
    }
  }

  /** Claims due work (serialised with other passes) and returns the promises of the runs started. */
  #claimPass(): Promise<Promise<JobRun | null>[]> {
    const p = this.#passChain.then(() => this.#claim());
    this.#passChain = p.catch(() => undefined);
    return p;
  }

  async #claim(): Promise<Promise<JobRun | null>[]> {
    const started: Promise<JobRun | null>[] = [];
    try {
      await this.#ensureSynced();
      const now = this.#clock.now();
      const nowIso = iso(now);
      const entries = [...this.#entries.values()].filter((e) => this.#isOwnerEnabled(e.owner));

      const scheduled = entries.filter((e): e is ScheduledEntry => e.kind === 'scheduled');
      if (scheduled.length) {
        const due = new Map(
          ((await store.dueJobsQuery(this.#db, nowIso)) as { id: string; run_requested_at: string | null }[]).map((r) => [r.id, r]),
        );
        for (const e of scheduled) {
          if (this.#runningHere.has(e.id)) continue;
          const row = due.get(e.id);
          const requested = Boolean(row?.run_requested_at);
          if (e.scope === 'global') {
            if (row) started.push(this.#track(this.#runScheduled(e, requested ? 'manual' : 'schedule', 'due')));
          } else {
            const byTime = e.localNext !== null && e.localNext.getTime() <= now.getTime();
            if (byTime || requested) started.push(this.#track(this.#runLocal(e, byTime, requested)));
          }
        }
      }

      const queues = entries.filter((e): e is QueueEntry => e.kind === 'queue');
      if (queues.length) {
        await this.#recoverStale(nowIso);
        const capacity = this.#queueConcurrency - this.#queueInflight;
        const candidates = await store.dueQueueItems(this.#db, nowIso, queues.map((q) => q.id), capacity * 2);
        for (const c of candidates) {
          if (this.#queueInflight >= this.#queueConcurrency) break;
          const entry = this.#entries.get(c.job_id);
          if (!entry || entry.kind !== 'queue') continue;
          const lockedUntil = iso(new Date(now.getTime() + entry.timeoutMs + this.#leaseGraceMs));
          if (!(await store.claimQueueItem(this.#db, c.id, this.processId, lockedUntil, nowIso))) continue;
          this.#queueInflight++;
          started.push(
            this.#track(
              this.#runQueueItem(entry, c.id).finally(() => {
                this.#queueInflight--;
              }),
            ),
          );
        }
      }
    } catch (err) {
      this.#log.error('job tick failed', { err, processId: this.processId });
    }
    return started;
  }

  /**
   * Keeps a run promise for stop(). Job failures never reject (they are recorded); what can reject
   * is the bookkeeping (the database). Ticks log that and go on; runOnce() lets it reach the caller.
   */
  #track(p: Promise<JobRun | null>, rethrow = false): Promise<JobRun | null> {
    const safe = p.catch((err: unknown) => {
      this.#log.error('job run bookkeeping failed', { err, processId: this.processId });
      if (rethrow) throw err;
      return null;
    });
    const settled = safe.catch(() => null);
    this.#inflight.add(settled);
    void settled.finally(() => this.#inflight.delete(settled));
    return safe;
  }

  // -------------------------------------------------------------------------------------------
  // Scheduled runs

  /** A global job: take the lease (it must still be due unless forced), run, record, release. */
  async #runScheduled(e: ScheduledEntry, trigger: JobTrigger, mode: 'due' | 'force'): Promise<JobRun | null> {
    if (this.#runningHere.has(e.id)) return null;
    this.#runningHere.add(e.id);
    try {
      const start = this.#clock.now();
      const startIso = iso(start);
      const leaseUntil = iso(new Date(start.getTime() + e.timeoutMs + this.#leaseGraceMs));
      const got = await store.acquireLease(this.#db, e.id, this.processId, leaseUntil, startIso, mode === 'due');
      if (!got) return null;
      const abandoned = await store.abandonRunningRuns(this.#db, e.id, startIso, 'Abandoned: the process running it stopped or overran its lease');
      if (abandoned) this.#log.warn('closed abandoned job runs', { job: e.id, owner: e.owner, count: abandoned });
      return await this.#runAndRecord(e, start, trigger, this.processId);
    } finally {
      this.#runningHere.delete(e.id);
    }
  }

  /** A local job: no lease; a "Run now" request is consumed by whichever process gets it first. */
  async #runLocal(e: ScheduledEntry, byTime: boolean, requested: boolean): Promise<JobRun | null> {
    if (this.#runningHere.has(e.id)) return null;
    this.#runningHere.add(e.id);
    try {
      let trigger: JobTrigger = 'schedule';
      if (requested && (await store.consumeRunRequest(this.#db, e.id))) trigger = 'manual';
      else if (!byTime) return null;
      return await this.#runAndRecord(e, this.#clock.now(), trigger, null);
    } finally {
      this.#runningHere.delete(e.id);
    }
  }

  async #runAndRecord(e: ScheduledEntry, start: Date, trigger: JobTrigger, leaseOwner: string | null): Promise<JobRun | null> {
    const startIso = iso(start);
    const runId = await store.insertRun(this.#db, { jobId: e.id, startedAt: startIso, trigger, runner: this.processId });
    const r = await this.#execute(e.id, e.owner, e.timeoutMs, { trigger, runId }, (ctx) => e.def.run(ctx));
    const finishedIso = iso(this.#clock.now());
    const next = this.#nextAfterRun(e, start);
    if (e.scope === 'local') e.localNext = next;
    // Single-statement writes, no transaction: nothing holds the SQLite write lock across an await.
    await store.finishRun(this.#db, runId, { finishedAt: finishedIso, durationMs: r.durationMs, status: r.status, error: r.error, counts: r.counts });
    await store.recordJobResult(
      this.#db,
      e.id,
      { lastRunAt: startIso, status: r.status, durationMs: r.durationMs, error: r.error, nextRunAt: next ? iso(next) : null },
      leaseOwner,
    );
    return (await store.getRun(this.#db, runId)) ?? null;
  }

  // -------------------------------------------------------------------------------------------
  // Queue

  async #enqueue(entry: QueueEntry, payload: unknown, opts: EnqueueOptions = {}): Promise<number> {
    const q = opts.trx ?? this.#db;
    const delayMs = opts.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`enqueue ${entry.id}: delayMs must be >= 0`);
    const now = this.#clock.now();
    const item: store.NewQueueItem = {
      jobId: entry.id,
      payload: JSON.stringify(payload === undefined ? null : payload),
      maxAttempts: entry.maxAttempts,
      runAt: iso(new Date(now.getTime() + delayMs)),
      dedupeKey: opts.dedupeKey ?? null,
      createdAt: iso(now),
    };
    // With a dedupe key the insert is skipped while an active item holds the key; the item may
    // settle between our insert and our look-up, so try again a couple of times.
    for (let i = 0; i < 3; i++) {
      const id = await store.insertQueueItem(q, item);
      if (id !== null) return id;
      const existing = await store.findActiveDedupe(q, entry.id, item.dedupeKey as string);
      if (existing !== null) return existing;
    }
    throw new Error(`enqueue ${entry.id}: could not insert or find the item with dedupe key '${item.dedupeKey}'`);
  }

  /** Items whose lock expired while 'running' (their process died): back to pending, or failed if out of attempts. */
  async #recoverStale(nowIso: string): Promise<void> {
    const stale = await store.staleQueueItems(this.#db, nowIso, 50);
    for (const s of stale) {
      const exhausted = s.attempts >= s.maxAttempts;
      const message = 'Abandoned: the process running it stopped or overran its lock';
      if (await store.releaseStaleItem(this.#db, s.id, nowIso, exhausted, message)) {
        await store.abandonRunsOfItem(this.#db, s.id, nowIso, message);
        this.#log.warn('recovered abandoned queue item', { job: s.jobId, queueItem: s.id, attempts: s.attempts, failed: exhausted });
      }
    }
  }

  async #runQueueItem(entry: QueueEntry, itemId: number): Promise<JobRun | null> {
    const row = await store.getQueueRow(this.#db, itemId);
    if (!row) return null;
    const attempt = Number(row.attempts);
    const start = this.#clock.now();
    const runId = await store.insertRun(this.#db, {
      jobId: entry.id,
      startedAt: iso(start),
      trigger: 'queue',
      runner: this.processId,
      queueItemId: itemId,
      attempt,
    });
    const r = await this.#execute(entry.id, entry.owner, entry.timeoutMs, { trigger: 'queue', runId, queueItem: itemId, attempt }, (ctx) =>
      entry.def.run(JSON.parse(row.payload) as unknown, ctx),
    );
    const finished = this.#clock.now();
    const finishedIso = iso(finished);
    let outcome: store.ItemOutcome;
    if (r.status === 'ok') outcome = { status: 'done', finishedAt: finishedIso };
    else if (r.interrupted) outcome = { status: 'pending', runAt: finishedIso, error: r.error ?? 'interrupted', refundAttempt: true };
    else if (attempt < Number(row.max_attempts)) {
      outcome = { status: 'pending', runAt: iso(new Date(finished.getTime() + backoffMs(attempt, entry.backoff))), error: r.error ?? r.status };
    } else outcome = { status: 'failed', finishedAt: finishedIso, error: r.error ?? r.status };

    // Single-statement writes (see #runAndRecord). A crash between them leaves the item 'running'
    // until its lock expires, and it runs again: queue jobs must be idempotent anyway.
    await store.finishRun(this.#db, runId, { finishedAt: finishedIso, durationMs: r.durationMs, status: r.status, error: r.error, counts: r.counts });
    const kept = await store.settleQueueItem(this.#db, itemId, this.processId, outcome);
    await store.recordJobResult(this.#db, entry.id, { lastRunAt: iso(start), status: r.status, durationMs: r.durationMs, error: r.error }, null);
    if (!kept) this.#log.warn('queue item lock was lost before the run finished', { job: entry.id, owner: entry.owner, queueItem: itemId });
    else if (outcome.status === 'failed') this.#log.error('queue item failed for good', { job: entry.id, owner: entry.owner, queueItem: itemId, attempts: attempt });
    return (await store.getRun(this.#db, runId)) ?? null;
  }

  // -------------------------------------------------------------------------------------------
  // Executing a job body: context, counters, timeout, isolation

  #execute(
    jobId: string,
    owner: string,
    timeoutMs: number,
    fields: Record<string, unknown>,
    body: (ctx: JobContext) => unknown,
  ): Promise<ExecResult> {
    const ac = new AbortController();
    const counts: Record<string, number> = {};
    const log = this.#log.child({ job: jobId, owner });
    const ctx: JobContext = {
      db: this.#db,
      clock: this.#clock,
      log,
      signal: ac.signal,
      owner,
      count(name: string, by = 1) {
        counts[name] = (counts[name] ?? 0) + by;
      },
    };
    const t0 = performance.now();
    log.debug('job started', fields);
    return new Promise<ExecResult>((resolve) => {
      let settled = false;
      const finish = (status: ExecResult['status'], error: string | null, interrupted = false, err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.#active.delete(active);
        const r: ExecResult = { status, error, counts: { ...counts }, durationMs: Math.round(performance.now() - t0), interrupted };
        if (status === 'ok') log.debug('job finished', { ...fields, durationMs: r.durationMs, counts: r.counts });
        else log.error(status === 'timeout' ? 'job timed out' : 'job failed', { ...fields, durationMs: r.durationMs, error: r.error, err, interrupted });
        resolve(r);
      };
      const timer = setTimeout(() => {
        ac.abort(new JobTimeoutError(jobId, timeoutMs));
        finish('timeout', `Timed out after ${timeoutMs} ms`);
      }, timeoutMs);
      timer.unref();
      const active: ActiveRun = {
        abort: (reason) => ac.abort(reason),
        interrupt: () => finish('failed', 'Interrupted: the job system stopped before the run finished', true),
      };
      this.#active.add(active);
      Promise.resolve()
        .then(() => body(ctx))
        .then(
          () => finish('ok', null),
          (err: unknown) => finish('failed', errorMessage(err), this.#stopping && ac.signal.aborted, err),
        );
    });
  }

  // -------------------------------------------------------------------------------------------
  // Operator actions and the admin page

  /** "Run now": the next tick (in any process sharing the database) runs the job. */
  async runNow(jobId: string): Promise<void> {
    await this.#ensureSynced();
    if (!(await store.requestRun(this.#db, jobId, iso(this.#clock.now())))) {
      throw new Error(`No scheduled job '${jobId}'`);
    }
  }

  /**
   * Runs a scheduled job here and now (taking the lease for a global job) and returns the run.
   * Throws if the job is unknown to this process or already running.
   */
  async runOnce(jobId: string, trigger: JobTrigger = 'cli'): Promise<JobRun> {
    await this.#ensureSynced();
    const e = this.#entries.get(jobId);
    if (!e) throw new Error(`No job '${jobId}' is registered`);
    if (e.kind !== 'scheduled') throw new Error(`Job '${jobId}' is a queue; enqueue items instead of running it`);
    if (this.#runningHere.has(jobId)) throw new Error(`Job '${jobId}' is already running in this process`);
    let run: JobRun | null;
    if (e.scope === 'global') {
      run = await this.#track(this.#runScheduled(e, trigger, 'force'), true);
    } else {
      this.#runningHere.add(jobId);
      try {
        run = await this.#track(this.#runAndRecord(e, this.#clock.now(), trigger, null), true);
      } finally {
        this.#runningHere.delete(jobId);
      }
    }
    if (!run) {
      const row = await store.getJobRow(this.#db, jobId);
      throw new Error(`Job '${jobId}' is already running (lease held by ${row?.lease_owner ?? '?'} until ${row?.lease_until ?? '?'})`);
    }
    return run;
  }

  /** Every job the database knows, with last and next run and queue counts, for the admin page. */
  async list(): Promise<JobInfo[]> {
    await this.#ensureSynced();
    const nowIso = iso(this.#clock.now());
    const [rows, counts] = await Promise.all([store.listJobRows(this.#db), store.queueCounts(this.#db)]);
    return rows.map((row) => {
      const c = counts.get(row.id) ?? { pending: 0, running: 0, failed: 0 };
      return {
        ...store.toJobInfoBase(row),
        registered: this.#entries.has(row.id),
        running: this.#runningHere.has(row.id) || (row.lease_until !== null && row.lease_until >= nowIso),
        pendingItems: c.pending,
        runningItems: c.running,
        failedItems: c.failed,
      };
    });
  }

  /** The latest runs of a job, newest first. */
  async recentRuns(jobId: string, limit = 20): Promise<JobRun[]> {
    return store.recentRuns(this.#db, jobId, limit);
  }

  /** The items of a queue, newest first, optionally of one status. */
  async queueItems(jobId: string, opts: { status?: QueueItemStatus; limit?: number } = {}): Promise<QueueItem[]> {
    return store.listQueueItems(this.#db, jobId, opts.status, opts.limit ?? 50);
  }

  /** Deletes runs and settled queue items older than `olderThan` (a housekeeping job should call this). */
  async prune(olderThan: Date): Promise<{ runs: number; queueItems: number }> {
    return store.prune(this.#db, iso(olderThan));
  }

  /** Whether a job (scheduled or queue) with this full id is registered in this process. */
  has(fullId: string): boolean {
    return this.#entries.has(fullId);
  }

  /** The ids registered in this process. */
  registeredIds(): string[] {
    return [...this.#entries.keys()];
  }
}

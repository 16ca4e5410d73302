// Test helpers for the jobs subsystem: a migrated database, a manual clock and JobSystems that share them.
import { createMigratedTestDb, type TestDb } from '../../test/helpers/db.ts';
import { openDb, type Db } from '../db/knex.ts';
import { ManualClock } from '../clock.ts';
import { createLogger, type Logger } from '../log.ts';
import { JobSystem, type JobSystemOptions } from './scheduler.ts';

export interface JobsFixture {
  t: TestDb;
  clock: ManualClock;
  /** A JobSystem on the test database. */
  sys: JobSystem;
  /** Log lines at error level from every JobSystem of the fixture. */
  errors: { msg: string; [k: string]: unknown }[];
  log: Logger;
  /** Another "process": a JobSystem on its own connection pool to the same database. */
  otherProcess(opts?: Partial<JobSystemOptions>): JobSystem;
  /** The connection pool of a JobSystem made by otherProcess(). */
  dbOf(sys: JobSystem): Db;
  cleanup(): Promise<void>;
}

export async function jobsFixture(start = '2026-01-01T00:00:00Z'): Promise<JobsFixture> {
  const t = await createMigratedTestDb();
  const clock = new ManualClock(start);
  const systems: JobSystem[] = [];
  const extraDbs: Db[] = [];
  const dbs = new Map<JobSystem, Db>();
  const errors: JobsFixture['errors'] = [];
  const log = createLogger({ level: 'error', sink: (line) => errors.push(JSON.parse(line) as JobsFixture['errors'][number]) });
  const sys = new JobSystem({ db: t.db, clock, log, processId: 'proc-a' });
  systems.push(sys);
  return {
    t,
    clock,
    sys,
    errors,
    log,
    otherProcess(opts = {}) {
      const db = openDb({ url: t.url, searchPath: t.searchPath, poolMax: 4 });
      extraDbs.push(db);
      const s = new JobSystem({ db, clock, log, processId: `proc-${String.fromCharCode(98 + extraDbs.length - 1)}`, ...opts });
      systems.push(s);
      dbs.set(s, db);
      return s;
    },
    dbOf(s) {
      const db = dbs.get(s);
      if (!db) throw new Error('not a JobSystem of otherProcess()');
      return db;
    },
    /** Stops everything; throws if the job system itself (not a job) logged a failure, e.g. its bookkeeping. */
    async cleanup() {
      for (const s of systems) await s.stop();
      for (const db of extraDbs) await db.destroy();
      await t.destroy();
      const internal = errors.filter((e) => e.msg === 'job tick failed' || e.msg === 'job run bookkeeping failed');
      if (internal.length) throw new Error(`job system errors: ${JSON.stringify(internal)}`);
    },
  };
}

/** A promise with its resolve function outside, to hold a job body until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves when the signal is aborted, with its reason. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}

/** Lets other processes' promises (and the database) make progress without advancing the manual clock. */
export function pause(ms = 10): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Holds the first query of `db` whose SQL matches `pattern` until release() is called, to make a
 * race deterministic: e.g. a process that has read the due list but not yet taken the lease.
 */
export function holdQuery(db: Db, pattern: RegExp): { reached: Promise<string>; release(): void } {
  const client = db.client as { query(conn: unknown, q: { sql?: string } | string): Promise<unknown> };
  const original = client.query;
  const reached = deferred<string>();
  const gate = deferred();
  let held = false;
  client.query = async function (this: unknown, conn, q) {
    const sql = typeof q === 'string' ? q : (q.sql ?? '');
    if (!held && pattern.test(sql)) {
      held = true;
      reached.resolve(sql);
      await gate.promise;
    }
    return original.call(this, conn, q);
  };
  return {
    reached: reached.promise,
    release() {
      client.query = original;
      gate.resolve();
    },
  };
}

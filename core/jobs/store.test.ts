// The queries tick() and the admin jobs page run are all served by an index, on both engines.
import { afterEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, testEngine, type TestDb } from '../../test/helpers/db.ts';
import { explainableJobQueries } from './store.ts';

let t: TestDb | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

async function plan(db: TestDb['db'], sql: string, bindings: readonly unknown[]): Promise<string> {
  if (testEngine === 'sqlite') {
    const rows = (await db.raw(`explain query plan ${sql}`, bindings as never)) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  }
  // The tables are tiny here, so PostgreSQL would rightly prefer a sequential scan; forbid it to
  // see whether an index can serve the query at all (without one it still seq-scans).
  return db.transaction(async (trx) => {
    await trx.raw('set local enable_seqscan = off');
    const res = (await trx.raw(`explain ${sql}`, bindings as never)) as { rows: { 'QUERY PLAN': string }[] };
    return res.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe('job queries', () => {
  it('are each served by an index', async () => {
    t = await createMigratedTestDb();
    const queries = explainableJobQueries(t.db);
    expect(Object.keys(queries).sort()).toEqual(['dueQueueItems', 'dueScheduledJobs', 'jobList', 'queueCounts', 'queueItems', 'recentRuns', 'staleQueueItems']);
    for (const [name, q] of Object.entries(queries)) {
      const { sql, bindings } = q.toSQL();
      const p = await plan(t.db, sql, bindings);
      if (testEngine === 'sqlite') {
        // Every access to a core_job table goes through an index (a full SCAN only in index order).
        for (const line of p.split('\n').filter((l) => /core_job/.test(l))) {
          expect(line, `${name}: ${p}`).toMatch(/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/);
        }
      } else {
        expect(p, `${name}: ${p}`).not.toMatch(/Seq Scan/);
        expect(p, `${name}: ${p}`).toMatch(/Index/);
      }
    }
  });
});

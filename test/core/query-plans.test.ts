// No accidental full scans: every query that list pages and jobs run is captured and EXPLAINed.
// A missing index once made a measured bill run 450× slower; this catches it before an operator does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import hello from '../../plugins/hello/index.ts';
import { dbEngine } from '../../core/db/knex.ts';
import { explainableJobQueries } from '../../core/jobs/index.ts';
import { insertBatched } from '../../core/db/batch.ts';
import { fullScans } from '../helpers/query-plans.ts';

let t: TestApp;
const captured = new Map<string, { sql: string; bindings: readonly unknown[] }>();

beforeAll(async () => {
  t = await createTestApp({ plugins: [hello()] });
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  // Enough rows that the planner's choices matter; PostgreSQL also gets fresh statistics.
  const db = t.services.db;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  await insertBatched(db, 'core_audit_log', Array.from({ length: 3000 }, (_, i) => ({ at: at(i), actor_type: 'system', actor_label: 'seed', action: i % 2 ? 'auth.login' : 'staff.created' })));
  await insertBatched(db, 'core_outbox', Array.from({ length: 1500 }, (_, i) => ({ created_at: at(i), to: `c${i}@example.test`, subject: 's', text: 't', status: i % 3 ? 'sent' : 'held', attempts: 0 })));
  await insertBatched(db, 'core_users', Array.from({ length: 3000 }, (_, i) => ({ kind: 'client', email: `c${i}@example.test`, name: `C${i}`, password_hash: 'x', role: 'owner', client_id: i, status: 'active', created_at: at(i), updated_at: at(i) })));
  await insertBatched(db, 'core_sessions', Array.from({ length: 3000 }, (_, i) => ({ id: `s${i}`, user_id: 2 + (i % 100), created_at: at(i), last_seen_at: at(i), expires_at: at(i + 100000) })));
  await insertBatched(db, 'hello_greetings', Array.from({ length: 3000 }, (_, i) => ({ name: `N${i}`, created_at: at(i) })));
  if (dbEngine(db) === 'pg') await db.raw('analyze');
  else await db.raw('analyze');
  db.on('query', (q: { sql: string; bindings?: readonly unknown[] }) => {
    if (/^\s*select/i.test(q.sql) && !/sqlite_master|pg_tables|knex_migrations/.test(q.sql)) captured.set(q.sql, { sql: q.sql, bindings: q.bindings ?? [] });
  });
});
afterAll(async () => {
  await t.destroy();
});

const SMALL_TABLES = new Set(['core_settings', 'core_jobs']); // a handful of rows by nature


describe('query plans', () => {
  it('serve every list page, in every sort order, from an index', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    captured.clear();
    const pages = ['/admin/system/users', '/admin/system/audit', '/admin/system/audit?action=auth.', '/admin/system/outbox', '/admin/system/outbox?status=held', '/admin/system/jobs', '/admin/system/jobs/core.mail.deliver', '/admin/hello', '/admin'];
    for (const page of pages) {
      const first = await admin.get(page);
      expect(first.status, page).toBe(200);
      for (const a of first.$('th a[href*="sort="]').toArray()) {
        const href = first.$(a).attr('href')!;
        expect((await admin.get(href)).status, href).toBe(200);
        expect((await admin.get(href.replace('dir=asc', 'dir=desc'))).status).toBe(200);
      }
    }
    expect(captured.size).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const { sql, bindings } of captured.values()) {
      const scans = (await fullScans(t.services.db, sql, bindings)).filter((tbl) => !SMALL_TABLES.has(tbl));
      if (scans.length) offenders.push(`${scans.join(',')}: ${sql}`);
    }
    expect(offenders).toEqual([]);
  });

  it('serve the job runner and the core maintenance jobs from an index', async () => {
    captured.clear();
    for (const id of ['core.mail.deliver', 'core.sessions.cleanup', 'core.maintenance.prune', 'hello.prune']) {
      const run = await t.services.jobs.runOnce(id, 'manual');
      expect(run.status, `${id}: ${run.error}`).toBe('ok');
    }
    await t.services.jobs.tick();
    const offenders: string[] = [];
    const queries = [...captured.values()];
    for (const [name, qb] of Object.entries(explainableJobQueries(t.services.db))) {
      const native = qb.toSQL().toNative();
      queries.push({ sql: `/* ${name} */ ${native.sql}`, bindings: native.bindings });
    }
    for (const { sql, bindings } of queries) {
      const scans = (await fullScans(t.services.db, sql.replace(/^\/\*.*?\*\/ /, ''), bindings)).filter((tbl) => !SMALL_TABLES.has(tbl));
      if (scans.length) offenders.push(`${scans.join(',')}: ${sql}`);
    }
    expect(offenders).toEqual([]);
  });

  it('would notice a missing index', async () => {
    const sql = dbEngine(t.services.db) === 'pg' ? 'select * from core_outbox where "to" = ?' : 'select * from core_outbox where "to" = ?';
    expect(await fullScans(t.services.db, sql, ['x@example.test'])).toEqual(['core_outbox']);
  });
});

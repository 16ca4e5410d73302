// Every query of the processing and support pages, the runner and the ordering helpers is served by an index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { insertBatched } from '../../core/db/batch.ts';
import { explainableProcessingQueries } from '../../core/processing/operations.ts';
import { chooseServer } from '../../core/processing/servers.ts';
import { ticketForClient, ticketsForClient } from '../../core/support/tickets.ts';
import { ADMIN_EMAIL, insertClient, insertPackage, insertServer, processingApp } from './fixtures.ts';
import { fullScans } from '../helpers/query-plans.ts';

let t: TestApp;
let serverId: number;
let packageId: number;
const captured = new Map<string, { sql: string; bindings: readonly unknown[] }>();

// A handful of rows by nature: an operator has a few departments, item types and servers.
const SMALL_TABLES = new Set(['core_settings', 'core_jobs', 'core_departments', 'core_item_types', 'core_processing_servers']);

beforeAll(async () => {
  t = await processingApp();
  const db = t.services.db;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const clientId = await insertClient(db);
  ({ packageId } = await insertPackage(db, { itemType: 'vds' }));
  serverId = await insertServer(t, { name: 'vm.example.test', itemType: 'vds' });
  const statuses = ['active', 'suspended_nonpayment', 'cancelled', 'in_progress'];
  await insertBatched(db, 'core_services', Array.from({ length: 3000 }, (_, i) => ({ client_id: clientId, package_id: packageId, item_type: 'vds', label: `vm${i}`, status: statuses[i % 4], period_kind: 'months', period_length: 1, currency: 'USD', price: 100, processing_server_id: serverId, created_at: at(i), updated_at: at(i) })));
  const opStatuses = ['done', 'done', 'done', 'failed', 'manual', 'pending'];
  await insertBatched(db, 'core_service_operations', Array.from({ length: 3000 }, (_, i) => ({ service_id: 1 + (i % 3000), server_id: serverId, op: 'open', status: opStatuses[i % 6], payload: '{}', attempts: 1, max_attempts: 5, next_attempt_at: at(i + 5000), created_at: at(i) })));
  const depts = ((await db('core_departments').select('id')) as { id: number }[]).map((d) => d.id);
  const ticketStatuses = ['open', 'answered', 'customer_reply', 'closed', 'closed'];
  await insertBatched(db, 'core_tickets', Array.from({ length: 3000 }, (_, i) => ({ client_id: i % 3 ? clientId : null, department_id: depts[i % depts.length], subject: `Ticket ${i}`, status: ticketStatuses[i % 5], priority: 'normal', origin: 'client', created_at: at(i), updated_at: at(i * 2) })));
  await insertBatched(db, 'core_ticket_messages', Array.from({ length: 3000 }, (_, i) => ({ ticket_id: 1 + (i % 3000), author_type: 'client', body: 'Hello', internal: i % 2 === 0, created_at: at(i) })));
  await db.raw('analyze');
  db.on('query', (q: { sql: string; bindings?: readonly unknown[] }) => {
    if (/^\s*select/i.test(q.sql) && !/sqlite_master|pg_tables|knex_migrations/.test(q.sql)) captured.set(q.sql, { sql: q.sql, bindings: q.bindings ?? [] });
  });
});
afterAll(async () => {
  await t.destroy();
});


const MINE = /core_(processing_servers|service_operations|tickets|ticket_messages|departments|services|package_servers)\b/;

/** SQLite names a table by its alias in the plan ("SCAN t"): map aliases back to tables. */
function aliases(sql: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of sql.matchAll(/[`"](core_\w+)[`"] as [`"](\w+)[`"]/g)) map.set(m[2]!, m[1]!);
  return map;
}

async function offenders(queries: { sql: string; bindings: readonly unknown[] }[]): Promise<string[]> {
  const out: string[] = [];
  // Core's own queries (sessions, users, jobs) are checked by test/core/query-plans.test.ts.
  for (const { sql, bindings } of queries.filter((q) => MINE.test(q.sql))) {
    const names = aliases(sql);
    const scans = (await fullScans(t.services.db, sql, bindings)).map((x) => names.get(x) ?? x).filter((tbl) => !SMALL_TABLES.has(tbl));
    if (scans.length) out.push(`${scans.join(',')}: ${sql}`);
  }
  return out;
}

describe('query plans', () => {
  it('serve the processing and support pages, in every sort order and filter, from an index', async () => {
    const admin = t.agent();
    await admin.login('staff', ADMIN_EMAIL);
    captured.clear();
    const pages = [
      '/admin/processing/servers',
      `/admin/processing/servers/${serverId}`,
      ...['attention', 'manual', 'failed', 'pending', 'running', 'done'].map((s) => `/admin/processing/operations?status=${s}`),
      '/admin/processing/operations/4',
      '/admin/support/tickets',
      '/admin/support/tickets?status=all',
      '/admin/support/tickets?status=closed',
      '/admin/support/tickets?status=all&department=2',
      '/admin/support/tickets?status=active&department=1',
      '/admin/support/tickets?status=all&client=1',
      '/admin/support/tickets/1',
      '/admin/support/departments',
    ];
    for (const page of pages) {
      const first = await admin.get(page);
      expect(first.status, page).toBe(200);
      for (const a of first.$('th a[href*="sort="]').toArray()) {
        const href = first.$(a).attr('href')!;
        expect((await admin.get(href)).status, href).toBe(200);
        expect((await admin.get(href.replace('dir=asc', 'dir=desc'))).status).toBe(200);
      }
    }
    expect(captured.size).toBeGreaterThan(15);
    expect(await offenders([...captured.values()])).toEqual([]);
  });

  it('serve the runner, the ordering helpers and the client portal queries from an index', async () => {
    captured.clear();
    await t.services.processing.runDue({ limit: 5 });
    await chooseServer(t.services.db, { itemType: 'vds', packageId });
    await ticketsForClient(t.services.db, 1);
    await ticketForClient(t.services.db, 1, 2);
    const queries = [...captured.values()];
    for (const qb of Object.values(explainableProcessingQueries(t.services.db))) {
      const native = qb.toSQL().toNative();
      queries.push({ sql: native.sql, bindings: native.bindings });
    }
    expect(queries.length).toBeGreaterThan(8);
    expect(await offenders(queries)).toEqual([]);
  });
});

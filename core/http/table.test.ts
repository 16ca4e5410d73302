// Keyset paging in buildTable: pages never overlap or skip a row in any sort direction, even on a
// column full of ties; a tampered cursor shows the first page; a deep page is an index range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import type { Knex } from 'knex';
import { buildTable, type TableModel, type TableSpec } from './table.ts';
import type { AppEnv } from './env.ts';
import type { AppServices } from '../services.ts';
import { createSecretBox } from '../secrets/crypto.ts';
import { dbEngine } from '../db/knex.ts';
import { createTestDb, type TestDb } from '../../test/helpers/db.ts';
import { fullScans } from '../../test/helpers/query-plans.ts';

interface Item {
  id: number;
  grp: number;
  score: number;
  name: string;
}

const ROWS = 137;
const PAGE = 10;
const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
let tdb: TestDb;
let db: Knex;
let items: Item[];
const secrets = createSecretBox(Buffer.alloc(32, 7));
const web = new Hono<AppEnv>();

function spec(countUpTo?: number): TableSpec<Item> {
  return {
    id: 'items',
    columns: [
      { key: 'name', label: 'Name', sortBy: 'name' },
      { key: 'score', label: 'Score', sortBy: 'score' },
    ],
    defaultSort: 'score',
    pageSize: PAGE,
    keyset: countUpTo === undefined ? {} : { countUpTo },
  };
}

type Page = Pick<TableModel<Item>, 'total' | 'keyset' | 'sort' | 'dir'> & { ids: number[] };

async function get(query: string): Promise<Page> {
  const res = await web.request(`http://localhost/items${query}`);
  expect(res.status, query).toBe(200);
  return (await res.json()) as Page;
}

beforeAll(async () => {
  tdb = await createTestDb();
  db = tdb.db;
  await db.schema.createTable('items', (t) => {
    t.increments('id');
    t.integer('grp').notNullable();
    t.integer('score').notNullable();
    t.string('name', 20).notNullable();
    t.index(['grp', 'score', 'id']);
    t.index(['grp', 'name', 'id']);
  });
  // Group 1 is the table; the other groups are rows the pages must never show. Scores and names
  // repeat a lot, so only the id keeps the order total.
  const rows = Array.from({ length: ROWS * 3 }, (_, i) => ({ grp: (i % 3) + 1, score: (i * 7) % 11, name: NAMES[(i * 5) % NAMES.length]! }));
  for (let i = 0; i < rows.length; i += 100) await db('items').insert(rows.slice(i, i + 100));
  items = (await db('items').where('grp', 1).select('id', 'grp', 'score', 'name')) as Item[];
  if (dbEngine(db) === 'pg') await db.raw('analyze items');
  else await db.raw('analyze');
  web.use('*', async (c, next) => {
    c.set('app', { secrets } as unknown as AppServices);
    await next();
  });
  web.get('/items', async (c) => {
    const cap = c.req.query('cap');
    const model = await buildTable(c, spec(cap === undefined ? undefined : Number(cap)), db('items').where('grp', 1).select('id', 'score', 'name'));
    return c.json({ ids: model.rows.map((r) => r.id), total: model.total, keyset: model.keyset, sort: model.sort, dir: model.dir });
  });
});
afterAll(async () => {
  await tdb?.destroy();
});

function expected(sort: 'score' | 'name', dir: 'asc' | 'desc'): number[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...items].sort((a, b) => sign * (a[sort] < b[sort] ? -1 : a[sort] > b[sort] ? 1 : a.id - b.id)).map((r) => r.id);
}

const ORDERS = [
  ['score', 'asc'],
  ['score', 'desc'],
  ['name', 'asc'],
  ['name', 'desc'],
] as const;

describe('keyset paging', () => {
  it.each(ORDERS)('walks every row exactly once by %s %s, forward with Next and back with Previous', async (sort, dir) => {
    const base = `?sort=${sort}&dir=${dir}`;
    const forward: number[][] = [];
    let page = await get(base);
    expect(page.keyset?.before).toBeNull();
    forward.push(page.ids);
    while (page.keyset?.after) {
      page = await get(`${base}&after=${page.keyset.after}`);
      expect(page.keyset?.before, 'a page after the first links back').toBeTruthy();
      forward.push(page.ids);
      expect(forward.length).toBeLessThan(50);
    }
    expect(forward.flat()).toEqual(expected(sort, dir));
    expect(forward.slice(0, -1).every((p) => p.length === PAGE)).toBe(true);

    const backward: number[][] = [page.ids];
    while (page.keyset?.before) {
      page = await get(`${base}&before=${page.keyset.before}`);
      backward.unshift(page.ids);
      expect(backward.length).toBeLessThan(50);
    }
    expect(backward).toEqual(forward);
  });

  it('counts the rows, or says there are more than it counted, or does not count', async () => {
    expect(await get('')).toMatchObject({ total: ROWS, keyset: { counted: 'exact' } });
    expect(await get('?cap=50')).toMatchObject({ total: 50, keyset: { counted: 'more' } });
    expect(await get('?cap=0')).toMatchObject({ total: 0, keyset: { counted: 'none' } });
  });

  it('shows the first page for a tampered, foreign or malformed cursor', async () => {
    const first = await get('?sort=name&dir=desc');
    const second = await get(`?sort=name&dir=desc&after=${first.keyset!.after}`);
    expect(second.ids).not.toEqual(first.ids);
    const good = first.keyset!.after!;
    const [body, mac] = good.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify(['items', 'name', 'desc', "' or 1=1 --", 1])).toString('base64url');
    const typed = Buffer.from(JSON.stringify(['items', 'score', 'asc', 'not a number', 'nor an id'])).toString('base64url');
    const cursors = [
      `${forged}.${mac}`, // someone else's body under a real signature
      `${typed}.${mac}`,
      forged,
      `${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      body,
      '.',
      'x'.repeat(5000),
      '%00',
      encodeURIComponent('{"a":1}.abc'),
    ];
    for (const cursor of cursors) {
      for (const param of ['after', 'before']) {
        const page = await get(`?sort=name&dir=desc&${param}=${cursor}`);
        expect(page.ids, `${param}=${cursor.slice(0, 40)}`).toEqual(first.ids);
        expect(page.keyset?.before).toBeNull();
      }
    }
    // A cursor of one sort is not a position in another.
    expect((await get(`?sort=name&dir=asc&after=${good}`)).ids).toEqual(expected('name', 'asc').slice(0, PAGE));
    expect((await get(`?sort=score&dir=desc&after=${good}`)).ids).toEqual(expected('score', 'desc').slice(0, PAGE));
  });

  it('shows the last page when nothing is left after the cursor, and a full first page when little is left before it', async () => {
    const order = expected('score', 'asc');
    let page = await get('?sort=score&dir=asc');
    while (page.keyset?.after) page = await get(`?sort=score&dir=asc&after=${page.keyset.after}`);
    const last = page;
    // The rows after the second-to-last page's end are deleted: its Next link now points past the end.
    const beforeLast = await get(`?sort=score&dir=asc&before=${last.keyset!.before}`);
    const gone = last.ids;
    const saved = (await db('items').whereIn('id', gone).select('*')) as Item[];
    await db('items').whereIn('id', gone).delete();
    try {
      const after = await get(`?sort=score&dir=asc&after=${beforeLast.keyset!.after}`);
      expect(after.ids).toEqual(beforeLast.ids);
      expect(after.keyset?.after).toBeNull();
    } finally {
      await db('items').insert(saved);
    }
    // Previous from the second page when rows before it were deleted: the first page, full.
    const second = await get(`?sort=score&dir=asc&after=${(await get('?sort=score&dir=asc')).keyset!.after}`);
    const removed = order.slice(0, 3);
    const kept = (await db('items').whereIn('id', removed).select('*')) as Item[];
    await db('items').whereIn('id', removed).delete();
    try {
      const back = await get(`?sort=score&dir=asc&before=${second.keyset!.before}`);
      expect(back.ids).toEqual(order.slice(3, 3 + PAGE));
      expect(back.keyset?.before).toBeNull();
    } finally {
      await db('items').insert(kept);
    }
  });
});

describe('keyset query plans', () => {
  it.each(ORDERS)('reads a deep page by %s %s as an index range, not a scan', async (sort, dir) => {
    const base = `?sort=${sort}&dir=${dir}`;
    let page = await get(base);
    for (let i = 0; i < 8 && page.keyset?.after; i++) page = await get(`${base}&after=${page.keyset.after}`);
    const seen: { sql: string; bindings: readonly unknown[] }[] = [];
    const listen = (q: { sql: string; bindings?: readonly unknown[] }) => void seen.push({ sql: q.sql, bindings: q.bindings ?? [] });
    db.on('query', listen);
    try {
      await get(`${base}&after=${page.keyset!.after}`);
    } finally {
      db.off('query', listen);
    }
    const deep = seen.find((q) => /order by/i.test(q.sql) && q.bindings.length >= 3)!;
    expect(deep, 'the page query was captured').toBeTruthy();
    for (const q of seen) expect(await fullScans(db, q.sql, q.bindings), q.sql).toEqual([]);
    expect(await indexRange(db, deep.sql, deep.bindings), deep.sql).toBe(true);
  });
});

/** Whether the plan bounds an index scan by the cursor (a range on the sort column), not just the filter. */
async function indexRange(knex: Knex, sql: string, bindings: readonly unknown[]): Promise<boolean> {
  if (dbEngine(knex) === 'pg') {
    return knex.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      const res = await trx.raw(`explain ${sql.replace(/\$\d+/g, '?')}`, bindings as Knex.RawBinding[]);
      const plan = (res.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
      return /Index Cond: .*ROW\(.+, id\) [<>] ROW\(/.test(plan);
    });
  }
  const rows = (await knex.raw(`explain query plan ${sql}`, bindings as Knex.RawBinding[])) as { detail: string }[];
  return rows.some((r) => /^SEARCH items USING (COVERING )?INDEX \w+ \(grp=\? AND (score|name)[<>]\?\)$/.test(r.detail));
}

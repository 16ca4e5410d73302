// Server side of the table partial: reads sort/dir/page (or a keyset cursor) from the query, pages a
// knex query, builds the model.
import type { Context } from 'hono';
import type { Knex } from 'knex';
import type { AppEnv } from './env.ts';
import { timingSafeEqualStr } from '../secrets/crypto.ts';

export interface TableColumn<R> {
  key: string;
  label: string;
  /** SQL column to order by when the user sorts by this column; omit for unsortable columns. */
  sortBy?: string;
  align?: 'left' | 'right' | 'center';
  value?: (row: R) => unknown;
  /** The cell links here; a row for which it returns null shows the plain value. */
  href?: (row: R) => string | null;
  /** The link's accessible name when its text alone is ambiguous in a list ("Pay now" on every row). */
  ariaLabel?: (row: R) => string;
  /** An amount in minor units with its currency, shown as money text (h.money). */
  money?: (row: R) => { amount: number | string; currency: string };
  /** Badge style name (e.g. 'ok', 'failed'); the cell is shown as a badge when it returns one. */
  badge?: (row: R) => string | null;
  /** A view rendered into the cell with { row } (buttons, small forms). */
  partial?: string;
}

/** Where a keyset-paged table stands: links to the neighbouring pages and how many rows were counted. */
export interface KeysetPosition {
  /** Cursor of the page before this one (query parameter `before`); null on the first page. */
  before: string | null;
  /** Cursor of the page after this one (query parameter `after`); null on the last page. */
  after: string | null;
  /** `total` is every row ('exact'), a lower bound when counting stopped at the cap ('more'), or unknown ('none'). */
  counted: 'exact' | 'more' | 'none';
}

export interface TableModel<R> {
  id: string;
  caption?: string;
  empty?: string;
  columns: (TableColumn<R> & { sortable: boolean })[];
  rows: R[];
  sort: string;
  dir: 'asc' | 'desc';
  /** Offset paging only (1 under keyset paging, which has no page numbers). */
  page: number;
  pages: number;
  total: number;
  baseUrl: string;
  query: Record<string, string>;
  /** Set when the table pages by keyset (the partial shows First / Previous / Next). */
  keyset?: KeysetPosition;
}

export interface KeysetOptions {
  /**
   * Count the rows only up to this many (default 10,000) so a page never pays for a count over a huge
   * table: above it the table says "more than N". 0 leaves the count out.
   */
  countUpTo?: number;
}

export interface TableSpec<R> {
  id: string;
  caption?: string;
  empty?: string;
  columns: TableColumn<R>[];
  defaultSort: string;
  defaultDir?: 'asc' | 'desc';
  pageSize?: number;
  /** A tie-breaker column so paging is stable (default 'id'); unique, and selected under keyset paging. */
  tieBreaker?: string;
  /**
   * Page by keyset instead of OFFSET: the page after (or before) the last (first) row's sort value and
   * tie-breaker, so a deep page costs what the first one does when an index on (filter…, sort column,
   * tie-breaker) serves the query. Sort columns must be NOT NULL and selected under their own name
   * (`sortBy: 'i.total'` reads `row.total`). The query's own conditions must not end in a bare
   * `orWhere` (group them with `where(fn)`): the cursor condition is added with AND. Links carry the
   * cursor as `after=` / `before=`, signed with the panel's key; anything else there shows the first page.
   *
   * @example
   * // With an index on core_invoices (client_id, entered_on, id):
   * const table = await buildTable(c, { id: 'invoices', columns, defaultSort: 'entered_on', defaultDir: 'desc', keyset: { countUpTo: 1_000 } },
   *   db('core_invoices').where('client_id', clientId).select('id', 'number', 'entered_on', 'total'));
   */
  keyset?: KeysetOptions;
}

/**
 * A keyset-paged table's rows from fixed SQL instead of a knex builder: a hot list page can skip knex's
 * query compiler (bench/portal). It must read what the builder would: the same rows, ordered by
 * (`orderCol`, `tie`) in `dir`, strictly after `cursor` in that order when one is given.
 */
export interface KeysetSource<R> {
  rows(o: { orderCol: string; tie: string; dir: 'asc' | 'desc'; cursor: { value: CursorValue; id: CursorValue } | null; limit: number }): Promise<R[]>;
  /** The rows, counted up to `limit`. */
  countUpTo(limit: number): Promise<number>;
}

function isKeysetSource<R>(q: Knex.QueryBuilder | KeysetSource<R>): q is KeysetSource<R> {
  return typeof (q as KeysetSource<R>).countUpTo === 'function' && typeof (q as Knex.QueryBuilder).toSQL !== 'function';
}

/** Runs `query` (unsorted, unpaged) for the page the request asks for and returns the table model. A KeysetSource needs `spec.keyset`. */
export async function buildTable<R>(c: Context, spec: TableSpec<R>, query: Knex.QueryBuilder | KeysetSource<R>): Promise<TableModel<R>> {
  const q = c.req.query();
  const sortable = new Map(spec.columns.filter((col) => col.sortBy).map((col) => [col.key, col.sortBy!]));
  const sort = q.sort && sortable.has(q.sort) ? q.sort : spec.defaultSort;
  const dir: 'asc' | 'desc' = q.dir === 'asc' || q.dir === 'desc' ? q.dir : (spec.defaultDir ?? 'asc');
  if (spec.keyset) return buildKeysetTable(c, { ...spec, keyset: spec.keyset }, query, { sort, dir, orderCol: sortable.get(sort) ?? spec.defaultSort, q });
  if (isKeysetSource(query)) throw new Error(`Table '${spec.id}' reads from a KeysetSource but does not page by keyset`);
  const pageSize = spec.pageSize ?? 25;
  const [{ n }] = (await query.clone().clearSelect().clearOrder().count({ n: '*' })) as [{ n: number | string }];
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(pages, Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1));
  const orderCol = sortable.get(sort) ?? spec.defaultSort;
  const tie = spec.tieBreaker ?? 'id';
  const rows = (await query.clone().orderBy(orderCol, dir).orderBy(tie, dir).limit(pageSize).offset((page - 1) * pageSize)) as R[];
  return {
    id: spec.id,
    caption: spec.caption,
    empty: spec.empty,
    columns: spec.columns.map((col) => ({ ...col, sortable: Boolean(col.sortBy) })),
    rows,
    sort,
    dir,
    page,
    pages,
    total,
    baseUrl: c.req.path,
    query: q,
  };
}

/** A sort value or tie-breaker as the database hands it over (PostgreSQL gives bigints as strings). */
export type CursorValue = string | number;

/** Whose sort a cursor belongs to: a cursor is valid only for the table, column and direction that made it. */
export interface CursorScope {
  table: string;
  sort: string;
  dir: 'asc' | 'desc';
}

/** Signs cursors; AppServices.secrets is one. */
export interface CursorSigner {
  mac(purpose: string, data: string): string;
}

const CURSOR_PURPOSE = 'table-cursor';
/** 132 bits of the HMAC: forging a cursor is hopeless, and links stay short. */
const CURSOR_MAC_CHARS = 22;

function isCursorValue(v: unknown): v is CursorValue {
  return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= 256);
}

/**
 * The opaque cursor of a row: its sort value and tie-breaker, signed. The signature is what keeps a
 * hand-made cursor from reaching the database: on PostgreSQL `total > 'abc'` is an error, not a page.
 */
export function encodeCursor(signer: CursorSigner, scope: CursorScope, value: CursorValue, id: CursorValue): string {
  const body = Buffer.from(JSON.stringify([scope.table, scope.sort, scope.dir, value, id])).toString('base64url');
  return `${body}.${signer.mac(CURSOR_PURPOSE, body).slice(0, CURSOR_MAC_CHARS)}`;
}

/** The position in a cursor; null for anything this table's current sort did not sign (the caller shows the first page). */
export function decodeCursor(signer: CursorSigner, raw: string | undefined, scope: CursorScope): { value: CursorValue; id: CursorValue } | null {
  if (!raw || raw.length > 2048) return null;
  const dot = raw.lastIndexOf('.');
  if (dot < 1) return null;
  const body = raw.slice(0, dot);
  if (!timingSafeEqualStr(raw.slice(dot + 1), signer.mac(CURSOR_PURPOSE, body).slice(0, CURSOR_MAC_CHARS))) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) return null;
  const [table, sort, dir, value, id] = parsed as unknown[];
  if (table !== scope.table || sort !== scope.sort || dir !== scope.dir || !isCursorValue(value) || !isCursorValue(id)) return null;
  return { value, id };
}

/** The property a selected column arrives under: 'i.total' → 'total'. */
function fieldOf(sqlColumn: string): string {
  return sqlColumn.slice(sqlColumn.lastIndexOf('.') + 1);
}

function cursorValueOf(row: unknown, field: string, table: string): CursorValue {
  const v = (row as Record<string, unknown>)[field];
  const value = v instanceof Date ? v.toISOString() : v;
  if (!isCursorValue(value)) throw new Error(`Table '${table}' pages by keyset, but its rows have no usable '${field}' (${v === null ? 'null' : typeof v}); select it and keep it NOT NULL`);
  return value;
}

/** Rows of `query`, counted only up to `cap + 1` so the count costs at most that many index entries. */
async function countUpTo(query: Knex.QueryBuilder, tie: string, cap: number): Promise<number> {
  const capped = query.clone().clearSelect().clearOrder().select(tie).limit(cap + 1).as('capped');
  const [{ n }] = (await query.client.queryBuilder().count({ n: '*' }).from(capped)) as [{ n: number | string }];
  return Number(n);
}

async function buildKeysetTable<R>(
  c: Context,
  spec: TableSpec<R> & { keyset: KeysetOptions },
  query: Knex.QueryBuilder | KeysetSource<R>,
  s: { sort: string; dir: 'asc' | 'desc'; orderCol: string; q: Record<string, string> },
): Promise<TableModel<R>> {
  const signer = (c as Context<AppEnv>).get('app').secrets;
  const pageSize = spec.pageSize ?? 25;
  const tie = spec.tieBreaker ?? 'id';
  const scope: CursorScope = { table: spec.id, sort: s.sort, dir: s.dir };
  const after = decodeCursor(signer, s.q.after, scope);
  const before = after ? null : decodeCursor(signer, s.q.before, scope);

  /** pageSize + 1 rows from the cursor on, in display order (forward) or reversed (backward); the extra row says whether there are more. */
  const source = isKeysetSource(query) ? query : null;
  const rowsFrom = (cursor: { value: CursorValue; id: CursorValue } | null, forward: boolean): Promise<R[]> => {
    const ascending = forward === (s.dir === 'asc');
    if (source) return source.rows({ orderCol: s.orderCol, tie, dir: ascending ? 'asc' : 'desc', cursor, limit: pageSize + 1 });
    const qb = (query as Knex.QueryBuilder).clone();
    // A row value, so PostgreSQL bounds the index scan on both columns and SQLite on the sort column.
    if (cursor) qb.whereRaw(`(??, ??) ${ascending ? '>' : '<'} (?, ?)`, [s.orderCol, tie, cursor.value, cursor.id]);
    const d = ascending ? 'asc' : 'desc';
    return qb.orderBy(s.orderCol, d).orderBy(tie, d).limit(pageSize + 1) as unknown as Promise<R[]>;
  };

  const page = async (): Promise<{ rows: R[]; hasPrev: boolean; hasNext: boolean }> => {
    if (before) {
      const got = await rowsFrom(before, false);
      const hasPrev = got.length > pageSize;
      // Fewer rows than a page before the cursor: that is the start, shown as a full first page.
      if (hasPrev || got.length === pageSize) return { rows: got.slice(0, pageSize).reverse(), hasPrev, hasNext: true };
    } else if (after) {
      const got = await rowsFrom(after, true);
      if (got.length) return { rows: got.slice(0, pageSize), hasPrev: true, hasNext: got.length > pageSize };
      // Nothing after the cursor (its rows were deleted): the last page rather than an empty one.
      const last = await rowsFrom(null, false);
      return { rows: last.slice(0, pageSize).reverse(), hasPrev: last.length > pageSize, hasNext: false };
    }
    const got = await rowsFrom(null, true);
    return { rows: got.slice(0, pageSize), hasPrev: false, hasNext: got.length > pageSize };
  };

  const cap = spec.keyset.countUpTo ?? 10_000;
  const [{ rows, hasPrev, hasNext }, counted] = await Promise.all([page(), cap > 0 ? (source ? source.countUpTo(cap + 1) : countUpTo(query as Knex.QueryBuilder, tie, cap)) : Promise.resolve(null)]);
  const valueField = fieldOf(s.orderCol);
  const idField = fieldOf(tie);
  const cursorOf = (row: R) => encodeCursor(signer, scope, cursorValueOf(row, valueField, spec.id), cursorValueOf(row, idField, spec.id));
  return {
    id: spec.id,
    caption: spec.caption,
    empty: spec.empty,
    columns: spec.columns.map((col) => ({ ...col, sortable: Boolean(col.sortBy) })),
    rows,
    sort: s.sort,
    dir: s.dir,
    page: 1,
    pages: 1,
    total: counted === null ? 0 : Math.min(counted, cap),
    baseUrl: c.req.path,
    query: s.q,
    keyset: {
      before: hasPrev && rows.length ? cursorOf(rows[0]!) : null,
      after: hasNext && rows.length ? cursorOf(rows[rows.length - 1]!) : null,
      counted: counted === null ? 'none' : counted > cap ? 'more' : 'exact',
    },
  };
}

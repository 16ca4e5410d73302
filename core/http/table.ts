// Server side of the table partial: reads sort/dir/page from the query, pages a knex query, builds the model.
import type { Context } from 'hono';
import type { Knex } from 'knex';

export interface TableColumn<R> {
  key: string;
  label: string;
  /** SQL column to order by when the user sorts by this column; omit for unsortable columns. */
  sortBy?: string;
  align?: 'left' | 'right' | 'center';
  value?: (row: R) => unknown;
  href?: (row: R) => string;
  /** Badge style name (e.g. 'ok', 'failed'); the cell is shown as a badge when it returns one. */
  badge?: (row: R) => string | null;
  /** A view rendered into the cell with { row } (buttons, small forms). */
  partial?: string;
}

export interface TableModel<R> {
  id: string;
  caption?: string;
  empty?: string;
  columns: (TableColumn<R> & { sortable: boolean })[];
  rows: R[];
  sort: string;
  dir: 'asc' | 'desc';
  page: number;
  pages: number;
  total: number;
  baseUrl: string;
  query: Record<string, string>;
}

export interface TableSpec<R> {
  id: string;
  caption?: string;
  empty?: string;
  columns: TableColumn<R>[];
  defaultSort: string;
  defaultDir?: 'asc' | 'desc';
  pageSize?: number;
  /** A tie-breaker column so paging is stable (default 'id'). */
  tieBreaker?: string;
}

/** Runs `query` (unsorted, unpaged) for the page the request asks for and returns the table model. */
export async function buildTable<R>(c: Context, spec: TableSpec<R>, query: Knex.QueryBuilder): Promise<TableModel<R>> {
  const q = c.req.query();
  const sortable = new Map(spec.columns.filter((col) => col.sortBy).map((col) => [col.key, col.sortBy!]));
  const sort = q.sort && sortable.has(q.sort) ? q.sort : spec.defaultSort;
  const dir: 'asc' | 'desc' = q.dir === 'asc' || q.dir === 'desc' ? q.dir : (spec.defaultDir ?? 'asc');
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

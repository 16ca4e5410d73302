// The client's invoice list (seed 003, "Managing Invoices"): every invoice issued to the client, to be
// filtered by status and sorted by amount, date or status, and what is still owed. Every query is
// scoped by the client id; each sort, with or without the status filter, reads one index range of
// core_invoices: (client_id, [status,] entered_on | total, id) and (client_id, status, id).
import type { Knex } from 'knex';
import type { KeysetSource } from '../../http/table.ts';
import type { InvoiceStatus } from '../invoices/store.ts';
import { OPEN_INVOICE_STATUSES } from './home.ts';

type Q = Knex | Knex.Transaction;

/** What a client can filter by. Drafts are the operator's work in progress and never reach a client. */
export const CLIENT_INVOICE_STATUSES: readonly InvoiceStatus[] = ['unpaid', 'collections', 'paid', 'refunded', 'cancelled'];

export interface ClientInvoiceRow {
  id: number;
  number: string;
  status: InvoiceStatus;
  currency: string;
  /** Minor units; PostgreSQL hands bigints over as strings. */
  total: number | string;
  amount_paid: number | string;
  entered_on: string;
  due_on: string;
}

export const CLIENT_INVOICE_COLUMNS = ['id', 'number', 'status', 'currency', 'total', 'amount_paid', 'entered_on', 'due_on'] as const;

/** The status filter from a query string: one the client may see, else none. */
export function clientInvoiceStatus(raw: unknown): InvoiceStatus | undefined {
  return CLIENT_INVOICE_STATUSES.find((s) => s === raw);
}

// The client's invoices as fixed SQL through raw(), for the list page (bench/portal: knex's compiler cost about
// as much as SQLite's work). Identifiers are quoted as knex quotes them; the texts are few (sort column ×
// direction × filter), so SQLite's statement cache keeps them prepared. Both engines take the row value.
const KEYSET_ORDER_COLUMNS = new Set(['entered_on', 'total', 'status', 'id']);
const SELECT_INVOICES = `select ${CLIENT_INVOICE_COLUMNS.map((c) => `"${c}"`).join(', ')} from "core_invoices" where "client_id" = ?`;
const sqlTexts = new Map<string, string>();

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

/**
 * The client's invoices as a KeysetSource for buildTable (keyset paging over entered_on, total or status,
 * id breaking ties). `<> 'draft'` rather than IN (…the rest): an IN list would tempt SQLite into the
 * status index and a sort.
 */
export function clientInvoicesSource(db: Q, clientId: number, filter: { status?: InvoiceStatus } = {}): KeysetSource<ClientInvoiceRow> {
  const status = filter.status;
  const where = status ? ' and "status" = ?' : ` and "status" <> 'draft'`;
  const head = status ? [clientId, status] : [clientId];
  return {
    async rows({ orderCol, tie, dir, cursor, limit }) {
      if (!KEYSET_ORDER_COLUMNS.has(orderCol) || !KEYSET_ORDER_COLUMNS.has(tie)) throw new Error(`clientInvoicesSource cannot order by ${orderCol}, ${tie}`);
      const key = `${where}|${orderCol}|${tie}|${dir}|${cursor ? 1 : 0}`;
      let sql = sqlTexts.get(key);
      if (!sql) {
        const d = dir === 'asc' ? 'asc' : 'desc';
        const bound = cursor ? ` and ("${orderCol}", "${tie}") ${d === 'asc' ? '>' : '<'} (?, ?)` : '';
        sql = `${SELECT_INVOICES}${where}${bound} order by "${orderCol}" ${d}, "${tie}" ${d} limit ?`;
        sqlTexts.set(key, sql);
      }
      const bindings = cursor ? [...head, cursor.value, cursor.id, limit] : [...head, limit];
      return rowsOf<ClientInvoiceRow>(await db.raw(sql, bindings));
    },
    async countUpTo(limit) {
      const sql = `select count(*) as "n" from (select "id" from "core_invoices" where "client_id" = ?${where} limit ?) as "capped"`;
      const [row] = rowsOf<{ n: number | string }>(await db.raw(sql, [...head, limit]));
      return Number(row?.n ?? 0);
    },
  };
}

/** What is left to pay on an invoice, in minor units (0 once paid, cancelled or refunded). */
export function clientInvoiceDue(inv: Pick<ClientInvoiceRow, 'status' | 'total' | 'amount_paid'>): number {
  return (OPEN_INVOICE_STATUSES as readonly string[]).includes(inv.status) ? Math.max(0, Number(inv.total) - Number(inv.amount_paid)) : 0;
}

/** Whether the invoice is open and past its due date on `today` (YYYY-MM-DD). */
export function clientInvoiceOverdue(inv: Pick<ClientInvoiceRow, 'status' | 'total' | 'amount_paid' | 'due_on'>, today: string): boolean {
  return clientInvoiceDue(inv) > 0 && inv.due_on < today;
}

// Fixed SQL through raw(): every list page runs it, and knex's query compiler cost more than the query.
const OUTSTANDING_SQL = `select currency, sum(total - amount_paid) as amount, count(*) as count from core_invoices
  where client_id = ? and status in (${OPEN_INVOICE_STATUSES.map((s) => `'${s}'`).join(', ')}) and total > amount_paid
  group by currency order by currency`;

/** What the client owes, per currency (invoices may be in another currency than the credit balance). */
export async function clientOutstanding(db: Q, clientId: number): Promise<{ currency: string; amount: number; count: number }[]> {
  const result = (await db.raw(OUTSTANDING_SQL, [clientId])) as unknown;
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { currency: string; amount: number | string; count: number | string }[];
  return rows.map((r) => ({ currency: r.currency, amount: Number(r.amount), count: Number(r.count) }));
}

// Bulk inserts in chunks: knex's multi-row insert fails above 500 rows on SQLite (variable limit).
import type { Knex } from 'knex';

export const SQLITE_SAFE_BATCH = 100;

/** Inserts rows in chunks small enough for every engine; pass a transaction to make it atomic. */
export async function insertBatched(db: Knex | Knex.Transaction, table: string, rows: object[], chunk = SQLITE_SAFE_BATCH): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await db(table).insert(rows.slice(i, i + chunk));
  }
}

/**
 * IN lists longer than this are split: SQLite builds before 3.32 allow 999 bound variables per
 * statement, and with a list near a quarter of a (small) table SQLite's planner reads the whole
 * table instead of looking the keys up (seen at 500 of 2,000 clients in test/billing/admin-query-plans).
 */
export const IN_LIST_CHUNK = 250;

/** Splits `items` into runs of at most `size` (for IN lists and batched writes). */
export function chunksOf<T>(items: readonly T[], size = IN_LIST_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

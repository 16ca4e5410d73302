// Bulk inserts in chunks: knex's multi-row insert fails above 500 rows on SQLite (variable limit).
import type { Knex } from 'knex';

export const SQLITE_SAFE_BATCH = 100;

/** Inserts rows in chunks small enough for every engine; pass a transaction to make it atomic. */
export async function insertBatched(db: Knex | Knex.Transaction, table: string, rows: object[], chunk = SQLITE_SAFE_BATCH): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await db(table).insert(rows.slice(i, i + chunk));
  }
}

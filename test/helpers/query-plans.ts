// Query-plan checks shared by the "no accidental full scans" tests: EXPLAIN on both engines.
import type { Knex } from 'knex';
import { dbEngine } from '../../core/db/knex.ts';

/**
 * The tables a query reads whole, by its plan. SQLite: `SCAN <table>` without an index (index
 * scans and covering-index counts are fine). PostgreSQL: a `Seq Scan` even with seqscan disabled,
 * which only happens when no index can serve the query.
 */
export async function fullScans(db: Knex, sql: string, bindings: readonly unknown[]): Promise<string[]> {
  if (dbEngine(db) === 'pg') {
    return db.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      const res = await trx.raw(`explain ${sql.replace(/\$\d+/g, '?')}`, bindings as Knex.RawBinding[]);
      return (res.rows as { 'QUERY PLAN': string }[]).flatMap((r) => /Seq Scan on (\w+)/.exec(r['QUERY PLAN'])?.[1] ?? []);
    });
  }
  const rows = (await db.raw(`explain query plan ${sql}`, bindings as Knex.RawBinding[])) as { detail: string }[];
  // "SCAN capped" of `(select … limit ?) as capped` reads the subquery's own bounded result, not a table.
  const subqueryAlias = (name: string) => new RegExp(`\\)\\s+(as\\s+)?[\`"]?${name}[\`"]?(\\s|$)`, 'i').test(sql);
  return rows.flatMap((r) => /^SCAN (\w+)(?: AS \w+)?$/.exec(r.detail)?.[1] ?? []).filter((name) => !subqueryAlias(name));
}

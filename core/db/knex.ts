// Opens the database: SQLite (better-sqlite3, WAL, write-lock-first transactions) or PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

const require = createRequire(import.meta.url);

export type Db = Knex;

interface SqliteStatement {
  reader: boolean;
  safeIntegers(on: boolean): void;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { lastInsertRowid: number | bigint; changes: number };
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}
interface KnexQueryObject {
  sql: string;
  bindings?: unknown[];
  options?: unknown;
  response?: unknown;
  context?: unknown;
}

const STATEMENT_CACHE_SIZE = 500;
const statementCaches = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

function cachedStatement(connection: SqliteConnection, sql: string): SqliteStatement {
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (statement) {
    cache.delete(sql); // re-insert: Map order is the LRU order
  } else {
    statement = connection.prepare(sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(sql, statement);
  return statement;
}
export type DbEngine = 'sqlite' | 'pg';

/**
 * knex opens SQLite transactions with a plain `BEGIN`, which takes the write lock only at the
 * first write; if another process (the CLI running a job) writes meanwhile, the upgrade fails
 * with SQLITE_BUSY at once and busy_timeout does not help. `BEGIN IMMEDIATE` takes the write
 * lock up front, where SQLite does wait for busy_timeout.
 */
function immediateSqliteClient(): typeof Knex.Client {
  const Client_BetterSQLite3 = require('knex/lib/dialects/better-sqlite3/index.js');
  const Transaction_Sqlite = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js');
  class ImmediateTransaction extends Transaction_Sqlite {
    begin(conn: unknown) {
      return (this as unknown as { query(c: unknown, sql: string): Promise<unknown> }).query(conn, 'BEGIN IMMEDIATE;');
    }
  }
  class Client_TrellisSQLite extends Client_BetterSQLite3 {
    transaction(...args: unknown[]) {
      return new (ImmediateTransaction as new (...a: unknown[]) => unknown)(this, ...args);
    }

    // knex prepares every statement anew; compiling SQL is a tenth of a page's time (measured in
    // bench/http). Statements are cached per connection by their SQL text, a bounded LRU.
    async _query(connection: SqliteConnection, obj: KnexQueryObject) {
      if (!obj.sql) throw new Error('The query is empty');
      if (!connection) throw new Error('No connection provided');
      const statement = cachedStatement(connection, obj.sql);
      const safeIntegers = (this as unknown as { _optSafeIntegers(o: unknown): boolean | undefined })._optSafeIntegers(obj.options);
      statement.safeIntegers(safeIntegers ?? false);
      const bindings = (this as unknown as { _formatBindings(b: unknown): unknown[] })._formatBindings(obj.bindings);
      if (statement.reader) {
        obj.response = statement.all(bindings);
        return obj;
      }
      const response = statement.run(bindings);
      obj.response = response;
      obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
      return obj;
    }
  }
  return Client_TrellisSQLite as unknown as typeof Knex.Client;
}

// PostgreSQL returns int8/numeric as strings; our counters and money fit in 2^53, so parse them.
pg.types.setTypeParser(20, (v) => Number(v));

export interface OpenDbOptions {
  /** `sqlite:///abs/path.sqlite`, `sqlite::memory:` or `postgres://...` */
  url: string;
  /** PostgreSQL schema to use (tests isolate themselves in one schema each). */
  searchPath?: string;
  poolMax?: number;
}

export function engineOf(url: string): DbEngine {
  return /^postgres(ql)?:\/\//.test(url) ? 'pg' : 'sqlite';
}

export function openDb(opts: OpenDbOptions): Db {
  if (engineOf(opts.url) === 'pg') {
    return knexFactory({
      client: 'pg',
      connection: opts.url,
      searchPath: opts.searchPath ? [opts.searchPath] : undefined,
      pool: { min: 0, max: opts.poolMax ?? 10 },
    });
  }
  const filename = opts.url.replace(/^sqlite:(\/\/)?/, '') || ':memory:';
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
  return knexFactory({
    client: immediateSqliteClient(),
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        try {
          conn.pragma('journal_mode = WAL');
          conn.pragma('busy_timeout = 5000');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('foreign_keys = ON');
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
  });
}

export function dbEngine(db: Db): DbEngine {
  return db.client.config.client === 'pg' ? 'pg' : 'sqlite';
}

/** A short label for /healthz: engine and, for SQLite, the file name. */
export function describeDb(db: Db): string {
  if (dbEngine(db) === 'pg') return 'postgresql';
  const conn = db.client.config.connection as { filename?: string };
  return `sqlite:${path.basename(conn.filename ?? ':memory:')}`;
}

/** Lists the user tables of the current database (or schema). */
export async function listTables(db: Db): Promise<string[]> {
  if (dbEngine(db) === 'pg') {
    const rows = await db.raw(`select tablename from pg_tables where schemaname = current_schema()`);
    return (rows.rows as { tablename: string }[]).map((r) => r.tablename).sort();
  }
  const rows = (await db.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)) as { name: string }[];
  return rows.map((r) => r.name).sort();
}

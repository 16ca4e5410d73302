// Test databases: a fresh SQLite file per call, or with TRELLIS_TEST_DB=pg a fresh PostgreSQL schema.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import knexFactory from 'knex';
import { openDb, type Db } from '../../core/db/knex.ts';
import { migrateUp, CORE_MIGRATIONS } from '../../core/db/migrate.ts';

export const testEngine: 'sqlite' | 'pg' = process.env.TRELLIS_TEST_DB === 'pg' ? 'pg' : 'sqlite';
export const pgUrl = process.env.TRELLIS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDb {
  db: Db;
  /** The DATABASE_URL another process would use to reach the same database. */
  url: string;
  searchPath?: string;
  dir: string;
  destroy(): Promise<void>;
}

export function tempDir(prefix = 'trellis-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A new empty database (no migrations run). */
export async function createTestDb(): Promise<TestDb> {
  const dir = tempDir();
  if (testEngine === 'pg') {
    const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`create schema "${schema}"`);
    await admin.destroy();
    const db = openDb({ url: pgUrl, searchPath: schema, poolMax: 4 });
    return {
      db,
      url: pgUrl,
      searchPath: schema,
      dir,
      async destroy() {
        await db.destroy();
        const a = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
        await a.raw(`drop schema "${schema}" cascade`);
        await a.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = `sqlite://${path.join(dir, 'test.sqlite')}`;
  const db = openDb({ url });
  return {
    db,
    url,
    dir,
    async destroy() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new database with the core schema migrated. */
export async function createMigratedTestDb(): Promise<TestDb> {
  const t = await createTestDb();
  await migrateUp(t.db, CORE_MIGRATIONS, 'core');
  return t;
}

// Runs one migration folder against its own ledger table (core, or one per plugin).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const FILE = /^\d{14}_[a-z0-9_]+\.(ts|js|mjs)$/;

/** Reads `<YYYYMMDDHHMMSS>_<what>.ts` files in name order and imports them on demand. */
class FolderMigrationSource implements Knex.MigrationSource<string> {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<string[]> {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir).filter((f) => FILE.test(f) && !f.endsWith('.d.ts')).sort();
  }
  getMigrationName(file: string): string {
    return file.replace(/\.(ts|js|mjs)$/, '');
  }
  async getMigration(file: string): Promise<Knex.Migration> {
    const mod = (await import(pathToFileURL(path.join(this.dir, file)).href)) as Partial<MigrationModule>;
    if (typeof mod.up !== 'function' || typeof mod.down !== 'function') {
      throw new Error(`Migration ${file} must export up() and down()`);
    }
    return { up: mod.up, down: mod.down };
  }
}

export function ledgerTable(prefix: string): string {
  return prefix === 'core' ? 'knex_migrations__core' : `knex_migrations__${prefix}`;
}

function migratorConfig(dir: string | URL, prefix: string): Knex.MigratorConfig {
  const folder = typeof dir === 'string' ? dir : fileURLToPath(dir);
  return { migrationSource: new FolderMigrationSource(folder), tableName: ledgerTable(prefix), disableMigrationsListValidation: true };
}

/** Applies pending migrations; returns the names applied. */
export async function migrateUp(db: Knex, dir: string | URL, prefix: string): Promise<string[]> {
  const [, applied] = (await db.migrate.latest(migratorConfig(dir, prefix))) as [number, string[]];
  return applied;
}

/**
 * Rolls back the batch applied last: what one boot added, leaving earlier releases' tables and
 * their data alone (used to undo a new plugin version that broke the table-prefix rule).
 */
export async function migrateDownLastBatch(db: Knex, dir: string | URL, prefix: string): Promise<void> {
  await db.migrate.rollback(migratorConfig(dir, prefix), false);
}

/** Rolls every migration of the ledger back (uninstalling; tests of down migrations). */
export async function migrateDownAll(db: Knex, dir: string | URL, prefix: string): Promise<void> {
  await db.migrate.rollback(migratorConfig(dir, prefix), true);
}

export const CORE_MIGRATIONS = new URL('../../migrations/', import.meta.url);

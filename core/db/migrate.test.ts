// Core migrations run up and down on the engine under test and leave only core_ tables behind.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/helpers/db.ts';
import { CORE_MIGRATIONS, migrateDownAll, migrateUp } from './migrate.ts';
import { listTables } from './knex.ts';

let t: TestDb | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('core migrations', () => {
  it('create only core_ tables and roll back cleanly', async () => {
    t = await createTestDb();
    const applied = await migrateUp(t.db, CORE_MIGRATIONS, 'core');
    expect(applied.length).toBeGreaterThan(0);
    const tables = (await listTables(t.db)).filter((n) => !n.startsWith('knex_migrations'));
    expect(tables.length).toBeGreaterThan(0);
    for (const name of tables) expect(name).toMatch(/^core_/);
    expect(await migrateUp(t.db, CORE_MIGRATIONS, 'core')).toEqual([]);
    await migrateDownAll(t.db, CORE_MIGRATIONS, 'core');
    const left = (await listTables(t.db)).filter((n) => !n.startsWith('knex_migrations'));
    expect(left).toEqual([]);
  });
});

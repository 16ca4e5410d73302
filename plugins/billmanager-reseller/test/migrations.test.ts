// The plugin's migrations run up and down on the engine under test, and create only bmr_ tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDownAll, migrateUp } from '../../../core/db/migrate.ts';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';

const DIR = new URL('../migrations/', import.meta.url);
const TABLES = ['bmr_event_cursors', 'bmr_price_changes', 'bmr_registrars', 'bmr_tariff_periods', 'bmr_tariffs'];

let t: TestDb;
beforeAll(async () => {
  t = await createMigratedTestDb();
});
afterAll(async () => {
  await t.destroy();
});

describe('migrations', () => {
  it('create the bmr_ tables and drop them again', async () => {
    expect(await migrateUp(t.db, DIR, 'bmr')).toEqual(['20261201000100_reseller']);
    for (const table of TABLES) expect(await t.db.schema.hasTable(table), table).toBe(true);
    await migrateDownAll(t.db, DIR, 'bmr');
    for (const table of TABLES) expect(await t.db.schema.hasTable(table), table).toBe(false);
    expect(await migrateUp(t.db, DIR, 'bmr')).toEqual(['20261201000100_reseller']);
  });
});

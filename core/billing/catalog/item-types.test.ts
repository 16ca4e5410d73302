// registerItemType: plugins add kinds of service idempotently without overriding the operator's switches.
import { afterEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { registerItemType, sellableItemTypes } from './item-types.ts';
import { findItemType, updateItemTypeFlags } from './store.ts';

let t: TestDb | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('registerItemType', () => {
  it('adds a new kind switched on, and re-registering keeps the operator’s switches', async () => {
    t = await createMigratedTestDb();
    await registerItemType(t.db, { id: 'listhosting', name: 'Mailing lists', owner: 'listmanager-billing', position: 80 });
    expect(await findItemType(t.db, 'listhosting')).toEqual({ id: 'listhosting', name: 'Mailing lists', owner: 'listmanager-billing', enabled: true, needsParent: false, position: 80 });
    await updateItemTypeFlags(t.db, 'listhosting', { enabled: false, needsParent: true });
    await registerItemType(t.db, { id: 'listhosting', name: 'Mailing list hosting', owner: 'listmanager-billing', needsParent: false });
    expect(await findItemType(t.db, 'listhosting')).toMatchObject({ name: 'Mailing list hosting', enabled: false, needsParent: true });
    expect((await sellableItemTypes(t.db)).map((x) => x.id)).not.toContain('listhosting');
  });

  it('refuses ids that are not lower-case names', async () => {
    t = await createMigratedTestDb();
    await expect(registerItemType(t.db, { id: 'List Hosting', name: 'x', owner: 'p' })).rejects.toThrow(/must be lower-case/);
    expect(await findItemType(t.db, 'List Hosting')).toBeNull();
  });
});

// Item types (kinds of service: domain, VDS, dedicated, software, ...) and their feature switches.
import { findItemType, listItemTypes, upsertItemType, type Db, type ItemType } from './store.ts';

export type { ItemType } from './store.ts';

export interface ItemTypeRegistration {
  /** Lower-case id, unique across core and plugins: 'domain', 'listmanager-list'. */
  id: string;
  /** What operators read in lists and forms: 'Mailing list hosting'. */
  name: string;
  /** 'core' or the plugin's name. */
  owner: string;
  /** Default of "Server required": the service is ordered as an add-on of another service. */
  needsParent?: boolean;
  /** Order in lists (built-in types use 10–90). */
  position?: number;
}

const ITEM_TYPE_ID = /^[a-z][a-z0-9_-]{0,39}$/;

/**
 * Registers an item type so packages of it can be created. Idempotent: call it on every boot.
 * A new type starts enabled with the given "server required" default; an existing one only gets
 * its name and owner refreshed, so the operator's switches (enabled, server required) survive.
 *
 * @example
 * await registerItemType(ctx.db, { id: 'listhosting', name: 'Mailing list hosting', owner: 'listmanager-billing' });
 */
export async function registerItemType(db: Db, t: ItemTypeRegistration): Promise<void> {
  if (!ITEM_TYPE_ID.test(t.id)) throw new Error(`Item type id '${t.id}' must be lower-case letters, digits, '-' or '_' (at most 40, starting with a letter)`);
  if (!t.name.trim()) throw new Error(`Item type '${t.id}' needs a name`);
  await upsertItemType(db, { id: t.id, name: t.name.trim().slice(0, 100), owner: t.owner, needsParent: t.needsParent ?? false, position: t.position ?? 100 });
}

/** Item types new packages may use: the enabled ones, in their display order. */
export async function sellableItemTypes(db: Db): Promise<ItemType[]> {
  return listItemTypes(db, { enabledOnly: true });
}

export async function isItemTypeSold(db: Db, id: string): Promise<boolean> {
  return (await findItemType(db, id))?.enabled ?? false;
}

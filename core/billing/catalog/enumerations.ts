// Enumerations (e.g. the OS list of dedicated servers): validation of the enumeration and item forms, reordering.
import { z } from 'zod';
import type { FormValues } from '../../http/forms.ts';
import { check, fail, type Checked } from './inputs.ts';
import {
  findEnumerationByInternalName,
  listEnumerationItems,
  updateEnumerationItem,
  type Db,
  type Enumeration,
  type EnumerationItem,
} from './store.ts';

export const UNIQUE_INTERNAL_NAME = 'An internal name must be unique';

/** Internal names reach upstream systems as they are ("5-ISPmanager Lite", "HPCorei5"): any printable text. */
export const internalNameField = z
  .string()
  .trim()
  .min(1, 'Enter an internal name')
  .max(100, 'Use at most 100 characters')
  .regex(/^[^\p{Cc}]+$/u, 'Use printable characters only');

const enumerationSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(100, 'Use at most 100 characters'),
  internal_name: internalNameField,
});

export async function validateEnumeration(db: Db, values: FormValues, existingId?: number): Promise<Checked<Omit<Enumeration, 'id'>>> {
  const parsed = check(enumerationSchema, values);
  if (!parsed.ok) return parsed;
  const clash = await findEnumerationByInternalName(db, parsed.data.internal_name);
  if (clash && clash.id !== existingId) return fail({ internal_name: UNIQUE_INTERNAL_NAME });
  return { ok: true, data: { name: parsed.data.name, internalName: parsed.data.internal_name } };
}

const itemSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(100, 'Use at most 100 characters'),
  internal_name: internalNameField,
});

/** Validates an item; internal names are unique within their enumeration. */
export async function validateEnumerationItem(
  db: Db,
  enumerationId: number,
  values: FormValues,
  existingItemId?: number,
): Promise<Checked<{ name: string; internalName: string }>> {
  const parsed = check(itemSchema, values);
  if (!parsed.ok) return parsed;
  const items = await listEnumerationItems(db, [enumerationId]);
  if (items.some((i) => i.internalName === parsed.data.internal_name && i.id !== existingItemId)) {
    return fail({ internal_name: `${UNIQUE_INTERNAL_NAME} within the enumeration` });
  }
  return { ok: true, data: { name: parsed.data.name, internalName: parsed.data.internal_name } };
}

/** The position a new item gets: after the last one. */
export function nextPosition(items: EnumerationItem[]): number {
  return items.reduce((max, i) => Math.max(max, i.position), 0) + 10;
}

/**
 * Moves an item one place up or down by renumbering the whole list (10, 20, 30 ...), so equal or
 * sparse positions never make a move a no-op. Runs inside the caller's transaction.
 */
export async function moveEnumerationItem(trx: Db, enumerationId: number, itemId: number, direction: 'up' | 'down'): Promise<boolean> {
  const items = await listEnumerationItems(trx, [enumerationId]);
  const i = items.findIndex((x) => x.id === itemId);
  const j = direction === 'up' ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= items.length) return false;
  [items[i], items[j]] = [items[j]!, items[i]!];
  for (const [k, item] of items.entries()) {
    const position = (k + 1) * 10;
    if (item.position !== position) await updateEnumerationItem(trx, item.id, { position });
  }
  return true;
}

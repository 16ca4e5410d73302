// Packages (tariff plans): validating the package form, saving it with its servers and upgrade paths, deleting safely.
import { z } from 'zod';
import type { FormValues } from '../../http/forms.ts';
import { check, list, checkbox, text, fail, wholeNumber, type Checked } from './inputs.ts';
import { UNIQUE_INTERNAL_NAME, internalNameField } from './enumerations.ts';
import {
  countServicesOfPackage,
  deletePackage,
  findItemType,
  findPackageRowByInternalName,
  findPackages,
  findProcessingServers,
  insertPackage,
  setPackageServers,
  setUpgradeTargets,
  updatePackage,
  type Db,
  type Package,
  type PackageFields,
} from './store.ts';

export const BILLING_TYPES = ['period', 'usage'] as const;
export const BILLING_TYPE_LABELS: Record<(typeof BILLING_TYPES)[number], string> = {
  period: 'By ordered period',
  usage: 'By usage',
};

const packageSchema = z.object({
  name: z.string().trim().min(1, 'Enter the package’s name').max(200, 'Use at most 200 characters'),
  internal_name: internalNameField,
  item_type: z.string().trim().min(1, 'Choose the kind of service'),
  billing_type: z.enum(BILLING_TYPES, { message: 'Choose how it is billed' }),
  description: z.string().max(5000, 'Use at most 5,000 characters').optional().default(''),
  agreement: z.string().max(20000, 'Use at most 20,000 characters').optional().default(''),
});

export interface PackageInput extends PackageFields {
  /** Absent on the create form: servers and upgrade paths are chosen on the edit form. */
  serverIds?: number[];
  upgradeIds?: number[];
}

function ids(raw: string[]): number[] | null {
  const out = raw.map((s) => (/^\d{1,9}$/.test(s) ? Number(s) : NaN));
  return out.some((n) => !Number.isInteger(n) || n <= 0) ? null : [...new Set(out)];
}

/**
 * Validates the whole package form before anything is written: fields, a unique internal name,
 * a sold item type (a package keeps its type while services use it), processing servers and
 * upgrade targets of the same item type. `existing` is the package being edited.
 */
export async function validatePackage(db: Db, values: FormValues, existing?: Package): Promise<Checked<PackageInput>> {
  const parsed = check(packageSchema, values);
  const errors: Record<string, string> = parsed.ok ? {} : { ...parsed.errors };
  const position = text(values, 'position') === '' ? 100 : wholeNumber(text(values, 'position'), { min: 0, max: 1_000_000 });
  if (typeof position === 'string') errors.position = position;

  const internalName = text(values, 'internal_name');
  if (!errors.internal_name) {
    const clash = await findPackageRowByInternalName(db, internalName);
    if (clash && clash.id !== existing?.id) errors.internal_name = UNIQUE_INTERNAL_NAME;
  }

  const itemTypeId = text(values, 'item_type');
  const itemType = itemTypeId ? await findItemType(db, itemTypeId) : null;
  if (!errors.item_type) {
    if (!itemType) errors.item_type = 'Choose the kind of service from the list';
    else if (!itemType.enabled && itemType.id !== existing?.itemType) errors.item_type = `${itemType.name} is switched off under Service kinds; switch it on first`;
    else if (existing && itemType.id !== existing.itemType) {
      const services = await countServicesOfPackage(db, existing.id);
      if (services > 0) errors.item_type = `${services} service${services === 1 ? ' uses' : 's use'} this package, so its kind of service cannot change`;
    }
  }

  let serverIds: number[] | undefined;
  let upgradeIds: number[] | undefined;
  if (existing) {
    serverIds = ids(list(values, 'servers')) ?? undefined;
    if (!serverIds) errors.servers = 'Choose servers from the list';
    else if (itemType) {
      const servers = await findProcessingServers(db, serverIds);
      const wrong = servers.find((s) => s.itemType !== itemType.id);
      if (servers.length !== serverIds.length) errors.servers = 'Choose servers from the list';
      else if (wrong) errors.servers = `Server “${wrong.name}” serves another kind of service; a server serves one kind only`;
    }
    upgradeIds = ids(list(values, 'upgrades')) ?? undefined;
    if (!upgradeIds) errors.upgrades = 'Choose packages from the list';
    else if (upgradeIds.includes(existing.id)) errors.upgrades = 'A package cannot be an upgrade of itself';
    else if (itemType) {
      const targets = await findPackages(db, upgradeIds);
      const wrong = targets.find((p) => p.itemType !== itemType.id);
      if (targets.length !== upgradeIds.length) errors.upgrades = 'Choose packages from the list';
      else if (wrong) errors.upgrades = `“${wrong.name}” sells another kind of service; upgrades stay within one kind`;
    }
  }

  if (!parsed.ok || Object.keys(errors).length) return fail(errors);
  const d = parsed.data;
  return {
    ok: true,
    data: {
      name: d.name,
      internalName: d.internal_name,
      itemType: d.item_type,
      billingType: d.billing_type,
      description: d.description.trim(),
      agreement: d.agreement.trim(),
      active: checkbox(values, 'active'),
      position: position as number,
      ...(serverIds ? { serverIds } : {}),
      ...(upgradeIds ? { upgradeIds } : {}),
    },
  };
}

/** Writes a validated package (new when `id` is absent) with its servers and upgrade paths; returns its id. */
export async function savePackage(trx: Db, input: PackageInput, now: string, id?: number): Promise<number> {
  const { serverIds, upgradeIds, ...fields } = input;
  const packageId = id ?? (await insertPackage(trx, fields, now));
  if (id !== undefined) await updatePackage(trx, id, fields, now);
  if (serverIds) await setPackageServers(trx, packageId, serverIds);
  if (upgradeIds) await setUpgradeTargets(trx, packageId, upgradeIds);
  return packageId;
}

/** Why a package cannot be deleted (services were ordered from it), or null when it can. */
export async function packageDeletionBlocker(db: Db, pkg: Package): Promise<string | null> {
  const services = await countServicesOfPackage(db, pkg.id);
  if (services === 0) return null;
  return `${services} service${services === 1 ? ' was' : 's were'} ordered from “${pkg.name}”, so it cannot be deleted. Make it inactive instead: nobody can order it then, and existing services keep running.`;
}

/** Deletes a package with its periods, prices, add-ons and links (the schema cascades them). */
export async function removePackage(trx: Db, pkg: Package): Promise<void> {
  await deletePackage(trx, pkg.id);
}

// Package add-ons (enumeration, yes/no, number) and their prices per period and currency.
import { z } from 'zod';
import type { FormValues } from '../../http/forms.ts';
import { check, checkbox, fail, parsePriceInput, text, wholeNumber, type Checked } from './inputs.ts';
import { unknownCurrencyErrors } from './periods.ts';
import {
  findAddonByInternalName,
  findEnumeration,
  insertAddon,
  listEnumerationItems,
  replaceAddonPrices,
  updateAddon,
  type Addon,
  type AddonFields,
  type AddonKind,
  type AddonPrice,
  type Currency,
  type Db,
  type EnumerationItem,
  type Period,
} from './store.ts';

export const ADDON_KINDS = ['enum', 'logic', 'number'] as const satisfies readonly AddonKind[];
export const ADDON_KIND_LABELS: Record<AddonKind, string> = {
  enum: 'Choice from an enumeration',
  logic: 'Yes / no',
  number: 'Number of units',
};

/** The price key of logic and number add-ons (enum add-ons are priced per enumeration item id). */
export const NO_ITEM = 0;

/** Form field of one price cell: period × option (enumeration item id, or 0) × currency. */
export const addonPriceField = (periodId: number, itemId: number, code: string) => `price.${periodId}.${itemId}.${code}`;

/** The options an add-on is priced by: one per enumeration item, or the single "yes" / "per unit" price. */
export function priceOptions(kind: AddonKind, items: EnumerationItem[]): { id: number; label: string }[] {
  if (kind === 'enum') return items.map((i) => ({ id: i.id, label: i.name }));
  return [{ id: NO_ITEM, label: kind === 'logic' ? 'Price for “yes”' : 'Price per unit beyond the included ones' }];
}

/** Add-on internal names are the keys clients' choices arrive under: keep them plain. */
const addonInternalName = z
  .string()
  .trim()
  .min(1, 'Enter an internal name')
  .max(100, 'Use at most 100 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'Use letters, digits, “-” and “_” only (e.g. ispmgr, os)');

const addonSchema = z.object({
  name: z.string().trim().min(1, 'Enter the add-on’s name').max(200, 'Use at most 200 characters'),
  internal_name: addonInternalName,
  unit: z.string().trim().max(20, 'Use at most 20 characters').optional().default(''),
  default_value: z.string().trim().max(100, 'Use at most 100 characters').optional().default(''),
});

export interface AddonInput extends AddonFields {
  prices: Omit<AddonPrice, 'addonId'>[];
}

export interface AddonFormContext {
  kind: AddonKind;
  /** Fixed for enum add-ons once chosen (prices are per item of it). */
  enumerationId: number | null;
  periods: Period[];
  currencies: Currency[];
  existing?: Addon;
}

/**
 * Validates the add-on form in full: fields, limits of number add-ons, a default value the add-on
 * accepts, and the price grid. Every option needs a price in the base currency for every period
 * (a number add-on whose maximum is within the included units needs none); other currencies left
 * blank mean the option is not sold in them.
 */
export async function validateAddon(db: Db, packageId: number, values: FormValues, ctx: AddonFormContext): Promise<Checked<AddonInput>> {
  const parsed = check(addonSchema, values);
  const errors: Record<string, string> = parsed.ok ? {} : { ...parsed.errors };
  const kind = ctx.kind;

  let items: EnumerationItem[] = [];
  if (kind === 'enum') {
    const enumeration = ctx.enumerationId ? await findEnumeration(db, ctx.enumerationId) : null;
    if (!enumeration) errors.enumeration_id = 'Choose an enumeration';
    else {
      items = await listEnumerationItems(db, [enumeration.id]);
      if (items.length === 0) errors.enumeration_id = `“${enumeration.name}” has no items yet; add them under Enumerations first`;
    }
  }

  let min = 0;
  let max: number | null = null;
  let step = 1;
  let included = 0;
  if (kind === 'number') {
    const read = (key: string, opts: { min?: number; max?: number }) => {
      const n = wholeNumber(text(values, key), { max: 1_000_000_000, ...opts });
      if (typeof n === 'string') errors[key] = n;
      return typeof n === 'number' ? n : 0;
    };
    min = text(values, 'min') === '' ? 0 : read('min', { min: 0 });
    max = text(values, 'max') === '' ? null : read('max', { min: 0 });
    step = text(values, 'step') === '' ? 1 : read('step', { min: 1 });
    included = text(values, 'included') === '' ? 0 : read('included', { min: 0 });
    if (!errors.max && !errors.min && max !== null && max < min) errors.max = 'The maximum must not be below the minimum';
  }

  const defaultValue = text(values, 'default_value');
  if (defaultValue !== '' && !errors.default_value) {
    if (kind === 'logic' && defaultValue !== '0' && defaultValue !== '1') errors.default_value = 'Choose yes, no or none';
    if (kind === 'enum' && items.length && !items.some((i) => i.internalName === defaultValue)) errors.default_value = 'Choose one of the enumeration’s items, or none';
    if (kind === 'number') {
      const problem = numberProblem(defaultValue, { min, max, step });
      if (problem) errors.default_value = problem;
    }
  }

  if (!errors.internal_name) {
    const clash = await findAddonByInternalName(db, packageId, text(values, 'internal_name'));
    if (clash && clash.id !== ctx.existing?.id) errors.internal_name = 'An internal name must be unique among the package’s add-ons';
  }

  // The price grid.
  Object.assign(errors, unknownCurrencyErrors(values, /^price\.\d+\.\d+\.(.*)$/, (m) => m[1]!, ctx.currencies));
  const periodIds = new Set(ctx.periods.map((p) => p.id));
  const options = priceOptions(kind, items);
  const optionIds = new Set(options.map((o) => o.id));
  for (const key of Object.keys(values)) {
    const m = /^price\.(\d+)\.(\d+)\./.exec(key);
    if (m && (!periodIds.has(Number(m[1])) || !optionIds.has(Number(m[2])))) {
      errors[key] = 'This price belongs to a period or item that no longer exists';
      errors._form ??= 'The form is out of date (a period or an enumeration item changed meanwhile). Reload the page and try again.';
    }
  }
  const unitsNeverCharged = kind === 'number' && max !== null && max <= included;
  const prices: AddonInput['prices'] = [];
  for (const period of ctx.periods) {
    for (const option of options) {
      for (const c of ctx.currencies) {
        const field = addonPriceField(period.id, option.id, c.code);
        const price = parsePriceInput(text(values, field), c);
        if (!price.ok) errors[field] = price.error;
        else if (price.amount !== null) prices.push({ periodId: period.id, currency: c.code, enumItemId: option.id, price: price.amount });
        else if (c.isBase && !unitsNeverCharged) errors[field] = `Enter a price in ${c.code}`;
      }
    }
  }

  if (!parsed.ok || Object.keys(errors).length) return fail(errors);
  const d = parsed.data;
  const positionRaw = text(values, 'position');
  return {
    ok: true,
    data: {
      name: d.name,
      internalName: d.internal_name,
      kind,
      enumerationId: kind === 'enum' ? ctx.enumerationId : null,
      min,
      max,
      step,
      included,
      unit: kind === 'number' ? d.unit : '',
      defaultValue,
      required: checkbox(values, 'required'),
      active: checkbox(values, 'active'),
      position: /^\d{1,9}$/.test(positionRaw) ? Number(positionRaw) : (ctx.existing?.position ?? 0),
      prices,
    },
  };
}

/** Why a number is not a valid value of a number add-on, or null when it is. */
export function numberProblem(raw: string, a: { min: number; max: number | null; step: number }): string | null {
  if (!/^-?\d{1,15}$/.test(raw.trim())) return 'Enter a whole number';
  const n = Number(raw.trim());
  if (n < a.min) return `Enter at least ${a.min}`;
  if (a.max !== null && n > a.max) return `Enter at most ${a.max}`;
  if ((n - a.min) % a.step !== 0) return a.min === 0 ? `Enter a multiple of ${a.step}` : `Enter ${a.min} plus a multiple of ${a.step}`;
  return null;
}

/** Writes a validated add-on and its prices in the active currencies; returns its id. */
export async function saveAddon(trx: Db, packageId: number, input: AddonInput, currencies: Currency[], existingId?: number): Promise<number> {
  const { prices, ...fields } = input;
  const id = existingId ?? (await insertAddon(trx, packageId, fields));
  if (existingId !== undefined) await updateAddon(trx, existingId, fields);
  await replaceAddonPrices(trx, id, currencies.map((c) => c.code), prices);
  return id;
}

// Taxes: rates by country and region in basis points, and the catalog-wide "prices include tax" setting.
import { z } from 'zod';
import type { Knex } from 'knex';
import { parseAmount, taxInGross, taxOnNet, toDecimalString } from '../../money/money.ts';
import type { FormValues } from '../../http/forms.ts';
import { check, checkbox, fail, text, type Checked } from './inputs.ts';
import { findTaxRateByPlace, type Db, type TaxRate } from './store.ts';

export type { TaxRate } from './store.ts';

/** core_settings key of the catalog's settings. */
export const CATALOG_SETTINGS_KEY = 'billing.catalog';

export interface CatalogSettings {
  /**
   * true: catalog prices are gross (tax-inclusive, the tax is the part of the price that
   * taxInGross() finds); false: prices are net and tax is added on top (taxOnNet()).
   */
  pricesIncludeTax: boolean;
}

export const DEFAULT_CATALOG_SETTINGS: CatalogSettings = { pricesIncludeTax: false };

/** The catalog settings with defaults filled in (`settings` is c.get('app').settings or ctx.settings). */
export async function getCatalogSettings(settings: { get<T>(key: string): Promise<T | undefined> }): Promise<CatalogSettings> {
  const saved = (await settings.get<Partial<CatalogSettings>>(CATALOG_SETTINGS_KEY)) ?? {};
  return { pricesIncludeTax: saved.pricesIncludeTax === true };
}

export async function saveCatalogSettings(
  settings: { set(key: string, value: unknown, trx?: Knex.Transaction): Promise<void> },
  value: CatalogSettings,
  trx?: Knex.Transaction,
): Promise<void> {
  await settings.set(CATALOG_SETTINGS_KEY, { pricesIncludeTax: value.pricesIncludeTax }, trx);
}

/** "20" → 2000, "7.25" → 725, "7,25 %" → 725; null unless 0–100 with at most two decimals. */
export function parsePercent(input: string): number | null {
  const s = input.trim().replace(/\s*%$/, '');
  if (s.startsWith('-')) return null;
  const bp = parseAmount(s, 2);
  return bp !== null && bp >= 0 && bp <= 10_000 ? bp : null;
}

/** 725 → "7.25", 2000 → "20". */
export function formatPercent(bp: number): string {
  return toDecimalString(bp, 2).replace(/\.?0+$/, '');
}

/**
 * The tax rate that applies to a buyer: the active rate for (country, region) when one exists,
 * otherwise the active country-wide rate, otherwise null (no tax configured: charge none).
 * Codes are ISO 3166-1 alpha-2 and the subdivision part of ISO 3166-2 ('CA' for US-CA).
 */
export async function findTaxRate(db: Db, country: string, region = ''): Promise<TaxRate | null> {
  const c = country.trim().toUpperCase();
  const r = region.trim().toUpperCase();
  if (r) {
    const regional = await findTaxRateByPlace(db, c, r);
    if (regional?.active) return regional;
  }
  const national = await findTaxRateByPlace(db, c, '');
  return national?.active ? national : null;
}

/**
 * Splits a catalog amount into net, tax and gross under the catalog's tax mode:
 * tax-inclusive prices contain the tax, tax-exclusive prices get it added.
 */
export function splitTax(amount: number, rateBp: number, pricesIncludeTax: boolean): { net: number; tax: number; gross: number } {
  if (pricesIncludeTax) {
    const tax = taxInGross(amount, rateBp);
    return { net: amount - tax, tax, gross: amount };
  }
  const tax = taxOnNet(amount, rateBp);
  return { net: amount, tax, gross: amount + tax };
}

const taxRateSchema = z.object({
  country: z.string().trim().regex(/^[A-Z]{2}$/, 'Use the two-letter ISO 3166 country code in capitals, e.g. DE'),
  region: z
    .string()
    .trim()
    .regex(/^([A-Z0-9]{1,3})?$/, 'Use the subdivision code in capitals (CA for US-CA), or leave it empty for the whole country')
    .optional()
    .default(''),
  name: z.string().trim().min(1, 'Enter a name shown on invoices, e.g. VAT').max(60, 'Use at most 60 characters'),
  rate: z.string().optional().default(''),
});

export type TaxRateInput = Omit<TaxRate, 'id'>;

/** Validates the tax rate form; one rate per country and region. */
export async function validateTaxRate(db: Db, values: FormValues, existingId?: number): Promise<Checked<TaxRateInput>> {
  const parsed = check(taxRateSchema, values);
  const errors: Record<string, string> = parsed.ok ? {} : { ...parsed.errors };
  const rateBp = parsePercent(text(values, 'rate'));
  if (rateBp === null) errors.rate = 'Enter a percentage from 0 to 100 with at most two decimals, like 20 or 7.25';
  if (parsed.ok) {
    const clash = await findTaxRateByPlace(db, parsed.data.country, parsed.data.region);
    if (clash && clash.id !== existingId) {
      errors[parsed.data.region ? 'region' : 'country'] = `There is already a rate for ${parsed.data.country}${parsed.data.region ? `-${parsed.data.region}` : ''}: edit that one`;
    }
  }
  if (!parsed.ok || Object.keys(errors).length) return fail(errors);
  return { ok: true, data: { country: parsed.data.country, region: parsed.data.region, name: parsed.data.name, rateBp: rateBp!, active: existingId === undefined ? true : checkbox(values, 'active') } };
}

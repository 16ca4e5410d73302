// Currencies: exchange rates as exact millionths, the rate table for convert(), adding, editing, the base currency.
import { z } from 'zod';
import { RATE_SCALE, divRound, parseAmount, toDecimalString } from '../../money/money.ts';
import type { FormValues } from '../../http/forms.ts';
import { check, fail, text, type Checked } from './inputs.ts';
import { findCurrency, listCurrencies, updateCurrency, type Currency, type Db } from './store.ts';

export type { Currency } from './store.ts';

const RATE_DECIMALS = 6; // RATE_SCALE = 10^6

/**
 * Parses an exchange rate as typed ("98.123456", "0,0108", "1") into millionths, without floats.
 * Returns null for anything that is not a positive decimal with at most six decimals.
 */
export function parseRate(input: string): number | null {
  const s = input.trim();
  if (s.startsWith('-')) return null;
  const millionths = parseAmount(s, RATE_DECIMALS);
  return millionths !== null && millionths > 0 ? millionths : null;
}

/** 98123456 → "98.123456", 1000000 → "1", 10870 → "0.01087": the shortest exact decimal. */
export function formatRate(millionths: number): string {
  const s = toDecimalString(millionths, RATE_DECIMALS);
  return s.replace(/\.?0+$/, '');
}

/**
 * The rate table `convert()` (core/money) expects: every currency, active or not (services keep
 * billing in a currency that is no longer offered for new orders).
 *
 * @example
 * const rates = await getRates(db);
 * convert({ amount: 1000, currency: 'EUR' }, 'RUB', rates); // → { amount: 98123, currency: 'RUB' }
 */
export async function getRates(db: Db): Promise<Record<string, { rateToBase: number; minorUnits: number }>> {
  const out: Record<string, { rateToBase: number; minorUnits: number }> = {};
  for (const c of await listCurrencies(db)) out[c.code] = { rateToBase: c.rateToBase, minorUnits: c.minorUnits };
  return out;
}

/** One currency by ISO code, or null; `active` tells whether new orders may use it. */
export async function getCurrency(db: Db, code: string): Promise<Currency | null> {
  return findCurrency(db, code);
}

const rateMessage = (code: string, base: string) => `Enter the price of one ${code} in ${base}, e.g. 98.123456 (a positive number, at most 6 decimals)`;

const newCurrencySchema = z.object({
  code: z.string().trim().regex(/^[A-Z]{3}$/, 'Use the three-letter ISO 4217 code in capitals, e.g. EUR'),
  name: z.string().trim().min(1, 'Enter the currency’s name').max(60, 'Use at most 60 characters'),
  symbol: z.string().trim().max(8, 'Use at most 8 characters').optional().default(''),
  minor_units: z.string().trim().regex(/^[0-4]$/, 'Enter the number of decimals, 0 to 4 (2 for cents)'),
  rate: z.string().optional().default(''),
});

export interface NewCurrency {
  code: string;
  name: string;
  symbol: string;
  minorUnits: number;
  rateToBase: number;
  active: boolean;
}

/** Validates the "add a currency" form: code format and uniqueness, decimals, rate against the base. */
export async function validateNewCurrency(db: Db, values: FormValues): Promise<Checked<NewCurrency>> {
  const base = await listCurrencies(db).then((all) => all.find((c) => c.isBase));
  const parsed = check(newCurrencySchema, values);
  const errors: Record<string, string> = parsed.ok ? {} : { ...parsed.errors };
  const code = text(values, 'code');
  const rate = parseRate(text(values, 'rate'));
  if (rate === null) errors.rate = rateMessage(/^[A-Z]{3}$/.test(code) ? code : 'unit', base?.code ?? 'the base currency');
  if (!errors.code && (await findCurrency(db, code))) errors.code = `${code} is already in the catalog`;
  if (!parsed.ok || Object.keys(errors).length) return fail(errors);
  const d = parsed.data;
  return { ok: true, data: { code: d.code, name: d.name, symbol: d.symbol, minorUnits: Number(d.minor_units), rateToBase: rate!, active: true } };
}

const editCurrencySchema = z.object({
  name: z.string().trim().min(1, 'Enter the currency’s name').max(60, 'Use at most 60 characters'),
  symbol: z.string().trim().max(8, 'Use at most 8 characters').optional().default(''),
  rate: z.string().optional().default(''),
});

/** Validates the edit form; the base currency's rate is always 1 and its field is ignored. */
export function validateCurrencyEdit(values: FormValues, currency: Currency, baseCode: string): Checked<{ name: string; symbol: string; rateToBase: number }> {
  const parsed = check(editCurrencySchema, values);
  const errors: Record<string, string> = parsed.ok ? {} : { ...parsed.errors };
  const rate = currency.isBase ? RATE_SCALE : parseRate(text(values, 'rate'));
  if (rate === null) errors.rate = rateMessage(currency.code, baseCode);
  if (!parsed.ok || Object.keys(errors).length) return fail(errors);
  return { ok: true, data: { name: parsed.data.name, symbol: parsed.data.symbol, rateToBase: rate! } };
}

/**
 * Makes `code` the base currency. Every other rate was "price in the old base"; it is recalculated
 * through the new base's old rate (rate_x / rate_newbase) so conversions stay roughly right, and
 * the caller must tell the operator to re-enter today's rates. Returns the recalculated codes.
 * Runs inside the caller's transaction.
 */
export async function changeBaseCurrency(trx: Db, code: string, now: string): Promise<string[]> {
  const all = await listCurrencies(trx);
  const next = all.find((c) => c.code === code);
  if (!next) throw new Error(`Currency ${code} is not in the catalog`);
  if (next.isBase) return [];
  const recalculated: string[] = [];
  for (const c of all) {
    if (c.code === code) continue;
    const rate = Math.max(1, divRound(BigInt(c.rateToBase) * BigInt(RATE_SCALE), BigInt(next.rateToBase)));
    await updateCurrency(trx, c.code, { rateToBase: rate, isBase: false }, now);
    recalculated.push(c.code);
  }
  await updateCurrency(trx, code, { rateToBase: RATE_SCALE, isBase: true, active: true }, now);
  return recalculated;
}

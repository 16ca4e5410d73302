// Reading what staff typed into catalog forms: field values, checkboxes, whole numbers and money amounts.
import type { z } from 'zod';
import { parseAmount } from '../../money/money.ts';
import { zodFieldErrors } from '../../settings/store.ts';
import type { FormValues } from '../../http/forms.ts';

/** The outcome of validating a whole form: the data to write, or one message per field. */
export type Checked<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

export function fail<T>(errors: Record<string, string>): Checked<T> {
  return { ok: false, errors };
}

/** The first value of a field, trimmed ('' when absent). */
export function text(values: FormValues, key: string): string {
  const v = values[key];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** Every value of a repeated field (a multi-select), without blanks. */
export function list(values: FormValues, key: string): string[] {
  const v = values[key];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((s) => s.trim()).filter(Boolean);
}

/** A checkbox is on when the browser sent it at all (unchecked boxes are not sent). */
export function checkbox(values: FormValues, key: string): boolean {
  const v = text(values, key);
  return v === '1' || v === 'on' || v === 'true';
}

/** Runs a zod schema over the form and returns field errors keyed like the fields. */
export function check<S extends z.ZodType>(schema: S, values: FormValues): Checked<z.output<S>> {
  const parsed = schema.safeParse(values);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, errors: zodFieldErrors(parsed.error) };
}

/** Parses a whole number within bounds; returns the number or the message to show. */
export function wholeNumber(raw: string, opts: { min?: number; max?: number; what?: string } = {}): number | string {
  if (!/^-?\d{1,15}$/.test(raw)) return `Enter a whole number${opts.what ? ` of ${opts.what}` : ''}`;
  const n = Number(raw);
  if (opts.min !== undefined && n < opts.min) return `Enter at least ${opts.min}`;
  if (opts.max !== undefined && n > opts.max) return `Enter at most ${opts.max}`;
  return n;
}

/** "12.50" for two minor units, "1250" for none: what an amount looks like in this currency. */
export function amountExample(minorUnits: number): string {
  return minorUnits === 0 ? '1250' : `12.${'5'.padEnd(minorUnits, '0')}`;
}

export type AmountInput = { ok: true; amount: number | null } | { ok: false; error: string };

/**
 * A price as typed ("12.50", "1 200,00") in minor units of `currency`; blank means "no price" (null).
 * Negative amounts and more decimals than the currency has are refused with a message saying so.
 */
export function parsePriceInput(raw: string | undefined, currency: { code: string; minorUnits: number }): AmountInput {
  const s = (raw ?? '').trim();
  if (s === '') return { ok: true, amount: null };
  if (/^-/.test(s)) return { ok: false, error: 'Prices cannot be negative' };
  const amount = parseAmount(s, currency.minorUnits);
  if (amount === null) {
    if (/^[\d\s\u00a0']+[.,]\d+$/.test(s)) {
      return {
        ok: false,
        error: currency.minorUnits === 0 ? `${currency.code} has no decimals: enter a whole amount` : `${currency.code} has ${currency.minorUnits} decimal places at most`,
      };
    }
    return { ok: false, error: `Enter an amount like ${amountExample(currency.minorUnits)}` };
  }
  return { ok: true, amount };
}

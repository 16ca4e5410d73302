// Package periods (trial, N days, N months, lifetime) with a price and setup fee per active currency.
import type { FormValues } from '../../http/forms.ts';
import { describePeriod, type PeriodKind } from '../services/periods.ts';
import { checkbox, fail, parsePriceInput, text, wholeNumber, type Checked } from './inputs.ts';
import { findPeriodByTerm, insertPeriod, replacePeriodPrices, updatePeriod, type Currency, type Db, type Period, type PeriodPrice } from './store.ts';

export const PERIOD_KINDS = ['trial', 'days', 'months', 'lifetime'] as const satisfies readonly PeriodKind[];
export const PERIOD_KIND_LABELS: Record<PeriodKind, string> = {
  trial: 'Trial (days)',
  days: 'Days',
  months: 'Months',
  lifetime: 'Lifetime',
};
const MAX_LENGTH: Record<PeriodKind, number> = { trial: 366, days: 3660, months: 120, lifetime: 0 };

/** Form field names of a period's price and setup fee in one currency. */
export const priceField = (code: string) => `price.${code}`;
export const setupField = (code: string) => `setup.${code}`;

export interface PeriodInput {
  kind: PeriodKind;
  length: number;
  active: boolean;
  position: number;
  prices: Omit<PeriodPrice, 'periodId'>[];
}

/** Fields naming a currency that is not active: a stale form or a forged one. */
export function unknownCurrencyErrors(values: FormValues, pattern: RegExp, codeOf: (m: RegExpExecArray) => string, active: Currency[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const codes = new Set(active.map((c) => c.code));
  for (const key of Object.keys(values)) {
    const m = pattern.exec(key);
    if (m && !codes.has(codeOf(m))) {
      errors[key] = `Unknown or inactive currency ${codeOf(m)}`;
      errors._form ??= `Prices can be set only in active currencies (${[...codes].join(', ')}); ${codeOf(m)} is not one. Reload the page and try again.`;
    }
  }
  return errors;
}

/**
 * Validates the period form: kind and length, and a price (plus optional setup fee) per active
 * currency. The base currency's price is required; another currency left blank means the period
 * is not sold in it. The term must be new within the package.
 */
export async function validatePeriod(
  db: Db,
  packageId: number,
  values: FormValues,
  ctx: { currencies: Currency[]; existing?: Period },
): Promise<Checked<PeriodInput>> {
  const errors: Record<string, string> = {};
  const kindRaw = text(values, 'kind');
  const kind = (PERIOD_KINDS as readonly string[]).includes(kindRaw) ? (kindRaw as PeriodKind) : null;
  if (!kind) errors.kind = 'Choose the kind of period';
  let length = 0;
  if (kind && kind !== 'lifetime') {
    const n = wholeNumber(text(values, 'length'), { min: 1, max: MAX_LENGTH[kind], what: kind === 'months' ? 'months' : 'days' });
    if (typeof n === 'string') errors.length = n;
    else length = n;
  }
  const positionRaw = text(values, 'position');
  const position = positionRaw === '' ? 0 : wholeNumber(positionRaw, { min: 0, max: 1_000_000 });
  if (typeof position === 'string') errors.position = position;

  Object.assign(errors, unknownCurrencyErrors(values, /^(?:price|setup)\.(.*)$/, (m) => m[1]!, ctx.currencies));

  const prices: PeriodInput['prices'] = [];
  for (const c of ctx.currencies) {
    const price = parsePriceInput(text(values, priceField(c.code)), c);
    const setup = parsePriceInput(text(values, setupField(c.code)), c);
    if (!price.ok) errors[priceField(c.code)] = price.error;
    if (!setup.ok) errors[setupField(c.code)] = setup.error;
    if (!price.ok || !setup.ok) continue;
    if (price.amount === null) {
      if (c.isBase) errors[priceField(c.code)] = `Enter a price in ${c.code}`;
      else if (setup.amount !== null) errors[priceField(c.code)] = `Enter a price in ${c.code} too, or clear its setup fee`;
      continue;
    }
    prices.push({ currency: c.code, price: price.amount, setupFee: setup.amount ?? 0 });
  }
  if (!ctx.currencies.some((c) => c.isBase)) errors._form ??= 'The base currency is inactive; check Currencies.';

  if (kind && errors['length'] === undefined) {
    const clash = await findPeriodByTerm(db, packageId, kind, length);
    if (clash && clash.id !== ctx.existing?.id) {
      errors[kind === 'lifetime' ? 'kind' : 'length'] = `This package already has a ${describePeriod(kind, length).toLowerCase()} period`;
    }
  }
  if (Object.keys(errors).length) return fail(errors);
  return { ok: true, data: { kind: kind!, length, active: checkbox(values, 'active'), position: position as number, prices } };
}

/** Writes a validated period and its prices in the active currencies; returns the period id. */
export async function savePeriod(trx: Db, packageId: number, input: PeriodInput, currencies: Currency[], existingId?: number): Promise<number> {
  const { prices, ...term } = input;
  const id = existingId ?? (await insertPeriod(trx, { packageId, ...term }));
  if (existingId !== undefined) await updatePeriod(trx, existingId, term);
  await replacePeriodPrices(trx, id, currencies.map((c) => c.code), prices);
  return id;
}

// Money: integer minor units with an ISO 4217 code; never floats. Parsing, formatting, conversion, tax.

export interface Money {
  /** Amount in the currency's minor units (cents, kopecks); an integer. */
  amount: number;
  currency: string;
}

/** Minor-unit exponents for the currencies resellers in this market use; others come from core_currencies. */
export const DEFAULT_MINOR_UNITS: Record<string, number> = { USD: 2, EUR: 2, RUB: 2, GBP: 2, UAH: 2, KZT: 2, JPY: 0, BHD: 3 };

export class MoneyError extends Error {}

export function assertMinor(amount: number, what = 'amount'): void {
  if (!Number.isSafeInteger(amount)) throw new MoneyError(`${what} must be a whole number of minor units, got ${amount}`);
}

export function money(amount: number, currency: string): Money {
  assertMinor(amount);
  if (!/^[A-Z]{3}$/.test(currency)) throw new MoneyError(`'${currency}' is not an ISO 4217 currency code`);
  return { amount, currency };
}

/**
 * Parses what a person types ("1 234,50", "1234.5", "-0.99") into minor units, without floats.
 * Returns null for anything that is not a plain decimal amount with at most `minorUnits` decimals.
 */
export function parseAmount(input: string, minorUnits: number): number | null {
  const s = input.trim().replace(/[\s\u00a0']/g, '');
  const m = /^(-)?(\d+)(?:[.,](\d+))?$/.exec(s);
  if (!m) return null;
  const [, sign, whole, frac = ''] = m;
  if (frac.length > minorUnits) return null;
  const minor = BigInt(whole!) * 10n ** BigInt(minorUnits) + BigInt(frac.padEnd(minorUnits, '0') || '0');
  const value = Number(sign ? -minor : minor);
  return Number.isSafeInteger(value) ? value : null;
}

/** "1234.50" for 123450 with 2 minor units; no grouping, for form fields. */
export function toDecimalString(amount: number, minorUnits: number): string {
  assertMinor(amount);
  const neg = amount < 0;
  const abs = BigInt(Math.abs(amount));
  if (minorUnits === 0) return `${neg ? '-' : ''}${abs}`;
  const base = 10n ** BigInt(minorUnits);
  return `${neg ? '-' : ''}${abs / base}.${(abs % base).toString().padStart(minorUnits, '0')}`;
}

/** "1,234.50 EUR" for display. */
export function formatMoney(m: Money, minorUnits = DEFAULT_MINOR_UNITS[m.currency] ?? 2): string {
  const [whole, frac] = toDecimalString(m.amount, minorUnits).split('.');
  const neg = whole!.startsWith('-');
  const digits = neg ? whole!.slice(1) : whole!;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''} ${m.currency}`;
}

/**
 * Rounds a rational a/b to the nearest integer, halves away from zero (commercial rounding),
 * in BigInt so large products never lose precision.
 */
export function divRound(numerator: bigint, denominator: bigint): number {
  if (denominator === 0n) throw new MoneyError('division by zero');
  const neg = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const q = (n * 2n + d) / (2n * d);
  return Number(neg ? -q : q);
}

/** amount × num / den, rounded half away from zero. */
export function mulDiv(amount: number, num: number, den: number): number {
  assertMinor(amount);
  return divRound(BigInt(amount) * BigInt(num), BigInt(den));
}

/** Rates are stored as integers in millionths (1 EUR = 98.123456 RUB → 98123456). */
export const RATE_SCALE = 1_000_000;

/**
 * Converts between currencies through the base currency. `rateToBase` is the price of one unit of
 * the currency in base-currency units, scaled by RATE_SCALE; minor units may differ (JPY has none).
 */
export function convert(
  m: Money,
  to: string,
  rates: Record<string, { rateToBase: number; minorUnits: number }>,
): Money {
  if (m.currency === to) return m;
  const from = rates[m.currency];
  const dest = rates[to];
  if (!from || !dest) throw new MoneyError(`No exchange rate for ${!from ? m.currency : to}`);
  // amount_to = amount_from × 10^(mu_to − mu_from) × rate_from / rate_to
  const num = BigInt(m.amount) * BigInt(from.rateToBase) * 10n ** BigInt(Math.max(0, dest.minorUnits - from.minorUnits));
  const den = BigInt(dest.rateToBase) * 10n ** BigInt(Math.max(0, from.minorUnits - dest.minorUnits));
  return { amount: divRound(num, den), currency: to };
}

/** Tax rates in basis points (20% = 2000). */
export function taxOnNet(net: number, rateBp: number): number {
  return mulDiv(net, rateBp, 10_000);
}

/** The tax contained in a tax-inclusive gross amount: gross × r / (1 + r). */
export function taxInGross(gross: number, rateBp: number): number {
  return mulDiv(gross, rateBp, 10_000 + rateBp);
}

/**
 * Splits `total` into parts proportional to `weights`, so the parts add up to exactly `total`
 * (largest-remainder method): used to spread a discount over invoice lines without losing a cent.
 */
export function allocate(total: number, weights: number[]): number[] {
  assertMinor(total);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (BigInt(total) * BigInt(w)) / BigInt(sum));
  const parts = exact.map(Number);
  let rest = total - parts.reduce((a, b) => a + b, 0);
  const order = weights.map((w, i) => ({ i, rem: Number((BigInt(total) * BigInt(w)) % BigInt(sum)) })).sort((a, b) => b.rem - a.rem);
  for (let k = 0; rest !== 0; k = (k + 1) % order.length) {
    const step = rest > 0 ? 1 : -1;
    parts[order[k]!.i]! += step;
    rest -= step;
  }
  return parts;
}

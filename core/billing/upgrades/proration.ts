// The price of changing a service's package or add-ons part-way through a paid period. Pure: no
// database, no clock; every amount is integer minor units of the service's currency.
//
// By days: the client gets back the unused part of the current price and pays the new price for the
// same days, both as `price × days left ÷ days in the period`, each rounded to the nearest minor unit
// (halves away from zero). The difference is invoiced when positive, credited to the client's balance
// when negative, with tax as the catalog says (prices with or without tax).
//
// A trial is not prorated: nothing was paid for it, so the change is free and the first paid invoice at
// the end of the trial bills the new package. A lifetime service has no period to divide: the whole
// old price is credited and the whole new price charged.
import { computeTotals } from '../invoices/totals.ts';
import { addDays, daysBetween, type PeriodKind } from '../services/periods.ts';
import { mulDiv, taxInGross, taxOnNet } from '../../money/money.ts';

export interface ProrationItem {
  /** What changes: "Premium hosting", "Extra IPv4: 1 → 3". */
  label: string;
  /** Per period, what the service costs now for this item and what it will cost. */
  oldPrice: number;
  newPrice: number;
}

export interface ProrationInput {
  /** The day the change takes effect (YYYY-MM-DD). */
  today: string;
  period: {
    kind: PeriodKind;
    /** First day of the period now running. */
    start: string | null;
    /** The service's expiry date: the first day after the paid period (null for lifetime). */
    end: string | null;
  };
  items: ProrationItem[];
  tax: { rateBp: number; inclusive: boolean };
}

export interface ProratedItem extends ProrationItem {
  /** The unused part of the old price, given back. */
  credit: number;
  /** The new price for the rest of the period. */
  charge: number;
  /** charge − credit. */
  difference: number;
}

export type ProrationBasis = 'days' | 'trial' | 'lifetime';

export interface Proration {
  ok: true;
  basis: ProrationBasis;
  /** The days charged: from `today` to the period's end (exclusive); null for lifetime. */
  from: string;
  to: string | null;
  /** The last day charged (the day before `to`); null for lifetime. */
  lastDay: string | null;
  daysLeft: number;
  daysInPeriod: number;
  items: ProratedItem[];
  /** Sum of the differences, before tax. */
  net: number;
  /** Tax of `net` (contained in it when prices include tax, added otherwise). */
  tax: number;
  /** What the client pays (> 0: invoiced) or gets back (< 0: credited), tax included. */
  total: number;
  outcome: 'invoice' | 'credit' | 'none';
}

export type ProrationRefusal = { ok: false; reason: 'not_started' | 'period_over' };

export function prorate(input: ProrationInput): Proration | ProrationRefusal {
  const { today, period } = input;
  if (period.kind === 'trial') {
    return settle(input, { basis: 'trial', from: today, to: period.end, daysLeft: 0, daysInPeriod: 0 }, () => ({ credit: 0, charge: 0 }));
  }
  if (period.kind === 'lifetime') {
    return settle(input, { basis: 'lifetime', from: today, to: null, daysLeft: 0, daysInPeriod: 0 }, (i) => ({ credit: i.oldPrice, charge: i.newPrice }));
  }
  if (!period.end || !period.start) return { ok: false, reason: 'not_started' };
  const daysLeft = daysBetween(today, period.end);
  const daysInPeriod = daysBetween(period.start, period.end);
  if (daysLeft <= 0 || daysInPeriod <= 0) return { ok: false, reason: 'period_over' };
  // Paid ahead (a renewal already paid moved the end further): the days left may exceed one period.
  return settle(input, { basis: 'days', from: today, to: period.end, daysLeft, daysInPeriod }, (i) => ({
    credit: mulDiv(i.oldPrice, daysLeft, daysInPeriod),
    charge: mulDiv(i.newPrice, daysLeft, daysInPeriod),
  }));
}

function settle(
  input: ProrationInput,
  head: Pick<Proration, 'basis' | 'from' | 'to' | 'daysLeft' | 'daysInPeriod'>,
  part: (i: ProrationItem) => { credit: number; charge: number },
): Proration {
  const items = input.items.map((i): ProratedItem => {
    const { credit, charge } = part(i);
    return { ...i, credit, charge, difference: charge - credit };
  });
  const net = items.reduce((s, i) => s + i.difference, 0);
  const { tax, total } = taxOf(items, net, input.tax);
  return { ok: true, ...head, lastDay: head.to ? addDays(head.to, -1) : null, items, net, tax, total, outcome: total > 0 ? 'invoice' : total < 0 ? 'credit' : 'none' };
}

/**
 * A positive change is priced exactly as its invoice will be (computeTotals over the invoice lines), so
 * the preview and the invoice never differ by a cent. A negative one returns the tax too: the client paid
 * it on the part of the period given back.
 */
function taxOf(items: ProratedItem[], net: number, tax: ProrationInput['tax']): { tax: number; total: number } {
  if (net > 0) {
    const totals = computeTotals({ lines: invoiceAmounts(items).map((unitPrice) => ({ quantity: 1, unitPrice })), discount: 0, taxRateBp: tax.rateBp, taxInclusive: tax.inclusive });
    return { tax: totals.tax, total: totals.total };
  }
  if (net < 0) {
    const back = -net;
    const t = tax.rateBp <= 0 ? 0 : tax.inclusive ? taxInGross(back, tax.rateBp) : taxOnNet(back, tax.rateBp);
    return { tax: t, total: -(tax.inclusive ? back : back + t) };
  }
  return { tax: 0, total: 0 };
}

/** The invoice lines of a change in order: for each item its charge, then its credit (negative); zeros left out. */
export function invoiceAmounts(items: readonly Pick<ProratedItem, 'credit' | 'charge'>[]): number[] {
  return items.flatMap((i) => [i.charge, -i.credit]).filter((a) => a !== 0);
}

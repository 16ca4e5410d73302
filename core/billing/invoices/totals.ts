// Invoice arithmetic: line amounts, an invoice discount spread over the lines, tax per line, totals.
import { allocate, taxInGross, taxOnNet, assertMinor } from '../../money/money.ts';

export interface LineInput {
  quantity: number;
  unitPrice: number;
}

export interface TotalsInput {
  lines: LineInput[];
  /** Invoice-level discount in minor units (>= 0). */
  discount: number;
  /** Tax rate in basis points for this client; 0 when exempt or none applies. */
  taxRateBp: number;
  /** Prices already include tax (the catalog's setting). */
  taxInclusive: boolean;
}

export interface Totals {
  lineAmounts: number[];
  lineTaxes: number[];
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
}

/**
 * One client means one tax rate per invoice, so tax is computed once on (subtotal − discount) —
 * credit lines lower the base — and then spread over the lines for display, adding up exactly.
 * Tax-exclusive: total = subtotal − discount + tax. Tax-inclusive: total = subtotal − discount.
 */
export function computeTotals(input: TotalsInput): Totals {
  const lineAmounts = input.lines.map((l) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1) throw new Error(`Line quantity must be a positive whole number, got ${l.quantity}`);
    assertMinor(l.unitPrice, 'unit price');
    return l.quantity * l.unitPrice;
  });
  const subtotal = lineAmounts.reduce((a, b) => a + b, 0);
  assertMinor(input.discount, 'discount');
  if (input.discount < 0) throw new Error('A discount cannot be negative');
  const discount = Math.min(input.discount, Math.max(0, subtotal));
  const taxable = Math.max(0, subtotal - discount);
  const tax = input.taxRateBp <= 0 ? 0 : input.taxInclusive ? taxInGross(taxable, input.taxRateBp) : taxOnNet(taxable, input.taxRateBp);
  const lineTaxes = allocate(tax, lineAmounts.map((a) => Math.max(0, a)));
  const total = input.taxInclusive ? subtotal - discount : subtotal - discount + tax;
  return { lineAmounts, lineTaxes, subtotal, discount, tax, total };
}

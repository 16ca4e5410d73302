// Invoice totals add up to the cent, tax-exclusive and tax-inclusive.
import { describe, expect, it } from 'vitest';
import { computeTotals } from './totals.ts';

describe('invoice totals', () => {
  it('add tax on top of net prices, after the discount', () => {
    const t = computeTotals({ lines: [{ quantity: 1, unitPrice: 1000 }, { quantity: 2, unitPrice: 250 }], discount: 300, taxRateBp: 2000, taxInclusive: false });
    expect(t.subtotal).toBe(1500);
    expect(t.discount).toBe(300);
    expect(t.tax).toBe(240);
    expect(t.total).toBe(1440);
    expect(t.lineTaxes.reduce((a, b) => a + b)).toBe(t.tax);
  });

  it('find the tax inside gross prices', () => {
    const t = computeTotals({ lines: [{ quantity: 1, unitPrice: 1200 }], discount: 0, taxRateBp: 2000, taxInclusive: true });
    expect(t.tax).toBe(200);
    expect(t.total).toBe(1200);
  });

  it('never discounts below zero or taxes a credit line', () => {
    const t = computeTotals({ lines: [{ quantity: 1, unitPrice: 500 }, { quantity: 1, unitPrice: -200 }], discount: 10_000, taxRateBp: 1000, taxInclusive: false });
    expect(t.discount).toBe(300);
    expect(t.total).toBe(0);
    expect(() => computeTotals({ lines: [{ quantity: 1, unitPrice: 1.5 }], discount: 0, taxRateBp: 0, taxInclusive: false })).toThrow(/minor units/);
    expect(() => computeTotals({ lines: [{ quantity: 0, unitPrice: 1 }], discount: 0, taxRateBp: 0, taxInclusive: false })).toThrow(/quantity/);
  });
});

// Money arithmetic: integers only, exact parsing, rounding that loses nothing.
import { describe, expect, it } from 'vitest';
import { allocate, convert, formatMoney, mulDiv, parseAmount, RATE_SCALE, taxInGross, taxOnNet, toDecimalString } from './money.ts';

describe('money', () => {
  it('parses what people type into minor units without floating point', () => {
    expect(parseAmount('12.34', 2)).toBe(1234);
    expect(parseAmount('1 234,5', 2)).toBe(123450);
    expect(parseAmount('0.1', 2)).toBe(10);
    expect(parseAmount('-0.99', 2)).toBe(-99);
    expect(parseAmount('1000', 0)).toBe(1000);
    expect(parseAmount('1.005', 2)).toBeNull();
    expect(parseAmount('1e3', 2)).toBeNull();
    expect(parseAmount('abc', 2)).toBeNull();
    expect(parseAmount('99999999999999999999', 2)).toBeNull();
  });

  it('formats and prints amounts exactly', () => {
    expect(toDecimalString(123450, 2)).toBe('1234.50');
    expect(toDecimalString(-5, 2)).toBe('-0.05');
    expect(toDecimalString(7, 3)).toBe('0.007');
    expect(formatMoney({ amount: 123456789, currency: 'EUR' })).toBe('1,234,567.89 EUR');
    expect(formatMoney({ amount: 500, currency: 'JPY' })).toBe('500 JPY');
  });

  it('rounds half away from zero', () => {
    expect(mulDiv(5, 1, 2)).toBe(3);
    expect(mulDiv(-5, 1, 2)).toBe(-3);
    expect(mulDiv(4, 1, 3)).toBe(1);
  });

  it('computes taxes on net and inside gross amounts', () => {
    expect(taxOnNet(1000, 2000)).toBe(200);
    expect(taxInGross(1200, 2000)).toBe(200);
    expect(taxOnNet(333, 1800)).toBe(60); // 59.94 → 60
  });

  it('converts between currencies through the base rate, across different minor units', () => {
    const rates = { EUR: { rateToBase: 1 * RATE_SCALE, minorUnits: 2 }, RUB: { rateToBase: Math.round(RATE_SCALE / 98.5), minorUnits: 2 }, JPY: { rateToBase: 6_100, minorUnits: 0 } };
    expect(convert({ amount: 985000, currency: 'RUB' }, 'EUR', rates).amount).toBe(10000);
    expect(convert({ amount: 10000, currency: 'EUR' }, 'JPY', rates).amount).toBe(16393);
    expect(convert({ amount: 100, currency: 'EUR' }, 'EUR', rates).amount).toBe(100);
    expect(() => convert({ amount: 1, currency: 'USD' }, 'EUR', rates)).toThrow(/No exchange rate for USD/);
  });

  it('splits an amount into parts that add up to the cent', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(-100, [1, 1, 1]).reduce((a, b) => a + b)).toBe(-100);
    expect(allocate(1001, [500, 300, 200]).reduce((a, b) => a + b)).toBe(1001);
    expect(allocate(5, [0, 0])).toEqual([5, 0]);
  });
});

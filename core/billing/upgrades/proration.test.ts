// Prorating a package or add-on change, to the minor unit.
import { describe, expect, it } from 'vitest';
import { invoiceAmounts, prorate, type Proration, type ProrationInput } from './proration.ts';

const MARCH = { kind: 'months' as const, start: '2026-03-01', end: '2026-04-01' }; // 31 days
const NO_TAX = { rateBp: 0, inclusive: false };

function ok(input: ProrationInput): Proration {
  const r = prorate(input);
  if (!r.ok) throw new Error(`refused: ${r.reason}`);
  return r;
}

describe('prorating a change by days', () => {
  it('mid-period upgrade: credit for 17 of 31 days at the old price, charge for them at the new one', () => {
    const r = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'Basic → Premium', oldPrice: 10_00, newPrice: 25_00 }], tax: NO_TAX });
    expect(r).toMatchObject({ basis: 'days', from: '2026-03-15', to: '2026-04-01', daysLeft: 17, daysInPeriod: 31 });
    // 1000 × 17 / 31 = 548.39 → 548; 2500 × 17 / 31 = 1370.97 → 1371.
    expect(r.items[0]).toMatchObject({ credit: 548, charge: 1371, difference: 823 });
    expect(r).toMatchObject({ net: 823, tax: 0, total: 823, outcome: 'invoice' });
  });

  it('downgrade: the difference goes to the credit balance', () => {
    const r = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'Premium → Basic', oldPrice: 25_00, newPrice: 10_00 }], tax: NO_TAX });
    expect(r.items[0]).toMatchObject({ credit: 1371, charge: 548, difference: -823 });
    expect(r).toMatchObject({ net: -823, total: -823, outcome: 'credit' });
  });

  it('add-on only change: each changed add-on is prorated on its own; the package price is untouched', () => {
    const r = ok({
      today: '2026-03-15',
      period: MARCH,
      items: [
        { label: 'Extra IPv4: 1 → 3', oldPrice: 3_00, newPrice: 9_00 },
        { label: 'Backups: no → yes', oldPrice: 0, newPrice: 5_00 },
      ],
      tax: NO_TAX,
    });
    // 300 × 17/31 = 164.52 → 165; 900 × 17/31 = 493.55 → 494; 500 × 17/31 = 274.19 → 274.
    expect(r.items.map((i) => [i.credit, i.charge, i.difference])).toEqual([[165, 494, 329], [0, 274, 274]]);
    expect(r.total).toBe(603);
    expect(invoiceAmounts(r.items)).toEqual([494, -165, 274]);
  });

  it('last day of the period: one day of 31', () => {
    const r = ok({ today: '2026-03-31', period: MARCH, items: [{ label: 'up', oldPrice: 10_00, newPrice: 25_00 }], tax: NO_TAX });
    expect(r).toMatchObject({ daysLeft: 1, daysInPeriod: 31 });
    // 1000 / 31 = 32.26 → 32; 2500 / 31 = 80.65 → 81.
    expect(r.items[0]).toMatchObject({ credit: 32, charge: 81 });
    expect(r.total).toBe(49);
  });

  it('rounds halves away from zero', () => {
    const twoDays = { kind: 'days' as const, start: '2026-03-01', end: '2026-03-03' };
    const r = ok({ today: '2026-03-02', period: twoDays, items: [{ label: 'x', oldPrice: 5, newPrice: 7 }], tax: NO_TAX });
    expect(r.items[0]).toMatchObject({ credit: 3, charge: 4, difference: 1 }); // 2.5 → 3, 3.5 → 4
  });

  it('a trial is not prorated: the change is free', () => {
    const r = ok({ today: '2026-03-05', period: { kind: 'trial', start: '2026-03-01', end: '2026-03-15' }, items: [{ label: 'up', oldPrice: 0, newPrice: 25_00 }], tax: NO_TAX });
    expect(r).toMatchObject({ basis: 'trial', net: 0, total: 0, outcome: 'none' });
    expect(r.items[0]).toMatchObject({ credit: 0, charge: 0 });
  });

  it('lifetime: the whole old price back, the whole new price charged', () => {
    const r = ok({ today: '2026-03-05', period: { kind: 'lifetime', start: null, end: null }, items: [{ label: 'up', oldPrice: 100_00, newPrice: 150_00 }], tax: NO_TAX });
    expect(r).toMatchObject({ basis: 'lifetime', to: null, net: 50_00, total: 50_00 });
  });

  it('currencies without minor units (JPY) and with three (BHD) are whole minor units all the same', () => {
    const jpy = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'up', oldPrice: 1000, newPrice: 3000 }], tax: NO_TAX });
    // ¥1000 × 17/31 = 548.39 → ¥548; ¥3000 × 17/31 = 1645.16 → ¥1645.
    expect(jpy.items[0]).toMatchObject({ credit: 548, charge: 1645 });
    expect(jpy.total).toBe(1097);
    const bhd = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'up', oldPrice: 12_345, newPrice: 20_000 }], tax: NO_TAX });
    // 12.345 BHD × 17/31 = 6769.84 fils → 6.770; 20.000 × 17/31 = 10967.74 → 10.968.
    expect(bhd.items[0]).toMatchObject({ credit: 6770, charge: 10_968 });
    expect(bhd.total).toBe(4198);
  });

  it('tax-exclusive prices: tax is added to the difference, and given back with a credit', () => {
    const tax = { rateBp: 2000, inclusive: false };
    const up = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'up', oldPrice: 10_00, newPrice: 25_00 }], tax });
    expect(up).toMatchObject({ net: 823, tax: 165, total: 988 }); // 823 × 20% = 164.6 → 165
    const down = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'down', oldPrice: 25_00, newPrice: 10_00 }], tax });
    expect(down).toMatchObject({ net: -823, tax: 165, total: -988, outcome: 'credit' });
  });

  it('tax-inclusive prices: the difference already contains the tax', () => {
    const tax = { rateBp: 2000, inclusive: true };
    const up = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'up', oldPrice: 10_00, newPrice: 25_00 }], tax });
    expect(up).toMatchObject({ net: 823, tax: 137, total: 823 }); // 823 × 20/120 = 137.17 → 137
    const down = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'down', oldPrice: 25_00, newPrice: 10_00 }], tax });
    expect(down).toMatchObject({ net: -823, tax: 137, total: -823 });
  });

  it('a change that costs nothing either way is neither invoiced nor credited', () => {
    const r = ok({ today: '2026-03-15', period: MARCH, items: [{ label: 'same', oldPrice: 10_00, newPrice: 10_00 }], tax: { rateBp: 2000, inclusive: false } });
    expect(r).toMatchObject({ net: 0, tax: 0, total: 0, outcome: 'none' });
  });

  it('refuses a service that has not started, or whose period has run out', () => {
    expect(prorate({ today: '2026-03-15', period: { kind: 'months', start: null, end: null }, items: [], tax: NO_TAX })).toEqual({ ok: false, reason: 'not_started' });
    expect(prorate({ today: '2026-04-01', period: MARCH, items: [], tax: NO_TAX })).toEqual({ ok: false, reason: 'period_over' });
  });
});

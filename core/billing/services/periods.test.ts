// Calendar arithmetic for billing periods.
import { describe, expect, it } from 'vitest';
import { addMonths, daysBetween, describePeriod, isDay, periodEnd } from './periods.ts';

describe('billing periods', () => {
  it('add months with month-end clamping and across years', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-05-10', 12)).toBe('2027-05-10');
  });

  it('end periods of every kind', () => {
    expect(periodEnd('2026-03-01', 'days', 30)).toBe('2026-03-31');
    expect(periodEnd('2026-03-01', 'trial', 7)).toBe('2026-03-08');
    expect(periodEnd('2026-03-01', 'months', 1)).toBe('2026-04-01');
    expect(periodEnd('2026-03-01', 'lifetime', 0)).toBeNull();
    expect(daysBetween('2026-03-01', '2026-04-01')).toBe(31);
  });

  it('validate and describe', () => {
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-13-01')).toBe(false);
    expect(describePeriod('months', 12)).toBe('1 year');
    expect(describePeriod('months', 3)).toBe('3 months');
    expect(describePeriod('trial', 14)).toBe('14-day trial');
  });
});

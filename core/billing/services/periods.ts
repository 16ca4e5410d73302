// Billing periods as calendar arithmetic on YYYY-MM-DD dates (UTC), with month-end clamping.

export type PeriodKind = 'trial' | 'days' | 'months' | 'lifetime';

export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

export function dayOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return dayOf(d);
}

/** Adds months keeping the day of month where it exists: Jan 31 + 1 month = Feb 28 (or 29). */
export function addMonths(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + n;
  const year = Math.floor(total / 12);
  const month = total % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The end (exclusive: the next period's start) of a period that starts on `start`; null for lifetime. */
export function periodEnd(start: string, kind: PeriodKind, length: number): string | null {
  switch (kind) {
    case 'trial':
    case 'days':
      return addDays(start, length);
    case 'months':
      return addMonths(start, length);
    case 'lifetime':
      return null;
  }
}

/** Whole days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function describePeriod(kind: PeriodKind, length: number): string {
  switch (kind) {
    case 'trial':
      return `${length}-day trial`;
    case 'days':
      return length === 1 ? '1 day' : `${length} days`;
    case 'months':
      if (length === 12) return '1 year';
      if (length % 12 === 0) return `${length / 12} years`;
      return length === 1 ? '1 month' : `${length} months`;
    case 'lifetime':
      return 'Lifetime';
  }
}

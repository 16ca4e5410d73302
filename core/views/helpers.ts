// Helpers every eta template can call as h.<name>(): safe URLs, money, dates, query strings.
import { formatMoney } from '../money/money.ts';

/**
 * Escaping stops markup injection but not `href="javascript:..."`; any URL that came from a user
 * or the database goes through this: only http(s), mailto and same-site paths pass, anything else
 * becomes '#'.
 */
export function safeUrl(raw: unknown): string {
  if (typeof raw !== 'string') return '#';
  const s = raw.trim();
  if (s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\')) return s;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:' ? u.href : '#';
  } catch {
    return '#';
  }
}

/** True for absolute http(s) URLs; zod refinements use it for URL fields users type. */
export function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Only same-site relative paths are valid redirect targets after login (no open redirects). */
export function safeNext(raw: unknown, fallback: string): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return fallback;
  return raw;
}

export function formatDateTime(isoString: string | null | undefined): string {
  if (!isoString) return '—';
  return isoString.replace('T', ' ').slice(0, 16) + ' UTC';
}

export function formatDate(isoString: string | null | undefined): string {
  return isoString ? isoString.slice(0, 10) : '—';
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Builds a query string from the current one with some keys replaced (null removes a key). */
export function withQuery(base: string, current: Record<string, string | undefined>, changes: Record<string, string | number | null>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(current)) if (v !== undefined && v !== '') params.set(k, v);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) params.delete(k);
    else params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${base}?${qs}` : base;
}

/** 'every 60000ms' → 'every 1 min'; cron patterns stay as they are. */
export function describeSchedule(schedule: string | null): string {
  if (!schedule) return '';
  const m = /^every (\d+)ms$/.exec(schedule);
  if (!m) return schedule;
  const ms = Number(m[1]);
  if (ms % 3_600_000 === 0) return `every ${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `every ${ms / 60_000} min`;
  if (ms % 1000 === 0) return `every ${ms / 1000} s`;
  return `every ${ms} ms`;
}

/** An amount in minor units as text with its currency ("12.50 USD"); the database may hand bigints over as strings. */
export function money(amount: number | string | null | undefined, currency: string): string {
  return formatMoney({ amount: Number(amount ?? 0), currency });
}

export const helpers = { safeUrl, formatDate, formatDateTime, formatDuration, withQuery, describeSchedule, money };
export type Helpers = typeof helpers;

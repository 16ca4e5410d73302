// Helpers the catalog admin pages share: who may change things, path ids, audit entries, money text.
import type { Context, MiddlewareHandler } from 'hono';
import type { Knex } from 'knex';
import type { AppEnv } from '../../../http/env.ts';
import { requireRole } from '../../../http/guards.ts';
import { clientIp } from '../../../http/session.ts';
import { iso } from '../../../db/time.ts';
import { formatMoney, toDecimalString } from '../../../money/money.ts';
import type { Currency } from '../store.ts';

export const CATALOG_BASE = '/admin/catalog';

/** Only administrators change the catalog; billing and support staff read it. */
export const EDITOR_ROLES = ['admin'];
export const adminOnly: MiddlewareHandler<AppEnv> = requireRole(...EDITOR_ROLES);

export function canEdit(c: Context<AppEnv>): boolean {
  const role = c.get('user')?.role;
  return Boolean(role && EDITOR_ROLES.includes(role));
}

/** A positive integer path parameter, or null (the caller answers 404). */
export function idParam(c: Context<AppEnv>, name: string): number | null {
  const raw = c.req.param(name) ?? '';
  return /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
}

export function nowIso(c: Context<AppEnv>): string {
  return iso(c.get('app').clock.now());
}

/** Records a staff change in the audit log, inside the transaction that made it. */
export async function audit(c: Context<AppEnv>, trx: Knex.Transaction, action: string, target: string, details?: Record<string, unknown>): Promise<void> {
  const me = c.get('user')!;
  await c.get('app').audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: `catalog.${action}`, target, ip: clientIp(c), ...(details ? { details } : {}) }, trx);
}

/** "1,234.50 EUR" with the currency's own decimals. */
export function moneyText(amount: number, currency: Pick<Currency, 'code' | 'minorUnits'>): string {
  return formatMoney({ amount, currency: currency.code }, currency.minorUnits);
}

/** "1234.50": an amount as a form field value. */
export function amountValue(amount: number, currency: Pick<Currency, 'minorUnits'>): string {
  return toDecimalString(amount, currency.minorUnits);
}

export const notFound = (c: Context<AppEnv>, what = 'This catalog entry') => c.get('app').pages.error(c, 404, `${what} does not exist (any more). Go back to the list and pick it again.`);

// Helpers the billing admin pages share: roles, path ids, money text, staff actors, one-time form keys.
import type { Context } from 'hono';
import type { Knex } from 'knex';
import type { AppEnv } from '../../http/env.ts';
import { clientIp } from '../../http/session.ts';
import { formatMoney, toDecimalString } from '../../money/money.ts';
import type { Actor } from '../services/transition.ts';
import { clientDisplayName, type ClientRow } from '../clients/index.ts';

export const BILLING_BASE = '/admin/billing';

/** Every staff role may look at services; admin and billing staff change services, orders, invoices and settings. */
export const SERVICE_VIEW_ROLES = ['admin', 'billing', 'support'];
export const BILLING_EDIT_ROLES = ['admin', 'billing'];

export function canEdit(c: Context<AppEnv>): boolean {
  const role = c.get('user')?.role ?? '';
  return BILLING_EDIT_ROLES.includes(role);
}

/** A positive integer path parameter, or null (the caller answers 404). */
export function idParam(c: Context<AppEnv>, name = 'id'): number | null {
  const raw = c.req.param(name) ?? '';
  return /^\d{1,12}$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
}

/** A positive integer from a query or form value, or null. */
export function idValue(raw: unknown): number | null {
  const s = Array.isArray(raw) ? raw[0] : raw;
  return typeof s === 'string' && /^\d{1,12}$/.test(s.trim()) && Number(s) > 0 ? Number(s) : null;
}

/** The last value of a form field (a hidden "0" followed by a ticked checkbox sends two). */
export function str(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v.at(-1) ?? '') : (v ?? '');
}

export function staffActor(c: Context<AppEnv>): Actor & { id: number; label: string } {
  const me = c.get('user')!;
  return { type: 'staff', id: me.id, label: me.email };
}

/** Records a staff change in the audit log (inside the caller's transaction when given). */
export async function audit(c: Context<AppEnv>, action: string, target: string, details?: Record<string, unknown>, trx?: Knex.Transaction): Promise<void> {
  const me = c.get('user')!;
  await c.get('app').audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: `billing.${action}`, target, ip: clientIp(c), ...(details ? { details } : {}) }, trx);
}

export type MoneyText = (amount: number | string, currency: string) => string;

/** Decimals of every currency the operator has (a handful of rows). */
export async function minorUnitsByCurrency(db: Knex | Knex.Transaction): Promise<Record<string, number>> {
  const rows = (await db('core_currencies').select('code', 'minor_units')) as { code: string; minor_units: number | string }[];
  return Object.fromEntries(rows.map((r) => [r.code, Number(r.minor_units)]));
}

/** "1,234.50 EUR" with each currency's own decimals. */
export async function moneyFormatter(db: Knex | Knex.Transaction): Promise<{ money: MoneyText; minor: (currency: string) => number; decimal: (amount: number, currency: string) => string }> {
  const units = await minorUnitsByCurrency(db);
  const minor = (currency: string) => units[currency] ?? 2;
  return {
    money: (amount, currency) => formatMoney({ amount: Number(amount), currency }, minor(currency)),
    minor,
    decimal: (amount, currency) => toDecimalString(Number(amount), minor(currency)),
  };
}

/** Badge style of a service status. */
export function serviceBadge(status: string): string {
  if (status === 'active') return 'ok';
  if (status === 'pending' || status === 'in_progress' || status === 'pending_renewal') return 'pending';
  if (status.startsWith('suspended') || status === 'expired') return 'warning';
  if (status === 'failed' || status === 'fraud') return 'failed';
  return 'closed';
}

export const INVOICE_STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  unpaid: 'Unpaid',
  paid: 'Paid',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  collections: 'In collections',
};

export const INVOICE_KIND_LABELS: Record<string, string> = { order: 'Order', renewal: 'Renewal', upgrade: 'Upgrade', manual: 'Manual' };

/** Badge style of an invoice status. */
export function invoiceBadge(status: string): string {
  if (status === 'paid') return 'ok';
  if (status === 'unpaid' || status === 'draft') return 'pending';
  if (status === 'collections') return 'failed';
  return 'closed';
}

/** How staff and e-mails name a client (core/billing/clients' rule), from any row with those columns. */
export function clientName(row: { kind: string; name: string; company: string | null }): string {
  return clientDisplayName({ kind: row.kind as ClientRow['kind'], name: row.name, company: row.company ?? '' });
}

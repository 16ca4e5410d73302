// Minimal billing rows for tests of invoices and payments: a client with a currency and balance.
import type { Knex } from 'knex';
import { insertedId } from '../../core/billing/invoices/store.ts';

export const AT = '2026-03-02T09:00:00.000Z';

export async function ensureCurrency(db: Knex, code: string, minorUnits = 2): Promise<void> {
  const exists = await db('core_currencies').where({ code }).first();
  if (!exists) await db('core_currencies').insert({ code, name: code, symbol: '', minor_units: minorUnits, rate_to_base: 1_000_000, is_base: false, active: true, updated_at: AT });
}

export async function insertClient(db: Knex, opts: { currency?: string; balance?: number; country?: string; taxExempt?: boolean; name?: string } = {}): Promise<number> {
  const currency = opts.currency ?? 'USD';
  await ensureCurrency(db, currency);
  const [row] = await db('core_clients')
    .insert({ kind: 'person', name: opts.name ?? 'Test Client', company: '', email: `client${Math.random().toString(36).slice(2)}@example.test`, country: opts.country ?? 'US', currency, language: 'en', status: 'active', balance: opts.balance ?? 0, tax_exempt: opts.taxExempt ?? false, vat_number: '', created_at: AT, updated_at: AT })
    .returning('id');
  return insertedId(row);
}

export async function insertPackage(db: Knex, opts: { itemType?: string; name?: string; internalName?: string } = {}): Promise<{ packageId: number; periodId: number }> {
  const [p] = await db('core_packages')
    .insert({ name: opts.name ?? 'Basic', internal_name: opts.internalName ?? `pkg${Math.random().toString(36).slice(2, 10)}`, item_type: opts.itemType ?? 'hosting', billing_type: 'period', description: '', agreement: '', active: true, position: 0, created_at: AT, updated_at: AT })
    .returning('id');
  const packageId = insertedId(p);
  const [per] = await db('core_package_periods').insert({ package_id: packageId, kind: 'months', length: 1, active: true, position: 0 }).returning('id');
  return { packageId, periodId: insertedId(per) };
}

export async function insertService(
  db: Knex,
  input: { clientId: number; packageId: number; periodId?: number | null; status?: string; price?: number; currency?: string; expiresOn?: string | null; itemType?: string; label?: string; serverId?: number | null; autoRenew?: boolean },
): Promise<number> {
  const [row] = await db('core_services')
    .insert({
      client_id: input.clientId, package_id: input.packageId, item_type: input.itemType ?? 'hosting', label: input.label ?? '', status: input.status ?? 'active',
      period_id: input.periodId ?? null, period_kind: 'months', period_length: 1, currency: input.currency ?? 'USD', price: input.price ?? 1000, auto_renew: input.autoRenew ?? true,
      expires_on: input.expiresOn === undefined ? '2026-03-10' : input.expiresOn, params: '{}', parent_id: null, processing_server_id: input.serverId ?? null, external_id: null,
      suspend_reason: null, cancel_requested: false, created_at: AT, activated_at: AT, updated_at: AT,
    })
    .returning('id');
  return insertedId(row);
}

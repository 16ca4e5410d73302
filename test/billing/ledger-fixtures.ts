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

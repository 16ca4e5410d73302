// SQL of upstream price changes (bmr_price_changes): noticed once per change, then accepted or dismissed.
import type { Knex } from 'knex';

type Q = Knex | Knex.Transaction;

export type PriceChangeStatus = 'open' | 'accepted' | 'dismissed';

export interface PriceChangeRow {
  id: number;
  tariffId: number;
  fingerprint: string;
  details: { before: unknown; after: unknown };
  status: PriceChangeStatus;
  ticketId: number | null;
  detectedAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

interface DbRow {
  id: number;
  tariff_id: number;
  fingerprint: string;
  details: string;
  status: PriceChangeStatus;
  ticket_id: number | null;
  detected_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

function toRow(r: DbRow): PriceChangeRow {
  let details: PriceChangeRow['details'] = { before: null, after: null };
  try {
    details = JSON.parse(r.details) as PriceChangeRow['details'];
  } catch {
    // A row written by hand: show it without its details.
  }
  return { id: Number(r.id), tariffId: Number(r.tariff_id), fingerprint: r.fingerprint, details, status: r.status, ticketId: r.ticket_id === null ? null : Number(r.ticket_id), detectedAt: r.detected_at, resolvedAt: r.resolved_at, resolvedBy: r.resolved_by };
}

export async function countOpenChanges(db: Q, tariffId?: number): Promise<number> {
  const q = db('bmr_price_changes').where({ status: 'open' });
  if (tariffId !== undefined) q.where({ tariff_id: tariffId });
  const [{ n }] = (await q.count({ n: '*' })) as [{ n: number | string }];
  return Number(n);
}

/** Records a change unless this very change (same tariff and fingerprint) was recorded before: its new id, or null. */
export async function recordChange(db: Q, c: { tariffId: number; fingerprint: string; details: unknown; at: string }): Promise<number | null> {
  const rows = (await db('bmr_price_changes')
    .insert({ tariff_id: c.tariffId, fingerprint: c.fingerprint, details: JSON.stringify(c.details), status: 'open', detected_at: c.at })
    .onConflict(['tariff_id', 'fingerprint'])
    .ignore()
    .returning('id')) as unknown[];
  if (rows.length === 0) return null;
  const row = rows[0];
  return typeof row === 'object' && row !== null ? Number((row as { id: number }).id) : Number(row);
}

export async function setChangeTicket(db: Q, id: number, ticketId: number): Promise<void> {
  await db('bmr_price_changes').where({ id }).update({ ticket_id: ticketId });
}

export async function findChange(db: Q, id: number): Promise<PriceChangeRow | null> {
  const row = (await db('bmr_price_changes').where({ id }).first()) as DbRow | undefined;
  return row ? toRow(row) : null;
}

export async function listChanges(db: Q, opts: { status?: PriceChangeStatus; limit?: number } = {}): Promise<(PriceChangeRow & { packageName: string; packageId: number; currency: string })[]> {
  const q = db('bmr_price_changes as c').join('bmr_tariffs as t', 't.id', 'c.tariff_id').join('core_packages as p', 'p.id', 't.package_id').select('c.*', 'p.name as package_name', 'p.id as package_id', 't.currency').orderBy('c.id', 'desc').limit(opts.limit ?? 200);
  if (opts.status) q.where('c.status', opts.status);
  const rows = (await q) as (DbRow & { package_name: string; package_id: number; currency: string })[];
  return rows.map((r) => ({ ...toRow(r), packageName: r.package_name, packageId: Number(r.package_id), currency: r.currency }));
}

/** Closes an open change; false when it was not open any more (someone else got there first). */
export async function resolveChange(db: Q, id: number, status: 'accepted' | 'dismissed', by: string, at: string): Promise<boolean> {
  return (await db('bmr_price_changes').where({ id, status: 'open' }).update({ status, resolved_at: at, resolved_by: by.slice(0, 254) })) === 1;
}

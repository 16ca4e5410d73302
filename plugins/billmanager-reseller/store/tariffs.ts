// SQL of imported tariffs (bmr_tariffs) and their upstream period costs (bmr_tariff_periods).
import type { Knex } from 'knex';

type Q = Knex | Knex.Transaction;

export interface TariffSnapshot {
  periods: { code: number; cost: number }[];
  os: string[];
  addons: { id: string; intname: string; name: string }[];
}

export interface TariffRow {
  id: number;
  serverId: number;
  packageId: number;
  upstreamId: string;
  upstreamItemtype: string;
  upstreamName: string;
  tld: string | null;
  currency: string;
  snapshot: TariffSnapshot;
  importedAt: string;
  checkedAt: string | null;
}

export interface TariffPeriodRow {
  id: number;
  tariffId: number;
  periodId: number | null;
  code: number;
  cost: number;
}

interface DbTariff {
  id: number;
  server_id: number;
  package_id: number;
  upstream_id: string;
  upstream_itemtype: string;
  upstream_name: string;
  tld: string | null;
  currency: string;
  snapshot: string;
  imported_at: string;
  checked_at: string | null;
}

export function parseSnapshot(raw: string): TariffSnapshot {
  try {
    const v = JSON.parse(raw) as Partial<TariffSnapshot>;
    return { periods: Array.isArray(v.periods) ? v.periods : [], os: Array.isArray(v.os) ? v.os : [], addons: Array.isArray(v.addons) ? v.addons : [] };
  } catch {
    return { periods: [], os: [], addons: [] };
  }
}

function toTariff(r: DbTariff): TariffRow {
  return {
    id: Number(r.id),
    serverId: Number(r.server_id),
    packageId: Number(r.package_id),
    upstreamId: r.upstream_id,
    upstreamItemtype: r.upstream_itemtype,
    upstreamName: r.upstream_name,
    tld: r.tld,
    currency: r.currency,
    snapshot: parseSnapshot(r.snapshot),
    importedAt: r.imported_at,
    checkedAt: r.checked_at,
  };
}

function insertedId(row: unknown): number {
  return typeof row === 'object' && row !== null ? Number((row as { id: number }).id) : Number(row);
}

export async function findTariff(db: Q, id: number): Promise<TariffRow | null> {
  const row = (await db('bmr_tariffs').where({ id }).first()) as DbTariff | undefined;
  return row ? toTariff(row) : null;
}

/** The imported tariff behind a package, found by the package's internal name (what a module sees). */
export async function findTariffByInternalName(db: Q, internalName: string): Promise<TariffRow | null> {
  const row = (await db('bmr_tariffs as t').join('core_packages as p', 'p.id', 't.package_id').where('p.internal_name', internalName).first('t.*')) as DbTariff | undefined;
  return row ? toTariff(row) : null;
}

export async function listTariffsOfServer(db: Q, serverId: number): Promise<TariffRow[]> {
  return ((await db('bmr_tariffs').where({ server_id: serverId }).orderBy('id')) as DbTariff[]).map(toTariff);
}

/** The imported-plans page: tariffs with their package's name, status and item type. */
export function tariffListQuery(db: Q) {
  return db('bmr_tariffs as t')
    .join('core_packages as p', 'p.id', 't.package_id')
    .join('core_processing_servers as s', 's.id', 't.server_id')
    .select('t.id', 't.upstream_id', 't.upstream_name', 't.upstream_itemtype', 't.tld', 't.currency', 't.imported_at', 'p.id as package_id', 'p.name as package_name', 'p.active', 'p.item_type', 's.name as server_name');
}

export async function insertTariff(db: Q, t: Omit<TariffRow, 'id' | 'checkedAt'>): Promise<number> {
  const [row] = await db('bmr_tariffs')
    .insert({
      server_id: t.serverId,
      package_id: t.packageId,
      upstream_id: t.upstreamId,
      upstream_itemtype: t.upstreamItemtype,
      upstream_name: t.upstreamName.slice(0, 300),
      tld: t.tld,
      currency: t.currency,
      snapshot: JSON.stringify(t.snapshot),
      imported_at: t.importedAt,
      checked_at: null,
    })
    .returning('id');
  return insertedId(row);
}

export async function updateTariffSnapshot(db: Q, id: number, snapshot: TariffSnapshot, upstreamName: string, currency: string): Promise<void> {
  await db('bmr_tariffs').where({ id }).update({ snapshot: JSON.stringify(snapshot), upstream_name: upstreamName.slice(0, 300), currency });
}

export async function markTariffChecked(db: Q, id: number, at: string): Promise<void> {
  await db('bmr_tariffs').where({ id }).update({ checked_at: at });
}

export async function listTariffPeriods(db: Q, tariffId: number): Promise<TariffPeriodRow[]> {
  const rows = (await db('bmr_tariff_periods').where({ tariff_id: tariffId }).orderBy('code')) as { id: number; tariff_id: number; period_id: number | null; code: number; cost: number | string }[];
  return rows.map((r) => ({ id: Number(r.id), tariffId: Number(r.tariff_id), periodId: r.period_id === null ? null : Number(r.period_id), code: Number(r.code), cost: Number(r.cost) }));
}

export async function upsertTariffPeriod(db: Q, p: Omit<TariffPeriodRow, 'id'>): Promise<void> {
  await db('bmr_tariff_periods').insert({ tariff_id: p.tariffId, period_id: p.periodId, code: p.code, cost: p.cost }).onConflict(['tariff_id', 'code']).merge(['period_id', 'cost']);
}

export async function deleteTariffPeriod(db: Q, tariffId: number, code: number): Promise<void> {
  await db('bmr_tariff_periods').where({ tariff_id: tariffId, code }).delete();
}

/** Zones of imported domain tariffs whose packages can be ordered, for the zone list of the order form. */
export async function importedZones(db: Q): Promise<{ tld: string; packageId: number }[]> {
  const rows = (await db('bmr_tariffs as t')
    .join('core_packages as p', 'p.id', 't.package_id')
    .whereNotNull('t.tld')
    .where({ 'p.active': true, 'p.item_type': 'domain' })
    .select('t.tld', 'p.id as package_id')
    .orderBy('t.tld')
    .orderBy('p.position')
    .orderBy('p.id')) as { tld: string; package_id: number }[];
  return rows.map((r) => ({ tld: r.tld, packageId: Number(r.package_id) }));
}

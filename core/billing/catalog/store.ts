// All SQL of the catalog: currencies, tax rates, item types, enumerations, packages, periods, prices, add-ons.
import type { Knex } from 'knex';
import { bool } from '../../db/time.ts';
import type { PeriodKind } from '../services/periods.ts';

/** A connection or a transaction: every function here works inside `db.transaction(trx => …)` too. */
export type Db = Knex | Knex.Transaction;

export type AddonKind = 'enum' | 'logic' | 'number';
export type BillingType = 'period' | 'usage';

function insertedId(row: unknown): number {
  return typeof row === 'object' && row !== null ? Number((row as { id: number }).id) : Number(row);
}

async function countOf(q: Knex.QueryBuilder): Promise<number> {
  const [{ n }] = (await q.count({ n: '*' })) as [{ n: number | string }];
  return Number(n);
}

/** True when `err` is a unique-key violation on either engine (a concurrent insert won the race). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

// ─── Currencies ────────────────────────────────────────────────────────────────────────────────

export interface Currency {
  code: string;
  name: string;
  symbol: string;
  minorUnits: number;
  /** Price of one unit in the base currency, in millionths (RATE_SCALE). */
  rateToBase: number;
  isBase: boolean;
  active: boolean;
  updatedAt: string;
}

export interface CurrencyRow {
  code: string;
  name: string;
  symbol: string;
  minor_units: number;
  rate_to_base: number;
  is_base: boolean | number;
  active: boolean | number;
  updated_at: string;
}

export function toCurrency(r: CurrencyRow): Currency {
  return {
    code: r.code,
    name: r.name,
    symbol: r.symbol,
    minorUnits: Number(r.minor_units),
    rateToBase: Number(r.rate_to_base),
    isBase: bool(r.is_base),
    active: bool(r.active),
    updatedAt: r.updated_at,
  };
}

export function currenciesQuery(db: Db): Knex.QueryBuilder {
  return db('core_currencies');
}

/** Every currency, the base one first, then by code. */
export async function listCurrencies(db: Db, opts: { activeOnly?: boolean } = {}): Promise<Currency[]> {
  const q = db('core_currencies');
  if (opts.activeOnly) q.where({ active: true });
  const rows = (await q) as CurrencyRow[];
  return rows.map(toCurrency).sort((a, b) => Number(b.isBase) - Number(a.isBase) || a.code.localeCompare(b.code));
}

export async function findCurrency(db: Db, code: string): Promise<Currency | null> {
  const row = (await db('core_currencies').where({ code }).first()) as CurrencyRow | undefined;
  return row ? toCurrency(row) : null;
}

export async function findBaseCurrency(db: Db): Promise<Currency | null> {
  const row = (await db('core_currencies').where({ is_base: true }).first()) as CurrencyRow | undefined;
  return row ? toCurrency(row) : null;
}

export async function insertCurrency(db: Db, c: Omit<Currency, 'isBase' | 'updatedAt'>, now: string): Promise<void> {
  await db('core_currencies').insert({
    code: c.code,
    name: c.name,
    symbol: c.symbol,
    minor_units: c.minorUnits,
    rate_to_base: c.rateToBase,
    is_base: false,
    active: c.active,
    updated_at: now,
  });
}

export async function updateCurrency(db: Db, code: string, patch: Partial<Pick<Currency, 'name' | 'symbol' | 'rateToBase' | 'active' | 'isBase'>>, now: string): Promise<void> {
  const row: Record<string, unknown> = { updated_at: now };
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.symbol !== undefined) row.symbol = patch.symbol;
  if (patch.rateToBase !== undefined) row.rate_to_base = patch.rateToBase;
  if (patch.active !== undefined) row.active = patch.active;
  if (patch.isBase !== undefined) row.is_base = patch.isBase;
  await db('core_currencies').where({ code }).update(row);
}

// ─── Tax rates ─────────────────────────────────────────────────────────────────────────────────

export interface TaxRate {
  id: number;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** Subdivision code ('' = the whole country). */
  region: string;
  name: string;
  /** Basis points: 2000 = 20 %. */
  rateBp: number;
  active: boolean;
}

export interface TaxRateRow {
  id: number;
  country: string;
  region: string;
  name: string;
  rate_bp: number;
  active: boolean | number;
}

export function toTaxRate(r: TaxRateRow): TaxRate {
  return { id: Number(r.id), country: r.country, region: r.region, name: r.name, rateBp: Number(r.rate_bp), active: bool(r.active) };
}

export function taxRatesQuery(db: Db): Knex.QueryBuilder {
  return db('core_tax_rates');
}

export async function findTaxRateById(db: Db, id: number): Promise<TaxRate | null> {
  const row = (await db('core_tax_rates').where({ id }).first()) as TaxRateRow | undefined;
  return row ? toTaxRate(row) : null;
}

export async function findTaxRateByPlace(db: Db, country: string, region: string): Promise<TaxRate | null> {
  const row = (await db('core_tax_rates').where({ country, region }).first()) as TaxRateRow | undefined;
  return row ? toTaxRate(row) : null;
}

export async function insertTaxRate(db: Db, r: Omit<TaxRate, 'id'>): Promise<number> {
  const [row] = await db('core_tax_rates').insert({ country: r.country, region: r.region, name: r.name, rate_bp: r.rateBp, active: r.active }).returning('id');
  return insertedId(row);
}

export async function updateTaxRate(db: Db, id: number, r: Omit<TaxRate, 'id'>): Promise<void> {
  await db('core_tax_rates').where({ id }).update({ country: r.country, region: r.region, name: r.name, rate_bp: r.rateBp, active: r.active });
}

export async function deleteTaxRate(db: Db, id: number): Promise<void> {
  await db('core_tax_rates').where({ id }).delete();
}

// ─── Item types ────────────────────────────────────────────────────────────────────────────────

export interface ItemType {
  id: string;
  name: string;
  owner: string;
  /** The feature switch: is this kind of service sold at all. */
  enabled: boolean;
  /** "Server required": ordered as an add-on of another service. */
  needsParent: boolean;
  position: number;
}

export interface ItemTypeRow {
  id: string;
  name: string;
  owner: string;
  enabled: boolean | number;
  needs_parent: boolean | number;
  position: number;
}

export function toItemType(r: ItemTypeRow): ItemType {
  return { id: r.id, name: r.name, owner: r.owner, enabled: bool(r.enabled), needsParent: bool(r.needs_parent), position: Number(r.position) };
}

export function itemTypesQuery(db: Db): Knex.QueryBuilder {
  return db('core_item_types');
}

export async function listItemTypes(db: Db, opts: { enabledOnly?: boolean } = {}): Promise<ItemType[]> {
  const q = db('core_item_types').orderBy('position').orderBy('id');
  if (opts.enabledOnly) q.where({ enabled: true });
  return ((await q) as ItemTypeRow[]).map(toItemType);
}

export async function findItemType(db: Db, id: string): Promise<ItemType | null> {
  const row = (await db('core_item_types').where({ id }).first()) as ItemTypeRow | undefined;
  return row ? toItemType(row) : null;
}

/** Inserts an item type, or refreshes its name and owner; the operator's switches are left alone. */
export async function upsertItemType(db: Db, t: { id: string; name: string; owner: string; needsParent: boolean; position: number }): Promise<void> {
  await db('core_item_types')
    .insert({ id: t.id, name: t.name, owner: t.owner, enabled: true, needs_parent: t.needsParent, position: t.position })
    .onConflict('id')
    .merge(['name', 'owner']);
}

export async function updateItemTypeFlags(db: Db, id: string, flags: { enabled?: boolean; needsParent?: boolean }): Promise<void> {
  const row: Record<string, unknown> = {};
  if (flags.enabled !== undefined) row.enabled = flags.enabled;
  if (flags.needsParent !== undefined) row.needs_parent = flags.needsParent;
  if (Object.keys(row).length) await db('core_item_types').where({ id }).update(row);
}

// ─── Enumerations ──────────────────────────────────────────────────────────────────────────────

export interface Enumeration {
  id: number;
  name: string;
  internalName: string;
}

export interface EnumerationItem {
  id: number;
  enumerationId: number;
  name: string;
  internalName: string;
  position: number;
}

interface EnumerationRow {
  id: number;
  name: string;
  internal_name: string;
}

interface EnumerationItemRow {
  id: number;
  enumeration_id: number;
  name: string;
  internal_name: string;
  position: number;
}

const toEnumeration = (r: EnumerationRow): Enumeration => ({ id: Number(r.id), name: r.name, internalName: r.internal_name });
const toEnumerationItem = (r: EnumerationItemRow): EnumerationItem => ({
  id: Number(r.id),
  enumerationId: Number(r.enumeration_id),
  name: r.name,
  internalName: r.internal_name,
  position: Number(r.position),
});

export function enumerationsQuery(db: Db): Knex.QueryBuilder {
  return db('core_enumerations');
}

export async function listEnumerations(db: Db): Promise<Enumeration[]> {
  return ((await db('core_enumerations').orderBy('name').orderBy('id')) as EnumerationRow[]).map(toEnumeration);
}

export async function findEnumeration(db: Db, id: number): Promise<Enumeration | null> {
  const row = (await db('core_enumerations').where({ id }).first()) as EnumerationRow | undefined;
  return row ? toEnumeration(row) : null;
}

export async function findEnumerationByInternalName(db: Db, internalName: string): Promise<Enumeration | null> {
  const row = (await db('core_enumerations').where({ internal_name: internalName }).first()) as EnumerationRow | undefined;
  return row ? toEnumeration(row) : null;
}

export async function insertEnumeration(db: Db, e: Omit<Enumeration, 'id'>): Promise<number> {
  const [row] = await db('core_enumerations').insert({ name: e.name, internal_name: e.internalName }).returning('id');
  return insertedId(row);
}

export async function updateEnumeration(db: Db, id: number, e: Omit<Enumeration, 'id'>): Promise<void> {
  await db('core_enumerations').where({ id }).update({ name: e.name, internal_name: e.internalName });
}

export async function deleteEnumeration(db: Db, id: number): Promise<void> {
  await db('core_enumerations').where({ id }).delete();
}

/** Add-ons (of any package) whose values come from this enumeration. */
export async function addonsUsingEnumeration(db: Db, enumerationId: number): Promise<{ id: number; name: string; packageId: number; packageName: string }[]> {
  const rows = (await db('core_addons as a')
    .join('core_packages as p', 'p.id', 'a.package_id')
    .where('a.enumeration_id', enumerationId)
    .select('a.id', 'a.name', 'a.package_id', 'p.name as package_name')
    .orderBy('a.id')) as { id: number; name: string; package_id: number; package_name: string }[];
  return rows.map((r) => ({ id: Number(r.id), name: r.name, packageId: Number(r.package_id), packageName: r.package_name }));
}

export async function listEnumerationItems(db: Db, enumerationIds: number[]): Promise<EnumerationItem[]> {
  if (enumerationIds.length === 0) return [];
  const rows = (await db('core_enumeration_items').whereIn('enumeration_id', enumerationIds).orderBy('enumeration_id').orderBy('position').orderBy('id')) as EnumerationItemRow[];
  return rows.map(toEnumerationItem);
}

export async function countEnumerationItems(db: Db, enumerationId: number): Promise<number> {
  return countOf(db('core_enumeration_items').where({ enumeration_id: enumerationId }));
}

export async function findEnumerationItem(db: Db, enumerationId: number, itemId: number): Promise<EnumerationItem | null> {
  const row = (await db('core_enumeration_items').where({ id: itemId, enumeration_id: enumerationId }).first()) as EnumerationItemRow | undefined;
  return row ? toEnumerationItem(row) : null;
}

export async function insertEnumerationItem(db: Db, item: Omit<EnumerationItem, 'id'>): Promise<number> {
  const [row] = await db('core_enumeration_items')
    .insert({ enumeration_id: item.enumerationId, name: item.name, internal_name: item.internalName, position: item.position })
    .returning('id');
  return insertedId(row);
}

export async function updateEnumerationItem(db: Db, itemId: number, patch: { name?: string; internalName?: string; position?: number }): Promise<void> {
  const row: Record<string, unknown> = {};
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.internalName !== undefined) row.internal_name = patch.internalName;
  if (patch.position !== undefined) row.position = patch.position;
  if (Object.keys(row).length) await db('core_enumeration_items').where({ id: itemId }).update(row);
}

/** Deletes an item and the add-on prices set for it (through the add-ons of its enumeration). */
export async function deleteEnumerationItem(db: Db, enumerationId: number, itemId: number): Promise<void> {
  const addonIds = db('core_addons').where({ enumeration_id: enumerationId }).select('id');
  await db('core_addon_prices').whereIn('addon_id', addonIds).andWhere({ enum_item_id: itemId }).delete();
  await db('core_enumeration_items').where({ id: itemId, enumeration_id: enumerationId }).delete();
}

// ─── Packages ──────────────────────────────────────────────────────────────────────────────────

export interface Package {
  id: number;
  name: string;
  internalName: string;
  itemType: string;
  billingType: BillingType;
  description: string;
  agreement: string;
  active: boolean;
  position: number;
  createdAt: string;
  updatedAt: string;
}

export interface PackageRow {
  id: number;
  name: string;
  internal_name: string;
  item_type: string;
  billing_type: string;
  description: string;
  agreement: string;
  active: boolean | number;
  position: number;
  created_at: string;
  updated_at: string;
}

export function toPackage(r: PackageRow): Package {
  return {
    id: Number(r.id),
    name: r.name,
    internalName: r.internal_name,
    itemType: r.item_type,
    billingType: r.billing_type === 'usage' ? 'usage' : 'period',
    description: r.description,
    agreement: r.agreement,
    active: bool(r.active),
    position: Number(r.position),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type PackageFields = Pick<Package, 'name' | 'internalName' | 'itemType' | 'billingType' | 'description' | 'agreement' | 'active' | 'position'>;

function packageColumns(p: PackageFields): Record<string, unknown> {
  return {
    name: p.name,
    internal_name: p.internalName,
    item_type: p.itemType,
    billing_type: p.billingType,
    description: p.description,
    agreement: p.agreement,
    active: p.active,
    position: p.position,
  };
}

/** The admin list: every filter here is served by an index (item_type+active, active+name). */
export function packagesQuery(db: Db, filters: { itemType?: string; active?: boolean } = {}): Knex.QueryBuilder {
  const q = db('core_packages');
  if (filters.itemType) q.where({ item_type: filters.itemType });
  if (filters.active !== undefined) q.where({ active: filters.active });
  return q;
}

export async function findPackage(db: Db, id: number): Promise<Package | null> {
  const row = (await db('core_packages').where({ id }).first()) as PackageRow | undefined;
  return row ? toPackage(row) : null;
}

export async function findPackageRowByInternalName(db: Db, internalName: string): Promise<Package | null> {
  const row = (await db('core_packages').where({ internal_name: internalName }).first()) as PackageRow | undefined;
  return row ? toPackage(row) : null;
}

export async function listPackagesOfType(db: Db, itemType: string): Promise<Package[]> {
  return ((await db('core_packages').where({ item_type: itemType }).orderBy('name').orderBy('id')) as PackageRow[]).map(toPackage);
}

export async function findPackages(db: Db, ids: number[]): Promise<Package[]> {
  if (ids.length === 0) return [];
  return ((await db('core_packages').whereIn('id', ids)) as PackageRow[]).map(toPackage);
}

export async function insertPackage(db: Db, p: PackageFields, now: string): Promise<number> {
  const [row] = await db('core_packages').insert({ ...packageColumns(p), created_at: now, updated_at: now }).returning('id');
  return insertedId(row);
}

export async function updatePackage(db: Db, id: number, p: PackageFields, now: string): Promise<void> {
  await db('core_packages').where({ id }).update({ ...packageColumns(p), updated_at: now });
}

export async function setPackageActive(db: Db, id: number, active: boolean, now: string): Promise<void> {
  await db('core_packages').where({ id }).update({ active, updated_at: now });
}

export async function deletePackage(db: Db, id: number): Promise<void> {
  await db('core_packages').where({ id }).delete();
}

export async function countServicesOfPackage(db: Db, packageId: number): Promise<number> {
  return countOf(db('core_services').where({ package_id: packageId }));
}

export interface ProcessingServerOption {
  id: number;
  name: string;
  module: string;
  itemType: string;
}

/** Processing servers serving `itemType` (the table belongs to core/processing; this only reads it). */
export async function listProcessingServers(db: Db, itemType: string): Promise<ProcessingServerOption[]> {
  const rows = (await db('core_processing_servers').where({ item_type: itemType }).select('id', 'name', 'module', 'item_type').orderBy('name').orderBy('id')) as {
    id: number;
    name: string;
    module: string;
    item_type: string;
  }[];
  return rows.map((r) => ({ id: Number(r.id), name: r.name, module: r.module, itemType: r.item_type }));
}

export async function findProcessingServers(db: Db, ids: number[]): Promise<ProcessingServerOption[]> {
  if (ids.length === 0) return [];
  const rows = (await db('core_processing_servers').whereIn('id', ids).select('id', 'name', 'module', 'item_type')) as { id: number; name: string; module: string; item_type: string }[];
  return rows.map((r) => ({ id: Number(r.id), name: r.name, module: r.module, itemType: r.item_type }));
}

export async function listPackageServerIds(db: Db, packageId: number): Promise<number[]> {
  const rows = (await db('core_package_servers').where({ package_id: packageId }).select('server_id').orderBy('server_id')) as { server_id: number }[];
  return rows.map((r) => Number(r.server_id));
}

export async function setPackageServers(db: Db, packageId: number, serverIds: number[]): Promise<void> {
  await db('core_package_servers').where({ package_id: packageId }).delete();
  if (serverIds.length) await db('core_package_servers').insert(serverIds.map((server_id) => ({ package_id: packageId, server_id })));
}

export async function listUpgradeTargetIds(db: Db, packageId: number): Promise<number[]> {
  const rows = (await db('core_package_upgrades').where({ package_id: packageId }).select('to_package_id').orderBy('to_package_id')) as { to_package_id: number }[];
  return rows.map((r) => Number(r.to_package_id));
}

export async function setUpgradeTargets(db: Db, packageId: number, targetIds: number[]): Promise<void> {
  await db('core_package_upgrades').where({ package_id: packageId }).delete();
  if (targetIds.length) await db('core_package_upgrades').insert(targetIds.map((to_package_id) => ({ package_id: packageId, to_package_id })));
}

// ─── Periods and prices ────────────────────────────────────────────────────────────────────────

export interface Period {
  id: number;
  packageId: number;
  kind: PeriodKind;
  /** Days for trial/days, months for months, 0 for lifetime. */
  length: number;
  active: boolean;
  position: number;
}

interface PeriodRow {
  id: number;
  package_id: number;
  kind: string;
  length: number;
  active: boolean | number;
  position: number;
}

const toPeriod = (r: PeriodRow): Period => ({
  id: Number(r.id),
  packageId: Number(r.package_id),
  kind: r.kind as PeriodKind,
  length: Number(r.length),
  active: bool(r.active),
  position: Number(r.position),
});

/** Trial first, then by length in days (a month counts as 30 for ordering only), lifetime last. */
export function periodSortKey(p: { kind: PeriodKind; length: number }): number {
  switch (p.kind) {
    case 'trial':
      return p.length;
    case 'days':
      return 100_000 + p.length;
    case 'months':
      return 100_000 + p.length * 30;
    case 'lifetime':
      return 10_000_000;
  }
}

export function sortPeriods<P extends { kind: PeriodKind; length: number; position: number; id: number }>(periods: P[]): P[] {
  return [...periods].sort((a, b) => a.position - b.position || periodSortKey(a) - periodSortKey(b) || a.id - b.id);
}

export async function listPeriods(db: Db, packageIds: number[], opts: { activeOnly?: boolean } = {}): Promise<Period[]> {
  if (packageIds.length === 0) return [];
  const q = db('core_package_periods').whereIn('package_id', packageIds);
  if (opts.activeOnly) q.where({ active: true });
  return sortPeriods(((await q) as PeriodRow[]).map(toPeriod));
}

export async function findPeriod(db: Db, packageId: number, periodId: number): Promise<Period | null> {
  const row = (await db('core_package_periods').where({ id: periodId, package_id: packageId }).first()) as PeriodRow | undefined;
  return row ? toPeriod(row) : null;
}

export async function findPeriodByTerm(db: Db, packageId: number, kind: PeriodKind, length: number): Promise<Period | null> {
  const row = (await db('core_package_periods').where({ package_id: packageId, kind, length }).first()) as PeriodRow | undefined;
  return row ? toPeriod(row) : null;
}

export async function insertPeriod(db: Db, p: Omit<Period, 'id'>): Promise<number> {
  const [row] = await db('core_package_periods').insert({ package_id: p.packageId, kind: p.kind, length: p.length, active: p.active, position: p.position }).returning('id');
  return insertedId(row);
}

export async function updatePeriod(db: Db, periodId: number, p: Pick<Period, 'kind' | 'length' | 'active' | 'position'>): Promise<void> {
  await db('core_package_periods').where({ id: periodId }).update({ kind: p.kind, length: p.length, active: p.active, position: p.position });
}

export async function deletePeriod(db: Db, periodId: number): Promise<void> {
  await db('core_package_periods').where({ id: periodId }).delete();
}

/** Services ordered with this period (through the package's index: services has none on period_id). */
export async function countServicesOfPeriod(db: Db, packageId: number, periodId: number): Promise<number> {
  return countOf(db('core_services').where({ package_id: packageId, period_id: periodId }));
}

export interface PeriodPrice {
  periodId: number;
  currency: string;
  price: number;
  setupFee: number;
}

export async function listPeriodPrices(db: Db, periodIds: number[], opts: { currency?: string } = {}): Promise<PeriodPrice[]> {
  if (periodIds.length === 0) return [];
  const q = db('core_package_prices').whereIn('period_id', periodIds);
  if (opts.currency) q.where({ currency: opts.currency });
  const rows = (await q) as { period_id: number; currency: string; price: number; setup_fee: number }[];
  return rows.map((r) => ({ periodId: Number(r.period_id), currency: r.currency, price: Number(r.price), setupFee: Number(r.setup_fee) }));
}

/**
 * Replaces the prices of a period in the `currencies` given (the active ones the form showed);
 * prices in other currencies (deactivated since) stay as they were.
 */
export async function replacePeriodPrices(db: Db, periodId: number, currencies: string[], prices: Omit<PeriodPrice, 'periodId'>[]): Promise<void> {
  if (currencies.length) await db('core_package_prices').where({ period_id: periodId }).whereIn('currency', currencies).delete();
  if (prices.length) {
    await db('core_package_prices').insert(prices.map((p) => ({ period_id: periodId, currency: p.currency, price: p.price, setup_fee: p.setupFee })));
  }
}

// ─── Add-ons ───────────────────────────────────────────────────────────────────────────────────

export interface Addon {
  id: number;
  packageId: number;
  name: string;
  internalName: string;
  kind: AddonKind;
  enumerationId: number | null;
  min: number;
  max: number | null;
  step: number;
  included: number;
  unit: string;
  defaultValue: string;
  required: boolean;
  /** Offered with new orders; services that have it keep it. */
  active: boolean;
  position: number;
}

interface AddonRow {
  id: number;
  package_id: number;
  name: string;
  internal_name: string;
  kind: string;
  enumeration_id: number | null;
  min_value: number;
  max_value: number | null;
  step: number;
  included: number;
  unit: string;
  default_value: string;
  required: boolean | number;
  active: boolean | number;
  position: number;
}

const toAddon = (r: AddonRow): Addon => ({
  id: Number(r.id),
  packageId: Number(r.package_id),
  name: r.name,
  internalName: r.internal_name,
  kind: r.kind as AddonKind,
  enumerationId: r.enumeration_id === null ? null : Number(r.enumeration_id),
  min: Number(r.min_value),
  max: r.max_value === null ? null : Number(r.max_value),
  step: Number(r.step),
  included: Number(r.included),
  unit: r.unit,
  defaultValue: r.default_value,
  required: bool(r.required),
  active: bool(r.active),
  position: Number(r.position),
});

export type AddonFields = Omit<Addon, 'id' | 'packageId'>;

function addonColumns(a: AddonFields): Record<string, unknown> {
  return {
    name: a.name,
    internal_name: a.internalName,
    kind: a.kind,
    enumeration_id: a.enumerationId,
    min_value: a.min,
    max_value: a.max,
    step: a.step,
    included: a.included,
    unit: a.unit,
    default_value: a.defaultValue,
    required: a.required,
    active: a.active,
    position: a.position,
  };
}

export async function listAddons(db: Db, packageId: number): Promise<Addon[]> {
  const rows = (await db('core_addons').where({ package_id: packageId }).orderBy('position').orderBy('id')) as AddonRow[];
  return rows.map(toAddon);
}

export async function findAddon(db: Db, packageId: number, addonId: number): Promise<Addon | null> {
  const row = (await db('core_addons').where({ id: addonId, package_id: packageId }).first()) as AddonRow | undefined;
  return row ? toAddon(row) : null;
}

export async function findAddonByInternalName(db: Db, packageId: number, internalName: string): Promise<Addon | null> {
  const row = (await db('core_addons').where({ package_id: packageId, internal_name: internalName }).first()) as AddonRow | undefined;
  return row ? toAddon(row) : null;
}

export async function insertAddon(db: Db, packageId: number, a: AddonFields): Promise<number> {
  const [row] = await db('core_addons').insert({ package_id: packageId, ...addonColumns(a) }).returning('id');
  return insertedId(row);
}

export async function updateAddon(db: Db, addonId: number, a: AddonFields): Promise<void> {
  await db('core_addons').where({ id: addonId }).update(addonColumns(a));
}

export async function deleteAddon(db: Db, addonId: number): Promise<void> {
  await db('core_addons').where({ id: addonId }).delete();
}

/** Services that were ordered with this add-on (core_service_addons has no cascade to add-ons). */
export async function countServicesWithAddon(db: Db, addonId: number): Promise<number> {
  return countOf(db('core_service_addons').where({ addon_id: addonId }));
}

export interface AddonPrice {
  addonId: number;
  periodId: number;
  currency: string;
  /** The enumeration item priced, 0 for logic and number add-ons. */
  enumItemId: number;
  price: number;
}

export async function listAddonPrices(db: Db, addonIds: number[], opts: { periodId?: number; currency?: string } = {}): Promise<AddonPrice[]> {
  if (addonIds.length === 0) return [];
  const q = db('core_addon_prices').whereIn('addon_id', addonIds);
  if (opts.periodId !== undefined) q.where({ period_id: opts.periodId });
  if (opts.currency) q.where({ currency: opts.currency });
  const rows = (await q) as { addon_id: number; period_id: number; currency: string; enum_item_id: number; price: number }[];
  return rows.map((r) => ({ addonId: Number(r.addon_id), periodId: Number(r.period_id), currency: r.currency, enumItemId: Number(r.enum_item_id), price: Number(r.price) }));
}

/** Replaces an add-on's prices in the given currencies (inactive currencies keep theirs). */
export async function replaceAddonPrices(db: Db, addonId: number, currencies: string[], prices: Omit<AddonPrice, 'addonId'>[]): Promise<void> {
  if (currencies.length) await db('core_addon_prices').where({ addon_id: addonId }).whereIn('currency', currencies).delete();
  const rows = prices.map((p) => ({ addon_id: addonId, period_id: p.periodId, currency: p.currency, enum_item_id: p.enumItemId, price: p.price }));
  // knex's multi-row insert stops at 500 bound variables on SQLite: 5 per row.
  for (let i = 0; i < rows.length; i += 90) await db('core_addon_prices').insert(rows.slice(i, i + 90));
}

// ─── Ordering ───────────────────────────────────────────────────────────────────────────────────

export interface OrderableRow {
  pkg: Package;
  period: Pick<Period, 'id' | 'kind' | 'length' | 'position'>;
  price: number;
  setupFee: number;
}

/**
 * One row per (active package of an enabled item type, active period priced in `currency`), by
 * package position and name. One join, each step an index lookup: item type → packages
 * (item_type, active) → periods (package_id, …) → prices (period_id, currency).
 */
export async function listOrderableRows(db: Db, currency: string, itemType?: string): Promise<OrderableRow[]> {
  const q = db('core_packages')
    .join('core_item_types', 'core_item_types.id', 'core_packages.item_type')
    .join('core_package_periods', 'core_package_periods.package_id', 'core_packages.id')
    .join('core_package_prices', function joinPrices() {
      this.on('core_package_prices.period_id', '=', 'core_package_periods.id').andOn('core_package_prices.currency', '=', db.raw('?', [currency]));
    })
    .where('core_packages.active', true)
    .andWhere('core_item_types.enabled', true)
    .andWhere('core_package_periods.active', true)
    .select(
      'core_packages.*',
      'core_package_periods.id as period_id',
      'core_package_periods.kind as period_kind',
      'core_package_periods.length as period_length',
      'core_package_periods.position as period_position',
      'core_package_prices.price as period_price',
      'core_package_prices.setup_fee as period_setup_fee',
    )
    .orderBy('core_packages.position')
    .orderBy('core_packages.name')
    .orderBy('core_packages.id');
  if (itemType) q.andWhere('core_packages.item_type', itemType);
  const rows = (await q) as (PackageRow & { period_id: number; period_kind: string; period_length: number; period_position: number; period_price: number; period_setup_fee: number })[];
  return rows.map((r) => ({
    pkg: toPackage(r),
    period: { id: Number(r.period_id), kind: r.period_kind as PeriodKind, length: Number(r.period_length), position: Number(r.period_position) },
    price: Number(r.period_price),
    setupFee: Number(r.period_setup_fee),
  }));
}

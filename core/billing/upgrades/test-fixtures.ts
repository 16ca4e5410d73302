// A catalog with upgrade paths and a service to change, for the upgrade tests (core and portal).
//
//   Basic   10.00/month: Extra IPv4 (number, 1 included, 3.00 per extra IP, 1–8), Backups (yes/no, 5.00),
//                        Operating system (Debian 12 free, Windows Server 15.00; required)
//   Premium 25.00/month: Extra IPv4 (2 included, 2.50 per extra IP, 1–16), Backups (yes/no, 4.00)
//   Lite     6.00/month: no add-ons
//   Basic may move to Premium and Lite; Premium back to Basic.
import type { Knex } from 'knex';
import { insertedId } from '../invoices/store.ts';

const AT = '2026-03-01T09:00:00.000Z';

export interface CatalogPackage {
  packageId: number;
  periodId: number;
  name: string;
}

export interface UpgradeCatalog {
  basic: CatalogPackage;
  premium: CatalogPackage;
  lite: CatalogPackage;
  addons: { ipv4: number; backup: number; os: number; premiumIpv4: number; premiumBackup: number };
}

function tag(): string {
  return Math.random().toString(36).slice(2, 8);
}

async function insertPkg(db: Knex, o: { name: string; itemType: string; price: number; currency: string; position: number; periodKind: string; periodLength: number }): Promise<CatalogPackage> {
  const [p] = await db('core_packages')
    .insert({ name: o.name, internal_name: `${o.name.toLowerCase()}-${tag()}`, item_type: o.itemType, billing_type: 'period', description: `${o.name} plan`, agreement: '', active: true, position: o.position, created_at: AT, updated_at: AT })
    .returning('id');
  const packageId = insertedId(p);
  const [per] = await db('core_package_periods').insert({ package_id: packageId, kind: o.periodKind, length: o.periodLength, active: true, position: 0 }).returning('id');
  const periodId = insertedId(per);
  await db('core_package_prices').insert({ period_id: periodId, currency: o.currency, price: o.price, setup_fee: 0 });
  return { packageId, periodId, name: o.name };
}

async function insertAddon(
  db: Knex,
  pkg: CatalogPackage,
  o: { name: string; internalName: string; kind: 'enum' | 'logic' | 'number'; enumerationId?: number; min?: number; max?: number | null; included?: number; unit?: string; defaultValue?: string; required?: boolean; position: number },
  prices: { itemId?: number; price: number }[],
  currency: string,
): Promise<number> {
  const [a] = await db('core_addons')
    .insert({
      package_id: pkg.packageId, name: o.name, internal_name: o.internalName, kind: o.kind, enumeration_id: o.enumerationId ?? null, min_value: o.min ?? 0, max_value: o.max ?? null, step: 1,
      included: o.included ?? 0, unit: o.unit ?? '', default_value: o.defaultValue ?? '', required: o.required ?? false, active: true, position: o.position,
    })
    .returning('id');
  const addonId = insertedId(a);
  for (const p of prices) await db('core_addon_prices').insert({ addon_id: addonId, period_id: pkg.periodId, currency, enum_item_id: p.itemId ?? 0, price: p.price });
  return addonId;
}

export async function insertUpgradeCatalog(
  db: Knex,
  opts: { currency?: string; itemType?: string; prices?: { basic?: number; premium?: number; lite?: number }; periodKind?: 'months' | 'trial' | 'days' | 'lifetime'; periodLength?: number } = {},
): Promise<UpgradeCatalog> {
  const currency = opts.currency ?? 'USD';
  const itemType = opts.itemType ?? 'hosting';
  const term = { periodKind: opts.periodKind ?? 'months', periodLength: opts.periodLength ?? (opts.periodKind === 'lifetime' ? 0 : 1) };
  const basic = await insertPkg(db, { name: 'Basic', itemType, price: opts.prices?.basic ?? 10_00, currency, position: 1, ...term });
  const premium = await insertPkg(db, { name: 'Premium', itemType, price: opts.prices?.premium ?? 25_00, currency, position: 2, ...term });
  const lite = await insertPkg(db, { name: 'Lite', itemType, price: opts.prices?.lite ?? 6_00, currency, position: 3, ...term });

  const [e] = await db('core_enumerations').insert({ name: 'Operating systems', internal_name: `os-${tag()}` }).returning('id');
  const enumerationId = insertedId(e);
  const [debian] = await db('core_enumeration_items').insert({ enumeration_id: enumerationId, name: 'Debian 12', internal_name: 'debian12', position: 0 }).returning('id');
  const [windows] = await db('core_enumeration_items').insert({ enumeration_id: enumerationId, name: 'Windows Server 2022', internal_name: 'win2022', position: 1 }).returning('id');

  const ipv4 = await insertAddon(db, basic, { name: 'Extra IPv4', internalName: 'ipv4', kind: 'number', min: 1, max: 8, included: 1, unit: 'IP', defaultValue: '1', position: 0 }, [{ price: 3_00 }], currency);
  const backup = await insertAddon(db, basic, { name: 'Backups', internalName: 'backup', kind: 'logic', defaultValue: '0', position: 1 }, [{ price: 5_00 }], currency);
  const os = await insertAddon(
    db,
    basic,
    { name: 'Operating system', internalName: 'os', kind: 'enum', enumerationId, defaultValue: 'debian12', required: true, position: 2 },
    [{ itemId: insertedId(debian), price: 0 }, { itemId: insertedId(windows), price: 15_00 }],
    currency,
  );
  const premiumIpv4 = await insertAddon(db, premium, { name: 'Extra IPv4', internalName: 'ipv4', kind: 'number', min: 1, max: 16, included: 2, unit: 'IP', defaultValue: '2', position: 0 }, [{ price: 2_50 }], currency);
  const premiumBackup = await insertAddon(db, premium, { name: 'Backups', internalName: 'backup', kind: 'logic', defaultValue: '0', position: 1 }, [{ price: 4_00 }], currency);

  await db('core_package_upgrades').insert([
    { package_id: basic.packageId, to_package_id: premium.packageId },
    { package_id: basic.packageId, to_package_id: lite.packageId },
    { package_id: premium.packageId, to_package_id: basic.packageId },
  ]);
  return { basic, premium, lite, addons: { ipv4, backup, os, premiumIpv4, premiumBackup } };
}

/**
 * A service on Basic set up on `activatedOn` and paid until `expiresOn`, with its add-ons at their
 * defaults (one IP, no backups, Debian): 10.00 a month.
 */
export async function insertBasicService(
  db: Knex,
  catalog: UpgradeCatalog,
  o: { clientId: number; label?: string; status?: string; activatedOn?: string; expiresOn?: string | null; currency?: string; price?: number; periodKind?: string; periodLength?: number; serverId?: number | null; params?: Record<string, unknown> },
): Promise<number> {
  const activated = `${o.activatedOn ?? '2026-03-01'}T10:00:00.000Z`;
  const [row] = await db('core_services')
    .insert({
      client_id: o.clientId, package_id: catalog.basic.packageId, item_type: 'hosting', label: o.label ?? 'web1.example.test', status: o.status ?? 'active', period_id: catalog.basic.periodId,
      period_kind: o.periodKind ?? 'months', period_length: o.periodLength ?? 1, currency: o.currency ?? 'USD', price: o.price ?? 10_00, auto_renew: true,
      expires_on: o.expiresOn === undefined ? '2026-04-01' : o.expiresOn, params: JSON.stringify(o.params ?? { ip: '203.0.113.10', os: 'Debian 12' }), parent_id: null,
      processing_server_id: o.serverId ?? null, external_id: null, suspend_reason: null, cancel_requested: false, created_at: activated, activated_at: activated, updated_at: activated,
    })
    .returning('id');
  const serviceId = insertedId(row);
  await db('core_service_addons').insert([
    { service_id: serviceId, addon_id: catalog.addons.ipv4, value: '1', price: 0 },
    { service_id: serviceId, addon_id: catalog.addons.backup, value: '0', price: 0 },
    { service_id: serviceId, addon_id: catalog.addons.os, value: 'debian12', price: 0 },
  ]);
  return serviceId;
}

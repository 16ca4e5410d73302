// The demo catalog, made through the same validate-then-save functions the catalog admin pages call:
// currencies and rates, tax rates, an OS enumeration, processing servers (manual module), hosting
// plans with a trial, domains with yearly periods, and a VDS with enum, logic and number add-ons.
import type { AppServices } from '../services.ts';
import type { FormValues } from '../http/forms.ts';
import { iso } from '../db/time.ts';
import { toDecimalString } from '../money/money.ts';
import { validateNewCurrency } from '../billing/catalog/currencies.ts';
import { validateTaxRate } from '../billing/catalog/taxes.ts';
import { nextPosition, validateEnumeration, validateEnumerationItem } from '../billing/catalog/enumerations.ts';
import { savePackage, validatePackage } from '../billing/catalog/packages.ts';
import { savePeriod, validatePeriod } from '../billing/catalog/periods.ts';
import { NO_ITEM, addonPriceField, saveAddon, validateAddon } from '../billing/catalog/addons.ts';
import type { Checked } from '../billing/catalog/inputs.ts';
import {
  findPackage,
  insertCurrency,
  insertEnumeration,
  insertEnumerationItem,
  insertTaxRate,
  listCurrencies,
  listEnumerationItems,
  listPeriods,
  type AddonKind,
  type Currency,
  type Period,
} from '../billing/catalog/store.ts';
import { saveServer, serverFormSchema, validateServer } from '../processing/servers.ts';
import type { Clock } from '../clock.ts';
import type { PeriodKind } from '../billing/services/periods.ts';

export type Code = 'USD' | 'EUR' | 'RUB';
/** Minor units per currency, e.g. { USD: 499, EUR: 459, RUB: 44900 }. */
export type Prices = Record<Code, number>;

export class DemoSeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoSeedError';
  }
}

/** Unwraps a validation result; a demo catalog that fails validation is a bug in the seed, said loudly. */
export function must<T>(what: string, checked: Checked<T>): T {
  if (!checked.ok) throw new DemoSeedError(`demo seed: ${what} was refused: ${JSON.stringify(checked.errors)}`);
  return checked.data;
}

export interface DemoPeriod {
  key: string;
  id: number;
  kind: PeriodKind;
  length: number;
}

export interface DemoPackage {
  key: string;
  id: number;
  name: string;
  itemType: string;
  periods: Record<string, DemoPeriod>;
  /** Recurring price per period key, without add-ons, by currency. */
  prices: Record<string, Prices>;
}

export interface DemoCatalog {
  packages: Record<string, DemoPackage>;
  serverIds: Record<string, number>;
  departments: Record<string, number>;
}

interface PeriodSpec {
  key: string;
  kind: PeriodKind;
  length: number;
  price: Prices;
  setup?: Partial<Prices>;
}

interface AddonSpec {
  name: string;
  internalName: string;
  kind: AddonKind;
  required?: boolean;
  defaultValue?: string;
  unit?: string;
  min?: number;
  max?: number;
  included?: number;
  /** Per month, in every currency; multiplied by the months of each period. logic: the "yes" price; number: per unit. */
  monthly?: Prices;
  /** enum: per item internal name, per month. */
  items?: Record<string, Prices>;
}

interface PackageSpec {
  key: string;
  name: string;
  itemType: string;
  description: string;
  agreement?: string;
  periods: PeriodSpec[];
  addons?: AddonSpec[];
  position: number;
}

const p = (USD: number, EUR: number, RUB: number): Prices => ({ USD, EUR, RUB });

export const OS_ITEMS = [
  { internalName: 'debian-12', name: 'Debian 12' },
  { internalName: 'ubuntu-24.04', name: 'Ubuntu 24.04 LTS' },
  { internalName: 'almalinux-9', name: 'AlmaLinux 9' },
  { internalName: 'windows-2022', name: 'Windows Server 2022' },
] as const;

/** What the demo sells: prices in minor units per currency (domains are cheapest in roubles, servers in euros). */
export const PACKAGES: PackageSpec[] = [
  {
    key: 'hosting-start', name: 'Hosting Start', itemType: 'hosting', position: 10,
    description: '1 site, 10 GB SSD, free TLS certificate, daily backups kept for a week.',
    agreement: 'By ordering you accept the acceptable use policy of Demo Hosting.',
    periods: [
      { key: 'trial', kind: 'trial', length: 14, price: p(0, 0, 0) },
      { key: '1m', kind: 'months', length: 1, price: p(4_99, 4_59, 449_00) },
      { key: '12m', kind: 'months', length: 12, price: p(49_90, 45_90, 4_490_00) },
    ],
  },
  {
    key: 'hosting-business', name: 'Hosting Business', itemType: 'hosting', position: 20,
    description: '25 sites, 100 GB SSD, staging copies, priority support.',
    periods: [
      { key: '1m', kind: 'months', length: 1, price: p(12_99, 11_99, 1_190_00), setup: { USD: 5_00, EUR: 5_00, RUB: 450_00 } },
      { key: '12m', kind: 'months', length: 12, price: p(129_90, 119_90, 11_900_00) },
    ],
  },
  {
    key: 'domain-com', name: '.com domain', itemType: 'domain', position: 30,
    description: 'Registration of a .com domain name with DNS hosting and WHOIS privacy.',
    periods: [
      { key: '12m', kind: 'months', length: 12, price: p(12_99, 11_99, 1_090_00) },
      { key: '24m', kind: 'months', length: 24, price: p(25_50, 23_50, 2_150_00) },
    ],
  },
  {
    key: 'domain-ru', name: '.ru domain', itemType: 'domain', position: 40,
    description: 'Registration of a .ru domain name.',
    periods: [{ key: '12m', kind: 'months', length: 12, price: p(4_49, 3_99, 299_00) }],
  },
  {
    key: 'vds-m', name: 'VDS M', itemType: 'vds', position: 50,
    description: '2 vCPU, 4 GB RAM, 80 GB NVMe, 1 IPv4 address included.',
    periods: [
      { key: '1m', kind: 'months', length: 1, price: p(21_99, 19_99, 1_890_00), setup: { USD: 10_00, EUR: 9_00, RUB: 900_00 } },
      { key: '3m', kind: 'months', length: 3, price: p(62_99, 56_99, 5_390_00) },
      { key: '12m', kind: 'months', length: 12, price: p(239_00, 215_00, 20_400_00) },
    ],
    addons: [
      {
        name: 'Operating system', internalName: 'os', kind: 'enum', required: true, defaultValue: 'debian-12',
        items: { 'debian-12': p(0, 0, 0), 'ubuntu-24.04': p(0, 0, 0), 'almalinux-9': p(0, 0, 0), 'windows-2022': p(15_00, 14_00, 1_300_00) },
      },
      { name: 'Daily backups', internalName: 'backup', kind: 'logic', defaultValue: '0', monthly: p(3_00, 2_80, 270_00) },
      { name: 'IPv4 addresses', internalName: 'ipv4', kind: 'number', unit: 'IP', min: 1, max: 8, included: 1, defaultValue: '1', monthly: p(2_50, 2_30, 220_00) },
    ],
  },
];

const SERVERS = [
  { key: 'hosting', name: 'web-desk.demo.test', itemType: 'hosting' },
  { key: 'domain', name: 'registrar-desk.demo.test', itemType: 'domain' },
  { key: 'vds', name: 'vds-desk.demo.test', itemType: 'vds' },
];

function months(period: { kind: PeriodKind; length: number }): number {
  return period.kind === 'months' ? period.length : 1;
}

function decimal(amount: number, currency: Currency): string {
  return toDecimalString(amount, currency.minorUnits);
}

/**
 * Creates the catalog. `actor` is the staff user the audit log names (the demo administrator);
 * every write is validated first, exactly as the admin forms are.
 */
export async function createDemoCatalog(services: AppServices, clock: Clock, actor: { id: number; label: string }): Promise<DemoCatalog> {
  const { db } = services;
  const now = () => iso(clock.now());
  const audit = (trx: Parameters<AppServices['audit']['record']>[1], action: string, target: string, details?: Record<string, unknown>) =>
    services.audit.record({ actor: { type: 'staff', id: actor.id, label: actor.label }, action: `catalog.${action}`, target, ...(details ? { details } : {}) }, trx);

  // Currencies: USD is the base the migrations create; EUR and RUB with today's demo rates.
  for (const c of [
    { code: 'EUR', name: 'Euro', symbol: '€', minor_units: '2', rate: '1.08' },
    { code: 'RUB', name: 'Russian rouble', symbol: '₽', minor_units: '2', rate: '0.0108' },
  ]) {
    const data = must(`currency ${c.code}`, await validateNewCurrency(db, c));
    await db.transaction(async (trx) => {
      await insertCurrency(trx, data, now());
      await audit(trx, 'currency_added', `currency:${data.code}`, { rateToBase: data.rateToBase, minorUnits: data.minorUnits });
    });
  }

  for (const t of [
    { country: 'DE', region: '', name: 'USt', rate: '19' },
    { country: 'FR', region: '', name: 'TVA', rate: '20' },
    { country: 'GB', region: '', name: 'VAT', rate: '20' },
    { country: 'RU', region: '', name: 'НДС', rate: '20' },
    { country: 'US', region: 'CA', name: 'Sales tax', rate: '7.25' },
  ]) {
    const data = must(`tax rate ${t.country}${t.region}`, await validateTaxRate(db, t));
    await db.transaction(async (trx) => {
      const id = await insertTaxRate(trx, data);
      await audit(trx, 'tax_rate_added', `tax_rate:${id}`, { country: data.country, region: data.region, rateBp: data.rateBp });
    });
  }

  // The OS list VDS orders choose from.
  const enumeration = must('the OS enumeration', await validateEnumeration(db, { name: 'Operating systems', internal_name: 'vds-os' }));
  const enumerationId = await db.transaction(async (trx) => {
    const id = await insertEnumeration(trx, enumeration);
    await audit(trx, 'enumeration_added', `enumeration:${id}`, { internalName: enumeration.internalName });
    return id;
  });
  for (const item of OS_ITEMS) {
    const data = must(`OS ${item.name}`, await validateEnumerationItem(db, enumerationId, { name: item.name, internal_name: item.internalName }));
    const items = await listEnumerationItems(db, [enumerationId]);
    await db.transaction((trx) => insertEnumerationItem(trx, { enumerationId, ...data, position: nextPosition(items) }));
  }
  const osItems = await listEnumerationItems(db, [enumerationId]);

  // Processing servers of the built-in manual module: staff carry out each operation by hand.
  const departments = Object.fromEntries(((await db('core_departments').select('id', 'kind')) as { id: number; kind: string }[]).map((d) => [d.kind, Number(d.id)]));
  const serverIds: Record<string, number> = {};
  for (const s of SERVERS) {
    const form = serverFormSchema.parse({
      name: s.name, module: 'manual', item_type: s.itemType, url: '', username: '', password: '',
      department_id: String(departments.technical ?? ''), max_clients: '', use_for_new_orders: '1', allow_prolong: '', allow_set_param: '1', notify_errors: '1',
    });
    const checked = await validateServer(db, services.processing, form);
    if (!checked.input) throw new DemoSeedError(`demo seed: processing server ${s.name} was refused: ${JSON.stringify(checked.errors)}`);
    serverIds[s.key] = await db.transaction(async (trx) => {
      const id = await saveServer(trx, checked.input!, { seal: (plain) => services.secrets.encrypt(plain), now: now() });
      await services.audit.record({ actor: { type: 'staff', id: actor.id, label: actor.label }, action: 'processing.server_created', target: `server:${id}`, details: { module: 'manual', itemType: s.itemType } }, trx);
      return id;
    });
  }

  const currencies = await listCurrencies(db, { activeOnly: true });
  const packages: Record<string, DemoPackage> = {};
  for (const spec of PACKAGES) {
    const values: FormValues = { name: spec.name, internal_name: spec.key, item_type: spec.itemType, billing_type: 'period', description: spec.description, agreement: spec.agreement ?? '', active: '1', position: String(spec.position) };
    const created = must(`package ${spec.name}`, await validatePackage(db, values));
    const packageId = await db.transaction(async (trx) => {
      const id = await savePackage(trx, created, now());
      await audit(trx, 'package_added', `package:${id}`, { internalName: spec.key });
      return id;
    });
    // The edit form: the package is provided by its kind's server.
    const existing = (await findPackage(db, packageId))!;
    const serverId = serverIds[spec.itemType];
    const edited = must(`package ${spec.name} (servers)`, await validatePackage(db, { ...values, servers: serverId ? [String(serverId)] : [], upgrades: [] }, existing));
    await db.transaction((trx) => savePackage(trx, edited, now(), packageId));

    const pkg: DemoPackage = { key: spec.key, id: packageId, name: spec.name, itemType: spec.itemType, periods: {}, prices: {} };
    for (const [position, period] of spec.periods.entries()) {
      const form: FormValues = { kind: period.kind, length: String(period.length), active: '1', position: String(position * 10) };
      for (const c of currencies) {
        const code = c.code as Code;
        form[`price.${c.code}`] = decimal(period.price[code], c);
        const setup = period.setup?.[code];
        if (setup) form[`setup.${c.code}`] = decimal(setup, c);
      }
      const data = must(`period ${period.key} of ${spec.name}`, await validatePeriod(db, packageId, form, { currencies }));
      const id = await db.transaction(async (trx) => {
        const periodId = await savePeriod(trx, packageId, data, currencies);
        await audit(trx, 'period_added', `package:${packageId}`, { periodId, kind: period.kind, length: period.length });
        return periodId;
      });
      pkg.periods[period.key] = { key: period.key, id, kind: period.kind, length: period.length };
      pkg.prices[period.key] = period.price;
    }

    const periods: Period[] = await listPeriods(db, [packageId]);
    for (const [position, addon] of (spec.addons ?? []).entries()) {
      const form: FormValues = {
        name: addon.name, internal_name: addon.internalName, unit: addon.unit ?? '', default_value: addon.defaultValue ?? '',
        min: String(addon.min ?? ''), max: String(addon.max ?? ''), step: '1', included: String(addon.included ?? ''),
        required: addon.required ? '1' : '', active: '1', position: String(position * 10),
      };
      for (const period of periods) {
        const n = months(period);
        for (const c of currencies) {
          const code = c.code as Code;
          if (addon.kind === 'enum') {
            for (const item of osItems) form[addonPriceField(period.id, item.id, c.code)] = decimal((addon.items?.[item.internalName]?.[code] ?? 0) * n, c);
          } else {
            form[addonPriceField(period.id, NO_ITEM, c.code)] = decimal((addon.monthly?.[code] ?? 0) * n, c);
          }
        }
      }
      const data = must(`add-on ${addon.name}`, await validateAddon(db, packageId, form, { kind: addon.kind, enumerationId: addon.kind === 'enum' ? enumerationId : null, periods, currencies }));
      await db.transaction(async (trx) => {
        const id = await saveAddon(trx, packageId, data, currencies);
        await audit(trx, 'addon_added', `package:${packageId}`, { addonId: id, kind: addon.kind });
      });
    }
    packages[spec.key] = pkg;
  }
  return { packages, serverIds, departments };
}

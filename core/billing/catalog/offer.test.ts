// getOffer, priceAddons, listOrderablePackages: the pricing contract ordering code relies on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { findPackageByInternalName, getOffer, listOrderablePackages, priceAddons, type Offer } from './offer.ts';
import {
  insertAddon,
  insertCurrency,
  insertEnumeration,
  insertEnumerationItem,
  insertPackage,
  insertPeriod,
  replaceAddonPrices,
  replacePeriodPrices,
  setPackageActive,
  updateCurrency,
  updateItemTypeFlags,
  type AddonFields,
  type Db,
  type PackageFields,
} from './store.ts';

const NOW = '2026-03-02T09:00:00.000Z';
let t: TestDb;
let db: Db;
const ids = {} as Record<'vds' | 'vdsOld' | 'ded' | 'month' | 'year' | 'trial' | 'quarter' | 'dedMonth' | 'os' | 'backup' | 'ip' | 'debian' | 'windows' | 'osEnum', number>;

const pkg = (over: Partial<PackageFields>): PackageFields => ({
  name: 'VDS S',
  internalName: 'vds-s',
  itemType: 'vds',
  billingType: 'period',
  description: '',
  agreement: 'I agree.',
  active: true,
  position: 100,
  ...over,
});

const addon = (over: Partial<AddonFields>): AddonFields => ({
  name: 'x',
  internalName: 'x',
  kind: 'logic',
  enumerationId: null,
  min: 0,
  max: null,
  step: 1,
  included: 0,
  unit: '',
  defaultValue: '',
  required: false,
  active: true,
  position: 0,
  ...over,
});

beforeAll(async () => {
  t = await createMigratedTestDb();
  db = t.db;
  await insertCurrency(db, { code: 'EUR', name: 'Euro', symbol: '€', minorUnits: 2, rateToBase: 1_080_000, active: true }, NOW);
  await insertCurrency(db, { code: 'JPY', name: 'Yen', symbol: '¥', minorUnits: 0, rateToBase: 6_700, active: true }, NOW);
  await insertCurrency(db, { code: 'GBP', name: 'Pound', symbol: '£', minorUnits: 2, rateToBase: 1_270_000, active: false }, NOW);

  ids.osEnum = await insertEnumeration(db, { name: 'Operating systems', internalName: 'ostempl' });
  ids.debian = await insertEnumerationItem(db, { enumerationId: ids.osEnum, name: 'Debian 12', internalName: 'debian12', position: 10 });
  ids.windows = await insertEnumerationItem(db, { enumerationId: ids.osEnum, name: 'Windows Server 2022', internalName: 'win2022', position: 20 });

  ids.vds = await insertPackage(db, pkg({ position: 20 }), NOW);
  ids.vdsOld = await insertPackage(db, pkg({ name: 'VDS Legacy', internalName: 'vds-legacy', active: false }), NOW);
  ids.ded = await insertPackage(db, pkg({ name: 'HP Core i5', internalName: 'HPCorei5', itemType: 'dedicated', position: 10 }), NOW);

  ids.month = await insertPeriod(db, { packageId: ids.vds, kind: 'months', length: 1, active: true, position: 0 });
  ids.year = await insertPeriod(db, { packageId: ids.vds, kind: 'months', length: 12, active: true, position: 0 });
  ids.trial = await insertPeriod(db, { packageId: ids.vds, kind: 'trial', length: 14, active: true, position: 0 });
  ids.quarter = await insertPeriod(db, { packageId: ids.vds, kind: 'months', length: 3, active: false, position: 0 });
  ids.dedMonth = await insertPeriod(db, { packageId: ids.ded, kind: 'months', length: 1, active: true, position: 0 });
  const legacyMonth = await insertPeriod(db, { packageId: ids.vdsOld, kind: 'months', length: 1, active: true, position: 0 });

  await replacePeriodPrices(db, ids.month, ['USD', 'EUR'], [
    { currency: 'USD', price: 1000, setupFee: 500 },
    { currency: 'EUR', price: 900, setupFee: 0 },
  ]);
  await replacePeriodPrices(db, ids.year, ['USD'], [{ currency: 'USD', price: 10000, setupFee: 0 }]);
  await replacePeriodPrices(db, ids.trial, ['USD'], [{ currency: 'USD', price: 0, setupFee: 0 }]);
  await replacePeriodPrices(db, ids.quarter, ['USD'], [{ currency: 'USD', price: 2700, setupFee: 0 }]);
  await replacePeriodPrices(db, ids.dedMonth, ['USD', 'EUR'], [
    { currency: 'USD', price: 5000, setupFee: 0 },
    { currency: 'EUR', price: 4600, setupFee: 0 },
  ]);
  await replacePeriodPrices(db, legacyMonth, ['USD'], [{ currency: 'USD', price: 800, setupFee: 0 }]);

  ids.os = await insertAddon(db, ids.vds, addon({ name: 'Operating system', internalName: 'os', kind: 'enum', enumerationId: ids.osEnum, required: true, defaultValue: 'debian12', position: 1 }));
  ids.backup = await insertAddon(db, ids.vds, addon({ name: 'Backup', internalName: 'backup', kind: 'logic', position: 2 }));
  ids.ip = await insertAddon(db, ids.vds, addon({ name: 'IPv4 addresses', internalName: 'ip', kind: 'number', min: 1, max: 8, step: 1, included: 1, unit: 'IP', required: true, position: 3 }));
  await insertAddon(db, ids.vds, addon({ name: 'Retired option', internalName: 'retired', kind: 'logic', active: false, position: 4 }));

  await replaceAddonPrices(db, ids.os, ['USD', 'EUR'], [
    { periodId: ids.month, currency: 'USD', enumItemId: ids.debian, price: 0 },
    { periodId: ids.month, currency: 'USD', enumItemId: ids.windows, price: 1500 },
    { periodId: ids.month, currency: 'EUR', enumItemId: ids.windows, price: 1400 },
    { periodId: ids.year, currency: 'USD', enumItemId: ids.debian, price: 0 },
    { periodId: ids.year, currency: 'USD', enumItemId: ids.windows, price: 15000 },
  ]);
  await replaceAddonPrices(db, ids.backup, ['USD', 'EUR'], [
    { periodId: ids.month, currency: 'USD', enumItemId: 0, price: 200 },
    { periodId: ids.month, currency: 'EUR', enumItemId: 0, price: 180 },
  ]);
  await replaceAddonPrices(db, ids.ip, ['USD'], [{ periodId: ids.month, currency: 'USD', enumItemId: 0, price: 300 }]);
});
afterAll(async () => {
  await t.destroy();
});

describe('getOffer', () => {
  it('prices one period in one currency with its add-ons priced for the same period and currency', async () => {
    const offer = await getOffer(db, { packageId: ids.vds, periodId: ids.month, currency: 'USD' });
    expect(offer).not.toBeNull();
    expect(offer!.package).toEqual({ id: ids.vds, name: 'VDS S', internalName: 'vds-s', itemType: 'vds', billingType: 'period', agreement: 'I agree.' });
    expect(offer!.period).toEqual({ id: ids.month, kind: 'months', length: 1 });
    expect([offer!.price, offer!.setupFee, offer!.currency, offer!.minorUnits]).toEqual([1000, 500, 'USD', 2]);
    expect(offer!.addons.map((a) => a.internalName)).toEqual(['os', 'backup', 'ip']);
    const [os, backup, ip] = offer!.addons;
    expect(os!.items).toEqual([
      { internalName: 'debian12', name: 'Debian 12' },
      { internalName: 'win2022', name: 'Windows Server 2022' },
    ]);
    expect(os!.prices).toEqual({ debian12: 0, win2022: 1500 });
    expect(os!.enumeration).toEqual({ id: ids.osEnum, internalName: 'ostempl', name: 'Operating systems' });
    expect(os).toMatchObject({ kind: 'enum', required: true, defaultValue: 'debian12' });
    expect(backup!.prices).toEqual({ yes: 200 });
    expect(ip).toMatchObject({ kind: 'number', min: 1, max: 8, step: 1, included: 1, unit: 'IP', prices: { unit: 300 } });
  });

  it('offers only the enumeration items priced in the requested currency', async () => {
    const offer = await getOffer(db, { packageId: ids.vds, periodId: ids.month, currency: 'EUR' });
    expect([offer!.price, offer!.setupFee]).toEqual([900, 0]);
    expect(offer!.addons[0]!.items).toEqual([{ internalName: 'win2022', name: 'Windows Server 2022' }]);
    expect(offer!.addons[0]!.prices).toEqual({ win2022: 1400 });
    expect(offer!.addons[2]!.prices).toEqual({});
  });

  it('prices add-ons per period: the yearly period has its own add-on prices', async () => {
    const offer = await getOffer(db, { packageId: ids.vds, periodId: ids.year, currency: 'USD' });
    expect(offer!.price).toBe(10000);
    expect(offer!.addons[0]!.prices).toEqual({ debian12: 0, win2022: 15000 });
    expect(offer!.addons[1]!.prices).toEqual({});
  });

  it('returns null for whatever cannot be ordered', async () => {
    const cases: [string, { packageId: number; periodId: number; currency: string }][] = [
      ['no price in that currency', { packageId: ids.vds, periodId: ids.month, currency: 'JPY' }],
      ['inactive currency', { packageId: ids.vds, periodId: ids.month, currency: 'GBP' }],
      ['unknown currency', { packageId: ids.vds, periodId: ids.month, currency: 'XXX' }],
      ['lower-case code', { packageId: ids.vds, periodId: ids.month, currency: 'usd' }],
      ['inactive period', { packageId: ids.vds, periodId: ids.quarter, currency: 'USD' }],
      ['period of another package', { packageId: ids.vds, periodId: ids.dedMonth, currency: 'USD' }],
      ['inactive package', { packageId: ids.vdsOld, periodId: ids.month, currency: 'USD' }],
      ['unknown package', { packageId: 999_999, periodId: ids.month, currency: 'USD' }],
      ['nonsense ids', { packageId: Number.NaN, periodId: -1, currency: 'USD' }],
    ];
    for (const [why, q] of cases) expect(await getOffer(db, q), why).toBeNull();
  });

  it('refuses packages whose kind of service is switched off, and lets staff quote them with includeInactive', async () => {
    await updateItemTypeFlags(db, 'dedicated', { enabled: false });
    try {
      expect(await getOffer(db, { packageId: ids.ded, periodId: ids.dedMonth, currency: 'USD' })).toBeNull();
      const quoted = await getOffer(db, { packageId: ids.ded, periodId: ids.dedMonth, currency: 'USD' }, { includeInactive: true });
      expect(quoted!.price).toBe(5000);
    } finally {
      await updateItemTypeFlags(db, 'dedicated', { enabled: true });
    }
    expect((await getOffer(db, { packageId: ids.ded, periodId: ids.dedMonth, currency: 'USD' }))!.price).toBe(5000);
  });

  it('includes add-ons no longer offered only when asked to', async () => {
    const quoted = await getOffer(db, { packageId: ids.vds, periodId: ids.quarter, currency: 'USD' }, { includeInactive: true });
    expect(quoted!.price).toBe(2700);
    expect(quoted!.addons.map((a) => a.internalName)).toContain('retired');
  });
});

describe('priceAddons', () => {
  let usd: Offer;
  let eur: Offer;
  beforeAll(async () => {
    usd = (await getOffer(db, { packageId: ids.vds, periodId: ids.month, currency: 'USD' }))!;
    eur = (await getOffer(db, { packageId: ids.vds, periodId: ids.month, currency: 'EUR' }))!;
  });

  it('prices an enumeration item, a "yes" and the units beyond the included ones', () => {
    const r = priceAddons(usd, { os: 'win2022', backup: '1', ip: '3' });
    expect(r.errors).toEqual({});
    expect(r.ok).toBe(true);
    expect(r.lines).toEqual([
      { addonId: ids.os, internalName: 'os', description: 'Operating system: Windows Server 2022', value: 'win2022', price: 1500 },
      { addonId: ids.backup, internalName: 'backup', description: 'Backup: yes', value: '1', price: 200 },
      { addonId: ids.ip, internalName: 'ip', description: 'IPv4 addresses: 3 IP (1 included)', value: '3', price: 600 },
    ]);
    expect(r.total).toBe(2300);
  });

  it('falls back to defaults, records "no" answers at no charge and charges nothing within the included units', () => {
    const r = priceAddons(usd, { backup: '0', ip: '1' });
    expect(r.ok).toBe(true);
    expect(r.lines.map((l) => [l.internalName, l.value, l.price])).toEqual([
      ['os', 'debian12', 0],
      ['backup', '0', 0],
      ['ip', '1', 0],
    ]);
    expect(r.total).toBe(0);
  });

  it('leaves optional add-ons out when nothing is chosen and asks for required ones', () => {
    const r = priceAddons(usd, { os: 'debian12' });
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual({ ip: 'Enter the number of IP for “IPv4 addresses”' });
    expect(r.lines.map((l) => l.internalName)).toEqual(['os']);
  });

  it('refuses values the add-ons do not accept, each with its own message', () => {
    const r = priceAddons(usd, { os: 'freebsd', backup: 'yes', ip: '9', colour: 'red' });
    expect(r.ok).toBe(false);
    expect(r.errors.os).toBe('Choose one of: Debian 12, Windows Server 2022');
    expect(r.errors.backup).toBe('Answer “Backup” with yes (1) or no (0)');
    expect(r.errors.ip).toBe('IPv4 addresses: enter at most 8');
    expect(r.errors.colour).toBe('“colour” is not an add-on of VDS S');
    expect(priceAddons(usd, { ip: '0' }).errors.ip).toBe('IPv4 addresses: enter at least 1');
    expect(priceAddons(usd, { ip: '2.5' }).errors.ip).toBe('IPv4 addresses: enter a whole number');
  });

  it('checks the step of number add-ons from their minimum', () => {
    const stepped: Offer = { ...usd, addons: [{ ...usd.addons[2]!, min: 10, max: 100, step: 10, included: 0 }] };
    expect(priceAddons(stepped, { ip: '30' }).lines[0]!.price).toBe(9000);
    expect(priceAddons(stepped, { ip: '35' }).errors.ip).toBe('IPv4 addresses: enter 10 plus a multiple of 10');
  });

  it('refuses options that have no price in the offer’s currency', () => {
    const r = priceAddons(eur, { os: 'debian12', ip: '2' });
    expect(r.errors.os).toBe('Choose one of: Windows Server 2022');
    expect(r.errors.ip).toBe('More than 1 IP of “IPv4 addresses” is not sold with this period in EUR');
    // Within the included units it needs no price at all.
    expect(priceAddons(eur, { os: 'win2022', ip: '1' })).toMatchObject({ ok: true, total: 1400 });
  });
});

describe('listOrderablePackages', () => {
  it('lists active packages of enabled kinds with their active periods priced in the currency, by position', async () => {
    const usd = await listOrderablePackages(db, { currency: 'USD' });
    expect(usd.map((p) => p.internalName)).toEqual(['HPCorei5', 'vds-s']);
    const vds = usd.find((p) => p.internalName === 'vds-s')!;
    expect(vds.periods.map((p) => [p.kind, p.length, p.price, p.setupFee])).toEqual([
      ['trial', 14, 0, 0],
      ['months', 1, 1000, 500],
      ['months', 12, 10000, 0],
    ]);
    const eur = await listOrderablePackages(db, { currency: 'EUR', itemType: 'vds' });
    expect(eur.map((p) => [p.internalName, p.periods.map((x) => x.price)])).toEqual([['vds-s', [900]]]);
  });

  it('finds nothing in a currency without prices, an inactive one or an unknown one', async () => {
    expect(await listOrderablePackages(db, { currency: 'JPY' })).toEqual([]);
    expect(await listOrderablePackages(db, { currency: 'GBP' })).toEqual([]);
    expect(await listOrderablePackages(db, { currency: 'ZZZ' })).toEqual([]);
  });

  it('drops a package when it is deactivated or its currency is', async () => {
    await setPackageActive(db, ids.ded, false, NOW);
    await updateCurrency(db, 'EUR', { active: false }, NOW);
    try {
      expect((await listOrderablePackages(db, { currency: 'USD' })).map((p) => p.internalName)).toEqual(['vds-s']);
      expect(await listOrderablePackages(db, { currency: 'EUR' })).toEqual([]);
    } finally {
      await setPackageActive(db, ids.ded, true, NOW);
      await updateCurrency(db, 'EUR', { active: true }, NOW);
    }
  });
});

describe('findPackageByInternalName', () => {
  it('finds a package by its exact internal name, active or not', async () => {
    expect((await findPackageByInternalName(db, 'HPCorei5'))?.id).toBe(ids.ded);
    expect((await findPackageByInternalName(db, 'vds-legacy'))?.active).toBe(false);
    expect(await findPackageByInternalName(db, 'hpcorei5')).toBeNull();
  });
});

// The add-on form: limits of number add-ons, default values, and the price grid per period and option.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { addonPriceField, numberProblem, validateAddon } from './addons.ts';
import { insertCurrency, insertEnumeration, insertEnumerationItem, insertPackage, insertPeriod, listCurrencies, listPeriods, type Currency, type Period } from './store.ts';

const NOW = '2026-03-02T09:00:00.000Z';
let t: TestDb;
let packageId: number;
let currencies: Currency[];
let periods: Period[];
let osEnum: number;
let emptyEnum: number;
let debian: number;

beforeAll(async () => {
  t = await createMigratedTestDb();
  await insertCurrency(t.db, { code: 'EUR', name: 'Euro', symbol: '€', minorUnits: 2, rateToBase: 1_080_000, active: true }, NOW);
  packageId = await insertPackage(t.db, { name: 'P', internalName: 'p', itemType: 'dedicated', billingType: 'period', description: '', agreement: '', active: true, position: 1 }, NOW);
  await insertPeriod(t.db, { packageId, kind: 'months', length: 1, active: true, position: 0 });
  await insertPeriod(t.db, { packageId, kind: 'months', length: 12, active: true, position: 0 });
  osEnum = await insertEnumeration(t.db, { name: 'OS', internalName: 'os' });
  emptyEnum = await insertEnumeration(t.db, { name: 'Empty', internalName: 'empty' });
  debian = await insertEnumerationItem(t.db, { enumerationId: osEnum, name: 'Debian', internalName: 'debian', position: 10 });
  currencies = await listCurrencies(t.db, { activeOnly: true });
  periods = await listPeriods(t.db, [packageId]);
});
afterAll(async () => {
  await t.destroy();
});

describe('validateAddon', () => {
  it('accepts a number add-on priced per unit in every period, other currencies optional', async () => {
    const [m1, m12] = periods;
    const r = await validateAddon(
      t.db,
      packageId,
      { name: 'Disk', internal_name: 'disk', unit: 'GB', min: '10', max: '100', step: '10', included: '20', default_value: '20', active: '1', [addonPriceField(m1!.id, 0, 'USD')]: '0.10', [addonPriceField(m12!.id, 0, 'USD')]: '1', [addonPriceField(m12!.id, 0, 'EUR')]: '0.90' },
      { kind: 'number', enumerationId: null, periods, currencies },
    );
    expect(r.ok).toBe(true);
    expect(r.ok && r.data).toMatchObject({ kind: 'number', min: 10, max: 100, step: 10, included: 20, unit: 'GB', defaultValue: '20', active: true, required: false });
    expect(r.ok && r.data.prices).toEqual([
      { periodId: m1!.id, currency: 'USD', enumItemId: 0, price: 10 },
      { periodId: m12!.id, currency: 'USD', enumItemId: 0, price: 100 },
      { periodId: m12!.id, currency: 'EUR', enumItemId: 0, price: 90 },
    ]);
  });

  it('needs a base price for every period and option, and checks limits and the default', async () => {
    const [m1] = periods;
    const r = await validateAddon(
      t.db,
      packageId,
      { name: 'Disk', internal_name: 'disk space', min: '50', max: '10', step: '0', default_value: '7', [addonPriceField(m1!.id, 0, 'USD')]: '-3' },
      { kind: 'number', enumerationId: null, periods, currencies },
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual({
      internal_name: 'Use letters, digits, “-” and “_” only (e.g. ispmgr, os)',
      max: 'The maximum must not be below the minimum',
      step: 'Enter at least 1',
      default_value: 'Enter at least 50',
      [addonPriceField(m1!.id, 0, 'USD')]: 'Prices cannot be negative',
      [addonPriceField(periods[1]!.id, 0, 'USD')]: 'Enter a price in USD',
    });
  });

  it('needs no unit price when the maximum is within the included units', async () => {
    const r = await validateAddon(t.db, packageId, { name: 'Users', internal_name: 'users', min: '1', max: '5', included: '5' }, { kind: 'number', enumerationId: null, periods, currencies });
    expect(r.ok && r.data.prices).toEqual([]);
  });

  it('prices enumeration add-ons per item and refuses an enumeration without items', async () => {
    const fields = Object.fromEntries(periods.map((p) => [addonPriceField(p.id, debian, 'USD'), '0']));
    const r = await validateAddon(t.db, packageId, { name: 'OS', internal_name: 'os', default_value: 'debian', ...fields }, { kind: 'enum', enumerationId: osEnum, periods, currencies });
    expect(r.ok && r.data.prices.map((p) => p.enumItemId)).toEqual([debian, debian]);
    const wrongDefault = await validateAddon(t.db, packageId, { name: 'OS', internal_name: 'os', default_value: 'arch', ...fields }, { kind: 'enum', enumerationId: osEnum, periods, currencies });
    expect(!wrongDefault.ok && wrongDefault.errors).toEqual({ default_value: 'Choose one of the enumeration’s items, or none' });
    const empty = await validateAddon(t.db, packageId, { name: 'X', internal_name: 'x' }, { kind: 'enum', enumerationId: emptyEnum, periods, currencies });
    expect(!empty.ok && empty.errors.enumeration_id).toBe('“Empty” has no items yet; add them under Enumerations first');
  });

  it('refuses prices for periods or items the form should not have', async () => {
    const fields = Object.fromEntries(periods.map((p) => [addonPriceField(p.id, 0, 'USD'), '1']));
    const r = await validateAddon(t.db, packageId, { name: 'Backup', internal_name: 'backup', ...fields, [addonPriceField(999_999, 0, 'USD')]: '1' }, { kind: 'logic', enumerationId: null, periods, currencies });
    expect(!r.ok && r.errors._form).toMatch(/out of date/);
  });
});

describe('numberProblem', () => {
  it('checks whole numbers, bounds and steps from the minimum', () => {
    const a = { min: 2, max: 10, step: 4 };
    expect([numberProblem('2', a), numberProblem('6', a), numberProblem('10', a)]).toEqual([null, null, null]);
    expect([numberProblem('1', a), numberProblem('11', a), numberProblem('4', a), numberProblem('x', a)]).toEqual([
      'Enter at least 2',
      'Enter at most 10',
      'Enter 2 plus a multiple of 4',
      'Enter a whole number',
    ]);
    expect(numberProblem('1000000', { min: 0, max: null, step: 1 })).toBeNull();
  });
});

// The period form: terms, a required base price, optional other currencies, and nothing half-valid accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { validatePeriod } from './periods.ts';
import { insertCurrency, insertPackage, insertPeriod, listCurrencies, type Currency } from './store.ts';

const NOW = '2026-03-02T09:00:00.000Z';
let t: TestDb;
let packageId: number;
let currencies: Currency[];

beforeAll(async () => {
  t = await createMigratedTestDb();
  await insertCurrency(t.db, { code: 'EUR', name: 'Euro', symbol: '€', minorUnits: 2, rateToBase: 1_080_000, active: true }, NOW);
  await insertCurrency(t.db, { code: 'JPY', name: 'Yen', symbol: '¥', minorUnits: 0, rateToBase: 6_700, active: true }, NOW);
  packageId = await insertPackage(t.db, { name: 'P', internalName: 'p', itemType: 'vds', billingType: 'period', description: '', agreement: '', active: true, position: 1 }, NOW);
  await insertPeriod(t.db, { packageId, kind: 'months', length: 1, active: true, position: 0 });
  currencies = await listCurrencies(t.db, { activeOnly: true });
});
afterAll(async () => {
  await t.destroy();
});

describe('validatePeriod', () => {
  it('accepts a term with a base price and an optional price and setup fee per other currency', async () => {
    const r = await validatePeriod(t.db, packageId, { kind: 'months', length: '12', active: '1', 'price.USD': '100', 'setup.USD': '', 'price.EUR': '92,50', 'setup.EUR': '5', 'price.JPY': '' }, { currencies });
    expect(r).toEqual({
      ok: true,
      data: { kind: 'months', length: 12, active: true, position: 0, prices: [{ currency: 'USD', price: 10_000, setupFee: 0 }, { currency: 'EUR', price: 9250, setupFee: 500 }] },
    });
  });

  it('gives lifetime periods length 0 whatever is typed', async () => {
    const r = await validatePeriod(t.db, packageId, { kind: 'lifetime', length: 'forever', 'price.USD': '499' }, { currencies });
    expect(r.ok && r.data).toMatchObject({ kind: 'lifetime', length: 0 });
  });

  it('reports every bad field at once: missing base price, negative amount, extra decimals, setup without price', async () => {
    const r = await validatePeriod(t.db, packageId, { kind: 'days', length: '0', 'price.USD': '', 'price.EUR': '-1', 'setup.JPY': '100', 'price.JPY': '', 'setup.EUR': '1.234' }, { currencies });
    expect(r).toEqual({
      ok: false,
      errors: {
        length: 'Enter at least 1',
        'price.USD': 'Enter a price in USD',
        'price.EUR': 'Prices cannot be negative',
        'setup.EUR': 'EUR has 2 decimal places at most',
        'price.JPY': 'Enter a price in JPY too, or clear its setup fee',
      },
    });
    const yen = await validatePeriod(t.db, packageId, { kind: 'days', length: '30', 'price.USD': '1', 'price.JPY': '10.5' }, { currencies });
    expect(yen).toEqual({ ok: false, errors: { 'price.JPY': 'JPY has no decimals: enter a whole amount' } });
  });

  it('refuses prices in a currency that is not active', async () => {
    const r = await validatePeriod(t.db, packageId, { kind: 'days', length: '30', 'price.USD': '1', 'price.GBP': '1' }, { currencies });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors['price.GBP']).toBe('Unknown or inactive currency GBP');
    expect(!r.ok && r.errors._form).toMatch(/active currencies \(USD, EUR, JPY\)/);
  });

  it('refuses a term the package already has, except the period being edited', async () => {
    const r = await validatePeriod(t.db, packageId, { kind: 'months', length: '1', 'price.USD': '1' }, { currencies });
    expect(r).toEqual({ ok: false, errors: { length: 'This package already has a 1 month period' } });
  });
});

// Tax rates in basis points, which rate applies to a buyer, tax-inclusive and tax-exclusive prices.
import { afterEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { SettingsStore } from '../../settings/store.ts';
import { ManualClock } from '../../clock.ts';
import type { SecretBox } from '../../secrets/crypto.ts';
import { findTaxRate, formatPercent, getCatalogSettings, parsePercent, saveCatalogSettings, splitTax, validateTaxRate } from './taxes.ts';
import { insertTaxRate } from './store.ts';

let t: TestDb | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('parsePercent', () => {
  it('reads percentages into basis points', () => {
    expect(parsePercent('20')).toBe(2000);
    expect(parsePercent('7.25')).toBe(725);
    expect(parsePercent('7,25 %')).toBe(725);
    expect(parsePercent('0')).toBe(0);
    expect(parsePercent('100')).toBe(10_000);
  });

  it('refuses negative, over-precise, over-100 and non-numeric percentages', () => {
    for (const bad of ['-5', '7.255', '100.01', 'twenty', '', '20%%']) expect(parsePercent(bad), bad).toBeNull();
  });

  it('formats basis points without trailing zeros', () => {
    expect([formatPercent(2000), formatPercent(725), formatPercent(750), formatPercent(0)]).toEqual(['20', '7.25', '7.5', '0']);
  });
});

describe('findTaxRate', () => {
  it('prefers the region’s active rate, then the country’s, then none', async () => {
    t = await createMigratedTestDb();
    await insertTaxRate(t.db, { country: 'US', region: '', name: 'Sales tax', rateBp: 0, active: true });
    await insertTaxRate(t.db, { country: 'US', region: 'CA', name: 'CA sales tax', rateBp: 725, active: true });
    await insertTaxRate(t.db, { country: 'US', region: 'NY', name: 'NY sales tax', rateBp: 400, active: false });
    await insertTaxRate(t.db, { country: 'DE', region: '', name: 'VAT', rateBp: 1900, active: true });
    expect((await findTaxRate(t.db, 'US', 'CA'))?.rateBp).toBe(725);
    expect((await findTaxRate(t.db, 'us', 'ca'))?.name).toBe('CA sales tax');
    expect((await findTaxRate(t.db, 'US', 'NY'))?.name).toBe('Sales tax');
    expect((await findTaxRate(t.db, 'DE'))?.rateBp).toBe(1900);
    expect(await findTaxRate(t.db, 'FR')).toBeNull();
  });
});

describe('splitTax', () => {
  it('adds tax on top of tax-exclusive prices and finds it inside tax-inclusive ones', () => {
    expect(splitTax(10_000, 2000, false)).toEqual({ net: 10_000, tax: 2000, gross: 12_000 });
    expect(splitTax(12_000, 2000, true)).toEqual({ net: 10_000, tax: 2000, gross: 12_000 });
    expect(splitTax(999, 725, false)).toEqual({ net: 999, tax: 72, gross: 1071 });
  });
});

describe('catalog settings', () => {
  it('default to tax-exclusive prices and keep what is saved', async () => {
    t = await createMigratedTestDb();
    const settings = new SettingsStore({ db: t.db, clock: new ManualClock(), secrets: {} as SecretBox });
    expect(await getCatalogSettings(settings)).toEqual({ pricesIncludeTax: false });
    await saveCatalogSettings(settings, { pricesIncludeTax: true });
    expect(await getCatalogSettings(settings)).toEqual({ pricesIncludeTax: true });
    expect(await settings.get('billing.catalog')).toEqual({ pricesIncludeTax: true });
  });
});

describe('the tax rate form', () => {
  it('refuses a lower-case country, a bad percent and a second rate for the same place', async () => {
    t = await createMigratedTestDb();
    const bad = await validateTaxRate(t.db, { country: 'de', name: 'VAT', rate: '19,999' });
    expect(bad).toEqual({
      ok: false,
      errors: {
        country: 'Use the two-letter ISO 3166 country code in capitals, e.g. DE',
        rate: 'Enter a percentage from 0 to 100 with at most two decimals, like 20 or 7.25',
      },
    });
    await insertTaxRate(t.db, { country: 'DE', region: '', name: 'VAT', rateBp: 1900, active: true });
    expect(await validateTaxRate(t.db, { country: 'DE', name: 'MwSt', rate: '19' })).toEqual({ ok: false, errors: { country: 'There is already a rate for DE: edit that one' } });
    expect(await validateTaxRate(t.db, { country: 'DE', region: 'BY', name: 'VAT', rate: '19' })).toEqual({
      ok: true,
      data: { country: 'DE', region: 'BY', name: 'VAT', rateBp: 1900, active: true },
    });
  });
});

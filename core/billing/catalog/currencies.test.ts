// Exchange rates as exact millionths, the rate table for convert(), currency forms and changing the base currency.
import { afterEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { convert } from '../../money/money.ts';
import { changeBaseCurrency, formatRate, getCurrency, getRates, parseRate, validateCurrencyEdit, validateNewCurrency } from './currencies.ts';
import { insertCurrency, listCurrencies } from './store.ts';

const NOW = '2026-03-02T09:00:00.000Z';
let t: TestDb | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('parseRate', () => {
  it('reads decimal rates into millionths without floating point', () => {
    expect(parseRate('98.123456')).toBe(98_123_456);
    expect(parseRate('1')).toBe(1_000_000);
    expect(parseRate(' 0,0108 ')).toBe(10_800);
    expect(parseRate('0.000001')).toBe(1);
    // 0.1 + 0.2 style float noise would show here: 4.35 * 1e6 = 4349999.999999999
    expect(parseRate('4.35')).toBe(4_350_000);
  });

  it('refuses zero, negative, over-precise and non-numeric rates', () => {
    for (const bad of ['0', '0.000000', '-1', '1.1234567', 'abc', '1e3', '', '1.2.3']) expect(parseRate(bad), bad).toBeNull();
  });

  it('formats rates back to the shortest exact decimal', () => {
    expect(formatRate(98_123_456)).toBe('98.123456');
    expect(formatRate(1_000_000)).toBe('1');
    expect(formatRate(10_800)).toBe('0.0108');
    for (const s of ['98.123456', '0.5', '12']) expect(formatRate(parseRate(s)!)).toBe(s);
  });
});

describe('getRates and getCurrency', () => {
  it('give convert() what it needs, inactive currencies included', async () => {
    t = await createMigratedTestDb();
    await insertCurrency(t.db, { code: 'EUR', name: 'Euro', symbol: '€', minorUnits: 2, rateToBase: 1_080_000, active: true }, NOW);
    await insertCurrency(t.db, { code: 'JPY', name: 'Yen', symbol: '¥', minorUnits: 0, rateToBase: 6_700, active: false }, NOW);
    const rates = await getRates(t.db);
    expect(rates).toEqual({ USD: { rateToBase: 1_000_000, minorUnits: 2 }, EUR: { rateToBase: 1_080_000, minorUnits: 2 }, JPY: { rateToBase: 6_700, minorUnits: 0 } });
    expect(convert({ amount: 10_000, currency: 'EUR' }, 'USD', rates)).toEqual({ amount: 10_800, currency: 'USD' });
    expect(convert({ amount: 10_000, currency: 'USD' }, 'JPY', rates)).toEqual({ amount: 14_925, currency: 'JPY' });
    expect(await getCurrency(t.db, 'JPY')).toMatchObject({ code: 'JPY', minorUnits: 0, active: false, isBase: false });
    expect(await getCurrency(t.db, 'XXX')).toBeNull();
  });
});

describe('changeBaseCurrency', () => {
  it('makes the new base worth 1 and recalculates the other rates through its old rate', async () => {
    t = await createMigratedTestDb();
    await insertCurrency(t.db, { code: 'EUR', name: 'Euro', symbol: '€', minorUnits: 2, rateToBase: 1_080_000, active: true }, NOW);
    await insertCurrency(t.db, { code: 'RUB', name: 'Rouble', symbol: '₽', minorUnits: 2, rateToBase: 10_900, active: true }, NOW);
    const recalculated = await t.db.transaction((trx) => changeBaseCurrency(trx, 'EUR', NOW));
    expect(recalculated).toEqual(['USD', 'RUB']);
    const byCode = Object.fromEntries((await listCurrencies(t.db)).map((c) => [c.code, c]));
    expect(byCode.EUR).toMatchObject({ isBase: true, rateToBase: 1_000_000 });
    expect(byCode.USD).toMatchObject({ isBase: false, rateToBase: 925_926 }); // 1 / 1.08
    expect(byCode.RUB).toMatchObject({ isBase: false, rateToBase: 10_093 }); // 0.0109 / 1.08
    expect((await listCurrencies(t.db)).filter((c) => c.isBase)).toHaveLength(1);
  });
});

describe('currency forms', () => {
  it('refuse a lower-case or unknown-format code, bad decimals, a bad rate and a duplicate, all at once', async () => {
    t = await createMigratedTestDb();
    const bad = await validateNewCurrency(t.db, { code: 'eur', name: '', minor_units: '5', rate: '-1' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors).toEqual({
      code: 'Use the three-letter ISO 4217 code in capitals, e.g. EUR',
      name: 'Enter the currency’s name',
      minor_units: 'Enter the number of decimals, 0 to 4 (2 for cents)',
      rate: 'Enter the price of one unit in USD, e.g. 98.123456 (a positive number, at most 6 decimals)',
    });
    const dup = await validateNewCurrency(t.db, { code: 'USD', name: 'Dollar', minor_units: '2', rate: '1' });
    expect(dup).toEqual({ ok: false, errors: { code: 'USD is already in the catalog' } });
    const ok = await validateNewCurrency(t.db, { code: 'EUR', name: 'Euro', symbol: '€', minor_units: '2', rate: '1.08' });
    expect(ok).toEqual({ ok: true, data: { code: 'EUR', name: 'Euro', symbol: '€', minorUnits: 2, rateToBase: 1_080_000, active: true } });
  });

  it('keep the base currency at rate 1 whatever is typed', async () => {
    t = await createMigratedTestDb();
    const usd = (await getCurrency(t.db, 'USD'))!;
    expect(validateCurrencyEdit({ name: 'US dollar', symbol: '$', rate: '7' }, usd, 'USD')).toEqual({ ok: true, data: { name: 'US dollar', symbol: '$', rateToBase: 1_000_000 } });
  });
});

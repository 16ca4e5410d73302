// Admin pages of currencies: list, add, edit name/symbol/rate, (de)activate, change the base currency.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../../http/env.ts';
import { renderView } from '../../../http/render.ts';
import { readFormValues, type FormValues } from '../../../http/forms.ts';
import { flash } from '../../../http/flash.ts';
import { buildTable } from '../../../http/table.ts';
import { changeBaseCurrency, formatRate, validateCurrencyEdit, validateNewCurrency } from '../currencies.ts';
import { currenciesQuery, findBaseCurrency, findCurrency, insertCurrency, isUniqueViolation, toCurrency, updateCurrency, type Currency, type CurrencyRow } from '../store.ts';
import { CATALOG_BASE, adminOnly, audit, canEdit, notFound, nowIso } from './shared.ts';

export function currencyRoutes(r: Hono<AppEnv>): void {
  const base = `${CATALOG_BASE}/currencies`;

  const listPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const db = c.get('app').db;
    const baseCurrency = await findBaseCurrency(db);
    const baseCode = baseCurrency?.code ?? '?';
    const table = await buildTable<CurrencyRow>(
      c,
      {
        id: 'currencies-table',
        defaultSort: 'code',
        tieBreaker: 'code',
        columns: [
          { key: 'code', label: 'Code', sortBy: 'code' },
          { key: 'name', label: 'Name', sortBy: 'name' },
          { key: 'symbol', label: 'Symbol' },
          { key: 'minor_units', label: 'Decimals', align: 'right' },
          { key: 'rate', label: `1 unit in ${baseCode}`, align: 'right', value: (r) => (toCurrency(r).isBase ? '1 (base)' : formatRate(Number(r.rate_to_base))) },
          { key: 'status', label: 'Status', value: (r) => (toCurrency(r).active ? 'Active' : 'Inactive'), badge: (r) => (toCurrency(r).active ? 'ok' : 'failed') },
          { key: 'updated', label: 'Updated', value: (r) => r.updated_at.slice(0, 10) },
          ...(canEdit(c) ? [{ key: 'actions', label: 'Actions', partial: '/pages/admin/catalog/currency-actions' }] : []),
        ],
      },
      currenciesQuery(db).select('code', 'name', 'symbol', 'minor_units', 'rate_to_base', 'is_base', 'active', 'updated_at'),
    );
    table.rows = table.rows.map((row) => ({ ...row, isBase: toCurrency(row).isBase, isActive: toCurrency(row).active }));
    return renderView(c, 'pages/admin/catalog/currencies', { table, values, errors, canEdit: canEdit(c), baseCode }, { title: 'Currencies', status });
  };

  r.get('/currencies', (c) => listPage(c, { minor_units: '2' }, {}));

  r.post('/currencies', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const checked = await validateNewCurrency(app.db, values);
    if (!checked.ok) return listPage(c, values, checked.errors, 400);
    try {
      await app.db.transaction(async (trx) => {
        await insertCurrency(trx, checked.data, nowIso(c));
        await audit(c, trx, 'currency_added', `currency:${checked.data.code}`, { rateToBase: checked.data.rateToBase, minorUnits: checked.data.minorUnits });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return listPage(c, values, { code: `${checked.data.code} is already in the catalog` }, 409);
      throw err;
    }
    flash(c, 'success', `${checked.data.code} was added. Packages can now be priced in it (edit their periods).`);
    return c.redirect(base, 303);
  });

  const load = async (c: Context<AppEnv>): Promise<Currency | null> => {
    const code = c.req.param('code') ?? '';
    return /^[A-Z]{3}$/.test(code) ? findCurrency(c.get('app').db, code) : null;
  };

  const editPage = async (c: Context<AppEnv>, currency: Currency, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const baseCurrency = await findBaseCurrency(c.get('app').db);
    return renderView(c, 'pages/admin/catalog/currency-form', { currency, values, errors, baseCode: baseCurrency?.code ?? '?', base }, { title: `Edit ${currency.code}`, status });
  };

  r.get('/currencies/:code/edit', adminOnly, async (c) => {
    const currency = await load(c);
    if (!currency) return notFound(c, 'This currency');
    return editPage(c, currency, { name: currency.name, symbol: currency.symbol, rate: formatRate(currency.rateToBase) }, {});
  });

  r.post('/currencies/:code', async (c) => {
    const app = c.get('app');
    const currency = await load(c);
    if (!currency) return notFound(c, 'This currency');
    const values = await readFormValues(c);
    const baseCurrency = await findBaseCurrency(app.db);
    const checked = validateCurrencyEdit(values, currency, baseCurrency?.code ?? '?');
    if (!checked.ok) return editPage(c, currency, values, checked.errors, 400);
    await app.db.transaction(async (trx) => {
      await updateCurrency(trx, currency.code, checked.data, nowIso(c));
      await audit(c, trx, 'currency_updated', `currency:${currency.code}`, { rateToBase: checked.data.rateToBase, previousRateToBase: currency.rateToBase });
    });
    flash(c, 'success', `${currency.code} was saved.`);
    return c.redirect(base, 303);
  });

  for (const [path, active] of [['activate', true], ['deactivate', false]] as const) {
    r.post(`/currencies/:code/${path}`, async (c) => {
      const app = c.get('app');
      const currency = await load(c);
      if (!currency) return notFound(c, 'This currency');
      if (!active && currency.isBase) {
        flash(c, 'error', `${currency.code} is the base currency and cannot be deactivated. Make another currency the base first.`);
        return c.redirect(base, 303);
      }
      await app.db.transaction(async (trx) => {
        await updateCurrency(trx, currency.code, { active }, nowIso(c));
        await audit(c, trx, active ? 'currency_activated' : 'currency_deactivated', `currency:${currency.code}`);
      });
      flash(
        c,
        'success',
        active
          ? `${currency.code} is active: give packages prices in it to sell in it.`
          : `${currency.code} is inactive: nothing can be ordered in it; its prices are kept, and existing services keep billing in it.`,
      );
      return c.redirect(base, 303);
    });
  }

  r.post('/currencies/:code/base', async (c) => {
    const app = c.get('app');
    const currency = await load(c);
    if (!currency) return notFound(c, 'This currency');
    if (currency.isBase) {
      flash(c, 'info', `${currency.code} already is the base currency.`);
      return c.redirect(base, 303);
    }
    if (!currency.active) {
      flash(c, 'error', `${currency.code} is inactive; activate it before making it the base currency.`);
      return c.redirect(base, 303);
    }
    const previous = await findBaseCurrency(app.db);
    const recalculated = await app.db.transaction(async (trx) => {
      const codes = await changeBaseCurrency(trx, currency.code, nowIso(c));
      await audit(c, trx, 'base_currency_changed', `currency:${currency.code}`, { from: previous?.code ?? null, recalculated: codes });
      return codes;
    });
    flash(c, 'success', `${currency.code} is now the base currency: every rate is the price of one unit in ${currency.code}.`);
    if (recalculated.length) {
      flash(c, 'warning', `The rates of ${recalculated.join(', ')} were recalculated from the old ones through ${previous?.code ?? 'the old base'}. Re-enter today’s rates for each of them now.`);
    }
    return c.redirect(base, 303);
  });
}

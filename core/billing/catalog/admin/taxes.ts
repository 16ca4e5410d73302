// Admin pages of taxes: rates by country and region, and whether catalog prices include tax.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../../http/env.ts';
import { renderView } from '../../../http/render.ts';
import { readFormValues, type FormValues } from '../../../http/forms.ts';
import { flash } from '../../../http/flash.ts';
import { buildTable } from '../../../http/table.ts';
import { checkbox } from '../inputs.ts';
import { formatPercent, getCatalogSettings, saveCatalogSettings, validateTaxRate } from '../taxes.ts';
import { deleteTaxRate, findTaxRateById, insertTaxRate, isUniqueViolation, taxRatesQuery, toTaxRate, updateTaxRate, type TaxRate, type TaxRateRow } from '../store.ts';
import { CATALOG_BASE, adminOnly, audit, canEdit, idParam, notFound } from './shared.ts';

export function taxRoutes(r: Hono<AppEnv>): void {
  const base = `${CATALOG_BASE}/taxes`;

  const listPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.get('app');
    const table = await buildTable<TaxRateRow>(
      c,
      {
        id: 'taxes-table',
        defaultSort: 'country',
        empty: 'No tax rates yet: no tax is charged anywhere.',
        columns: [
          { key: 'country', label: 'Country', sortBy: 'country' },
          { key: 'region', label: 'Region', value: (t) => t.region || 'whole country' },
          { key: 'name', label: 'Name', sortBy: 'name' },
          { key: 'rate', label: 'Rate', align: 'right', value: (t) => `${formatPercent(Number(t.rate_bp))} %` },
          { key: 'status', label: 'Status', value: (t) => (toTaxRate(t).active ? 'Active' : 'Inactive'), badge: (t) => (toTaxRate(t).active ? 'ok' : 'failed') },
          ...(canEdit(c) ? [{ key: 'actions', label: 'Actions', partial: '/pages/admin/catalog/tax-actions' }] : []),
        ],
      },
      taxRatesQuery(app.db).select('id', 'country', 'region', 'name', 'rate_bp', 'active'),
    );
    const settings = await getCatalogSettings(app.settings);
    return renderView(c, 'pages/admin/catalog/taxes', { table, values, errors, canEdit: canEdit(c), settings, base }, { title: 'Taxes', status });
  };

  r.get('/taxes', (c) => listPage(c, {}, {}));

  r.post('/taxes', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const checked = await validateTaxRate(app.db, values);
    if (!checked.ok) return listPage(c, values, checked.errors, 400);
    try {
      await app.db.transaction(async (trx) => {
        const id = await insertTaxRate(trx, checked.data);
        await audit(c, trx, 'tax_rate_added', `tax_rate:${id}`, { country: checked.data.country, region: checked.data.region, rateBp: checked.data.rateBp });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return listPage(c, values, { country: 'There is already a rate for this country and region: edit that one' }, 409);
      throw err;
    }
    flash(c, 'success', `${checked.data.name} ${formatPercent(checked.data.rateBp)} % for ${checked.data.country}${checked.data.region ? `-${checked.data.region}` : ''} was added.`);
    return c.redirect(base, 303);
  });

  r.post('/taxes/settings', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const next = { pricesIncludeTax: checkbox(values, 'prices_include_tax') };
    const before = await getCatalogSettings(app.settings);
    await app.db.transaction(async (trx) => {
      await saveCatalogSettings(app.settings, next, trx);
      await audit(c, trx, 'settings_saved', 'settings:billing.catalog', { pricesIncludeTax: next.pricesIncludeTax, before: before.pricesIncludeTax });
    });
    flash(c, 'success', next.pricesIncludeTax ? 'Catalog prices now include tax: invoices show the tax contained in them.' : 'Catalog prices now exclude tax: invoices add the tax on top.');
    return c.redirect(base, 303);
  });

  const load = async (c: Context<AppEnv>): Promise<TaxRate | null> => {
    const id = idParam(c, 'id');
    return id ? findTaxRateById(c.get('app').db, id) : null;
  };

  const editPage = (c: Context<AppEnv>, rate: TaxRate, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) =>
    renderView(c, 'pages/admin/catalog/tax-form', { rate, values, errors, base }, { title: `Edit ${rate.name} ${rate.country}`, status });

  r.get('/taxes/:id/edit', adminOnly, async (c) => {
    const rate = await load(c);
    if (!rate) return notFound(c, 'This tax rate');
    return editPage(c, rate, { country: rate.country, region: rate.region, name: rate.name, rate: formatPercent(rate.rateBp), ...(rate.active ? { active: '1' } : {}) }, {});
  });

  r.post('/taxes/:id', async (c) => {
    const app = c.get('app');
    const rate = await load(c);
    if (!rate) return notFound(c, 'This tax rate');
    const values = await readFormValues(c);
    const checked = await validateTaxRate(app.db, values, rate.id);
    if (!checked.ok) return editPage(c, rate, values, checked.errors, 400);
    try {
      await app.db.transaction(async (trx) => {
        await updateTaxRate(trx, rate.id, checked.data);
        await audit(c, trx, 'tax_rate_updated', `tax_rate:${rate.id}`, { country: checked.data.country, region: checked.data.region, rateBp: checked.data.rateBp, previousRateBp: rate.rateBp, active: checked.data.active });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return editPage(c, rate, values, { country: 'There is already a rate for this country and region: edit that one' }, 409);
      throw err;
    }
    flash(c, 'success', `${checked.data.name} for ${checked.data.country}${checked.data.region ? `-${checked.data.region}` : ''} was saved.`);
    return c.redirect(base, 303);
  });

  r.post('/taxes/:id/delete', async (c) => {
    const app = c.get('app');
    const rate = await load(c);
    if (!rate) return notFound(c, 'This tax rate');
    await app.db.transaction(async (trx) => {
      await deleteTaxRate(trx, rate.id);
      await audit(c, trx, 'tax_rate_deleted', `tax_rate:${rate.id}`, { country: rate.country, region: rate.region, rateBp: rate.rateBp });
    });
    flash(c, 'success', `${rate.name} for ${rate.country}${rate.region ? `-${rate.region}` : ''} was deleted. Invoices already issued keep their tax.`);
    return c.redirect(base, 303);
  });
}

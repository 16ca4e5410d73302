// Admin forms of package periods: term, active flag and a price plus setup fee per active currency.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../../http/env.ts';
import { renderView } from '../../../http/render.ts';
import { readFormValues, type FormValues } from '../../../http/forms.ts';
import { flash } from '../../../http/flash.ts';
import { describePeriod } from '../../services/periods.ts';
import { PERIOD_KINDS, PERIOD_KIND_LABELS, priceField, savePeriod, setupField, validatePeriod } from '../periods.ts';
import { countServicesOfPeriod, deletePeriod, findPackage, findPeriod, isUniqueViolation, listCurrencies, listPeriodPrices, type Package, type Period } from '../store.ts';
import { CATALOG_BASE, adminOnly, amountValue, audit, idParam, notFound } from './shared.ts';

const kindOptions = PERIOD_KINDS.map((k) => ({ value: k, label: PERIOD_KIND_LABELS[k] }));

export function periodRoutes(r: Hono<AppEnv>): void {
  const pkgUrl = (p: Package) => `${CATALOG_BASE}/packages/${p.id}`;

  const load = async (c: Context<AppEnv>) => {
    const db = c.get('app').db;
    const id = idParam(c, 'id');
    const pkg = id ? await findPackage(db, id) : null;
    const periodId = c.req.param('periodId') === undefined ? null : idParam(c, 'periodId');
    const period = pkg && periodId ? await findPeriod(db, pkg.id, periodId) : null;
    return { pkg, period };
  };

  const formPage = async (c: Context<AppEnv>, pkg: Package, period: Period | null, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const currencies = await listCurrencies(c.get('app').db, { activeOnly: true });
    return renderView(
      c,
      'pages/admin/catalog/period-form',
      {
        pkg,
        period,
        values,
        errors,
        kindOptions,
        currencies: currencies.map((cur) => ({ ...cur, priceField: priceField(cur.code), setupField: setupField(cur.code) })),
        action: period ? `${pkgUrl(pkg)}/periods/${period.id}` : `${pkgUrl(pkg)}/periods`,
        periodLabel: period ? describePeriod(period.kind, period.length) : '',
      },
      { title: period ? `Edit period · ${pkg.name}` : `Add a period · ${pkg.name}`, status },
    );
  };

  r.get('/packages/:id/periods/new', adminOnly, async (c) => {
    const { pkg } = await load(c);
    if (!pkg) return notFound(c, 'This package');
    return formPage(c, pkg, null, { kind: 'months', length: '1', active: '1' }, {});
  });

  r.get('/packages/:id/periods/:periodId/edit', adminOnly, async (c) => {
    const { pkg, period } = await load(c);
    if (!pkg || !period) return notFound(c, 'This period');
    const currencies = await listCurrencies(c.get('app').db, { activeOnly: true });
    const prices = await listPeriodPrices(c.get('app').db, [period.id]);
    const values: FormValues = { kind: period.kind, length: period.kind === 'lifetime' ? '' : String(period.length), position: String(period.position), ...(period.active ? { active: '1' } : {}) };
    for (const cur of currencies) {
      const p = prices.find((x) => x.currency === cur.code);
      if (p) {
        values[priceField(cur.code)] = amountValue(p.price, cur);
        if (p.setupFee) values[setupField(cur.code)] = amountValue(p.setupFee, cur);
      }
    }
    return formPage(c, pkg, period, values, {});
  });

  const save = async (c: Context<AppEnv>, pkg: Package, period: Period | null) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const currencies = await listCurrencies(app.db, { activeOnly: true });
    const checked = await validatePeriod(app.db, pkg.id, values, { currencies, ...(period ? { existing: period } : {}) });
    if (!checked.ok) return formPage(c, pkg, period, values, checked.errors, 400);
    const label = describePeriod(checked.data.kind, checked.data.length);
    try {
      await app.db.transaction(async (trx) => {
        const id = await savePeriod(trx, pkg.id, checked.data, currencies, period?.id);
        await audit(c, trx, period ? 'period_updated' : 'period_created', `package:${pkg.id}`, {
          periodId: id,
          period: label,
          prices: Object.fromEntries(checked.data.prices.map((p) => [p.currency, { price: p.price, setupFee: p.setupFee }])),
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return formPage(c, pkg, period, values, { length: `This package already has a ${label.toLowerCase()} period` }, 409);
      throw err;
    }
    flash(c, 'success', period ? `Period ${label} was saved.` : `Period ${label} was added to “${pkg.name}”.`);
    return c.redirect(pkgUrl(pkg), 303);
  };

  r.post('/packages/:id/periods', async (c) => {
    const { pkg } = await load(c);
    if (!pkg) return notFound(c, 'This package');
    return save(c, pkg, null);
  });

  r.post('/packages/:id/periods/:periodId', async (c) => {
    const { pkg, period } = await load(c);
    if (!pkg || !period) return notFound(c, 'This period');
    return save(c, pkg, period);
  });

  r.post('/packages/:id/periods/:periodId/delete', async (c) => {
    const app = c.get('app');
    const { pkg, period } = await load(c);
    if (!pkg || !period) return notFound(c, 'This period');
    const label = describePeriod(period.kind, period.length);
    const services = await countServicesOfPeriod(app.db, pkg.id, period.id);
    if (services > 0) {
      flash(c, 'error', `${services} service${services === 1 ? ' was' : 's were'} ordered for ${label.toLowerCase()}, so the period cannot be deleted. Edit it and untick “Can be ordered” instead.`);
      return c.redirect(pkgUrl(pkg), 303);
    }
    await app.db.transaction(async (trx) => {
      await deletePeriod(trx, period.id);
      await audit(c, trx, 'period_deleted', `package:${pkg.id}`, { periodId: period.id, period: label });
    });
    flash(c, 'success', `Period ${label} was deleted with its prices and add-on prices.`);
    return c.redirect(pkgUrl(pkg), 303);
  });
}

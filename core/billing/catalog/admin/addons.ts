// Admin forms of package add-ons: choose the kind (and enumeration), then fields and the price grid per period.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../../http/env.ts';
import { renderView } from '../../../http/render.ts';
import { readFormValues, type FormValues } from '../../../http/forms.ts';
import { flash } from '../../../http/flash.ts';
import { describePeriod } from '../../services/periods.ts';
import { ADDON_KINDS, ADDON_KIND_LABELS, addonPriceField, priceOptions, saveAddon, validateAddon } from '../addons.ts';
import { text } from '../inputs.ts';
import {
  countServicesWithAddon,
  deleteAddon,
  findAddon,
  findEnumeration,
  findPackage,
  isUniqueViolation,
  listAddonPrices,
  listCurrencies,
  listEnumerationItems,
  listEnumerations,
  listPeriods,
  type Addon,
  type AddonKind,
  type Enumeration,
  type Package,
} from '../store.ts';
import { CATALOG_BASE, adminOnly, amountValue, audit, idParam, notFound } from './shared.ts';

const kindOptions = ADDON_KINDS.map((k) => ({ value: k, label: ADDON_KIND_LABELS[k] }));
const asKind = (raw: string): AddonKind | null => ((ADDON_KINDS as readonly string[]).includes(raw) ? (raw as AddonKind) : null);

export function addonRoutes(r: Hono<AppEnv>): void {
  const pkgUrl = (p: Package) => `${CATALOG_BASE}/packages/${p.id}`;

  const load = async (c: Context<AppEnv>) => {
    const db = c.get('app').db;
    const id = idParam(c, 'id');
    const pkg = id ? await findPackage(db, id) : null;
    const addonId = c.req.param('addonId') === undefined ? null : idParam(c, 'addonId');
    const addon = pkg && addonId ? await findAddon(db, pkg.id, addonId) : null;
    return { pkg, addon };
  };

  /** Step one (a GET form, changes nothing): which kind, and for enumerations which one. */
  const chooser = async (c: Context<AppEnv>, pkg: Package, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const enumerations = await listEnumerations(c.get('app').db);
    return renderView(
      c,
      'pages/admin/catalog/addon-kind',
      { pkg, values, errors, kindOptions, enumerationOptions: [{ value: '', label: '— choose —' }, ...enumerations.map((e) => ({ value: e.id, label: `${e.name} (${e.internalName})` }))] },
      { title: `Add an add-on · ${pkg.name}`, status },
    );
  };

  const formPage = async (
    c: Context<AppEnv>,
    o: { pkg: Package; addon: Addon | null; kind: AddonKind; enumeration: Enumeration | null; values: FormValues; errors: Record<string, string>; status?: 200 | 400 | 409 },
  ) => {
    const db = c.get('app').db;
    const [periods, currencies, items] = await Promise.all([
      listPeriods(db, [o.pkg.id]),
      listCurrencies(db, { activeOnly: true }),
      o.enumeration ? listEnumerationItems(db, [o.enumeration.id]) : Promise.resolve([]),
    ]);
    const options = priceOptions(o.kind, items);
    const grid = periods.map((p) => ({
      label: describePeriod(p.kind, p.length),
      active: p.active,
      rows: options.map((opt) => ({ label: opt.label, cells: currencies.map((cur) => ({ name: addonPriceField(p.id, opt.id, cur.code), code: cur.code, isBase: cur.isBase })) })),
    }));
    const defaultOptions =
      o.kind === 'logic'
        ? [{ value: '', label: 'None (the client chooses)' }, { value: '0', label: 'No' }, { value: '1', label: 'Yes' }]
        : o.kind === 'enum'
          ? [{ value: '', label: 'None (the client chooses)' }, ...items.map((i) => ({ value: i.internalName, label: i.name }))]
          : [];
    return renderView(
      c,
      'pages/admin/catalog/addon-form',
      {
        pkg: o.pkg,
        addon: o.addon,
        kind: o.kind,
        kindLabel: ADDON_KIND_LABELS[o.kind],
        enumeration: o.enumeration,
        values: o.values,
        errors: o.errors,
        grid,
        currencies,
        defaultOptions,
        action: o.addon ? `${pkgUrl(o.pkg)}/addons/${o.addon.id}` : `${pkgUrl(o.pkg)}/addons`,
      },
      { title: o.addon ? `Edit add-on ${o.addon.name}` : `Add an add-on · ${o.pkg.name}`, status: o.status ?? 200 },
    );
  };

  r.get('/packages/:id/addons/new', adminOnly, async (c) => {
    const { pkg } = await load(c);
    if (!pkg) return notFound(c, 'This package');
    const q = c.req.query();
    const kind = asKind(q.kind ?? '');
    if (!kind) return chooser(c, pkg, q, q.kind !== undefined ? { kind: 'Choose a kind of add-on' } : {}, q.kind !== undefined ? 400 : 200);
    let enumeration: Enumeration | null = null;
    if (kind === 'enum') {
      const enumId = /^\d{1,9}$/.test(q.enumeration ?? '') ? Number(q.enumeration) : 0;
      enumeration = enumId ? await findEnumeration(c.get('app').db, enumId) : null;
      if (!enumeration) return chooser(c, pkg, q, q.enumeration !== undefined ? { enumeration: 'Choose the enumeration its values come from' } : {}, q.enumeration !== undefined ? 400 : 200);
    }
    return formPage(c, { pkg, addon: null, kind, enumeration, values: { step: '1', min: '0', included: '0', active: '1' }, errors: {} });
  });

  r.get('/packages/:id/addons/:addonId/edit', adminOnly, async (c) => {
    const { pkg, addon } = await load(c);
    if (!pkg || !addon) return notFound(c, 'This add-on');
    const db = c.get('app').db;
    const enumeration = addon.enumerationId !== null ? await findEnumeration(db, addon.enumerationId) : null;
    const currencies = await listCurrencies(db, { activeOnly: true });
    const values: FormValues = {
      name: addon.name,
      internal_name: addon.internalName,
      unit: addon.unit,
      default_value: addon.defaultValue,
      min: String(addon.min),
      max: addon.max === null ? '' : String(addon.max),
      step: String(addon.step),
      included: String(addon.included),
      position: String(addon.position),
      ...(addon.required ? { required: '1' } : {}),
      ...(addon.active ? { active: '1' } : {}),
    };
    for (const p of await listAddonPrices(db, [addon.id])) {
      const cur = currencies.find((x) => x.code === p.currency);
      if (cur) values[addonPriceField(p.periodId, p.enumItemId, p.currency)] = amountValue(p.price, cur);
    }
    return formPage(c, { pkg, addon, kind: addon.kind, enumeration, values, errors: {} });
  });

  const save = async (c: Context<AppEnv>, pkg: Package, addon: Addon | null) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    // The kind and enumeration of an existing add-on never change: its prices are keyed by them.
    const kind = addon?.kind ?? asKind(text(values, 'kind'));
    if (!kind) return chooser(c, pkg, {}, { kind: 'Choose a kind of add-on' }, 400);
    const enumRaw = text(values, 'enumeration_id');
    const enumerationId = addon ? addon.enumerationId : kind === 'enum' && /^\d{1,9}$/.test(enumRaw) ? Number(enumRaw) : null;
    const enumeration = enumerationId ? await findEnumeration(app.db, enumerationId) : null;
    if (kind === 'enum' && !enumeration) return chooser(c, pkg, { kind }, { enumeration: 'Choose the enumeration its values come from' }, 400);
    const [periods, currencies] = await Promise.all([listPeriods(app.db, [pkg.id]), listCurrencies(app.db, { activeOnly: true })]);
    const checked = await validateAddon(app.db, pkg.id, values, { kind, enumerationId, periods, currencies, ...(addon ? { existing: addon } : {}) });
    if (!checked.ok) return formPage(c, { pkg, addon, kind, enumeration, values, errors: checked.errors, status: 400 });
    try {
      await app.db.transaction(async (trx) => {
        const id = await saveAddon(trx, pkg.id, checked.data, currencies, addon?.id);
        await audit(c, trx, addon ? 'addon_updated' : 'addon_created', `package:${pkg.id}`, { addonId: id, internalName: checked.data.internalName, kind, prices: checked.data.prices.length });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return formPage(c, { pkg, addon, kind, enumeration, values, errors: { internal_name: 'An internal name must be unique among the package’s add-ons' }, status: 409 });
      throw err;
    }
    flash(c, 'success', addon ? `Add-on “${checked.data.name}” was saved.` : `Add-on “${checked.data.name}” was added to “${pkg.name}”.`);
    return c.redirect(`${pkgUrl(pkg)}#addons`, 303);
  };

  r.post('/packages/:id/addons', async (c) => {
    const { pkg } = await load(c);
    if (!pkg) return notFound(c, 'This package');
    return save(c, pkg, null);
  });

  r.post('/packages/:id/addons/:addonId', async (c) => {
    const { pkg, addon } = await load(c);
    if (!pkg || !addon) return notFound(c, 'This add-on');
    return save(c, pkg, addon);
  });

  r.post('/packages/:id/addons/:addonId/delete', async (c) => {
    const app = c.get('app');
    const { pkg, addon } = await load(c);
    if (!pkg || !addon) return notFound(c, 'This add-on');
    const services = await countServicesWithAddon(app.db, addon.id);
    if (services > 0) {
      flash(c, 'error', `${services} service${services === 1 ? ' has' : 's have'} the add-on “${addon.name}”, so it cannot be deleted. Edit it and untick “Offered with new orders” instead.`);
      return c.redirect(`${pkgUrl(pkg)}#addons`, 303);
    }
    await app.db.transaction(async (trx) => {
      await deleteAddon(trx, addon.id);
      await audit(c, trx, 'addon_deleted', `package:${pkg.id}`, { addonId: addon.id, internalName: addon.internalName });
    });
    flash(c, 'success', `Add-on “${addon.name}” was deleted.`);
    return c.redirect(`${pkgUrl(pkg)}#addons`, 303);
  });
}

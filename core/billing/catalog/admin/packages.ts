// Admin pages of packages: the list, the package page (periods, prices, add-ons), create, edit, (de)activate, delete.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../../http/env.ts';
import { renderView } from '../../../http/render.ts';
import { readFormValues, type FormValues } from '../../../http/forms.ts';
import { flash } from '../../../http/flash.ts';
import { buildTable } from '../../../http/table.ts';
import { describePeriod } from '../../services/periods.ts';
import { BILLING_TYPES, BILLING_TYPE_LABELS, packageDeletionBlocker, removePackage, savePackage, validatePackage } from '../packages.ts';
import { ADDON_KIND_LABELS, NO_ITEM, priceOptions } from '../addons.ts';
import {
  countServicesOfPackage,
  findPackage,
  findPackages,
  findEnumeration,
  isUniqueViolation,
  listAddonPrices,
  listAddons,
  listCurrencies,
  listEnumerationItems,
  listItemTypes,
  listPackageServerIds,
  listPackagesOfType,
  listPeriodPrices,
  listPeriods,
  listProcessingServers,
  listUpgradeTargetIds,
  packagesQuery,
  setPackageActive,
  type Db,
  type ItemType,
  type Package,
  type PackageRow,
} from '../store.ts';
import { CATALOG_BASE, adminOnly, audit, canEdit, idParam, moneyText, notFound, nowIso } from './shared.ts';

const billingOptions = BILLING_TYPES.map((b) => ({ value: b, label: BILLING_TYPE_LABELS[b] }));

/** Item types offered in the form: the sold ones, plus the package's own even when switched off. */
function itemTypeOptions(types: ItemType[], current?: string) {
  return types
    .filter((t) => t.enabled || t.id === current)
    .map((t) => ({ value: t.id, label: t.enabled ? t.name : `${t.name} (switched off)` }));
}

function packageValues(p: Package, serverIds: number[], upgradeIds: number[]): FormValues {
  return {
    name: p.name,
    internal_name: p.internalName,
    item_type: p.itemType,
    billing_type: p.billingType,
    description: p.description,
    agreement: p.agreement,
    position: String(p.position),
    ...(p.active ? { active: '1' } : {}),
    servers: serverIds.map(String),
    upgrades: upgradeIds.map(String),
  };
}

/** Everything the package page shows: details, the periods × currencies grid, add-ons and their prices, warnings. */
export async function packagePageData(db: Db, pkg: Package) {
  const [types, currencies, periods, addons, serverIds, upgradeIds, services] = await Promise.all([
    listItemTypes(db),
    listCurrencies(db, { activeOnly: true }),
    listPeriods(db, [pkg.id]),
    listAddons(db, pkg.id),
    listPackageServerIds(db, pkg.id),
    listUpgradeTargetIds(db, pkg.id),
    countServicesOfPackage(db, pkg.id),
  ]);
  const itemType = types.find((t) => t.id === pkg.itemType);
  const prices = await listPeriodPrices(
    db,
    periods.map((p) => p.id),
  );
  const servers = (await listProcessingServers(db, pkg.itemType)).filter((s) => serverIds.includes(s.id));
  const upgrades = await findPackages(db, upgradeIds);
  const warnings: string[] = [];
  if (itemType && !itemType.enabled) warnings.push(`${itemType.name} is switched off under Service kinds: no package of this kind can be ordered.`);
  if (periods.filter((p) => p.active).length === 0) warnings.push('Add an active period with a price: until then this package cannot be ordered.');

  const periodRows = periods.map((p) => ({
    ...p,
    label: describePeriod(p.kind, p.length),
    cells: currencies.map((c) => {
      const price = prices.find((x) => x.periodId === p.id && x.currency === c.code);
      if (!price) {
        if (p.active) warnings.push(`${describePeriod(p.kind, p.length)} has no price in ${c.code}: it cannot be ordered in ${c.code}.`);
        return { currency: c.code, price: null, setup: null };
      }
      return { currency: c.code, price: moneyText(price.price, c), setup: price.setupFee ? moneyText(price.setupFee, c) : null };
    }),
  }));

  const addonPrices = await listAddonPrices(
    db,
    addons.map((a) => a.id),
  );
  const enumIds = [...new Set(addons.flatMap((a) => (a.enumerationId !== null ? [a.enumerationId] : [])))];
  const items = await listEnumerationItems(db, enumIds);
  const addonBlocks = [];
  for (const a of addons) {
    const enumeration = a.enumerationId !== null ? await findEnumeration(db, a.enumerationId) : null;
    const options = priceOptions(
      a.kind,
      items.filter((i) => i.enumerationId === a.enumerationId),
    );
    const neverCharged = a.kind === 'number' && a.max !== null && a.max <= a.included;
    const rows = options.map((o) => ({
      label: a.kind === 'enum' ? o.label : a.kind === 'logic' ? 'Yes' : `Per ${a.unit || 'unit'}`,
      cells: periods.map((p) => {
        const texts = currencies.flatMap((c) => {
          const price = addonPrices.find((x) => x.addonId === a.id && x.periodId === p.id && x.currency === c.code && x.enumItemId === (a.kind === 'enum' ? o.id : NO_ITEM));
          return price ? [moneyText(price.price, c)] : [];
        });
        const base = currencies.find((c) => c.isBase);
        if (p.active && !neverCharged && base && !addonPrices.some((x) => x.addonId === a.id && x.periodId === p.id && x.currency === base.code && x.enumItemId === (a.kind === 'enum' ? o.id : NO_ITEM))) {
          warnings.push(`Add-on “${a.name}”${a.kind === 'enum' ? ` (${o.label})` : ''} has no ${base.code} price for ${describePeriod(p.kind, p.length).toLowerCase()}: it cannot be chosen with that period.`);
        }
        return texts;
      }),
    }));
    const facts: string[] = [ADDON_KIND_LABELS[a.kind]];
    if (enumeration) facts.push(`values from “${enumeration.name}”`);
    if (a.kind === 'number') {
      facts.push(`${a.min}–${a.max ?? '∞'}${a.unit ? ` ${a.unit}` : ''}${a.step > 1 ? ` in steps of ${a.step}` : ''}`);
      if (a.included) facts.push(`${a.included} included`);
    }
    if (a.required) facts.push('required');
    if (a.defaultValue) facts.push(`default ${a.defaultValue}`);
    addonBlocks.push({ ...a, facts: facts.join(' · '), rows });
  }

  return {
    pkg,
    itemTypeName: itemType?.name ?? pkg.itemType,
    billingLabel: BILLING_TYPE_LABELS[pkg.billingType],
    currencies,
    periods: periodRows,
    addons: addonBlocks,
    periodLabels: periods.map((p) => describePeriod(p.kind, p.length)),
    servers,
    upgrades,
    services,
    warnings: [...new Set(warnings)],
    addonKinds: Object.entries(ADDON_KIND_LABELS).map(([value, label]) => ({ value, label })),
  };
}

export function packageRoutes(r: Hono<AppEnv>): void {
  const base = `${CATALOG_BASE}/packages`;

  r.get('/packages', async (c) => {
    const db = c.get('app').db;
    const types = await listItemTypes(db);
    const typeNames = new Map(types.map((t) => [t.id, t.name]));
    const q = c.req.query();
    const itemType = q.type && typeNames.has(q.type) ? q.type : undefined;
    const status = q.status === 'active' || q.status === 'inactive' ? q.status : undefined;
    const table = await buildTable<PackageRow>(
      c,
      {
        id: 'packages-table',
        defaultSort: 'name',
        empty: itemType || status ? 'No packages match these filters.' : 'No packages yet. Add the first one to start selling.',
        columns: [
          { key: 'name', label: 'Name', sortBy: 'name', href: (p) => `${base}/${p.id}` },
          { key: 'internal_name', label: 'Internal name', sortBy: 'internal_name' },
          { key: 'item_type', label: 'Service kind', sortBy: 'item_type', value: (p) => typeNames.get(p.item_type) ?? p.item_type },
          { key: 'billing_type', label: 'Billing', value: (p) => BILLING_TYPE_LABELS[p.billing_type as 'period'] ?? p.billing_type },
          { key: 'status', label: 'Status', sortBy: 'active', value: (p) => (p.active ? 'Active' : 'Inactive'), badge: (p) => (p.active ? 'ok' : 'failed') },
          { key: 'created', label: 'Added', value: (p) => p.created_at.slice(0, 10) },
        ],
      },
      packagesQuery(db, { ...(itemType ? { itemType } : {}), ...(status ? { active: status === 'active' } : {}) }).select(
        'id',
        'name',
        'internal_name',
        'item_type',
        'billing_type',
        'active',
        'created_at',
      ),
    );
    return renderView(
      c,
      'pages/admin/catalog/packages',
      { table, canEdit: canEdit(c), typeOptions: types.map((t) => ({ value: t.id, label: t.name })), filter: { type: itemType ?? '', status: status ?? '' } },
      { title: 'Packages' },
    );
  });

  const formPage = async (c: Context<AppEnv>, opts: { pkg?: Package; values: FormValues; errors: Record<string, string>; status?: 200 | 400 | 409 }) => {
    const db = c.get('app').db;
    const types = await listItemTypes(db);
    let serverOptions: { value: number; label: string }[] = [];
    let upgradeOptions: { value: number; label: string }[] = [];
    const chosenType = typeof opts.values.item_type === 'string' && types.some((t) => t.id === opts.values.item_type) ? opts.values.item_type : opts.pkg?.itemType;
    if (opts.pkg && chosenType) {
      serverOptions = (await listProcessingServers(db, chosenType)).map((s) => ({ value: s.id, label: `${s.name} (${s.module})` }));
      upgradeOptions = (await listPackagesOfType(db, chosenType)).filter((p) => p.id !== opts.pkg!.id).map((p) => ({ value: p.id, label: `${p.name} (${p.internalName})${p.active ? '' : ' — inactive'}` }));
    }
    return renderView(
      c,
      'pages/admin/catalog/package-form',
      {
        pkg: opts.pkg ?? null,
        values: opts.values,
        errors: opts.errors,
        itemTypeOptions: itemTypeOptions(types, opts.pkg?.itemType),
        billingOptions,
        serverOptions,
        upgradeOptions,
        chosenTypeName: types.find((t) => t.id === chosenType)?.name ?? '',
        action: opts.pkg ? `${base}/${opts.pkg.id}` : base,
      },
      { title: opts.pkg ? `Edit ${opts.pkg.name}` : 'Add a package', status: opts.status ?? 200 },
    );
  };

  r.get('/packages/new', adminOnly, (c) => formPage(c, { values: { billing_type: 'period', active: '1', position: '100' }, errors: {} }));

  r.post('/packages', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const checked = await validatePackage(app.db, values);
    if (!checked.ok) return formPage(c, { values, errors: checked.errors, status: 400 });
    let id: number;
    try {
      id = await app.db.transaction(async (trx) => {
        const newId = await savePackage(trx, checked.data, nowIso(c));
        await audit(c, trx, 'package_created', `package:${newId}`, { internalName: checked.data.internalName, itemType: checked.data.itemType });
        return newId;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return formPage(c, { values, errors: { internal_name: 'An internal name must be unique' }, status: 409 });
      throw err;
    }
    flash(c, 'success', `Package “${checked.data.name}” was added. Now add its periods and prices.`);
    return c.redirect(`${base}/${id}`, 303);
  });

  const loadPackage = async (c: Context<AppEnv>) => {
    const id = idParam(c, 'id');
    return id ? findPackage(c.get('app').db, id) : null;
  };

  r.get('/packages/:id', async (c) => {
    const pkg = await loadPackage(c);
    if (!pkg) return notFound(c, 'This package');
    const data = await packagePageData(c.get('app').db, pkg);
    return renderView(c, 'pages/admin/catalog/package', { ...data, canEdit: canEdit(c), base }, { title: pkg.name });
  });

  r.get('/packages/:id/edit', adminOnly, async (c) => {
    const pkg = await loadPackage(c);
    if (!pkg) return notFound(c, 'This package');
    const db = c.get('app').db;
    return formPage(c, { pkg, values: packageValues(pkg, await listPackageServerIds(db, pkg.id), await listUpgradeTargetIds(db, pkg.id)), errors: {} });
  });

  r.post('/packages/:id', async (c) => {
    const app = c.get('app');
    const pkg = await loadPackage(c);
    if (!pkg) return notFound(c, 'This package');
    const values = await readFormValues(c);
    const checked = await validatePackage(app.db, values, pkg);
    if (!checked.ok) return formPage(c, { pkg, values, errors: checked.errors, status: 400 });
    try {
      await app.db.transaction(async (trx) => {
        await savePackage(trx, checked.data, nowIso(c), pkg.id);
        await audit(c, trx, 'package_updated', `package:${pkg.id}`, {
          internalName: checked.data.internalName,
          ...(pkg.internalName !== checked.data.internalName ? { previousInternalName: pkg.internalName } : {}),
          active: checked.data.active,
        });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return formPage(c, { pkg, values, errors: { internal_name: 'An internal name must be unique' }, status: 409 });
      throw err;
    }
    flash(c, 'success', `Package “${checked.data.name}” was saved.`);
    return c.redirect(`${base}/${pkg.id}`, 303);
  });

  for (const [path, active] of [['activate', true], ['deactivate', false]] as const) {
    r.post(`/packages/:id/${path}`, async (c) => {
      const app = c.get('app');
      const pkg = await loadPackage(c);
      if (!pkg) return notFound(c, 'This package');
      await app.db.transaction(async (trx) => {
        await setPackageActive(trx, pkg.id, active, nowIso(c));
        await audit(c, trx, active ? 'package_activated' : 'package_deactivated', `package:${pkg.id}`);
      });
      flash(c, 'success', active ? `“${pkg.name}” can be ordered again.` : `“${pkg.name}” is inactive: nobody can order it; existing services keep running.`);
      return c.redirect(`${base}/${pkg.id}`, 303);
    });
  }

  r.post('/packages/:id/delete', async (c) => {
    const app = c.get('app');
    const pkg = await loadPackage(c);
    if (!pkg) return notFound(c, 'This package');
    const blocker = await packageDeletionBlocker(app.db, pkg);
    if (blocker) {
      flash(c, 'error', blocker);
      return c.redirect(`${base}/${pkg.id}`, 303);
    }
    await app.db.transaction(async (trx) => {
      await removePackage(trx, pkg);
      await audit(c, trx, 'package_deleted', `package:${pkg.id}`, { internalName: pkg.internalName, name: pkg.name });
    });
    flash(c, 'success', `Package “${pkg.name}” was deleted with its periods, prices and add-ons.`);
    return c.redirect(base, 303);
  });
}

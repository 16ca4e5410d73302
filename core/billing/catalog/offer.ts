// What a package costs: the priced offer the ordering code reads, pricing of chosen add-ons, orderable packages.
//
// This is the contract between the catalog and ordering/renewal code. Every amount is an integer
// in minor units of `offer.currency`; nothing here converts between currencies (prices are set
// per currency by the operator; use getRates() + convert() from core/money when you must).
import type { PeriodKind } from '../services/periods.ts';
import { numberProblem, NO_ITEM } from './addons.ts';
import {
  findCurrency,
  findItemType,
  findPackage,
  findPackageRowByInternalName,
  findPeriod,
  listAddonPrices,
  listAddons,
  listEnumerationItems,
  listOrderableRows,
  listPeriodPrices,
  sortPeriods,
  findEnumeration,
  type AddonKind,
  type BillingType,
  type Db,
  type Package,
} from './store.ts';

export interface OfferAddon {
  id: number;
  name: string;
  /** The key the client's choice arrives under in priceAddons(); also what upstream modules read. */
  internalName: string;
  kind: AddonKind;
  /** Unit label of number add-ons ('GB', 'IP'); '' otherwise. */
  unit: string;
  /** Number add-ons: the allowed values are min, min+step, ... up to max (null: no maximum). */
  min: number;
  max: number | null;
  step: number;
  /** Number add-ons: units included in the package price; only units beyond these are charged. */
  included: number;
  /** The client must choose a value (a default value counts as a choice). */
  required: boolean;
  /** Used when the client sends nothing: an item's internal name, '0'/'1', a number, or ''. */
  defaultValue: string;
  /**
   * Prices for the offer's period and currency, in minor units:
   * enum → one key per orderable item (its internal name); logic → 'yes'; number → 'unit' (per unit
   * beyond `included`). A missing key means that option is not sold for this period and currency.
   */
  prices: Record<string, number>;
  /** Enum add-ons: the items a client can choose (those priced for this period and currency), in order. */
  items?: { internalName: string; name: string }[];
  /** Enum add-ons: the enumeration the items come from (its internal name matters to some upstreams). */
  enumeration?: { id: number; internalName: string; name: string };
}

export interface Offer {
  package: { id: number; name: string; internalName: string; itemType: string; billingType: BillingType; agreement: string };
  /** `length` is days for trial/days, months for months, 0 for lifetime (see services/periods.ts periodEnd). */
  period: { id: number; kind: PeriodKind; length: number };
  currency: string;
  /** Decimals of `currency`, for formatMoney/toDecimalString. */
  minorUnits: number;
  /** Price of one period of the package, without add-ons. */
  price: number;
  /** Charged once, on the first invoice. */
  setupFee: number;
  /** The add-ons offered with new orders (every add-on with includeInactive), in display order. */
  addons: OfferAddon[];
}

export interface OfferQuery {
  packageId: number;
  periodId: number;
  /** ISO 4217 code. */
  currency: string;
}

/**
 * The price of one package period in one currency, with its add-ons priced for that period and
 * currency. Returns null when it cannot be ordered: unknown package or period (or a period of
 * another package), a package that is inactive or whose item type is switched off, an inactive
 * period, an unknown or inactive currency, or no price for the period in that currency.
 *
 * `includeInactive` lifts the active checks (package, item type, period, currency, add-ons) for staff
 * actions on existing services, e.g. quoting a renewal of a package no longer sold. The price must
 * still exist. Services keep the price they were ordered at (core_services.price): renewals should
 * read that, not the catalog.
 *
 * @example
 * const offer = await getOffer(db, { packageId: 7, periodId: 21, currency: 'EUR' });
 * if (!offer) return notOrderable();
 * const addons = priceAddons(offer, { os: 'debian12', ipv4: '2', backup: '1' });
 * if (!addons.ok) return showErrors(addons.errors); // keyed by add-on internal name
 * const firstInvoice = offer.price + offer.setupFee + addons.total;
 */
export async function getOffer(db: Db, query: OfferQuery, opts: { includeInactive?: boolean } = {}): Promise<Offer | null> {
  const { packageId, periodId, currency } = query;
  if (![packageId, periodId].every((n) => Number.isSafeInteger(n) && n > 0) || !/^[A-Z]{3}$/.test(currency)) return null;
  const strict = !opts.includeInactive;

  const cur = await findCurrency(db, currency);
  if (!cur || (strict && !cur.active)) return null;
  const pkg = await findPackage(db, packageId);
  if (!pkg || (strict && !pkg.active)) return null;
  if (strict && !(await findItemType(db, pkg.itemType))?.enabled) return null;
  const period = await findPeriod(db, packageId, periodId);
  if (!period || (strict && !period.active)) return null;
  const [price] = await listPeriodPrices(db, [period.id], { currency });
  if (!price) return null;

  const addons = (await listAddons(db, pkg.id)).filter((a) => a.active || !strict);
  const addonPrices = await listAddonPrices(
    db,
    addons.map((a) => a.id),
    { periodId: period.id, currency },
  );
  const enumIds = [...new Set(addons.flatMap((a) => (a.kind === 'enum' && a.enumerationId !== null ? [a.enumerationId] : [])))];
  const items = await listEnumerationItems(db, enumIds);
  const enumerations = new Map<number, { id: number; internalName: string; name: string }>();
  for (const id of enumIds) {
    const e = await findEnumeration(db, id);
    if (e) enumerations.set(id, { id: e.id, internalName: e.internalName, name: e.name });
  }

  return {
    package: { id: pkg.id, name: pkg.name, internalName: pkg.internalName, itemType: pkg.itemType, billingType: pkg.billingType, agreement: pkg.agreement },
    period: { id: period.id, kind: period.kind, length: period.length },
    currency,
    minorUnits: cur.minorUnits,
    price: price.price,
    setupFee: price.setupFee,
    addons: addons.map((a): OfferAddon => {
      const mine = addonPrices.filter((p) => p.addonId === a.id);
      const base: OfferAddon = {
        id: a.id,
        name: a.name,
        internalName: a.internalName,
        kind: a.kind,
        unit: a.unit,
        min: a.min,
        max: a.max,
        step: a.step,
        included: a.included,
        required: a.required,
        defaultValue: a.defaultValue,
        prices: {},
      };
      if (a.kind === 'enum') {
        const priced = new Map(mine.map((p) => [p.enumItemId, p.price]));
        const orderable = items.filter((i) => i.enumerationId === a.enumerationId && priced.has(i.id));
        base.items = orderable.map((i) => ({ internalName: i.internalName, name: i.name }));
        for (const i of orderable) base.prices[i.internalName] = priced.get(i.id)!;
        const e = a.enumerationId !== null ? enumerations.get(a.enumerationId) : undefined;
        if (e) base.enumeration = e;
      } else {
        const p = mine.find((x) => x.enumItemId === NO_ITEM);
        if (p) base.prices[a.kind === 'logic' ? 'yes' : 'unit'] = p.price;
      }
      return base;
    }),
  };
}

export interface AddonLine {
  addonId: number;
  internalName: string;
  /** For invoices and order summaries: "Operating system: Debian 12", "Extra IPv4: 3 IP (1 included)". */
  description: string;
  /** What core_service_addons.value stores: item internal name, '0'/'1', or the number as text. */
  value: string;
  /** Per period, in minor units of the offer's currency (0 for free choices). */
  price: number;
}

export interface AddonPricing {
  /** True when `errors` is empty: the choices can be ordered as they are. */
  ok: boolean;
  /** One line per add-on with a value (chosen or defaulted), including free ones and "no" answers. */
  lines: AddonLine[];
  /** Sum of the lines' prices: add-ons only, per period (add offer.price and offer.setupFee yourself). */
  total: number;
  /** Messages keyed by add-on internal name (or by the unknown key that was sent). */
  errors: Record<string, string>;
}

/**
 * Checks and prices a client's add-on choices against an offer. `chosen` maps add-on internal
 * names to the submitted values: an enumeration item's internal name, '0'/'1' for yes/no, a whole
 * number for number add-ons. Missing or blank values fall back to the add-on's default; a required
 * add-on with neither is an error, an optional one is simply not ordered. Number add-ons charge
 * `prices.unit` per unit beyond `included`. Pure: no database access.
 */
export function priceAddons(offer: Offer, chosen: Record<string, string | undefined>): AddonPricing {
  const errors: Record<string, string> = {};
  const lines: AddonLine[] = [];
  const known = new Set(offer.addons.map((a) => a.internalName));
  for (const key of Object.keys(chosen)) {
    if (!known.has(key)) errors[key] = `“${key}” is not an add-on of ${offer.package.name}`;
  }
  const notSold = (a: OfferAddon, what: string) => `${what} is not sold with this period in ${offer.currency}`;

  for (const a of offer.addons) {
    const sent = (chosen[a.internalName] ?? '').trim();
    const value = sent === '' ? a.defaultValue : sent;
    if (value === '') {
      if (a.required) errors[a.internalName] = a.kind === 'number' ? `Enter the number of ${a.unit || 'units'} for “${a.name}”` : `Choose a value for “${a.name}”`;
      continue;
    }
    const line = { addonId: a.id, internalName: a.internalName, value };
    switch (a.kind) {
      case 'enum': {
        const item = a.items?.find((i) => i.internalName === value);
        if (!item) {
          errors[a.internalName] = a.items?.length
            ? `Choose one of: ${a.items.map((i) => i.name).join(', ')}`
            : notSold(a, `“${a.name}”`);
          continue;
        }
        lines.push({ ...line, description: `${a.name}: ${item.name}`, price: a.prices[item.internalName]! });
        break;
      }
      case 'logic': {
        if (value !== '0' && value !== '1') {
          errors[a.internalName] = `Answer “${a.name}” with yes (1) or no (0)`;
          continue;
        }
        if (value === '1' && a.prices.yes === undefined) {
          errors[a.internalName] = notSold(a, `“${a.name}”`);
          continue;
        }
        lines.push({ ...line, description: `${a.name}: ${value === '1' ? 'yes' : 'no'}`, price: value === '1' ? a.prices.yes! : 0 });
        break;
      }
      case 'number': {
        const problem = numberProblem(value, a);
        if (problem) {
          errors[a.internalName] = `${a.name}: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`;
          continue;
        }
        const n = Number(value);
        const extra = Math.max(0, n - a.included);
        let price = 0;
        if (extra > 0) {
          if (a.prices.unit === undefined) {
            errors[a.internalName] = notSold(a, `More than ${a.included} ${a.unit || 'units'} of “${a.name}”`);
            continue;
          }
          price = extra * a.prices.unit;
          if (!Number.isSafeInteger(price)) {
            errors[a.internalName] = `${a.name}: that many units cannot be priced`;
            continue;
          }
        }
        const unit = a.unit ? ` ${a.unit}` : '';
        lines.push({ ...line, value: String(n), description: `${a.name}: ${n}${unit}${a.included > 0 ? ` (${a.included} included)` : ''}`, price });
        break;
      }
    }
  }
  const total = lines.reduce((sum, l) => sum + l.price, 0);
  return { ok: Object.keys(errors).length === 0, lines, total, errors };
}

export interface OrderablePeriod {
  id: number;
  kind: PeriodKind;
  length: number;
  price: number;
  setupFee: number;
}

export interface OrderablePackage {
  id: number;
  name: string;
  internalName: string;
  itemType: string;
  billingType: BillingType;
  description: string;
  agreement: string;
  /** Active periods priced in the requested currency, trial first, lifetime last. */
  periods: OrderablePeriod[];
}

/**
 * Packages a client can order in `currency`: active packages of enabled item types (optionally
 * one type) with at least one active period priced in that currency, by position then name.
 * An unknown or inactive currency yields [].
 */
export async function listOrderablePackages(db: Db, opts: { itemType?: string; currency: string }): Promise<OrderablePackage[]> {
  const cur = /^[A-Z]{3}$/.test(opts.currency) ? await findCurrency(db, opts.currency) : null;
  if (!cur?.active) return [];
  const byPackage = new Map<number, { pkg: Package; periods: (OrderablePeriod & { position: number })[] }>();
  for (const row of await listOrderableRows(db, cur.code, opts.itemType)) {
    const entry = byPackage.get(row.pkg.id) ?? { pkg: row.pkg, periods: [] };
    entry.periods.push({ id: row.period.id, kind: row.period.kind, length: row.period.length, position: row.period.position, price: row.price, setupFee: row.setupFee });
    byPackage.set(row.pkg.id, entry);
  }
  return [...byPackage.values()].map(({ pkg: p, periods }) => ({
    id: p.id,
    name: p.name,
    internalName: p.internalName,
    itemType: p.itemType,
    billingType: p.billingType,
    description: p.description,
    agreement: p.agreement,
    periods: sortPeriods(periods).map(({ position: _position, ...period }) => period),
  }));
}

/**
 * A package by its internal name (the name processing modules and upstream presets use), active
 * or not, or null. Check `active` yourself before selling it.
 */
export async function findPackageByInternalName(db: Db, internalName: string): Promise<Package | null> {
  return findPackageRowByInternalName(db, internalName);
}

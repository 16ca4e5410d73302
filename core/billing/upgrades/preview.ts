// What a package or add-on change would cost, before the client confirms it: the packages the operator
// lets the service move to (core_package_upgrades), the add-ons it may adjust, and the prorated price.
// Reads only; every read is scoped by the client id. Messages are English keys the portal translates.
import type { Knex } from 'knex';
import { getOffer, priceAddons, type Offer, type OfferAddon } from '../catalog/offer.ts';
import { numberProblem } from '../catalog/addons.ts';
import { findPackages, findPeriod, findPeriodByTerm, listAddons, listUpgradeTargetIds } from '../catalog/store.ts';
import { taxRateForClient } from '../invoices/tax.ts';
import { addDays, addMonths, periodEnd, type PeriodKind } from '../services/periods.ts';
import type { ServiceStatus } from '../services/status.ts';
import { prorate, type Proration, type ProrationItem } from './proration.ts';
import { findAwaitingUpgrade, type ResultAddon, type UpgradeKind } from './store.ts';

type Q = Knex | Knex.Transaction;

/** Text for the reader, translated by the portal ('{name}' placeholders filled from vars). */
export interface Message {
  text: string;
  vars?: Record<string, string | number>;
}

export interface CurrentAddon {
  addonId: number;
  internalName: string;
  name: string;
  kind: 'enum' | 'logic' | 'number';
  unit: string;
  value: string;
  /** The value as a client reads it: the enumeration item's name, 'Yes'/'No', '3 IP'. */
  shown: string;
  price: number;
}

export interface ServiceForChange {
  id: number;
  clientId: number;
  clientCurrency: string;
  packageId: number;
  packageName: string;
  packageInternalName: string;
  itemType: string;
  label: string;
  status: ServiceStatus;
  periodId: number | null;
  periodKind: PeriodKind;
  periodLength: number;
  currency: string;
  price: number;
  expiresOn: string | null;
  activatedAt: string | null;
  cancelRequested: boolean;
  addons: CurrentAddon[];
}

export interface ChangeContext {
  /** YYYY-MM-DD: the day the change takes effect. */
  today: string;
  /** The catalog's "prices include tax". */
  taxInclusive: boolean;
}

export type PreviewAddon = ResultAddon & { name: string; kind: CurrentAddon['kind']; shown: string };

export interface ChangePreview {
  kind: UpgradeKind;
  serviceId: number;
  clientId: number;
  fromPackage: { id: number; name: string };
  toPackage: { id: number; name: string; internalName: string };
  toPeriodId: number | null;
  currency: string;
  oldPrice: number;
  newPrice: number;
  /** The add-ons the service has after the change. */
  addons: PreviewAddon[];
  /** Add-on changes: what each was and becomes (add-on changes only). */
  changes: { name: string; kind: CurrentAddon['kind']; from: string; to: string }[];
  proration: Proration;
  taxRateBp: number;
  taxInclusive: boolean;
}

export type PreviewResult =
  | { ok: true; preview: ChangePreview }
  | { ok: false; notFound?: true; message?: Message; errors?: Record<string, Message> };

export interface PackageOption {
  id: number;
  name: string;
  description: string;
  /** Price per period on the new package with the service's add-ons carried over (when available). */
  price: number | null;
  direction: 'upgrade' | 'downgrade' | 'same';
  available: boolean;
  reason: Message | null;
}

/** The statuses in which a client may change a package: it must be running and paid for. */
const CHANGEABLE: readonly ServiceStatus[] = ['active'];

function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

function shownValue(a: { kind: string; unit: string; value: string }, itemName?: string): string {
  if (a.kind === 'logic') return a.value === '1' ? 'Yes' : 'No';
  if (a.kind === 'number') return `${a.value}${a.unit ? ` ${a.unit}` : ''}`;
  return itemName ?? a.value;
}

/** The client's service with what a change needs, or null when it is not this client's. */
export async function loadServiceForChange(db: Q, clientId: number, serviceId: number): Promise<ServiceForChange | null> {
  const row = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .join('core_clients as c', 'c.id', 's.client_id')
    .where({ 's.id': serviceId, 's.client_id': clientId })
    .first(
      's.id', 's.client_id', 'c.currency as client_currency', 's.package_id', 'p.name as package_name', 'p.internal_name as package_internal_name', 's.item_type', 's.label', 's.status',
      's.period_id', 's.period_kind', 's.period_length', 's.currency', 's.price', 's.expires_on', 's.activated_at', 's.cancel_requested',
    )) as Record<string, unknown> | undefined;
  if (!row) return null;
  const addonRows = (await db('core_service_addons as sa')
    .join('core_addons as a', 'a.id', 'sa.addon_id')
    .leftJoin('core_enumeration_items as ei', (j) => j.on('ei.enumeration_id', '=', 'a.enumeration_id').andOn('ei.internal_name', '=', 'sa.value'))
    .where('sa.service_id', serviceId)
    .orderBy([{ column: 'a.position' }, { column: 'a.id' }])
    .select('sa.addon_id', 'sa.value', 'sa.price', 'a.name', 'a.internal_name', 'a.kind', 'a.unit', 'ei.name as item_name')) as Record<string, unknown>[];
  return {
    id: Number(row.id),
    clientId: Number(row.client_id),
    clientCurrency: String(row.client_currency),
    packageId: Number(row.package_id),
    packageName: String(row.package_name),
    packageInternalName: String(row.package_internal_name),
    itemType: String(row.item_type),
    label: String(row.label ?? ''),
    status: row.status as ServiceStatus,
    periodId: row.period_id === null ? null : Number(row.period_id),
    periodKind: row.period_kind as PeriodKind,
    periodLength: Number(row.period_length),
    currency: String(row.currency),
    price: Number(row.price),
    expiresOn: (row.expires_on as string | null) ?? null,
    activatedAt: (row.activated_at as string | null) ?? null,
    cancelRequested: bool(row.cancel_requested),
    addons: addonRows.map((a) => {
      const base = { kind: String(a.kind) as CurrentAddon['kind'], unit: String(a.unit ?? ''), value: String(a.value) };
      return { ...base, addonId: Number(a.addon_id), internalName: String(a.internal_name), name: String(a.name), price: Number(a.price), shown: shownValue(base, a.item_name ? String(a.item_name) : undefined) };
    }),
  };
}

/** Why the service cannot be changed now, or null when it can. */
export async function changeBlocker(db: Q, svc: ServiceForChange): Promise<Message | null> {
  if (!CHANGEABLE.includes(svc.status)) return { text: 'The package can be changed while the service is active.' };
  if (svc.cancelRequested) return { text: 'You asked to cancel this service. Withdraw the request to change its package.' };
  const awaiting = await findAwaitingUpgrade(db, svc.id);
  if (awaiting) return { text: 'A change of this service is waiting for payment of invoice {number}.', vars: { number: awaiting.invoice_number } };
  // The next period is billed already at the current price: once that invoice is paid the period counts
  // as paid ahead and is prorated with the rest; while it is unpaid, a change would leave it at the old price.
  if (svc.expiresOn) {
    const renewal = (await db('core_service_billing_periods as b')
      .join('core_invoices as i', 'i.id', 'b.invoice_id')
      .where('b.service_id', svc.id)
      .andWhere('b.period_start', '>=', svc.expiresOn)
      .whereIn('i.status', ['draft', 'unpaid', 'collections'])
      .first('i.number')) as { number: string } | undefined;
    if (renewal) return { text: 'Invoice {number} for the next period is waiting for payment. Pay it first, then change the package.', vars: { number: renewal.number } };
  }
  return null;
}

/**
 * The period now running: from the billed period that ends on the expiry date, else from the day the
 * service was set up, else counted back from the expiry date.
 */
export async function currentPeriod(db: Q, svc: ServiceForChange): Promise<{ kind: PeriodKind; start: string | null; end: string | null }> {
  const end = svc.expiresOn;
  if (!end || svc.periodKind === 'lifetime') return { kind: svc.periodKind, start: null, end };
  const billed = (await db('core_service_billing_periods').where({ service_id: svc.id, period_end: end }).orderBy('period_start', 'desc').first('period_start')) as { period_start: string } | undefined;
  if (billed) return { kind: svc.periodKind, start: billed.period_start, end };
  const activated = svc.activatedAt?.slice(0, 10);
  if (activated && periodEnd(activated, svc.periodKind, svc.periodLength) === end) return { kind: svc.periodKind, start: activated, end };
  const start = svc.periodKind === 'months' ? addMonths(end, -svc.periodLength) : addDays(end, -svc.periodLength);
  return { kind: svc.periodKind, start, end };
}

type PricedTarget =
  | { ok: true; offer: Offer; periodId: number; addons: PreviewAddon[]; newPrice: number }
  | { ok: false; reason: Message };

function previewAddonOf(a: OfferAddon, line: { value: string; price: number }): PreviewAddon {
  const item = a.items?.find((i) => i.internalName === line.value);
  return { addonId: a.id, internalName: a.internalName, value: line.value, price: line.price, name: a.name, kind: a.kind, shown: shownValue({ kind: a.kind, unit: a.unit, value: line.value }, item?.name) };
}

/** The service on another package: same billing cycle and currency, add-ons carried over by internal name. */
async function priceTarget(db: Q, svc: ServiceForChange, packageId: number): Promise<PricedTarget> {
  const period = await findPeriodByTerm(db, packageId, svc.periodKind, svc.periodLength);
  if (!period) return { ok: false, reason: { text: 'Not offered with your billing cycle.' } };
  const offer = await getOffer(db, { packageId, periodId: period.id, currency: svc.currency });
  if (!offer || offer.package.itemType !== svc.itemType) return { ok: false, reason: { text: 'Not available at the moment.' } };
  const known = new Set(offer.addons.map((a) => a.internalName));
  const carried: Record<string, string> = Object.fromEntries(svc.addons.filter((a) => known.has(a.internalName)).map((a) => [a.internalName, a.value]));
  let priced = priceAddons(offer, carried);
  if (!priced.ok) {
    // A value the new package does not sell falls back to its default.
    for (const key of Object.keys(priced.errors)) delete carried[key];
    priced = priceAddons(offer, carried);
  }
  if (!priced.ok) return { ok: false, reason: { text: 'It needs add-on choices only staff can make: ask support to switch you.' } };
  const byName = new Map(offer.addons.map((a) => [a.internalName, a]));
  const addons = priced.lines.map((l) => previewAddonOf(byName.get(l.internalName)!, l));
  return { ok: true, offer, periodId: period.id, addons, newPrice: offer.price + priced.total };
}

/** The packages this service may move to (seed 003: Upgrade / Downgrade, "Packages"), in the operator's order. */
export async function packageOptions(db: Q, svc: ServiceForChange): Promise<PackageOption[]> {
  const targets = (await findPackages(db, await listUpgradeTargetIds(db, svc.packageId))).filter((p) => p.id !== svc.packageId);
  targets.sort((a, b) => a.position - b.position || a.name.localeCompare(b.name) || a.id - b.id);
  const out: PackageOption[] = [];
  for (const p of targets) {
    const priced = await priceTarget(db, svc, p.id);
    const price = priced.ok ? priced.newPrice : null;
    out.push({
      id: p.id,
      name: p.name,
      description: p.description,
      price,
      direction: price === null || price === svc.price ? 'same' : price > svc.price ? 'upgrade' : 'downgrade',
      available: priced.ok,
      reason: priced.ok ? null : priced.reason,
    });
  }
  return out;
}

async function finish(
  db: Q,
  svc: ServiceForChange,
  ctx: ChangeContext,
  change: Omit<ChangePreview, 'proration' | 'taxRateBp' | 'taxInclusive' | 'serviceId' | 'clientId' | 'currency' | 'oldPrice' | 'fromPackage'>,
  items: ProrationItem[],
): Promise<PreviewResult> {
  const tax = await taxRateForClient(db, svc.clientId);
  const proration = prorate({ today: ctx.today, period: await currentPeriod(db, svc), items, tax: { rateBp: tax.rateBp, inclusive: ctx.taxInclusive } });
  if (!proration.ok) {
    return {
      ok: false,
      message:
        proration.reason === 'not_started'
          ? { text: 'The service has not started yet: its package can be changed once it is active.' }
          : { text: 'The paid period has ended: renew the service first, then change it.' },
    };
  }
  if (proration.outcome === 'credit' && svc.clientCurrency !== svc.currency) {
    return { ok: false, message: { text: 'This change returns money, and your credit balance is kept in {currency}: ask support to make it.', vars: { currency: svc.clientCurrency } } };
  }
  return {
    ok: true,
    preview: {
      ...change,
      serviceId: svc.id,
      clientId: svc.clientId,
      fromPackage: { id: svc.packageId, name: svc.packageName },
      currency: svc.currency,
      oldPrice: svc.price,
      proration,
      taxRateBp: tax.rateBp,
      taxInclusive: ctx.taxInclusive,
    },
  };
}

function serviceName(svc: Pick<ServiceForChange, 'packageName' | 'label'>): string {
  return `${svc.packageName}${svc.label ? ` (${svc.label})` : ''}`;
}

/** "Perform Upgrade": the service moved to `toPackageId`, priced for the rest of the period. */
export async function previewPackageChange(db: Q, svc: ServiceForChange, toPackageId: number, ctx: ChangeContext): Promise<PreviewResult> {
  const allowed = await listUpgradeTargetIds(db, svc.packageId);
  if (!allowed.includes(toPackageId) || toPackageId === svc.packageId) return { ok: false, notFound: true };
  const blocker = await changeBlocker(db, svc);
  if (blocker) return { ok: false, message: blocker };
  const priced = await priceTarget(db, svc, toPackageId);
  if (!priced.ok) return { ok: false, message: priced.reason };
  const to = priced.offer.package;
  return finish(
    db,
    svc,
    ctx,
    { kind: 'package', toPackage: { id: to.id, name: to.name, internalName: to.internalName }, toPeriodId: priced.periodId, newPrice: priced.newPrice, addons: priced.addons, changes: [] },
    [{ label: `${serviceName(svc)} → ${to.name}`, oldPrice: svc.price, newPrice: priced.newPrice }],
  );
}

export interface FormAddon {
  internalName: string;
  name: string;
  kind: CurrentAddon['kind'];
  unit: string;
  min: number;
  max: number | null;
  step: number;
  included: number;
  required: boolean;
  /** What the service has now ('' for none). */
  value: string;
  /** Choices of enum and yes/no add-ons, each with its price per period. */
  options: { value: string; label: string; price: number | null }[];
  /** Number add-ons: the price per unit beyond the included ones. */
  unitPrice: number | null;
}

/** The add-ons of the service's own package for its billing cycle: those still sold, and those it has. */
async function addonOffer(db: Q, svc: ServiceForChange): Promise<Offer | null> {
  const period = svc.periodId !== null ? await findPeriod(db, svc.packageId, svc.periodId) : await findPeriodByTerm(db, svc.packageId, svc.periodKind, svc.periodLength);
  if (!period) return null;
  // Inactive packages and add-ons included: a client keeps adjusting what was sold to them.
  const offer = await getOffer(db, { packageId: svc.packageId, periodId: period.id, currency: svc.currency }, { includeInactive: true });
  if (!offer) return null;
  const active = new Set((await listAddons(db, svc.packageId)).filter((a) => a.active).map((a) => a.id));
  const has = new Set(svc.addons.map((a) => a.addonId));
  return { ...offer, addons: offer.addons.filter((a) => active.has(a.id) || has.has(a.id)) };
}

/** "Adjust Add-ons": the form's add-ons with their current values and prices. */
export async function adjustableAddons(db: Q, svc: ServiceForChange): Promise<FormAddon[]> {
  const offer = await addonOffer(db, svc);
  if (!offer) return [];
  const current = new Map(svc.addons.map((a) => [a.internalName, a.value]));
  return offer.addons.map((a) => ({
    internalName: a.internalName,
    name: a.name,
    kind: a.kind,
    unit: a.unit,
    min: a.min,
    max: a.max,
    step: a.step,
    included: a.included,
    required: a.required,
    value: current.get(a.internalName) ?? '',
    options:
      a.kind === 'enum'
        ? (a.items ?? []).map((i) => ({ value: i.internalName, label: i.name, price: a.prices[i.internalName] ?? null }))
        : a.kind === 'logic'
          ? [{ value: '0', label: 'No', price: 0 }, ...(a.prices.yes !== undefined || current.get(a.internalName) === '1' ? [{ value: '1', label: 'Yes', price: a.prices.yes ?? null }] : [])]
          : [],
    unitPrice: a.kind === 'number' ? (a.prices.unit ?? null) : null,
  }));
}

function addonError(a: OfferAddon, value: string): Message {
  if (value === '') return { text: 'Choose a value' };
  if (a.kind === 'enum') return { text: 'Choose one of the listed options' };
  if (a.kind === 'logic') return value === '1' ? { text: 'Not sold with your billing cycle' } : { text: 'Choose yes or no' };
  if (numberProblem(value, a)) {
    return a.max === null
      ? { text: 'Enter a whole number of at least {min}, in steps of {step}', vars: { min: a.min, step: a.step } }
      : { text: 'Enter a whole number from {min} to {max}, in steps of {step}', vars: { min: a.min, max: a.max, step: a.step } };
  }
  return { text: 'At most {n} are available with your billing cycle', vars: { n: a.included } };
}

/** "Adjust Add-ons": the service with the add-on values the client chose, billed for the add-ons only. */
export async function previewAddonChange(db: Q, svc: ServiceForChange, values: Record<string, string>, ctx: ChangeContext): Promise<PreviewResult> {
  const blocker = await changeBlocker(db, svc);
  if (blocker) return { ok: false, message: blocker };
  const offer = await addonOffer(db, svc);
  if (!offer || offer.addons.length === 0) return { ok: false, message: { text: 'This package has no add-ons to adjust.' } };
  const current = new Map(svc.addons.map((a) => [a.internalName, a]));
  const chosen: Record<string, string> = {};
  for (const a of offer.addons) chosen[a.internalName] = (values[a.internalName] ?? current.get(a.internalName)?.value ?? '').trim();
  const priced = priceAddons(offer, chosen);
  if (!priced.ok) {
    const errors: Record<string, Message> = {};
    for (const a of offer.addons) if (priced.errors[a.internalName]) errors[a.internalName] = addonError(a, chosen[a.internalName] ?? '');
    return { ok: false, errors };
  }
  const after = new Map(priced.lines.map((l) => [l.internalName, l]));
  const items: ProrationItem[] = [];
  const changes: ChangePreview['changes'] = [];
  const result = new Map<string, PreviewAddon>(svc.addons.map((a) => [a.internalName, { addonId: a.addonId, internalName: a.internalName, value: a.value, price: a.price, name: a.name, kind: a.kind, shown: a.shown }]));
  let newPrice = svc.price;
  for (const a of offer.addons) {
    const was = current.get(a.internalName);
    const line = after.get(a.internalName);
    if ((was?.value ?? null) === (line?.value ?? null)) continue;
    const next = line ? previewAddonOf(a, line) : null;
    const oldPrice = was?.price ?? 0;
    const price = next?.price ?? 0;
    const from = was?.shown ?? '—';
    const to = next?.shown ?? '—';
    items.push({ label: `${a.name}: ${from} → ${to}`, oldPrice, newPrice: price });
    changes.push({ name: a.name, kind: a.kind, from, to });
    newPrice += price - oldPrice;
    if (next) result.set(a.internalName, next);
    else result.delete(a.internalName);
  }
  if (items.length === 0) return { ok: false, message: { text: 'Nothing changes: choose other values first.' } };
  const pkg = { id: svc.packageId, name: svc.packageName, internalName: svc.packageInternalName };
  return finish(db, svc, ctx, { kind: 'addons', toPackage: pkg, toPeriodId: svc.periodId, newPrice, addons: [...result.values()], changes }, items);
}

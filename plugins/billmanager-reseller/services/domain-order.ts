// Ordering a domain (seed 001 "Checking ordering of service"): the name without its zone, the zone from
// the imported TLDs, the availability check (free / "Busy" / "Try later"), then plan and period,
// contacts and name servers, and core's order: a pending service and its invoice.
import type { Knex } from 'knex';
import { clientArea, type AppServices, type FormValues, type Translate } from '../../../core/plugins/api.ts';
import { listOrderablePackages, type OrderablePackage } from '../../../core/billing/catalog/offer.ts';
import { formatMoney } from '../../../core/money/money.ts';
import { getServer } from '../../../core/processing/servers.ts';
import { OrderError } from '../../../core/billing/orders/place-order.ts';
import { WhoisUnavailableError } from '../upstream/billmanager.ts';
import { importedZones } from '../store/tariffs.ts';
import { MODULE_NAME } from '../processing/module.ts';
import { checkDomainLabel, NAME_PROBLEM_MESSAGES } from './domain-names.ts';
import { CONTACT_ROLES, contactParam, type ContactRole, type DomainContact } from './contacts.ts';
import { upstreamOf } from './upstream-access.ts';
import { periodLabel } from './period-labels.ts';

type Q = Knex | Knex.Transaction;

export interface ZoneOffer {
  tld: string;
  packages: OrderablePackage[];
}

/** Zones a client paying in `currency` can order: imported domain tariffs on sale with a price in it. */
export async function zoneOffers(db: Q, currency: string): Promise<ZoneOffer[]> {
  const zones = await importedZones(db);
  const orderable = new Map((await listOrderablePackages(db, { itemType: 'domain', currency })).map((p) => [p.id, p]));
  const out = new Map<string, OrderablePackage[]>();
  for (const z of zones) {
    const pkg = orderable.get(z.packageId);
    if (pkg) out.set(z.tld, [...(out.get(z.tld) ?? []), pkg]);
  }
  return [...out].map(([tld, packages]) => ({ tld, packages }));
}

/** "Domain .ru — 1 year — 15.00 USD": one choice of the plan-and-period select, in the reader's language. */
export function offerChoices(t: Translate, zone: ZoneOffer, currency: string): { value: string; label: string }[] {
  return zone.packages.flatMap((p) => p.periods.map((per) => ({ value: `${p.id}:${per.id}`, label: `${p.name} — ${periodLabel(t, per.kind, per.length)} — ${formatMoney({ amount: per.price, currency })}` })));
}

export type Availability = { status: 'free' | 'busy' } | { status: 'try_later' } | { status: 'unknown'; message: string };

/**
 * Asks the upstream behind the zone's plan whether the name is free. "Try later" when its whois
 * is down (seed 001); 'unknown' when the upstream cannot be reached at all.
 */
export async function checkAvailability(app: Pick<AppServices, 'db' | 'processing' | 'log' | 'clock'>, zone: ZoneOffer, fqdn: string, timeoutMs: number): Promise<Availability> {
  const server = await serverForZone(app.db, zone);
  if (!server) return { status: 'unknown', message: 'No BILLmanager server provides this zone.' };
  try {
    const api = await upstreamOf(app, server, timeoutMs);
    return { status: await api.checkDomain(fqdn) };
  } catch (err) {
    if (err instanceof WhoisUnavailableError) return { status: 'try_later' };
    app.log.warn('domain availability check failed', { domain: fqdn, server: server.id, error: (err as Error).message });
    return { status: 'unknown', message: (err as Error).message };
  }
}

async function serverForZone(db: Q, zone: ZoneOffer) {
  for (const p of zone.packages) {
    const ids = (await db('core_package_servers').where({ package_id: p.id }).pluck('server_id')) as number[];
    for (const id of ids) {
      const s = await getServer(db, Number(id));
      if (s && s.module === MODULE_NAME) return s;
    }
  }
  return null;
}

export interface NameCheck {
  zone: ZoneOffer;
  label: string;
  fqdn: string;
}

/** Step one: the name without its zone and a zone from the list; field errors otherwise (English keys). */
export function checkNameForm(values: FormValues, zones: ZoneOffer[]): { ok: true; value: NameCheck } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const one = (k: string) => {
    const v = values[k];
    return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
  };
  const zone = zones.find((z) => z.tld === one('zone').replace(/^\./, '').toLowerCase());
  if (!zone) errors.zone = 'Choose a zone from the list';
  const name = checkDomainLabel(one('name'), zone?.tld ?? 'invalid');
  if (!name.ok) errors.name = NAME_PROBLEM_MESSAGES[name.problem];
  if (!zone || !name.ok) return { ok: false, errors };
  return { ok: true, value: { zone, label: name.label, fqdn: name.fqdn } };
}

export interface DomainOrderDetails {
  packageId: number;
  periodId: number;
  nameservers: string[];
  contacts: Record<ContactRole, DomainContact>;
}

export type ContactChoice = { id: number; label: string; contact: DomainContact };

/**
 * Step two: plan and period of the zone, a contact for each role (the client's own contacts only),
 * and two to four name servers or none (the upstream's). Field errors are English keys.
 */
export function checkDetailsForm(values: FormValues, zone: ZoneOffer, contacts: ContactChoice[]): { ok: true; value: DomainOrderDetails } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const one = (k: string) => {
    const v = values[k];
    return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
  };
  const [pkgRaw, perRaw] = one('offer').split(':');
  const pkg = zone.packages.find((p) => String(p.id) === pkgRaw);
  const period = pkg?.periods.find((p) => String(p.id) === perRaw);
  if (!pkg || !period) errors.offer = 'Choose a rate plan and period from the list';
  const chosen: Partial<Record<ContactRole, DomainContact>> = {};
  for (const role of CONTACT_ROLES) {
    const c = contacts.find((x) => String(x.id) === one(`contact_${role}`));
    if (!c) errors[`contact_${role}`] = 'Choose one of your contacts';
    else chosen[role] = c.contact;
  }
  const raw = [0, 1, 2, 3].map((i) => one(`ns.${i}`));
  let nameservers: string[] = [];
  // None at all: the upstream delegates the domain to its own name servers.
  if (raw.some(Boolean)) {
    const parsed = clientArea.parseNameservers(raw);
    if (parsed.ok) nameservers = parsed.value;
    else Object.assign(errors, parsed.errors);
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { packageId: pkg!.id, periodId: period!.id, nameservers, contacts: chosen as Record<ContactRole, DomainContact> } };
}

/** The params a new domain service starts with (core's client-area names). */
export function domainParams(fqdn: string, d: DomainOrderDetails): Record<string, unknown> {
  const params: Record<string, unknown> = { domain: fqdn, autorenew: 'on', registrar_lock: 'off' };
  if (d.nameservers.length) params.nameservers = d.nameservers;
  for (const role of CONTACT_ROLES) params[contactParam(role)] = d.contacts[role];
  return params;
}

/** Places the order (pending service + invoice); order errors come back keyed by form field. */
export async function placeDomainOrder(
  app: Pick<AppServices, 'billing'>,
  input: { clientId: number; fqdn: string; details: DomainOrderDetails; actor: { type: 'staff' | 'client'; id: number; label: string } },
): Promise<{ ok: true; serviceId: number; invoiceId: number; invoiceNumber: string; total: number } | { ok: false; errors: Record<string, string> }> {
  try {
    const placed = await app.billing.placeOrder({ clientId: input.clientId, packageId: input.details.packageId, periodId: input.details.periodId, label: input.fqdn, params: domainParams(input.fqdn, input.details), actor: input.actor });
    return { ok: true, ...placed };
  } catch (err) {
    if (err instanceof OrderError) return { ok: false, errors: { offer: Object.values(err.errors).join('; ') } };
    throw err;
  }
}

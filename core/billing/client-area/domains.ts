// The client's domains (seed 003, Managing Domains): the list across every package, and the registrar
// functions — contact info, DNS, registrar lock, autorenew, domain password. Every read and change is
// scoped by the client id. A change never writes the service directly: it is queued as a set_param
// operation of the domain's processing module, and the framework stores it when the operation is done.
import type { Knex } from 'knex';
import { domainToASCII } from 'node:url';
import { isIPv4, isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { AppServices } from '../../services.ts';
import { dbEngine } from '../../db/knex.ts';
import { iso } from '../../db/time.ts';
import { COUNTRIES, isCountryCode } from '../../i18n/countries.ts';
import { OPERATIONS, activeOperationQuery, parseJson } from '../../processing/operations.ts';
import type { OperationStatus } from '../../processing/types.ts';
import { updateServiceField } from '../services/terms.ts';
import type { ServiceStatus } from '../services/status.ts';
import { getBillingSettings } from '../settings.ts';
import { isSealedValue, openValue, sealValue } from '../../processing/sealed-values.ts';

type Q = Knex | Knex.Transaction;
export type DomainFieldErrors = Record<string, string>;
export type DomainParse<T> = { ok: true; value: T } | { ok: false; errors: DomainFieldErrors };

export const DOMAIN_ITEM_TYPE = 'domain';

/** A registrar can act on a domain that is registered and not lapsing; other statuses only show it. */
export const DOMAIN_EDITABLE_STATUSES: readonly ServiceStatus[] = ['active', 'pending_renewal'];

/** Statuses the list hides unless asked: the domain is no longer the client's. */
const GONE: readonly ServiceStatus[] = ['cancelled', 'transferred', 'fraud'];

/* ---------------------------------------------------------------------------------------------
 * The parameters a domain service keeps (the contract with registrar modules: the BILLmanager
 * reseller plugin reads and writes these names in ServiceInfo.params and setParam's changes).
 *   nameservers     string[] of host names (ASCII; BILLmanager's ns0..ns3 / ns_additional are read too)
 *   dns_hosted      'on' when our DNS servers serve the zone: then dns_records are ours to edit
 *   dns_records     { type: 'A'|'AAAA'|'CNAME'|'MX'|'TXT', name: '@'|relative name, value, priority? }[]
 *   registrar_lock  'on' | 'off'
 *   autorenew       'on' | 'off' (mirrors the service's auto_renew) and autorenew_days: renew N days before expiry
 *   auth_code       the transfer (EPP) code
 *   contact_owner | contact_admin | contact_tech | contact_bill   DomainContact objects (WHOIS contacts)
 * ------------------------------------------------------------------------------------------- */

export const DOMAIN_CHANGE_KINDS = ['contacts', 'nameservers', 'dns_records', 'lock', 'autorenew', 'password'] as const;
export type DomainChangeKind = (typeof DOMAIN_CHANGE_KINDS)[number];

export const DOMAIN_PARAM_KEYS: Record<DomainChangeKind, readonly string[]> = {
  contacts: ['contact_owner', 'contact_admin', 'contact_tech', 'contact_bill'],
  nameservers: ['nameservers'],
  dns_records: ['dns_records'],
  lock: ['registrar_lock'],
  autorenew: ['autorenew', 'autorenew_days'],
  password: ['auth_code'],
};

export const DOMAIN_CHANGE_LABELS: Record<DomainChangeKind, string> = {
  contacts: 'Contact info',
  nameservers: 'Name servers',
  dns_records: 'DNS records',
  lock: 'Registrar lock',
  autorenew: 'Autorenew',
  password: 'Domain password',
};

export function isDomainChangeKind(x: unknown): x is DomainChangeKind {
  return typeof x === 'string' && (DOMAIN_CHANGE_KINDS as readonly string[]).includes(x);
}

/** WHOIS contact roles in the guide's words, with BILLmanager's names as keys (owner, admin, tech, bill). */
export const DOMAIN_CONTACT_ROLES = ['owner', 'admin', 'tech', 'bill'] as const;
export type DomainContactRole = (typeof DOMAIN_CONTACT_ROLES)[number];
export const DOMAIN_CONTACT_ROLE_LABELS: Record<DomainContactRole, string> = {
  owner: 'Registrant',
  admin: 'Administrative contact',
  tech: 'Technical contact',
  bill: 'Auxiliary Billing contact',
};

/** The guide's contact fields a registrar publishes in WHOIS. */
export const DOMAIN_CONTACT_FIELDS = ['company', 'first_name', 'last_name', 'email', 'address1', 'address2', 'city', 'state', 'zip', 'country', 'phone', 'fax'] as const;
export type DomainContactField = (typeof DOMAIN_CONTACT_FIELDS)[number];
export type DomainContact = Record<DomainContactField, string> & { source_contact_id?: number | null };

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];
export interface DnsRecord {
  type: DnsRecordType;
  name: string;
  value: string;
  priority?: number;
}

export const MIN_NAMESERVERS = 2;
export const MAX_NAMESERVERS = 13;
export const MAX_DNS_RECORDS = 100;

/** What the pages show of a domain's parameters. The transfer code itself is never in here. */
export interface DomainSettings {
  nameservers: string[];
  dnsHosted: boolean;
  records: DnsRecord[];
  /** null: the registrar has not told us. */
  lock: boolean | null;
  autorenewDays: number | null;
  contacts: Partial<Record<DomainContactRole, DomainContact>>;
  hasAuthCode: boolean;
}

function flag(v: unknown): boolean | null {
  if (v === true || v === 1 || v === 'on' || v === '1' || v === 'yes' || v === 'true') return true;
  if (v === false || v === 0 || v === 'off' || v === '0' || v === 'no' || v === 'false') return false;
  return null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** BILLmanager writes a name server with its glue as 'host/ip,ip': the host is what we show. */
function nameserversOf(params: Record<string, unknown>): string[] {
  if (Array.isArray(params.nameservers)) return params.nameservers.map(str).filter(Boolean);
  const list = ['ns0', 'ns1', 'ns2', 'ns3'].map((k) => str(params[k]));
  list.push(...str(params.ns_additional).split(/[\s,]+/));
  return list.map((ns) => ns.split('/')[0]!.trim()).filter(Boolean);
}

function recordsOf(v: unknown): DnsRecord[] {
  if (!Array.isArray(v)) return [];
  const out: DnsRecord[] = [];
  for (const r of v) {
    if (!r || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    const type = str(o.type).toUpperCase();
    if (!(DNS_RECORD_TYPES as readonly string[]).includes(type)) continue;
    const priority = Number(o.priority);
    out.push({ type: type as DnsRecordType, name: str(o.name), value: str(o.value), ...(type === 'MX' && Number.isInteger(priority) ? { priority } : {}) });
  }
  return out;
}

function contactFields(o: Record<string, unknown>): DomainContact {
  const c = {} as DomainContact;
  for (const f of DOMAIN_CONTACT_FIELDS) c[f] = str(o[f]);
  return c;
}

function contactOf(v: unknown): DomainContact | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const c = contactFields(o);
  const source = Number(o.source_contact_id);
  return Number.isInteger(source) && source > 0 ? { ...c, source_contact_id: source } : c;
}

export function readDomainSettings(params: Record<string, unknown>): DomainSettings {
  const days = Number(params.autorenew_days);
  const contacts: DomainSettings['contacts'] = {};
  for (const role of DOMAIN_CONTACT_ROLES) {
    const c = contactOf(params[`contact_${role}`]);
    if (c) contacts[role] = c;
  }
  return {
    nameservers: nameserversOf(params),
    dnsHosted: flag(params.dns_hosted) === true,
    records: recordsOf(params.dns_records),
    lock: flag(params.registrar_lock),
    autorenewDays: Number.isInteger(days) && days > 0 ? days : null,
    contacts,
    hasAuthCode: isSealedValue(params.auth_code) || str(params.auth_code) !== '',
  };
}

/* ---------------------------------------------------------------------------------------------
 * The list: domain services, and domains other packages carry in their `domain` param
 * ------------------------------------------------------------------------------------------- */

export interface ClientDomainListRow {
  /** The service: the domain service itself, or the package the domain comes with. */
  id: number;
  domain: string;
  source: 'domain' | 'package';
  package_name: string;
  /** The carrying package's own label (e.g. a hostname); '' for domain services. */
  package_label: string;
  status: ServiceStatus;
  /** Only for domain services: a package's own expiry is not its domain's. */
  expires_on: string | null;
  /** Only for domain services. */
  auto_renew: boolean | null;
  lock: boolean | null;
}

export type ClientDomainStatusFilter = 'current' | 'all' | ServiceStatus;

/** The `domain` param as SQL: the same value on both engines (params is JSON text written by the app). */
function domainParamSql(db: Q): string {
  return dbEngine(db as Knex) === 'pg' ? `(s.params::jsonb ->> 'domain')` : `json_extract(s.params, '$.domain')`;
}

/** Sorts a domain without an expiry date after every dated one, the same on both engines (no NULL ordering). */
const NO_EXPIRY = '9999-12-31';

/**
 * Unsorted, unpaged query of the client's domains for buildTable (sort by domain, package_name,
 * status, expires_sort; id breaks ties). Both halves are ranges of the (client_id, id) index.
 */
export function clientDomainListQuery(db: Q, clientId: number, filter: { q?: string; status?: ClientDomainStatusFilter } = {}) {
  const own = db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where('s.client_id', clientId)
    .andWhere('s.item_type', DOMAIN_ITEM_TYPE)
    .select('s.id', 's.label as domain', db.raw(`'domain' as source`), 'p.name as package_name', db.raw(`'' as package_label`), 's.status', 's.expires_on', db.raw(`coalesce(s.expires_on, '${NO_EXPIRY}') as expires_sort`), 's.auto_renew', 's.params');
  const param = domainParamSql(db);
  const carried = db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where('s.client_id', clientId)
    .andWhereNot('s.item_type', DOMAIN_ITEM_TYPE)
    // A cheap text test first, so the JSON is parsed only for services that mention a domain.
    .andWhere('s.params', 'like', '%"domain"%')
    .andWhereRaw(`coalesce(${param}, '') <> ''`)
    .select('s.id', db.raw(`${param} as domain`), db.raw(`'package' as source`), 'p.name as package_name', 's.label as package_label', 's.status', db.raw('null as expires_on'), db.raw(`'${NO_EXPIRY}' as expires_sort`), db.raw('null as auto_renew'), db.raw('null as params'));
  const q = db.queryBuilder().select('*').from(own.unionAll(carried).as('d'));
  const status = filter.status ?? 'current';
  if (status === 'current') q.whereNotIn('status', GONE);
  else if (status !== 'all') q.where('status', status);
  const term = filter.q?.trim().toLowerCase();
  if (term) q.whereRaw(`lower(domain) like ? escape '\\'`, [`%${term.replace(/[\\%_]/g, (m) => `\\${m}`)}%`]);
  return q;
}

/** A page of rows from clientDomainListQuery, as the list shows them. */
export function describeClientDomainRows(rows: Record<string, unknown>[]): ClientDomainListRow[] {
  return rows.map((r) => {
    const own = r.source === 'domain';
    const settings = own ? readDomainSettings(parseJson(r.params as string | null)) : null;
    return {
      id: Number(r.id),
      domain: str(r.domain),
      source: own ? 'domain' : 'package',
      package_name: str(r.package_name),
      package_label: str(r.package_label),
      status: r.status as ServiceStatus,
      expires_on: (r.expires_on as string | null) ?? null,
      auto_renew: own ? flag(r.auto_renew) === true : null,
      lock: settings ? settings.lock : null,
    };
  });
}

/* ---------------------------------------------------------------------------------------------
 * One domain
 * ------------------------------------------------------------------------------------------- */

export interface ClientDomain {
  id: number;
  domain: string;
  package_name: string;
  status: ServiceStatus;
  expires_on: string | null;
  auto_renew: boolean;
  created_at: string;
  /** A processing server is assigned (else staff carry every change out by hand). */
  has_server: boolean;
  editable: boolean;
  settings: DomainSettings;
}

/** The client's domain service, or null (not theirs, not a domain, or gone). */
export async function findClientDomain(db: Q, clientId: number, serviceId: number): Promise<ClientDomain | null> {
  if (!Number.isSafeInteger(serviceId) || serviceId <= 0) return null;
  const row = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where({ 's.id': serviceId, 's.client_id': clientId, 's.item_type': DOMAIN_ITEM_TYPE })
    .first('s.id', 's.label', 'p.name as package_name', 's.status', 's.expires_on', 's.auto_renew', 's.created_at', 's.params', 's.processing_server_id')) as
    | { id: number; label: string; package_name: string; status: ServiceStatus; expires_on: string | null; auto_renew: boolean | number; created_at: string; params: string; processing_server_id: number | null }
    | undefined;
  if (!row) return null;
  return {
    id: Number(row.id),
    domain: row.label,
    package_name: row.package_name,
    status: row.status,
    expires_on: row.expires_on,
    auto_renew: flag(row.auto_renew) === true,
    created_at: row.created_at,
    has_server: row.processing_server_id !== null,
    editable: DOMAIN_EDITABLE_STATUSES.includes(row.status),
    settings: readDomainSettings(parseJson(row.params)),
  };
}

/** The client's contacts as sources for the WHOIS contacts, phone numbers in the registrars' form where possible. */
export async function domainContactChoices(db: Q, clientId: number): Promise<{ id: number; label: string; contact: DomainContact }[]> {
  const rows = (await db('core_contacts')
    .where({ client_id: clientId })
    .orderBy([{ column: 'is_primary', order: 'desc' }, { column: 'id' }])
    .limit(200)
    .select('id', 'company', 'first_name', 'last_name', 'email', 'address1', 'address2', 'city', 'state', 'zip', 'country', 'phone', 'fax')) as (Record<DomainContactField, string> & { id: number })[];
  return rows.map((r) => ({
    id: Number(r.id),
    label: `${r.first_name} ${r.last_name}`.trim() + (r.email ? ` <${r.email}>` : ''),
    contact: {
      ...contactFields(r),
      // Contacts keep phones as typed; the registrar wants +CC.NNNN, so convert what can be converted.
      phone: toRegistrarPhone(str(r.phone)) ?? str(r.phone),
      fax: r.fax ? (toRegistrarPhone(str(r.fax)) ?? str(r.fax)) : '',
      source_contact_id: Number(r.id),
    },
  }));
}

const countryOptions = new Map<string, readonly { value: string; label: string }[]>();

/** Countries for the contact form, named in the reader's language (Intl knows the Russian names). */
export function domainCountryOptions(lang: string): readonly { value: string; label: string }[] {
  const cached = countryOptions.get(lang);
  if (cached) return cached;
  let names: Intl.DisplayNames | null = null;
  try {
    names = lang === 'en' ? null : new Intl.DisplayNames([lang], { type: 'region' });
  } catch {
    names = null;
  }
  const options = Object.freeze(
    Object.entries(COUNTRIES)
      .map(([value, english]) => ({ value, label: names?.of(value) ?? english }))
      .sort((a, b) => a.label.localeCompare(b.label, lang)),
  );
  countryOptions.set(lang, options);
  return options;
}

/** Days before expiry a new autorenew rule starts from: the panel's renewal lead time. */
export async function defaultAutorenewDays(app: Pick<AppServices, 'settings'>): Promise<number> {
  return Math.max(1, (await getBillingSettings(app.settings)).renewalLeadDays);
}

/* ---------------------------------------------------------------------------------------------
 * Changes: set_param operations and their progress
 * ------------------------------------------------------------------------------------------- */

export interface DomainChange {
  operationId: number;
  status: OperationStatus;
  /** Pending again after the registrar did not answer (a retry is scheduled). */
  retrying: boolean;
  settled: boolean;
  createdAt: string;
  finishedAt: string | null;
  changes: Record<string, unknown>;
}

const SETTLED: readonly OperationStatus[] = ['done', 'failed'];
/** How far back the pages look for the latest change of each kind. */
const CHANGE_HISTORY = 50;

export function kindsOfChanges(changes: Record<string, unknown>): DomainChangeKind[] {
  return DOMAIN_CHANGE_KINDS.filter((k) => DOMAIN_PARAM_KEYS[k].some((key) => Object.hasOwn(changes, key)));
}

/** The latest set_param operation touching each kind of setting (one operation may carry several kinds). */
export async function domainChanges(db: Q, serviceId: number): Promise<Partial<Record<DomainChangeKind, DomainChange>>> {
  const rows = (await db(OPERATIONS)
    .where({ service_id: serviceId, op: 'set_param' })
    .orderBy('id', 'desc')
    .limit(CHANGE_HISTORY)
    .select('id', 'status', 'payload', 'attempts', 'last_error', 'created_at', 'finished_at')) as { id: number; status: OperationStatus; payload: string; attempts: number | string; last_error: string | null; created_at: string; finished_at: string | null }[];
  const out: Partial<Record<DomainChangeKind, DomainChange>> = {};
  for (const r of rows) {
    const payload = parseJson(r.payload);
    const changes = payload.changes && typeof payload.changes === 'object' && !Array.isArray(payload.changes) ? (payload.changes as Record<string, unknown>) : {};
    for (const kind of kindsOfChanges(changes)) {
      out[kind] ??= {
        operationId: Number(r.id),
        status: r.status,
        retrying: r.status === 'pending' && Number(r.attempts) > 0 && Boolean(r.last_error),
        settled: SETTLED.includes(r.status),
        createdAt: r.created_at,
        finishedAt: r.finished_at,
        changes,
      };
    }
  }
  return out;
}

export type DomainChangeResult =
  | { ok: true; operationId: number; merged: boolean }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'not_editable'; status: ServiceStatus }
  /** A change of the same kind has not settled: refused, not merged (see requestDomainChange). */
  | { ok: false; reason: 'same_kind_pending'; pending: DomainChange }
  /** Another change is in the module's hands at this moment; it settles within seconds. */
  | { ok: false; reason: 'busy' };

export interface DomainActor {
  /** The signed-in user's id and e-mail, for the audit log and the service history. */
  userId: number;
  label: string;
}

/**
 * Queues a change of one kind of setting as a set_param operation, scoped by the client id.
 *
 * The queue keeps one open set_param per service (enqueue returns the open one), so:
 * - the same kind while an earlier change of it has not settled (pending, running or waiting for
 *   staff) is refused: merging would send values the client never saw together, and a manual
 *   change may be half carried out at the registrar by staff already;
 * - another kind joins the open operation while it is still pending (not yet handed to the module),
 *   so a lock change does not wait behind a DNS change that is retrying;
 * - while the module is running the open operation, nothing can join it: 'busy' (seconds).
 *
 * `autoRenew` also sets the service's auto_renew at once: that is Trellis's own decision whether
 * to invoice a renewal, and a client who turns it off must not be billed while the registrar is
 * being told.
 */
export async function requestDomainChange(
  app: Pick<AppServices, 'db' | 'clock' | 'processing' | 'audit' | 'secrets'>,
  input: { clientId: number; serviceId: number; kind: DomainChangeKind; changes: Record<string, unknown>; actor: DomainActor; autoRenew?: boolean },
): Promise<DomainChangeResult> {
  // The transfer code is a secret: sealed in the operation and, once done, in the service's params.
  if (typeof input.changes.auth_code === 'string') input = { ...input, changes: { ...input.changes, auth_code: sealValue(app.secrets, input.changes.auth_code) } };
  const stray = Object.keys(input.changes).filter((k) => !DOMAIN_PARAM_KEYS[input.kind].includes(k));
  if (stray.length || Object.keys(input.changes).length === 0) throw new Error(`A ${input.kind} change cannot carry ${stray.join(', ') || 'nothing'}`);
  return app.db.transaction(async (trx): Promise<DomainChangeResult> => {
    const svcQ = trx('core_services').where({ id: input.serviceId, client_id: input.clientId, item_type: DOMAIN_ITEM_TYPE }).first('id', 'status', 'auto_renew');
    // Two requests for one domain take turns on PostgreSQL; SQLite's write transaction already serialises them.
    if (dbEngine(trx as unknown as Knex) === 'pg') svcQ.forUpdate();
    const svc = (await svcQ) as { id: number; status: ServiceStatus; auto_renew: boolean | number } | undefined;
    if (!svc) return { ok: false, reason: 'not_found' };
    if (!DOMAIN_EDITABLE_STATUSES.includes(svc.status)) return { ok: false, reason: 'not_editable', status: svc.status };
    const pending = (await domainChanges(trx, svc.id))[input.kind];
    if (pending && !pending.settled) return { ok: false, reason: 'same_kind_pending', pending };

    let operationId: number;
    let merged = false;
    const open = (await activeOperationQuery(trx, svc.id, 'set_param')) as { id: number } | undefined;
    if (open) {
      const row = (await trx(OPERATIONS).where({ id: open.id }).first('id', 'payload')) as { id: number; payload: string };
      const payload = parseJson(row.payload);
      const changes = { ...(payload.changes as Record<string, unknown> | undefined), ...input.changes };
      // Only while still pending: the runner reads the payload after it claims the operation.
      const n = await trx(OPERATIONS).where({ id: row.id, status: 'pending' }).update({ payload: JSON.stringify({ ...payload, changes }) });
      if (n !== 1) return { ok: false, reason: 'busy' };
      operationId = Number(row.id);
      merged = true;
    } else {
      operationId = await app.processing.enqueue(trx, { serviceId: svc.id, op: 'set_param', payload: { changes: input.changes }, actor: { type: 'client', id: input.actor.userId, label: input.actor.label } });
    }

    const at = iso(app.clock.now());
    if (input.autoRenew !== undefined && input.autoRenew !== (flag(svc.auto_renew) === true)) {
      await updateServiceField(trx, {
        serviceId: svc.id,
        fields: { auto_renew: input.autoRenew },
        actor: { type: 'client', id: input.actor.userId, label: input.actor.label },
        reason: `Autorenew turned ${input.autoRenew ? 'on' : 'off'} by the client (set-param operation #${operationId})`,
        at,
      });
    }
    // The transfer code stays out of the audit log: only which settings changed.
    await app.audit.record(
      { actor: { type: 'client', id: input.actor.userId, label: input.actor.label }, action: 'domain.change_requested', target: `service:${svc.id}`, details: { kind: input.kind, operation: operationId, merged, keys: Object.keys(input.changes) } },
      trx,
    );
    return { ok: true, operationId, merged };
  });
}

/**
 * "Show the domain password": the transfer code on record for the client's domain, read from the
 * service's params (the module contract has no call to fetch it). Each showing is audited.
 */
export async function revealDomainAuthCode(
  app: Pick<AppServices, 'db' | 'audit' | 'secrets'>,
  input: { clientId: number; serviceId: number; actor: DomainActor },
): Promise<{ ok: true; code: string | null } | { ok: false; reason: 'not_found' }> {
  const row = (await app.db('core_services').where({ id: input.serviceId, client_id: input.clientId, item_type: DOMAIN_ITEM_TYPE }).first('id', 'params')) as { id: number; params: string } | undefined;
  if (!row) return { ok: false, reason: 'not_found' };
  const code = openValue(app.secrets, parseJson(row.params).auth_code);
  await app.audit.record({ actor: { type: 'client', id: input.actor.userId, label: input.actor.label }, action: 'domain.auth_code_shown', target: `service:${row.id}`, details: { onRecord: code !== '' } });
  return { ok: true, code: code || null };
}

/* ---------------------------------------------------------------------------------------------
 * Validation: what registrars accept
 * ------------------------------------------------------------------------------------------- */

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A fully qualified host name in its ASCII (punycode) form, or null. IDN names (пример.рф) are converted. */
export function normalizeHostName(raw: string): string | null {
  const s = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!s || s.length > 253) return null;
  const ascii = /^[\x21-\x7e]+$/.test(s) ? s : domainToASCII(s);
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  // A numeric top-level label means an IP address, which is not a host name.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return null;
  return ascii;
}

/**
 * A phone number as registrars take it, +CC.NNNN. Accepts it typed that way, or with the country
 * code as its own group ("+7 495 123-45-67", "+1 (425) 282 6400"); null when the country code cannot
 * be told apart ("+74951234567", "8 495 ...").
 */
export function toRegistrarPhone(raw: string): string | null {
  const s = raw.trim();
  let cc: string;
  let rest: string;
  const exact = /^\+(\d{1,3})\.(\d+)$/.exec(s);
  if (exact) [cc, rest] = [exact[1]!, exact[2]!];
  else {
    const grouped = /^\+(\d{1,3})[\s.\-()/]+([\d\s.\-()/]+)$/.exec(s);
    if (!grouped) return null;
    [cc, rest] = [grouped[1]!, grouped[2]!.replace(/\D/g, '')];
  }
  // E.164: at most 15 digits in all.
  if (cc.startsWith('0') || rest.length < 4 || cc.length + rest.length > 15) return null;
  return `+${cc}.${rest}`;
}

const PHONE_MESSAGE = 'Enter the number as +CC.NNNN: a plus, the country code, a dot and the number, e.g. +7.4951234567';

export function parseNameservers(input: string[]): DomainParse<string[]> {
  const errors: DomainFieldErrors = {};
  const out: string[] = [];
  input.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const host = normalizeHostName(raw);
    if (!host) errors[`ns.${i}`] = 'Enter a host name, like ns1.example.com';
    else if (out.includes(host)) errors[`ns.${i}`] = 'This name server is listed twice';
    else out.push(host);
  });
  const filled = input.filter((s) => s.trim() !== '').length;
  if (filled < MIN_NAMESERVERS) errors.ns = 'Enter at least two name servers: registries require two';
  else if (filled > MAX_NAMESERVERS) errors.ns = 'Enter at most 13 name servers';
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: out };
}

export interface DnsRecordInput {
  type: string;
  name: string;
  value: string;
  priority: string;
}

/** A record's name relative to the zone: '@' for the domain itself, else labels ('www', '_dmarc', '*.dev'). */
function relativeName(raw: string, domain: string): string | null {
  let s = raw.trim().toLowerCase().replace(/\.$/, '');
  if (s === '' || s === '@' || s === domain) return '@';
  if (s.endsWith(`.${domain}`)) s = s.slice(0, -(domain.length + 1));
  if (!/^[\x21-\x7e]+$/.test(s)) s = domainToASCII(`${s}.invalid`).replace(/\.invalid$/, '');
  const labels = s.split('.');
  const ok = labels.every((l, i) => (l === '*' && i === 0) || /^_?[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/.test(l));
  return ok && s.length <= 200 ? s : null;
}

export function parseDnsRecords(rows: DnsRecordInput[], domain: string): DomainParse<DnsRecord[]> {
  const errors: DomainFieldErrors = {};
  const out: (DnsRecord & { row: number })[] = [];
  rows.forEach((r, i) => {
    if (r.name.trim() === '' && r.value.trim() === '' && r.priority.trim() === '') return;
    const type = r.type.trim().toUpperCase();
    if (!(DNS_RECORD_TYPES as readonly string[]).includes(type)) {
      errors[`rr.${i}.type`] = 'Choose a record type from the list';
      return;
    }
    const name = relativeName(r.name, domain);
    if (name === null) errors[`rr.${i}.name`] = 'Use @ for the domain itself, or a name like www or mail';
    const raw = r.value.trim();
    const bad = (field: 'value' | 'priority', message: string) => {
      errors[`rr.${i}.${field}`] = message;
      return null;
    };
    let value: string | null = raw;
    let priority: number | undefined;
    switch (type as DnsRecordType) {
      case 'A':
        if (!isIPv4(raw)) value = bad('value', 'Enter an IPv4 address, like 192.0.2.10');
        break;
      case 'AAAA':
        value = isIPv6(raw) ? raw.toLowerCase() : bad('value', 'Enter an IPv6 address, like 2001:db8::10');
        break;
      case 'CNAME':
      case 'MX':
        value = normalizeHostName(raw) ?? bad('value', 'Enter a host name, like mail.example.com');
        break;
      case 'TXT':
        if (raw === '') value = bad('value', 'Enter the text');
        else if (raw.length > 2048) value = bad('value', 'Use at most 2048 characters');
        else if (/[\x00-\x1f\x7f]/.test(raw)) value = bad('value', 'Use one line of text without control characters');
        break;
    }
    if (type === 'MX') {
      const p = r.priority.trim();
      if (/^\d{1,5}$/.test(p) && Number(p) <= 65535) priority = Number(p);
      else bad('priority', 'Enter the priority: a whole number from 0 to 65535 (lower is tried first)');
    }
    if (type === 'CNAME' && name === '@') errors[`rr.${i}.name`] = 'The domain itself cannot have a CNAME record: use an A or AAAA record';
    if (name === null || value === null || errors[`rr.${i}.priority`] || errors[`rr.${i}.name`]) return;
    const rec: DnsRecord & { row: number } = { type: type as DnsRecordType, name, value, ...(priority !== undefined ? { priority } : {}), row: i };
    if (out.some((o) => o.type === rec.type && o.name === rec.name && o.value.toLowerCase() === rec.value.toLowerCase())) errors[`rr.${i}.value`] = 'This record is listed twice';
    else out.push(rec);
  });
  // A CNAME makes its name an alias: no other record may have that name.
  for (const rec of out.filter((o) => o.type === 'CNAME')) {
    if (out.some((o) => o !== rec && o.name === rec.name)) errors[`rr.${rec.row}.name`] = 'A CNAME record cannot share its name with other records';
  }
  if (out.length > MAX_DNS_RECORDS) errors.rr = 'Enter at most 100 records';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: out.map(({ row: _row, ...rec }) => rec) };
}

const text = (max: number, required?: string) => {
  const s = z.string().trim().max(max, 'This is too long');
  return z.preprocess((v) => (typeof v === 'string' ? v : ''), required ? s.min(1, required) : s);
};

function registrarPhone(v: string, ctx: z.RefinementCtx): string {
  const phone = toRegistrarPhone(v);
  if (phone) return phone;
  ctx.addIssue({ code: 'custom', message: PHONE_MESSAGE });
  return z.NEVER;
}

const domainContactSchema = z.object({
  company: text(200),
  first_name: text(100, 'Enter the first name'),
  last_name: text(100, 'Enter the last name'),
  email: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : ''), z.string().min(1, 'Enter an e-mail address').max(254, 'This is too long').email('Enter a valid e-mail address, like name@example.com')),
  address1: text(200, 'Enter the street address'),
  address2: text(200),
  city: text(100, 'Enter the city'),
  state: text(100),
  zip: text(20).refine((v) => /^[A-Za-z0-9 -]*$/.test(v), 'Use only letters, digits, spaces and hyphens in a postal code'),
  country: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : ''), z.string().min(1, 'Choose a country').refine((c) => isCountryCode(c), 'Choose a country from the list')),
  phone: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().min(1, 'Enter a phone number').transform(registrarPhone)),
  fax: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().transform((v, ctx) => (v === '' ? '' : registrarPhone(v, ctx)))),
});

/** One WHOIS contact from form fields (names as DOMAIN_CONTACT_FIELDS); errors keyed by field. */
export function parseDomainContact(input: Partial<Record<DomainContactField, string>>): DomainParse<DomainContact> {
  const parsed = domainContactSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: DomainFieldErrors = {};
  for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? '_form')] ??= issue.message;
  return { ok: false, errors };
}

/** Characters registries accept in a transfer code besides letters and digits. */
export const AUTH_CODE_SYMBOLS = '!@#$%^&*()-_=+.,:;?';
const AUTH_CODE = /^[A-Za-z0-9!@#$%^&*()\-_=+.,:;?]{8,32}$/;

export function parseAuthCode(raw: string): DomainParse<string> {
  const s = raw.trim();
  if (s === '') return { ok: false, errors: { auth_code: 'Enter the new domain password' } };
  if (s.length < 8 || s.length > 32) return { ok: false, errors: { auth_code: 'Use 8 to 32 characters' } };
  if (!AUTH_CODE.test(s)) return { ok: false, errors: { auth_code: 'Use Latin letters, digits and the symbols shown below only' } };
  if (!/[A-Za-z]/.test(s) || !/[0-9]/.test(s) || ![...s].some((ch) => AUTH_CODE_SYMBOLS.includes(ch))) {
    return { ok: false, errors: { auth_code: 'Include at least one letter, one digit and one symbol' } };
  }
  return { ok: true, value: s };
}

/** A strong transfer code that every rule of parseAuthCode accepts. */
export function generateDomainAuthCode(length = 16): string {
  const letters = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';
  const digits = '23456789';
  const symbols = '!@#$%*-_=+?';
  const all = letters + digits + symbols;
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(letters), pick(digits), pick(symbols), ...Array.from({ length: length - 3 }, () => pick(all))];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

export const MAX_AUTORENEW_DAYS = 90;

export function parseAutorenew(input: { autorenew: string; days: string }): DomainParse<{ on: boolean; days: number }> {
  const on = flag(input.autorenew);
  const errors: DomainFieldErrors = {};
  if (on === null) errors.autorenew = 'Choose on or off';
  const days = input.days.trim();
  if (!/^\d{1,3}$/.test(days) || Number(days) < 1 || Number(days) > MAX_AUTORENEW_DAYS) errors.days = 'Enter a number of days from 1 to 90';
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, value: { on: on === true, days: Number(days) } };
}

/** 'on' / 'off' as registrar modules (and BILLmanager) write switches. */
export function domainSwitch(v: boolean): 'on' | 'off' {
  return v ? 'on' : 'off';
}

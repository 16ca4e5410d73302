// The client's packages (seed 003, Managing Packages): the list, the Manage page's details, upgrades and
// downgrades, auto-renew, cancellation requests, Panel Options (Panel Login itself is sso.ts's
// panelLoginUrl) and, for SSL certificate packages, the certificate's CSR, contacts and summary.
// Every read and change is scoped by the client id: a service of another client is simply not found.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AppServices } from '../../services.ts';
import { iso } from '../../db/time.ts';
import { getBillingSettings } from '../settings.ts';
import { getCatalogSettings } from '../catalog/taxes.ts';
import { getInvoice, invoiceLines } from '../invoices/store.ts';
import { formatMoney } from '../../money/money.ts';
import { isTerminal, type ServiceStatus } from '../services/status.ts';
import type { PeriodKind } from '../services/periods.ts';
import { updateServiceField } from '../services/terms.ts';
import type { Actor } from '../services/transition.ts';
import { getServer } from '../../processing/servers.ts';
import { parseJson } from '../../processing/operations.ts';
import {
  adjustableAddons,
  cancelAwaitingUpgrade,
  changeBlocker,
  confirmChange,
  findAwaitingUpgrade,
  loadServiceForChange,
  packageOptions,
  previewAddonChange,
  previewPackageChange,
  UpgradeError,
  type ChangeContext,
  type ConfirmResult,
  type CurrentAddon,
  type FormAddon,
  type Message,
  type PackageOption,
  type PreviewResult,
  type ServiceForChange,
} from '../upgrades/index.ts';

export type { Message as ChangeMessage, ChangePreview, PreviewResult, FormAddon, PackageOption } from '../upgrades/index.ts';

type Q = Knex | Knex.Transaction;
type App = Pick<AppServices, 'db' | 'clock' | 'settings'>;

/** Who acts from the portal: the signed-in client user. */
export interface ClientUser {
  id: number;
  email: string;
}

function clientActor(user: ClientUser): Actor & { label: string } {
  return { type: 'client', id: user.id, label: user.email };
}

function bool(v: unknown): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}

/** "8.23 USD": an amount for a message (views use h.money). */
export function serviceMoneyText(amount: number, currency: string): string {
  return formatMoney({ amount, currency });
}

function today(app: Pick<AppServices, 'clock'>): string {
  return iso(app.clock.now()).slice(0, 10);
}

// ─── The list ─────────────────────────────────────────────────────────────────────────────────────

export interface ClientServiceListRow {
  id: number;
  label: string;
  package_name: string;
  item_type: string;
  status: ServiceStatus;
  period_kind: PeriodKind;
  period_length: number;
  currency: string;
  price: number;
  expires_on: string | null;
  auto_renew: boolean | number;
  cancel_requested: boolean | number;
}

/** The client's services for a sortable, paged table (core/http/table.ts sorts and pages it; tie-breaker 's.id'). */
export function clientServicesQuery(db: Q, clientId: number, filters: { status?: ServiceStatus } = {}): Knex.QueryBuilder {
  const q = db('core_services as s').join('core_packages as p', 'p.id', 's.package_id').where('s.client_id', clientId);
  if (filters.status) q.andWhere('s.status', filters.status);
  return q.select('s.id', 's.label', 'p.name as package_name', 's.item_type', 's.status', 's.period_kind', 's.period_length', 's.currency', 's.price', 's.expires_on', 's.auto_renew', 's.cancel_requested');
}

/** The statuses the client's services are in, for the list's legend. */
export async function clientServiceStatuses(db: Q, clientId: number): Promise<ServiceStatus[]> {
  return ((await db('core_services').where({ client_id: clientId }).distinct('status')) as { status: ServiceStatus }[]).map((r) => r.status);
}

// ─── The Manage page ──────────────────────────────────────────────────────────────────────────────

export interface CancelRequestView {
  id: number;
  timing: 'end_of_period' | 'immediate';
  effectiveOn: string | null;
  reason: string;
  requestedAt: string;
  requestedBy: string;
}

export interface ClientServiceDetail {
  service: {
    id: number;
    label: string;
    status: ServiceStatus;
    itemType: string;
    itemTypeName: string;
    packageId: number;
    packageName: string;
    packageDescription: string;
    periodKind: PeriodKind;
    periodLength: number;
    currency: string;
    price: number;
    autoRenew: boolean;
    expiresOn: string | null;
    createdAt: string;
    activatedAt: string | null;
    suspendReason: string | null;
    cancelRequested: boolean;
  };
  addons: CurrentAddon[];
  /** Parameters a client may read (IP, domain, OS, ...), secrets and bulky values left out. */
  params: { key: string; value: string }[];
  parent: { id: number; label: string; packageName: string; status: ServiceStatus } | null;
  children: { id: number; label: string; packageName: string; status: ServiceStatus }[];
  /** Panel Options: where the service runs. */
  panel: { serverName: string; controlPanel: string; loginAvailable: boolean } | null;
  cancelRequest: CancelRequestView | null;
  /** The service sells an SSL certificate (item type 'ssl', or a CSR in its parameters). */
  isCertificate: boolean;
}

/** Parameter names clients never see, whatever a module stored. */
const HIDDEN_PARAM = /pass|secret|token|key|csr|contacts/i;

function visibleParams(raw: string): { key: string; value: string }[] {
  return Object.entries(parseJson(raw))
    .filter(([k, v]) => !HIDDEN_PARAM.test(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && String(v).length <= 200 && String(v) !== '')
    .map(([key, v]) => ({ key, value: typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v) }));
}

/** What the portal's Manage page shows, or null when the service is not this client's. */
export async function loadClientService(app: Pick<AppServices, 'db' | 'processing'>, clientId: number, serviceId: number): Promise<ClientServiceDetail | null> {
  const db = app.db;
  const row = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .leftJoin('core_item_types as t', 't.id', 's.item_type')
    .where({ 's.id': serviceId, 's.client_id': clientId })
    .first('s.*', 'p.name as package_name', 'p.description as package_description', 't.name as item_type_name')) as Record<string, unknown> | undefined;
  if (!row) return null;
  const svc = await loadServiceForChange(db, clientId, serviceId);
  if (!svc) return null;
  const parentId = row.parent_id === null ? null : Number(row.parent_id);
  const parent = parentId
    ? ((await db('core_services as s').join('core_packages as p', 'p.id', 's.package_id').where({ 's.id': parentId, 's.client_id': clientId }).first('s.id', 's.label', 'p.name as packageName', 's.status')) as ClientServiceDetail['parent'] | undefined)
    : undefined;
  const children = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where({ 's.parent_id': serviceId, 's.client_id': clientId })
    .orderBy('s.id')
    .limit(100)
    .select('s.id', 's.label', 'p.name as packageName', 's.status')) as ClientServiceDetail['children'];
  let panel: ClientServiceDetail['panel'] = null;
  if (row.processing_server_id !== null) {
    const server = await getServer(db, Number(row.processing_server_id));
    if (server) {
      const module = app.processing.module(server.module);
      panel = { serverName: server.name, controlPanel: module?.title ?? server.module, loginAvailable: typeof module?.loginUrl === 'function' };
    }
  }
  const params = String(row.params ?? '{}');
  const parsed = parseJson(params);
  return {
    service: {
      id: Number(row.id),
      label: String(row.label ?? ''),
      status: row.status as ServiceStatus,
      itemType: String(row.item_type),
      itemTypeName: String(row.item_type_name ?? row.item_type),
      packageId: Number(row.package_id),
      packageName: String(row.package_name),
      packageDescription: String(row.package_description ?? ''),
      periodKind: row.period_kind as PeriodKind,
      periodLength: Number(row.period_length),
      currency: String(row.currency),
      price: Number(row.price),
      autoRenew: bool(row.auto_renew),
      expiresOn: (row.expires_on as string | null) ?? null,
      createdAt: String(row.created_at),
      activatedAt: (row.activated_at as string | null) ?? null,
      suspendReason: (row.suspend_reason as string | null) ?? null,
      cancelRequested: bool(row.cancel_requested),
    },
    addons: svc.addons,
    params: visibleParams(params),
    parent: parent ? { ...parent, id: Number(parent.id) } : null,
    children: children.map((ch) => ({ ...ch, id: Number(ch.id) })),
    panel,
    cancelRequest: await pendingCancelRequest(db, serviceId),
    isCertificate: row.item_type === 'ssl' || typeof parsed.csr === 'string',
  };
}

// ─── Auto-renew ───────────────────────────────────────────────────────────────────────────────────

export type ChangeOutcome = 'ok' | 'not_found' | 'not_allowed';

/** Whether the client may switch auto-renew: a running service without a pending cancellation. */
export function canToggleAutoRenew(s: { status: ServiceStatus; cancelRequested: boolean; periodKind: PeriodKind }): boolean {
  return !isTerminal(s.status) && s.status !== 'expired' && s.status !== 'pending' && !s.cancelRequested && s.periodKind !== 'lifetime';
}

export async function setClientAutoRenew(app: Pick<AppServices, 'db' | 'clock' | 'audit'>, clientId: number, serviceId: number, on: boolean, user: ClientUser): Promise<ChangeOutcome> {
  const at = iso(app.clock.now());
  return app.db.transaction(async (trx) => {
    const s = (await trx('core_services').where({ id: serviceId, client_id: clientId }).first('status', 'cancel_requested', 'period_kind', 'auto_renew')) as { status: ServiceStatus; cancel_requested: unknown; period_kind: PeriodKind; auto_renew: unknown } | undefined;
    if (!s) return 'not_found';
    if (!canToggleAutoRenew({ status: s.status, cancelRequested: bool(s.cancel_requested), periodKind: s.period_kind })) return 'not_allowed';
    if (bool(s.auto_renew) === on) return 'ok';
    await updateServiceField(trx, { serviceId, fields: { auto_renew: on }, actor: clientActor(user), reason: `Auto-renew turned ${on ? 'on' : 'off'} by the client`, at });
    await app.audit.record({ actor: { type: 'client', id: user.id, label: user.email }, action: 'client.service_auto_renew', target: `service:${serviceId}`, details: { autoRenew: on } }, trx);
    return 'ok';
  });
}

// ─── Cancellation requests ───────────────────────────────────────────────────────────────────────

/** Statuses a client may ask to cancel from: the service runs (or is held) and has a period to end. */
export const CANCELLABLE: readonly ServiceStatus[] = ['active', 'suspended_staff', 'suspended_nonpayment', 'suspended_client', 'pending_renewal'];

async function pendingCancelRequest(db: Q, serviceId: number): Promise<CancelRequestView | null> {
  const r = (await db('core_service_cancel_requests').where({ service_id: serviceId, status: 'pending' }).orderBy('id', 'desc').first()) as Record<string, unknown> | undefined;
  if (!r) return null;
  return {
    id: Number(r.id),
    timing: r.timing === 'immediate' ? 'immediate' : 'end_of_period',
    effectiveOn: (r.effective_on as string | null) ?? null,
    reason: String(r.reason ?? ''),
    requestedAt: String(r.requested_at),
    requestedBy: String(r.requested_by_label ?? ''),
  };
}

/** The pending cancellation request of a service, for staff pages (no client scope: staff see every client's). */
export function cancelRequestOfService(db: Q, serviceId: number): Promise<CancelRequestView | null> {
  return pendingCancelRequest(db, serviceId);
}

/**
 * The client asks to cancel at the end of the period (the operator has no setting for immediate
 * cancellation yet): auto-renew goes off so no renewal invoice is issued, and the expiry run ends the
 * service after its last paid day. A lifetime service has no such day: staff decide (effective_on null).
 */
export async function requestCancellation(
  app: Pick<AppServices, 'db' | 'clock' | 'audit'>,
  clientId: number,
  serviceId: number,
  input: { reason: string; user: ClientUser },
): Promise<ChangeOutcome | 'already'> {
  const at = iso(app.clock.now());
  return app.db.transaction(async (trx) => {
    const s = (await trx('core_services').where({ id: serviceId, client_id: clientId }).first('status', 'cancel_requested', 'auto_renew', 'expires_on', 'period_kind')) as
      | { status: ServiceStatus; cancel_requested: unknown; auto_renew: unknown; expires_on: string | null; period_kind: PeriodKind }
      | undefined;
    if (!s) return 'not_found';
    if (bool(s.cancel_requested)) return 'already';
    if (!CANCELLABLE.includes(s.status)) return 'not_allowed';
    const reason = input.reason.trim().slice(0, 500);
    const effectiveOn = s.period_kind === 'lifetime' ? null : s.expires_on;
    await trx('core_service_cancel_requests').insert({
      service_id: serviceId, client_id: clientId, timing: 'end_of_period', effective_on: effectiveOn, reason, auto_renew_before: bool(s.auto_renew), status: 'pending',
      requested_by: input.user.id, requested_by_label: input.user.email.slice(0, 254), requested_at: at, closed_at: null,
    });
    await trx('core_services').where({ id: serviceId }).update({ cancel_requested: true });
    const why = `Cancellation requested by the client, at the end of the period${effectiveOn ? ` (${effectiveOn})` : ''}${reason ? `: ${reason}` : ''}`;
    await updateServiceField(trx, { serviceId, fields: { auto_renew: false }, actor: clientActor(input.user), reason: why, at });
    await app.audit.record({ actor: { type: 'client', id: input.user.id, label: input.user.email }, action: 'client.service_cancel_requested', target: `service:${serviceId}`, details: { effectiveOn, reason } }, trx);
    return 'ok';
  });
}

/** The client changes their mind: the request is withdrawn and auto-renew is what it was before. */
export async function withdrawCancellation(app: Pick<AppServices, 'db' | 'clock' | 'audit'>, clientId: number, serviceId: number, user: ClientUser): Promise<ChangeOutcome> {
  const at = iso(app.clock.now());
  return app.db.transaction(async (trx) => {
    const s = (await trx('core_services').where({ id: serviceId, client_id: clientId }).first('status')) as { status: ServiceStatus } | undefined;
    if (!s) return 'not_found';
    const req = (await trx('core_service_cancel_requests').where({ service_id: serviceId, status: 'pending' }).orderBy('id', 'desc').first('id', 'auto_renew_before')) as { id: number; auto_renew_before: unknown } | undefined;
    if (!req || isTerminal(s.status) || s.status === 'expired') return 'not_allowed';
    await trx('core_service_cancel_requests').where({ id: req.id, status: 'pending' }).update({ status: 'withdrawn', closed_at: at });
    await trx('core_services').where({ id: serviceId }).update({ cancel_requested: false });
    await updateServiceField(trx, { serviceId, fields: { auto_renew: bool(req.auto_renew_before) }, actor: clientActor(user), reason: 'Cancellation request withdrawn by the client', at });
    await app.audit.record({ actor: { type: 'client', id: user.id, label: user.email }, action: 'client.service_cancel_withdrawn', target: `service:${serviceId}` }, trx);
    return 'ok';
  });
}

// ─── Upgrade / Downgrade ─────────────────────────────────────────────────────────────────────────

export interface UpgradeSection {
  /** Why nothing can be changed now (the forms are not shown then). */
  blocker: Message | null;
  packages: PackageOption[];
  addons: FormAddon[];
  awaiting: { invoiceId: number; invoiceNumber: string; due: number; currency: string; toPackage: string; kind: 'package' | 'addons' } | null;
}

export async function loadUpgradeSection(app: Pick<AppServices, 'db'>, clientId: number, serviceId: number): Promise<UpgradeSection | null> {
  const svc = await loadServiceForChange(app.db, clientId, serviceId);
  if (!svc) return null;
  const awaitingRow = await findAwaitingUpgrade(app.db, serviceId);
  let awaiting: UpgradeSection['awaiting'] = null;
  if (awaitingRow) {
    const to = (await app.db('core_packages').where({ id: awaitingRow.to_package_id }).first('name')) as { name: string } | undefined;
    awaiting = { invoiceId: awaitingRow.invoice_id!, invoiceNumber: awaitingRow.invoice_number, due: awaitingRow.invoice_due, currency: awaitingRow.currency, toPackage: to?.name ?? '', kind: awaitingRow.kind };
  }
  const blocker = await changeBlocker(app.db, svc);
  return { blocker, packages: blocker ? [] : await packageOptions(app.db, svc), addons: blocker ? [] : await adjustableAddons(app.db, svc), awaiting };
}

async function changeContext(app: App): Promise<ChangeContext> {
  return { today: today(app), taxInclusive: (await getCatalogSettings(app.settings)).pricesIncludeTax };
}

export type ChangeRequest = { kind: 'package'; toPackageId: number } | { kind: 'addons'; values: Record<string, string> };

function preview(db: Q, svc: ServiceForChange, req: ChangeRequest, ctx: ChangeContext): Promise<PreviewResult> {
  return req.kind === 'package' ? previewPackageChange(db, svc, req.toPackageId, ctx) : previewAddonChange(db, svc, req.values, ctx);
}

/** The prorated price of a change for the preview page; null when the service is not this client's. */
export async function previewClientChange(app: App, clientId: number, serviceId: number, req: ChangeRequest): Promise<PreviewResult | null> {
  const ctx = await changeContext(app);
  const svc = await loadServiceForChange(app.db, clientId, serviceId);
  return svc ? preview(app.db, svc, req, ctx) : null;
}

export type ConfirmOutcome =
  | { ok: true; result: ConfirmResult; currency: string }
  /** The price moved since the preview (a day passed, the catalog changed): show the new one. */
  | { ok: false; changed: PreviewResult }
  | { ok: false; refused: PreviewResult | { ok: false; message: Message } }
  | null;

/**
 * Confirms a change the client previewed. `expected` is the total and new price the preview showed; if
 * either differs now, nothing is written and the fresh preview comes back.
 */
export async function confirmClientChange(
  app: Pick<AppServices, 'db' | 'clock' | 'settings' | 'processing' | 'billing' | 'audit'>,
  clientId: number,
  serviceId: number,
  req: ChangeRequest,
  expected: { total: number; newPrice: number },
  user: ClientUser,
): Promise<ConfirmOutcome> {
  const ctx = await changeContext(app);
  const settings = await getBillingSettings(app.settings);
  const at = iso(app.clock.now());
  return app.db.transaction(async (trx): Promise<ConfirmOutcome> => {
    const svc = await loadServiceForChange(trx, clientId, serviceId);
    if (!svc) return null;
    const fresh = await preview(trx, svc, req, ctx);
    if (!fresh.ok) return fresh.notFound ? null : { ok: false, refused: fresh };
    if (fresh.preview.proration.total !== expected.total || fresh.preview.newPrice !== expected.newPrice) return { ok: false, changed: fresh };
    let result: ConfirmResult;
    try {
      result = await confirmChange(trx, fresh.preview, { ops: app.processing, settings, at, actor: clientActor(user) });
    } catch (err) {
      if (err instanceof UpgradeError && err.code === 'pending') return { ok: false, refused: { ok: false, message: { text: 'Another change of this service is waiting for payment.' } } };
      throw err;
    }
    if (result.outcome === 'invoice') {
      const invoice = (await getInvoice(trx, result.invoice.id))!;
      await app.billing.notify(trx, { kind: 'invoice_created', clientId, data: app.billing.invoiceData(invoice, await invoiceLines(trx, invoice.id)) });
    }
    await app.audit.record(
      {
        actor: { type: 'client', id: user.id, label: user.email },
        action: req.kind === 'package' ? 'client.service_package_changed' : 'client.service_addons_changed',
        target: `service:${serviceId}`,
        details: { outcome: result.outcome, total: fresh.preview.proration.total, newPrice: fresh.preview.newPrice, toPackage: fresh.preview.toPackage.id, ...(result.outcome === 'invoice' ? { invoice: result.invoice.number } : {}) },
      },
      trx,
    );
    return { ok: true, result, currency: fresh.preview.currency };
  });
}

/** Withdraws a change that waits for payment (its invoice is cancelled). */
export async function withdrawClientChange(app: Pick<AppServices, 'db' | 'clock' | 'audit'>, clientId: number, serviceId: number, user: ClientUser): Promise<{ ok: true; invoiceNumber: string } | { ok: false; reason: 'not_found' | 'nothing' | 'paid' }> {
  const at = iso(app.clock.now());
  return app.db.transaction(async (trx) => {
    const s = await trx('core_services').where({ id: serviceId, client_id: clientId }).first('id');
    if (!s) return { ok: false as const, reason: 'not_found' as const };
    try {
      const r = await cancelAwaitingUpgrade(trx, { clientId, serviceId, at, actor: clientActor(user) });
      if (!r) return { ok: false as const, reason: 'nothing' as const };
      await app.audit.record({ actor: { type: 'client', id: user.id, label: user.email }, action: 'client.service_change_withdrawn', target: `service:${serviceId}`, details: { invoice: r.invoiceNumber } }, trx);
      return { ok: true as const, invoiceNumber: r.invoiceNumber };
    } catch (err) {
      if (err instanceof UpgradeError && err.code === 'not_cancellable') return { ok: false as const, reason: 'paid' as const };
      throw err;
    }
  });
}

// ─── SSL certificates: Manage Certificate ────────────────────────────────────────────────────────

export interface CsrInfo {
  /** Subject fields by their usual short names: CN, O, OU, L, ST, C, emailAddress. */
  subject: { field: string; value: string }[];
  commonName: string;
  altNames: string[];
  keyType: string;
  keySize: number | null;
  signature: string;
}

export interface CertificateContact {
  role: 'supplied' | 'technical' | 'billing';
  name: string;
  organization: string;
  email: string;
  phone: string;
  address: string;
}

export interface CertificateDetails {
  csr: { pem: string; info: CsrInfo | null } | null;
  /** Other certificate parameters a module stored (approver e-mail, server software, ...). */
  fields: { key: string; value: string }[];
  contacts: CertificateContact[];
  /** Where the contacts come from: the order's own contacts, or the client's contacts as a fallback. */
  contactsSource: 'order' | 'account';
  summary: { packageName: string; label: string; createdAt: string; periodKind: PeriodKind; periodLength: number; expiresOn: string | null; status: ServiceStatus };
}

const CONTACT_KEYS: Record<CertificateContact['role'], string[]> = { supplied: ['supplied', 'admin', 'administrative'], technical: ['technical', 'tech'], billing: ['billing'] };

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

function contactFromParams(role: CertificateContact['role'], raw: unknown): CertificateContact | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  const name = text(o.name) || [text(o.first_name ?? o.firstName), text(o.last_name ?? o.lastName)].filter(Boolean).join(' ');
  const contact = {
    role,
    name,
    organization: text(o.organization ?? o.company),
    email: text(o.email),
    phone: text(o.phone),
    address: [text(o.address ?? o.address1), text(o.city), text(o.state), text(o.zip), text(o.country)].filter(Boolean).join(', '),
  };
  return contact.name || contact.email ? contact : null;
}

/** The Manage Certificate tabs' data, or null when the service is not this client's. */
export async function certificateDetails(db: Q, clientId: number, serviceId: number): Promise<CertificateDetails | null> {
  const row = (await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where({ 's.id': serviceId, 's.client_id': clientId })
    .first('s.params', 's.label', 's.created_at', 's.period_kind', 's.period_length', 's.expires_on', 's.status', 'p.name as package_name')) as Record<string, unknown> | undefined;
  if (!row) return null;
  const params = parseJson(String(row.params ?? '{}'));
  const pem = typeof params.csr === 'string' ? params.csr.trim() : '';
  const fields = Object.entries(params)
    .filter(([k, v]) => k !== 'csr' && k !== 'contacts' && !/pass|secret|token|private/i.test(k) && (typeof v === 'string' || typeof v === 'number') && String(v) !== '')
    .map(([key, v]) => ({ key, value: String(v) }));

  const fromOrder = params.contacts && typeof params.contacts === 'object' ? (params.contacts as Record<string, unknown>) : null;
  let contacts: CertificateContact[] = [];
  if (fromOrder) {
    for (const role of ['supplied', 'technical', 'billing'] as const) {
      const key = CONTACT_KEYS[role].find((k) => fromOrder[k] !== undefined);
      const c = key ? contactFromParams(role, fromOrder[key]) : null;
      if (c) contacts.push(c);
    }
  }
  const contactsSource = contacts.length ? 'order' : 'account';
  if (!contacts.length) {
    const rows = (await db('core_contacts').where({ client_id: clientId }).orderBy([{ column: 'is_primary', order: 'desc' }, { column: 'id' }]).limit(50)) as Record<string, unknown>[];
    const primary = rows.find((r) => bool(r.is_primary)) ?? rows[0];
    const pick = (perm: string) => rows.find((r) => r.permissions === perm) ?? primary;
    const toContact = (role: CertificateContact['role'], r: Record<string, unknown> | undefined): CertificateContact | null => (r ? contactFromParams(role, r) : null);
    contacts = [toContact('supplied', primary), toContact('technical', pick('technical')), toContact('billing', pick('billing'))].filter((c): c is CertificateContact => c !== null);
  }
  return {
    csr: pem ? { pem, info: describeCsr(pem) } : null,
    fields,
    contacts,
    contactsSource,
    summary: {
      packageName: String(row.package_name), label: String(row.label ?? ''), createdAt: String(row.created_at), periodKind: row.period_kind as PeriodKind,
      periodLength: Number(row.period_length), expiresOn: (row.expires_on as string | null) ?? null, status: row.status as ServiceStatus,
    },
  };
}

// A certificate signing request (PKCS #10) is DER inside PEM. Node reads public keys but not CSRs, so
// the few fields shown are read with a small DER walker; the key itself is handed to node:crypto.

interface Tlv {
  tag: number;
  /** Offsets of the whole element and of its content in the buffer. */
  start: number;
  contentStart: number;
  end: number;
}

function readTlv(buf: Buffer, at: number, limit = buf.length): Tlv {
  if (at + 2 > limit) throw new Error('truncated');
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > limit) throw new Error('bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > limit) throw new Error('truncated');
  return { tag, start: at, contentStart: p, end: p + len };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.contentStart; p < parent.end; ) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

function oidOf(buf: Buffer, t: Tlv): string {
  const bytes = buf.subarray(t.contentStart, t.end);
  if (!bytes.length) return '';
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let v = 0;
  for (const b of bytes.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

function stringOf(buf: Buffer, t: Tlv): string {
  const bytes = buf.subarray(t.contentStart, t.end);
  // BMPString is UTF-16 big-endian; node decodes little-endian only.
  if (t.tag === 0x1e) return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : '';
  return bytes.toString(t.tag === 0x0c ? 'utf8' : 'latin1');
}

const SUBJECT_FIELDS: Record<string, string> = {
  '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '1.2.840.113549.1.9.1': 'emailAddress', '2.5.4.5': 'serialNumber',
};
const SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'SHA-1 with RSA', '1.2.840.113549.1.1.11': 'SHA-256 with RSA', '1.2.840.113549.1.1.12': 'SHA-384 with RSA', '1.2.840.113549.1.1.13': 'SHA-512 with RSA',
  '1.2.840.113549.1.1.10': 'RSA-PSS', '1.2.840.10045.4.3.2': 'ECDSA with SHA-256', '1.2.840.10045.4.3.3': 'ECDSA with SHA-384', '1.2.840.10045.4.3.4': 'ECDSA with SHA-512', '1.3.101.112': 'Ed25519',
};
const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const SUBJECT_ALT_NAME = '2.5.29.17';

/** The subject, alternative names and key of a PEM certificate signing request; null if it is not one. */
export function describeCsr(pem: string): CsrInfo | null {
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]{1,20000}?)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(pem);
  if (!m) return null;
  try {
    const der = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
    const top = readTlv(der, 0);
    const [info, sigAlg] = children(der, top);
    if (!info || !sigAlg || top.tag !== 0x30 || info.tag !== 0x30) return null;
    const [, subjectTlv, spki, attrs] = children(der, info);
    if (!subjectTlv || !spki) return null;
    const subject: CsrInfo['subject'] = [];
    for (const rdn of children(der, subjectTlv)) {
      for (const atv of children(der, rdn)) {
        const [oid, value] = children(der, atv);
        if (!oid || !value) continue;
        const id = oidOf(der, oid);
        subject.push({ field: SUBJECT_FIELDS[id] ?? id, value: stringOf(der, value) });
      }
    }
    const altNames: string[] = [];
    if (attrs && attrs.tag === 0xa0) {
      for (const attr of children(der, attrs)) {
        const [oid, set] = children(der, attr);
        if (!oid || !set || oidOf(der, oid) !== EXTENSION_REQUEST) continue;
        for (const exts of children(der, set)) {
          for (const ext of children(der, exts)) {
            const parts = children(der, ext);
            if (!parts[0] || oidOf(der, parts[0]) !== SUBJECT_ALT_NAME) continue;
            const octets = parts.at(-1)!;
            const names = readTlv(der, octets.contentStart, octets.end);
            for (const n of children(der, names)) if (n.tag === 0x82) altNames.push(der.subarray(n.contentStart, n.end).toString('latin1'));
          }
        }
      }
    }
    const key = crypto.createPublicKey({ key: der.subarray(spki.start, spki.end), format: 'der', type: 'spki' });
    const details = key.asymmetricKeyDetails ?? {};
    const sigOid = children(der, sigAlg)[0];
    const sig = sigOid ? oidOf(der, sigOid) : '';
    return {
      subject,
      commonName: subject.find((s) => s.field === 'CN')?.value ?? '',
      altNames,
      keyType: (key.asymmetricKeyType ?? '').toUpperCase(),
      keySize: details.modulusLength ?? null,
      signature: SIGNATURES[sig] ?? sig,
    };
  } catch {
    return null;
  }
}

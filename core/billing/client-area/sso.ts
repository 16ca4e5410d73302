// Global Account single sign-on (seed 003) between the client area and hosting control panels.
//
// Out: the client asks for their panel; the service's processing module makes a one-time login
// URL at that moment (`loginUrl`), which is audited and answered with a redirect — never written
// into a page, where caches, history or a shoulder could keep it.
//
// Back: a panel sends the client to the portal with a token it signed with the secret the
// operator generated for that processing server (HMAC-SHA256). The token names the panel account
// (the service's external id on that server), expires within minutes and works once; it signs in
// the one client login that connected that service ("Connect to Global Account"), and only while
// that login still belongs to the service's client. The wire format is documented in
// plugins/client-portal/README.md; `signSsoToken` is the reference implementation.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AppServices } from '../../services.ts';
import type { SessionUser } from '../../auth/sessions.ts';
import { realClock } from '../../auth/two-factor.ts';
import { iso } from '../../db/time.ts';
import { isHttpUrl, safeNext } from '../../views/helpers.ts';
import { timingSafeEqualStr } from '../../secrets/crypto.ts';
import { loadServiceInfo } from '../../processing/service-info.ts';
import { NON_TERMINAL_STATUSES, getServer } from '../../processing/servers.ts';
import type { ProcessingModule } from '../../processing/types.ts';

type Q = Knex | Knex.Transaction;
type Deps = Pick<AppServices, 'db' | 'clock' | 'log' | 'secrets' | 'audit' | 'processing'>;

/** How long the module may take to make a login link while the client waits. */
export const PANEL_LOGIN_TIMEOUT_MS = 15_000;
/** The longest a return token may live: a panel asking for more is refused, not trusted. */
export const SSO_TOKEN_MAX_TTL_SECONDS = 300;
/** Clock difference between the panel and us that is forgiven. */
export const SSO_CLOCK_SKEW_SECONDS = 30;
export const SSO_TOKEN_VERSION = 1;

export interface SsoActor {
  userId: number;
  email: string;
  ip: string | null;
}

function loginModule(app: Pick<AppServices, 'processing'>, moduleName: string): ProcessingModule | null {
  const m = app.processing.module(moduleName);
  return m && typeof m.loginUrl === 'function' ? m : null;
}

// ---------------------------------------------------------------------------------------------
// The client's control panels

export interface ControlPanelService {
  id: number;
  label: string;
  package_name: string;
  status: string;
  server_id: number;
  server_name: string;
  module_title: string;
  /** Signing in to the panel works only while the service is active. */
  canOpen: boolean;
  /** The operator set a return secret for this server: the panel can send the client back. */
  canReturn: boolean;
  /** The login the panel account is connected to (Global Account), if any. */
  connectedUser: { id: number; email: string } | null;
}

/** The client's services whose processing module can sign them in to a control panel. */
export async function controlPanelServices(app: Pick<AppServices, 'db' | 'processing'>, clientId: number): Promise<ControlPanelService[]> {
  const rows = (await app.db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .join('core_processing_servers as ps', 'ps.id', 's.processing_server_id')
    .leftJoin('core_sso_server_secrets as sec', 'sec.server_id', 'ps.id')
    .leftJoin('core_sso_links as l', 'l.service_id', 's.id')
    .leftJoin('core_users as u', 'u.id', 'l.user_id')
    .where('s.client_id', clientId)
    .whereIn('s.status', NON_TERMINAL_STATUSES)
    .orderBy('s.id')
    .limit(500)
    .select('s.id', 's.label', 's.status', 'p.name as package_name', 'ps.id as server_id', 'ps.name as server_name', 'ps.module', 'sec.server_id as secret_server', 'u.id as linked_id', 'u.email as linked_email')) as Record<string, unknown>[];
  const out: ControlPanelService[] = [];
  for (const r of rows) {
    const module = loginModule(app, String(r.module));
    if (!module) continue;
    out.push({
      id: Number(r.id), label: String(r.label ?? ''), package_name: String(r.package_name), status: String(r.status),
      server_id: Number(r.server_id), server_name: String(r.server_name), module_title: module.title,
      canOpen: r.status === 'active', canReturn: r.secret_server !== null && r.secret_server !== undefined,
      connectedUser: r.linked_id ? { id: Number(r.linked_id), email: String(r.linked_email) } : null,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Out: portal → control panel

export type PanelLogin =
  | { ok: true; url: string }
  /** Not this client's service: answer 404, as for any record that is not theirs. */
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'unavailable'; message: string };

async function withTimeout<T>(ms: number, message: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new Error(message));
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([fn(ac.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks the service's processing module for a one-time link into its control panel. The link is
 * returned to the caller to redirect to at once; only the fact of signing in is audited, never
 * the link. Scoped by the client id: another client's service is 'not_found'.
 */
export async function panelLoginUrl(app: Deps, input: { clientId: number; serviceId: number; actor: SsoActor }): Promise<PanelLogin> {
  if (!Number.isSafeInteger(input.serviceId)) return { ok: false, reason: 'not_found' };
  const svc = (await app.db('core_services').where({ id: input.serviceId, client_id: input.clientId }).first('id', 'status', 'processing_server_id')) as
    | { id: number; status: string; processing_server_id: number | null }
    | undefined;
  if (!svc) return { ok: false, reason: 'not_found' };
  const server = svc.processing_server_id === null ? undefined : await getServer(app.db, Number(svc.processing_server_id));
  const module = server ? loginModule(app, server.module) : null;
  if (!server || !module) return { ok: false, reason: 'unavailable', message: 'This service has no control panel to sign in to.' };
  if (svc.status !== 'active') return { ok: false, reason: 'unavailable', message: 'You can go to the control panel while the service is active.' };

  const audit = { actor: { type: 'client' as const, id: input.actor.userId, label: input.actor.email }, target: `service:${svc.id}`, ip: input.actor.ip };
  try {
    const service = await loadServiceInfo(app.db, svc.id);
    if (!service) return { ok: false, reason: 'not_found' };
    const info = await app.processing.serverInfo(server);
    const log = app.log.child({ module: module.name, server: server.id });
    const url = await withTimeout(PANEL_LOGIN_TIMEOUT_MS, `${server.name} did not answer in time`, (signal) => module.loginUrl!({ server: info, clock: app.clock, log, signal }, service));
    if (typeof url !== 'string' || !isHttpUrl(url)) throw new Error('the module returned something that is not an http(s) link');
    await app.audit.record({ ...audit, action: 'sso.panel_login', details: { server: server.id } });
    return { ok: true, url };
  } catch (err) {
    await app.audit.record({ ...audit, action: 'sso.panel_login_failed', details: { server: server.id, error: String((err as Error)?.message ?? err).slice(0, 300) } });
    return { ok: false, reason: 'unavailable', message: 'The control panel did not answer. Try again in a few minutes; if it keeps failing, open a ticket.' };
  }
}

// ---------------------------------------------------------------------------------------------
// Connecting a panel account to a login (Global Account)

export type LinkOutcome = { ok: true } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'unavailable'; message: string };

/**
 * "Connect to Global Account": the panel account of this service will sign in as this login
 * when the panel sends the client back. One login per service; connecting again moves it.
 */
export async function connectGlobalAccount(app: Pick<AppServices, 'db' | 'clock' | 'audit' | 'processing'>, input: { clientId: number; serviceId: number; actor: SsoActor }): Promise<LinkOutcome> {
  const svc = (await controlPanelServices(app, input.clientId)).find((s) => s.id === input.serviceId);
  if (!svc) {
    const exists = Number.isSafeInteger(input.serviceId) && (await app.db('core_services').where({ id: input.serviceId, client_id: input.clientId }).first('id'));
    return exists ? { ok: false, reason: 'unavailable', message: 'This service has no control panel to connect.' } : { ok: false, reason: 'not_found' };
  }
  if (!svc.canReturn) return { ok: false, reason: 'unavailable', message: 'Signing in from this control panel is not set up by your provider yet.' };
  await app.db.transaction(async (trx) => {
    await trx('core_sso_links').where({ service_id: svc.id }).delete();
    await trx('core_sso_links').insert({ service_id: svc.id, client_id: input.clientId, user_id: input.actor.userId, created_at: iso(app.clock.now()) });
    await app.audit.record({ actor: { type: 'client', id: input.actor.userId, label: input.actor.email }, action: 'sso.connected', target: `service:${svc.id}`, ip: input.actor.ip }, trx);
  });
  return { ok: true };
}

export async function disconnectGlobalAccount(app: Pick<AppServices, 'db' | 'audit'>, input: { clientId: number; serviceId: number; actor: SsoActor }): Promise<LinkOutcome> {
  if (!Number.isSafeInteger(input.serviceId)) return { ok: false, reason: 'not_found' };
  const removed = await app.db('core_sso_links').where({ service_id: input.serviceId, client_id: input.clientId }).delete();
  if (!removed) return { ok: false, reason: 'not_found' };
  await app.audit.record({ actor: { type: 'client', id: input.actor.userId, label: input.actor.email }, action: 'sso.disconnected', target: `service:${input.serviceId}`, ip: input.actor.ip });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Return secrets (one per processing server; the operator pastes it into the panel)

export interface SsoServerRow {
  id: number;
  name: string;
  module: string;
  module_title: string;
  can_login: boolean;
  secret_created_at: string | null;
  secret_created_by: string | null;
}

export async function ssoServers(app: Pick<AppServices, 'db' | 'processing'>): Promise<SsoServerRow[]> {
  const rows = (await app.db('core_processing_servers as ps')
    .leftJoin('core_sso_server_secrets as sec', 'sec.server_id', 'ps.id')
    .orderBy('ps.name')
    .select('ps.id', 'ps.name', 'ps.module', 'sec.created_at as secret_created_at', 'sec.created_by as secret_created_by')) as Record<string, unknown>[];
  return rows.map((r) => {
    const m = app.processing.module(String(r.module));
    return {
      id: Number(r.id), name: String(r.name), module: String(r.module), module_title: m?.title ?? String(r.module),
      can_login: Boolean(m && typeof m.loginUrl === 'function'),
      secret_created_at: (r.secret_created_at as string | null) ?? null, secret_created_by: (r.secret_created_by as string | null) ?? null,
    };
  });
}

/** A new return secret for a server (replacing any earlier one, whose links stop working); shown once. */
export async function generateSsoSecret(app: Pick<AppServices, 'db' | 'clock' | 'secrets' | 'audit'>, serverId: number, staff: { id: number; email: string; ip: string | null }): Promise<string | null> {
  const server = Number.isSafeInteger(serverId) ? await getServer(app.db, serverId) : undefined;
  if (!server) return null;
  const secret = crypto.randomBytes(32).toString('hex');
  await app.db.transaction(async (trx) => {
    await trx('core_sso_server_secrets').where({ server_id: server.id }).delete();
    await trx('core_sso_server_secrets').insert({ server_id: server.id, secret_sealed: app.secrets.encrypt(secret), created_at: iso(app.clock.now()), created_by: staff.email.slice(0, 254) });
    await app.audit.record({ actor: { type: 'staff', id: staff.id, label: staff.email }, action: 'sso.secret_generated', target: `processing_server:${server.id}`, ip: staff.ip }, trx);
  });
  return secret;
}

export async function removeSsoSecret(app: Pick<AppServices, 'db' | 'audit'>, serverId: number, staff: { id: number; email: string; ip: string | null }): Promise<boolean> {
  if (!Number.isSafeInteger(serverId)) return false;
  const removed = await app.db('core_sso_server_secrets').where({ server_id: serverId }).delete();
  if (removed) await app.audit.record({ actor: { type: 'staff', id: staff.id, label: staff.email }, action: 'sso.secret_removed', target: `processing_server:${serverId}`, ip: staff.ip });
  return removed > 0;
}

// ---------------------------------------------------------------------------------------------
// Back: control panel → portal

/** What a panel signs. `next` is a path inside the client area; anything else lands on the home page. */
export interface SsoTokenPayload {
  v: number;
  /** Processing server id (shown to the operator beside the secret). */
  srv: number;
  /** The panel's account: the service's external id on that server. */
  acct: string;
  /** Unix seconds. */
  exp: number;
  /** Random, at least 16 characters of [A-Za-z0-9_-]: each nonce is accepted once. */
  nonce: string;
  next?: string;
}

const payloadSchema = z.object({
  v: z.literal(SSO_TOKEN_VERSION),
  srv: z.number().int().positive(),
  acct: z.string().min(1).max(200),
  exp: z.number().int().positive(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  next: z.string().max(500).optional(),
});

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const hmac = (secret: string, data: string) => crypto.createHmac('sha256', secret).update(data).digest('base64url');

/** The reference signer panels follow (and tests use): base64url(JSON) "." base64url(HMAC-SHA256(secret, first part)). */
export function signSsoToken(secret: string, payload: SsoTokenPayload): string {
  const body = b64(JSON.stringify(payload));
  return `${body}.${hmac(secret, body)}`;
}

export type SsoRefusal = 'malformed' | 'unknown_server' | 'bad_signature' | 'expired' | 'too_long' | 'no_service' | 'not_connected' | 'user_inactive' | 'reused';

export type SsoRedemption = { ok: true; user: SessionUser; next: string; serviceId: number } | { ok: false; reason: SsoRefusal };

/** Only paths inside the client area: a signed token still may not send anyone elsewhere. */
function clientPath(next: string | undefined): string {
  const path = safeNext(next, '/client');
  return path === '/client' || path.startsWith('/client/') || path.startsWith('/client?') ? path : '/client';
}

async function sealedSecret(db: Q, serverId: number): Promise<string | null> {
  const row = (await db('core_sso_server_secrets').where({ server_id: serverId }).first('secret_sealed')) as { secret_sealed: string } | undefined;
  return row?.secret_sealed ?? null;
}

/** Checks a return token and spends it. Refusals of a readable token are audited with the reason; the visitor is told only that the link did not work. */
export async function redeemSsoToken(app: Deps, token: string | undefined, opts: { ip: string | null; purpose: 'return' | 'billing_details' }): Promise<SsoRedemption> {
  const refuse = async (reason: SsoRefusal, server?: number): Promise<SsoRedemption> => {
    // A link without a readable token is no sign-in attempt (a crawler, a truncated paste): nothing to record.
    if (reason === 'malformed') return { ok: false, reason };
    await app.audit.record({ actor: { type: 'anonymous', label: 'control panel' }, action: 'sso.return_refused', ip: opts.ip, ...(server ? { target: `processing_server:${server}` } : {}), details: { reason, purpose: opts.purpose } });
    return { ok: false, reason };
  };
  if (!token || token.length > 2048) return refuse('malformed');
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return refuse('malformed');
  let payload: SsoTokenPayload;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success) return refuse('malformed');
    payload = parsed.data;
  } catch {
    return refuse('malformed');
  }

  const sealed = await sealedSecret(app.db, payload.srv);
  if (!sealed) return refuse('unknown_server', payload.srv);
  if (!timingSafeEqualStr(sig, hmac(app.secrets.decrypt(sealed), body))) return refuse('bad_signature', payload.srv);

  const nowSec = Math.floor(realClock(app.clock).now().getTime() / 1000);
  if (payload.exp <= nowSec) return refuse('expired', payload.srv);
  if (payload.exp > nowSec + SSO_TOKEN_MAX_TTL_SECONDS + SSO_CLOCK_SKEW_SECONDS) return refuse('too_long', payload.srv);

  const service = (await app.db('core_services').where({ processing_server_id: payload.srv, external_id: payload.acct }).whereIn('status', NON_TERMINAL_STATUSES).select('id', 'client_id')) as { id: number; client_id: number }[];
  // Two live services with one panel account would make the token ambiguous: refuse rather than guess.
  if (service.length !== 1) return refuse('no_service', payload.srv);
  const svc = service[0]!;
  const link = (await app.db('core_sso_links as l')
    .join('core_users as u', 'u.id', 'l.user_id')
    .where('l.service_id', svc.id)
    .first('u.id', 'u.kind', 'u.email', 'u.name', 'u.role', 'u.client_id', 'u.status', 'u.language', 'l.client_id as link_client')) as (SessionUser & { link_client: number }) | undefined;
  // The login must still belong to the client that owns the service (a service moved to another
  // client takes no one's login with it).
  if (!link || link.kind !== 'client' || Number(link.client_id) !== Number(svc.client_id) || Number(link.link_client) !== Number(svc.client_id)) return refuse('not_connected', payload.srv);
  if (link.status !== 'active') return refuse('user_inactive', payload.srv);

  const spent = await app.db.transaction(async (trx) => {
    // Spent nonces are kept until their token would have expired anyway; older ones are swept here.
    await trx('core_sso_used_tokens').where('expires_at', '<', iso(new Date((nowSec - SSO_CLOCK_SKEW_SECONDS) * 1000))).delete();
    const id = crypto.createHash('sha256').update(`${payload.srv}:${payload.nonce}`).digest('hex');
    const rows = (await trx('core_sso_used_tokens').insert({ id, expires_at: iso(new Date(payload.exp * 1000)) }).onConflict('id').ignore().returning('id')) as unknown[];
    return rows.length === 1;
  });
  if (!spent) return refuse('reused', payload.srv);

  const user: SessionUser = { id: Number(link.id), kind: 'client', email: link.email, name: link.name, role: link.role, client_id: Number(link.client_id), status: link.status, language: link.language ?? '' };
  await app.audit.record({ actor: { type: 'client', id: user.id, label: user.email }, action: 'sso.return', target: `service:${svc.id}`, ip: opts.ip, details: { server: payload.srv, purpose: opts.purpose } });
  return { ok: true, user, next: opts.purpose === 'billing_details' ? '/client' : clientPath(payload.next), serviceId: svc.id };
}


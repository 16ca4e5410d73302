// The processing module "BILLmanager" (seed 001): services bought from an upstream BILLmanager with the
// reseller's account — open, suspend, resume, delete, prolong, change parameters, synchronise, balance.
import type { Knex } from 'knex';
import { ProcessingError, type ModuleContext, type OperationOutcome, type ProcessingModule, type ServiceInfo } from '../../../core/plugins/api.ts';
import { formatMoney } from '../../../core/money/money.ts';
import { BillmanagerApi, nameServerFields, UPSTREAM_ITEMTYPES, type UpstreamService } from '../upstream/billmanager.ts';
import { codeOfTerm } from '../upstream/periods.ts';
import { findTariffByInternalName, type TariffRow } from '../store/tariffs.ts';
import { toModuleError } from './errors.ts';
import { remoteIdFor, serviceIdOfRemoteId } from './remote-id.ts';
import { contactFields, contactsIn } from '../services/contacts.ts';

export const MODULE_NAME = 'billmanager';
/** Upstream item statuses ([I] PROTOCOLS §3.2). */
export const UPSTREAM_STATUS = { ordered: 1, active: 2, suspended: 3, deleted: 4, processing: 5 } as const;

export interface BillmanagerModuleOptions {
  db: Knex;
  /** How long one upstream request may take. */
  requestTimeoutMs: number;
}

/**
 * What the module keeps in the service's params from the upstream's view of it. Domains use the
 * names of core's client-area contract (`nameservers`, `registrar_lock`), servers `ip`, `hostname`.
 */
export function paramsFromUpstream(s: UpstreamService): Record<string, unknown> {
  const f = s.fields;
  const out: Record<string, unknown> = { upstream_id: s.id };
  if (s.expiresOn) out.upstream_expires_on = s.expiresOn;
  for (const key of ['ip', 'hostname', 'ostempl', 'username']) if (f[key]) out[key] = f[key];
  const ns = [...[0, 1, 2, 3].map((i) => f[`ns${i}`] ?? ''), ...(f.ns_additional ?? '').split(/[\s,]+/)].map((n) => n.split('/')[0]!.trim()).filter(Boolean);
  if (ns.length) out.nameservers = ns;
  if (f.lock === 'on' || f.lock === 'off') out.registrar_lock = f.lock;
  return out;
}

/** 'on'/'off', true/false, 1/0 as a boolean; null for anything else. */
export function onOff(v: unknown): boolean | null {
  if (v === true || v === 'on' || v === '1' || v === 1 || v === 'true') return true;
  if (v === false || v === 'off' || v === '0' || v === 0 || v === 'false') return false;
  return null;
}

function apiFor(ctx: ModuleContext, timeoutMs: number): BillmanagerApi {
  return new BillmanagerApi({ url: ctx.server.url, username: ctx.server.username, password: ctx.server.password, timeoutMs, log: ctx.log, label: `BILLmanager “${ctx.server.name}”` });
}

function upstreamItemtype(service: ServiceInfo, tariff: TariffRow | null): string {
  const it = tariff?.upstreamItemtype || UPSTREAM_ITEMTYPES[service.itemType];
  if (!it) throw new ProcessingError('permanent', `BILLmanager does not sell services of type '${service.itemType}'.`);
  return it;
}

function periodCode(service: ServiceInfo, term?: { periodKind: string; periodLength: number }): number {
  const kind = term?.periodKind ?? service.periodKind;
  const length = term?.periodLength ?? service.periodLength;
  const code = codeOfTerm(kind, length);
  if (code === null) throw new ProcessingError('permanent', `BILLmanager cannot sell a period of ${length} ${kind}; give the package periods of whole months, one day, a trial or lifetime.`);
  return code;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : '';
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.map(text).filter(Boolean) : [];
}

/**
 * The upstream service this Trellis service already has: its external id, else one an earlier
 * attempt ordered (a `remoteid` naming this service: the reply was lost after the order went through).
 */
async function findUpstream(api: BillmanagerApi, itemtype: string, service: ServiceInfo, signal: AbortSignal): Promise<UpstreamService | null> {
  const all = await api.services(itemtype, signal);
  const live = all.filter((s) => s.status !== UPSTREAM_STATUS.deleted);
  if (service.externalId) {
    const byId = live.find((s) => s.id === service.externalId);
    if (byId) return byId;
  }
  return live.find((s) => serviceIdOfRemoteId(s.remoteid) === service.id) ?? null;
}

async function requireUpstream(api: BillmanagerApi, itemtype: string, service: ServiceInfo, signal: AbortSignal): Promise<UpstreamService> {
  const found = await findUpstream(api, itemtype, service, signal);
  if (!found) throw new ProcessingError('permanent', `Service #${service.id} has no ${itemtype} at the upstream${service.externalId ? ` (id ${service.externalId} is not there)` : ''}. Check it there, then complete the operation manually.`);
  return found;
}

function opened(found: UpstreamService): OperationOutcome {
  if (found.status === UPSTREAM_STATUS.ordered || found.status === UPSTREAM_STATUS.processing || Number.isNaN(found.status)) {
    // Not a failure: the upstream is still setting it up. The retry (or the checkevent job) finishes it.
    throw new ProcessingError('temporary', `Ordered at the upstream as #${found.id}; waiting for the upstream to set it up.`);
  }
  return { externalId: found.id, params: paramsFromUpstream(found), ...(found.expiresOn ? { expiresOn: found.expiresOn } : {}), message: `Upstream service #${found.id}` };
}

function orderParams(service: ServiceInfo, tariff: TariffRow | null, remoteid: string, code: number): Record<string, string | number | boolean> {
  const pricelist = tariff?.upstreamId ?? service.packageInternalName;
  if (!/^\d+$/.test(pricelist)) throw new ProcessingError('permanent', `Package “${service.packageInternalName}” is not an imported BILLmanager tariff: import it, or give it the upstream tariff id as its internal name.`);
  const p = service.params;
  const params: Record<string, string | number | boolean> = { pricelist, period: code, remoteid };
  const os = text(service.addons.ostempl) || text(service.addons.os) || text(p.ostempl) || text(p.os);
  if (os) params.ostempl = os;
  const hostname = text(p.hostname) || (service.itemType === 'domain' ? '' : service.label.trim());
  if (hostname) params.domain = hostname;
  for (const addon of tariff?.snapshot.addons ?? []) {
    const v = service.addons[addon.intname];
    if (v !== undefined && v !== '') params[`addon_${addon.id}`] = v;
  }
  params.autoprolong = onOff(p.autorenew) ? 'on' : 'off';
  return params;
}

function domainParams(service: ServiceInfo, tariff: TariffRow | null, remoteid: string, code: number): Record<string, string | number> {
  const domain = (text(service.params.domain) || service.label).toLowerCase();
  if (!domain.includes('.')) throw new ProcessingError('permanent', `Service #${service.id} has no domain name to register.`);
  const params: Record<string, string | number> = { domain, period: code, remoteid, autoprolong: onOff(service.params.autorenew) ? 'on' : 'off' };
  if (tariff) params.pricelist = tariff.upstreamId;
  Object.assign(params, nameServerFields(stringList(service.params.nameservers)));
  Object.assign(params, contactFields(contactsIn(service.params)));
  return params;
}

/**
 * A set_param's changes (core's client-area contract: `nameservers`, `registrar_lock`, `autorenew`,
 * `contact_<role>`, `auth_code`; servers: `hostname`) as upstream calls: name servers go through
 * domain.ns, the rest through `<itemtype>.edit`. Keys the upstream has no setting for are kept in
 * Trellis only (DNS records, autorenew_days).
 */
export function upstreamChanges(itemtype: string, changes: Record<string, unknown>): { edit: Record<string, string>; nameservers: string[] | null; kept: string[] } {
  const edit: Record<string, string> = {};
  const kept: string[] = [];
  let nameservers: string[] | null = null;
  const domain = itemtype === 'domain';
  for (const [key, value] of Object.entries(changes)) {
    if (key === 'autorenew' && onOff(value) !== null) edit.autoprolong = onOff(value) ? 'on' : 'off';
    else if (domain && key === 'registrar_lock' && onOff(value) !== null) edit.lock = onOff(value) ? 'on' : 'off';
    else if (domain && key === 'nameservers') {
      nameservers = stringList(value).map((ns) => ns.split('/')[0]!.trim()).filter(Boolean);
      if (nameservers.length < 2) throw new ProcessingError('permanent', 'A domain needs at least two name servers.');
    } else if (domain && key.startsWith('contact_') && value && typeof value === 'object') Object.assign(edit, contactFields(contactsIn({ [key]: value })));
    else if (domain && key === 'auth_code' && typeof value === 'string') edit.auth_code = value;
    else if (!domain && key === 'hostname' && typeof value === 'string') edit.domain = value.trim();
    else kept.push(key);
  }
  return { edit, nameservers, kept };
}

/**
 * The module. `db` is only read: the imported tariff behind a package (its upstream id and add-ons).
 *
 * @example
 * ctx.processing.register(billmanagerModule({ db: ctx.db, requestTimeoutMs: 30_000 }));
 */
export function billmanagerModule(opts: BillmanagerModuleOptions): ProcessingModule {
  const { db, requestTimeoutMs } = opts;
  const run = async <T>(ctx: ModuleContext, fn: (api: BillmanagerApi) => Promise<T>): Promise<T> => {
    try {
      return await fn(apiFor(ctx, requestTimeoutMs));
    } catch (err) {
      throw toModuleError(err, `“${ctx.server.name}”`);
    }
  };
  const tariffOf = (service: ServiceInfo) => findTariffByInternalName(db, service.packageInternalName);

  return {
    name: MODULE_NAME,
    title: 'BILLmanager',
    itemTypes: Object.keys(UPSTREAM_ITEMTYPES),
    features: ['check_connection', 'balance', 'open', 'suspend', 'resume', 'close', 'prolong', 'set_param', 'sync'],
    // An open looks up, orders and looks up again: three requests.
    timeoutMs: requestTimeoutMs * 3 + 5_000,

    async checkConnection(ctx) {
      try {
        const b = await apiFor(ctx, requestTimeoutMs).balance(ctx.signal);
        return { ok: true, message: `Signed in as ${ctx.server.username}; the account's balance is ${formatMoney({ amount: b.amount, currency: b.currency })}.` };
      } catch (err) {
        return { ok: false, message: toModuleError(err, `“${ctx.server.name}”`).message };
      }
    },

    balance: (ctx) => run(ctx, async (api) => {
      const b = await api.balance(ctx.signal);
      return { amount: b.amount, currency: b.currency };
    }),

    open: (ctx, service) =>
      run(ctx, async (api) => {
        const tariff = await tariffOf(service);
        const itemtype = upstreamItemtype(service, tariff);
        const existing = await findUpstream(api, itemtype, service, ctx.signal);
        if (existing) return opened(existing);
        const code = periodCode(service);
        const remoteid = remoteIdFor(service.id, ctx.operation?.id);
        const id =
          itemtype === 'domain'
            ? await api.orderDomain(domainParams(service, tariff, remoteid, code), ctx.signal)
            : await api.order(itemtype, orderParams(service, tariff, remoteid, code), ctx.signal);
        const created = await api.service(itemtype, id, ctx.signal);
        return opened(created ?? { id, name: '', remoteid, status: UPSTREAM_STATUS.processing, expiresOn: null, fields: {} });
      }),

    suspend: (ctx, service) =>
      run(ctx, async (api) => {
        const itemtype = upstreamItemtype(service, await tariffOf(service));
        const found = await requireUpstream(api, itemtype, service, ctx.signal);
        if (found.status !== UPSTREAM_STATUS.suspended) await api.suspend(itemtype, found.id, ctx.signal);
        return { externalId: found.id };
      }),

    resume: (ctx, service) =>
      run(ctx, async (api) => {
        const itemtype = upstreamItemtype(service, await tariffOf(service));
        const found = await requireUpstream(api, itemtype, service, ctx.signal);
        if (found.status !== UPSTREAM_STATUS.active) await api.resume(itemtype, found.id, ctx.signal);
        return { externalId: found.id };
      }),

    close: (ctx, service) =>
      run(ctx, async (api) => {
        const itemtype = upstreamItemtype(service, await tariffOf(service));
        const found = await findUpstream(api, itemtype, service, ctx.signal);
        // Already gone (deleted upstream, or never ordered): nothing is left to pay for.
        if (!found) return { message: 'Nothing to delete at the upstream.' };
        await api.remove(itemtype, found.id, ctx.signal);
        return { message: `Upstream service #${found.id} deleted.` };
      }),

    prolong: (ctx, service, term) =>
      run(ctx, async (api) => {
        const itemtype = upstreamItemtype(service, await tariffOf(service));
        const found = await requireUpstream(api, itemtype, service, ctx.signal);
        const expiry = await api.prolong(found.id, periodCode(service, term), ctx.signal);
        return { externalId: found.id, ...(expiry ? { expiresOn: expiry, params: { upstream_expires_on: expiry } } : {}), message: expiry ? `Prolonged at the upstream until ${expiry}.` : 'Prolonged at the upstream.' };
      }),

    setParam: (ctx, service, changes) =>
      run(ctx, async (api) => {
        const itemtype = upstreamItemtype(service, await tariffOf(service));
        const found = await requireUpstream(api, itemtype, service, ctx.signal);
        const { edit, nameservers, kept } = upstreamChanges(itemtype, changes);
        const params: Record<string, unknown> = {};
        if (nameservers) params.nameservers = await api.setNameServers(found.id, nameservers, ctx.signal);
        if (Object.keys(edit).length) await api.edit(itemtype, found.id, edit, ctx.signal);
        return { externalId: found.id, params, message: kept.length ? `Recorded in Trellis only (the upstream has no such setting): ${kept.join(', ')}.` : 'Changed at the upstream.' };
      }),

    sync: (ctx, service) =>
      run(ctx, async (api) => {
        const itemtype = upstreamItemtype(service, await tariffOf(service));
        const found = await findUpstream(api, itemtype, service, ctx.signal);
        if (!found) return { status: 'closed' as const, message: 'The upstream has no such service any more.' };
        const status = found.status === UPSTREAM_STATUS.suspended ? ('suspended' as const) : ('active' as const);
        return { externalId: found.id, params: paramsFromUpstream(found), status };
      }),
  };
}

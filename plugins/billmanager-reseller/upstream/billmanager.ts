// The BILLmanager calls a reseller makes (PROTOCOLS §2), on top of the toolkit's IspClient. Replies are
// read leniently (PROTOCOLS: "be lenient on inferred parts"); every number, date and id arrives as text.
import { ispsystem, type Logger } from '../../../core/plugins/api.ts';
import { DEFAULT_MINOR_UNITS, parseAmount } from '../../../core/money/money.ts';
import { isDay } from '../../../core/billing/services/periods.ts';

const { IspApiError, IspClient, asList, attr, child, docField, textOf } = ispsystem;
type IspClientT = InstanceType<typeof IspClient>;

/** Trellis item type → BILLmanager item type internal name. */
export const UPSTREAM_ITEMTYPES: Record<string, string> = { domain: 'domain', vds: 'vds', dedicated: 'dedic', hosting: 'vhost' };
/** Numbers the price list may use for item types ([I]; only VDS = 3 is observed). */
const ITEMTYPE_NUMBERS: Record<string, string> = { '1': 'vhost', '2': 'domain', '3': 'vds', '4': 'dedic' };

/**
 * The API address of a BILLmanager. Seed 001 fills the URL in from the server name
 * (`https://my.ru-tld.ru/`); the API answers under `/billmgr`, so a bare host gets that path.
 */
export function billmgrUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/billmgr';
  return url.href.replace(/\/$/, '');
}

export interface UpstreamBalance {
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** As the panel wrote it. */
  text: string;
}

export interface UpstreamTariffPeriod {
  code: number;
  /** Minor units of the tariff's currency. */
  cost: number;
}

export interface UpstreamTariff {
  id: string;
  name: string;
  /** BILLmanager's internal name ('vds', 'domain', ...) or '' when the reply names an unknown type. */
  itemtype: string;
  currency: string;
  periods: UpstreamTariffPeriod[];
  tld: string | null;
  os: string[];
  addons: { id: string; intname: string; name: string }[];
}

export interface UpstreamService {
  id: string;
  name: string;
  remoteid: string;
  /** 1 ordered, 2 active, 3 suspended, 4 deleted, 5 processing ([I]); NaN when absent. */
  status: number;
  expiresOn: string | null;
  fields: Record<string, string>;
}

export interface UpstreamEvent extends UpstreamService {
  eventId: number;
  serviceId: string;
  itemtype: string;
  event: string;
}

/** The whois server does not answer: seed 001's "Try later". */
export class WhoisUnavailableError extends Error {
  constructor(message = 'Try later: the registrar cannot reach the whois server right now.') {
    super(message);
    this.name = 'WhoisUnavailableError';
  }
}

/** Name servers as BILLmanager takes them (PROTOCOLS §2.2): `ns0`..`ns3`, the rest in `ns_additional`. */
export function nameServerFields(ns: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 4; i++) out[`ns${i}`] = ns[i] ?? '';
  if (ns.length > 4) out.ns_additional = ns.slice(4).join(', ');
  return out;
}

/** The upstream refused to charge the reseller's balance. */
export function isInsufficientBalance(err: unknown): boolean {
  if (!(err instanceof IspApiError)) return false;
  // [U] The real error type is not public; match what any panel would plausibly say.
  return /balance|money|fund|payment/i.test(`${err.type} ${err.object}`) || /not enough money|insufficient (funds|balance)|недостаточно средств/i.test(err.upstreamMessage ?? '');
}

export function isWhoisUnavailable(err: unknown): boolean {
  if (!(err instanceof IspApiError)) return false;
  return err.type === 'whois' || /try later/i.test(err.upstreamMessage ?? '');
}

function minorUnitsOf(currency: string): number {
  return DEFAULT_MINOR_UNITS[currency] ?? 2;
}

/** "1234.56 RUB", "RUB 1234.56" or "1 234,56 ₽" → minor units and code; null when unreadable. */
export function parseBalance(text: string, fallbackCurrency = ''): UpstreamBalance | null {
  const t = text.trim();
  const code = /\b([A-Z]{3})\b/.exec(t)?.[1] ?? (/₽|руб/i.test(t) ? 'RUB' : /€/.test(t) ? 'EUR' : /\$/.test(t) ? 'USD' : fallbackCurrency);
  const number = /-?\d[\d\s\u00a0]*(?:[.,]\d+)?/.exec(t)?.[0];
  if (!code || !number) return null;
  const amount = parseAmount(number.replace(/[\s\u00a0]/g, ''), minorUnitsOf(code));
  return amount === null ? null : { amount, currency: code, text: t };
}

function intOf(raw: string | undefined): number {
  return raw !== undefined && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
}

function dayOrNull(raw: string | undefined): string | null {
  const d = (raw ?? '').trim().slice(0, 10);
  return isDay(d) ? d : null;
}

function readTariff(node: ispsystem.IspNode): UpstreamTariff | null {
  const id = textOf(node.id);
  if (!id) return null;
  const intname = textOf(node.itemtype_intname) ?? '';
  const number = textOf(node.itemtype) ?? '';
  const itemtype = intname || ITEMTYPE_NUMBERS[number] || (Object.values(UPSTREAM_ITEMTYPES).includes(number) ? number : '');
  const price = child(node, 'price');
  const currency = (attr(price, 'currency') ?? textOf(node.currency) ?? '').toUpperCase();
  const periods: UpstreamTariffPeriod[] = [];
  for (const p of asList(price?.period)) {
    // [I] the period code as `length` (or `id`/`period`); a price without one is a month ([C] shape has only cost).
    const code = intOf(attr(p, 'length') ?? attr(p, 'id') ?? attr(p, 'period') ?? '1');
    const cost = parseAmount((attr(p, 'cost') ?? textOf(p) ?? '').trim(), minorUnitsOf(currency));
    if (Number.isNaN(code) || cost === null || periods.some((x) => x.code === code)) continue;
    periods.push({ code, cost });
  }
  const os = asList(node.itemtypeparam)
    .filter((p) => (textOf(p.intname) ?? 'ostempl') === 'ostempl')
    .flatMap((p) => asList(p.itemtypeparamvalue).map((v) => textOf(v.intname) ?? ''))
    .filter(Boolean);
  const addons = asList(node.addon).map((a) => ({ id: textOf(a.id) ?? '', intname: textOf(a.intname) ?? '', name: textOf(a.name) ?? textOf(a.name_ru) ?? textOf(a.intname) ?? '' })).filter((a) => a.id && a.intname);
  const tld = (textOf(node.tld) ?? '').replace(/^\./, '').toLowerCase() || null;
  return { id, name: textOf(node.name) ?? `Tariff ${id}`, itemtype, currency, periods, tld, os, addons };
}

function readService(row: Record<string, string>): UpstreamService {
  return { id: row.id ?? '', name: row.name ?? row.domain ?? '', remoteid: row.remoteid ?? '', status: intOf(row.item_status ?? row.status), expiresOn: dayOrNull(row.expiredate), fields: row };
}

export interface BillmanagerApiOptions {
  url: string;
  username: string;
  password: string;
  timeoutMs?: number;
  log?: Logger;
  label?: string;
}

/** One reseller account at an upstream BILLmanager. */
export class BillmanagerApi {
  readonly isp: IspClientT;

  constructor(opts: BillmanagerApiOptions) {
    this.isp = new IspClient({
      url: billmgrUrl(opts.url),
      username: opts.username,
      password: opts.password,
      auth: 'authinfo',
      timeoutMs: opts.timeoutMs ?? 30_000,
      retry: { attempts: 2, backoffMs: 250 },
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.label ? { label: opts.label } : {}),
    });
  }

  /** [C] S20: `dashboard.info` → doc.elem[0].balance = "123.45 RUB". */
  async balance(signal?: AbortSignal): Promise<UpstreamBalance> {
    const doc = await this.isp.call('dashboard.info', {}, { signal });
    const elem = asList(docField(doc, 'elem'))[0];
    const text = textOf(elem?.balance) ?? textOf(docField(doc, 'balance')) ?? '';
    const parsed = parseBalance(text, textOf(elem?.currency) ?? '');
    if (!parsed) throw new ispsystem.IspProtocolError(`The upstream answered dashboard.info without a readable balance (“${text.slice(0, 60)}”).`, { func: 'dashboard.info', retryable: false });
    return parsed;
  }

  /** [C] S14/S19: the tariffs this account can order, with periods and costs. */
  async priceList(signal?: AbortSignal): Promise<UpstreamTariff[]> {
    const doc = await this.isp.call('pricelist.export', {}, { signal });
    return asList(docField(doc, 'pricelist')).map(readTariff).filter((t): t is UpstreamTariff => t !== null);
  }

  /** The services of one item type (list function named after it). */
  async services(itemtype: string, signal?: AbortSignal): Promise<UpstreamService[]> {
    const { rows } = await this.isp.list(itemtype, { p_cnt: 10_000 }, { signal });
    return rows.map(readService);
  }

  async service(itemtype: string, id: string, signal?: AbortSignal): Promise<UpstreamService | null> {
    return (await this.services(itemtype, signal)).find((s) => s.id === id) ?? null;
  }

  /** [C] S12: `<itemtype>.order.param` paid from the balance at once (`skipbasket`); the new id. */
  async order(itemtype: string, params: ispsystem.IspParams, signal?: AbortSignal): Promise<string> {
    const { id } = await this.isp.save(`${itemtype}.order.param`, { skipbasket: true, ...params }, { signal });
    if (!id) throw new ispsystem.IspProtocolError(`The upstream accepted ${itemtype}.order.param but sent no service id.`, { func: `${itemtype}.order.param`, retryable: false, outcomeUnknown: true });
    return id;
  }

  /** [C] S15: `domain.order.api`. */
  async orderDomain(params: ispsystem.IspParams, signal?: AbortSignal): Promise<string> {
    const doc = await this.isp.call('domain.order.api', { action: 'register', ...params }, { signal, idempotent: false });
    const id = ispsystem.readId(doc);
    if (!id) throw new ispsystem.IspProtocolError('The upstream accepted domain.order.api but sent no service id.', { func: 'domain.order.api', retryable: false, outcomeUnknown: true });
    return id;
  }

  /** [U] Availability: `domain.check` (ours, see the simulator). Throws WhoisUnavailableError for "Try later". */
  async checkDomain(fqdn: string, signal?: AbortSignal): Promise<'free' | 'busy'> {
    try {
      const doc = await this.isp.call('domain.check', { domain: fqdn }, { signal, idempotent: true });
      const status = (textOf(docField(doc, 'status')) ?? '').toLowerCase();
      // The registrar module's own whois says "not exist" for a free name (PROTOCOLS §3.2).
      if (status === 'free' || status === 'not exist') return 'free';
      if (status === 'busy' || status === 'taken') return 'busy';
      throw new ispsystem.IspProtocolError(`The upstream answered domain.check with an unknown status “${status.slice(0, 40)}”.`, { func: 'domain.check', retryable: false });
    } catch (err) {
      if (isWhoisUnavailable(err)) throw new WhoisUnavailableError();
      throw err;
    }
  }

  async suspend(itemtype: string, id: string, signal?: AbortSignal): Promise<void> {
    await this.isp.call(`${itemtype}.suspend`, {}, { elid: id, signal });
  }

  async resume(itemtype: string, id: string, signal?: AbortSignal): Promise<void> {
    await this.isp.call(`${itemtype}.resume`, {}, { elid: id, signal });
  }

  async remove(itemtype: string, id: string, signal?: AbortSignal): Promise<void> {
    await this.isp.call(`${itemtype}.delete`, {}, { elid: id, signal });
  }

  /** [C] S7: `service.prolong`; the new expiry from `doc.doc.newexpiredate` (or `doc.newexpiredate`). */
  async prolong(id: string, periodCode: number, signal?: AbortSignal): Promise<string | null> {
    const { doc } = await this.isp.save('service.prolong', { period: periodCode }, { elid: id, signal });
    return dayOrNull(textOf(docField(doc, 'newexpiredate')));
  }

  /** Saves fields of a service's form (`<itemtype>.edit`, sok=ok). */
  async edit(itemtype: string, id: string, fields: ispsystem.IspParams, signal?: AbortSignal): Promise<void> {
    await this.isp.save(`${itemtype}.edit`, fields, { elid: id, signal });
  }

  /** [C] S20: `domain.ns`; the answer lists the name servers now set (nested doc). */
  async setNameServers(id: string, ns: string[], signal?: AbortSignal): Promise<string[]> {
    const { doc } = await this.isp.save('domain.ns', nameServerFields(ns), { elid: id, signal });
    const additional = (textOf(docField(doc, 'ns_additional')) ?? '').split(/[\s,]+/);
    return [...[0, 1, 2, 3].map((i) => textOf(docField(doc, `ns${i}`)) ?? ''), ...additional].map((n) => n.split('/')[0]!.trim()).filter(Boolean);
  }

  /** [U] The upstream's events after event `since`, oldest first (see the simulator's `checkevent`). */
  async events(since: number, signal?: AbortSignal): Promise<UpstreamEvent[]> {
    const { rows } = await this.isp.list('checkevent', { since }, { signal });
    return rows
      .map((row) => ({ ...readService({ ...row, id: row.service ?? '' }), eventId: intOf(row.id), serviceId: row.service ?? '', itemtype: row.itemtype ?? '', event: row.event ?? '' }))
      .filter((e) => !Number.isNaN(e.eventId) && e.serviceId !== '')
      .sort((a, b) => a.eventId - b.eventId);
  }
}

// The BILLmanager functions a reseller's panel calls (PROTOCOLS §2), registered on the toolkit's
// simulator base. Where the real function is not public the comment says so ([I]/[U]); those are ours.
import { toDecimalString } from '../../../core/money/money.ts';
import {
  el,
  formReply,
  idReply,
  LEVEL_ADMIN,
  listReply,
  nestedDocReply,
  okReply,
  SimError,
  type IspSimulator,
  type SimHandler,
  type SimNode,
  type SimRequest,
  type SimValue,
} from '../../../core/upstream/ispsystem/simulator/index.ts';
import { isDomainName } from '../services/domain-names.ts';
import type { SimItemType, SimTariff } from './catalog.ts';
import { SIM_STATUS, type BillmanagerState, type SimService } from './state.ts';

/** Numeric item type ids in `pricelist.export` ([C] shape: `"itemtype":{"$":"3"}` for a VDS; the others are [I]). */
export const SIM_ITEMTYPE_IDS: Record<SimItemType, string> = { vhost: '1', domain: '2', vds: '3', dedic: '4' };
const SERVER_TYPES: SimItemType[] = ['vds', 'dedic', 'vhost'];
const ALL_TYPES: SimItemType[] = ['domain', ...SERVER_TYPES];
const STATUS_TEXT: Record<number, string> = { 1: 'Ordered', 2: 'Active', 3: 'Suspended', 4: 'Deleted', 5: 'Processing' };
const CONTACT_ROLES = ['customer', 'owner', 'admin', 'bill', 'tech'];

function decimal(state: BillmanagerState, amount: number, currency: string): string {
  return toDecimalString(amount, state.rates[currency]?.minorUnits ?? 2);
}

function wholeNumber(req: SimRequest, name: string, opts: { required?: boolean } = {}): number | undefined {
  const raw = req.params[name];
  if (raw === undefined || raw === '') {
    if (opts.required) throw new SimError('missed', name);
    return undefined;
  }
  if (!/^-?\d{1,9}$/.test(raw)) throw new SimError('value', name, { value: raw });
  return Number(raw);
}

function autoprolongOf(raw: string | undefined): boolean {
  return raw !== undefined && raw !== '' && raw !== 'off' && raw !== 'null' && raw !== '0';
}

function tariffNode(state: BillmanagerState, t: SimTariff): SimNode {
  return el(
    'pricelist',
    null,
    el('id', null, t.id),
    el('name', null, t.name),
    el('itemtype', null, SIM_ITEMTYPE_IDS[t.itemtype]),
    // [U] The item type's internal name beside its number: the real export names only the number.
    el('itemtype_intname', null, t.itemtype),
    t.tld ? el('tld', null, t.tld) : null,
    // [C] price/period with a cost attribute; [I] the currency attribute on price and `length` (the period code) on period.
    el('price', { currency: t.currency }, ...t.periods.map((p) => el('period', { length: p.code, cost: decimal(state, p.cost, t.currency) }))),
    t.os?.length
      ? el('itemtypeparam', null, el('id', null, '106'), el('intname', null, 'ostempl'), ...t.os.map((o) => el('itemtypeparamvalue', null, el('intname', null, o))))
      : null,
  );
}

function serviceRow(state: BillmanagerState, s: SimService): Record<string, SimValue> {
  const tariff = state.tariffs.get(s.tariffId);
  const row: Record<string, SimValue> = {
    id: String(s.id),
    name: s.name,
    pricelist: { orig: String(s.tariffId), display: tariff?.name ?? String(s.tariffId) },
    remoteid: s.remoteid,
    // [I] Both the numeric item status and a display text, as `$orig` and `$`.
    status: { orig: String(s.status), display: STATUS_TEXT[s.status] ?? String(s.status) },
    item_status: String(s.status),
    createdate: s.createdAt.slice(0, 10),
    expiredate: s.expiredate ?? '',
    period: String(s.periodCode),
    autoprolong: s.autoprolong ? 'on' : 'off',
    ...s.params,
  };
  if (s.itemtype === 'domain') {
    s.ns.slice(0, 4).forEach((ns, i) => (row[`ns${i}`] = ns));
    if (s.ns.length > 4) row.ns_additional = s.ns.slice(4).join(', ');
    row.lock = s.lock ? 'on' : 'off';
  }
  return row;
}

function contactsOf(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => CONTACT_ROLES.some((r) => k.startsWith(`${r}_`))));
}

function nameServersOf(params: Record<string, string>): string[] | undefined {
  const ns = [...[0, 1, 2, 3].map((i) => params[`ns${i}`] ?? ''), ...(params.ns_additional ?? '').split(/[\s,]+/)].map((n) => n.trim()).filter(Boolean);
  if (ns.length === 0) return undefined;
  // `ns0=host` or `ns0=host/ip,ip` (PROTOCOLS §2.2): only the host matters here.
  for (const n of ns) if (!isDomainName(n.split('/')[0]!)) throw new SimError('value', 'ns', { value: n });
  return ns;
}

/** A domain's name servers as BILLmanager writes them: ns0..ns3, the rest in ns_additional. */
function nsNodes(ns: string[]): SimNode[] {
  return [...ns.slice(0, 4).map((n, i) => el(`ns${i}`, null, n)), ...(ns.length > 4 ? [el('ns_additional', null, ns.slice(4).join(', '))] : [])];
}

function whoisGuard(state: BillmanagerState, domain: string): void {
  // Seed 001: when the whois server does not work, registration answers "Try later".
  if (state.whoisDown) throw new SimError('whois', 'domain', { value: domain, msg: 'Try later: the whois server does not answer' });
}

/**
 * Registers every function of the simulated BILLmanager on `sim`. Each call first moves the
 * simulated world to the request's time, so the upstream's own clock produces its events.
 */
export function registerBillmanagerFunctions(sim: IspSimulator, state: BillmanagerState): void {
  const fn = (name: string, handler: SimHandler, opts?: Parameters<IspSimulator['func']>[2]) =>
    sim.func(
      name,
      (req) => {
        state.tick(req.now);
        return handler(req);
      },
      opts,
    );

  // [C] S20: user-level dashboard; the balance as "<amount> <currency>" in doc.elem[0].balance.
  fn('dashboard.info', () => [el('elem', null, el('balance', null, state.balanceText()), el('currency', null, state.account.currency))]);

  // [C] S14/S19: the price list; public on some installs.
  fn(
    'pricelist.export',
    (req) => {
      const type = req.params.itemtype;
      const tariffs = [...state.tariffs.values()].filter((t) => !type || t.itemtype === type || SIM_ITEMTYPE_IDS[t.itemtype] === type);
      return tariffs.map((t) => tariffNode(state, t));
    },
    { public: true },
  );

  for (const itemtype of ALL_TYPES) {
    // [C] list functions: one elem per service. Deleted services are left out ([I]).
    fn(itemtype, (req) =>
      listReply(
        [...state.services.values()].filter((s) => s.itemtype === itemtype && s.status !== SIM_STATUS.deleted).map((s) => serviceRow(state, s)),
        { p_cnt: req.params.p_cnt, p_num: req.params.p_num },
      ),
    );
    // [I] Group operations on services, like `soft.suspend` (PROTOCOLS §4).
    fn(`${itemtype}.suspend`, (req) => {
      const targets = req.elids.map((id) => state.service(id, itemtype));
      for (const s of targets) state.suspend(s, req.now);
      return okReply();
    });
    fn(`${itemtype}.resume`, (req) => {
      const targets = req.elids.map((id) => state.service(id, itemtype));
      for (const s of targets) state.resume(s, req.now);
      return okReply();
    });
    fn(`${itemtype}.delete`, (req) => {
      const targets = req.elids.map((id) => state.service(id, itemtype));
      for (const s of targets) state.remove(s, req.now);
      return okReply();
    });
    sim.form(`${itemtype}.edit`, {
      view: (req) => {
        state.tick(req.now);
        const s = state.service(req.elid, itemtype);
        return formReply({ ...serviceRow(state, s), ...s.contacts });
      },
      save: (req) => {
        state.tick(req.now);
        const s = state.service(req.elid, itemtype);
        if (req.params.autoprolong !== undefined) s.autoprolong = autoprolongOf(req.params.autoprolong);
        if (itemtype === 'domain') {
          if (req.params.lock !== undefined) s.lock = req.params.lock === 'on';
          if (req.params.auth_code !== undefined) s.authCode = req.params.auth_code;
          Object.assign(s.contacts, contactsOf(req.params));
        } else if (req.params.domain !== undefined) {
          if (req.params.domain && !isDomainName(req.params.domain)) throw new SimError('value', 'domain', { value: req.params.domain });
          s.name = req.params.domain;
          s.params.hostname = req.params.domain;
        }
        state.changed(s, req.now);
        return okReply();
      },
    });
  }

  for (const itemtype of SERVER_TYPES) {
    // [C] S12: `<itemtype>.order.param` with pricelist, period, skipbasket, remoteid, ostempl, domain; the new id in doc.id.
    sim.form(`${itemtype}.order.param`, {
      view: (req) => {
        state.tick(req.now);
        const id = wholeNumber(req, 'pricelist', { required: true })!;
        const t = state.tariff(id, itemtype);
        return formReply({ pricelist: String(t.id), period: String(t.periods[0]?.code ?? '') }, { period: t.periods.map((p) => ({ key: String(p.code), label: String(p.code) })), ostempl: (t.os ?? []).map((o) => ({ key: o, label: o })) });
      },
      save: (req) => {
        state.tick(req.now);
        const tariffId = wholeNumber(req, 'pricelist', { required: true })!;
        const tariff = state.tariff(tariffId, itemtype);
        const periodCode = wholeNumber(req, 'period', { required: true })!;
        // [I] Without skipbasket the order would wait in a cart to be paid by hand; a reseller never wants that.
        if (req.params.skipbasket !== 'on') throw new SimError('value', 'skipbasket', { msg: 'This simulator orders only with skipbasket=on (paid from the balance at once)' });
        const os = req.params.ostempl ?? tariff.os?.[0];
        if (os && tariff.os && !tariff.os.includes(os)) throw new SimError('value', 'ostempl', { value: os });
        const hostname = req.params.domain ?? '';
        if (hostname && !isDomainName(hostname)) throw new SimError('value', 'domain', { value: hostname });
        const s = state.order(
          { itemtype, tariffId, periodCode, remoteid: req.params.remoteid ?? '', name: hostname, autoprolong: autoprolongOf(req.params.autoprolong), params: { ...(os ? { ostempl: os } : {}), ...(hostname ? { hostname } : {}) } },
          req.now,
        );
        return idReply(s.id);
      },
    });
  }

  // [C] S15: domain registration by API; contacts as `<role>_<field>`, name servers ns0..ns3.
  fn('domain.order.api', (req) => {
    const domain = (req.params.domain ?? '').trim().toLowerCase();
    if (!domain) throw new SimError('missed', 'domain');
    if (!isDomainName(domain) || !domain.includes('.')) throw new SimError('value', 'domain', { value: domain });
    const action = req.params.action ?? 'register';
    if (action !== 'register') throw new SimError('value', 'action', { value: action, msg: 'This simulator registers domains only; transfers are not simulated' });
    whoisGuard(state, domain);
    if (state.isTaken(domain)) throw new SimError('exists', 'domain', { value: domain, msg: `The domain ${domain} is busy` });
    const tld = domain.slice(domain.indexOf('.') + 1);
    const tariffId = wholeNumber(req, 'pricelist');
    const tariff = tariffId !== undefined ? state.tariff(tariffId, 'domain') : [...state.tariffs.values()].find((t) => t.itemtype === 'domain' && t.tld === tld);
    if (!tariff) throw new SimError('missed', 'pricelist', { value: tld, msg: `Domains in .${tld} are not sold here` });
    if (tariff.tld && tariff.tld !== tld) throw new SimError('value', 'domain', { value: domain, msg: `Tariff ${tariff.id} registers .${tariff.tld} domains only` });
    const periodCode = wholeNumber(req, 'period') ?? tariff.periods[0]!.code;
    const s = state.order(
      {
        itemtype: 'domain',
        tariffId: tariff.id,
        periodCode,
        remoteid: req.params.remoteid ?? '',
        name: domain,
        autoprolong: autoprolongOf(req.params.autoprolong),
        params: {},
        ns: nameServersOf(req.params) ?? state.defaultNameServers(),
        contacts: contactsOf(req.params),
      },
      req.now,
    );
    return idReply(s.id);
  });

  // [U] No public BILLmanager function checks availability (PROTOCOLS §2.2); this one is ours:
  // `domain=<name.tld>` → <status>free|busy</status>, or the "Try later" error when whois is down.
  fn('domain.check', (req) => {
    const domain = (req.params.domain ?? '').trim().toLowerCase();
    if (!isDomainName(domain) || !domain.includes('.')) throw new SimError('value', 'domain', { value: domain });
    whoisGuard(state, domain);
    return [el('domain', null, domain), el('status', null, state.isTaken(domain) ? 'busy' : 'free')];
  });

  // [C] S7: prolongation; the new expiry inside a nested doc.
  sim.form('service.prolong', {
    view: (req) => {
      state.tick(req.now);
      const s = state.service(req.elid);
      const t = state.tariff(s.tariffId);
      return formReply({ elid: String(s.id), expiredate: s.expiredate ?? '' }, { period: t.periods.map((p) => ({ key: String(p.code), label: String(p.code) })) });
    },
    save: (req) => {
      state.tick(req.now);
      const s = state.service(req.elid);
      if (s.status === SIM_STATUS.processing) throw new SimError('value', 'elid', { value: String(s.id), msg: 'The service is still being set up' });
      const code = wholeNumber(req, 'period') ?? s.periodCode;
      const expiry = state.prolong(s, code, req.now);
      return nestedDocReply(el('newexpiredate', null, expiry ?? ''));
    },
  });

  // [C] S20: name servers of a domain; reads and answers in a nested doc.
  sim.form('domain.ns', {
    view: (req) => {
      state.tick(req.now);
      const s = state.service(req.elid, 'domain');
      return nestedDocReply(...nsNodes(s.ns));
    },
    save: (req) => {
      state.tick(req.now);
      const s = state.service(req.elid, 'domain');
      const ns = nameServersOf(req.params);
      if (!ns || ns.length < 2) throw new SimError('value', 'ns1', { msg: 'Give at least two name servers' });
      s.ns = ns;
      state.changed(s, req.now);
      return nestedDocReply(...nsNodes(s.ns));
    },
  });

  // [U] What the reseller BILLmanager's `checkevent` reads upstream is not public (PROTOCOLS §2.2). Ours:
  // events after `since` (an event id), oldest first, each with the service's state at the time of reading.
  fn('checkevent', (req) => {
    const since = wholeNumber(req, 'since') ?? 0;
    return listReply(
      state.eventsAfter(since).map((e) => {
        const s = state.services.get(e.serviceId)!;
        return { ...serviceRow(state, s), id: String(e.id), service: String(s.id), itemtype: s.itemtype, event: e.event, eventdate: e.at };
      }),
    );
  });

  // Controls for tests and rehearsals, not BILLmanager functions: the simulator's admin only.
  fn('simulator.whois', (req) => {
    if (req.params.state !== 'up' && req.params.state !== 'down') throw new SimError('value', 'state', { value: req.params.state ?? '' });
    state.whoisDown = req.params.state === 'down';
    return okReply();
  }, { minLevel: LEVEL_ADMIN });
  fn('simulator.balance', (req) => {
    const raw = req.params.amount ?? '';
    if (!/^\d{1,9}(\.\d{1,2})?$/.test(raw)) throw new SimError('value', 'amount', { value: raw });
    const [whole, frac = ''] = raw.split('.');
    state.account.balance = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
    return okReply();
  }, { minLevel: LEVEL_ADMIN });
}

// The simulated upstream BILLmanager's memory: the reseller's account balance, tariffs, services,
// domains registered by others, the whois switch and the event log its own clock writes.
import { convert, formatMoney, toDecimalString } from '../../../core/money/money.ts';
import { addDays, addMonths, dayOf } from '../../../core/billing/services/periods.ts';
import { SimError } from '../../../core/upstream/ispsystem/simulator/index.ts';
import { DAY_CODE, DEFAULT_TRIAL_DAYS, LIFETIME_CODE, TRIAL_CODE } from '../upstream/periods.ts';
import { DEFAULT_NAME_SERVERS, DEFAULT_RATES, DEFAULT_TAKEN_DOMAINS, DEFAULT_TARIFFS, type SimItemType, type SimTariff } from './catalog.ts';

/** Item statuses as BILLmanager numbers them ([I] PROTOCOLS §3.2: 1 ordered, 2 active, 3 suspended, 4 deleted, 5 processing). */
export const SIM_STATUS = { ordered: 1, active: 2, suspended: 3, deleted: 4, processing: 5 } as const;

export type SimEventKind = 'open' | 'suspend' | 'resume' | 'close' | 'prolong' | 'setparam';

export interface SimService {
  id: number;
  itemtype: SimItemType;
  tariffId: number;
  /** The domain name, or the server's host name. */
  name: string;
  /** The reseller's own id for it (`remoteid`), '' when none was sent. */
  remoteid: string;
  status: number;
  periodCode: number;
  createdAt: string;
  expiredate: string | null;
  /** When it finishes opening (ms on the simulator's clock); null once open. */
  opensAt: number | null;
  autoprolong: boolean;
  params: Record<string, string>;
  ns: string[];
  lock: boolean;
  /** Domain contacts as sent: `owner_email`, `admin_phone`, ... */
  contacts: Record<string, string>;
  /** The domain's transfer code (never listed). */
  authCode: string;
}

export interface SimEvent {
  id: number;
  at: string;
  serviceId: number;
  event: SimEventKind;
}

export interface BillmanagerStateOptions {
  /** Opening balance in minor units of `currency` (default 10 000.00). */
  balance?: number;
  currency?: string;
  tariffs?: SimTariff[];
  takenDomains?: string[];
  rates?: Record<string, { rateToBase: number; minorUnits: number }>;
}

export interface OrderInput {
  itemtype: SimItemType;
  tariffId: number;
  periodCode: number;
  remoteid: string;
  name: string;
  autoprolong: boolean;
  params: Record<string, string>;
  ns?: string[];
  contacts?: Record<string, string>;
}

function cloneTariff(t: SimTariff): SimTariff {
  return { ...t, periods: t.periods.map((p) => ({ ...p })), ...(t.os ? { os: [...t.os] } : {}) };
}

/** The end of a period that starts on `day`. */
export function periodEndOf(day: string, code: number): string | null {
  if (code === LIFETIME_CODE) return null;
  if (code === TRIAL_CODE) return addDays(day, DEFAULT_TRIAL_DAYS);
  if (code === DAY_CODE) return addDays(day, 1);
  return addMonths(day, code);
}

export class BillmanagerState {
  readonly account: { balance: number; currency: string };
  readonly tariffs = new Map<number, SimTariff>();
  readonly services = new Map<number, SimService>();
  readonly events: SimEvent[] = [];
  readonly taken: Set<string>;
  readonly rates: Record<string, { rateToBase: number; minorUnits: number }>;
  /** Whois cannot be reached: availability checks and registrations answer "Try later". */
  whoisDown = false;
  #nextService = 1001;
  #nextEvent = 1;
  #nextIp = 10;

  constructor(opts: BillmanagerStateOptions = {}) {
    this.account = { balance: opts.balance ?? 1_000_000, currency: opts.currency ?? 'RUB' };
    for (const t of opts.tariffs ?? DEFAULT_TARIFFS) this.tariffs.set(t.id, cloneTariff(t));
    this.taken = new Set((opts.takenDomains ?? DEFAULT_TAKEN_DOMAINS).map((d) => d.toLowerCase()));
    this.rates = opts.rates ?? DEFAULT_RATES;
  }

  /** The balance as `dashboard.info` shows it: "1234.56 RUB". */
  balanceText(): string {
    const minor = this.rates[this.account.currency]?.minorUnits ?? 2;
    return `${toDecimalString(this.account.balance, minor)} ${this.account.currency}`;
  }

  /** What a period of a tariff costs the reseller, in the account's currency. */
  costOf(tariff: SimTariff, code: number): number {
    const period = tariff.periods.find((p) => p.code === code);
    if (!period) throw new SimError('value', 'period', { value: String(code), msg: `Tariff ${tariff.id} cannot be ordered for period ${code}` });
    return convert({ amount: period.cost, currency: tariff.currency }, this.account.currency, this.rates).amount;
  }

  /** Takes money from the balance, or refuses the whole operation when there is not enough. */
  charge(amount: number, what: string): void {
    if (amount > this.account.balance) {
      // [U] The error a real BILLmanager gives for an order it cannot pay from the balance is not public.
      throw new SimError('balance', 'account', {
        value: this.balanceText(),
        msg: `Not enough money on the account to pay for ${what}: it costs ${formatMoney({ amount, currency: this.account.currency })}, the balance is ${this.balanceText()}`,
      });
    }
    this.account.balance -= amount;
  }

  /**
   * Moves the simulated world to `now`: orders whose set-up time has come open, and services whose
   * term ran out are prolonged from the balance (autoprolong) or suspended. Each change is an event.
   */
  tick(now: Date): void {
    const today = dayOf(now);
    for (const s of this.services.values()) {
      if (s.status === SIM_STATUS.processing && s.opensAt !== null && s.opensAt <= now.getTime()) {
        const opened = new Date(s.opensAt);
        s.status = SIM_STATUS.active;
        s.opensAt = null;
        s.expiredate = periodEndOf(dayOf(opened), s.periodCode);
        if (s.itemtype !== 'domain') s.params.ip ??= `10.0.0.${this.#nextIp++}`;
        if (s.itemtype === 'domain') this.taken.add(s.name);
        this.#event(s, 'open', opened);
      }
      if ((s.status === SIM_STATUS.active || s.status === SIM_STATUS.suspended) && s.expiredate !== null && s.expiredate <= today) {
        const at = new Date(`${s.expiredate}T00:00:00Z`);
        if (s.autoprolong) {
          try {
            this.prolong(s, s.periodCode, at);
            continue;
          } catch {
            // Not enough money: it lapses like any other.
          }
        }
        if (s.status === SIM_STATUS.active) {
          s.status = SIM_STATUS.suspended;
          this.#event(s, 'suspend', at);
        }
      }
    }
  }

  tariff(id: number, itemtype?: SimItemType): SimTariff {
    const t = this.tariffs.get(id);
    if (!t || (itemtype && t.itemtype !== itemtype)) throw new SimError('missed', 'pricelist', { value: String(id) });
    return t;
  }

  /** A service of this account that is not deleted. */
  service(id: string | number | undefined, itemtype?: SimItemType): SimService {
    const s = this.services.get(Number(id));
    if (!s || s.status === SIM_STATUS.deleted || (itemtype && s.itemtype !== itemtype)) throw new SimError('missed', 'elid', { value: String(id ?? '') });
    return s;
  }

  order(input: OrderInput, now: Date): SimService {
    const tariff = this.tariff(input.tariffId, input.itemtype);
    const cost = this.costOf(tariff, input.periodCode);
    this.charge(cost, tariff.name);
    const s: SimService = {
      id: this.#nextService++,
      itemtype: input.itemtype,
      tariffId: tariff.id,
      name: input.name,
      remoteid: input.remoteid,
      status: SIM_STATUS.processing,
      periodCode: input.periodCode,
      createdAt: now.toISOString(),
      expiredate: null,
      opensAt: now.getTime() + (tariff.setupMinutes ?? 1) * 60_000,
      autoprolong: input.autoprolong,
      params: { ...input.params },
      ns: input.ns ?? [],
      lock: false,
      contacts: input.contacts ?? {},
      authCode: '',
    };
    this.services.set(s.id, s);
    return s;
  }

  prolong(s: SimService, code: number, at: Date): string | null {
    const tariff = this.tariff(s.tariffId);
    this.charge(this.costOf(tariff, code), `the prolongation of ${s.name || `#${s.id}`}`);
    const from = s.expiredate && s.expiredate > dayOf(at) ? s.expiredate : dayOf(at);
    s.expiredate = periodEndOf(from, code);
    if (s.status === SIM_STATUS.suspended) s.status = SIM_STATUS.active;
    this.#event(s, 'prolong', at);
    return s.expiredate;
  }

  suspend(s: SimService, at: Date): void {
    if (s.status === SIM_STATUS.active) {
      s.status = SIM_STATUS.suspended;
      this.#event(s, 'suspend', at);
    }
  }

  resume(s: SimService, at: Date): void {
    if (s.status !== SIM_STATUS.suspended) return;
    if (s.expiredate !== null && s.expiredate <= dayOf(at)) throw new SimError('value', 'expiredate', { value: s.expiredate, msg: 'The service has expired: prolong it to resume it' });
    s.status = SIM_STATUS.active;
    this.#event(s, 'resume', at);
  }

  remove(s: SimService, at: Date): void {
    s.status = SIM_STATUS.deleted;
    s.opensAt = null;
    this.#event(s, 'close', at);
  }

  changed(s: SimService, at: Date): void {
    this.#event(s, 'setparam', at);
  }

  /** Whether a domain is registered (by anybody, including this account's open orders). */
  isTaken(fqdn: string): boolean {
    const name = fqdn.toLowerCase();
    if (this.taken.has(name)) return true;
    return [...this.services.values()].some((s) => s.itemtype === 'domain' && s.status !== SIM_STATUS.deleted && s.name === name);
  }

  defaultNameServers(): string[] {
    return [...DEFAULT_NAME_SERVERS];
  }

  eventsAfter(lastId: number): SimEvent[] {
    return this.events.filter((e) => e.id > lastId);
  }

  #event(s: SimService, event: SimEventKind, at: Date): void {
    this.events.push({ id: this.#nextEvent++, at: at.toISOString(), serviceId: s.id, event });
  }
}

// What the simulated upstream sells out of the box: seed 001's mix (domains in roubles, servers in euros).

/** BILLmanager item type internal names the simulator knows. */
export type SimItemType = 'domain' | 'vds' | 'dedic' | 'vhost';

export interface SimTariffPeriod {
  /** Period code (PROTOCOLS §2.1). */
  code: number;
  /** Cost in minor units of the tariff's currency. */
  cost: number;
}

export interface SimTariff {
  id: number;
  name: string;
  itemtype: SimItemType;
  currency: string;
  periods: SimTariffPeriod[];
  /** Domains: the zone this tariff registers ('ru'). */
  tld?: string;
  /** OS templates a server can be ordered with (`itemtypeparam` ostempl). */
  os?: string[];
  /** Minutes a new service takes to open after ordering, on the simulator's clock. */
  setupMinutes?: number;
}

export const DEFAULT_TARIFFS: SimTariff[] = [
  { id: 101, name: 'VDS-1 (1 vCPU, 1 GB RAM, 20 GB SSD)', itemtype: 'vds', currency: 'EUR', periods: [{ code: 1, cost: 500 }, { code: 3, cost: 1450 }, { code: 12, cost: 5400 }], os: ['Debian-12', 'Ubuntu-24.04', 'AlmaLinux-9'], setupMinutes: 2 },
  { id: 102, name: 'VDS-2 (2 vCPU, 4 GB RAM, 60 GB SSD)', itemtype: 'vds', currency: 'EUR', periods: [{ code: 1, cost: 1200 }, { code: 12, cost: 13000 }], os: ['Debian-12', 'Ubuntu-24.04'], setupMinutes: 2 },
  { id: 201, name: 'Dedicated E3-1230v6, 32 GB', itemtype: 'dedic', currency: 'EUR', periods: [{ code: 1, cost: 5900 }, { code: 12, cost: 65000 }], os: ['Debian-12', 'AlmaLinux-9'], setupMinutes: 60 },
  { id: 301, name: 'Domain .ru', itemtype: 'domain', currency: 'RUB', tld: 'ru', periods: [{ code: 12, cost: 59000 }], setupMinutes: 3 },
  { id: 302, name: 'Domain .su', itemtype: 'domain', currency: 'RUB', tld: 'su', periods: [{ code: 12, cost: 89000 }], setupMinutes: 3 },
  { id: 303, name: 'Domain .com', itemtype: 'domain', currency: 'RUB', tld: 'com', periods: [{ code: 12, cost: 109000 }, { code: 24, cost: 218000 }], setupMinutes: 3 },
  { id: 401, name: 'Hosting Start', itemtype: 'vhost', currency: 'RUB', periods: [{ code: 1, cost: 15000 }, { code: 12, cost: 150000 }], setupMinutes: 1 },
];

/** Registered by somebody else: ordering them answers "Busy". */
export const DEFAULT_TAKEN_DOMAINS = ['example.ru', 'yandex.ru', 'busy.ru', 'google.com', 'example.com', 'ispsystem.com'];

/** Price of one unit in roubles, in millionths (the rate table core's convert() reads). */
export const DEFAULT_RATES: Record<string, { rateToBase: number; minorUnits: number }> = {
  RUB: { rateToBase: 1_000_000, minorUnits: 2 },
  EUR: { rateToBase: 100_000_000, minorUnits: 2 },
  USD: { rateToBase: 90_000_000, minorUnits: 2 },
};

/** Name servers the upstream delegates a domain to when the order names none. */
export const DEFAULT_NAME_SERVERS = ['ns1.simulator.test', 'ns2.simulator.test'];

// Deterministic demo people: a seeded PRNG and the clients it makes (names, companies, addresses, currencies).
import type { ClientInputFields, ContactInputFields } from '../billing/clients/index.ts';

/** mulberry32: small, fast and the same on every machine, so the same seed gives the same panel. */
export function prng(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p) => next() < p,
    weighted: <T>(entries: readonly (readonly [T, number])[]): T => {
      const total = entries.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, w] of entries) {
        r -= w;
        if (r < 0) return value;
      }
      return entries[entries.length - 1]![0];
    },
  };
}

export interface Random {
  /** [0, 1) */
  next(): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
  weighted<T>(entries: readonly (readonly [T, number])[]): T;
}

interface Place {
  country: string;
  currency: 'USD' | 'EUR' | 'RUB';
  language: 'en' | 'ru';
  cities: readonly (readonly [city: string, state: string, zip: string])[];
  firstNames: readonly string[];
  lastNames: readonly string[];
  phone: string;
}

const PLACES: readonly (readonly [Place, number])[] = [
  [
    {
      country: 'US', currency: 'USD', language: 'en', phone: '+1 555 01',
      cities: [['Portland', 'OR', '97201'], ['Austin', 'TX', '73301'], ['San Jose', 'CA', '95112'], ['Buffalo', 'NY', '14201'], ['Denver', 'CO', '80202'], ['Los Angeles', 'CA', '90012']],
      firstNames: ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Alan', 'Radia', 'John', 'Mary', 'Steve', 'Hedy', 'Larry'],
      lastNames: ['Hopper', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Perlman', 'Kernighan', 'Knuth', 'Lamarr', 'Wozniak', 'Backus', 'Engelbart'],
    },
    40,
  ],
  [
    {
      country: 'DE', currency: 'EUR', language: 'en', phone: '+49 30 5550',
      cities: [['Berlin', '', '10115'], ['Hamburg', '', '20095'], ['München', '', '80331'], ['Köln', '', '50667']],
      firstNames: ['Anna', 'Jonas', 'Lena', 'Felix', 'Marie', 'Lukas', 'Sophie', 'Paul', 'Klara', 'Emil'],
      lastNames: ['Berg', 'Schmidt', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann', 'Schulz', 'Zuse', 'Koch'],
    },
    20,
  ],
  [
    {
      country: 'FR', currency: 'EUR', language: 'en', phone: '+33 1 55 50',
      cities: [['Paris', '', '75001'], ['Lyon', '', '69001'], ['Toulouse', '', '31000']],
      firstNames: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Inès', 'Jules', 'Léa', 'Arthur'],
      lastNames: ['Martin', 'Bernard', 'Dubois', 'Moreau', 'Laurent', 'Lefèvre', 'Roux', 'Fontaine'],
    },
    10,
  ],
  [
    {
      country: 'RU', currency: 'RUB', language: 'ru', phone: '+7 495 555',
      cities: [['Москва', '', '101000'], ['Санкт-Петербург', '', '190000'], ['Новосибирск', '', '630000'], ['Казань', '', '420000']],
      firstNames: ['Анна', 'Иван', 'Мария', 'Дмитрий', 'Елена', 'Алексей', 'Ольга', 'Сергей'],
      lastNames: ['Иванова', 'Петров', 'Смирнова', 'Кузнецов', 'Попова', 'Соколов', 'Лебедева', 'Козлов'],
    },
    20,
  ],
  [
    {
      country: 'GB', currency: 'EUR', language: 'en', phone: '+44 20 7946',
      cities: [['London', '', 'EC1A 1BB'], ['Manchester', '', 'M1 1AE'], ['Leeds', '', 'LS1 1UR']],
      firstNames: ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Ava', 'Noah', 'Emily'],
      lastNames: ['Turing', 'Lovelace', 'Babbage', 'Berners-Lee', 'Wilkes', 'Jones', 'Taylor', 'Brown'],
    },
    10,
  ],
];

const COMPANY_WORDS = ['Blue', 'North', 'Bright', 'Quiet', 'Swift', 'Oak', 'Lumen', 'Harbor', 'Pixel', 'Granite', 'Cedar', 'Atlas'];
const COMPANY_KINDS = ['Studio', 'Labs', 'Media', 'Logistics', 'Bakery', 'Consulting', 'Games', 'Travel', 'Dental', 'Books'];
const COMPANY_FORMS: Record<string, string> = { US: 'LLC', DE: 'GmbH', FR: 'SARL', RU: 'ООО', GB: 'Ltd' };
const STREETS = ['Main Street', 'Market Street', 'Oak Avenue', 'Station Road', 'Park Lane', 'Hauptstraße', 'Rue de la Paix', 'Тверская улица'];

export interface DemoPerson {
  client: ClientInputFields;
  contact: ContactInputFields;
  /** For labels: a domain-like name the person's services use. */
  domain: string;
}

function slug(s: string): string {
  const latin = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return latin || 'client';
}

/** The i-th demo client: a person or (one in three) a company, somewhere the catalog sells to. */
export function demoPerson(rnd: Random, i: number): DemoPerson {
  const place = rnd.weighted(PLACES);
  const first = rnd.pick(place.firstNames);
  const last = rnd.pick(place.lastNames);
  const [city, state, zip] = rnd.pick(place.cities);
  const isCompany = rnd.chance(0.33);
  const companyName = isCompany ? `${rnd.pick(COMPANY_WORDS)} ${rnd.pick(COMPANY_KINDS)} ${COMPANY_FORMS[place.country] ?? ''}`.trim() : '';
  // e-mail addresses on example.test: nothing a demo sends can reach anyone.
  const handle = place.language === 'ru' ? `client${i}` : `${slug(first)}.${slug(last)}${i}`;
  const domain = isCompany ? `${slug(companyName.replace(/ (LLC|GmbH|SARL|Ltd|ООО)$/, ''))}${i}.example` : `${slug(last)}-${i}.example`;
  const email = `${handle}@example.test`;
  return {
    domain: domain.replace(/^-+/, 'site'),
    client: {
      kind: isCompany ? 'company' : 'person',
      company: companyName,
      country: place.country,
      currency: place.currency,
      language: place.language,
      taxExempt: isCompany && place.country !== 'US' && rnd.chance(0.15),
      vatNumber: isCompany && place.country === 'DE' ? `DE${String(100_000_000 + i * 7919).slice(0, 9)}` : '',
    },
    contact: {
      firstName: first,
      lastName: last,
      company: companyName,
      email,
      address1: `${rnd.int(1, 240)} ${rnd.pick(STREETS)}`,
      city,
      state,
      zip,
      country: place.country,
      phone: `${place.phone} ${String(rnd.int(1000, 9999))}`,
      language: place.language,
      emailActions: ['invoices', 'payment_receipts', 'service_notices', 'support_replies'],
      permissions: 'all',
    },
  };
}

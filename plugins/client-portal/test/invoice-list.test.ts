// The client's invoice list: only the client's own invoices (never another's, whatever the cursor or
// filter says), sorting by amount, date and status both ways, the status filter, keyset paging that
// visits every invoice once, full pages and htmx fragments, Russian, and plans without full scans.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { portalApp, type PortalFixture } from './helpers.ts';
import { insertBatched } from '../../../core/db/batch.ts';
import { dbEngine } from '../../../core/db/knex.ts';
import type { InvoiceStatus } from '../../../core/billing/invoices/store.ts';
import { fullScans } from '../../../test/helpers/query-plans.ts';
import type { PageResult } from '../../../test/helpers/app.ts';

const AT = '2026-03-02T09:00:00.000Z';
const STATUSES: InvoiceStatus[] = ['paid', 'paid', 'unpaid', 'cancelled', 'collections', 'refunded', 'paid'];

interface Seeded {
  id: number;
  number: string;
  status: InvoiceStatus;
  total: number;
  amount_paid: number;
  currency: string;
  entered_on: string;
  due_on: string;
}

function day(offset: number): string {
  return new Date(Date.UTC(2025, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
}

/** `count` invoices of a client: statuses, amounts and dates repeat, so only the id orders ties. */
function invoices(clientId: number, prefix: string, count: number, opts: { statuses?: InvoiceStatus[] } = {}) {
  const statuses = opts.statuses ?? STATUSES;
  return Array.from({ length: count }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    const total = 1000 + (i % 9) * 250;
    const settled = status === 'paid' || status === 'refunded';
    return {
      number: `${prefix}-${String(i + 1).padStart(5, '0')}`, client_id: clientId, kind: 'renewal', status, currency: i % 10 === 0 ? 'EUR' : 'USD', tax_inclusive: false,
      subtotal: total, discount: 0, tax: 0, total, amount_paid: settled ? total : status === 'collections' ? 300 : 0, amount_refunded: status === 'refunded' ? total : 0,
      entered_on: day(Math.floor(i / 3) * 3), due_on: day(Math.floor(i / 3) * 3 + 14), reminder_stage: 0, notes: '', created_at: AT, updated_at: AT,
    };
  });
}

async function seededOf(db: Knex, clientId: number): Promise<Seeded[]> {
  const rows = (await db('core_invoices').where({ client_id: clientId }).whereNot('status', 'draft').select('id', 'number', 'status', 'total', 'amount_paid', 'currency', 'entered_on', 'due_on')) as Seeded[];
  return rows.map((r) => ({ ...r, id: Number(r.id), total: Number(r.total), amount_paid: Number(r.amount_paid) }));
}

function order(rows: Seeded[], key: 'total' | 'entered_on' | 'status', dir: 'asc' | 'desc'): string[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => sign * (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id)).map((r) => r.number);
}

const fmt = (minor: number) => (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const numbers = (page: PageResult) => page.$('#invoices tbody tr td:first-child a').map((_, a) => page.$(a).text().trim()).get();
const nextHref = (page: PageResult) => page.$('#invoices a[rel="next"]').attr('href');
const prevHref = (page: PageResult) => page.$('#invoices a[rel="prev"]').attr('href');

/** Follows Next links from `url` and returns the invoice numbers of each page. */
async function walk(agent: PortalFixture['client'], url: string): Promise<{ pages: string[][]; last: PageResult }> {
  const pages: string[][] = [];
  let page = await agent.get(url);
  expect(page.status, url).toBe(200);
  pages.push(numbers(page));
  for (let href = nextHref(page); href; href = nextHref(page)) {
    page = await agent.get(href);
    expect(page.status, href).toBe(200);
    pages.push(numbers(page));
    expect(pages.length).toBeLessThan(20);
  }
  return { pages, last: page };
}

describe('invoice list', () => {
  let f: PortalFixture;
  let mine: Seeded[];
  let theirs: Seeded[];

  beforeAll(async () => {
    f = await portalApp();
    const db = f.t.services.db;
    await insertBatched(db, 'core_invoices', invoices(f.clientId, 'ADA', 120));
    await insertBatched(db, 'core_invoices', invoices(f.otherClientId, 'OTH', 40, { statuses: ['paid', 'cancelled'] }));
    await db('core_invoices').insert({ ...invoices(f.clientId, 'DRAFT', 1)[0], status: 'draft' });
    mine = await seededOf(db, f.clientId);
    theirs = await seededOf(db, f.otherClientId);
  });
  afterAll(async () => {
    await f.t.destroy();
  });

  it('is a full page with the guide’s columns, newest first, in the Billing menu', async () => {
    const page = await f.client.get('/client/invoices');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/^<!doctype html>/i);
    expect(page.$('h1').text()).toBe('Invoices');
    expect(page.$('nav.side-nav a[href="/client/invoices"]').attr('aria-current')).toBe('page');
    expect(page.$('#invoices thead th').map((_, th) => page.$(th).text().trim().replace(/[▲▼\s]+$/, '')).get()).toEqual(['Invoice ID', 'Amount', 'Entered', 'Due Date', 'Status', 'Payment']);
    expect(numbers(page)).toEqual(order(mine, 'entered_on', 'desc').slice(0, 25));
    expect(page.$('#invoices th[aria-sort="descending"]').text()).toMatch(/Entered/);
    expect(page.$('.page-info').text()).toBe('120 in all');
    const first = page.$('#invoices tbody tr').first();
    const inv = mine.find((i) => i.number === first.find('td').first().text().trim())!;
    expect(first.find('td:first-child a').attr('href')).toBe(`/client/invoices/${inv.id}`);
    expect(first.find('td').eq(1).text().trim()).toBe(`${fmt(inv.total)} ${inv.currency}`);
    expect(first.find('td').eq(2).text().trim()).toBe(inv.entered_on);
    expect(page.$('a[rel="prev"]')).toHaveLength(0);
    expect(page.html).not.toContain('DRAFT-');
  });

  it('pages through all 120 invoices with Next, each exactly once, and back with Previous', async () => {
    for (const [query, key, dir] of [
      ['', 'entered_on', 'desc'],
      ['?sort=total&dir=asc', 'total', 'asc'],
      ['?sort=status&dir=desc', 'status', 'desc'],
    ] as const) {
      const { pages, last } = await walk(f.client, `/client/invoices${query}`);
      expect(pages.map((p) => p.length)).toEqual([25, 25, 25, 25, 20]);
      expect(pages.flat()).toEqual(order(mine, key, dir));
      const back: string[][] = [numbers(last)];
      let page = last;
      for (let href = prevHref(page); href; href = prevHref(page)) {
        page = await f.client.get(href);
        back.unshift(numbers(page));
      }
      expect(back).toEqual(pages);
      // "First" from a deep page is the first page again.
      const deep = await f.client.get(nextHref(await f.client.get(nextHref(await f.client.get(`/client/invoices${query}`))!))!);
      const firstLink = deep.$('#invoices .pagination a').filter((_, a) => deep.$(a).text().includes('First')).attr('href')!;
      expect(numbers(await f.client.get(firstLink))).toEqual(pages[0]);
    }
  });

  it('sorts by amount, date and status in both directions with plain links that htmx upgrades', async () => {
    const page = await f.client.get('/client/invoices');
    const sortLinks = page.$('#invoices thead th a');
    expect(sortLinks.map((_, a) => page.$(a).text().replace(/[▲▼\s]+$/, '')).get()).toEqual(['Amount', 'Entered', 'Status']);
    for (const a of sortLinks.toArray()) {
      expect(page.$(a).attr('hx-get')).toBe(page.$(a).attr('href'));
      expect(page.$(a).attr('hx-target')).toBe('#invoices');
    }
    for (const key of ['total', 'entered_on', 'status'] as const) {
      for (const dir of ['asc', 'desc'] as const) {
        const sorted = await f.client.get(`/client/invoices?sort=${key}&dir=${dir}`);
        expect(numbers(sorted), `${key} ${dir}`).toEqual(order(mine, key, dir).slice(0, 25));
        expect(sorted.$(`#invoices th[aria-sort="${dir === 'asc' ? 'ascending' : 'descending'}"] a`).attr('href')).toContain(`sort=${key}`);
      }
    }
    // Filtered by one status, the status column is constant and not offered as a sort.
    const filtered = await f.client.get('/client/invoices?status=paid');
    expect(filtered.$('#invoices thead th a').map((_, a) => filtered.$(a).text().replace(/[▲▼\s]+$/, '')).get()).toEqual(['Amount', 'Entered']);
    // A sort link from a deep page starts that sort from its first page.
    const deep = await f.client.get(nextHref(page)!);
    const amount = deep.$('#invoices thead th a').first().attr('href')!;
    expect(amount).not.toContain('after=');
    expect(numbers(await f.client.get(amount))).toEqual(order(mine, 'total', 'asc').slice(0, 25));
  });

  it('filters by status with a plain GET form that htmx enhances, and keeps the sort', async () => {
    const page = await f.client.get('/client/invoices?sort=total&dir=desc');
    const form = page.$('form.filters');
    expect(form.attr('method')).toBe('get');
    expect(form.attr('action')).toBe('/client/invoices');
    expect(form.attr('hx-get')).toBe('/client/invoices');
    expect(form.attr('hx-target')).toBe('#invoices');
    expect(page.$('label[for="invoice-status"]').text()).toBe('Status');
    expect(page.$('#invoice-status option').map((_, o) => page.$(o).attr('value')).get()).toEqual(['', 'unpaid', 'collections', 'paid', 'refunded', 'cancelled']);
    expect(form.find('input[type="hidden"][name="sort"]').attr('value')).toBe('total');
    for (const status of ['unpaid', 'collections', 'paid', 'refunded', 'cancelled'] as const) {
      const expected = order(mine.filter((i) => i.status === status), 'total', 'desc');
      const { pages } = await walk(f.client, `/client/invoices?status=${status}&sort=total&dir=desc`);
      expect(pages.flat(), status).toEqual(expected);
      const filtered = await f.client.get(`/client/invoices?status=${status}`);
      expect(filtered.$('#invoice-status option[selected]').attr('value')).toBe(status);
      expect(filtered.$('.page-info').text()).toBe(`${expected.length} in all`);
    }
    // Drafts are never a client's to see, and an unknown status is no filter at all.
    for (const odd of ['draft', 'nonsense', "paid' or 1=1"]) {
      const all = await f.client.get(`/client/invoices?status=${encodeURIComponent(odd)}`);
      expect(all.status).toBe(200);
      expect(all.$('.page-info').text()).toBe('120 in all');
      expect(all.html).not.toContain('DRAFT-');
    }
    const empty = await f.other.get('/client/invoices?status=unpaid');
    expect(empty.$('#invoices td.empty').text()).toBe('No invoices with this status.');
  });

  it('never shows another client’s invoices, whatever cursor or filter is sent', async () => {
    const theirNumbers = new Set(theirs.map((i) => i.number));
    // Ada's cursors, followed by the other client: its own invoices only.
    const ada = await f.client.get('/client/invoices?sort=total&dir=asc');
    const cursorUrl = nextHref(ada)!;
    const seenByOther = await f.other.get(cursorUrl);
    expect(seenByOther.status).toBe(200);
    expect(numbers(seenByOther).every((n) => theirNumbers.has(n))).toBe(true);
    const { pages } = await walk(f.other, '/client/invoices?status=paid');
    expect(pages.flat()).toEqual(order(theirs.filter((i) => i.status === 'paid'), 'entered_on', 'desc'));
    // And everything Ada can reach is hers.
    for (const query of ['', '?sort=status&dir=asc', '?status=cancelled', '?status=paid&sort=entered_on&dir=asc']) {
      const { pages: adas } = await walk(f.client, `/client/invoices${query}`);
      expect(adas.flat().some((n) => theirNumbers.has(n)), query).toBe(false);
    }
    // A forged or tampered cursor is the first page, never an error.
    const good = new URL(cursorUrl, 'http://x').searchParams.get('after')!;
    const forged = Buffer.from(JSON.stringify(['invoices', 'total', 'asc', 0, 0])).toString('base64url');
    for (const bad of [`${forged}.${good.split('.')[1]}`, forged, `${good}x`, 'garbage', '']) {
      for (const param of ['after', 'before']) {
        const page = await f.client.get(`/client/invoices?sort=total&dir=asc&${param}=${encodeURIComponent(bad)}`);
        expect(page.status).toBe(200);
        expect(numbers(page)).toEqual(order(mine, 'total', 'asc').slice(0, 25));
      }
    }
  });

  it('links "Pay now" on open invoices and "Pay all outstanding" when anything is owed', async () => {
    const page = await f.client.get('/client/invoices?status=collections');
    for (const tr of page.$('#invoices tbody tr').toArray()) {
      const number = page.$(tr).find('td').first().text().trim();
      const inv = mine.find((i) => i.number === number)!;
      const pay = page.$(tr).find(`a[href="/client/invoices/${inv.id}/pay"]`);
      expect(pay.text()).toBe('Pay now');
      expect(pay.attr('aria-label')).toBe(`Pay invoice ${number}`);
      // Entered in 2025 and due two weeks later: overdue on the test clock's 2026-03-02.
      expect(page.$(tr).find('td').eq(3).text().trim()).toBe(`${inv.due_on}, overdue`);
      expect(page.$(tr).find('td').eq(3).find('.badge-failed')).toHaveLength(1);
    }
    const paid = await f.client.get('/client/invoices?status=paid');
    expect(paid.$('#invoices a[href$="/pay"]')).toHaveLength(0);
    expect(paid.$('#invoices tbody tr td:nth-child(4) .badge')).toHaveLength(0);

    const open = mine.filter((i) => i.status === 'unpaid' || i.status === 'collections');
    const owed = (currency: string) => open.filter((i) => i.currency === currency).reduce((s, i) => s + i.total - i.amount_paid, 0);
    const summary = page.$('#outstanding-h').parent();
    expect(owed('EUR')).toBeGreaterThan(0);
    expect(summary.find('.big-number').map((_, e) => page.$(e).text()).get()).toEqual([`${fmt(owed('EUR'))} EUR`, `${fmt(owed('USD'))} USD`]);
    expect(summary.find('a[href="/client/invoices/pay"]').text()).toBe('Pay all outstanding');
    // The other client owes nothing: no summary, no link.
    const nothing = await f.other.get('/client/invoices');
    expect(nothing.$('#outstanding-h')).toHaveLength(0);
    expect(nothing.$('a[href="/client/invoices/pay"]')).toHaveLength(0);
  });

  it('answers htmx with the fragment and everyone else with the whole page', async () => {
    const page = await f.client.get('/client/invoices');
    const next = page.$('#invoices a[rel="next"]');
    expect(next.attr('hx-get')).toBe(next.attr('href'));
    expect(next.attr('hx-select')).toBe('#invoices');
    expect(next.attr('hx-push-url')).toBe('true');
    const fragment = await f.client.get(next.attr('href')!, { 'HX-Request': 'true' });
    expect(fragment.status).toBe(200);
    expect(fragment.res.headers.get('vary')).toMatch(/HX-Request/);
    expect(fragment.html).not.toMatch(/<html|<body/i);
    expect(fragment.$('nav.side-nav')).toHaveLength(0);
    expect(fragment.$('#invoices tbody tr')).toHaveLength(25);
    const full = await f.client.get(next.attr('href')!);
    expect(full.$('nav.side-nav')).toHaveLength(1);
    expect(numbers(full)).toEqual(numbers(fragment));
    // A boosted or history-restoring request gets the page, as a browser without htmx would.
    expect((await f.client.get('/client/invoices', { 'HX-Request': 'true', 'HX-History-Restore-Request': 'true' })).$('nav.side-nav')).toHaveLength(1);
  });

  it('speaks Russian when the client chose it', async () => {
    await f.client.post('/language', { lang: 'ru', next: '/client/invoices' });
    try {
      const page = await f.client.get('/client/invoices?status=collections');
      expect(page.$('html').attr('lang')).toBe('ru');
      expect(page.$('h1').text()).toBe('Счета');
      expect(page.$('nav.side-nav a[href="/client/invoices"]').text()).toBe('Счета');
      expect(page.$('#invoices thead th').map((_, th) => page.$(th).text().trim().replace(/[▲▼\s]+$/, '')).get()).toEqual(['Номер счёта', 'Сумма', 'Выставлен', 'Срок оплаты', 'Статус', 'Оплата']);
      // 'Cancelled' is left out: core's Russian for it is a service's ("Отменена"), see labels.ts.
      expect(page.$('#invoice-status option').map((_, o) => page.$(o).text()).get().slice(0, 5)).toEqual(['Все счета', 'Не оплачен', 'Передан на взыскание', 'Оплачен', 'Возвращён']);
      expect(page.$('#invoices tbody .badge-failed').first().text()).toMatch(/, просрочен$/);
      expect(page.$('#invoices a[href$="/pay"]').first().text()).toBe('Оплатить');
      expect(page.$('#outstanding-h').text()).toBe('К оплате');
      expect(page.$('#outstanding-h').parent().text()).toMatch(/неоплаченн/);
      expect(page.$('a[href="/client/invoices/pay"]').text()).toBe('Оплатить все счета');
      expect(page.$('button[type="submit"]').filter((_, b) => page.$(b).text() === 'Показать')).toHaveLength(1);
      const all = await f.client.get('/client/invoices');
      expect(all.$('.page-info').text()).toBe('всего 120');
      expect(all.$('#invoices a[rel="next"]').text()).toBe('Далее →');
      const second = await f.client.get(nextHref(all)!);
      expect(second.$('#invoices .pagination a').map((_, a) => second.$(a).text()).get()).toEqual(['« В начало', '← Назад', 'Далее →']);
      // Every text of the section has its Russian.
      const untranslated = Object.keys((await import('../routes/invoice-list.ts')).invoiceListSection.ru).filter((k) => !f.t.services.i18n.has('ru', k));
      expect(untranslated).toEqual([]);
    } finally {
      await f.client.post('/language', { lang: 'en', next: '/client/invoices' });
    }
  });
});

describe('invoice list query plans', () => {
  let f: PortalFixture;
  const CLIENTS = 40;

  beforeAll(async () => {
    f = await portalApp();
    const db = f.t.services.db;
    // Ada has 3,000 invoices among 40 clients' 15,000: big enough for the planners to choose for real.
    await insertBatched(db, 'core_invoices', invoices(f.clientId, 'ADA', 3000));
    await insertBatched(db, 'core_clients', Array.from({ length: CLIENTS }, (_, i) => ({ kind: 'person', name: `C${i}`, company: '', email: `c${i}@example.test`, country: 'US', currency: 'USD', language: 'en', status: 'active', balance: 0, tax_exempt: false, vat_number: '', created_at: AT, updated_at: AT })));
    const ids = ((await db('core_clients').whereNotIn('id', [f.clientId, f.otherClientId]).select('id')) as { id: number }[]).map((r) => Number(r.id));
    for (const [n, id] of ids.entries()) await insertBatched(db, 'core_invoices', invoices(id, `C${n}`, 300));
    await db.raw(dbEngine(db) === 'pg' ? 'analyze core_invoices' : 'analyze');
  }, 120_000);
  afterAll(async () => {
    await f.t.destroy();
  });

  it('reads every sort, filter and deep page through an index range', async () => {
    const captured = new Map<string, { sql: string; bindings: readonly unknown[] }>();
    const listen = (q: { sql: string; bindings?: readonly unknown[] }) => {
      if (/^\s*select/i.test(q.sql) && q.sql.includes('core_invoices')) captured.set(q.sql, { sql: q.sql, bindings: q.bindings ?? [] });
    };
    const db = f.t.services.db;
    db.on('query', listen);
    const deepPages: string[] = [];
    try {
      for (const status of ['', 'unpaid', 'paid', 'collections']) {
        for (const sort of status ? ['entered_on', 'total'] : ['entered_on', 'total', 'status']) {
          for (const dir of ['asc', 'desc']) {
            let page = await f.client.get(`/client/invoices?status=${status}&sort=${sort}&dir=${dir}`);
            for (let i = 0; i < 3 && nextHref(page); i++) page = await f.client.get(nextHref(page)!);
            expect(page.status).toBe(200);
            if (prevHref(page)) deepPages.push(prevHref(page)!);
          }
        }
      }
      for (const href of deepPages) expect((await f.client.get(href)).status).toBe(200);
    } finally {
      db.off('query', listen);
    }
    expect(captured.size).toBeGreaterThan(20);
    const offenders: string[] = [];
    const unbounded: string[] = [];
    let cursorQueries = 0;
    for (const { sql, bindings } of captured.values()) {
      const scans = await fullScans(db, sql, bindings);
      if (scans.length) offenders.push(`${scans.join(',')}: ${sql}`);
      if (!/\(.+, .+\) [<>] \(/.test(sql)) continue;
      cursorQueries++;
      if (!(await cursorBoundsIndex(db, sql, bindings))) unbounded.push(sql);
    }
    expect(offenders).toEqual([]);
    // Ten shapes: three sorts unfiltered and two filtered, each forward (after) and backward (before).
    expect(cursorQueries).toBe(10);
    expect(unbounded).toEqual([]);
  }, 120_000);
});

/**
 * Whether the cursor bounds the index scan (a range on the sort column after the client and, when
 * filtered, the status), so a deep page costs what the first does and skips no rows of other statuses.
 */
async function cursorBoundsIndex(db: Knex, sql: string, bindings: readonly unknown[]): Promise<boolean> {
  const status = /(?<!not )["`]status["`] = [?$]/.test(sql) ? 'status' : null;
  if (dbEngine(db) === 'pg') {
    return db.transaction(async (trx) => {
      await trx.raw('set local enable_seqscan = off');
      const res = await trx.raw(`explain ${sql.replace(/\$\d+/g, '?')}`, bindings as Knex.RawBinding[]);
      const plan = (res.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']).join('\n');
      const cond = status ? /Index Cond: \(\(client_id = \d+\) AND \(\(status\)::text = '\w+'::text\) AND \(ROW\(/ : /Index Cond: \(\(client_id = \d+\) AND \(ROW\(/;
      return cond.test(plan) && !/Sort Key/.test(plan);
    });
  }
  const rows = (await db.raw(`explain query plan ${sql}`, bindings as Knex.RawBinding[])) as { detail: string }[];
  const range = new RegExp(`^SEARCH core_invoices USING (COVERING )?INDEX \\w+ \\(client_id=\\?${status ? ' AND status=\\?' : ''} AND (entered_on|total|status)[<>]\\?\\)$`);
  return rows.some((r) => range.test(r.detail)) && !rows.some((r) => /TEMP B-TREE/.test(r.detail));
}

// Renewal run: an invoice for every service whose paid period ends within the lead time, exactly once.
// Chunks of services per transaction; the invoice and the (service, period) key are written together,
// so a crash mid-run loses nothing and a re-run bills nothing twice.
//
// Speed (bench/billing, 100k services): the due query pages by id over a (status, id) index one
// status at a time and skips periods already billed (NOT EXISTS), so a page is an index range and a
// re-run reads nothing; it joins the client's country, tax exemption and primary contact's state so
// the tax rate needs no extra queries; on SQLite the rows are written with statements prepared once
// per connection (ARCHITECTURE §9), ids from lastInsertRowid; PostgreSQL keeps the knex path.
import type { Knex } from 'knex';
import type { Clock } from '../../clock.ts';
import { insertBatched } from '../../db/batch.ts';
import { iso } from '../../db/time.ts';
import { dbEngine } from '../../db/knex.ts';
import { computeTotals } from '../invoices/totals.ts';
import { addDays, describePeriod, periodEnd, type PeriodKind } from '../services/periods.ts';
import { SUSPENDED, type ServiceStatus } from '../services/status.ts';
import type { BillingSettings } from '../settings.ts';
import { convertDueTrials } from './trials.ts';

export interface RenewalDeps {
  db: Knex;
  clock: Clock;
  settings: BillingSettings;
  /** Prices include tax (the catalog's setting). */
  taxInclusive: boolean;
  count?: (name: string, by?: number) => void;
  /** Called with the ids of the invoices each committed chunk created (notices, auto-pay). */
  afterChunk?: (invoiceIds: number[]) => Promise<void>;
  signal?: AbortSignal;
}

interface DueService {
  id: number;
  client_id: number;
  label: string;
  status: ServiceStatus;
  currency: string;
  price: number;
  expires_on: string;
  period_kind: PeriodKind;
  period_length: number;
  item_type: string;
  package_name: string;
  /** For the tax rate: the client's country and exemption, its primary contact's state. */
  country: string;
  tax_exempt: boolean | number;
  state: string | null;
}

export const RENEWAL_CHUNK = 500;

interface Ctx {
  at: string;
  today: string;
  settings: BillingSettings;
  taxInclusive: boolean;
}

/**
 * The query that finds due services, exported so the query-plan test can EXPLAIN it: one status, in id
 * order after `afterId` — a range of the (status, id) index, never a sort of every due service — and
 * only periods not billed yet, so a re-run with nothing due reads no rows.
 */
export function dueServicesQuery(db: Knex, input: { status: string; horizon: string; afterId: number; limit: number }) {
  return db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .join('core_clients as c', 'c.id', 's.client_id')
    .leftJoin('core_contacts as ct', (j) => j.on('ct.client_id', '=', 's.client_id').andOn('ct.is_primary', '=', db.raw('?', [true])))
    .where('s.status', input.status)
    .andWhere('s.expires_on', '<=', input.horizon)
    .andWhere('s.auto_renew', true)
    // Lifetime services never renew; trials renew only once convertDueTrials moved them to a paid period.
    .whereNotIn('s.period_kind', ['lifetime', 'trial'])
    .andWhere('s.id', '>', input.afterId)
    .whereNotExists(db('core_service_billing_periods as b').whereRaw('b.service_id = s.id and b.period_start = s.expires_on').select(db.raw('1')))
    .orderBy('s.id')
    .limit(input.limit)
    .select('s.id', 's.client_id', 's.label', 's.status', 's.currency', 's.price', 's.expires_on', 's.period_kind', 's.period_length', 's.item_type', 'p.name as package_name', 'c.country', 'c.tax_exempt', 'ct.state');
}

export async function runRenewals(deps: RenewalDeps): Promise<{ invoices: number; services: number }> {
  const { db, settings } = deps;
  const now = deps.clock.now();
  const at = iso(now);
  const today = at.slice(0, 10);
  const horizon = addDays(today, settings.renewalLeadDays);
  const statuses: ServiceStatus[] = ['active', ...(settings.invoiceSuspended ? SUSPENDED : [])];
  const converted = await convertDueTrials(db, { horizon, at });
  deps.count?.('trialsConverted', converted);
  let invoices = 0;
  let scanned = 0;
  for (const status of statuses) {
    let afterId = 0;
    for (;;) {
      if (deps.signal?.aborted) break;
      const rows = (await dueServicesQuery(db, { status, horizon, afterId, limit: RENEWAL_CHUNK })) as DueService[];
      if (rows.length === 0) break;
      afterId = rows[rows.length - 1]!.id;
      scanned += rows.length;
      const created = await db.transaction((trx) => billChunk(trx, rows, { at, today, settings, taxInclusive: deps.taxInclusive }));
      invoices += created.length;
      deps.count?.('invoices', created.length);
      if (created.length && deps.afterChunk) await deps.afterChunk(created);
    }
  }
  deps.count?.('servicesScanned', scanned);
  return { invoices, services: scanned };
}

async function billChunk(trx: Knex.Transaction, rows: DueService[], ctx: Ctx): Promise<number[]> {
  // Periods billed since the query ran (another process's run): the query skips the others already.
  const billed = new Set(
    ((await trx('core_service_billing_periods').whereIn('service_id', rows.map((r) => r.id)).select('service_id', 'period_start')) as { service_id: number; period_start: string }[]).map(
      (b) => `${b.service_id}:${b.period_start}`,
    ),
  );
  const due = rows.filter((r) => !billed.has(`${r.id}:${r.expires_on}`));
  if (due.length === 0) return [];

  const taxes = await taxRatesFor(trx, due);
  const addons = await addonsOf(trx, due.map((r) => r.id));

  // Reserve a block of invoice numbers with one UPDATE (the counter row stays locked until commit).
  await trx('core_counters').where({ name: 'invoice' }).increment('value', due.length);
  const { value } = (await trx('core_counters').where({ name: 'invoice' }).first('value')) as { value: number | string };
  const firstNumber = Number(value) - due.length + 1;

  const plans = due.map((s, i) => {
    const start = s.expires_on;
    const end = periodEnd(start, s.period_kind, s.period_length)!;
    const extra = addons.get(s.id) ?? [];
    const addonTotal = extra.reduce((a, x) => a + x.price, 0);
    const name = `${s.package_name}${s.label ? ` (${s.label})` : ''}`;
    const lines = [
      { kind: 'renewal', description: `Renewal of ${name}, ${describePeriod(s.period_kind, s.period_length)}: ${start} – ${addDays(end, -1)}`, unitPrice: s.price - addonTotal, periodStart: start, periodEnd: end },
      ...extra.map((x) => ({ kind: 'addon', description: `${x.name}: ${x.value}`, unitPrice: x.price, periodStart: start, periodEnd: end })),
    ];
    const rate = taxes.get(s.client_id) ?? 0;
    const totals = computeTotals({ lines: lines.map((l) => ({ quantity: 1, unitPrice: l.unitPrice })), discount: 0, taxRateBp: rate, taxInclusive: ctx.taxInclusive });
    const number = `${ctx.settings.invoicePrefix}${String(firstNumber + i).padStart(6, '0')}`;
    const dueOn = start < ctx.today ? ctx.today : start;
    return { s, lines, totals, rate, number, start, end, dueOn };
  });

  const ids = dbEngine(trx as unknown as Knex) === 'sqlite' ? writeSqlite(await sqliteConnection(trx), plans, ctx) : await writePortable(trx, plans, ctx);

  // Domains wait for the renewal to be paid in "Pending renewal" (seed 003).
  const domains = plans.filter((p) => p.s.item_type === 'domain' && p.s.status === 'active').map((p) => p.s.id);
  if (domains.length) {
    await trx('core_services').whereIn('id', domains).andWhere({ status: 'active' }).update({ status: 'pending_renewal', updated_at: ctx.at });
    await insertBatched(
      trx,
      'core_service_history',
      domains.map((id) => ({ service_id: id, at: ctx.at, from_status: 'active', to_status: 'pending_renewal', actor_type: 'system', actor_id: null, actor_label: 'billing', reason: 'Renewal invoice issued' })),
    );
  }
  return ids;
}

/** The tax rate of each client in the chunk (absent: none), from the columns the due query joined in. */
async function taxRatesFor(trx: Knex.Transaction, due: DueService[]): Promise<Map<number, number>> {
  const countries = [...new Set(due.map((r) => r.country))];
  const rates = (await trx('core_tax_rates').where({ active: true }).whereIn('country', countries).select('country', 'region', 'rate_bp')) as { country: string; region: string; rate_bp: number }[];
  const out = new Map<number, number>();
  for (const c of due) {
    if (c.tax_exempt === true || c.tax_exempt === 1 || out.has(c.client_id)) continue;
    const state = c.state ?? '';
    const hit = rates.find((r) => r.country === c.country && r.region !== '' && r.region === state) ?? rates.find((r) => r.country === c.country && r.region === '');
    if (hit) out.set(c.client_id, hit.rate_bp);
  }
  return out;
}

async function addonsOf(trx: Knex.Transaction, serviceIds: number[]): Promise<Map<number, { name: string; value: string; price: number }[]>> {
  const rows = (await trx('core_service_addons as sa')
    .join('core_addons as a', 'a.id', 'sa.addon_id')
    .whereIn('sa.service_id', serviceIds)
    .andWhere('sa.price', '<>', 0)
    .select('sa.service_id', 'a.name', 'sa.value', 'sa.price')) as { service_id: number; name: string; value: string; price: number }[];
  const out = new Map<number, { name: string; value: string; price: number }[]>();
  for (const r of rows) out.set(r.service_id, [...(out.get(r.service_id) ?? []), { name: r.name, value: r.value, price: Number(r.price) }]);
  return out;
}

interface Plan {
  s: DueService;
  lines: { kind: string; description: string; unitPrice: number; periodStart: string; periodEnd: string }[];
  totals: ReturnType<typeof computeTotals>;
  rate: number;
  number: string;
  start: string;
  end: string;
  dueOn: string;
}

/** PostgreSQL (and any engine): knex multi-row inserts, ids read back by invoice number. */
async function writePortable(trx: Knex.Transaction, plans: Plan[], ctx: Ctx): Promise<number[]> {
  await insertBatched(
    trx,
    'core_invoices',
    plans.map((p) => ({
      number: p.number, client_id: p.s.client_id, kind: 'renewal', status: 'unpaid', currency: p.s.currency, tax_inclusive: ctx.taxInclusive,
      subtotal: p.totals.subtotal, discount: 0, tax: p.totals.tax, total: p.totals.total, amount_paid: 0, entered_on: ctx.today, due_on: p.dueOn,
      paid_at: null, closed_at: null, reminder_stage: 0, notes: '', created_at: ctx.at, updated_at: ctx.at,
    })),
  );
  const byNumber = new Map(
    ((await trx('core_invoices').whereIn('number', plans.map((p) => p.number)).select('id', 'number')) as { id: number; number: string }[]).map((r) => [r.number, r.id]),
  );
  const lineRows: object[] = [];
  const periodRows: object[] = [];
  for (const p of plans) {
    const invoiceId = byNumber.get(p.number)!;
    p.lines.forEach((l, position) =>
      lineRows.push({
        invoice_id: invoiceId, service_id: p.s.id, kind: l.kind, description: l.description.slice(0, 500), period_start: l.periodStart, period_end: l.periodEnd,
        quantity: 1, unit_price: l.unitPrice, amount: p.totals.lineAmounts[position]!, tax_rate_bp: p.rate, tax: p.totals.lineTaxes[position]!, position,
      }),
    );
    periodRows.push({ service_id: p.s.id, period_start: p.start, period_end: p.end, invoice_id: invoiceId });
  }
  await insertBatched(trx, 'core_invoice_lines', lineRows);
  // The primary key (service_id, period_start) is the last guard: a concurrent duplicate fails the chunk.
  await insertBatched(trx, 'core_service_billing_periods', periodRows);

  return [...byNumber.values()];
}

/** The part of a better-sqlite3 connection used here (knex hands the transaction's own connection out). */
interface SqliteStatement {
  run(...params: unknown[]): { lastInsertRowid: number | bigint };
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
}
const writers = new WeakMap<SqliteDatabase, { invoice: SqliteStatement; line: SqliteStatement; period: SqliteStatement }>();

async function sqliteConnection(trx: Knex.Transaction): Promise<SqliteDatabase> {
  return (await (trx.client as { acquireConnection(): Promise<unknown> }).acquireConnection()) as SqliteDatabase;
}

/** SQLite: the same rows through statements prepared once per connection (ARCHITECTURE §9: hot batch paths). */
function writeSqlite(conn: SqliteDatabase, plans: Plan[], ctx: Ctx): number[] {
  let st = writers.get(conn);
  if (!st) {
    st = {
      invoice: conn.prepare(
        `insert into core_invoices (number, client_id, kind, status, currency, tax_inclusive, subtotal, discount, tax, total, amount_paid, entered_on, due_on, paid_at, closed_at, reminder_stage, notes, created_at, updated_at)
         values (?, ?, 'renewal', 'unpaid', ?, ?, ?, 0, ?, ?, 0, ?, ?, null, null, 0, '', ?, ?)`,
      ),
      line: conn.prepare(
        'insert into core_invoice_lines (invoice_id, service_id, kind, description, period_start, period_end, quantity, unit_price, amount, tax_rate_bp, tax, position) values (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)',
      ),
      period: conn.prepare('insert into core_service_billing_periods (service_id, period_start, period_end, invoice_id) values (?, ?, ?, ?)'),
    };
    writers.set(conn, st);
  }
  const ids: number[] = [];
  for (const p of plans) {
    const invoiceId = Number(
      st.invoice.run(p.number, p.s.client_id, p.s.currency, ctx.taxInclusive ? 1 : 0, p.totals.subtotal, p.totals.tax, p.totals.total, ctx.today, p.dueOn, ctx.at, ctx.at).lastInsertRowid,
    );
    p.lines.forEach((l, position) =>
      st!.line.run(invoiceId, p.s.id, l.kind, l.description.slice(0, 500), l.periodStart, l.periodEnd, l.unitPrice, p.totals.lineAmounts[position]!, p.rate, p.totals.lineTaxes[position]!, position),
    );
    st.period.run(p.s.id, p.start, p.end, invoiceId);
    ids.push(invoiceId);
  }
  return ids;
}

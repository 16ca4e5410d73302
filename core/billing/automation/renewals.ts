// Renewal run: an invoice for every service whose paid period ends within the lead time, exactly once.
// Chunks of services per transaction; the invoice and the (service, period) key are written together,
// so a crash mid-run loses nothing and a re-run bills nothing twice.
import type { Knex } from 'knex';
import type { Clock } from '../../clock.ts';
import { insertBatched } from '../../db/batch.ts';
import { iso } from '../../db/time.ts';
import { computeTotals } from '../invoices/totals.ts';
import { addDays, describePeriod, periodEnd, type PeriodKind } from '../services/periods.ts';
import { SUSPENDED, type ServiceStatus } from '../services/status.ts';
import type { BillingSettings } from '../settings.ts';

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
}

export const RENEWAL_CHUNK = 500;

/** The query that finds due services, exported so the query-plan test can EXPLAIN it. */
export function dueServicesQuery(db: Knex, input: { statuses: string[]; horizon: string; afterId: number; limit: number }) {
  return db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .whereIn('s.status', input.statuses)
    .andWhere('s.expires_on', '<=', input.horizon)
    .andWhere('s.auto_renew', true)
    .andWhere('s.period_kind', '<>', 'lifetime')
    .andWhere('s.id', '>', input.afterId)
    .orderBy('s.id')
    .limit(input.limit)
    .select('s.id', 's.client_id', 's.label', 's.status', 's.currency', 's.price', 's.expires_on', 's.period_kind', 's.period_length', 's.item_type', 'p.name as package_name');
}

export async function runRenewals(deps: RenewalDeps): Promise<{ invoices: number; services: number }> {
  const { db, settings } = deps;
  const now = deps.clock.now();
  const at = iso(now);
  const today = at.slice(0, 10);
  const horizon = addDays(today, settings.renewalLeadDays);
  const statuses: ServiceStatus[] = ['active', ...(settings.invoiceSuspended ? SUSPENDED : [])];
  let afterId = 0;
  let invoices = 0;
  let scanned = 0;
  for (;;) {
    if (deps.signal?.aborted) break;
    const rows = (await dueServicesQuery(db, { statuses, horizon, afterId, limit: RENEWAL_CHUNK })) as DueService[];
    if (rows.length === 0) break;
    afterId = rows[rows.length - 1]!.id;
    scanned += rows.length;
    const created = await db.transaction((trx) => billChunk(trx, rows, { at, today, settings, taxInclusive: deps.taxInclusive }));
    invoices += created.length;
    deps.count?.('invoices', created.length);
    if (created.length && deps.afterChunk) await deps.afterChunk(created);
  }
  deps.count?.('servicesScanned', scanned);
  return { invoices, services: scanned };
}

async function billChunk(
  trx: Knex.Transaction,
  rows: DueService[],
  ctx: { at: string; today: string; settings: BillingSettings; taxInclusive: boolean },
): Promise<number[]> {
  // Periods already billed (a re-run, or a run that crashed after committing this chunk).
  const billed = new Set(
    ((await trx('core_service_billing_periods').whereIn('service_id', rows.map((r) => r.id)).select('service_id', 'period_start')) as { service_id: number; period_start: string }[]).map(
      (b) => `${b.service_id}:${b.period_start}`,
    ),
  );
  const due = rows.filter((r) => !billed.has(`${r.id}:${r.expires_on}`));
  if (due.length === 0) return [];

  const taxes = await taxRatesFor(trx, [...new Set(due.map((r) => r.client_id))]);
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

  await insertBatched(
    trx,
    'core_invoices',
    plans.map((p) => ({
      number: p.number, client_id: p.s.client_id, kind: 'renewal', status: 'unpaid', currency: p.s.currency, tax_inclusive: ctx.taxInclusive,
      subtotal: p.totals.subtotal, discount: 0, tax: p.totals.tax, total: p.totals.total, amount_paid: 0, entered_on: ctx.today, due_on: p.dueOn,
      paid_at: null, closed_at: null, reminder_stage: 0, notes: '', created_at: ctx.at, updated_at: ctx.at,
    })),
  );
  const ids = new Map(
    ((await trx('core_invoices').whereIn('number', plans.map((p) => p.number)).select('id', 'number')) as { id: number; number: string }[]).map((r) => [r.number, r.id]),
  );
  const lineRows: object[] = [];
  const periodRows: object[] = [];
  for (const p of plans) {
    const invoiceId = ids.get(p.number)!;
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
  return [...ids.values()];
}

async function taxRatesFor(trx: Knex.Transaction, clientIds: number[]): Promise<Map<number, number>> {
  const clients = (await trx('core_clients').whereIn('id', clientIds).select('id', 'country', 'tax_exempt')) as { id: number; country: string; tax_exempt: boolean | number }[];
  const states = new Map(
    ((await trx('core_contacts').whereIn('client_id', clientIds).andWhere({ is_primary: true }).select('client_id', 'state')) as { client_id: number; state: string }[]).map((c) => [c.client_id, c.state]),
  );
  const rates = (await trx('core_tax_rates').where({ active: true }).whereIn('country', [...new Set(clients.map((c) => c.country))]).select('country', 'region', 'rate_bp')) as {
    country: string;
    region: string;
    rate_bp: number;
  }[];
  const out = new Map<number, number>();
  for (const c of clients) {
    if (c.tax_exempt === true || c.tax_exempt === 1) continue;
    const state = states.get(c.id) ?? '';
    const hit = rates.find((r) => r.country === c.country && r.region !== '' && r.region === state) ?? rates.find((r) => r.country === c.country && r.region === '');
    if (hit) out.set(c.id, hit.rate_bp);
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

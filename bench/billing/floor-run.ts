// The floor, in its own process: the same renewal run written by hand with raw better-sqlite3 prepared
// statements, no knex, no app. It does the work a renewal run cannot do without — page through the due
// services (same query, same chunk size), skip periods already billed, look up tax and priced add-ons,
// reserve invoice numbers, and insert the same invoice, line and billing-period rows (and the same
// status change and history row for domains) in one write transaction per chunk. Prints one JSON line.
//
//   node --import tsx bench/billing/floor-run.ts <sqlite file>
import path from 'node:path';
import Database from 'better-sqlite3';
import { RENEWAL_CHUNK } from '../../core/billing/automation/renewals.ts';
import { DEFAULT_BILLING_SETTINGS } from '../../core/billing/settings.ts';
import { computeTotals } from '../../core/billing/invoices/totals.ts';
import { addDays, describePeriod, periodEnd, type PeriodKind } from '../../core/billing/services/periods.ts';
import { BENCH_NOW } from './setup.ts';
import type { RunResult } from './results.ts';

interface Due {
  id: number;
  client_id: number;
  label: string;
  status: string;
  currency: string;
  price: number;
  expires_on: string;
  period_kind: PeriodKind;
  period_length: number;
  item_type: string;
  package_name: string;
}

const file = process.argv[2] ?? path.join(process.env.TRELLIS_DATA_DIR ?? '.', 'trellis.sqlite');
const rssAfterBootKb = process.resourceUsage().maxRSS;
// The same pragmas as core/db/knex.ts.
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');

// The defaults the full run reads from core_settings (the bench never changes them).
const settings = DEFAULT_BILLING_SETTINGS;
const taxInclusive = false;

// The same filter as dueServicesQuery, walking the primary key: `not indexed` keeps SQLite from taking
// the (status, expires_on) index, which would sort every due service again for each 500-row page
// (see README: that is where most of the full run's time goes). The order, and so the invoice numbers,
// stay those of the full run: by service id.
const dueStmt = db.prepare(
  `select s.id, s.client_id, s.label, s.status, s.currency, s.price, s.expires_on, s.period_kind, s.period_length, s.item_type, p.name as package_name
     from core_services s not indexed join core_packages p on p.id = s.package_id
    where s.status = 'active' and s.expires_on <= ? and s.auto_renew = 1 and s.period_kind <> 'lifetime' and s.id > ?
    order by s.id limit ?`,
);
const billedStmt = db.prepare('select 1 from core_service_billing_periods where service_id = ? and period_start = ?').pluck();
const clientTaxStmt = db.prepare(
  `select c.country, c.tax_exempt, coalesce(ct.state, '') as state
     from core_clients c left join core_contacts ct on ct.client_id = c.id and ct.is_primary = 1 where c.id = ?`,
);
const ratesStmt = db.prepare('select country, region, rate_bp from core_tax_rates where active = 1');
const addonsStmt = db.prepare('select a.name, sa.value, sa.price from core_service_addons sa join core_addons a on a.id = sa.addon_id where sa.service_id = ? and sa.price <> 0');
const counterStmt = db.prepare("update core_counters set value = value + ? where name = 'invoice' returning value").pluck();
const invoiceStmt = db.prepare(
  `insert into core_invoices (number, client_id, kind, status, currency, tax_inclusive, subtotal, discount, tax, total, amount_paid, entered_on, due_on, paid_at, closed_at, reminder_stage, notes, created_at, updated_at)
   values (?, ?, 'renewal', 'unpaid', ?, ?, ?, 0, ?, ?, 0, ?, ?, null, null, 0, '', ?, ?)`,
);
const lineStmt = db.prepare(
  'insert into core_invoice_lines (invoice_id, service_id, kind, description, period_start, period_end, quantity, unit_price, amount, tax_rate_bp, tax, position) values (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)',
);
const periodStmt = db.prepare('insert into core_service_billing_periods (service_id, period_start, period_end, invoice_id) values (?, ?, ?, ?)');
const domainStmt = db.prepare("update core_services set status = 'pending_renewal', updated_at = ? where id = ? and status = 'active'");
const historyStmt = db.prepare(
  "insert into core_service_history (service_id, at, from_status, to_status, actor_type, actor_id, actor_label, reason) values (?, ?, 'active', 'pending_renewal', 'system', null, 'billing', 'Renewal invoice issued')",
);

const rates = ratesStmt.all() as { country: string; region: string; rate_bp: number }[];
function taxRate(clientId: number): number {
  const c = clientTaxStmt.get(clientId) as { country: string; tax_exempt: number; state: string } | undefined;
  if (!c || c.tax_exempt === 1) return 0;
  const hit = rates.find((r) => r.country === c.country && r.region !== '' && r.region === c.state) ?? rates.find((r) => r.country === c.country && r.region === '');
  return hit?.rate_bp ?? 0;
}

const at = BENCH_NOW;
const today = at.slice(0, 10);
const horizon = addDays(today, settings.renewalLeadDays);

const billChunk = db.transaction((rows: Due[]): number => {
  const due = rows.filter((r) => billedStmt.get(r.id, r.expires_on) === undefined);
  if (due.length === 0) return 0;
  const last = Number(counterStmt.get(due.length));
  const firstNumber = last - due.length + 1;
  const rateOf = new Map<number, number>();
  due.forEach((s, i) => {
    let rate = rateOf.get(s.client_id);
    if (rate === undefined) rateOf.set(s.client_id, (rate = taxRate(s.client_id)));
    const start = s.expires_on;
    const end = periodEnd(start, s.period_kind, s.period_length)!;
    const extra = addonsStmt.all(s.id) as { name: string; value: string; price: number }[];
    const addonTotal = extra.reduce((a, x) => a + x.price, 0);
    const name = `${s.package_name}${s.label ? ` (${s.label})` : ''}`;
    const lines = [
      { kind: 'renewal', description: `Renewal of ${name}, ${describePeriod(s.period_kind, s.period_length)}: ${start} – ${addDays(end, -1)}`, unitPrice: s.price - addonTotal },
      ...extra.map((x) => ({ kind: 'addon', description: `${x.name}: ${x.value}`, unitPrice: x.price })),
    ];
    const totals = computeTotals({ lines: lines.map((l) => ({ quantity: 1, unitPrice: l.unitPrice })), discount: 0, taxRateBp: rate, taxInclusive });
    const number = `${settings.invoicePrefix}${String(firstNumber + i).padStart(6, '0')}`;
    const dueOn = start < today ? today : start;
    const invoiceId = Number(invoiceStmt.run(number, s.client_id, s.currency, taxInclusive ? 1 : 0, totals.subtotal, totals.tax, totals.total, today, dueOn, at, at).lastInsertRowid);
    lines.forEach((l, position) => lineStmt.run(invoiceId, s.id, l.kind, l.description.slice(0, 500), start, end, l.unitPrice, totals.lineAmounts[position]!, rate, totals.lineTaxes[position]!, position));
    periodStmt.run(s.id, start, end, invoiceId);
    if (s.item_type === 'domain' && s.status === 'active' && domainStmt.run(at, s.id).changes === 1) historyStmt.run(s.id, at);
  });
  return due.length;
});

function runOnce(): { services: number; invoices: number } {
  let afterId = 0;
  let services = 0;
  let invoices = 0;
  for (;;) {
    const rows = dueStmt.all(horizon, afterId, RENEWAL_CHUNK) as Due[];
    if (rows.length === 0) break;
    afterId = rows[rows.length - 1]!.id;
    services += rows.length;
    invoices += billChunk.immediate(rows);
  }
  return { services, invoices };
}

const started = performance.now();
const first = runOnce();
const ms = performance.now() - started;
const peakRssKb = process.resourceUsage().maxRSS;
const rerunStarted = performance.now();
const again = runOnce();
const rerunMs = performance.now() - rerunStarted;
db.close();

const result: RunResult = { label: 'floor', services: first.services, invoices: first.invoices, ms, peakRssKb, rssAfterBootKb, rerun: { services: again.services, invoices: again.invoices, ms: rerunMs } };
process.stdout.write(JSON.stringify(result) + '\n');

// What each run process reports (one JSON line on stdout), and the digest that proves two runs wrote the same rows.
import crypto from 'node:crypto';
import Database from 'better-sqlite3';

export interface RunResult {
  label: string;
  /** Services the run looked at (due ones). */
  services: number;
  invoices: number;
  /** Wall time of the run alone (the process's start-up is not in it). */
  ms: number;
  /** process.resourceUsage().maxRSS after the run, in kB: the peak of the whole process. */
  peakRssKb: number;
  /** The same right before the run: what the process needed to start. */
  rssAfterBootKb: number;
  /** The same run again straight after: it must bill nothing. */
  rerun: { services: number; invoices: number; ms: number };
}

export interface Digest {
  invoices: number;
  lines: number;
  periods: number;
  outbox: number;
  total: number;
  tax: number;
  /** Invoice numbers are gap-free: count of distinct numbers, and the first and last. */
  numbers: { distinct: number; first: string | null; last: string | null };
  /** SHA-256 over every invoice, line and billing-period row, ids and numbers left out. */
  sha256: string;
}

/**
 * Reads what a run wrote and hashes it, so the full run and the floor can be compared row for row.
 * Every renewal invoice has exactly one billing-period row, so rows are keyed by (service, period):
 * the comparison holds whatever order a run numbers its invoices in.
 */
export function digestOf(dbFile: string): Digest {
  const db = new Database(dbFile, { readonly: true });
  try {
    const hash = crypto.createHash('sha256');
    let invoices = 0;
    let total = 0;
    let tax = 0;
    for (const r of db
      .prepare(
        `select b.service_id, b.period_start, b.period_end, i.client_id, i.kind, i.status, i.currency, i.tax_inclusive, i.subtotal, i.discount, i.tax, i.total,
                i.amount_paid, i.entered_on, i.due_on, i.paid_at, i.closed_at, i.reminder_stage, i.notes, i.created_at, i.updated_at
           from core_service_billing_periods b join core_invoices i on i.id = b.invoice_id order by b.service_id, b.period_start`,
      )
      .raw()
      .iterate() as Iterable<unknown[]>) {
      hash.update(JSON.stringify(r) + '\n');
      invoices++;
      total += Number(r[11]);
      tax += Number(r[10]);
    }
    let lines = 0;
    for (const r of db
      .prepare(
        `select b.service_id, b.period_start, l.service_id, l.kind, l.description, l.period_start, l.period_end, l.quantity, l.unit_price, l.amount, l.tax_rate_bp, l.tax, l.position
           from core_invoice_lines l join core_service_billing_periods b on b.invoice_id = l.invoice_id order by b.service_id, b.period_start, l.position`,
      )
      .raw()
      .iterate() as Iterable<unknown[]>) {
      hash.update(JSON.stringify(r) + '\n');
      lines++;
    }
    const count = (sql: string) => Number(db.prepare(sql).pluck().get());
    const numbers = db.prepare('select count(distinct number) as distinct_, min(number) as first, max(number) as last from core_invoices').get() as { distinct_: number; first: string | null; last: string | null };
    return {
      invoices,
      lines,
      periods: count('select count(*) from core_service_billing_periods'),
      outbox: count('select count(*) from core_outbox'),
      total,
      tax,
      numbers: { distinct: numbers.distinct_, first: numbers.first, last: numbers.last },
      sha256: hash.digest('hex'),
    };
  } finally {
    db.close();
  }
}

/** Counts of invoices and lines a run left, with the digests of the rows: what "the same work" means. */
export function compareDigests(a: Digest, b: Digest): string | null {
  const problems: string[] = [];
  for (const k of ['invoices', 'lines', 'periods', 'total', 'tax'] as const) if (a[k] !== b[k]) problems.push(`${k}: ${a[k]} vs ${b[k]}`);
  if (a.numbers.distinct !== b.numbers.distinct || a.numbers.first !== b.numbers.first || a.numbers.last !== b.numbers.last) {
    problems.push(`invoice numbers: ${JSON.stringify(a.numbers)} vs ${JSON.stringify(b.numbers)}`);
  }
  if (!problems.length && a.sha256 !== b.sha256) problems.push('the same counts and sums, but different row contents (descriptions, dates, taxes per line?)');
  return problems.length ? problems.join('; ') : null;
}

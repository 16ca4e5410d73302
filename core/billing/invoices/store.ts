// All SQL for invoices, invoice lines, transactions, payment attempts and the credit ledger.
import type { Knex } from 'knex';

export type InvoiceStatus = 'draft' | 'unpaid' | 'paid' | 'cancelled' | 'refunded' | 'collections';
export type InvoiceKind = 'order' | 'renewal' | 'upgrade' | 'manual';
export type LineKind = 'service' | 'setup' | 'addon' | 'renewal' | 'upgrade' | 'discount' | 'credit' | 'manual';

export interface InvoiceRow {
  id: number;
  number: string;
  client_id: number;
  kind: InvoiceKind;
  status: InvoiceStatus;
  currency: string;
  tax_inclusive: boolean | number;
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  amount_paid: number;
  /** Refunded out of amount_paid; amount_paid itself never goes down, so paid means amount_paid >= total. */
  amount_refunded: number;
  entered_on: string;
  due_on: string;
  paid_at: string | null;
  closed_at: string | null;
  reminder_stage: number;
  notes: string;
  created_at: string;
  updated_at: string;
}

export interface InvoiceLineRow {
  id: number;
  invoice_id: number;
  service_id: number | null;
  kind: LineKind;
  description: string;
  period_start: string | null;
  period_end: string | null;
  quantity: number;
  unit_price: number;
  amount: number;
  tax_rate_bp: number;
  tax: number;
  position: number;
}

export interface TransactionRow {
  id: number;
  client_id: number;
  invoice_id: number | null;
  gateway: string;
  external_id: string;
  method: string;
  status: 'approved' | 'declined' | 'error' | 'pending' | 'refunded';
  status_code: string;
  amount: number;
  currency: string;
  refund_of: number | null;
  raw: string | null;
  created_at: string;
}

type Q = Knex | Knex.Transaction;

export function insertedId(row: unknown): number {
  return typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number);
}

/** Next value of a gap-free counter; the UPDATE takes the row lock (PostgreSQL) or the write lock (SQLite). */
export async function nextCounter(trx: Knex.Transaction, name: string): Promise<number> {
  const updated = await trx('core_counters').where({ name }).increment('value', 1);
  if (!updated) await trx('core_counters').insert({ name, value: 1 });
  const row = (await trx('core_counters').where({ name }).first('value')) as { value: number | string };
  return Number(row.value);
}

export async function getInvoice(db: Q, id: number): Promise<InvoiceRow | undefined> {
  return (await db('core_invoices').where({ id }).first()) as InvoiceRow | undefined;
}

/** A client's invoice, or nothing: every lookup from a client's request goes through this. */
export async function getClientInvoice(db: Q, clientId: number, id: number): Promise<InvoiceRow | undefined> {
  return (await db('core_invoices').where({ id, client_id: clientId }).first()) as InvoiceRow | undefined;
}

export async function invoiceLines(db: Q, invoiceId: number): Promise<InvoiceLineRow[]> {
  return (await db('core_invoice_lines').where({ invoice_id: invoiceId }).orderBy('position').orderBy('id')) as InvoiceLineRow[];
}

export async function invoiceTransactions(db: Q, invoiceId: number): Promise<TransactionRow[]> {
  return (await db('core_transactions').where({ invoice_id: invoiceId }).orderBy('id')) as TransactionRow[];
}

/** Inserts a transaction unless (gateway, external_id) exists; returns its id and whether it is new. */
export async function insertTransactionOnce(trx: Knex.Transaction, row: Omit<TransactionRow, 'id'>): Promise<{ id: number; created: boolean }> {
  const inserted = await trx('core_transactions').insert(row).onConflict(['gateway', 'external_id']).ignore().returning('id');
  if (inserted.length) return { id: insertedId(inserted[0]), created: true };
  const existing = (await trx('core_transactions').where({ gateway: row.gateway, external_id: row.external_id }).first('id')) as { id: number };
  return { id: existing.id, created: false };
}

/**
 * Changes a client's credit balance and writes the ledger line, in the caller's transaction.
 * A debit only happens if the balance covers it (compare-and-set in the UPDATE), so two
 * requests can never both spend the same credit. Returns the new balance, or null if refused.
 */
export async function changeBalance(
  trx: Knex.Transaction,
  input: { clientId: number; amount: number; currency: string; kind: string; at: string; invoiceId?: number | null; transactionId?: number | null; note?: string; actor?: string },
): Promise<number | null> {
  const q = trx('core_clients').where({ id: input.clientId, currency: input.currency });
  if (input.amount < 0) q.andWhere('balance', '>=', -input.amount);
  const changed = await q.update({ balance: trx.raw('balance + ?', [input.amount]), updated_at: input.at });
  if (changed !== 1) return null;
  const { balance } = (await trx('core_clients').where({ id: input.clientId }).first('balance')) as { balance: number | string };
  await trx('core_credit_ledger').insert({
    client_id: input.clientId,
    at: input.at,
    amount: input.amount,
    currency: input.currency,
    balance_after: Number(balance),
    kind: input.kind,
    invoice_id: input.invoiceId ?? null,
    transaction_id: input.transactionId ?? null,
    note: (input.note ?? '').slice(0, 300),
    actor: (input.actor ?? '').slice(0, 200),
  });
  return Number(balance);
}

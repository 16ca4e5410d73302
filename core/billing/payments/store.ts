// All SQL of the payments module: payment attempts, the invoices they pay, transactions and refunds read for staff pages.
import type { Knex } from 'knex';
import { dbEngine } from '../../db/knex.ts';
import { DEFAULT_MINOR_UNITS } from '../../money/money.ts';
import type { InvoiceRow, TransactionRow } from '../invoices/store.ts';
import type { AttemptStatus, PaymentAttempt } from './gateway.ts';

type Q = Knex | Knex.Transaction;

interface AttemptRow {
  id: string;
  client_id: number;
  invoice_ids: string;
  gateway: string;
  amount: number;
  currency: string;
  status: AttemptStatus;
  created_at: string;
  completed_at: string | null;
}

function toAttempt(row: AttemptRow): PaymentAttempt {
  let invoiceIds: number[] = [];
  try {
    const parsed = JSON.parse(row.invoice_ids) as unknown;
    if (Array.isArray(parsed)) invoiceIds = parsed.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
  } catch {
    invoiceIds = [];
  }
  return {
    id: row.id, clientId: Number(row.client_id), invoiceIds, gateway: row.gateway, amount: Number(row.amount), currency: row.currency,
    status: row.status, createdAt: row.created_at, completedAt: row.completed_at,
  };
}

export async function insertAttempt(db: Q, a: PaymentAttempt): Promise<void> {
  await db('core_payment_attempts').insert({
    id: a.id, client_id: a.clientId, invoice_ids: JSON.stringify(a.invoiceIds), gateway: a.gateway, amount: a.amount, currency: a.currency,
    status: a.status, created_at: a.createdAt, completed_at: a.completedAt,
  });
}

/** Inserts an attempt unless its id exists (an id derived from a form key: a double submit); true when inserted. */
export async function insertAttemptOnce(db: Q, a: PaymentAttempt): Promise<boolean> {
  const inserted = await db('core_payment_attempts')
    .insert({
      id: a.id, client_id: a.clientId, invoice_ids: JSON.stringify(a.invoiceIds), gateway: a.gateway, amount: a.amount, currency: a.currency,
      status: a.status, created_at: a.createdAt, completed_at: a.completedAt,
    })
    .onConflict('id')
    .ignore()
    .returning('id');
  return inserted.length === 1;
}

export async function getAttempt(db: Q, id: string): Promise<PaymentAttempt | undefined> {
  const row = (await db('core_payment_attempts').where({ id }).first()) as AttemptRow | undefined;
  return row ? toAttempt(row) : undefined;
}

/** Reads an attempt inside a write transaction, locking its row on PostgreSQL (SQLite's write lock is already held). */
export async function lockAttempt(trx: Knex.Transaction, id: string): Promise<PaymentAttempt | undefined> {
  const q = trx('core_payment_attempts').where({ id }).first();
  if (dbEngine(trx as unknown as Knex) === 'pg') q.forUpdate();
  const row = (await q) as AttemptRow | undefined;
  return row ? toAttempt(row) : undefined;
}

/** An attempt of one client, or nothing: the return page goes through this. */
export async function getClientAttempt(db: Q, clientId: number, id: string): Promise<PaymentAttempt | undefined> {
  const row = (await db('core_payment_attempts').where({ id, client_id: clientId }).first()) as AttemptRow | undefined;
  return row ? toAttempt(row) : undefined;
}

/** Compare-and-set of an attempt's status: true only for the one caller that moved it. */
export async function moveAttempt(db: Q, id: string, from: AttemptStatus[], to: AttemptStatus, at: string): Promise<boolean> {
  const changed = await db('core_payment_attempts').where({ id }).whereIn('status', from).update({ status: to, completed_at: at });
  return changed === 1;
}

/**
 * Marks attempts still 'started' that began before `before` as expired (the (status, created_at)
 * index); returns how many. Only 'started' ones move, so running it again changes nothing.
 */
export async function expireAttempts(db: Q, input: { before: string; at: string }): Promise<number> {
  return db('core_payment_attempts').where({ status: 'started' }).andWhere('created_at', '<', input.before).update({ status: 'expired', completed_at: input.at });
}

/** The client's invoices among `ids` (others' invoices are simply not found). */
export async function clientInvoices(db: Q, clientId: number, ids: number[]): Promise<InvoiceRow[]> {
  if (!ids.length) return [];
  return (await db('core_invoices').where({ client_id: clientId }).whereIn('id', ids)) as InvoiceRow[];
}

export async function invoiceNumbers(db: Q, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = (await db('core_invoices').whereIn('id', ids).select('id', 'number')) as { id: number; number: string }[];
  return new Map(rows.map((r) => [Number(r.id), r.number]));
}

export async function minorUnitsOf(db: Q, currency: string): Promise<number> {
  const row = (await db('core_currencies').where({ code: currency }).first('minor_units')) as { minor_units: number } | undefined;
  return row ? Number(row.minor_units) : (DEFAULT_MINOR_UNITS[currency] ?? 2);
}

export async function anyTransaction(db: Q, gateway: string, externalIds: string[]): Promise<{ id: number; invoice_id: number | null } | undefined> {
  if (!externalIds.length) return undefined;
  return (await db('core_transactions').where({ gateway }).whereIn('external_id', externalIds).first('id', 'invoice_id')) as { id: number; invoice_id: number | null } | undefined;
}

export async function getTransaction(db: Q, id: number): Promise<TransactionRow | undefined> {
  return (await db('core_transactions').where({ id }).first()) as TransactionRow | undefined;
}

/** What is left to refund of a payment: its amount less the refunds already made (refund rows are negative). */
export async function refundableAmount(db: Q, tx: Pick<TransactionRow, 'id' | 'amount' | 'status' | 'invoice_id'>): Promise<number> {
  if (tx.status !== 'approved' || Number(tx.amount) <= 0) return 0;
  const [{ refunded }] = (await db('core_transactions').where({ refund_of: tx.id }).sum({ refunded: 'amount' })) as [{ refunded: number | string | null }];
  const left = Math.max(0, Number(tx.amount) + Number(refunded ?? 0));
  if (tx.invoice_id === null) return left;
  // An overpayment went to the credit balance already; only what the invoice kept can be refunded against it.
  const inv = (await db('core_invoices').where({ id: tx.invoice_id }).first('amount_paid', 'amount_refunded')) as { amount_paid: number | string; amount_refunded: number | string } | undefined;
  return inv ? Math.min(left, Math.max(0, Number(inv.amount_paid) - Number(inv.amount_refunded))) : left;
}

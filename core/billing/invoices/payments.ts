// Money in and out of invoices: payments (idempotent by gateway id), credit balance, refunds, cancelling.
import type { Knex } from 'knex';
import { changeBalance, getInvoice, insertTransactionOnce, type InvoiceRow } from './store.ts';

/** What happens when an invoice becomes paid (services are opened or renewed): supplied by the caller. */
export type OnInvoicePaid = (trx: Knex.Transaction, invoice: InvoiceRow, at: string) => Promise<void>;

export class PaymentError extends Error {
  constructor(
    message: string,
    readonly code: 'currency' | 'not_payable' | 'insufficient_credit' | 'concurrent' | 'refund_too_large' | 'not_refundable' | 'invalid',
  ) {
    super(message);
    this.name = 'PaymentError';
  }
}

const PAYABLE = new Set(['unpaid', 'collections']);

export interface PaymentInput {
  invoiceId: number;
  amount: number;
  currency: string;
  gateway: string;
  /** The gateway's id of the payment; a second payment with the same (gateway, id) changes nothing. */
  externalId: string;
  method: string;
  statusCode?: string;
  raw?: unknown;
  at: string;
  actor?: string;
}

export interface PaymentResult {
  transactionId: number;
  /** False when this (gateway, externalId) was already recorded: a replayed callback. */
  created: boolean;
  applied: number;
  credited: number;
  paid: boolean;
}

/**
 * Applies an approved payment to an invoice inside the caller's transaction. What exceeds the amount
 * due (or a payment for an invoice that is no longer payable) goes to the client's credit balance.
 */
export async function recordPayment(trx: Knex.Transaction, input: PaymentInput, onPaid: OnInvoicePaid): Promise<PaymentResult> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw new PaymentError('A payment must be a positive whole number of minor units', 'invalid');
  const invoice = await getInvoice(trx, input.invoiceId);
  if (!invoice) throw new PaymentError(`Invoice #${input.invoiceId} does not exist`, 'invalid');
  if (invoice.currency !== input.currency) throw new PaymentError(`Invoice ${invoice.number} is in ${invoice.currency}, the payment in ${input.currency}`, 'currency');

  const tx = await insertTransactionOnce(trx, {
    client_id: invoice.client_id,
    invoice_id: invoice.id,
    gateway: input.gateway,
    external_id: input.externalId,
    method: input.method,
    status: 'approved',
    status_code: input.statusCode ?? '',
    amount: input.amount,
    currency: input.currency,
    refund_of: null,
    raw: input.raw === undefined ? null : JSON.stringify(input.raw).slice(0, 20_000),
    created_at: input.at,
  });
  if (!tx.created) return { transactionId: tx.id, created: false, applied: 0, credited: 0, paid: invoice.status === 'paid' };

  const due = PAYABLE.has(invoice.status) ? Math.max(0, invoice.total - invoice.amount_paid) : 0;
  const applied = Math.min(due, input.amount);
  let paid = false;
  if (applied > 0) {
    const nowPaid = invoice.amount_paid + applied >= invoice.total;
    // Compare-and-set on amount_paid: a concurrent payment in another process makes this one retry.
    const changed = await trx('core_invoices')
      .where({ id: invoice.id, amount_paid: invoice.amount_paid, status: invoice.status })
      .update({ amount_paid: invoice.amount_paid + applied, status: nowPaid ? 'paid' : invoice.status, paid_at: nowPaid ? input.at : null, updated_at: input.at });
    if (changed !== 1) throw new PaymentError(`Invoice ${invoice.number} changed while the payment was applied; try again`, 'concurrent');
    if (nowPaid) {
      paid = true;
      await onPaid(trx, { ...invoice, amount_paid: invoice.amount_paid + applied, status: 'paid', paid_at: input.at }, input.at);
    }
  }
  const credited = input.amount - applied;
  if (credited > 0) {
    const balance = await changeBalance(trx, { clientId: invoice.client_id, amount: credited, currency: input.currency, kind: 'overpayment', at: input.at, invoiceId: invoice.id, transactionId: tx.id, note: `Overpayment of invoice ${invoice.number}`, actor: input.actor });
    // Money received is never dropped: a credit the balance cannot take (another currency) stops the payment.
    if (balance === null) throw new PaymentError(`The overpayment of ${credited} ${input.currency} cannot go to the credit balance of the client (kept in another currency)`, 'currency');
  }
  return { transactionId: tx.id, created: true, applied, credited, paid };
}

/**
 * Pays what the client's credit balance covers of an invoice (all of it, or `maxAmount`). The
 * transaction id is derived from the invoice's paid amount, so two concurrent requests produce the
 * same id and only one of them can spend the credit.
 */
export async function payFromCredit(trx: Knex.Transaction, input: { invoiceId: number; clientId: number; at: string; actor?: string; maxAmount?: number }, onPaid: OnInvoicePaid): Promise<PaymentResult> {
  const invoice = await getInvoice(trx, input.invoiceId);
  if (!invoice || invoice.client_id !== input.clientId) throw new PaymentError(`Invoice #${input.invoiceId} does not exist`, 'invalid');
  if (!PAYABLE.has(invoice.status)) throw new PaymentError(`Invoice ${invoice.number} is ${invoice.status}, not payable`, 'not_payable');
  const client = (await trx('core_clients').where({ id: input.clientId }).first('balance', 'currency')) as { balance: number | string; currency: string };
  if (client.currency !== invoice.currency) throw new PaymentError(`The credit balance is in ${client.currency}, invoice ${invoice.number} in ${invoice.currency}`, 'currency');
  const due = invoice.total - invoice.amount_paid;
  const amount = Math.min(due, Number(client.balance), input.maxAmount ?? Number.MAX_SAFE_INTEGER);
  if (amount <= 0) throw new PaymentError('There is no credit balance to pay with', 'insufficient_credit');
  const externalId = `invoice:${invoice.id}:from:${invoice.amount_paid}`;
  const tx = await insertTransactionOnce(trx, {
    client_id: invoice.client_id, invoice_id: invoice.id, gateway: 'credit', external_id: externalId, method: 'Credit balance', status: 'approved',
    status_code: '', amount, currency: invoice.currency, refund_of: null, raw: null, created_at: input.at,
  });
  if (!tx.created) throw new PaymentError(`Invoice ${invoice.number} is already being paid from credit`, 'concurrent');
  const balance = await changeBalance(trx, { clientId: input.clientId, amount: -amount, currency: invoice.currency, kind: 'invoice_payment', at: input.at, invoiceId: invoice.id, transactionId: tx.id, note: `Paid invoice ${invoice.number}`, actor: input.actor });
  if (balance === null) throw new PaymentError('The credit balance does not cover this payment', 'insufficient_credit');
  const nowPaid = invoice.amount_paid + amount >= invoice.total;
  const changed = await trx('core_invoices')
    .where({ id: invoice.id, amount_paid: invoice.amount_paid, status: invoice.status })
    .update({ amount_paid: invoice.amount_paid + amount, status: nowPaid ? 'paid' : invoice.status, paid_at: nowPaid ? input.at : null, updated_at: input.at });
  if (changed !== 1) throw new PaymentError(`Invoice ${invoice.number} changed while the payment was applied; try again`, 'concurrent');
  if (nowPaid) await onPaid(trx, { ...invoice, amount_paid: invoice.amount_paid + amount, status: 'paid', paid_at: input.at }, input.at);
  return { transactionId: tx.id, created: true, applied: amount, credited: 0, paid: nowPaid };
}

/**
 * Refunds (part of) an approved payment to the client's credit balance. `key` makes the refund
 * idempotent: the same key (a form's one-time token) refunds once however often it is sent.
 */
export async function refundPayment(trx: Knex.Transaction, input: { transactionId: number; amount: number; key: string; at: string; actor?: string; reason?: string }): Promise<{ refundId: number; created: boolean }> {
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw new PaymentError('A refund must be a positive whole number of minor units', 'invalid');
  const original = (await trx('core_transactions').where({ id: input.transactionId }).first()) as
    | { id: number; client_id: number; invoice_id: number | null; status: string; amount: number; currency: string; method: string; gateway: string }
    | undefined;
  if (!original || original.status !== 'approved' || original.amount <= 0) throw new PaymentError('Only an approved payment can be refunded', 'not_refundable');
  const refund = await insertTransactionOnce(trx, {
    client_id: original.client_id, invoice_id: original.invoice_id, gateway: 'refund', external_id: `refund:${input.key}`, method: `Refund of ${original.method}`,
    status: 'refunded', status_code: '', amount: -input.amount, currency: original.currency, refund_of: original.id,
    raw: input.reason ? JSON.stringify({ reason: input.reason }) : null, created_at: input.at,
  });
  if (!refund.created) return { refundId: refund.id, created: false };
  const [{ refunded }] = (await trx('core_transactions').where({ refund_of: original.id }).sum({ refunded: 'amount' })) as [{ refunded: number | string | null }];
  if (-Number(refunded ?? 0) > original.amount) throw new PaymentError('The refunds would exceed the payment', 'refund_too_large');
  if (original.invoice_id !== null) {
    const invoice = (await getInvoice(trx, original.invoice_id))!;
    const paid = Number(invoice.amount_paid);
    const already = Number(invoice.amount_refunded);
    // What went on to the credit balance as an overpayment is there already: only the part the invoice kept is refundable here.
    if (already + input.amount > paid) {
      throw new PaymentError(`At most ${paid - already} can be refunded against invoice ${invoice.number}; the rest of the payment is in the credit balance already`, 'refund_too_large');
    }
    const fully = already + input.amount === paid;
    await trx('core_invoices')
      .where({ id: invoice.id, amount_refunded: invoice.amount_refunded })
      .update({ amount_refunded: already + input.amount, status: fully && invoice.status === 'paid' ? 'refunded' : invoice.status, closed_at: fully ? input.at : invoice.closed_at, updated_at: input.at });
  }
  const balance = await changeBalance(trx, { clientId: original.client_id, amount: input.amount, currency: original.currency, kind: 'refund', at: input.at, invoiceId: original.invoice_id, transactionId: refund.id, note: input.reason ?? 'Refund', actor: input.actor });
  if (balance === null) throw new PaymentError(`The refund cannot go to the credit balance of the client (kept in another currency than ${original.currency})`, 'currency');
  return { refundId: refund.id, created: true };
}

/** Cancels an unpaid invoice that has received nothing; returns false if it was not cancellable. */
export async function cancelInvoice(trx: Knex.Transaction, input: { invoiceId: number; at: string }): Promise<boolean> {
  const changed = await trx('core_invoices')
    .where({ id: input.invoiceId, amount_paid: 0 })
    .whereIn('status', ['draft', 'unpaid', 'collections'])
    .update({ status: 'cancelled', closed_at: input.at, updated_at: input.at });
  return changed === 1;
}

/** Marks an unpaid invoice "in collections" (dunning keeps treating it as payable). Returns false if it was not unpaid. */
export async function markInCollections(trx: Knex.Transaction, invoiceId: number, at: string): Promise<boolean> {
  return (await trx('core_invoices').where({ id: invoiceId, status: 'unpaid' }).update({ status: 'collections', updated_at: at })) === 1;
}

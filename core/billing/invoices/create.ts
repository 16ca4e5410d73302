// Creating an invoice: a sequential number, lines, discount, tax and totals, in the caller's transaction.
import type { Knex } from 'knex';
import { computeTotals } from './totals.ts';
import { insertedId, nextCounter, type InvoiceKind, type InvoiceStatus, type LineKind } from './store.ts';

export interface NewInvoiceLine {
  serviceId?: number | null;
  kind: LineKind;
  description: string;
  periodStart?: string | null;
  periodEnd?: string | null;
  quantity?: number;
  unitPrice: number;
}

export interface NewInvoice {
  clientId: number;
  kind: InvoiceKind;
  currency: string;
  enteredOn: string;
  dueOn: string;
  lines: NewInvoiceLine[];
  discount?: number;
  taxRateBp: number;
  taxInclusive: boolean;
  notes?: string;
  status?: Extract<InvoiceStatus, 'draft' | 'unpaid'>;
  numberPrefix: string;
  at: string;
}

export interface CreatedInvoice {
  id: number;
  number: string;
  total: number;
  lineIds: number[];
}

export async function createInvoice(trx: Knex.Transaction, input: NewInvoice): Promise<CreatedInvoice> {
  if (input.lines.length === 0) throw new Error('An invoice needs at least one line');
  const totals = computeTotals({
    lines: input.lines.map((l) => ({ quantity: l.quantity ?? 1, unitPrice: l.unitPrice })),
    discount: input.discount ?? 0,
    taxRateBp: input.taxRateBp,
    taxInclusive: input.taxInclusive,
  });
  const seq = await nextCounter(trx, 'invoice');
  const number = `${input.numberPrefix}${String(seq).padStart(6, '0')}`;
  const [row] = await trx('core_invoices')
    .insert({
      number,
      client_id: input.clientId,
      kind: input.kind,
      status: input.status ?? 'unpaid',
      currency: input.currency,
      tax_inclusive: input.taxInclusive,
      subtotal: totals.subtotal,
      discount: totals.discount,
      tax: totals.tax,
      total: totals.total,
      amount_paid: 0,
      entered_on: input.enteredOn,
      due_on: input.dueOn,
      reminder_stage: 0,
      notes: input.notes ?? '',
      created_at: input.at,
      updated_at: input.at,
    })
    .returning('id');
  const id = insertedId(row);
  const lineIds: number[] = [];
  for (const [i, l] of input.lines.entries()) {
    const [lr] = await trx('core_invoice_lines')
      .insert({
        invoice_id: id,
        service_id: l.serviceId ?? null,
        kind: l.kind,
        description: l.description.slice(0, 500),
        period_start: l.periodStart ?? null,
        period_end: l.periodEnd ?? null,
        quantity: l.quantity ?? 1,
        unit_price: l.unitPrice,
        amount: totals.lineAmounts[i]!,
        tax_rate_bp: input.taxRateBp,
        tax: totals.lineTaxes[i]!,
        position: i,
      })
      .returning('id');
    lineIds.push(insertedId(lr));
  }
  return { id, number, total: totals.total, lineIds };
}

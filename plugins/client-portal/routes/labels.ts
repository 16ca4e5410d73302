// Status words a client reads (seed 003), with what each status means for invoicing in plain words.
import { clientArea } from '../../../core/plugins/api.ts';
import { contextKey, type Messages, type Translate } from '../../../core/plugins/api.ts';

export const STATUS_LABELS = clientArea.STATUS_LABELS;
export const INVOICING_RULES = clientArea.INVOICING_RULES;

export const INVOICE_STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  unpaid: 'Unpaid',
  paid: 'Paid',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  collections: 'In collections',
};

/** An invoice status in the reader's words (its own context: «Отменён», where a service is «Отменена»). */
export function invoiceStatusText(t: Translate, status: string): string {
  return t.ctx('invoice status', INVOICE_STATUS_LABELS[status] ?? status);
}

/** Badge class of an invoice status (core CSS: badge-ok, badge-warning, badge-failed, badge-pending, badge-closed). */
export function invoiceBadge(status: string): string {
  return status === 'paid' ? 'ok' : status === 'unpaid' ? 'warning' : status === 'collections' ? 'failed' : 'closed';
}

export function serviceBadge(status: string): string {
  if (status === 'active') return 'ok';
  if (status.startsWith('suspended') || status === 'failed' || status === 'fraud') return 'failed';
  if (status === 'pending' || status === 'in_progress' || status === 'pending_renewal') return 'pending';
  return 'closed';
}

export const LABELS_RU: Messages = {
  // Service statuses and their invoicing rules are core's words: their Russian is in core/i18n/ru.ts.
  [contextKey('invoice status', 'Draft')]: 'Черновик',
  [contextKey('invoice status', 'Unpaid')]: 'Не оплачен',
  [contextKey('invoice status', 'Paid')]: 'Оплачен',
  [contextKey('invoice status', 'Cancelled')]: 'Отменён',
  [contextKey('invoice status', 'Refunded')]: 'Возвращён',
  [contextKey('invoice status', 'In collections')]: 'Передан на взыскание',
};

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
  Pending: 'Ожидает оплаты',
  'Work in progress': 'Выполняется',
  Active: 'Активна',
  'Suspended by staff': 'Приостановлена администратором',
  'Suspended for non-payment': 'Приостановлена за неуплату',
  'Suspended at your request': 'Приостановлена по вашей просьбе',
  'Pending renewal': 'Ожидает продления',
  Transferred: 'Перенесена',
  Cancelled: 'Отменена',
  Expired: 'Истекла',
  Failed: 'Ошибка',
  Fraudulent: 'Мошенничество',
  'Invoiced once: the first invoice only.': 'Счёт выставляется один раз: только первый.',
  'Not invoiced while it is being set up.': 'Пока услуга настраивается, счета не выставляются.',
  'Invoiced every billing cycle.': 'Счёт выставляется каждый расчётный период.',
  'Invoiced only if the operator invoices suspended services.': 'Счёт выставляется, только если провайдер выставляет счета за приостановленные услуги.',
  'Not invoiced again: the renewal invoice is already out.': 'Повторно не выставляется: счёт на продление уже выставлен.',
  'Not invoiced.': 'Счета не выставляются.',
  [contextKey('invoice status', 'Draft')]: 'Черновик',
  [contextKey('invoice status', 'Unpaid')]: 'Не оплачен',
  [contextKey('invoice status', 'Paid')]: 'Оплачен',
  [contextKey('invoice status', 'Cancelled')]: 'Отменён',
  [contextKey('invoice status', 'Refunded')]: 'Возвращён',
  [contextKey('invoice status', 'In collections')]: 'Передан на взыскание',
};

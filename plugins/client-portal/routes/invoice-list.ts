// The client's invoices (/client/invoices, seed 003 "Managing Invoices"): sortable by amount, date and
// status, filtered by status, paged by keyset so a client with thousands of invoices reads a deep page
// as fast as the first; a "Pay now" link on every open invoice and "Pay all outstanding" above.
import { buildTable, clientArea, createRouter, pluralKey, type TableSpec, type Translate } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { invoiceBadge, invoiceStatusText } from './labels.ts';
import { AREA_ROLES, areaGuard } from './permissions.ts';

export const INVOICES_PATH = '/client/invoices';
export const INVOICE_PAGE_SIZE = 25;

type Row = clientArea.ClientInvoiceRow;

/**
 * The table of the list. Exported for bench/portal, whose floor server renders the same page: the
 * columns are the page's definition, not framework.
 */
export function invoiceTableSpec(t: Translate, opts: { today: string; filtered: boolean }): TableSpec<Row> {
  const payable = (r: Row) => clientArea.clientInvoiceDue(r) > 0;
  const overdue = (r: Row) => clientArea.clientInvoiceOverdue(r, opts.today);
  return {
    id: 'invoices',
    empty: opts.filtered ? t('No invoices with this status.') : t('You have no invoices yet.'),
    defaultSort: 'entered_on',
    defaultDir: 'desc',
    pageSize: INVOICE_PAGE_SIZE,
    // A count walks the client's index entries: ~0.5 ms for 5,000 of them, more than the page itself
    // (bench/portal). 1,000 keeps it exact for nearly every client and bounded for the rest.
    keyset: { countUpTo: 1_000 },
    columns: [
      { key: 'number', label: t('Invoice ID'), href: (r) => `${INVOICES_PATH}/${r.id}` },
      { key: 'total', label: t('Amount'), sortBy: 'total', align: 'right', money: (r) => ({ amount: r.total, currency: r.currency }) },
      { key: 'entered_on', label: t('Entered'), sortBy: 'entered_on' },
      { key: 'due_on', label: t('Due Date'), value: (r) => (overdue(r) ? t('{date}, overdue', { date: r.due_on }) : r.due_on), badge: (r) => (overdue(r) ? 'failed' : null) },
      // Filtered by one status, the column is constant: sorting by it would only be sorting by id.
      { key: 'status', label: t('Status'), ...(opts.filtered ? {} : { sortBy: 'status' }), value: (r) => invoiceStatusText(t, r.status), badge: (r) => invoiceBadge(r.status) },
      {
        key: 'pay',
        label: t('Payment'),
        value: (r) => (payable(r) ? t('Pay now') : ''),
        href: (r) => (payable(r) ? `${INVOICES_PATH}/${r.id}/pay` : null),
        ariaLabel: (r) => t('Pay invoice {number}', { number: r.number }),
      },
    ],
  };
}

/** The status filter's choices, in the order a client looks for them. */
export function invoiceStatusOptions(t: Translate): { value: string; label: string }[] {
  return clientArea.CLIENT_INVOICE_STATUSES.map((s) => ({ value: s, label: invoiceStatusText(t, s) }));
}

export const invoiceListSection: PortalSection = {
  mount: '/invoices',
  menu: [{ area: 'client', section: 'billing', id: 'invoices', label: 'Invoices', href: '/invoices', order: 10, roles: AREA_ROLES.billing }],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('billing'));
    r.get('/', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const clientId = clientIdOf(c);
      const status = clientArea.clientInvoiceStatus(c.req.query('status'));
      const today = app.clock.now().toISOString().slice(0, 10);
      const [table, outstanding] = await Promise.all([
        buildTable(c, invoiceTableSpec(t, { today, filtered: Boolean(status) }), clientArea.clientInvoicesSource(app.db, clientId, { status })),
        clientArea.clientOutstanding(app.db, clientId),
      ]);
      return renderPortal(c, 'client/invoice-list', { table, outstanding, status: status ?? '', statusOptions: invoiceStatusOptions(t) }, { title: t('Invoices') });
    });
    return r;
  },
  ru: {
    Billing: 'Финансы',
    Invoices: 'Счета',
    'Invoice ID': 'Номер счёта',
    Amount: 'Сумма',
    Entered: 'Выставлен',
    'Due Date': 'Срок оплаты',
    Status: 'Статус',
    Payment: 'Оплата',
    'Pay now': 'Оплатить',
    'Pay invoice {number}': 'Оплатить счёт {number}',
    '{date}, overdue': '{date}, просрочен',
    'Amount due': 'К оплате',
    'Pay all outstanding': 'Оплатить все счета',
    [pluralKey({ one: '{n} unpaid invoice', other: '{n} unpaid invoices' })]: 'one={n} неоплаченный счёт\nfew={n} неоплаченных счёта\nmany={n} неоплаченных счетов\nother={n} неоплаченного счёта',
    'Filter invoices': 'Фильтр счетов',
    'All invoices': 'Все счета',
    Show: 'Показать',
    'Show all': 'Показать все',
    'No invoices with this status.': 'Счетов с таким статусом нет.',
    'You have no invoices yet.': 'У вас пока нет счетов.',
    'Click an invoice number to see its lines, taxes and payments.': 'Нажмите на номер счёта, чтобы увидеть его строки, налоги и платежи.',
    // The table partial (core) on portal pages.
    Pages: 'Страницы',
    First: 'В начало',
    Previous: 'Назад',
    Next: 'Далее',
    '{total} in all': 'всего {total}',
    'More than {total}': 'Более {total}',
    'Nothing here yet.': 'Здесь пока ничего нет.',
    'Page {page} of {pages} · {total} in all': 'Страница {page} из {pages} · всего {total}',
  },
};

// Invoice pages: the list (filter by status and client), the invoice page with its actions (pay from
// credit, cancel, collections; recording a payment and refunds are the payments pages', linked from
// here and sending staff back), and the printable invoice.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { renderView } from '../../http/render.ts';
import { flash } from '../../http/flash.ts';
import { buildTable } from '../../http/table.ts';
import { requireRole } from '../../http/guards.ts';
import { iso } from '../../db/time.ts';
import { countryName } from '../../i18n/countries.ts';
import { getInvoice, invoiceLines, type InvoiceRow, type InvoiceStatus } from '../invoices/store.ts';
import { markInCollections, PaymentError } from '../invoices/payments.ts';
import { getPrimaryContact } from '../clients/index.ts';
import { PAYMENTS_ADMIN_BASE } from '../payments/index.ts';
import { getInvoiceHeader } from './settings.ts';
import {
  BILLING_BASE,
  BILLING_EDIT_ROLES,
  INVOICE_KIND_LABELS,
  INVOICE_STATUS_LABELS,
  audit,
  clientName,
  idParam,
  idValue,
  invoiceBadge,
  moneyFormatter,
  staffActor,
} from './shared.ts';
import { invoiceListQuery, namesForInvoices, transactionsOfInvoice, type InvoiceListRow, type TransactionView } from './store.ts';

const BASE = `${BILLING_BASE}/invoices`;
const STATUSES: InvoiceStatus[] = ['draft', 'unpaid', 'paid', 'cancelled', 'refunded', 'collections'];
const PAYABLE = new Set(['unpaid', 'collections']);

type ClientRowLite = { id: number; kind: string; name: string; company: string; currency: string; balance: number | string; status: string };

function due(inv: InvoiceRow): number {
  return Math.max(0, Number(inv.total) - Number(inv.amount_paid));
}

export function invoiceRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole(...BILLING_EDIT_ROLES));

  /* ---------- list ---------- */

  r.get('/', async (c) => {
    const app = c.get('app');
    const q = c.req.query();
    const status = (STATUSES as string[]).includes(q.status ?? '') ? (q.status as InvoiceStatus) : undefined;
    const clientId = idValue(q.client) ?? undefined;
    const client = clientId ? ((await app.db('core_clients').where({ id: clientId }).first('id', 'kind', 'name', 'company')) as ClientRowLite | undefined) : undefined;
    const filtered = Boolean(status || clientId);
    const { money } = await moneyFormatter(app.db);
    const href = (row: InvoiceListRow) => `${BASE}/${row.id}`;
    const table = await buildTable<InvoiceListRow>(
      c,
      {
        id: 'invoices-table',
        caption: client ? `Invoices of ${clientName(client)}` : undefined,
        empty: filtered ? 'No invoices match these filters.' : 'No invoices yet.',
        defaultSort: 'entered_on',
        defaultDir: 'desc',
        columns: [
          { key: 'number', label: 'Invoice ID', sortBy: 'number', href },
          { key: 'client_label', label: 'Client', href: (row) => `/admin/clients/${row.client_id}` },
          { key: 'kind', label: 'Kind', value: (row) => INVOICE_KIND_LABELS[row.kind] ?? row.kind },
          { key: 'entered_on', label: 'Entered', sortBy: 'entered_on' },
          // Due date and amount have no index of their own: sortable once a filter narrows the list.
          { key: 'due_on', label: 'Due Date', ...(filtered ? { sortBy: 'due_on' } : {}) },
          { key: 'total', label: 'Amount', align: 'right', ...(filtered ? { sortBy: 'total' } : {}), value: (row) => money(row.total, row.currency) },
          { key: 'balance', label: 'Balance due', align: 'right', value: (row) => (PAYABLE.has(row.status) ? money(Number(row.total) - Number(row.amount_paid), row.currency) : '—') },
          { key: 'status', label: 'Status', sortBy: 'status', value: (row) => INVOICE_STATUS_LABELS[row.status] ?? row.status, badge: (row) => invoiceBadge(row.status) },
        ],
      },
      invoiceListQuery(app.db, { status, clientId }),
    );
    table.rows = await namesForInvoices(app.db, table.rows);
    return renderView(
      c,
      'pages/admin/billing/invoices',
      {
        table,
        filters: { status: status ?? '', client: clientId ? String(clientId) : '' },
        client: client ? { id: client.id, name: clientName(client) } : null,
        statusOptions: STATUSES.map((s) => ({ value: s, label: INVOICE_STATUS_LABELS[s] })),
        sort: q.sort ?? '',
        dir: q.dir ?? '',
        filtered,
      },
      { title: 'Invoices' },
    );
  });

  /* ---------- the invoice page ---------- */

  const load = async (c: Context<AppEnv>): Promise<InvoiceRow | undefined> => {
    const id = idParam(c);
    return id ? getInvoice(c.get('app').db, id) : undefined;
  };
  const notFound = (c: Context<AppEnv>) => c.get('app').pages.error(c, 404, 'There is no invoice with this number.');
  const back = (c: Context<AppEnv>, id: number) => c.redirect(`${BASE}/${id}`, 303);

  const invoiceData = async (c: Context<AppEnv>, inv: InvoiceRow) => {
    const app = c.get('app');
    const [lines, transactions, client, fmt] = await Promise.all([
      invoiceLines(app.db, inv.id),
      transactionsOfInvoice(app.db, inv.id),
      app.db('core_clients').where({ id: inv.client_id }).first('id', 'kind', 'name', 'company', 'currency', 'balance', 'status') as Promise<ClientRowLite | undefined>,
      moneyFormatter(app.db),
    ]);
    const balanceDue = due(inv);
    const payable = PAYABLE.has(inv.status) && balanceDue > 0;
    const credit = client && client.currency === inv.currency ? Number(client.balance) : 0;
    return { lines, transactions, client, fmt, balanceDue, payable, credit };
  };

  const invoicePage = async (c: Context<AppEnv>, inv: InvoiceRow) => {
    const d = await invoiceData(c, inv);
    const here = encodeURIComponent(`${BASE}/${inv.id}`);
    return renderView(
      c,
      'pages/admin/billing/invoice',
      {
        inv,
        lines: d.lines,
        transactions: d.transactions,
        client: d.client ? { id: d.client.id, name: clientName(d.client) } : null,
        money: d.fmt.money,
        statusLabel: INVOICE_STATUS_LABELS[inv.status] ?? inv.status,
        kindLabel: INVOICE_KIND_LABELS[inv.kind] ?? inv.kind,
        badge: invoiceBadge(inv.status),
        balanceDue: d.balanceDue,
        payable: d.payable,
        credit: d.credit,
        canPayFromCredit: d.payable && d.credit > 0,
        canCancel: ['draft', 'unpaid', 'collections'].includes(inv.status) && Number(inv.amount_paid) === 0,
        canCollections: inv.status === 'unpaid',
        taxInclusive: inv.tax_inclusive === true || inv.tax_inclusive === 1,
        // Recording a payment and refunding are the payments pages'; they send staff back here.
        recordUrl: `${PAYMENTS_ADMIN_BASE}/invoice/${inv.id}/record?next=${here}`,
        refundUrl: (tx: TransactionView) => `${PAYMENTS_ADMIN_BASE}/transaction/${tx.id}/refund?next=${here}`,
        base: BASE,
      },
      { title: `Invoice ${inv.number}` },
    );
  };

  r.get('/:id{[0-9]+}', async (c) => {
    const inv = await load(c);
    return inv ? invoicePage(c, inv) : notFound(c);
  });

  /* ---------- the printable invoice ---------- */

  r.get('/:id{[0-9]+}/print', async (c) => {
    const app = c.get('app');
    const inv = await load(c);
    if (!inv) return notFound(c);
    const d = await invoiceData(c, inv);
    const [header, contact] = await Promise.all([getInvoiceHeader(app.settings), getPrimaryContact(app.db, inv.client_id)]);
    const cityLine = contact ? [contact.zip, contact.city].filter(Boolean).join(' ') : '';
    const address = contact
      ? [
          contact.company && contact.company !== d.client?.name ? contact.company : '',
          // The contact's own name, unless it is the client's name again.
          `${contact.first_name} ${contact.last_name}`.trim() === d.client?.name ? '' : `${contact.first_name} ${contact.last_name}`.trim(),
          contact.address1,
          contact.address2,
          [cityLine, contact.state].filter(Boolean).join(', '),
          contact.country ? countryName(contact.country) : '',
        ].filter(Boolean)
      : [];
    return renderView(
      c,
      'pages/admin/billing/invoice-print',
      {
        inv,
        lines: d.lines,
        transactions: d.transactions.filter((t) => t.status === 'approved' || t.status === 'refunded'),
        client: d.client ? { id: d.client.id, name: clientName(d.client) } : null,
        address,
        header,
        money: d.fmt.money,
        statusLabel: INVOICE_STATUS_LABELS[inv.status] ?? inv.status,
        balanceDue: d.balanceDue,
        taxInclusive: inv.tax_inclusive === true || inv.tax_inclusive === 1,
        back: `${BASE}/${inv.id}`,
      },
      { title: `Invoice ${inv.number}`, layout: 'bare' },
    );
  });

  /* ---------- pay from credit, cancel, collections ---------- */

  r.post('/:id{[0-9]+}/pay-from-credit', async (c) => {
    const app = c.get('app');
    const inv = await load(c);
    if (!inv) return notFound(c);
    const { money } = await moneyFormatter(app.db);
    try {
      const res = await app.billing.payFromCredit({ invoiceId: inv.id, clientId: inv.client_id, actor: staffActor(c).label });
      await audit(c, 'paid_from_credit', `invoice:${inv.id}`, { transaction: res.transactionId, amount: res.applied });
      const left = Number(inv.total) - Number(inv.amount_paid) - res.applied;
      flash(c, 'success', `${money(res.applied, inv.currency)} of the client's credit was applied to invoice ${inv.number}${res.paid ? '; the invoice is paid' : `; ${money(left, inv.currency)} is still due`}.`);
    } catch (err) {
      if (!(err instanceof PaymentError)) throw err;
      flash(c, 'error', err.message);
    }
    return back(c, inv.id);
  });

  r.post('/:id{[0-9]+}/cancel', async (c) => {
    const app = c.get('app');
    const inv = await load(c);
    if (!inv) return notFound(c);
    if (Number(inv.amount_paid) > 0) {
      flash(c, 'error', `Invoice ${inv.number} has received a payment: refund it before cancelling the invoice.`);
      return back(c, inv.id);
    }
    const ok = await app.billing.cancelInvoice({ invoiceId: inv.id, actor: staffActor(c) });
    if (!ok) {
      flash(c, 'error', `Invoice ${inv.number} is ${INVOICE_STATUS_LABELS[inv.status]?.toLowerCase() ?? inv.status} and cannot be cancelled.`);
      return back(c, inv.id);
    }
    await audit(c, 'invoice_cancelled', `invoice:${inv.id}`);
    flash(c, 'success', `Invoice ${inv.number} was cancelled${inv.kind === 'order' ? ', and the pending order it was for' : ''}.`);
    return back(c, inv.id);
  });

  r.post('/:id{[0-9]+}/collections', async (c) => {
    const app = c.get('app');
    const inv = await load(c);
    if (!inv) return notFound(c);
    const ok = await app.db.transaction(async (trx) => {
      if (!(await markInCollections(trx, inv.id, iso(app.clock.now())))) return false;
      await audit(c, 'invoice_collections', `invoice:${inv.id}`, undefined, trx);
      return true;
    });
    if (ok) flash(c, 'success', `Invoice ${inv.number} is marked as in collections. Reminders and suspension go on as for an unpaid invoice.`);
    else flash(c, 'error', `Only an unpaid invoice can go to collections; ${inv.number} is ${INVOICE_STATUS_LABELS[inv.status]?.toLowerCase() ?? inv.status}.`);
    return back(c, inv.id);
  });

  return r;
}

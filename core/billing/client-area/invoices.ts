// One invoice as its client sees it (lines with the package each belongs to, taxes, transactions), the
// printable invoice, the statement of account, and paying: a gateway's page, a stored card, a card typed
// in (saved if asked), or the credit balance. Every read is scoped by the client id: another client's
// invoice is simply not found.
import type { Knex } from 'knex';
import type { AppServices } from '../../services.ts';
import { isoDay } from '../../db/time.ts';
import { countryName } from '../../i18n/countries.ts';
import { formatMoney } from '../../money/money.ts';
import { addDays, addMonths, isDay } from '../services/periods.ts';
import type { InvoiceKind, InvoiceStatus, LineKind } from '../invoices/store.ts';
import { PaymentError } from '../invoices/payments.ts';
import { getPrimaryContact } from '../clients/clients.ts';
import { getInvoiceHeader, type InvoiceHeader } from '../admin/settings.ts';
import { billingAccountSchema, normalizeCardNumber, ACCOUNT_MESSAGES, CARD_TYPES, CARD_TYPE_LABELS } from '../accounts/schemas.ts';
import { createBillingAccount, describeAccount, isExpired, isPassphraseProtected } from '../accounts/accounts.ts';
import { getAccountSettings } from '../accounts/settings.ts';
import { listAccounts } from '../accounts/store.ts';
import { paymentsOf } from '../payments/setup.ts';
import { PaymentServiceError, attemptIdForKey, type PaymentActor, type PaymentService } from '../payments/service.ts';
import { checkFormKey, makeFormKey } from '../payments/admin-routes.ts';

type Q = Knex | Knex.Transaction;

/** Statuses that can still be paid (the payments module's own rule). */
const PAYABLE_STATUSES: readonly InvoiceStatus[] = ['unpaid', 'collections'];
/** PaymentService takes at most this many invoices in one payment. */
export const MAX_INVOICES_PER_PAYMENT = 50;

/* ---------- one invoice ---------- */

export interface ClientInvoice {
  id: number;
  number: string;
  status: InvoiceStatus;
  kind: InvoiceKind;
  currency: string;
  taxInclusive: boolean;
  subtotal: number;
  discount: number;
  tax: number;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  /** What is still owed (0 once paid, cancelled or refunded). */
  balanceDue: number;
  payable: boolean;
  enteredOn: string;
  dueOn: string;
  paidAt: string | null;
  closedAt: string | null;
  notes: string;
}

export interface ClientInvoiceLine {
  id: number;
  kind: LineKind;
  description: string;
  periodStart: string | null;
  periodEnd: string | null;
  quantity: number;
  unitPrice: number;
  amount: number;
  taxRateBp: number;
  tax: number;
  /** The client's package (service) the line bills, null for lines of no service. */
  service: { id: number; packageName: string; label: string } | null;
}

export interface ClientTransaction {
  id: number;
  /** What the client sees: "Credit Card", "Bank transfer", "Credit balance", "Refund of Credit Card". */
  method: string;
  status: 'approved' | 'declined' | 'error' | 'pending' | 'refunded';
  statusCode: string;
  createdAt: string;
  /** Signed: refunds are negative. */
  amount: number;
  currency: string;
  isRefund: boolean;
}

export interface ClientInvoiceDetail {
  invoice: ClientInvoice;
  lines: ClientInvoiceLine[];
  transactions: ClientTransaction[];
  /** The invoice's tax rate in basis points (one rate per invoice), 0 when no tax applies. */
  taxRateBp: number;
}

const INVOICE_COLUMNS = ['id', 'number', 'status', 'kind', 'currency', 'tax_inclusive', 'subtotal', 'discount', 'tax', 'total', 'amount_paid', 'amount_refunded', 'entered_on', 'due_on', 'paid_at', 'closed_at', 'notes'];

function toInvoice(r: Record<string, unknown>): ClientInvoice {
  const total = Number(r.total);
  const amountPaid = Number(r.amount_paid);
  const status = r.status as InvoiceStatus;
  const balanceDue = PAYABLE_STATUSES.includes(status) ? Math.max(0, total - amountPaid) : 0;
  return {
    id: Number(r.id), number: String(r.number), status, kind: r.kind as InvoiceKind, currency: String(r.currency),
    taxInclusive: r.tax_inclusive === true || r.tax_inclusive === 1, subtotal: Number(r.subtotal), discount: Number(r.discount), tax: Number(r.tax),
    total, amountPaid, amountRefunded: Number(r.amount_refunded ?? 0), balanceDue, payable: balanceDue > 0,
    enteredOn: String(r.entered_on), dueOn: String(r.due_on), paidAt: (r.paid_at as string | null) ?? null, closedAt: (r.closed_at as string | null) ?? null, notes: String(r.notes ?? ''),
  };
}

/** The client's invoice, or undefined (another client's invoices do not exist here). Drafts are not issued yet. */
export async function clientInvoice(db: Q, clientId: number, invoiceId: number): Promise<ClientInvoice | undefined> {
  if (!Number.isSafeInteger(invoiceId) || invoiceId <= 0) return undefined;
  const row = (await db('core_invoices').where({ id: invoiceId, client_id: clientId }).whereNot('status', 'draft').first(INVOICE_COLUMNS)) as Record<string, unknown> | undefined;
  return row ? toInvoice(row) : undefined;
}

/** The invoice with its lines (and the package each bills), its transactions and its tax rate. */
export async function clientInvoiceDetail(db: Q, clientId: number, invoiceId: number): Promise<ClientInvoiceDetail | undefined> {
  const invoice = await clientInvoice(db, clientId, invoiceId);
  if (!invoice) return undefined;
  const lineRows = (await db('core_invoice_lines as l')
    // Only the client's own service is named: a line can never lead to another client's package.
    .leftJoin('core_services as s', (j) => j.on('s.id', 'l.service_id').andOnVal('s.client_id', '=', clientId))
    .leftJoin('core_packages as p', 'p.id', 's.package_id')
    .where('l.invoice_id', invoice.id)
    .orderBy([{ column: 'l.position' }, { column: 'l.id' }])
    .select('l.id', 'l.kind', 'l.description', 'l.period_start', 'l.period_end', 'l.quantity', 'l.unit_price', 'l.amount', 'l.tax_rate_bp', 'l.tax', 's.id as service_id', 's.label as service_label', 'p.name as package_name')) as Record<string, unknown>[];
  const lines: ClientInvoiceLine[] = lineRows.map((r) => ({
    id: Number(r.id), kind: r.kind as LineKind, description: String(r.description), periodStart: (r.period_start as string | null) ?? null, periodEnd: (r.period_end as string | null) ?? null,
    quantity: Number(r.quantity), unitPrice: Number(r.unit_price), amount: Number(r.amount), taxRateBp: Number(r.tax_rate_bp), tax: Number(r.tax),
    service: r.service_id === null || r.service_id === undefined ? null : { id: Number(r.service_id), packageName: String(r.package_name ?? ''), label: String(r.service_label ?? '') },
  }));
  const transactions = await clientInvoiceTransactions(db, clientId, invoice.id);
  return { invoice, lines, transactions, taxRateBp: Math.max(0, ...lines.map((l) => l.taxRateBp)) };
}

export async function clientInvoiceTransactions(db: Q, clientId: number, invoiceId: number): Promise<ClientTransaction[]> {
  const rows = (await db('core_transactions').where({ invoice_id: invoiceId, client_id: clientId }).orderBy('id').select('id', 'method', 'status', 'status_code', 'created_at', 'amount', 'currency', 'refund_of')) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: Number(r.id), method: String(r.method), status: r.status as ClientTransaction['status'], statusCode: String(r.status_code ?? ''), createdAt: String(r.created_at),
    amount: Number(r.amount), currency: String(r.currency), isRefund: r.refund_of !== null && r.refund_of !== undefined,
  }));
}

/** The client's invoices that can be paid, oldest due first (up to 200; a payment takes at most MAX_INVOICES_PER_PAYMENT of one currency). */
export async function openClientInvoices(db: Q, clientId: number): Promise<ClientInvoice[]> {
  const rows = (await db('core_invoices')
    .where({ client_id: clientId })
    .whereIn('status', PAYABLE_STATUSES)
    .orderBy([{ column: 'due_on' }, { column: 'id' }])
    .limit(MAX_INVOICES_PER_PAYMENT * 4)
    .select(INVOICE_COLUMNS)) as Record<string, unknown>[];
  return rows.map(toInvoice).filter((i) => i.payable);
}

/* ---------- the printable invoice ---------- */

export interface PrintableInvoice extends ClientInvoiceDetail {
  /** The operator's name, address, tax id and footer (Billing settings). */
  header: InvoiceHeader;
  billTo: { clientId: number; name: string; addressLines: string[] };
}

/** The operator's name and address as printed on invoices and statements (Billing settings). */
export function operatorHeader(app: Pick<AppServices, 'settings'>): Promise<InvoiceHeader> {
  return getInvoiceHeader(app.settings);
}

export async function printableClientInvoice(app: Pick<AppServices, 'db' | 'settings'>, clientId: number, invoiceId: number): Promise<PrintableInvoice | undefined> {
  const detail = await clientInvoiceDetail(app.db, clientId, invoiceId);
  if (!detail) return undefined;
  const client = (await app.db('core_clients').where({ id: clientId }).first('id', 'kind', 'name', 'company')) as { id: number; kind: string; name: string; company: string };
  const header = await getInvoiceHeader(app.settings);
  const contact = await getPrimaryContact(app.db, clientId);
  const name = client.kind === 'company' && client.company ? client.company : client.name;
  const person = contact ? `${contact.first_name} ${contact.last_name}`.trim() : '';
  const addressLines = contact
    ? [
        contact.company && contact.company !== name ? contact.company : '',
        person === name ? '' : person,
        contact.address1,
        contact.address2,
        [[contact.zip, contact.city].filter(Boolean).join(' '), contact.state].filter(Boolean).join(', '),
        contact.country ? countryName(contact.country) : '',
      ].filter(Boolean)
    : [];
  return { ...detail, header, billTo: { clientId: Number(client.id), name, addressLines } };
}

/* ---------- the statement of account ---------- */

export type StatementEntryKind = 'invoice' | 'invoice_cancelled' | 'payment' | 'refund' | 'paid_from_credit' | 'credit_adjustment';

export interface StatementEntry {
  kind: StatementEntryKind;
  /** YYYY-MM-DD */
  date: string;
  invoiceId: number | null;
  invoiceNumber: string;
  /** Payment method, or the note of a credit adjustment. */
  detail: string;
  /** Raises what the client owes (an invoice). */
  charge: number;
  /** Lowers it (a payment, a refund to the credit balance, a cancelled invoice, credit granted). */
  credit: number;
  /** For a payment from the credit balance, which changes nothing owed overall: the amount moved. */
  moved: number;
  /** What the client owes after this entry; negative: credit in the client's favour. */
  balance: number;
}

export interface Statement {
  currency: string;
  from: string;
  to: string;
  /** Owed at the start of `from` (negative: in credit). */
  opening: number;
  /** Owed at the end of `to`. */
  closing: number;
  entries: StatementEntry[];
  /** More entries than shown: the period should be shorter. */
  truncated: boolean;
  /** Currencies the client has invoices or credit in (the statement is one currency at a time). */
  currencies: string[];
}

/** Kinds of credit-ledger lines that another entry already shows (the payment, the refund, the payment from credit). */
const LEDGER_SHOWN_ELSEWHERE = ['overpayment', 'invoice_payment', 'refund'];
export const MAX_STATEMENT_ENTRIES = 1000;

/** The default period of a statement: the last twelve months up to today. */
export function defaultStatementPeriod(today: string): { from: string; to: string } {
  return { from: addDays(addMonths(today, -12), 1), to: today };
}

/**
 * What the client owed before `day` (YYYY-MM-DD) in `currency`: invoices issued, less cancelled ones,
 * payments received (not those from the credit balance, which only move money already counted),
 * refunds to the credit balance and other credit granted.
 */
async function owedBefore(db: Q, clientId: number, currency: string, day: string): Promise<number> {
  const sum = async (q: Knex.QueryBuilder, column: string): Promise<number> => {
    const [row] = (await q.sum({ s: column })) as [{ s: number | string | null }];
    return Number(row.s ?? 0);
  };
  const invoiced = await sum(db('core_invoices').where({ client_id: clientId, currency }).whereNot('status', 'draft').andWhere('entered_on', '<', day), 'total');
  const cancelled = await sum(db('core_invoices').where({ client_id: clientId, currency, status: 'cancelled' }).andWhere('closed_at', '<', day), 'total');
  const paid = await sum(db('core_transactions').where({ client_id: clientId, currency, status: 'approved' }).whereNot('gateway', 'credit').andWhere('amount', '>', 0).andWhere('created_at', '<', day), 'amount');
  const refunded = await sum(db('core_transactions').where({ client_id: clientId, currency, status: 'refunded' }).andWhere('created_at', '<', day), 'amount');
  const adjusted = await sum(db('core_credit_ledger').where({ client_id: clientId, currency }).whereNotIn('kind', LEDGER_SHOWN_ELSEWHERE).andWhere('at', '<', day), 'amount');
  // Refund rows are negative amounts; credit granted is positive and lowers what is owed.
  return invoiced - cancelled - paid + refunded - adjusted;
}

export async function statementCurrencies(db: Q, clientId: number): Promise<string[]> {
  const client = (await db('core_clients').where({ id: clientId }).first('currency')) as { currency: string } | undefined;
  const rows = (await db('core_invoices').where({ client_id: clientId }).whereNot('status', 'draft').distinct('currency')) as { currency: string }[];
  const all = new Set(rows.map((r) => r.currency));
  if (client) all.add(client.currency);
  return [...all].sort((a, b) => (a === client?.currency ? -1 : b === client?.currency ? 1 : a.localeCompare(b)));
}

/**
 * Every invoice, payment, refund and change of the credit balance of one client in one currency
 * between `from` and `to` (days, inclusive), oldest first, with what was owed after each.
 */
export async function clientStatement(db: Q, clientId: number, input: { from: string; to: string; currency: string }): Promise<Statement> {
  const { from, to, currency } = input;
  const end = addDays(to, 1);
  const opening = await owedBefore(db, clientId, currency, from);
  const closing = await owedBefore(db, clientId, currency, end);
  const limit = MAX_STATEMENT_ENTRIES + 1;
  type Sortable = Omit<StatementEntry, 'balance'> & { at: string; order: number; id: number };
  const all: Sortable[] = [];

  const issued = (await db('core_invoices').where({ client_id: clientId, currency }).whereNot('status', 'draft').andWhere('entered_on', '>=', from).andWhere('entered_on', '<', end)
    .orderBy([{ column: 'entered_on' }, { column: 'id' }]).limit(limit).select('id', 'number', 'total', 'entered_on', 'created_at')) as { id: number; number: string; total: number | string; entered_on: string; created_at: string }[];
  for (const r of issued) {
    // Issued on its entered day; the time it was created orders it among that day's payments.
    const at = r.created_at.startsWith(r.entered_on) ? r.created_at : `${r.entered_on}T00:00:00.000Z`;
    all.push({ kind: 'invoice', date: r.entered_on, at, order: 0, id: Number(r.id), invoiceId: Number(r.id), invoiceNumber: r.number, detail: '', charge: Number(r.total), credit: 0, moved: 0 });
  }
  const cancelled = (await db('core_invoices').where({ client_id: clientId, currency, status: 'cancelled' }).andWhere('closed_at', '>=', from).andWhere('closed_at', '<', end)
    .orderBy([{ column: 'closed_at' }, { column: 'id' }]).limit(limit).select('id', 'number', 'total', 'closed_at')) as { id: number; number: string; total: number | string; closed_at: string }[];
  for (const r of cancelled) all.push({ kind: 'invoice_cancelled', date: r.closed_at.slice(0, 10), at: r.closed_at, order: 1, id: Number(r.id), invoiceId: Number(r.id), invoiceNumber: r.number, detail: '', charge: 0, credit: Number(r.total), moved: 0 });

  const txs = (await db('core_transactions as t')
    .leftJoin('core_invoices as i', (j) => j.on('i.id', 't.invoice_id').andOnVal('i.client_id', '=', clientId))
    .where({ 't.client_id': clientId, 't.currency': currency })
    .whereIn('t.status', ['approved', 'refunded'])
    .andWhere('t.created_at', '>=', from)
    .andWhere('t.created_at', '<', end)
    .orderBy([{ column: 't.created_at' }, { column: 't.id' }])
    .limit(limit)
    .select('t.id', 't.invoice_id', 'i.number as invoice_number', 't.gateway', 't.method', 't.status', 't.amount', 't.created_at')) as { id: number; invoice_id: number | null; invoice_number: string | null; gateway: string; method: string; status: string; amount: number | string; created_at: string }[];
  for (const r of txs) {
    const amount = Number(r.amount);
    const base = { date: r.created_at.slice(0, 10), at: r.created_at, id: Number(r.id), invoiceId: r.invoice_id === null ? null : Number(r.invoice_id), invoiceNumber: r.invoice_number ?? '', detail: r.method, charge: 0 };
    if (r.status === 'refunded') all.push({ ...base, kind: 'refund', order: 3, credit: -amount, moved: 0 });
    else if (amount <= 0) continue;
    else if (r.gateway === 'credit') all.push({ ...base, kind: 'paid_from_credit', order: 2, credit: 0, moved: amount });
    else all.push({ ...base, kind: 'payment', order: 2, credit: amount, moved: 0 });
  }

  const ledger = (await db('core_credit_ledger').where({ client_id: clientId, currency }).whereNotIn('kind', LEDGER_SHOWN_ELSEWHERE).andWhere('at', '>=', from).andWhere('at', '<', end)
    .orderBy([{ column: 'at' }, { column: 'id' }]).limit(limit).select('id', 'at', 'amount', 'note')) as { id: number; at: string; amount: number | string; note: string }[];
  for (const r of ledger) {
    const amount = Number(r.amount);
    all.push({ kind: 'credit_adjustment', date: r.at.slice(0, 10), at: r.at, order: 4, id: Number(r.id), invoiceId: null, invoiceNumber: '', detail: r.note, charge: amount < 0 ? -amount : 0, credit: amount > 0 ? amount : 0, moved: 0 });
  }

  all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order || a.id - b.id));
  const truncated = all.length > MAX_STATEMENT_ENTRIES;
  let balance = opening;
  const entries = all.slice(0, MAX_STATEMENT_ENTRIES).map(({ at: _at, order: _order, id: _id, ...e }) => {
    balance += e.charge - e.credit;
    return { ...e, balance };
  });
  return { currency, from, to, opening, closing, entries, truncated, currencies: await statementCurrencies(db, clientId) };
}

/** Reads ?from=&to= of a statement: days, from ≤ to, no later than today; errors by field. */
export function statementPeriod(query: Record<string, string | undefined>, today: string): { from: string; to: string; errors: Record<string, string> } {
  const fallback = defaultStatementPeriod(today);
  const errors: Record<string, string> = {};
  const read = (key: 'from' | 'to'): string => {
    const raw = (query[key] ?? '').trim();
    if (!raw) return fallback[key];
    if (!isDay(raw)) {
      errors[key] = 'Enter the date as YYYY-MM-DD, e.g. 2026-01-31';
      return fallback[key];
    }
    return raw;
  };
  let from = read('from');
  let to = read('to');
  if (to > today && !errors.to) to = today;
  if (from > to && !errors.from && !errors.to) {
    errors.from = 'The start of the period must come before its end';
    ({ from, to } = fallback);
  }
  return { from, to, errors };
}

/* ---------- paying ---------- */

export interface PayAccount {
  id: number;
  /** "Visa •••• 4242" and the client's own label. */
  shownAs: string;
  label: string;
  isDefault: boolean;
  /** Needs the client's encryption pass-phrase to be charged. */
  isProtected: boolean;
}

export interface PayOptions {
  /** Gateways that take the payment on their own page, or tell the client how to pay offline. */
  gateways: { id: string; title: string; offline: boolean }[];
  /** A gateway here can charge a card: stored cards and a new card can be used. */
  cardsAccepted: boolean;
  accounts: PayAccount[];
  /** Stored cards that cannot be charged now (expired). */
  expiredAccounts: string[];
  /** The credit balance when it is in the invoices' currency, else 0. */
  credit: number;
  /** The operator asks for the client's encryption pass-phrase when a card is saved. */
  passphraseMode: boolean;
  cardTypes: { value: string; label: string }[];
}

function paymentService(app: AppServices): PaymentService {
  const payments = paymentsOf(app);
  if (!payments) throw new Error('payments are not set up (setupPayments runs in createApp)');
  return payments;
}

/** The ways this client can pay invoices in `currency` now. */
export async function payOptions(app: AppServices, clientId: number, currency: string): Promise<PayOptions> {
  const payments = paymentService(app);
  const ready = await payments.readyGateways();
  const now = app.clock.now();
  const cardsAccepted = ready.some((g) => g.chargeStored);
  const cards = cardsAccepted ? (await listAccounts(app.db, clientId)).filter((a) => a.type === 'card' && a.sealed) : [];
  const client = (await app.db('core_clients').where({ id: clientId }).first('balance', 'currency')) as { balance: number | string; currency: string };
  const settings = await getAccountSettings(app.settings);
  return {
    gateways: ready.map((g) => ({ id: g.id, title: g.title, offline: g.offline })),
    cardsAccepted,
    accounts: cards.filter((a) => !isExpired(a, now)).map((a) => ({ id: a.id, shownAs: describeAccount(a), label: a.label, isDefault: a.is_default, isProtected: isPassphraseProtected({ secrets: app.secrets }, a) })),
    expiredAccounts: cards.filter((a) => isExpired(a, now)).map((a) => describeAccount(a)),
    credit: client.currency === currency ? Math.max(0, Number(client.balance)) : 0,
    passphraseMode: settings.passphrase,
    cardTypes: CARD_TYPES.map((c) => ({ value: c, label: CARD_TYPE_LABELS[c] })),
  };
}

/** The one-time key of a payment form: a double submit carries the same key and charges once. */
export function payFormKey(app: Pick<AppServices, 'secrets'>, clientId: number): string {
  return makeFormKey(app.secrets, 'client-pay', String(clientId));
}

export function isPayFormKey(app: Pick<AppServices, 'secrets'>, clientId: number, key: string): boolean {
  return checkFormKey(app.secrets, 'client-pay', String(clientId), key);
}

export type PayChoice =
  | { method: 'gateway'; gatewayId: string }
  | { method: 'account'; accountId: number; passphrase: string; cvv: string }
  | {
      method: 'card';
      card: { nameOnCard: string; cardType: string; number: string; expMonth: string; expYear: string; issueNumber: string; startDate: string; cvv: string };
      save: boolean;
      passphrase: string;
    }
  | { method: 'credit' };

export const PAY_MESSAGES = {
  method: 'Choose how to pay',
  gateway: 'This way of paying is not available any more; choose another',
  account: 'Choose one of your stored cards',
  cvv: ACCOUNT_MESSAGES.cvv,
  cvvRequired: 'Enter the security code (CVV) from the back of the card',
  credit: 'You have no credit balance in this currency',
} as const;

const one = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? ''));
const ticked = (v: string | string[] | undefined): boolean => ['1', 'on', 'true'].includes(one(v));

/**
 * Reads the payment form: which way to pay and, for a card, its fields (the billing accounts' own
 * card schema: Luhn, MM, YYYY, not expired). Errors by field, with the messages people see.
 */
export function parsePayChoice(values: Record<string, string | string[]>, ctx: { now: Date; options: PayOptions }): { ok: true; choice: PayChoice } | { ok: false; errors: Record<string, string> } {
  const method = one(values.method);
  const { options } = ctx;
  if (method.startsWith('gateway:')) {
    const gatewayId = method.slice('gateway:'.length);
    return options.gateways.some((g) => g.id === gatewayId) ? { ok: true, choice: { method: 'gateway', gatewayId } } : { ok: false, errors: { method: PAY_MESSAGES.gateway } };
  }
  if (method === 'credit') return options.credit > 0 ? { ok: true, choice: { method: 'credit' } } : { ok: false, errors: { method: PAY_MESSAGES.credit } };
  if (method === 'account' && options.cardsAccepted) {
    const errors: Record<string, string> = {};
    const accountId = Number(one(values.accountId));
    if (!options.accounts.some((a) => a.id === accountId)) errors.accountId = PAY_MESSAGES.account;
    const cvv = one(values.accountCvv).trim();
    if (!/^(\d{3,4})?$/.test(cvv)) errors.accountCvv = PAY_MESSAGES.cvv;
    if (Object.keys(errors).length) return { ok: false, errors };
    return { ok: true, choice: { method: 'account', accountId, passphrase: one(values.accountPassphrase), cvv } };
  }
  if (method === 'card' && options.cardsAccepted) {
    const save = ticked(values.saveCard);
    const fields = { nameOnCard: values.nameOnCard, cardType: values.cardType, cardNumber: values.cardNumber, expMonth: values.expMonth, expYear: values.expYear, issueNumber: values.issueNumber, startDate: values.startDate, cvv: values.cvv, passphrase: save ? values.passphrase : '' };
    const parsed = billingAccountSchema('card', { now: ctx.now }).safeParse(fields);
    const errors: Record<string, string> = {};
    if (!parsed.success) for (const issue of parsed.error.issues) errors[issue.path.join('.') || 'method'] ??= issue.message;
    if (!errors.cvv && !one(values.cvv).trim()) errors.cvv = PAY_MESSAGES.cvvRequired;
    if (save && options.passphraseMode && !one(values.passphrase) && !errors.passphrase) errors.passphrase = ACCOUNT_MESSAGES.passphraseRequired;
    if (!parsed.success || Object.keys(errors).length) return { ok: false, errors };
    const d = parsed.data as unknown as { nameOnCard: string; cardType: string; cardNumber: string; expMonth: string; expYear: string; issueNumber: string; startDate: string; cvv: string; passphrase: string };
    return {
      ok: true,
      choice: { method: 'card', card: { nameOnCard: d.nameOnCard, cardType: d.cardType, number: normalizeCardNumber(d.cardNumber), expMonth: d.expMonth, expYear: d.expYear, issueNumber: d.issueNumber, startDate: d.startDate, cvv: d.cvv }, save, passphrase: d.passphrase },
    };
  }
  return { ok: false, errors: { method: PAY_MESSAGES.method } };
}

export type PayOutcome =
  /** Off to the gateway's hosted page. */
  | { kind: 'redirect'; url: string; attemptId: string }
  /** An offline gateway (bank transfer): what to do, with the reference to quote. */
  | { kind: 'instructions'; title: string; text: string; reference: string; amount: number; currency: string }
  /** A card was charged (or this form was charged before: replay). */
  | { kind: 'charged'; attemptId: string; outcome: 'approved' | 'declined' | 'error'; statusCode: string; message: string; amount: number; currency: string; replay: boolean; saved: 'no' | 'yes' | 'failed' }
  /** Paid from the credit balance, as far as it went. */
  | { kind: 'credit'; applied: number; currency: string; paidInvoiceIds: number[]; stillDue: number }
  /** Nothing happened: a message for the field it concerns (or the form); `code` says why (PaymentServiceError's codes). */
  | { kind: 'refused'; field: string; code: string; message: string };

/**
 * Pays the client's invoices the chosen way. `key` is the form's one-time key (see payFormKey): card
 * charges with the same key happen once. A card typed in is saved as a billing account only when the
 * client asked and the charge was approved, so a declined card or a double submit stores nothing.
 */
export async function payClientInvoices(
  app: AppServices,
  input: { clientId: number; invoiceIds: number[]; choice: PayChoice; key: string; returnUrl: string; actor: PaymentActor },
): Promise<PayOutcome> {
  const payments = paymentService(app);
  const { clientId, invoiceIds, choice, key, actor } = input;
  try {
    if (choice.method === 'gateway') {
      const started = await payments.startPayment({ clientId, invoiceIds, gatewayId: choice.gatewayId, returnUrl: input.returnUrl, actor });
      if (started.next.kind === 'redirect') return { kind: 'redirect', url: started.next.url, attemptId: started.attemptId };
      return { kind: 'instructions', title: started.next.title, text: started.next.text, reference: started.attemptId, amount: started.amount, currency: started.currency };
    }
    if (choice.method === 'account') {
      const r = await payments.chargeStoredAccount({ clientId, accountId: choice.accountId, invoiceIds, passphrase: choice.passphrase || undefined, cvv: choice.cvv || undefined, key, actor });
      return { kind: 'charged', attemptId: r.attemptId, outcome: r.outcome, statusCode: r.statusCode, message: r.message, amount: r.amount, currency: r.currency, replay: r.result.kind === 'replay', saved: 'no' };
    }
    if (choice.method === 'card') {
      const { cvv, number, cardType: _type, expMonth, expYear, ...rest } = choice.card;
      const r = await payments.chargeCard({ clientId, card: { ...rest, number }, expMonth, expYear, cvv, invoiceIds, key, actor });
      const replay = r.result.kind === 'replay';
      let saved: 'no' | 'yes' | 'failed' = 'no';
      if (choice.save && r.outcome === 'approved' && !replay) {
        const c = choice.card;
        const account = await createBillingAccount(app, {
          clientId,
          type: 'card',
          values: { nameOnCard: c.nameOnCard, cardType: c.cardType, cardNumber: c.number, expMonth: c.expMonth, expYear: c.expYear, issueNumber: c.issueNumber, startDate: c.startDate, passphrase: choice.passphrase },
          actor,
        });
        saved = account.ok ? 'yes' : 'failed';
      }
      return { kind: 'charged', attemptId: r.attemptId, outcome: r.outcome, statusCode: r.statusCode, message: r.message, amount: r.amount, currency: r.currency, replay, saved };
    }
    return await payFromCredit(app, clientId, invoiceIds, actor);
  } catch (err) {
    if (err instanceof PaymentServiceError) return { kind: 'refused', field: err.field === 'passphrase' ? (choice.method === 'account' ? 'accountPassphrase' : 'passphrase') : '_form', code: err.code, message: err.message };
    throw err;
  }
}

/**
 * Pays the invoices in order from the credit balance until it runs out. Credit can never be spent
 * twice (payFromCredit debits by compare-and-set), so a double submit finds nothing left to pay.
 */
async function payFromCredit(app: AppServices, clientId: number, invoiceIds: number[], actor: PaymentActor): Promise<PayOutcome> {
  const invoices: ClientInvoice[] = [];
  for (const id of [...new Set(invoiceIds)]) {
    const inv = await clientInvoice(app.db, clientId, id);
    if (!inv) return { kind: 'refused', field: '_form', code: 'not_found', message: `Invoice #${id} does not exist` };
    invoices.push(inv);
  }
  const currencies = new Set(invoices.map((i) => i.currency));
  if (currencies.size !== 1) return { kind: 'refused', field: '_form', code: 'currency', message: 'Pay the invoices of each currency separately' };
  let applied = 0;
  const paidInvoiceIds: number[] = [];
  for (const inv of invoices) {
    if (!inv.payable) continue;
    try {
      const r = await app.billing.payFromCredit({ invoiceId: inv.id, clientId, actor: actor.label ?? 'client' });
      applied += r.applied;
      if (r.paid) paidInvoiceIds.push(inv.id);
    } catch (err) {
      if (!(err instanceof PaymentError)) throw err;
      // No credit left (or another request is spending it right now): stop; the rest stays due.
      if (err.code === 'insufficient_credit' || err.code === 'concurrent') break;
      if (err.code !== 'not_payable') return { kind: 'refused', field: '_form', code: err.code, message: err.message };
    }
  }
  if (applied > 0) {
    await app.audit.record({ actor: { type: actor.type, id: actor.id ?? null, label: actor.label ?? '' }, action: 'billing.paid_from_credit', target: `client:${clientId}`, ip: actor.ip ?? null, details: { invoices: invoiceIds, applied, currency: invoices[0]!.currency } });
  }
  let stillDue = 0;
  for (const inv of invoices) stillDue += (await clientInvoice(app.db, clientId, inv.id))?.balanceDue ?? 0;
  return { kind: 'credit', applied, currency: invoices[0]!.currency, paidInvoiceIds, stillDue };
}

/** The payment a form key already made for this client (a form sent again after it was charged), if any. */
export async function paymentOfFormKey(app: AppServices, clientId: number, key: string): Promise<string | undefined> {
  if (!key || !isPayFormKey(app, clientId, key)) return undefined;
  return (await paymentService(app).getClientAttempt(clientId, attemptIdForKey(clientId, key)))?.id;
}

/** A payment attempt of this client (gateway return page, card results), with its invoices' numbers and states. */
export async function clientPaymentAttempt(app: AppServices, clientId: number, attemptId: string) {
  if (!/^pa_[A-Za-z0-9_-]{1,37}$/.test(attemptId)) return undefined;
  const attempt = await paymentService(app).getClientAttempt(clientId, attemptId);
  if (!attempt) return undefined;
  const invoices: ClientInvoice[] = [];
  for (const id of attempt.invoiceIds) {
    const inv = await clientInvoice(app.db, clientId, id);
    if (inv) invoices.push(inv);
  }
  const gateway = paymentService(app).gateway(attempt.gateway);
  return { id: attempt.id, status: attempt.status, amount: attempt.amount, currency: attempt.currency, gatewayTitle: gateway?.title ?? attempt.gateway, createdAt: attempt.createdAt, invoices };
}

/** "12.50 USD", for messages built outside a view (views have h.money). */
export function moneyText(amount: number, currency: string): string {
  return formatMoney({ amount, currency });
}

/** Today for the client area (the panel's clock, never the wall clock). */
export function todayOf(app: Pick<AppServices, 'clock'>): string {
  return isoDay(app.clock.now());
}

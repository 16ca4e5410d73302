// BillingService: the billing operations routes and jobs call, with their effects wired together
// (payment → fulfilment → processing operations; notices to the client's billing contacts).
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { AuditLog } from '../audit/audit.ts';
import { iso } from '../db/time.ts';
import { formatMoney } from '../money/money.ts';
import { getBillingSettings } from './settings.ts';
import { makeOnInvoicePaid, type OperationQueue } from './fulfil.ts';
import { cancelInvoice, payFromCredit, recordPayment, refundPayment, type OnInvoicePaid, type PaymentInput, type PaymentResult } from './invoices/payments.ts';
import { getInvoice, invoiceLines, type InvoiceLineRow, type InvoiceRow } from './invoices/store.ts';
import { noticeTemplates, sendNotice, sendNotices, type NoticeKind, type NoticeTemplate } from './notifications.ts';
import { clientsWithStoredCards } from './accounts/store.ts';
import { chunksOf } from '../db/batch.ts';
import { runRenewals } from './automation/renewals.ts';
import { afterCommit } from '../db/after-commit.ts';
import type { EventBus } from '../events/bus.ts';
import { runInvoiceCancellations, runReminders, runSuspensions, runTerminations, type DunningDeps } from './automation/dunning.ts';
import { runExpiredTerminations, runExpiries } from './automation/expiry.ts';
import { transitionService } from './services/transition.ts';
import { getCatalogSettings } from './catalog/taxes.ts';
import { placeOrder, type OrderInput, type PlacedOrder } from './orders/place-order.ts';

/** The invoice columns a notice and the renewal run's pay-from-credit step read. */
type NoticeInvoice = Pick<InvoiceRow, 'id' | 'number' | 'client_id' | 'status' | 'currency' | 'total' | 'amount_paid' | 'due_on'>;

export interface BillingDeps {
  db: Knex;
  clock: Clock;
  log: Logger;
  mail: Mailer;
  settings: SettingsStore;
  audit: AuditLog;
  /** Absent in unit tests that build the service alone. */
  events?: EventBus;
  ops: OperationQueue;
  publicUrl: string;
  /** Picks the processing server for a new service (processing framework). */
  chooseServer: (trx: Knex.Transaction, input: { itemType: string; packageId: number }) => Promise<number | null>;
}

export class BillingService {
  readonly onInvoicePaid: OnInvoicePaid;
  /**
   * Charges the stored card that pays for an invoice's services (set by the payments module when
   * a gateway can charge stored cards). Resolves true when the invoice got paid.
   */
  autoCharge?: (invoiceId: number) => Promise<boolean>;

  constructor(readonly deps: BillingDeps) {
    const fulfil = makeOnInvoicePaid({
      ops: deps.ops,
      notify: async (trx, kind, invoice) => {
        await this.notify(trx, { kind, clientId: invoice.client_id, data: this.invoiceData(invoice) });
      },
    });
    this.onInvoicePaid = async (trx, invoice, at) => {
      await fulfil(trx, invoice, at);
      const events = deps.events;
      if (events) {
        const payload = { invoiceId: invoice.id, clientId: invoice.client_id, number: invoice.number, total: Number(invoice.total), currency: invoice.currency };
        afterCommit(trx, async () => void (await events.emit('invoice.paid', payload)), (err) => deps.log.error('invoice.paid listeners failed', { err }));
      }
    };
  }

  now(): string {
    return iso(this.deps.clock.now());
  }

  invoiceUrl(invoiceId: number): string {
    return `${this.deps.publicUrl.replace(/\/$/, '')}/client/invoices/${invoiceId}`;
  }

  /** A notice's invoice variables; `lines` (the "invoice created" notice lists them) when given. */
  invoiceData(invoice: NoticeInvoice, lines?: readonly Pick<InvoiceLineRow, 'description' | 'amount'>[]): Record<string, unknown> {
    return {
      invoice: { number: invoice.number, total: formatMoney({ amount: invoice.total, currency: invoice.currency }), due_on: invoice.due_on },
      payment: { amount: formatMoney({ amount: invoice.amount_paid, currency: invoice.currency }) },
      links: { invoice: this.invoiceUrl(invoice.id) },
      ...(lines ? { lines: lines.map((l) => ({ description: l.description, amount: formatMoney({ amount: Number(l.amount), currency: invoice.currency }) })) } : {}),
    };
  }

  async notify(trx: Knex.Transaction, input: { kind: NoticeKind; clientId: number; data: Record<string, unknown> }): Promise<void> {
    await sendNotice({ mail: this.deps.mail, settings: this.deps.settings }, trx, input);
  }

  /**
   * Places an order: a pending service and its first invoice. An invoice of nothing (a free trial)
   * is paid at once, so the service goes straight to being opened.
   */
  async placeOrder(input: OrderInput): Promise<PlacedOrder> {
    const settings = await getBillingSettings(this.deps.settings);
    const catalog = await getCatalogSettings(this.deps.settings);
    const at = this.now();
    return this.deps.db.transaction(async (trx) => {
      const placed = await placeOrder(trx, input, { settings, taxInclusive: catalog.pricesIncludeTax, at, chooseServer: this.deps.chooseServer });
      const invoice = (await getInvoice(trx, placed.invoiceId))!;
      if (placed.total === 0) {
        await trx('core_invoices').where({ id: invoice.id }).update({ status: 'paid', paid_at: at, updated_at: at });
        await this.onInvoicePaid(trx, { ...invoice, status: 'paid', paid_at: at }, at);
      } else {
        await this.notify(trx, { kind: 'invoice_created', clientId: invoice.client_id, data: this.invoiceData(invoice, await invoiceLines(trx, invoice.id)) });
      }
      await this.deps.audit.record(
        { actor: { type: input.actor.type, id: input.actor.id ?? null, label: input.actor.label ?? '' }, action: 'billing.order_placed', target: `service:${placed.serviceId}`, details: { invoice: placed.invoiceNumber, total: placed.total } },
        trx,
      );
      return placed;
    });
  }

  /** Records a payment (gateway callback, staff entry) and everything paying sets in motion. */
  recordPayment(input: Omit<PaymentInput, 'at'> & { at?: string }): Promise<PaymentResult> {
    return this.deps.db.transaction((trx) => recordPayment(trx, { ...input, at: input.at ?? this.now() }, this.onInvoicePaid));
  }

  payFromCredit(input: { invoiceId: number; clientId: number; actor?: string }): Promise<PaymentResult> {
    return this.deps.db.transaction((trx) => payFromCredit(trx, { ...input, at: this.now() }, this.onInvoicePaid));
  }

  refund(input: { transactionId: number; amount: number; key: string; actor?: string; reason?: string }) {
    return this.deps.db.transaction((trx) => refundPayment(trx, { ...input, at: this.now() }));
  }

  /** Cancels an unpaid invoice; services it was ordering are cancelled with it. */
  cancelInvoice(input: { invoiceId: number; actor: { type: 'staff' | 'client' | 'system'; id?: number; label?: string } }): Promise<boolean> {
    const at = this.now();
    return this.deps.db.transaction(async (trx) => {
      const invoice = await getInvoice(trx, input.invoiceId);
      if (!invoice || !(await cancelInvoice(trx, { invoiceId: input.invoiceId, at }))) return false;
      if (invoice.kind === 'order') {
        const pending = (await trx('core_invoice_lines as l').join('core_services as s', 's.id', 'l.service_id').where('l.invoice_id', invoice.id).andWhere('s.status', 'pending').distinct('s.id')) as { id: number }[];
        for (const s of pending) await transitionService(trx, { serviceId: s.id, to: 'cancelled', actor: input.actor, reason: `Invoice ${invoice.number} cancelled`, at });
      }
      return true;
    });
  }

  async dunningDeps(count?: (name: string, by?: number) => void): Promise<DunningDeps> {
    return {
      db: this.deps.db,
      clock: this.deps.clock,
      settings: await getBillingSettings(this.deps.settings),
      ops: this.deps.ops,
      notify: (trx, n) => this.notify(trx, n),
      invoiceUrl: (id) => this.invoiceUrl(id),
      count,
    };
  }

  /**
   * Renewal invoices; after each chunk, in one transaction, the "invoice created" notices and paying
   * from credit where the client has enough and the operator allows it; then stored cards, outside
   * it (a gateway call must not hold the write lock).
   */
  async runRenewals(count?: (name: string, by?: number) => void, signal?: AbortSignal) {
    const settings = await getBillingSettings(this.deps.settings);
    const catalog = await getCatalogSettings(this.deps.settings);
    const templates = await noticeTemplates(this.deps.settings);
    return runRenewals({
      db: this.deps.db,
      clock: this.deps.clock,
      settings,
      taxInclusive: catalog.pricesIncludeTax,
      count,
      signal,
      afterChunk: (invoiceIds) => this.#afterRenewalChunk(invoiceIds, { payFromCredit: settings.autoRenewFromCredit, templates, count }),
    });
  }

  async #afterRenewalChunk(invoiceIds: number[], ctx: { payFromCredit: boolean; templates: Record<NoticeKind, NoticeTemplate>; count?: ((name: string, by?: number) => void) | undefined }): Promise<void> {
    const toCharge = await this.deps.db.transaction(async (trx) => {
      const invoices: NoticeInvoice[] = [];
      const lines = new Map<number, Pick<InvoiceLineRow, 'description' | 'amount'>[]>();
      for (const ids of chunksOf(invoiceIds)) {
        invoices.push(...((await trx('core_invoices').whereIn('id', ids).orderBy('id').select('id', 'number', 'client_id', 'status', 'currency', 'total', 'amount_paid', 'due_on')) as NoticeInvoice[]));
        const rows = (await trx('core_invoice_lines').whereIn('invoice_id', ids).orderBy([{ column: 'invoice_id' }, { column: 'position' }, { column: 'id' }]).select('invoice_id', 'description', 'amount')) as Pick<InvoiceLineRow, 'invoice_id' | 'description' | 'amount'>[];
        for (const l of rows) {
          const list = lines.get(Number(l.invoice_id));
          if (list) list.push(l);
          else lines.set(Number(l.invoice_id), [l]);
        }
      }
      await sendNotices(
        { mail: this.deps.mail, settings: this.deps.settings },
        trx,
        invoices.map((inv) => ({ kind: 'invoice_created' as const, clientId: inv.client_id, data: this.invoiceData(inv, lines.get(inv.id) ?? []) })),
        ctx.templates,
      );
      const paid = ctx.payFromCredit ? await this.#payFromCreditInChunk(trx, invoices, ctx.count) : new Set<number>();
      const unpaid = invoices.filter((inv) => !paid.has(inv.id));
      if (!this.autoCharge || !unpaid.length) return [];
      const withCards = await clientsWithStoredCards(trx, [...new Set(unpaid.map((inv) => inv.client_id))]);
      return unpaid.filter((inv) => withCards.has(inv.client_id)).map((inv) => inv.id);
    });
    for (const id of toCharge) {
      try {
        if (await this.autoCharge!(id)) ctx.count?.('paidByStoredCard');
      } catch (err) {
        ctx.count?.('storedCardFailed');
        this.deps.log.warn('auto-renew charge of a stored card failed', { invoiceId: id, err });
      }
    }
  }

  /**
   * Pays each invoice from credit when the balance covers all of it; only clients with a balance are
   * looked at. Each payment has its own savepoint, so one that fails half-way undoes only itself.
   * Returns the ids of the invoices paid.
   */
  async #payFromCreditInChunk(trx: Knex.Transaction, invoices: readonly NoticeInvoice[], count?: (name: string, by?: number) => void): Promise<Set<number>> {
    const credit = new Map<number, { balance: number; currency: string }>();
    for (const ids of chunksOf([...new Set(invoices.map((inv) => inv.client_id))])) {
      const rows = (await trx('core_clients').whereIn('id', ids).andWhere('balance', '>', 0).select('id', 'balance', 'currency')) as { id: number; balance: number | string; currency: string }[];
      for (const r of rows) credit.set(Number(r.id), { balance: Number(r.balance), currency: r.currency });
    }
    const paid = new Set<number>();
    for (const inv of invoices) {
      const client = credit.get(inv.client_id);
      if (!client || inv.status !== 'unpaid' || client.currency !== inv.currency || client.balance < Number(inv.total) - Number(inv.amount_paid)) continue;
      try {
        const r = await trx.transaction((sp) => payFromCredit(sp, { invoiceId: inv.id, clientId: inv.client_id, at: this.now(), actor: 'auto-renew' }, this.onInvoicePaid));
        client.balance -= r.applied;
        paid.add(inv.id);
        count?.('paidFromCredit');
      } catch (err) {
        this.deps.log.warn('auto-renew from credit failed', { invoiceId: inv.id, err });
      }
    }
    return paid;
  }

  async runDunning(count?: (name: string, by?: number) => void): Promise<void> {
    const d = await this.dunningDeps(count);
    await runReminders(d);
    await runSuspensions(d);
    await runTerminations(d);
    await runExpiries(d);
    await runExpiredTerminations(d);
    await runInvoiceCancellations(d);
  }
}

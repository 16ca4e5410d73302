// PaymentService: starts payments on gateways, settles their signed callbacks exactly once, charges stored cards,
// and gives staff "Record payment" and "Refund". Money lands through invoices/payments.ts (recordPayment, refundPayment).
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { SecretBox } from '../../secrets/crypto.ts';
import type { SettingsStore } from '../../settings/store.ts';
import type { AuditLog } from '../../audit/audit.ts';
import { iso, isoDay } from '../../db/time.ts';
import type { BillingService } from '../billing-service.ts';
import { recordPayment, refundPayment, PaymentError, type PaymentResult } from '../invoices/payments.ts';
import { getInvoice, insertTransactionOnce, type InvoiceRow } from '../invoices/store.ts';
import { getAccount } from '../accounts/store.ts';
import { isExpired } from '../accounts/accounts.ts';
import { SealedDataError, unsealAccountData, type SealedCard, type SealedData } from '../accounts/sealing.ts';
import { GatewayUnavailableError, type CallbackRequest, type GatewayOutcome, type PaymentAttempt, type PaymentGateway, type StartResult, type StoredCard } from './gateway.ts';
import { TestGatewayClient } from './gateways/test.ts';
import { BankTransferGateway } from './gateways/bank.ts';
import { anyTransaction, clientInvoices, expireAttempts, getClientAttempt, getTransaction, insertAttempt, insertAttemptOnce, invoiceNumbers, lockAttempt, minorUnitsOf, moveAttempt, refundableAmount } from './store.ts';
import { getAttemptSettings } from './settings.ts';

export interface PaymentDeps {
  db: Knex;
  clock: Clock;
  log: Logger;
  secrets: SecretBox;
  settings: SettingsStore;
  billing: BillingService;
  audit: AuditLog;
  /** The panel's public URL: callback and return URLs are built on it. */
  publicUrl: string;
  /** services.formActionOrigins: the CSP lets forms be redirected to these (gateways' hosted pages). */
  formActionOrigins?: Set<string>;
}

export interface PaymentActor {
  type: 'staff' | 'client' | 'system';
  id?: number | null;
  label?: string;
  ip?: string | null;
}

export type PaymentFailureCode =
  | 'invalid'
  | 'not_found'
  | 'not_payable'
  | 'currency'
  | 'unknown_gateway'
  | 'gateway_unavailable'
  | 'not_chargeable'
  | 'passphrase_required'
  | 'passphrase_wrong'
  | 'duplicate'
  | 'refund_too_large';

/** A payment that cannot start or a staff action that is refused; `message` is meant for people. */
export class PaymentServiceError extends Error {
  constructor(
    message: string,
    readonly code: PaymentFailureCode,
    /** The form field the message belongs beside, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'PaymentServiceError';
  }
}

export interface StartedPayment {
  attemptId: string;
  amount: number;
  currency: string;
  invoiceIds: number[];
  gateway: string;
  next: StartResult;
}

/** How a verified outcome was applied. */
export type SettleResult =
  | { kind: 'applied'; attemptId: string; transactionIds: number[]; paidInvoiceIds: number[]; credited: number }
  | { kind: 'declined' | 'error'; attemptId: string; transactionIds: number[] }
  /** Already settled (a replayed callback, a late decline): nothing changed. */
  | { kind: 'replay'; attemptId: string }
  | { kind: 'unknown_attempt'; attemptId: string };

export interface CallbackResult {
  status: 200 | 403 | 404 | 500;
  result?: SettleResult;
}

/** What charging a card (stored or typed in) came to; a `replay` result means this form key was charged before. */
export interface ChargeResult {
  attemptId: string;
  outcome: GatewayOutcome['outcome'];
  statusCode: string;
  /** What was asked of the card, in minor units of `currency`. */
  amount: number;
  currency: string;
  /** The gateway's words for the outcome ("The card was declined"), '' if it gave none. */
  message: string;
  result: SettleResult;
}

const PAYABLE = new Set(['unpaid', 'collections']);
const MAX_INVOICES = 50;

function newAttemptId(): string {
  return `pa_${crypto.randomBytes(18).toString('base64url')}`;
}

/**
 * The attempt a form's one-time key stands for: a double submit (or a reloaded POST) names the same
 * attempt, whose id is the primary key, so the card is charged once however often the form arrives.
 */
export function attemptIdForKey(clientId: number, key: string): string {
  return `pa_k${crypto.createHash('sha256').update(`${clientId}\n${key}`).digest('base64url').slice(0, 32)}`;
}

function gatewayMessage(outcome: GatewayOutcome): string {
  const m = outcome.raw.message;
  return typeof m === 'string' ? m.slice(0, 300) : '';
}

export class PaymentService {
  readonly #gateways = new Map<string, PaymentGateway>();
  /** Origins this service put into formActionOrigins (so it removes only its own). */
  readonly #origins = new Set<string>();

  constructor(readonly deps: PaymentDeps) {
    this.register(new TestGatewayClient({ settings: deps.settings, secrets: deps.secrets }));
    this.register(new BankTransferGateway({ settings: deps.settings, minorUnits: (c) => minorUnitsOf(deps.db, c) }));
  }

  /** Adds a gateway (a plugin's); ids are unique. */
  register(gateway: PaymentGateway): void {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(gateway.id)) throw new Error(`Payment gateway id '${gateway.id}' must be lower-case letters, digits and dashes`);
    if (['manual', 'credit', 'refund'].includes(gateway.id) || this.#gateways.has(gateway.id)) throw new Error(`Payment gateway id '${gateway.id}' is taken`);
    this.#gateways.set(gateway.id, gateway);
  }

  gateway(id: string): PaymentGateway | undefined {
    return this.#gateways.get(id);
  }

  gateways(): PaymentGateway[] {
    return [...this.#gateways.values()];
  }

  /** Gateways a client may pay with now (turned on and configured). */
  async readyGateways(): Promise<PaymentGateway[]> {
    const out: PaymentGateway[] = [];
    for (const g of this.#gateways.values()) if (await g.isReady()) out.push(g);
    return out;
  }

  /** Puts the ready gateways' origins into the CSP's form-action, and takes out those no longer used. */
  async refreshFormActionOrigins(): Promise<void> {
    const set = this.deps.formActionOrigins;
    if (!set) return;
    const wanted = new Set<string>();
    for (const g of this.#gateways.values()) {
      const o = (await g.isReady()) ? await g.origin() : null;
      if (o) wanted.add(o);
    }
    for (const o of this.#origins) if (!wanted.has(o)) set.delete(o);
    this.#origins.clear();
    for (const o of wanted) {
      if (!set.has(o)) this.#origins.add(o);
      set.add(o);
    }
  }

  now(): string {
    return iso(this.deps.clock.now());
  }

  /** A write transaction; never use `db` inside it (SQLite has one connection). */
  #transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.deps.db.transaction((trx) => fn(trx));
  }

  callbackUrl(gatewayId: string): string {
    return `${this.deps.publicUrl.replace(/\/+$/, '')}/payments/callback/${gatewayId}`;
  }

  /** The return URL with ?attempt=<id>; only our own origin (a path, or an absolute URL on the public URL). */
  returnUrlFor(raw: string | undefined, attemptId: string): string {
    const base = this.deps.publicUrl.replace(/\/+$/, '');
    const own = new URL(base).origin;
    let u: URL;
    try {
      u = !raw ? new URL(`${base}/payments/return`) : raw.startsWith('/') && !raw.startsWith('//') ? new URL(base + raw) : new URL(raw);
    } catch {
      throw new PaymentServiceError('The return address is not a valid URL', 'invalid');
    }
    if (u.origin !== own) throw new PaymentServiceError(`The return address must be on ${own}`, 'invalid');
    u.searchParams.set('attempt', attemptId);
    return u.href;
  }

  /** Checks that the invoices are the client's, payable, and in one currency; returns them in the order given. */
  async #payableInvoices(clientId: number, invoiceIds: number[]): Promise<{ invoices: InvoiceRow[]; amount: number; currency: string }> {
    const ids = [...new Set(invoiceIds)];
    if (!ids.length || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) throw new PaymentServiceError('Choose at least one invoice to pay', 'invalid');
    if (ids.length > MAX_INVOICES) throw new PaymentServiceError(`Pay at most ${MAX_INVOICES} invoices at once`, 'invalid');
    const rows = await clientInvoices(this.deps.db, clientId, ids);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const invoices: InvoiceRow[] = [];
    for (const id of ids) {
      const inv = byId.get(id);
      if (!inv) throw new PaymentServiceError(`Invoice #${id} does not exist`, 'not_found');
      if (!PAYABLE.has(inv.status) || inv.total - inv.amount_paid <= 0) throw new PaymentServiceError(`Invoice ${inv.number} is ${inv.status} and has nothing to pay`, 'not_payable');
      invoices.push(inv);
    }
    const currencies = [...new Set(invoices.map((i) => i.currency))];
    if (currencies.length > 1) throw new PaymentServiceError(`These invoices are in ${currencies.join(' and ')}; pay the invoices of each currency separately`, 'currency');
    const amount = invoices.reduce((sum, i) => sum + (Number(i.total) - Number(i.amount_paid)), 0);
    return { invoices, amount, currency: currencies[0]! };
  }

  async #newAttempt(clientId: number, gatewayId: string, invoices: InvoiceRow[], amount: number, currency: string): Promise<PaymentAttempt> {
    const attempt: PaymentAttempt = {
      id: newAttemptId(), clientId, invoiceIds: invoices.map((i) => Number(i.id)), gateway: gatewayId, amount, currency, status: 'started', createdAt: this.now(), completedAt: null,
    };
    await insertAttempt(this.deps.db, attempt);
    return attempt;
  }

  /**
   * Starts paying one or several invoices of one client on a gateway: records the attempt (amount =
   * the sum due, one currency) and returns where to send the client (or the offline instructions).
   * @example
   *   const p = await payments.startPayment({ clientId, invoiceIds: [12, 13], gatewayId: 'test', returnUrl: '/client/invoices' });
   *   if (p.next.kind === 'redirect') return c.redirect(p.next.url, 303);
   */
  async startPayment(input: { clientId: number; invoiceIds: number[]; gatewayId: string; returnUrl?: string; actor?: PaymentActor }): Promise<StartedPayment> {
    const gateway = this.#gateways.get(input.gatewayId);
    if (!gateway) throw new PaymentServiceError(`There is no payment gateway '${input.gatewayId}'`, 'unknown_gateway');
    if (!(await gateway.isReady())) throw new PaymentServiceError(`${gateway.title} is not available right now; choose another way to pay`, 'gateway_unavailable');
    const { invoices, amount, currency } = await this.#payableInvoices(input.clientId, input.invoiceIds);
    const attempt = await this.#newAttempt(input.clientId, gateway.id, invoices, amount, currency);
    let next: StartResult;
    try {
      next = await gateway.start(attempt, { returnUrl: this.returnUrlFor(input.returnUrl, attempt.id), callbackUrl: this.callbackUrl(gateway.id), invoiceNumbers: invoices.map((i) => i.number) });
    } catch (err) {
      await moveAttempt(this.deps.db, attempt.id, ['started'], 'error', this.now());
      if (err instanceof GatewayUnavailableError) throw new PaymentServiceError(err.message, 'gateway_unavailable');
      throw err;
    }
    if (next.kind === 'redirect') await this.refreshFormActionOrigins();
    if (input.actor) {
      await this.deps.audit.record({ actor: { type: input.actor.type, id: input.actor.id ?? null, label: input.actor.label ?? '' }, action: 'billing.payment_started', target: `client:${input.clientId}`, ip: input.actor.ip ?? null, details: { attempt: attempt.id, gateway: gateway.id, invoices: attempt.invoiceIds, amount, currency } });
    }
    return { attemptId: attempt.id, amount, currency, invoiceIds: attempt.invoiceIds, gateway: gateway.id, next };
  }

  /**
   * A gateway's server-to-server callback: 403 unless its signature verifies (an unknown gateway, or
   * one without a secret, verifies nothing), 404 for an unknown attempt, 500 to make the gateway
   * retry after a failure; otherwise 200, whether it changed anything or was a replay.
   */
  async handleCallback(gatewayId: string, request: CallbackRequest): Promise<CallbackResult> {
    const gateway = this.#gateways.get(gatewayId);
    const outcome = gateway ? await gateway.verifyCallback(request) : null;
    if (!gateway || !outcome) {
      this.deps.log.warn('payment callback refused: signature missing or wrong', { gateway: gatewayId });
      return { status: 403 };
    }
    try {
      const result = await this.#settle(gateway, outcome);
      if (result.kind === 'unknown_attempt') {
        this.deps.log.warn('payment callback for an unknown attempt', { gateway: gatewayId, attempt: outcome.attemptId });
        return { status: 404, result };
      }
      this.deps.log.info('payment callback', { gateway: gatewayId, attempt: outcome.attemptId, outcome: outcome.outcome, result: result.kind });
      return { status: 200, result };
    } catch (err) {
      this.deps.log.error('payment callback failed; the gateway will retry', { gateway: gatewayId, attempt: outcome.attemptId, err });
      return { status: 500 };
    }
  }

  /**
   * Applies a verified outcome to its attempt in one transaction. Approved: the amount goes to the
   * attempt's invoices in order (each gets what it still owes, the last also the rest, which lands in
   * credit). Declined / error: one transaction row per invoice with amount 0 (nothing was received;
   * the attempted amount is in `raw`). A replay changes nothing: the attempt's status moves by
   * compare-and-set, and recordPayment is unique on (gateway, external id).
   */
  async #settle(gateway: PaymentGateway, outcome: GatewayOutcome): Promise<SettleResult> {
    const at = this.now();
    return this.#transaction(async (trx) => {
      const attempt = await lockAttempt(trx, outcome.attemptId);
      if (!attempt || attempt.gateway !== gateway.id) return { kind: 'unknown_attempt', attemptId: outcome.attemptId };
      if (outcome.outcome === 'approved' && outcome.amount > 0 && outcome.currency === attempt.currency) return this.#applyApproved(trx, gateway, attempt, outcome, at);
      if (outcome.outcome === 'approved') {
        // Signed, so the gateway did charge; but not in a form we can apply. Staff must look.
        this.deps.log.error('approved payment with an unusable amount or currency; recorded as an error for staff', { attempt: attempt.id, amount: outcome.amount, currency: outcome.currency, expected: attempt.currency });
        return this.#recordFailure(trx, gateway, attempt, { ...outcome, outcome: 'error', statusCode: outcome.currency === attempt.currency ? 'bad_amount' : 'currency_mismatch' }, at);
      }
      return this.#recordFailure(trx, gateway, attempt, outcome, at);
    });
  }

  async #applyApproved(trx: Knex.Transaction, gateway: PaymentGateway, attempt: PaymentAttempt, outcome: GatewayOutcome, at: string): Promise<SettleResult> {
    const externalId = (invoiceId: number) => `${outcome.gatewayTxId}:${invoiceId}`;
    if (await anyTransaction(trx, gateway.id, attempt.invoiceIds.map(externalId))) return { kind: 'replay', attemptId: attempt.id };
    // A decline can be followed by an approval (the client tried again on the gateway's page), and
    // expiry only means we stopped waiting: a signed approval means money was taken, so it is applied.
    if (attempt.status === 'expired') this.deps.log.warn('approved payment for an expired attempt; applied all the same', { attempt: attempt.id, gateway: gateway.id, tx: outcome.gatewayTxId });
    const moved = await moveAttempt(trx, attempt.id, ['started', 'declined', 'error', 'expired'], 'approved', at);
    if (!moved) this.deps.log.warn('a second, different approved charge for a settled attempt; its money goes to credit', { attempt: attempt.id, gateway: gateway.id, tx: outcome.gatewayTxId });
    if (outcome.amount !== attempt.amount) this.deps.log.warn('gateway charged another amount than the attempt asked for', { attempt: attempt.id, asked: attempt.amount, charged: outcome.amount });

    let remaining = outcome.amount;
    const transactionIds: number[] = [];
    const paidInvoiceIds: number[] = [];
    let credited = 0;
    for (const [i, invoiceId] of attempt.invoiceIds.entries()) {
      const last = i === attempt.invoiceIds.length - 1;
      const invoice = await getInvoice(trx, invoiceId);
      const due = invoice && PAYABLE.has(invoice.status) ? Math.max(0, Number(invoice.total) - Number(invoice.amount_paid)) : 0;
      const amount = last ? remaining : Math.min(due, remaining);
      if (amount <= 0 || !invoice) continue;
      const r: PaymentResult = await recordPayment(
        trx,
        { invoiceId, amount, currency: attempt.currency, gateway: gateway.id, externalId: externalId(invoiceId), method: gateway.method, statusCode: outcome.statusCode, raw: outcome.raw, at, actor: `gateway:${gateway.id}` },
        this.deps.billing.onInvoicePaid,
      );
      remaining -= amount;
      transactionIds.push(r.transactionId);
      credited += r.credited;
      if (r.paid) paidInvoiceIds.push(invoiceId);
    }
    await this.deps.audit.record(
      { actor: { type: 'system', label: `gateway:${gateway.id}` }, action: 'billing.payment_received', target: `client:${attempt.clientId}`, details: { attempt: attempt.id, tx: outcome.gatewayTxId, amount: outcome.amount, currency: attempt.currency, invoices: attempt.invoiceIds, credited } },
      trx,
    );
    return { kind: 'applied', attemptId: attempt.id, transactionIds, paidInvoiceIds, credited };
  }

  async #recordFailure(trx: Knex.Transaction, gateway: PaymentGateway, attempt: PaymentAttempt, outcome: GatewayOutcome, at: string): Promise<SettleResult> {
    const status = outcome.outcome === 'declined' ? 'declined' : 'error';
    // Only a started attempt fails: a late decline never undoes a payment, a replay adds nothing.
    if (!(await moveAttempt(trx, attempt.id, ['started'], status, at))) return { kind: 'replay', attemptId: attempt.id };
    const txId = outcome.gatewayTxId || `attempt-${attempt.id}`;
    const transactionIds: number[] = [];
    for (const invoiceId of attempt.invoiceIds) {
      const row = await insertTransactionOnce(trx, {
        client_id: attempt.clientId, invoice_id: invoiceId, gateway: gateway.id, external_id: `${txId}:${invoiceId}`, method: gateway.method, status,
        status_code: outcome.statusCode.slice(0, 40), amount: 0, currency: attempt.currency, refund_of: null,
        raw: JSON.stringify({ ...outcome.raw, attempted: attempt.amount }).slice(0, 20_000), created_at: at,
      });
      transactionIds.push(row.id);
    }
    return { kind: status, attemptId: attempt.id, transactionIds };
  }

  /**
   * Charges a client's stored card for invoices (server-to-server; no page to visit). The CVV, when a
   * form just asked for it, goes to the gateway and nowhere else. A pass-phrase-protected card needs
   * the client's pass-phrase. With `key` (a form's one-time key) a second call charges nothing and
   * reports the first one as a replay.
   */
  async chargeStoredAccount(input: { clientId: number; accountId: number; invoiceIds: number[]; passphrase?: string; cvv?: string; gatewayId?: string; key?: string; actor?: PaymentActor }): Promise<ChargeResult> {
    const account = await getAccount(this.deps.db, input.clientId, input.accountId);
    if (!account) throw new PaymentServiceError('This billing account does not exist', 'not_found');
    if (account.type !== 'card' || !account.sealed) throw new PaymentServiceError('Only a stored credit card can be charged; record other payments when they arrive', 'not_chargeable');
    if (isExpired(account, this.deps.clock.now())) throw new PaymentServiceError(`The card expired at the end of ${account.card_exp_month}/${account.card_exp_year}`, 'not_chargeable');
    const gateway = await this.#cardGateway(input.gatewayId);
    let card: SealedData;
    try {
      card = await unsealAccountData(this.deps.secrets, account.sealed, { clientId: input.clientId, passphrase: input.passphrase || undefined });
    } catch (err) {
      if (err instanceof SealedDataError && (err.code === 'passphrase_required' || err.code === 'passphrase_wrong')) throw new PaymentServiceError(err.message, err.code, 'passphrase');
      throw err;
    }
    if (card.kind !== 'card') throw new PaymentServiceError('Only a stored credit card can be charged', 'not_chargeable');
    const r = await this.#chargeCard(gateway, input, { accountId: account.id, card, expMonth: account.card_exp_month ?? '', expYear: account.card_exp_year ?? '', ...(input.cvv ? { cvv: input.cvv } : {}) });
    if (input.actor && r.result.kind !== 'replay') {
      await this.deps.audit.record({ actor: { type: input.actor.type, id: input.actor.id ?? null, label: input.actor.label ?? '' }, action: 'billing.stored_card_charged', target: `client:${input.clientId}`, ip: input.actor.ip ?? null, details: { attempt: r.attemptId, account: account.id, outcome: r.outcome, code: r.statusCode, amount: r.amount, currency: r.currency } });
    }
    return r;
  }

  /**
   * Charges a card typed into a payment form, for this one payment: the number goes to the gateway
   * and is kept nowhere here (saving it is createBillingAccount's job). `key` as for chargeStoredAccount.
   */
  async chargeCard(input: { clientId: number; card: Omit<SealedCard, 'kind' | 'clientId'>; expMonth: string; expYear: string; cvv?: string; invoiceIds: number[]; gatewayId?: string; key?: string; actor?: PaymentActor }): Promise<ChargeResult> {
    const gateway = await this.#cardGateway(input.gatewayId);
    const card: SealedCard = { kind: 'card', clientId: input.clientId, ...input.card };
    const r = await this.#chargeCard(gateway, input, { accountId: null, card, expMonth: input.expMonth, expYear: input.expYear, ...(input.cvv ? { cvv: input.cvv } : {}) });
    if (input.actor && r.result.kind !== 'replay') {
      await this.deps.audit.record({ actor: { type: input.actor.type, id: input.actor.id ?? null, label: input.actor.label ?? '' }, action: 'billing.card_charged', target: `client:${input.clientId}`, ip: input.actor.ip ?? null, details: { attempt: r.attemptId, last4: card.number.slice(-4), outcome: r.outcome, code: r.statusCode, amount: r.amount, currency: r.currency } });
    }
    return r;
  }

  async #cardGateway(gatewayId: string | undefined): Promise<PaymentGateway & Required<Pick<PaymentGateway, 'chargeStored'>>> {
    const gateway = gatewayId ? this.#gateways.get(gatewayId) : [...this.#gateways.values()].find((g) => g.chargeStored);
    if (!gateway?.chargeStored) throw new PaymentServiceError('No payment gateway here can charge a stored card', 'gateway_unavailable');
    if (!(await gateway.isReady())) throw new PaymentServiceError(`${gateway.title} is not available right now`, 'gateway_unavailable');
    return gateway as PaymentGateway & Required<Pick<PaymentGateway, 'chargeStored'>>;
  }

  /** What became of the attempt a form key already made (still running: an error the client can look up). */
  async #chargedBefore(clientId: number, attemptId: string): Promise<ChargeResult | undefined> {
    const seen = await getClientAttempt(this.deps.db, clientId, attemptId);
    if (!seen) return undefined;
    const outcome = seen.status === 'approved' ? 'approved' : seen.status === 'declined' ? 'declined' : 'error';
    return { attemptId, outcome, statusCode: seen.status === 'started' ? 'in_progress' : seen.status, amount: seen.amount, currency: seen.currency, message: '', result: { kind: 'replay', attemptId } };
  }

  async #chargeCard(gateway: PaymentGateway & Required<Pick<PaymentGateway, 'chargeStored'>>, input: { clientId: number; invoiceIds: number[]; key?: string }, card: StoredCard): Promise<ChargeResult> {
    const attemptId = input.key ? attemptIdForKey(input.clientId, input.key) : newAttemptId();
    const before = input.key ? await this.#chargedBefore(input.clientId, attemptId) : undefined;
    if (before) return before;
    const { invoices, amount, currency } = await this.#payableInvoices(input.clientId, input.invoiceIds);
    const attempt: PaymentAttempt = { id: attemptId, clientId: input.clientId, invoiceIds: invoices.map((i) => Number(i.id)), gateway: gateway.id, amount, currency, status: 'started', createdAt: this.now(), completedAt: null };
    // A second request with the same key got here at the same moment: the first one charges.
    if (!(await insertAttemptOnce(this.deps.db, attempt))) return (await this.#chargedBefore(input.clientId, attemptId)) ?? { attemptId, outcome: 'error', statusCode: 'duplicate', amount: 0, currency: '', message: '', result: { kind: 'replay', attemptId } };
    let outcome = await gateway.chargeStored(card, attempt);
    if (outcome.attemptId !== attempt.id) outcome = { ...outcome, attemptId: attempt.id, outcome: 'error', amount: 0, statusCode: 'wrong_attempt' };
    const result = await this.#settle(gateway, outcome);
    return { attemptId: attempt.id, outcome: outcome.outcome, statusCode: outcome.statusCode, amount, currency, message: gatewayMessage(outcome), result };
  }

  /**
   * Marks attempts that have waited longer than the payments setting (default 24 h, by the clock) as
   * expired: the client left the gateway's page, or its callback never came. Nothing else changes; a
   * signed approval that arrives later is still applied (#applyApproved). Returns how many expired.
   */
  async expireStaleAttempts(): Promise<number> {
    const { expireAfterHours } = await getAttemptSettings(this.deps.settings);
    const now = this.deps.clock.now();
    const before = iso(new Date(now.getTime() - expireAfterHours * 3_600_000));
    const expired = await expireAttempts(this.deps.db, { before, at: iso(now) });
    if (expired) this.deps.log.info('payment attempts expired', { count: expired, startedBefore: before });
    return expired;
  }

  getClientAttempt(clientId: number, attemptId: string): Promise<PaymentAttempt | undefined> {
    return getClientAttempt(this.deps.db, clientId, attemptId);
  }

  invoiceNumbers(ids: number[]): Promise<Map<number, string>> {
    return invoiceNumbers(this.deps.db, ids);
  }

  minorUnits(currency: string): Promise<number> {
    return minorUnitsOf(this.deps.db, currency);
  }

  /**
   * Staff "Record payment": money that arrived outside the panel (bank transfer, cash). The
   * reference becomes the transaction's external id, so one reference is recorded once; without a
   * reference the form's one-time key stands in. More than is due goes to the client's credit.
   */
  async recordManualPayment(input: { invoiceId: number; amount: number; method: string; reference: string; paidOn: string; formKey: string; actor: PaymentActor }): Promise<PaymentResult & { externalId: string }> {
    const invoice = await getInvoice(this.deps.db, input.invoiceId);
    if (!invoice) throw new PaymentServiceError(`Invoice #${input.invoiceId} does not exist`, 'not_found');
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw new PaymentServiceError('Enter an amount greater than zero', 'invalid', 'amount');
    const externalId = input.reference ? input.reference : `form:${input.formKey}`;
    const existing = await anyTransaction(this.deps.db, 'manual', [externalId]);
    if (existing && input.reference) throw new PaymentServiceError(`A payment with this reference is already recorded (transaction #${existing.id}${existing.invoice_id ? ` on invoice #${existing.invoice_id}` : ''})`, 'duplicate', 'reference');
    const now = this.deps.clock.now();
    const at = input.paidOn === isoDay(now) ? iso(now) : `${input.paidOn}T12:00:00.000Z`;
    const actor = input.actor;
    try {
      return await this.#transaction(async (trx) => {
        const r = await recordPayment(
          trx,
          { invoiceId: invoice.id, amount: input.amount, currency: invoice.currency, gateway: 'manual', externalId, method: input.method, statusCode: 'recorded', raw: { recordedBy: actor.label ?? '', reference: input.reference, paidOn: input.paidOn }, at, actor: actor.label },
          this.deps.billing.onInvoicePaid,
        );
        if (r.created) {
          await this.deps.audit.record(
            { actor: { type: actor.type, id: actor.id ?? null, label: actor.label ?? '' }, action: 'billing.payment_recorded', target: `invoice:${invoice.id}`, ip: actor.ip ?? null, details: { transaction: r.transactionId, amount: input.amount, currency: invoice.currency, method: input.method, reference: input.reference, paidOn: input.paidOn, credited: r.credited } },
            trx,
          );
        }
        return { ...r, externalId };
      });
    } catch (err) {
      if (err instanceof PaymentError) throw new PaymentServiceError(err.message, err.code === 'currency' ? 'currency' : 'invalid', 'amount');
      throw err;
    }
  }

  refundable(transactionId: number): Promise<number> {
    return getTransaction(this.deps.db, transactionId).then((tx) => (tx ? refundableAmount(this.deps.db, tx) : 0));
  }

  /**
   * Staff "Refund": returns (part of) an approved payment to the client's credit balance. `key` (the
   * form's one-time token) makes a double submit refund once.
   */
  async refund(input: { transactionId: number; amount: number; key: string; reason: string; actor: PaymentActor }): Promise<{ refundId: number; created: boolean }> {
    const tx = await getTransaction(this.deps.db, input.transactionId);
    if (!tx) throw new PaymentServiceError(`Transaction #${input.transactionId} does not exist`, 'not_found');
    const actor = input.actor;
    try {
      return await this.#transaction(async (trx) => {
        const r = await refundPayment(trx, { transactionId: tx.id, amount: input.amount, key: input.key, at: this.now(), actor: actor.label, reason: input.reason || undefined });
        if (r.created) {
          await this.deps.audit.record(
            { actor: { type: actor.type, id: actor.id ?? null, label: actor.label ?? '' }, action: 'billing.refunded', target: `transaction:${tx.id}`, ip: actor.ip ?? null, details: { refund: r.refundId, amount: input.amount, currency: tx.currency, reason: input.reason } },
            trx,
          );
        }
        return r;
      });
    } catch (err) {
      if (err instanceof PaymentError && err.code === 'refund_too_large') throw new PaymentServiceError('The refunds would exceed the payment', 'refund_too_large', 'amount');
      if (err instanceof PaymentError) throw new PaymentServiceError(err.message, 'invalid', 'amount');
      throw err;
    }
  }
}

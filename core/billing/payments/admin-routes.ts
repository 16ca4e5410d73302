// Staff payment pages under /admin/payments: record a payment, refund, charge a stored card, gateway settings.
import crypto from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.ts';
import { renderView } from '../../http/render.ts';
import { readFormValues, type FormValues } from '../../http/forms.ts';
import { flash } from '../../http/flash.ts';
import { requireRole } from '../../http/guards.ts';
import { clientIp } from '../../http/session.ts';
import { safeNext } from '../../views/helpers.ts';
import { zodFieldErrors } from '../../settings/store.ts';
import { timingSafeEqualStr, type SecretBox } from '../../secrets/crypto.ts';
import { formatMoney, parseAmount, toDecimalString } from '../../money/money.ts';
import { isoDay } from '../../db/time.ts';
import { getInvoice, type InvoiceRow } from '../invoices/store.ts';
import { listAccounts } from '../accounts/store.ts';
import { describeAccount, isExpired, isPassphraseProtected } from '../accounts/accounts.ts';
import { ACCOUNT_SETTINGS_KEY, getAccountSettings } from '../accounts/settings.ts';
import { PaymentServiceError, type PaymentActor, type PaymentService } from './service.ts';
import { DEFAULT_ATTEMPT_EXPIRY_HOURS, gatewaySettingsFormSchema, getAttemptSettings, getBankGatewaySettings, getTestGatewaySettings, saveAttemptSettings, saveBankGatewaySettings, saveTestGatewaySettings } from './settings.ts';
import { getTransaction, refundableAmount } from './store.ts';

export const PAYMENTS_ADMIN_BASE = '/admin/payments';
export const PAYMENT_ROLES = ['admin', 'billing'];

/** How staff say money arrived outside the panel (the transaction's method). */
export const MANUAL_METHODS = ['Bank transfer', 'Cash', 'Cheque', 'Credit card (offline)', 'Other'] as const;

const str = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/**
 * A one-time form key: random, with a MAC binding it to its purpose and subject, so it cannot be
 * made up or moved to another transaction. Rendering a form writes nothing (GETs change nothing).
 */
export function makeFormKey(secrets: SecretBox, purpose: string, subject: string): string {
  const nonce = crypto.randomBytes(12).toString('base64url');
  return `${nonce}.${secrets.mac(`form:${purpose}`, `${subject}.${nonce}`)}`;
}

export function checkFormKey(secrets: SecretBox, purpose: string, subject: string, key: string): boolean {
  const [nonce, mac] = key.split('.');
  return Boolean(nonce && mac && /^[A-Za-z0-9_-]{16}$/.test(nonce) && timingSafeEqualStr(mac, secrets.mac(`form:${purpose}`, `${subject}.${nonce}`)));
}

function actorOf(c: Context<AppEnv>): PaymentActor {
  const u = c.var.user!;
  return { type: 'staff', id: u.id, label: u.email, ip: clientIp(c) };
}

async function clientLabel(c: Context<AppEnv>, clientId: number): Promise<string> {
  const row = (await c.var.app.db('core_clients').where({ id: clientId }).first('name', 'company', 'kind')) as { name: string; company: string; kind: string } | undefined;
  if (!row) return `Client #${clientId}`;
  return row.kind === 'company' && row.company ? row.company : row.name || row.company;
}

export function paymentAdminRoutes(payments: PaymentService): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('/settings', requireRole('admin'));
  r.use('*', requireRole(...PAYMENT_ROLES));

  const loadInvoice = async (c: Context<AppEnv>): Promise<InvoiceRow | undefined> => {
    const id = Number(c.req.param('id'));
    return Number.isSafeInteger(id) ? getInvoice(c.var.app.db, id) : undefined;
  };
  const backFor = (c: Context<AppEnv>, values: FormValues, clientId: number) => safeNext(str(values.next) || c.req.query('next'), `/admin/clients/${clientId}`);

  /* ---------- record a payment ---------- */

  const recordPage = async (c: Context<AppEnv>, invoice: InvoiceRow, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const minor = await payments.minorUnits(invoice.currency);
    const due = Math.max(0, Number(invoice.total) - Number(invoice.amount_paid));
    return renderView(
      c,
      'pages/admin/payments/record',
      {
        invoice: { id: invoice.id, number: invoice.number, status: invoice.status, currency: invoice.currency, total: formatMoney({ amount: invoice.total, currency: invoice.currency }, minor), due: formatMoney({ amount: due, currency: invoice.currency }, minor) },
        client: { id: invoice.client_id, name: await clientLabel(c, invoice.client_id) },
        methods: MANUAL_METHODS.map((m) => ({ value: m, label: m })),
        values,
        errors,
        back: backFor(c, values, invoice.client_id),
      },
      { title: `Record a payment · ${invoice.number}`, status },
    );
  };

  r.get('/invoice/:id{[0-9]+}/record', async (c) => {
    const app = c.var.app;
    const invoice = await loadInvoice(c);
    if (!invoice) return app.pages.error(c, 404, 'There is no invoice with this number.');
    const minor = await payments.minorUnits(invoice.currency);
    const due = Math.max(0, Number(invoice.total) - Number(invoice.amount_paid));
    return recordPage(c, invoice, {
      amount: due > 0 ? toDecimalString(due, minor) : '',
      method: MANUAL_METHODS[0],
      reference: '',
      paidOn: isoDay(app.clock.now()),
      formKey: makeFormKey(app.secrets, 'record', String(invoice.id)),
      next: c.req.query('next') ?? '',
    }, {});
  });

  r.post('/invoice/:id{[0-9]+}/record', async (c) => {
    const app = c.var.app;
    const invoice = await loadInvoice(c);
    if (!invoice) return app.pages.error(c, 404, 'There is no invoice with this number.');
    const values = await readFormValues(c);
    const minor = await payments.minorUnits(invoice.currency);
    const today = isoDay(app.clock.now());
    const schema = z.object({
      amount: z.preprocess((v) => str(v as string).trim(), z.string().min(1, 'Enter the amount received').transform((s, ctx) => {
        const n = parseAmount(s, minor);
        if (n === null || n <= 0) {
          ctx.addIssue({ code: 'custom', message: `Enter an amount greater than zero with at most ${minor} decimals, e.g. ${toDecimalString(1250 * 10 ** Math.max(0, minor - 2), minor)}` });
          return z.NEVER;
        }
        return n;
      })),
      method: z.preprocess((v) => str(v as string), z.enum(MANUAL_METHODS, { message: 'Choose how the money arrived' })),
      reference: z.preprocess((v) => str(v as string).trim(), z.string().max(200, 'Use at most 200 characters')),
      paidOn: z.preprocess(
        (v) => str(v as string).trim(),
        z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'This is not a date').refine((d) => d <= today, 'The date cannot be in the future'),
      ),
      formKey: z.preprocess((v) => str(v as string), z.string().refine((k) => checkFormKey(app.secrets, 'record', String(invoice.id), k), 'This form has expired; reload the page')),
    });
    const parsed = schema.safeParse(values);
    if (!parsed.success) {
      const errors = zodFieldErrors(parsed.error);
      if (errors.formKey) errors._form = errors.formKey;
      return recordPage(c, invoice, values, errors, 400);
    }
    const d = parsed.data;
    try {
      const r2 = await payments.recordManualPayment({ invoiceId: invoice.id, amount: d.amount, method: d.method, reference: d.reference, paidOn: d.paidOn, formKey: d.formKey, actor: actorOf(c) });
      const money = formatMoney({ amount: d.amount, currency: invoice.currency }, minor);
      if (!r2.created) flash(c, 'info', `This payment was already recorded (transaction #${r2.transactionId}); nothing was added.`);
      else flash(c, 'success', `${money} recorded on invoice ${invoice.number}${r2.credited ? `; ${formatMoney({ amount: r2.credited, currency: invoice.currency }, minor)} went to the client's credit balance` : ''}.`);
      return c.redirect(backFor(c, values, invoice.client_id), 303);
    } catch (err) {
      if (err instanceof PaymentServiceError) return recordPage(c, invoice, values, { [err.field ?? '_form']: err.message }, 409);
      throw err;
    }
  });

  /* ---------- refund ---------- */

  const refundPage = async (c: Context<AppEnv>, txId: number, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.var.app;
    const tx = (await getTransaction(app.db, txId))!;
    const minor = await payments.minorUnits(tx.currency);
    const refundable = await refundableAmount(app.db, tx);
    const invoice = tx.invoice_id ? await getInvoice(app.db, tx.invoice_id) : undefined;
    return renderView(
      c,
      'pages/admin/payments/refund',
      {
        tx: { id: tx.id, method: tx.method, status: tx.status, gateway: tx.gateway, externalId: tx.external_id, createdAt: tx.created_at, amount: formatMoney({ amount: tx.amount, currency: tx.currency }, minor) },
        refundable: formatMoney({ amount: refundable, currency: tx.currency }, minor),
        canRefund: refundable > 0,
        invoice: invoice ? { id: invoice.id, number: invoice.number } : null,
        client: { id: tx.client_id, name: await clientLabel(c, tx.client_id) },
        values,
        errors,
        back: backFor(c, values, tx.client_id),
      },
      { title: `Refund transaction #${tx.id}`, status },
    );
  };

  r.get('/transaction/:id{[0-9]+}/refund', async (c) => {
    const app = c.var.app;
    const tx = await getTransaction(app.db, Number(c.req.param('id')));
    if (!tx) return app.pages.error(c, 404, 'There is no transaction with this number.');
    const refundable = await refundableAmount(app.db, tx);
    const minor = await payments.minorUnits(tx.currency);
    return refundPage(c, tx.id, { amount: refundable > 0 ? toDecimalString(refundable, minor) : '', reason: '', key: makeFormKey(app.secrets, 'refund', String(tx.id)), next: c.req.query('next') ?? '' }, {});
  });

  r.post('/transaction/:id{[0-9]+}/refund', async (c) => {
    const app = c.var.app;
    const tx = await getTransaction(app.db, Number(c.req.param('id')));
    if (!tx) return app.pages.error(c, 404, 'There is no transaction with this number.');
    const values = await readFormValues(c);
    const minor = await payments.minorUnits(tx.currency);
    const key = str(values.key);
    if (!checkFormKey(app.secrets, 'refund', String(tx.id), key)) return refundPage(c, tx.id, { ...values, key: makeFormKey(app.secrets, 'refund', String(tx.id)) }, { _form: 'This form has expired; check the amount and send it again.' }, 400);
    const errors: Record<string, string> = {};
    const amount = parseAmount(str(values.amount), minor);
    const reason = str(values.reason).trim();
    if (amount === null || amount <= 0) errors.amount = `Enter an amount greater than zero with at most ${minor} decimals`;
    if (reason.length > 300) errors.reason = 'Use at most 300 characters';
    if (Object.keys(errors).length) return refundPage(c, tx.id, values, errors, 400);
    // A double submit carries the same key: the second one finds the refund made and changes nothing.
    try {
      const res = await payments.refund({ transactionId: tx.id, amount: amount!, key, reason, actor: actorOf(c) });
      if (res.created) flash(c, 'success', `${formatMoney({ amount: amount!, currency: tx.currency }, minor)} refunded to the client's credit balance.`);
      else flash(c, 'info', 'This refund was already made; nothing more was refunded.');
      return c.redirect(backFor(c, values, tx.client_id), 303);
    } catch (err) {
      if (err instanceof PaymentServiceError) {
        const refundable = await refundableAmount(app.db, tx);
        const message = err.code === 'refund_too_large' ? `You can refund at most ${formatMoney({ amount: refundable, currency: tx.currency }, minor)}` : err.message;
        return refundPage(c, tx.id, values, { [err.field ?? '_form']: message }, 409);
      }
      throw err;
    }
  });

  /* ---------- charge a stored card ---------- */

  const chargePage = async (c: Context<AppEnv>, invoice: InvoiceRow, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.var.app;
    const now = app.clock.now();
    const cards = (await listAccounts(app.db, invoice.client_id)).filter((a) => a.type === 'card');
    const minor = await payments.minorUnits(invoice.currency);
    const due = Math.max(0, Number(invoice.total) - Number(invoice.amount_paid));
    const gatewayReady = (await payments.readyGateways()).some((g) => g.chargeStored);
    return renderView(
      c,
      'pages/admin/payments/charge',
      {
        invoice: { id: invoice.id, number: invoice.number, status: invoice.status, due: formatMoney({ amount: due, currency: invoice.currency }, minor), payable: due > 0 && ['unpaid', 'collections'].includes(invoice.status) },
        client: { id: invoice.client_id, name: await clientLabel(c, invoice.client_id) },
        cards: cards.map((a) => ({ value: String(a.id), label: `${describeAccount(a)}${a.label ? ` — ${a.label}` : ''}${isExpired(a, now) ? ' (expired)' : ''}${isPassphraseProtected({ secrets: app.secrets }, a) ? ' (pass-phrase)' : ''}` })),
        anyProtected: cards.some((a) => isPassphraseProtected({ secrets: app.secrets }, a)),
        gatewayReady,
        values,
        errors,
        back: backFor(c, values, invoice.client_id),
      },
      { title: `Charge a stored card · ${invoice.number}`, status },
    );
  };

  r.get('/invoice/:id{[0-9]+}/charge', async (c) => {
    const invoice = await loadInvoice(c);
    if (!invoice) return c.var.app.pages.error(c, 404, 'There is no invoice with this number.');
    const first = (await listAccounts(c.var.app.db, invoice.client_id)).find((a) => a.type === 'card' && a.is_default) ?? (await listAccounts(c.var.app.db, invoice.client_id)).find((a) => a.type === 'card');
    return chargePage(c, invoice, { accountId: first ? String(first.id) : '', next: c.req.query('next') ?? '' }, {});
  });

  r.post('/invoice/:id{[0-9]+}/charge', async (c) => {
    const invoice = await loadInvoice(c);
    if (!invoice) return c.var.app.pages.error(c, 404, 'There is no invoice with this number.');
    const values = await readFormValues(c);
    const accountId = Number(str(values.accountId));
    const cvv = str(values.cvv).trim();
    const kept: FormValues = { accountId: str(values.accountId), next: str(values.next) };
    if (!Number.isSafeInteger(accountId) || accountId <= 0) return chargePage(c, invoice, kept, { accountId: 'Choose a card' }, 400);
    if (cvv && !/^\d{3,4}$/.test(cvv)) return chargePage(c, invoice, kept, { cvv: 'The security code has 3 or 4 digits' }, 400);
    try {
      const res = await payments.chargeStoredAccount({ clientId: invoice.client_id, accountId, invoiceIds: [invoice.id], passphrase: str(values.passphrase) || undefined, cvv: cvv || undefined, actor: actorOf(c) });
      if (res.outcome === 'approved') flash(c, 'success', `The card was charged and invoice ${invoice.number} paid.`);
      else flash(c, 'error', `The card was ${res.outcome === 'declined' ? 'declined' : 'not charged: the gateway reported an error'} (${res.statusCode}). Invoice ${invoice.number} is still unpaid.`);
      return c.redirect(backFor(c, values, invoice.client_id), 303);
    } catch (err) {
      if (err instanceof PaymentServiceError) return chargePage(c, invoice, kept, { [err.field ?? '_form']: err.message }, 409);
      throw err;
    }
  });

  /* ---------- gateway settings ---------- */

  const settingsPage = async (c: Context<AppEnv>, values: FormValues | null, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const app = c.var.app;
    const [test, bank, accounts, attempts] = await Promise.all([getTestGatewaySettings(app.settings, app.secrets), getBankGatewaySettings(app.settings), getAccountSettings(app.settings), getAttemptSettings(app.settings)]);
    const shown: FormValues = values ?? {
      testEnabled: test.enabled ? '1' : '',
      testUrl: test.url,
      bankEnabled: bank.enabled ? '1' : '',
      bankInstructions: bank.instructions,
      accountsPassphrase: accounts.passphrase ? '1' : '',
      attemptsExpireHours: String(attempts.expireAfterHours),
    };
    return renderView(
      c,
      'pages/admin/payments/settings',
      { values: { ...shown, testSecret: '' }, errors, hasSecret: Boolean(test.secret), callbackUrl: payments.callbackUrl('test'), defaultExpiryHours: DEFAULT_ATTEMPT_EXPIRY_HOURS },
      { title: 'Payment gateways', status },
    );
  };

  r.get('/settings', (c) => settingsPage(c, null, {}));

  r.post('/settings', async (c) => {
    const app = c.var.app;
    const values = await readFormValues(c);
    const test = await getTestGatewaySettings(app.settings, app.secrets);
    const parsed = gatewaySettingsFormSchema({ hasSecret: Boolean(test.secret) }).safeParse(values);
    if (!parsed.success) return settingsPage(c, values, zodFieldErrors(parsed.error), 400);
    const d = parsed.data;
    await saveTestGatewaySettings(app.settings, app.secrets, { enabled: d.testEnabled, url: d.testUrl, secret: d.testSecret || undefined });
    await saveBankGatewaySettings(app.settings, { enabled: d.bankEnabled, instructions: d.bankInstructions });
    await app.settings.set(ACCOUNT_SETTINGS_KEY, { passphrase: d.accountsPassphrase });
    await saveAttemptSettings(app.settings, { expireAfterHours: d.attemptsExpireHours });
    await payments.refreshFormActionOrigins();
    const me = c.var.user!;
    await app.audit.record({
      actor: { type: 'staff', id: me.id, label: me.email }, action: 'settings.saved', target: 'payments', ip: clientIp(c),
      details: { testEnabled: d.testEnabled, testUrl: d.testUrl, secretChanged: Boolean(d.testSecret), bankEnabled: d.bankEnabled, accountsPassphrase: d.accountsPassphrase, attemptsExpireHours: d.attemptsExpireHours },
    });
    flash(c, 'success', 'Payment gateway settings were saved.');
    return c.redirect(`${PAYMENTS_ADMIN_BASE}/settings`, 303);
  });

  return r;
}

// Wiring for payments and billing accounts: called once from createApp, before the first request.
import type { Hono } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { AppServices } from '../../services.ts';
import { accountSectionData, billingAccountAdminRoutes, ACCOUNTS_BASE } from '../accounts/admin-routes.ts';
import { paymentAdminRoutes, PAYMENTS_ADMIN_BASE } from './admin-routes.ts';
import { paymentPublicRoutes } from './routes.ts';
import { PaymentService, PaymentServiceError } from './service.ts';
import { accountPayingFor, defaultAccount } from '../accounts/store.ts';

const registered = new WeakMap<AppServices, PaymentService>();

/** The PaymentService that setupPayments made for these services, if it ran. */
export function paymentsOf(services: AppServices): PaymentService | undefined {
  return registered.get(services);
}

/**
 * Mounts /payments (callbacks, return page), /admin/payments and /admin/billing-accounts, adds the
 * "Billing accounts" section to the client page, the settings menu entry and the job that expires
 * abandoned payment attempts, and puts the ready gateways' origins into the CSP's form-action.
 * Hono copies routes at app.route(), so call it during createApp, before serving.
 */
export async function setupPayments(app: Hono<AppEnv>, services: AppServices): Promise<PaymentService> {
  const already = registered.get(services);
  if (already) return already;
  const payments = new PaymentService({
    db: services.db,
    clock: services.clock,
    log: services.log.child({ module: 'payments' }),
    secrets: services.secrets,
    settings: services.settings,
    billing: services.billing,
    audit: services.audit,
    publicUrl: services.config.publicUrl,
    formActionOrigins: services.formActionOrigins,
  });
  registered.set(services, payments);
  services.billing.autoCharge = (invoiceId) => autoChargeInvoice(services, payments, invoiceId);

  app.route('/payments', paymentPublicRoutes(payments));
  app.route(PAYMENTS_ADMIN_BASE, paymentAdminRoutes(payments));
  app.route(ACCOUNTS_BASE, billingAccountAdminRoutes());

  services.slots.add('admin.client.detail', 'core', async (data) => {
    const clientId = Number(data.clientId);
    if (!Number.isSafeInteger(clientId)) return '';
    return services.views.render('pages/admin/accounts/section', await accountSectionData(services, clientId));
  });
  services.menu.add({ area: 'admin', section: 'billing', id: 'payment-gateways', label: 'Payment gateways', href: `${PAYMENTS_ADMIN_BASE}/settings`, order: 80, roles: ['admin'] });
  services.jobs.registerScheduled('core', {
    id: 'payments.expire-attempts',
    schedule: { cron: '50 * * * *' },
    description: 'Mark payment attempts that never came back from the gateway as expired (Payment gateways → Unfinished payments); a late approval is still applied',
    run: async (ctx) => ctx.count('expired', await payments.expireStaleAttempts()),
  });

  await payments.refreshFormActionOrigins();
  return payments;
}

/**
 * Renewal auto-charge: the card that pays for the invoice's service (seed 003: each billing account
 * says which packages it pays for), else the client's default account, when it is a card that can be
 * charged unattended (not protected by the client's pass-phrase, not expired).
 */
export async function autoChargeInvoice(services: AppServices, payments: PaymentService, invoiceId: number): Promise<boolean> {
  const { db } = services;
  const invoice = (await db('core_invoices').where({ id: invoiceId }).first('id', 'client_id', 'status')) as { id: number; client_id: number; status: string } | undefined;
  if (!invoice || invoice.status !== 'unpaid') return false;
  const line = (await db('core_invoice_lines').where({ invoice_id: invoiceId }).whereNotNull('service_id').first('service_id')) as { service_id: number } | undefined;
  const account = (line ? await accountPayingFor(db, line.service_id) : undefined) ?? (await defaultAccount(db, invoice.client_id));
  if (!account || account.type !== 'card' || account.client_id !== invoice.client_id) return false;
  try {
    const r = await payments.chargeStoredAccount({ clientId: invoice.client_id, accountId: account.id, invoiceIds: [invoiceId], actor: { type: 'system', label: 'auto-renew' } });
    return r.outcome === 'approved';
  } catch (err) {
    // A pass-phrase-protected or expired card, or no gateway: the client pays by hand.
    if (err instanceof PaymentServiceError) return false;
    throw err;
  }
}

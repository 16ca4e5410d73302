// Wiring for payments and billing accounts: called once from createApp, before the first request.
import type { Hono } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { AppServices } from '../../services.ts';
import { accountSectionData, billingAccountAdminRoutes, ACCOUNTS_BASE } from '../accounts/admin-routes.ts';
import { paymentAdminRoutes, PAYMENTS_ADMIN_BASE } from './admin-routes.ts';
import { paymentPublicRoutes } from './routes.ts';
import { PaymentService } from './service.ts';

const registered = new WeakMap<AppServices, PaymentService>();

/** The PaymentService that setupPayments made for these services, if it ran. */
export function paymentsOf(services: AppServices): PaymentService | undefined {
  return registered.get(services);
}

/**
 * Mounts /payments (callbacks, return page), /admin/payments and /admin/billing-accounts, adds the
 * "Billing accounts" section to the client page and the settings menu entry, and puts the ready
 * gateways' origins into the CSP's form-action. Hono copies routes at app.route(), so call it
 * during createApp, before serving.
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

  app.route('/payments', paymentPublicRoutes(payments));
  app.route(PAYMENTS_ADMIN_BASE, paymentAdminRoutes(payments));
  app.route(ACCOUNTS_BASE, billingAccountAdminRoutes());

  services.slots.add('admin.client.detail', 'core', async (data) => {
    const clientId = Number(data.clientId);
    if (!Number.isSafeInteger(clientId)) return '';
    return services.views.render('pages/admin/accounts/section', await accountSectionData(services, clientId));
  });
  services.menu.add({ area: 'admin', section: 'billing', id: 'payment-gateways', label: 'Payment gateways', href: `${PAYMENTS_ADMIN_BASE}/settings`, order: 80, roles: ['admin'] });

  await payments.refreshFormActionOrigins();
  return payments;
}

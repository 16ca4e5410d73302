// Billing admin pages under /admin/billing: services, invoices, new order, billing settings, notice templates.
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';
import { requireRole } from '../http/guards.ts';
import { BILLING_BASE, BILLING_EDIT_ROLES, SERVICE_VIEW_ROLES } from './admin/shared.ts';
import { serviceRoutes } from './admin/services.ts';
import { invoiceRoutes } from './admin/invoices.ts';
import { orderRoutes } from './admin/order.ts';
import { settingsRoutes } from './admin/settings.ts';
import { noticeRoutes } from './admin/notices.ts';

export { setupBillingAdmin } from './admin/setup.ts';

export function billingAdminRoutes(menu: MenuRegistry): Hono<AppEnv> {
  menu.add({ area: 'admin', section: 'billing', id: 'billing-services', label: 'Services', href: `${BILLING_BASE}/services`, order: 10, roles: SERVICE_VIEW_ROLES });
  menu.add({ area: 'admin', section: 'billing', id: 'billing-invoices', label: 'Invoices', href: `${BILLING_BASE}/invoices`, order: 20, roles: BILLING_EDIT_ROLES });
  menu.add({ area: 'admin', section: 'billing', id: 'billing-order', label: 'New order', href: `${BILLING_BASE}/order`, order: 30, roles: BILLING_EDIT_ROLES });
  menu.add({ area: 'admin', section: 'billing', id: 'billing-settings', label: 'Billing settings', href: `${BILLING_BASE}/settings`, order: 70, roles: BILLING_EDIT_ROLES });
  menu.add({ area: 'admin', section: 'billing', id: 'billing-notices', label: 'Notice templates', href: `${BILLING_BASE}/notices`, order: 75, roles: BILLING_EDIT_ROLES });

  const r = new Hono<AppEnv>();
  r.use('*', requireRole(...SERVICE_VIEW_ROLES));
  r.get('/', (c) => c.redirect(`${BILLING_BASE}/services`, 303));
  r.route('/services', serviceRoutes());
  r.route('/invoices', invoiceRoutes());
  r.route('/order', orderRoutes());
  r.route('/settings', settingsRoutes());
  r.route('/notices', noticeRoutes());
  return r;
}

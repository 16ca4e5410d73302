// The core admin area: dashboard, account, staff users and the System pages; plugins mount beside it.
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';
import { renderView } from '../http/render.ts';
import { requireRole } from '../http/guards.ts';
import { accountRoutes } from './account.ts';
import { staffUserRoutes } from './staff-users.ts';
import { systemPluginRoutes } from './system-plugins.ts';
import { systemJobRoutes } from './system-jobs.ts';
import { systemOutboxRoutes } from './system-outbox.ts';
import { systemAuditRoutes } from './system-audit.ts';
import { systemSandboxRoutes } from './system-sandbox.ts';
import { clientAdminRoutes } from '../billing/clients/admin-routes.ts';
import { catalogAdminRoutes } from '../billing/catalog/admin-routes.ts';
import { billingAdminRoutes } from '../billing/admin-routes.ts';
import { processingAdminRoutes } from '../processing/admin-routes.ts';
import { supportAdminRoutes } from '../support/admin-routes.ts';

export function adminRoutes(menu: MenuRegistry, opts: { sandbox: boolean } = { sandbox: false }) {
  menu.add({ area: 'admin', section: 'dashboard', id: 'dashboard', label: 'Dashboard', href: '/admin', order: 0 });
  menu.add({ area: 'admin', section: 'account', id: 'account', label: 'My account', href: '/admin/account', order: 10 });
  menu.add({ area: 'admin', section: 'system', id: 'plugins', label: 'Plugins', href: '/admin/system/plugins', order: 10, roles: ['admin'] });
  menu.add({ area: 'admin', section: 'system', id: 'jobs', label: 'Jobs', href: '/admin/system/jobs', order: 20, roles: ['admin'] });
  menu.add({ area: 'admin', section: 'system', id: 'staff', label: 'Staff users', href: '/admin/system/users', order: 30, roles: ['admin'] });
  menu.add({ area: 'admin', section: 'system', id: 'outbox', label: 'Outbox', href: '/admin/system/outbox', order: 40, roles: ['admin'] });
  menu.add({ area: 'admin', section: 'system', id: 'audit', label: 'Audit log', href: '/admin/system/audit', order: 50, roles: ['admin'] });
  if (opts.sandbox) menu.add({ area: 'admin', section: 'system', id: 'sandbox', label: 'Sandbox clock', href: '/admin/system/sandbox', order: 60, roles: ['admin'] });

  const r = new Hono<AppEnv>();
  r.get('/', async (c) => {
    const app = c.get('app');
    const report = app.plugins.report();
    const jobs = await app.jobs.list();
    return renderView(c, 'pages/admin/dashboard', {
      plugins: report,
      failedPlugins: report.filter((p) => p.state === 'failed'),
      failingJobs: jobs.filter((j) => j.lastStatus === 'failed' || j.lastStatus === 'timeout'),
      smtp: app.mail.hasSmtp,
    }, { title: 'Dashboard' });
  });
  r.route('/account', accountRoutes());
  r.route('/clients', clientAdminRoutes(menu));
  r.route('/catalog', catalogAdminRoutes(menu));
  r.route('/billing', billingAdminRoutes(menu));
  r.route('/processing', processingAdminRoutes(menu));
  r.route('/support', supportAdminRoutes(menu));
  // Everything under /admin/system is for administrators only.
  r.use('/system/*', requireRole('admin'));
  r.route('/system/users', staffUserRoutes());
  r.route('/system/plugins', systemPluginRoutes());
  r.route('/system/jobs', systemJobRoutes());
  r.route('/system/outbox', systemOutboxRoutes());
  r.route('/system/audit', systemAuditRoutes());
  if (opts.sandbox) r.route('/system/sandbox', systemSandboxRoutes());
  return r;
}

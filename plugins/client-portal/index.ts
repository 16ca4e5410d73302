// The client portal (Plesk-Billing style, seed 003): home, invoices, packages, domains, billing
// accounts, contacts and account security, served at /client and usable without JavaScript.
import { definePlugin } from '../../core/plugins/api.ts';
import { SECTIONS, portalRoutes } from './routes/client.ts';
import { LABELS_RU } from './routes/labels.ts';
import { SSO_ADMIN_MENU, ssoAdminRoutes, ssoPublicRoutes } from './routes/sso.ts';

export const clientPortalPlugin = definePlugin({
  meta: { name: 'client-portal', version: '1.0.0', apiVersion: '^1.2.0', description: 'Client portal: invoices, packages, domains, billing accounts, contacts' },
  views: new URL('./views/', import.meta.url),
  register(ctx) {
    ctx.routes.clientHome(portalRoutes());
    ctx.routes.public(ssoPublicRoutes());
    ctx.routes.admin(ssoAdminRoutes());
    ctx.menu.add(SSO_ADMIN_MENU);
    for (const s of SECTIONS) for (const m of s.menu) ctx.menu.add(m);
    ctx.i18n.add('ru', LABELS_RU);
    for (const s of SECTIONS) ctx.i18n.add('ru', s.ru);
  },
});

/** Factory for plugin.config.ts: `clientPortal()`. */
export default function clientPortal() {
  return { ...clientPortalPlugin };
}

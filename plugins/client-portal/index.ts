// The client portal (Plesk-Billing style, seed 003): home, invoices, packages, domains, billing
// accounts, contacts and account security, served at /client and usable without JavaScript.
import { definePlugin } from '../../core/plugins/api.ts';
import { SECTIONS, portalRoutes } from './routes/client.ts';
import { LABELS_RU } from './routes/labels.ts';

export const clientPortalPlugin = definePlugin({
  meta: { name: 'client-portal', version: '1.0.0', apiVersion: '^1.2.0', description: 'Client portal: invoices, packages, domains, billing accounts, contacts' },
  views: new URL('./views/', import.meta.url),
  register(ctx) {
    ctx.routes.clientHome(portalRoutes());
    for (const s of SECTIONS) for (const m of s.menu) ctx.menu.add(m);
    ctx.i18n.add('ru', LABELS_RU);
    for (const s of SECTIONS) ctx.i18n.add('ru', s.ru);
  },
});

/** Factory for plugin.config.ts: `clientPortal()`. */
export default function clientPortal() {
  return { ...clientPortalPlugin };
}

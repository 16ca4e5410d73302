// Global Account, the panel's side: a control panel sends the client back to the portal with a
// signed one-time token (/p/client-portal/sso/return, /p/client-portal/billing-details); staff
// generate the secret each processing server signs with (/admin/client-portal/sso). The token
// format is in this plugin's README.md; the checks are core's (clientArea.redeemSsoToken).
import type { Context } from 'hono';
import { clientArea, createRouter, flash, renderView, type AppEnv, type AppRouter, type PluginMenuEntry } from '../../../core/plugins/api.ts';
import { PORTAL } from './render.ts';

export const SSO_ADMIN_MENU: PluginMenuEntry = { area: 'admin', section: 'processing', id: 'sso', label: 'Single sign-on', href: '/sso', order: 30, roles: ['admin'] };

const ADMIN_BASE = `/admin/${PORTAL}/sso`;

function ipOf(c: Context<AppEnv>): string | null {
  return clientArea.requestIp(c);
}

async function redeem(c: Context<AppEnv>, purpose: 'return' | 'billing_details') {
  const app = c.get('app');
  const result = await clientArea.redeemSsoToken(app, c.req.query('token'), { ip: ipOf(c), purpose });
  if (!result.ok) return app.pages.error(c, 403, c.get('t')('This sign-in link is not valid or has expired. Sign in with your e-mail address and password.'));
  return clientArea.completeSignIn(c, result.user, { next: result.next, via: 'sso' });
}

/** Mounted at /p/client-portal: no sign-in needed, the token is the credential. */
export function ssoPublicRoutes(): AppRouter {
  const r = createRouter();
  r.get('/sso/return', (c) => redeem(c, 'return'));
  // Plesk's "Billing Details" button: the same check, then the client's portal home.
  r.get('/billing-details', (c) => redeem(c, 'billing_details'));
  return r;
}

function staffOf(c: Context<AppEnv>) {
  const u = c.get('user')!;
  return { id: u.id, email: u.email, ip: ipOf(c) };
}

/** Mounted at /admin/client-portal: return secrets per processing server, administrators only. */
export function ssoAdminRoutes(): AppRouter {
  const r = createRouter();
  r.use('/sso', async (c, next) => (c.get('user')?.role === 'admin' ? next() : c.get('app').pages.error(c, 403, 'This page needs the administrator role.')));
  r.use('/sso/*', async (c, next) => (c.get('user')?.role === 'admin' ? next() : c.get('app').pages.error(c, 403, 'This page needs the administrator role.')));

  const page = async (c: Context<AppEnv>, shown?: { serverId: number; secret: string }) => {
    const app = c.get('app');
    const servers = await clientArea.ssoServers(app);
    const publicUrl = app.config.publicUrl.replace(/\/$/, '');
    return renderView(c, `@${PORTAL}/admin/sso`, { servers, shown, base: ADMIN_BASE, returnUrl: `${publicUrl}/p/${PORTAL}/sso/return`, billingUrl: `${publicUrl}/p/${PORTAL}/billing-details` }, { title: 'Single sign-on' });
  };

  r.get('/sso', (c) => page(c));

  r.post('/sso/:serverId{[0-9]+}/secret', async (c) => {
    const serverId = Number(c.req.param('serverId'));
    const secret = await clientArea.generateSsoSecret(c.get('app'), serverId, staffOf(c));
    if (!secret) return c.get('app').pages.error(c, 404, 'There is no such processing server.');
    // The secret is shown in this response only; it is stored encrypted and never displayed again.
    return page(c, { serverId, secret });
  });

  r.post('/sso/:serverId{[0-9]+}/remove', async (c) => {
    const removed = await clientArea.removeSsoSecret(c.get('app'), Number(c.req.param('serverId')), staffOf(c));
    if (!removed) return c.get('app').pages.error(c, 404, 'This server has no single sign-on secret.');
    flash(c, 'success', 'The secret was removed: links from that control panel no longer sign anyone in.');
    return c.redirect(ADMIN_BASE, 303);
  });
  return r;
}

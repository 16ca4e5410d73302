// The core client area: a home page plugins extend through the 'client.home' slot, and the account
// page. When a plugin owns the client home (the portal), core keeps only the account page as a
// fallback and adds no menu entries of its own: the portal's menu is the client's menu.
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';
import { renderView } from '../http/render.ts';
import { accountPageRoutes } from '../admin/account.ts';

export function clientRoutes(menu: MenuRegistry, opts: { homeOwner: string | null } = { homeOwner: null }) {
  if (!opts.homeOwner) {
    menu.add({ area: 'client', section: 'dashboard', id: 'home', label: 'Home', href: '/client', order: 0 });
    menu.add({ area: 'client', section: 'account', id: 'account', label: 'My account', href: '/client/account', order: 90 });
  }

  const r = new Hono<AppEnv>();
  // Also the fallback while a home-owning plugin is switched off at run time.
  r.get('/', async (c) => {
    const user = c.get('user')!;
    const extra = await c.get('app').slots.render('client.home', { clientId: user.clientId, userId: user.id });
    return renderView(c, 'pages/client/home', { extra }, { title: c.get('t')('Home') });
  });
  r.route('/account', accountPageRoutes('/client/account', 'pages/account'));
  return r;
}

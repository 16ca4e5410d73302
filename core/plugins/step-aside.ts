// The client home is shared ground: /client serves the portal plugin's pages, core's fallback pages
// and other plugins' /client/<name> routes. A plugin gate that answered 404 there would take all of
// them down with the portal; instead each of the plugin's handlers steps aside (calls next()) while
// the plugin is switched off, so the request reaches whatever else serves that path.
import { Hono, type Context, type Next } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv, AppRouter } from '../http/env.ts';
import type { ErrorPages } from '../services.ts';

export function stepAsideWhenDisabled(router: AppRouter, plugin: string, isEnabled: () => boolean, pages: ErrorPages): AppRouter {
  const wrapped = new Hono<AppEnv>();
  for (const r of router.routes) {
    const handler = r.handler as (c: Context<AppEnv>, next: Next) => Response | Promise<Response | void> | void;
    wrapped.on(r.method, r.path, async (c, next) => {
      if (!isEnabled()) return next();
      const prevOwner = c.get('owner');
      const prevLog = c.get('log');
      c.set('owner', plugin);
      c.set('log', prevLog.child({ plugin }));
      try {
        const res = await handler(c, next);
        return res instanceof Response ? res : undefined;
      } catch (err) {
        if (err instanceof HTTPException) return err.getResponse();
        c.get('log').error('plugin route failed', { plugin, path: c.req.path, err });
        return pages.error(c, 500);
      } finally {
        // Middleware of the plugin that passed the request on must not leave its name on core's pages.
        c.set('owner', prevOwner);
        c.set('log', prevLog);
      }
    });
  }
  return wrapped;
}

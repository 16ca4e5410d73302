// CSRF: every state-changing request must carry the token bound to the session (or visitor cookie).
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqualStr } from '../secrets/crypto.ts';
import type { AppEnv } from './env.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/**
 * An origin check alone (Hono's csrf()) ignores JSON bodies and trusts sibling subdomains, so
 * this wants the token itself: htmx sends it as a header (hx-headers on <body>), plain forms as
 * a hidden field. Routes that must accept foreign posts (signed payment callbacks) list their
 * path in `exempt`; each one verifies its own signature instead.
 */
export function csrfProtection(opts: { exempt?: (path: string) => boolean } = {}): MiddlewareHandler<AppEnv> {
  return async function csrf(c, next) {
    if (SAFE_METHODS.has(c.req.method) || opts.exempt?.(c.req.path)) return next();
    let token = c.req.header(CSRF_HEADER);
    if (!token) {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody();
        const field = body[CSRF_FIELD];
        token = typeof field === 'string' ? field : undefined;
      }
    }
    if (!token || !timingSafeEqualStr(token, c.get('csrfToken'))) {
      c.get('log').warn('csrf token rejected', { path: c.req.path, method: c.req.method, hadToken: Boolean(token) });
      return c.get('app').pages.error(c, 403, 'This form has expired or was sent from another site. Go back, reload the page and try again.');
    }
    return next();
  };
}

// Area guards: /admin is for staff (by role where asked), /client for client users; others are sent to sign in.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';

const PUBLIC_ADMIN_PATHS = new Set(['/admin/login']);

export function requireStaff(): MiddlewareHandler<AppEnv> {
  return async function requireStaff(c, next) {
    if (PUBLIC_ADMIN_PATHS.has(c.req.path)) return next();
    const user = c.get('user');
    if (!user) {
      if (c.req.method !== 'GET') return c.get('app').pages.error(c, 403, 'Your session has ended. Sign in again.');
      return c.redirect(`/admin/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    if (user.kind !== 'staff') return c.get('app').pages.error(c, 403, 'This area is for staff. Your client area is at /client.');
    return next();
  };
}

export function requireRole(...roles: string[]): MiddlewareHandler<AppEnv> {
  return async function requireRole(c, next) {
    const user = c.get('user');
    if (!user || user.kind !== 'staff' || !user.role || !roles.includes(user.role)) {
      return c.get('app').pages.error(c, 403, `This page needs one of the roles: ${roles.join(', ')}.`);
    }
    return next();
  };
}

export function requireClient(): MiddlewareHandler<AppEnv> {
  return async function requireClient(c, next) {
    const user = c.get('user');
    if (!user) {
      if (c.req.method !== 'GET') return c.get('app').pages.error(c, 403, 'Your session has ended. Sign in again.');
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    if (user.kind !== 'client') return c.get('app').pages.error(c, 403, 'This area is for clients. Staff work in /admin.');
    return next();
  };
}

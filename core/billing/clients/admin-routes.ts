// Client admin pages (clients, contacts, login users).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { MenuRegistry } from '../../menu/menu.ts';

export function clientAdminRoutes(_menu: MenuRegistry): Hono<AppEnv> {
  return new Hono<AppEnv>();
}

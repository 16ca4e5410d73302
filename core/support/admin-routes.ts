// Support admin pages (tickets, departments).
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';

export function supportAdminRoutes(_menu: MenuRegistry): Hono<AppEnv> {
  return new Hono<AppEnv>();
}

// Processing admin pages (servers, operations).
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';

export function processingAdminRoutes(_menu: MenuRegistry): Hono<AppEnv> {
  return new Hono<AppEnv>();
}

// Catalog admin pages (packages, periods and prices, add-ons, enumerations, currencies, taxes, item types).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { MenuRegistry } from '../../menu/menu.ts';

export function catalogAdminRoutes(_menu: MenuRegistry): Hono<AppEnv> {
  return new Hono<AppEnv>();
}

// Billing admin pages (services, orders, invoices, payments).
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';

export function billingAdminRoutes(_menu: MenuRegistry): Hono<AppEnv> {
  return new Hono<AppEnv>();
}

// Catalog admin pages (packages, periods and prices, add-ons, enumerations, currencies, taxes, item types).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { MenuRegistry } from '../../menu/menu.ts';
import { CATALOG_BASE, adminOnly } from './admin/shared.ts';
import { packageRoutes } from './admin/packages.ts';
import { periodRoutes } from './admin/periods.ts';
import { addonRoutes } from './admin/addons.ts';
import { enumerationRoutes } from './admin/enumerations.ts';
import { currencyRoutes } from './admin/currencies.ts';
import { taxRoutes } from './admin/taxes.ts';
import { itemTypeRoutes } from './admin/item-types.ts';

/**
 * Mounted at /admin/catalog. Every staff role may read the catalog (billing and support answer
 * clients' questions about prices); only administrators change it: every state change and every
 * edit form goes through the admin-only guard.
 */
export function catalogAdminRoutes(menu: MenuRegistry): Hono<AppEnv> {
  menu.add({ area: 'admin', section: 'catalog', id: 'catalog-packages', label: 'Packages', href: `${CATALOG_BASE}/packages`, order: 10 });
  menu.add({ area: 'admin', section: 'catalog', id: 'catalog-enumerations', label: 'Enumerations', href: `${CATALOG_BASE}/enumerations`, order: 20 });
  menu.add({ area: 'admin', section: 'catalog', id: 'catalog-currencies', label: 'Currencies', href: `${CATALOG_BASE}/currencies`, order: 30 });
  menu.add({ area: 'admin', section: 'catalog', id: 'catalog-taxes', label: 'Taxes', href: `${CATALOG_BASE}/taxes`, order: 40 });
  menu.add({ area: 'admin', section: 'catalog', id: 'catalog-item-types', label: 'Service kinds', href: `${CATALOG_BASE}/item-types`, order: 50 });

  const r = new Hono<AppEnv>();
  r.use('*', async function catalogChangesAreAdminOnly(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return adminOnly(c, next);
  });
  r.get('/', (c) => c.redirect(`${CATALOG_BASE}/packages`, 303));
  packageRoutes(r);
  periodRoutes(r);
  addonRoutes(r);
  enumerationRoutes(r);
  currencyRoutes(r);
  taxRoutes(r);
  itemTypeRoutes(r);
  return r;
}

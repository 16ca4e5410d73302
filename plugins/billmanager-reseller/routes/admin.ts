// Admin pages of the plugin (mounted at /admin/billmanager-reseller): overview, features, rate plans,
// price changes, registrars and ordering a domain for a client. Staff of billing may look; admins change.
import { createRouter, renderView } from '../../../core/plugins/api.ts';
import { requireRole } from '../../../core/http/guards.ts';
import { billmanagerServers } from '../services/upstream-access.ts';
import { countOpenChanges } from '../store/price-changes.ts';
import { planRoutes } from './admin-plans.ts';
import { registrarRoutes } from './admin-registrars.ts';
import { changeRoutes } from './admin-changes.ts';
import { featureRoutes } from './admin-features.ts';
import { adminDomainRoutes } from './admin-domains.ts';

export function adminRoutes(opts: { timeoutMs: number }) {
  const r = createRouter();
  r.use('*', requireRole('admin', 'billing'));

  r.get('/', async (c) => {
    const app = c.get('app');
    const servers = await billmanagerServers(app);
    const [{ n: plans }] = (await app.db('bmr_tariffs').count({ n: '*' })) as [{ n: number | string }];
    return renderView(c, '@billmanager-reseller/admin/overview', { servers, plans: Number(plans), openChanges: await countOpenChanges(app.db) }, { title: 'BILLmanager reselling' });
  });

  r.route('/', planRoutes(opts));
  r.route('/', registrarRoutes(opts));
  r.route('/', changeRoutes());
  r.route('/', featureRoutes());
  r.route('/', adminDomainRoutes(opts));
  return r;
}

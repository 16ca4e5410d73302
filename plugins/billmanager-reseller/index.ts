// The BILLmanager reseller plugin (seed 001): resell an upstream BILLmanager's domains and servers under
// your own brand — processing module, imported rate plans, registrar with balance alerts, domain ordering.
import { definePlugin } from '../../core/plugins/api.ts';
import { billmanagerSettings, type BillmanagerSettings } from './settings.ts';
import { billmanagerModule } from './processing/module.ts';
import { adminRoutes } from './routes/admin.ts';
import { clientRoutes } from './routes/client.ts';
import { checkEventsJob } from './jobs/checkevent.ts';
import { RU } from './i18n/ru.ts';
import { registrarsJob } from './jobs/registrars.ts';
import { pricesJob } from './jobs/prices.ts';
import { sendErrorsListener } from './services/registrars.ts';

export const PLUGIN_NAME = 'billmanager-reseller';

export const billmanagerResellerPlugin = definePlugin<BillmanagerSettings>({
  meta: { name: PLUGIN_NAME, version: '1.0.0', apiVersion: '^1.2.0', tablePrefix: 'bmr', description: 'Resell domains and servers of an upstream BILLmanager' },
  settings: billmanagerSettings,
  migrations: new URL('./migrations/', import.meta.url),
  views: new URL('./views/', import.meta.url),
  register(ctx) {
    const timeoutMs = ctx.settings.requestTimeoutSeconds * 1000;
    ctx.processing.register(billmanagerModule({ db: ctx.db, requestTimeoutMs: timeoutMs }));
    ctx.routes.admin(adminRoutes({ timeoutMs }));
    ctx.jobs.schedule({ id: 'checkevent', schedule: { cron: '*/5 * * * *' }, scope: 'global', description: 'Read what the upstream BILLmanager did to the services it provides', run: checkEventsJob(() => ctx.services, timeoutMs) });
    ctx.jobs.schedule({ id: 'registrars', schedule: { cron: '12 0 * * *' }, scope: 'global', description: 'Check each registrar’s upstream balance against its minimum; restart failed operations', run: registrarsJob(() => ctx.services, timeoutMs) });
    ctx.jobs.schedule({ id: 'prices', schedule: { cron: '40 3 * * *' }, scope: 'global', description: 'Notice changed prices and periods of imported upstream tariffs', run: pricesJob(() => ctx.services, timeoutMs) });
    ctx.events.on('service.operation', sendErrorsListener(() => ctx.services));
    ctx.menu.add({ area: 'admin', section: 'processing', id: 'billmanager', label: 'BILLmanager reselling', href: '/', roles: ['admin', 'billing'] });
    ctx.routes.client(clientRoutes({ timeoutMs }));
    ctx.i18n.add('ru', RU);
    ctx.menu.add({ area: 'client', section: 'services', id: 'domain-order', label: 'Register a domain', href: '/domains/order', order: 25 });
    ctx.menu.add({ area: 'admin', section: 'catalog', id: 'billmanager-plans', label: 'Upstream rate plans', href: '/plans', roles: ['admin', 'billing'] });
  },
});

/** Factory for plugin.config.ts: `billmanagerReseller()`. */
export default function billmanagerReseller(options: Partial<BillmanagerSettings> = {}) {
  return { ...billmanagerResellerPlugin, options };
}

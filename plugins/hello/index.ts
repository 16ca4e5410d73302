// The example plugin: the smallest complete plugin (route, view, menu entry, job, migration, settings).
import { definePlugin } from '../../core/plugins/api.ts';
import { helloSettings, type HelloSettings } from './settings.ts';
import { helloAdminRoutes } from './routes/admin.ts';
import { pruneGreetings } from './jobs/prune.ts';

export const helloPlugin = definePlugin<HelloSettings>({
  meta: { name: 'hello', version: '1.0.0', apiVersion: '^1.0.0', description: 'Example plugin to copy' },
  settings: helloSettings,
  migrations: new URL('./migrations/', import.meta.url),
  views: new URL('./views/', import.meta.url),
  register(ctx) {
    ctx.routes.admin(helloAdminRoutes(ctx));
    ctx.menu.add({ area: 'admin', section: 'services', id: 'hello', label: 'Hello', href: '/' });
    ctx.jobs.schedule({ id: 'prune', schedule: { cron: '30 3 * * *' }, description: 'Forget greetings older than 30 days', run: pruneGreetings });
  },
});

/** Factory for plugin.config.ts: `hello({ greeting: 'Hi' })`. */
export default function hello(options: Partial<HelloSettings> = {}) {
  return { ...helloPlugin, options };
}

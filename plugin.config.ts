// The plugins this panel runs. Add a plugin by listing it; remove it by deleting the line.
// Entries may be plugin objects, npm package names ('trellis-plugin-x'), [name, options] pairs,
// or falsy values (ignored), so `process.env.X && plugin()` switches a plugin by environment.
import { defineConfig } from './core/plugins/config.ts';
import hello from './plugins/hello/index.ts';
import clientPortal from './plugins/client-portal/index.ts';
import billmanagerReseller from './plugins/billmanager-reseller/index.ts';

export default defineConfig({
  plugins: [
    clientPortal(),
    billmanagerReseller(),
    hello(),
  ],
});

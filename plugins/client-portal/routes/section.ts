// A portal section (home, invoices, packages, domains, ...): its routes under /client<mount>, its menu
// entries and its Russian texts. index.ts wires every section the same way.
import type { AppRouter, Messages, PluginMenuEntry } from '../../../core/plugins/api.ts';

export interface PortalSection {
  /** Path under /client ('' for the home page itself). */
  mount: string;
  routes(): AppRouter;
  menu: PluginMenuEntry[];
  /** Russian for the section's texts (English text is the key). */
  ru: Messages;
}

// Every portal section, mounted under /client (the portal owns the client home).
import { createRouter, type AppRouter } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { homeSection } from './home.ts';

export const SECTIONS: PortalSection[] = [homeSection];

export function portalRoutes(): AppRouter {
  const r = createRouter();
  for (const s of SECTIONS) r.route(s.mount || '/', s.routes());
  return r;
}

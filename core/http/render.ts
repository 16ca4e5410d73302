// Renders eta views: a fragment for htmx requests, the page inside its layout otherwise.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './env.ts';
import { CSRF_FIELD } from './csrf.ts';

export type Layout = 'admin' | 'client' | 'bare';

export interface RenderOptions {
  title?: string;
  status?: ContentfulStatusCode;
  /** Defaults to the area of the path: /admin → admin, /client → client, otherwise bare. */
  layout?: Layout | false;
}

export function layoutFor(path: string): Layout {
  if (path === '/admin/login') return 'bare';
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin';
  if (path === '/client' || path.startsWith('/client/')) return 'client';
  return 'bare';
}

/** htmx asks for a fragment; a boosted navigation or a history restore wants the whole page. */
export function wantsFragment(c: Context): boolean {
  return c.req.header('hx-request') === 'true' && c.req.header('hx-boosted') !== 'true' && c.req.header('hx-history-restore-request') !== 'true';
}

/** Data every view gets, so partials can build forms and links without being handed them. */
export function baseViewData(c: Context<AppEnv>, title: string | undefined): Record<string, unknown> {
  return {
    title: title ?? 'Trellis',
    user: c.get('user'),
    t: c.get('t'),
    lang: c.get('t').lang,
    csrf: c.get('csrfToken'),
    csrfField: CSRF_FIELD,
    flash: c.get('flash') ?? [],
    path: c.req.path,
    query: c.req.query(),
  };
}

export function renderView(c: Context<AppEnv>, view: string, data: Record<string, unknown> = {}, opts: RenderOptions = {}): Response {
  const app = c.get('app');
  const base = baseViewData(c, opts.title);
  const body = app.views.render(view, { ...base, ...data });
  const layout = opts.layout === undefined ? layoutFor(c.req.path) : opts.layout;
  c.header('Vary', 'HX-Request');
  if (wantsFragment(c) || layout === false) return c.html(body, opts.status ?? 200);
  const user = c.get('user');
  const menu =
    layout === 'admin' || layout === 'client'
      ? app.menu.sections(layout, user?.role ?? null, (owner) => app.plugins.isEnabled(owner))
      : [];
  const html = app.views.render(`layouts/${layout}`, { ...base, ...data, body, menu, appName: 'Trellis' });
  return c.html(html, opts.status ?? 200);
}

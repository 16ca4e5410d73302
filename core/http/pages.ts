// Error pages (403, 404, 500 ...) rendered in the area's layout, or as a fragment for htmx.
import type { Context } from 'hono';
import type { AppEnv } from './env.ts';
import type { ErrorPages } from '../services.ts';
import { renderView } from './render.ts';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Conflict',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  403: 'You do not have access to this page.',
  404: 'There is nothing at this address. Check the link, or use the menu.',
  500: 'The error has been logged. Try again in a moment; if it keeps happening, tell your administrator the time it happened.',
};

export const errorPages: ErrorPages = {
  error(c: Context<AppEnv>, status, message) {
    // Staff layouts need a signed-in staff user; everyone else sees the plain layout.
    const user = c.get('user');
    const path = c.req.path;
    const layout = user?.kind === 'staff' && path.startsWith('/admin') ? 'admin' : user?.kind === 'client' && path.startsWith('/client') ? 'client' : 'bare';
    return renderView(
      c,
      'pages/error',
      { status, heading: TITLES[status] ?? 'Error', message: message ?? DEFAULT_MESSAGES[status] ?? '', requestId: c.get('requestId') },
      { title: TITLES[status] ?? 'Error', status, layout },
    );
  },
};

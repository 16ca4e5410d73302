// The Hono environment every route sees: request-scoped variables set by core middleware.
import type { Hono } from 'hono';
import type { Logger } from '../log.ts';
import type { AppServices } from '../services.ts';
import type { Translate } from '../i18n/i18n.ts';

export interface CurrentUser {
  id: number;
  kind: 'staff' | 'client';
  email: string;
  name: string;
  role: string | null;
  clientId: number | null;
  /** The user's chosen language ('' if none). */
  language: string;
}

export interface FlashMessage {
  kind: 'success' | 'info' | 'warning' | 'error';
  text: string;
}

export type AppEnv = {
  Variables: {
    app: AppServices;
    log: Logger;
    requestId: string;
    /** The signed-in user, or null for visitors. */
    user: CurrentUser | null;
    /** Database id (hash) of the current session, or null. */
    sessionId: string | null;
    /** Token forms and htmx must send back on every state-changing request. */
    csrfToken: string;
    /** Messages set by the previous request (read once). */
    flash: FlashMessage[];
    /** The plugin owning the route, set by the plugin gate; 'core' for core routes. */
    owner: string;
    /** Translates into the reader's language (the user's choice, the language cookie, the browser's). */
    t: Translate;
  };
};

export type AppRouter = Hono<AppEnv>;

// Resolves the session cookie to the current user; authenticated pages are never cached.
import crypto from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ANON_COOKIE, LANG_COOKIE, SESSION_COOKIE, clearAppCookie, getCookie, isHttps, setAppCookie } from './cookies.ts';
import type { AppEnv, CurrentUser } from './env.ts';
import type { SessionUser } from '../auth/sessions.ts';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../i18n/i18n.ts';

export function toCurrentUser(u: SessionUser): CurrentUser {
  return { id: u.id, kind: u.kind, email: u.email, name: u.name, role: u.role, clientId: u.client_id, language: u.language ?? '' };
}

export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function sessionMiddleware(): MiddlewareHandler<AppEnv> {
  return async function session(c, next) {
    const app = c.get('app');
    const https = isHttps(c, app.config.publicUrl);
    c.set('user', null);
    c.set('sessionId', null);
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const found = await app.sessions.resolve(token);
      if (found) {
        c.set('user', toCurrentUser(found.user));
        c.set('sessionId', found.session.id);
      } else {
        clearAppCookie(c, SESSION_COOKIE, https);
      }
    }
    // Visitors get a random id so their forms (login, setup) carry a CSRF token too, without a DB row.
    let anon = getCookie(c, ANON_COOKIE);
    if (!anon || !/^[A-Za-z0-9_-]{22}$/.test(anon)) {
      anon = crypto.randomBytes(16).toString('base64url');
      setAppCookie(c, ANON_COOKIE, anon, { https });
    }
    const sessionId = c.get('sessionId');
    c.set('t', app.i18n.translator(readerLanguage(c)));
    c.set('csrfToken', app.secrets.mac('csrf', sessionId ? `session:${sessionId}` : `anon:${anon}`));
    await next();
    if (c.get('user') || c.get('sessionId')) c.res.headers.set('Cache-Control', 'no-store');
  };
}

/** The user's choice, else the language cookie (visitors, the sign-in page), else the browser's first supported language. */
export function readerLanguage(c: Context<AppEnv>): Language {
  const chosen = c.get('user')?.language;
  if (isLanguage(chosen)) return chosen;
  const cookie = getCookie(c, LANG_COOKIE);
  if (isLanguage(cookie)) return cookie;
  for (const part of (c.req.header('accept-language') ?? '').split(',')) {
    const code = part.trim().slice(0, 2).toLowerCase();
    if (isLanguage(code)) return code;
  }
  return DEFAULT_LANGUAGE;
}

/** Starts a session for `user` (a new id every time: rotation on login) and sets the cookie. */
export async function startSession(c: Context<AppEnv>, user: SessionUser): Promise<void> {
  const app = c.get('app');
  const old = getCookie(c, SESSION_COOKIE);
  if (old) {
    const prev = await app.sessions.resolve(old);
    if (prev) await app.sessions.destroy(prev.session.id);
  }
  const { token, id } = await app.sessions.create(user.id, { ip: clientIp(c), userAgent: c.req.header('user-agent') ?? null });
  setAppCookie(c, SESSION_COOKIE, token, { https: isHttps(c, app.config.publicUrl) });
  c.set('user', toCurrentUser(user));
  c.set('sessionId', id);
  c.set('csrfToken', app.secrets.mac('csrf', `session:${id}`));
}

export async function endSession(c: Context<AppEnv>): Promise<void> {
  const app = c.get('app');
  const sessionId = c.get('sessionId');
  if (sessionId) await app.sessions.destroy(sessionId);
  clearAppCookie(c, SESSION_COOKIE, isHttps(c, app.config.publicUrl));
  c.set('user', null);
  c.set('sessionId', null);
}

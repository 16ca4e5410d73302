// Cookie names and attributes in one place: HttpOnly, SameSite=Lax, Secure behind https.
import type { Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'trellis_session';
export const ANON_COOKIE = 'trellis_anon';
export const LANG_COOKIE = 'trellis_lang';
export const FLASH_COOKIE = 'trellis_flash';

export function isHttps(c: Context, publicUrl: string): boolean {
  return publicUrl.startsWith('https:') || new URL(c.req.url).protocol === 'https:';
}

export function setAppCookie(c: Context, name: string, value: string, opts: { https: boolean; maxAgeSeconds?: number }): void {
  setCookie(c, name, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: opts.https,
    ...(opts.maxAgeSeconds !== undefined ? { maxAge: opts.maxAgeSeconds } : {}),
  });
}

export function clearAppCookie(c: Context, name: string, https: boolean): void {
  deleteCookie(c, name, { path: '/', secure: https });
}

export { getCookie };

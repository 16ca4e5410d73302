// Flash messages across a redirect: a short-lived signed cookie, read once by the next page.
import type { Context, MiddlewareHandler } from 'hono';
import type { SecretBox } from '../secrets/crypto.ts';
import { timingSafeEqualStr } from '../secrets/crypto.ts';
import { FLASH_COOKIE, clearAppCookie, getCookie, isHttps, setAppCookie } from './cookies.ts';
import type { AppEnv, FlashMessage } from './env.ts';

function seal(secrets: SecretBox, messages: FlashMessage[]): string {
  const body = Buffer.from(JSON.stringify(messages)).toString('base64url');
  return `${body}.${secrets.mac('flash', body)}`;
}

function unseal(secrets: SecretBox, raw: string | undefined): FlashMessage[] {
  if (!raw) return [];
  const [body, sig] = raw.split('.');
  if (!body || !sig || !timingSafeEqualStr(sig, secrets.mac('flash', body))) return [];
  try {
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as FlashMessage[];
    return Array.isArray(parsed) ? parsed.slice(0, 5) : [];
  } catch {
    return [];
  }
}

export function flashMiddleware(publicUrl: string): MiddlewareHandler<AppEnv> {
  return async function flash(c, next) {
    const raw = getCookie(c, FLASH_COOKIE);
    c.set('flash', unseal(c.get('app').secrets, raw));
    // Only a page that shows the messages consumes them; redirects and htmx fragments keep them.
    await next();
    const shown = c.res.headers.get('content-type')?.startsWith('text/html') && c.res.status < 300 && !c.req.header('hx-request');
    if (raw && shown && !c.res.headers.get('set-cookie')?.includes(`${FLASH_COOKIE}=`)) clearAppCookie(c, FLASH_COOKIE, isHttps(c, publicUrl));
  };
}

/** Shows `text` on the next page the user sees (call before redirecting). */
export function flash(c: Context<AppEnv>, kind: FlashMessage['kind'], text: string): void {
  const app = c.get('app');
  const messages = [...(c.get('flash') ?? []), { kind, text }].slice(-5);
  c.set('flash', messages);
  setAppCookie(c, FLASH_COOKIE, seal(app.secrets, messages), { https: isHttps(c, app.config.publicUrl), maxAgeSeconds: 300 });
}

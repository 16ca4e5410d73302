// Security headers on every response, with a CSP that htmx 2 works under (no inline script or style).
import type { MiddlewareHandler } from 'hono';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

/**
 * `formActionOrigins` lists origins a form may be sent (or redirected) to besides our own: payment
 * gateways' hosted pages. Chromium applies form-action to the redirect after a POST as well.
 */
export function securityHeaders(opts: { https: boolean; formActionOrigins?: () => Iterable<string> }): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    const h = c.res.headers;
    const extra = [...(opts.formActionOrigins?.() ?? [])];
    h.set('Content-Security-Policy', extra.length ? CONTENT_SECURITY_POLICY.replace("form-action 'self'", `form-action 'self' ${extra.join(' ')}`) : CONTENT_SECURITY_POLICY);
    h.set('X-Frame-Options', 'DENY');
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('Referrer-Policy', 'strict-origin-when-cross-origin');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    if (opts.https) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}

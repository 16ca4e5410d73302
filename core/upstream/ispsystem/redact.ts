// Keeping ISPsystem credentials out of logs, error messages and request logs.

/**
 * Parameters whose values are credentials: `authinfo` (user:password), `auth` (a session id),
 * `password`/`passwd`/`confirm` (a login or a new user's password), `key` (`session.newkey`),
 * `lickey` (a license key is as good as money).
 */
// auth_code / authcode / epp: a domain's transfer code lets anyone move the domain away.
const SECRET_PARAM = /^(authinfo|auth|key|lickey)$|pass|secret|token|confirm|auth_?code|epp/i;

export const REDACTED = '[redacted]';

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(name);
}

/** A copy of the parameters safe to log: secret values replaced. */
export function redactParams(params: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = isSecretParam(k) ? REDACTED : v;
  return out;
}

/**
 * Removes known secret values from text that came from elsewhere (an upstream message, a system
 * error), in plain and URL-encoded form, plus anything that looks like a credential parameter.
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out.replace(/\b(authinfo|auth|password|passwd|key)=([^&\s"']*)/gi, (_all, name: string) => `${name}=${REDACTED}`);
}

/** Where a request went, for messages: origin and path only, never user info or a query. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

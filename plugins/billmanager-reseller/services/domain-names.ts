// Domain and host names as people type them: the name without its zone (seed 001), name servers, zones.

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host or domain name of ASCII labels (IDN must be given in punycode, xn--…). */
export function isDomainName(raw: string): boolean {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (name.length < 1 || name.length > 253) return false;
  return name.split('.').every((l) => LABEL.test(l));
}

export type NameProblem = 'empty' | 'has_zone' | 'invalid' | 'too_long';

/**
 * Checks the name a client typed without its zone (seed 001: "Domain name is specified without
 * zone"). Returns the lower-case label, or what is wrong with it.
 */
export function checkDomainLabel(raw: string, zone: string): { ok: true; label: string; fqdn: string } | { ok: false; problem: NameProblem } {
  const label = raw.trim().toLowerCase();
  if (label === '') return { ok: false, problem: 'empty' };
  if (label.includes('.')) return { ok: false, problem: 'has_zone' };
  // Hyphens in the third and fourth places are reserved for punycode (xn--) by RFC 5891.
  const reserved = label.slice(2, 4) === '--' && !label.startsWith('xn--');
  if (!LABEL.test(label) || reserved) return { ok: false, problem: 'invalid' };
  const fqdn = `${label}.${zone}`;
  if (fqdn.length > 253) return { ok: false, problem: 'too_long' };
  return { ok: true, label, fqdn };
}

/** The messages for each problem (English keys; the routes translate them). */
export const NAME_PROBLEM_MESSAGES: Record<NameProblem, string> = {
  empty: 'Enter the domain name',
  has_zone: 'Enter the name without the zone: choose the zone from the list',
  invalid: 'Use Latin letters, digits and hyphens (not at the start or end), at most 63 characters',
  too_long: 'The name is too long',
};

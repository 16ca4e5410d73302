// Secrets that travel through operations (a domain's transfer code, a panel password) are stored
// sealed — in the operation's payload and, once done, in the service's params — as { $sealed: '…' }.
// Only a module about to use the value, or staff opening the operation, see it in clear.
import type { SecretBox } from '../secrets/crypto.ts';

export interface SealedValue {
  $sealed: string;
}

export function sealValue(secrets: SecretBox, plain: string): SealedValue {
  return { $sealed: secrets.encrypt(plain) };
}

export function isSealedValue(v: unknown): v is SealedValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $sealed?: unknown }).$sealed === 'string' && Object.keys(v).length === 1;
}

/** The clear text of a sealed value, the value itself when it is a plain string, '' otherwise. */
export function openValue(secrets: SecretBox, v: unknown): string {
  if (isSealedValue(v)) return secrets.decrypt(v.$sealed);
  return typeof v === 'string' ? v : '';
}

/** A copy with every sealed value opened, however deep (for the module call, never for storage). */
export function openDeep<T>(secrets: SecretBox, value: T): T {
  if (isSealedValue(value)) return secrets.decrypt(value.$sealed) as T;
  if (Array.isArray(value)) return value.map((v) => openDeep(secrets, v)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openDeep(secrets, v)])) as T;
  return value;
}

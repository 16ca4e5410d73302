// TOTP (RFC 6238) as authenticator apps expect it: SHA-1, 6 digits, 30-second steps, the secret
// in base32 and an otpauth:// URI shown as a QR code drawn on the server (SVG, no script).
import crypto from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now a code is accepted for: phones whose clock is 30 s off still work. */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

function totp(secret: string, account = '', issuer = ''): TOTP {
  return new TOTP({ issuer, label: account || 'account', algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}

/** A new random secret (160 bits, as RFC 4226 recommends), in base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The secret in groups of four, easier to type into an app by hand. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/** The otpauth:// link authenticator apps read from the QR code. */
export function totpUri(secret: string, opts: { account: string; issuer: string }): string {
  return totp(secret, opts.account, opts.issuer).toString();
}

/** The QR code of `text` as an SVG element (presentation attributes only: the CSP allows no inline style). */
export async function qrSvg(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return svg.replace('<svg ', '<svg role="img" class="qr-code" ');
}

/** The time step (counter) of a moment. */
export function stepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code an app shows at `at` (tests and the enrolment check). */
export function totpCode(secret: string, at: Date): string {
  return totp(secret).generate({ timestamp: at.getTime() });
}

/** Whether `input` looks like an app code rather than a recovery code. */
export function isTotpShaped(input: string): boolean {
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(input.replace(/\s+/g, ''));
}

/**
 * The step a code was made for, if it is valid within the window around `at`; null otherwise.
 * Callers keep the last accepted step and refuse a step at or before it (no replays).
 */
export function matchTotp(secret: string, input: string, at: Date): number | null {
  const code = input.replace(/\s+/g, '');
  if (!isTotpShaped(code)) return null;
  const delta = totp(secret).validate({ token: code, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : stepAt(at) + delta;
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Ten codes like `k7m2p-x9qr4` (about 49 bits each), unambiguous letters and digits only. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let s = '';
    for (let i = 0; i < 10; i++) s += RECOVERY_ALPHABET[crypto.randomInt(RECOVERY_ALPHABET.length)];
    codes.add(`${s.slice(0, 5)}-${s.slice(5)}`);
  }
  return [...codes];
}

/** What a person may type for a recovery code: any case, with or without the dash and spaces. */
export function normalizeRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[^a-z0-9]/g, '');
}

// The test gateway's wire protocol, shared by the panel and the simulator (our own design: no real gateway speaks it).
//
//   panel → browser → GET  {gateway}/pay?attempt&amount&currency&return&callback&sig
//            sig = hex HMAC-SHA256(secret, canonical query: the five keys sorted, key=encodeURIComponent(value) joined by '&')
//   gateway → panel  POST {callback}  application/json CallbackBody,  X-Test-Gateway-Signature: hex HMAC-SHA256(secret, raw body)
//   panel → gateway  POST {gateway}/charge  application/json ChargeRequest, same header; the reply is signed the same way
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Test-Gateway-Signature';
export const PAY_PARAMS = ['amount', 'attempt', 'callback', 'currency', 'return'] as const;
export type PayParams = Record<(typeof PAY_PARAMS)[number], string>;

/** Stored cards that the simulator declines or fails on; every other valid number is approved. */
export const DECLINED_CARD = '4000000000000002';
export const ERROR_CARD = '4000000000000119';

export interface CallbackBody {
  attempt: string;
  outcome: 'approved' | 'declined' | 'error';
  /** The gateway's id of the charge. */
  transaction: string;
  /** Charged, in minor units (0 when nothing was charged). */
  amount: number;
  currency: string;
  code: string;
  message: string;
}

export interface ChargeRequest {
  attempt: string;
  amount: number;
  currency: string;
  card: { number: string; expMonth: string; expYear: string; name: string; cvv?: string };
}

export type ChargeResponse = CallbackBody;

function hmac(secret: string, data: string): string {
  return crypto.createHmac('sha256', secret).update(data, 'utf8').digest('hex');
}

function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

export function canonicalParams(params: PayParams): string {
  return PAY_PARAMS.map((k) => `${k}=${encodeURIComponent(params[k] ?? '')}`).join('&');
}

/** An empty secret signs nothing: callers must refuse to work without one. */
export function signParams(secret: string, params: PayParams): string {
  if (!secret) throw new Error('The test gateway has no shared secret');
  return hmac(secret, canonicalParams(params));
}

export function verifyParams(secret: string, params: PayParams, sig: string | undefined): boolean {
  if (!secret || !sig) return false;
  return safeEqualHex(hmac(secret, canonicalParams(params)), sig.toLowerCase());
}

export function signBody(secret: string, body: string): string {
  if (!secret) throw new Error('The test gateway has no shared secret');
  return hmac(secret, body);
}

export function verifyBody(secret: string, body: string, sig: string | undefined): boolean {
  if (!secret || !sig) return false;
  return safeEqualHex(hmac(secret, body), sig.trim().toLowerCase());
}

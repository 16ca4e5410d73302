// TOTP against RFC 6238's own test vectors, the acceptance window, recovery codes and the QR code.
import { describe, expect, it } from 'vitest';
import { groupedSecret, matchTotp, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode, qrSvg, stepAt, totpCode, totpUri } from './totp.ts';

// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890" in base32; the RFC prints 8 digits, apps show the last 6.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

describe('TOTP codes', () => {
  it('match RFC 6238 test vectors', () => {
    expect(totpCode(RFC_SECRET, at(59))).toBe('287082');
    expect(totpCode(RFC_SECRET, at(1111111109))).toBe('081804');
    expect(totpCode(RFC_SECRET, at(1111111111))).toBe('050471');
    expect(totpCode(RFC_SECRET, at(1234567890))).toBe('005924');
    expect(totpCode(RFC_SECRET, at(2000000000))).toBe('279037');
  });

  it('are accepted one step either side of now and report the step they were made for', () => {
    const now = at(1_800_000_015);
    const step = stepAt(now);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, now), now)).toBe(step);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, at(1_800_000_015 - 30)), now)).toBe(step - 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, at(1_800_000_015 + 30)), now)).toBe(step + 1);
    expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, at(1_800_000_015 - 90)), now)).toBeNull();
    // Spaces as apps group them are fine; anything not six digits is not a code.
    const code = totpCode(RFC_SECRET, now);
    expect(matchTotp(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(step);
    expect(matchTotp(RFC_SECRET, `${code}0`, now)).toBeNull();
    expect(matchTotp(RFC_SECRET, 'abcdef', now)).toBeNull();
  });

  it('come from fresh 160-bit secrets that apps read from an otpauth URI', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(a);
    expect(groupedSecret('ABCDEFGHIJKL')).toBe('ABCD EFGH IJKL');
    const uri = totpUri(a, { account: 'ada@example.test', issuer: 'Trellis' });
    expect(uri).toMatch(/^otpauth:\/\/totp\/Trellis:ada%40example\.test\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe(a);
    expect(new URL(uri).searchParams.get('digits')).toBe('6');
  });
});

describe('recovery codes', () => {
  it('are ten different codes, unambiguous to read, typed in any form', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    expect(normalizeRecoveryCode(' K7M2P-x9qr4 ')).toBe('k7m2px9qr4');
  });
});

describe('the QR code', () => {
  it('is an SVG image with no script or style, so the CSP needs nothing', async () => {
    const svg = await qrSvg('otpauth://totp/Trellis:a?secret=ABC');
    expect(svg.startsWith('<svg role="img" class="qr-code" ')).toBe(true);
    expect(svg).not.toMatch(/<script|<style|style=|on\w+=/i);
    expect(svg).toMatch(/<path /);
  });
});

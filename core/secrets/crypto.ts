// Secrets at rest: AES-256-GCM with a key from TRELLIS_SECRET_KEY or a 0600 key file in the data dir.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const PREFIX = 'v1:';

export interface SecretBox {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** HMAC-SHA256 under a key derived for `purpose`; for CSRF tokens, signed cookies, lookups. */
  mac(purpose: string, data: string): string;
  /** Raw key material derived for `purpose`. */
  derive(purpose: string): Buffer;
}

function keyFromString(s: string): Buffer {
  const trimmed = s.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const b64 = Buffer.from(trimmed, 'base64');
  if (b64.length === 32) return b64;
  if (trimmed.length < 32) throw new Error('TRELLIS_SECRET_KEY must be 64 hex characters, 32 bytes of base64, or a passphrase of at least 32 characters');
  return crypto.createHash('sha256').update(trimmed).digest();
}

/** Loads the master key: environment first, else the key file, created (mode 0600) on first start. */
export function loadMasterKey(opts: { envKey: string | undefined; dataDir: string }): Buffer {
  if (opts.envKey) return keyFromString(opts.envKey);
  const file = path.join(opts.dataDir, 'secret.key');
  if (fs.existsSync(file)) return keyFromString(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  // 'wx' fails if another process created it meanwhile; then we read theirs.
  try {
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch {
    return keyFromString(fs.readFileSync(file, 'utf8'));
  }
}

export function createSecretBox(masterKey: Buffer): SecretBox {
  const derived = new Map<string, Buffer>();
  const derive = (purpose: string) => {
    let k = derived.get(purpose);
    if (!k) {
      k = Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), `trellis:${purpose}`, 32));
      derived.set(purpose, k);
    }
    return k;
  };
  const encKey = derive('encrypt');
  return {
    encrypt(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    decrypt(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new Error('Not an encrypted value');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      const decipher = crypto.createDecipheriv('aes-256-gcm', encKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
    mac(purpose, data) {
      return crypto.createHmac('sha256', derive(`mac:${purpose}`)).update(data).digest('base64url');
    },
    derive,
  };
}

export function timingSafeEqualStr(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

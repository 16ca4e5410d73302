// Sealing billing-account data: SecretBox (the panel's key) around it, and optionally a key derived
// from the client's pass-phrase inside, so staff cannot read it without the client.
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { SecretBox } from '../../secrets/crypto.ts';

const scrypt = promisify(crypto.scrypt) as (password: crypto.BinaryLike, salt: crypto.BinaryLike, keylen: number, options: crypto.ScryptOptions) => Promise<Buffer>;

/** What a card account keeps encrypted; the clear columns hold only type, last four digits and expiry. */
export interface SealedCard {
  kind: 'card';
  clientId: number;
  nameOnCard: string;
  number: string;
  issueNumber: string;
  startDate: string;
}

/** What an eCheck / bank draft / wire account keeps encrypted; the bank's name stays in clear. */
export interface SealedBank {
  kind: 'bank';
  clientId: number;
  bankState: string;
  accountKind: string;
  routingNumber: string;
  accountNumber: string;
  licenseNumber: string;
  licenseState: string;
  dateOfBirth: string;
}

export type SealedData = SealedCard | SealedBank;

interface PassphraseBox {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  ct: string;
}

type Envelope = { v: 1; data: SealedData } | { v: 1; pp: PassphraseBox };

/** scrypt cost: about 32 MiB and a tenth of a second per derivation, once per reveal. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };

export class SealedDataError extends Error {
  constructor(
    message: string,
    readonly code: 'passphrase_required' | 'passphrase_wrong' | 'corrupt' | 'foreign',
  ) {
    super(message);
    this.name = 'SealedDataError';
  }
}

async function passphraseKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return scrypt(passphrase.normalize('NFKC'), salt, 32, { ...params, maxmem: 128 * params.N * params.r * 2 });
}

/**
 * Encrypts `data`. With a pass-phrase, the JSON is first encrypted (AES-256-GCM) under a key that
 * scrypt derives from it with a fresh salt; only then does SecretBox seal the result.
 */
export async function sealAccountData(secrets: SecretBox, data: SealedData, passphrase?: string): Promise<string> {
  let envelope: Envelope;
  if (passphrase) {
    const salt = crypto.randomBytes(16);
    const iv = crypto.randomBytes(12);
    const key = await passphraseKey(passphrase, salt, SCRYPT);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    envelope = { v: 1, pp: { kdf: 'scrypt', ...SCRYPT, salt: salt.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ct: ct.toString('base64') } };
  } else {
    envelope = { v: 1, data };
  }
  return secrets.encrypt(JSON.stringify(envelope));
}

function openEnvelope(secrets: SecretBox, sealed: string): Envelope {
  try {
    const env = JSON.parse(secrets.decrypt(sealed)) as Envelope;
    if (env?.v !== 1 || !('data' in env || 'pp' in env)) throw new Error('unknown envelope');
    return env;
  } catch {
    throw new SealedDataError('The stored account details cannot be decrypted (was the secret key changed?). Enter the details again.', 'corrupt');
  }
}

/** True when the sealed data needs the client's pass-phrase to be read. */
export function needsPassphrase(secrets: SecretBox, sealed: string): boolean {
  return 'pp' in openEnvelope(secrets, sealed);
}

/**
 * Decrypts sealed data of `clientId`'s account. Data sealed for another client (a row copied in
 * the database) is refused, as is a missing or wrong pass-phrase.
 */
export async function unsealAccountData(secrets: SecretBox, sealed: string, opts: { clientId: number; passphrase?: string }): Promise<SealedData> {
  const env = openEnvelope(secrets, sealed);
  let data: SealedData;
  if ('pp' in env) {
    if (!opts.passphrase) throw new SealedDataError("These details are protected by the client's encryption pass-phrase; enter it to continue.", 'passphrase_required');
    const box = env.pp;
    try {
      const key = await passphraseKey(opts.passphrase, Buffer.from(box.salt, 'base64'), box);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
      data = JSON.parse(Buffer.concat([decipher.update(Buffer.from(box.ct, 'base64')), decipher.final()]).toString('utf8')) as SealedData;
    } catch {
      throw new SealedDataError('The encryption pass-phrase is not correct.', 'passphrase_wrong');
    }
  } else {
    data = env.data;
  }
  if (data.clientId !== opts.clientId) throw new SealedDataError('These account details belong to another client.', 'foreign');
  return data;
}

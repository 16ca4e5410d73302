// First run: while no staff user exists, a one-time token lets the operator create the first admin.
import crypto from 'node:crypto';
import type { SettingsStore } from '../settings/store.ts';
import type { Clock } from '../clock.ts';
import { timingSafeEqualStr } from '../secrets/crypto.ts';

const KEY = 'setup.token';
const TTL_MS = 24 * 60 * 60 * 1000;

interface Stored {
  hash: string;
  expiresAt: string;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Creates a new token (replacing any older one) and returns it; only its hash is stored. */
export async function issueSetupToken(settings: SettingsStore, clock: Clock): Promise<string> {
  const token = crypto.randomBytes(24).toString('base64url');
  await settings.set(KEY, { hash: sha(token), expiresAt: new Date(clock.now().getTime() + TTL_MS).toISOString() } satisfies Stored);
  return token;
}

export async function checkSetupToken(settings: SettingsStore, clock: Clock, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  const stored = await settings.get<Stored>(KEY);
  if (!stored || new Date(stored.expiresAt).getTime() < clock.now().getTime()) return false;
  return timingSafeEqualStr(sha(token), stored.hash);
}

export async function consumeSetupToken(settings: SettingsStore): Promise<void> {
  await settings.delete(KEY);
}

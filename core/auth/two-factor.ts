// Two-step sign-in for a user: enrolment (scan, then confirm with a code), recovery codes, checking
// a second-step code, turning it off. All SQL for core_user_totp and core_user_recovery_codes.
import type { Knex } from 'knex';
import { OffsetClock, type Clock } from '../clock.ts';
import type { SecretBox } from '../secrets/crypto.ts';
import { iso } from '../db/time.ts';
import { matchTotp, newRecoveryCodes, newTotpSecret, normalizeRecoveryCode } from './totp.ts';

type Q = Knex | Knex.Transaction;

export interface TwoFactorDeps {
  db: Knex;
  clock: Clock;
  secrets: SecretBox;
}

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: string | null;
  /** A secret was made and shown but not confirmed with a code yet. */
  pending: boolean;
  recoveryCodesLeft: number;
}

interface TotpRow {
  user_id: number;
  secret_sealed: string;
  created_at: string;
  enabled_at: string | null;
  last_step: number | string | null;
}

/**
 * Codes come from the user's phone, which keeps real time: the sandbox clock (moved forward to
 * watch renewals) must not decide whether a code is current.
 */
export function realClock(clock: Clock): Clock {
  return clock instanceof OffsetClock ? clock.base : clock;
}

function recoveryHash(secrets: SecretBox, userId: number, code: string): string {
  return secrets.mac('recovery-code', `${userId}:${normalizeRecoveryCode(code)}`);
}

async function totpRow(db: Q, userId: number): Promise<TotpRow | undefined> {
  return (await db('core_user_totp').where({ user_id: userId }).first()) as TotpRow | undefined;
}

export async function twoFactorStatus(db: Q, userId: number): Promise<TwoFactorStatus> {
  const row = await totpRow(db, userId);
  const [{ n }] = (await db('core_user_recovery_codes').where({ user_id: userId }).whereNull('used_at').count({ n: '*' })) as [{ n: number | string }];
  return { enabled: Boolean(row?.enabled_at), enabledAt: row?.enabled_at ?? null, pending: Boolean(row && !row.enabled_at), recoveryCodesLeft: Number(n) };
}

/** Whether the user must give a second-step code when signing in. */
export async function hasTwoFactor(db: Q, userId: number): Promise<boolean> {
  return Boolean((await db('core_user_totp').where({ user_id: userId }).whereNotNull('enabled_at').first('user_id')) as unknown);
}

/** Of these users, those with two-step sign-in on (the admin client page marks them). */
export async function usersWithTwoFactor(db: Q, userIds: number[]): Promise<Set<number>> {
  if (userIds.length === 0) return new Set();
  const rows = (await db('core_user_totp').whereIn('user_id', userIds).whereNotNull('enabled_at').select('user_id')) as { user_id: number }[];
  return new Set(rows.map((r) => Number(r.user_id)));
}

/**
 * Starts setting up: keeps the unconfirmed secret if the user already started (so the QR code they
 * may have scanned stays valid), else makes one. Null when two-step sign-in is already on.
 */
export async function enrolmentSecret(deps: TwoFactorDeps, userId: number): Promise<string | null> {
  return deps.db.transaction(async (trx) => {
    const row = await totpRow(trx, userId);
    if (row?.enabled_at) return null;
    if (row) return deps.secrets.decrypt(row.secret_sealed);
    const secret = newTotpSecret();
    await trx('core_user_totp').insert({ user_id: userId, secret_sealed: deps.secrets.encrypt(secret), created_at: iso(deps.clock.now()), enabled_at: null, last_step: null });
    return secret;
  });
}

/** The unconfirmed secret being set up, if any (reading it changes nothing). */
export async function pendingSecret(deps: Pick<TwoFactorDeps, 'db' | 'secrets'>, userId: number): Promise<string | null> {
  const row = await totpRow(deps.db, userId);
  return row && !row.enabled_at ? deps.secrets.decrypt(row.secret_sealed) : null;
}

/** Replaces the user's unused recovery codes with new ones and returns them (the only time they are readable). */
async function replaceRecoveryCodes(trx: Knex.Transaction, deps: TwoFactorDeps, userId: number): Promise<string[]> {
  const codes = newRecoveryCodes();
  const now = iso(deps.clock.now());
  await trx('core_user_recovery_codes').where({ user_id: userId }).delete();
  await trx('core_user_recovery_codes').insert(codes.map((code) => ({ user_id: userId, code_hash: recoveryHash(deps.secrets, userId, code), created_at: now, used_at: null })));
  return codes;
}

/**
 * Turns two-step sign-in on once the user proves their app has the secret: the code must match
 * the unconfirmed secret. Returns the recovery codes, or null when the code is wrong or nothing
 * was being set up.
 */
export async function confirmEnrolment(deps: TwoFactorDeps, userId: number, code: string): Promise<string[] | null> {
  const now = realClock(deps.clock).now();
  return deps.db.transaction(async (trx) => {
    const row = await totpRow(trx, userId);
    if (!row || row.enabled_at) return null;
    const step = matchTotp(deps.secrets.decrypt(row.secret_sealed), code, now);
    if (step === null) return null;
    await trx('core_user_totp').where({ user_id: userId }).update({ enabled_at: iso(deps.clock.now()), last_step: step });
    return replaceRecoveryCodes(trx, deps, userId);
  });
}

/** New recovery codes for a user who has two-step sign-in on (the old ones stop working); null if it is off. */
export async function regenerateRecoveryCodes(deps: TwoFactorDeps, userId: number): Promise<string[] | null> {
  return deps.db.transaction(async (trx) => {
    const row = await totpRow(trx, userId);
    if (!row?.enabled_at) return null;
    return replaceRecoveryCodes(trx, deps, userId);
  });
}

/** Turns two-step sign-in off (or drops an unfinished set-up); true if there was anything to remove. */
export async function disableTwoFactor(db: Knex, userId: number): Promise<boolean> {
  return db.transaction(async (trx) => {
    const removed = await trx('core_user_totp').where({ user_id: userId }).delete();
    await trx('core_user_recovery_codes').where({ user_id: userId }).delete();
    return removed > 0;
  });
}

export type SecondFactorMethod = 'totp' | 'recovery';

/**
 * Checks a second-step code: an app code (each 30-second code is accepted once: a code seen over
 * someone's shoulder cannot be replayed) or an unused recovery code, which is then spent. The
 * conditional updates decide, so two requests racing with the same code cannot both pass.
 */
export async function verifySecondFactor(deps: TwoFactorDeps, userId: number, input: string): Promise<SecondFactorMethod | null> {
  const code = input.trim();
  if (!code || code.length > 40) return null;
  const row = await totpRow(deps.db, userId);
  if (!row?.enabled_at) return null;
  const step = matchTotp(deps.secrets.decrypt(row.secret_sealed), code, realClock(deps.clock).now());
  if (step !== null) {
    const updated = await deps.db('core_user_totp')
      .where({ user_id: userId })
      .andWhere((w) => w.whereNull('last_step').orWhere('last_step', '<', step))
      .update({ last_step: step });
    return updated === 1 ? 'totp' : null;
  }
  if (normalizeRecoveryCode(code).length !== 10) return null;
  const spent = await deps.db('core_user_recovery_codes')
    .where({ user_id: userId, code_hash: recoveryHash(deps.secrets, userId, code) })
    .whereNull('used_at')
    .update({ used_at: iso(deps.clock.now()) });
  return spent === 1 ? 'recovery' : null;
}

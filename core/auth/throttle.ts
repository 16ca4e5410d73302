// Login throttling per account and per IP, checked before any password hashing happens.
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import { iso } from '../db/time.ts';

export interface ThrottleRule {
  /** Failures allowed inside the window before the key is locked. */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const ACCOUNT_RULE: ThrottleRule = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const IP_RULE: ThrottleRule = { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

interface Row {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export class LoginThrottle {
  constructor(private readonly deps: { db: Knex; clock: Clock }) {}

  /** The time until which any of the keys is locked, or null when sign-in may be attempted. */
  async lockedUntil(keys: string[]): Promise<Date | null> {
    const rows = (await this.deps.db('core_login_throttle').whereIn('key', keys)) as Row[];
    const now = this.deps.clock.now().getTime();
    let until: number | null = null;
    for (const r of rows) {
      const t = r.locked_until ? new Date(r.locked_until).getTime() : 0;
      if (t > now && (until === null || t > until)) until = t;
    }
    return until === null ? null : new Date(until);
  }

  async recordFailure(entries: { key: string; rule: ThrottleRule }[]): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.db.transaction(async (trx) => {
      for (const { key, rule } of entries) {
        const row = (await trx('core_login_throttle').where({ key }).first()) as Row | undefined;
        const windowExpired = !row || now.getTime() - new Date(row.window_started_at).getTime() > rule.windowMs;
        const failures = windowExpired ? 1 : row.failures + 1;
        const lockedUntil = failures >= rule.maxFailures ? iso(new Date(now.getTime() + rule.lockMs)) : (row?.locked_until ?? null);
        const next = { key, failures, window_started_at: windowExpired ? iso(now) : row.window_started_at, locked_until: lockedUntil };
        if (row) await trx('core_login_throttle').where({ key }).update(next);
        else await trx('core_login_throttle').insert(next);
      }
    });
  }

  async reset(key: string): Promise<void> {
    await this.deps.db('core_login_throttle').where({ key }).delete();
  }
}

export const accountKey = (kind: string, email: string) => `account:${kind}:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;
/** Second-step codes are counted per user, apart from passwords: a right password does not reset them. */
export const secondStepKey = (userId: number) => `2fa:user:${userId}`;

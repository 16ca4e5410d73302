// Finishing a sign-in: straight to a session, or — for users with two-step sign-in — through
// /login/2fa, bound to a short-lived pending-login record whose token only the browser holds.
import crypto from 'node:crypto';
import type { Context } from 'hono';
import type { Knex } from 'knex';
import type { AppEnv } from '../http/env.ts';
import { clearAppCookie, getCookie, isHttps, setAppCookie } from '../http/cookies.ts';
import { clientIp, startSession } from '../http/session.ts';
import { safeNext } from '../views/helpers.ts';
import { iso } from '../db/time.ts';
import type { Clock } from '../clock.ts';
import type { SessionUser } from './sessions.ts';
import type { UserKind } from './users.ts';
import { hasTwoFactor, realClock } from './two-factor.ts';

export const PENDING_LOGIN_COOKIE = 'trellis_2fa';
/** Long enough to find the phone, short enough that a stolen cookie soon means nothing. */
export const PENDING_LOGIN_TTL_MS = 5 * 60_000;

/** How the first step was passed: the password form, or a control panel's signed return link. */
export type FirstStep = 'password' | 'sso';

export interface PendingLogin {
  id: string;
  user_id: number;
  kind: UserKind;
  next: string;
  method: FirstStep;
  ip: string | null;
  created_at: string;
  expires_at: string;
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

export function homeOf(kind: UserKind): string {
  return kind === 'staff' ? '/admin' : '/client';
}

export async function createPendingLogin(db: Knex, clock: Clock, input: { userId: number; kind: UserKind; next: string; method: FirstStep; ip: string | null }): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = realClock(clock).now();
  await db.transaction(async (trx) => {
    // Abandoned sign-ins are swept here, on the rare path that adds them, instead of by a job.
    await trx('core_pending_logins').where('expires_at', '<=', iso(now)).delete();
    // One pending sign-in per user: starting again replaces the earlier one.
    await trx('core_pending_logins').where({ user_id: input.userId }).delete();
    await trx('core_pending_logins').insert({
      id: sha(token),
      user_id: input.userId,
      kind: input.kind,
      next: input.next.slice(0, 500),
      method: input.method,
      ip: input.ip?.slice(0, 64) ?? null,
      created_at: iso(now),
      expires_at: iso(new Date(now.getTime() + PENDING_LOGIN_TTL_MS)),
    });
  });
  return token;
}

export async function findPendingLogin(db: Knex, clock: Clock, token: string | undefined): Promise<PendingLogin | null> {
  if (!token || token.length > 100) return null;
  const row = (await db('core_pending_logins').where({ id: sha(token) }).first()) as PendingLogin | undefined;
  if (!row) return null;
  if (new Date(row.expires_at).getTime() <= realClock(clock).now().getTime()) {
    await db('core_pending_logins').where({ id: row.id }).delete();
    return null;
  }
  return { ...row, user_id: Number(row.user_id) };
}

/** The pending sign-in of this browser (its cookie), if still valid. */
export function pendingLoginOf(c: Context<AppEnv>): Promise<PendingLogin | null> {
  const app = c.get('app');
  return findPendingLogin(app.db, app.clock, getCookie(c, PENDING_LOGIN_COOKIE));
}

export async function dropPendingLogin(c: Context<AppEnv>, id: string): Promise<void> {
  const app = c.get('app');
  await app.db('core_pending_logins').where({ id }).delete();
  clearAppCookie(c, PENDING_LOGIN_COOKIE, isHttps(c, app.config.publicUrl));
}

/** Starts the session and records the sign-in; the caller has checked every factor the user has. */
export async function finishSignIn(c: Context<AppEnv>, user: SessionUser, opts: { next: string; via: FirstStep; secondFactor?: 'totp' | 'recovery' }): Promise<Response> {
  const app = c.get('app');
  await startSession(c, user);
  await app.users.touchLogin(user.id);
  const details: Record<string, unknown> = {};
  if (opts.via !== 'password') details.via = opts.via;
  if (opts.secondFactor) details.secondFactor = opts.secondFactor;
  await app.audit.record({ actor: { type: user.kind, id: user.id, label: user.email }, action: 'auth.login', ip: clientIp(c), ...(Object.keys(details).length ? { details } : {}) });
  await app.events.emit('user.login', { userId: user.id, kind: user.kind });
  return c.redirect(safeNext(opts.next, homeOf(user.kind)), 303);
}

/**
 * After the first step: a user without two-step sign-in gets a session now; one with it is sent
 * to /login/2fa with a pending record (no session, nothing of the account shown until the code).
 */
export async function completeSignIn(c: Context<AppEnv>, user: SessionUser, opts: { next: string; via: FirstStep }): Promise<Response> {
  const app = c.get('app');
  if (!(await hasTwoFactor(app.db, user.id))) return finishSignIn(c, user, opts);
  const token = await createPendingLogin(app.db, app.clock, { userId: user.id, kind: user.kind, next: opts.next, method: opts.via, ip: clientIp(c) });
  setAppCookie(c, PENDING_LOGIN_COOKIE, token, { https: isHttps(c, app.config.publicUrl), maxAgeSeconds: PENDING_LOGIN_TTL_MS / 1000 });
  return c.redirect('/login/2fa', 303);
}

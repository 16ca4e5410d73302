// What a signed-in user may do to their own account's security, shared by the staff account page,
// core's fallback client account page and the client portal: password, sessions, two-step sign-in.
import type { AppServices } from '../services.ts';
import type { SessionRow } from './sessions.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { confirmEnrolment, disableTwoFactor, enrolmentSecret, pendingSecret, regenerateRecoveryCodes, twoFactorStatus, verifySecondFactor, type TwoFactorStatus } from './two-factor.ts';
import { groupedSecret, qrSvg, totpUri } from './totp.ts';
import { ACCOUNT_RULE, secondStepKey } from './throttle.ts';

export interface AccountActor {
  id: number;
  kind: 'staff' | 'client';
  email: string;
  /** The session making the change (kept when others are ended). */
  sessionId: string | null;
  ip: string;
}

type Deps = Pick<AppServices, 'db' | 'users' | 'sessions' | 'audit' | 'clock' | 'secrets' | 'throttle'>;

const auditActor = (a: AccountActor) => ({ type: a.kind, id: a.id, label: a.email });

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/** Changes the password after checking the current one, and signs out every other session. */
export async function changePassword(app: Deps, actor: AccountActor, input: { current: string; password: string }): Promise<Outcome<{ endedSessions: number }>> {
  const row = await app.users.findById(actor.id);
  if (!row || !(await verifyPassword(row.password_hash, input.current))) return { ok: false, errors: { current: 'This is not your current password' } };
  const hash = await hashPassword(input.password);
  const ended = await app.db.transaction(async (trx) => {
    await app.users.setPassword(actor.id, hash, trx);
    return app.sessions.destroyOthers(actor.id, actor.sessionId, trx);
  });
  await app.audit.record({ actor: auditActor(actor), action: 'auth.password_changed', ip: actor.ip, details: { otherSessionsEnded: ended } });
  return { ok: true, value: { endedSessions: ended } };
}

export interface SessionListItem extends SessionRow {
  current: boolean;
}

/** The user's sessions, newest activity first, the one making the request marked. */
export async function sessionsOf(app: Pick<AppServices, 'sessions'>, actor: Pick<AccountActor, 'id' | 'sessionId'>): Promise<SessionListItem[]> {
  return (await app.sessions.listForUser(actor.id)).map((s) => ({ ...s, current: s.id === actor.sessionId }));
}

/** Signs out every session but the current one. */
export async function endOtherSessions(app: Deps, actor: AccountActor): Promise<number> {
  const ended = await app.sessions.destroyOthers(actor.id, actor.sessionId);
  await app.audit.record({ actor: auditActor(actor), action: 'auth.sessions_ended', ip: actor.ip, details: { ended } });
  return ended;
}

/** Signs out every session including the current one ("Sign out everywhere"). */
export async function endAllSessions(app: Deps, actor: AccountActor): Promise<number> {
  const ended = await app.sessions.destroyOthers(actor.id, null);
  await app.audit.record({ actor: auditActor(actor), action: 'auth.sessions_ended', ip: actor.ip, details: { ended, includingCurrent: true } });
  return ended;
}

/** Signs out one of the user's own sessions; false when there is no such session of theirs. */
export async function endOneSession(app: Deps, actor: AccountActor, sessionId: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(sessionId)) return false;
  const ended = await app.sessions.destroyForUser(actor.id, sessionId);
  if (ended) await app.audit.record({ actor: auditActor(actor), action: 'auth.session_ended', ip: actor.ip, details: { current: sessionId === actor.sessionId } });
  return ended;
}

/** What the set-up page shows: the QR code (SVG) and the secret as text, for apps that cannot scan. */
export interface TwoFactorEnrolment {
  secret: string;
  groupedSecret: string;
  uri: string;
  qrSvg: string;
}

async function enrolmentOf(secret: string, actor: AccountActor, issuer: string): Promise<TwoFactorEnrolment> {
  const uri = totpUri(secret, { account: actor.email, issuer });
  return { secret, groupedSecret: groupedSecret(secret), uri, qrSvg: await qrSvg(uri) };
}

/** Starts setting up two-step sign-in (a POST: it stores the new secret); false when it is already on. */
export async function startTwoFactor(app: Deps, actor: AccountActor): Promise<boolean> {
  return (await enrolmentSecret(app, actor.id)) !== null;
}

/** What the set-up page shows for the secret being set up; null when nothing is being set up. */
export async function twoFactorEnrolment(app: Deps, actor: AccountActor, issuer: string): Promise<TwoFactorEnrolment | null> {
  const secret = await pendingSecret(app, actor.id);
  return secret ? enrolmentOf(secret, actor, issuer) : null;
}

/** Turns two-step sign-in on when the code matches; returns the recovery codes to show once. */
export async function confirmTwoFactor(app: Deps, actor: AccountActor, code: string): Promise<Outcome<string[]>> {
  const codes = await confirmEnrolment(app, actor.id, code);
  if (!codes) return { ok: false, errors: { code: 'This code is not right. Check that the time on your phone is correct and enter the code the app shows now' } };
  await app.audit.record({ actor: auditActor(actor), action: 'auth.two_factor_enabled', ip: actor.ip });
  return { ok: true, value: codes };
}

/** New recovery codes (the old ones stop working); null when two-step sign-in is off. */
export async function renewRecoveryCodes(app: Deps, actor: AccountActor): Promise<string[] | null> {
  const codes = await regenerateRecoveryCodes(app, actor.id);
  if (codes) await app.audit.record({ actor: auditActor(actor), action: 'auth.recovery_codes_renewed', ip: actor.ip });
  return codes;
}

/**
 * Turns the user's own two-step sign-in off: it needs the password and a code (from the app or a
 * recovery code), so a session left open on a shared computer cannot remove it. Wrong codes count
 * towards the same lock as the sign-in page's.
 */
export async function disableOwnTwoFactor(app: Deps, actor: AccountActor, input: { password: string; code: string }): Promise<Outcome<null>> {
  const key = secondStepKey(actor.id);
  if (await app.throttle.lockedUntil([key])) return { ok: false, errors: { code: 'Too many wrong codes. Try again in a few minutes' } };
  const row = await app.users.findById(actor.id);
  const errors: Record<string, string> = {};
  if (!row || !(await verifyPassword(row.password_hash, input.password))) errors.password = 'This is not your current password';
  else if (!(await verifySecondFactor(app, actor.id, input.code))) errors.code = 'This code is not right, or it was already used';
  if (Object.keys(errors).length) {
    await app.throttle.recordFailure([{ key, rule: ACCOUNT_RULE }]);
    return { ok: false, errors };
  }
  await disableTwoFactor(app.db, actor.id);
  await app.throttle.reset(key);
  await app.audit.record({ actor: auditActor(actor), action: 'auth.two_factor_disabled', ip: actor.ip });
  return { ok: true, value: null };
}

/** Staff turn off a client login's two-step sign-in (the client lost their phone and codes). */
export async function resetTwoFactorByStaff(app: Deps, staff: { id: number; email: string; ip: string }, target: { userId: number; email: string; clientId: number }): Promise<boolean> {
  const removed = await disableTwoFactor(app.db, target.userId);
  if (removed) {
    await app.audit.record({ actor: { type: 'staff', id: staff.id, label: staff.email }, action: 'auth.two_factor_reset', target: `client:${target.clientId}:user:${target.userId}`, ip: staff.ip, details: { email: target.email } });
  }
  return removed;
}

export { twoFactorStatus, type TwoFactorStatus };

// My account (staff, and core's fallback client account page): change password, two-step sign-in,
// active sessions. The rules live in core/auth/account-security.ts, shared with the client portal.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { validateForm, type FormValues } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { clientIp, endSession } from '../http/session.ts';
import { newPasswordSchema } from '../auth/routes.ts';
import {
  changePassword,
  confirmTwoFactor,
  disableOwnTwoFactor,
  endOneSession,
  endOtherSessions,
  renewRecoveryCodes,
  sessionsOf,
  startTwoFactor,
  twoFactorEnrolment,
  twoFactorStatus,
  type AccountActor,
} from '../auth/account-security.ts';

export const changePasswordSchema = z
  .object({
    current: z.string().min(1, 'Enter your current password'),
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords do not match' });

export const confirmCodeSchema = z.object({ code: z.string().trim().min(1, 'Enter the code your app shows').max(40, 'Enter the code your app shows') });

export const disableTwoFactorSchema = z.object({
  password: z.string().min(1, 'Enter your password'),
  code: z.string().trim().min(1, 'Enter a code from your app or a recovery code').max(40, 'Enter a code from your app or a recovery code'),
});

/** The name authenticator apps list the account under. */
export const TOTP_ISSUER = 'Trellis';

/** The signed-in user making a change to their own account. */
export function accountActor(c: Context<AppEnv>): AccountActor {
  const user = c.get('user')!;
  return { id: user.id, kind: user.kind, email: user.email, sessionId: c.get('sessionId'), ip: clientIp(c) };
}

/** Shared by the admin and client areas: the page lives at `${base}` and posts to `${base}/password`. */
export function accountPageRoutes(base: '/admin/account' | '/client/account', view: string) {
  const r = new Hono<AppEnv>();
  const page = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200, form = 'password') => {
    const actor = accountActor(c);
    const [sessions, twoFactor] = await Promise.all([sessionsOf(c.get('app'), actor), twoFactorStatus(c.get('app').db, actor.id)]);
    return renderView(c, view, { values, errors, form, sessions, currentSession: c.get('sessionId'), twoFactor, base }, { title: 'My account', status });
  };
  const codesPage = (c: Context<AppEnv>, codes: string[], fresh: boolean) =>
    renderView(c, 'pages/account-recovery-codes', { codes, fresh, base }, { title: 'Recovery codes' });

  r.get('/', (c) => page(c, {}, {}));

  r.post('/password', async (c) => {
    const form = await validateForm(c, changePasswordSchema);
    if (!form.ok) return page(c, form.values, form.errors, 400);
    const result = await changePassword(c.get('app'), accountActor(c), form.data);
    if (!result.ok) return page(c, form.values, result.errors, 400);
    const ended = result.value.endedSessions;
    flash(c, 'success', ended > 0 ? `Your password was changed and ${ended} other session(s) were signed out.` : 'Your password was changed.');
    return c.redirect(base, 303);
  });

  const setupPage = async (c: Context<AppEnv>, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const enrolment = await twoFactorEnrolment(c.get('app'), accountActor(c), TOTP_ISSUER);
    if (!enrolment) return c.redirect(base, 303);
    return renderView(c, 'pages/account-two-factor', { enrolment, errors, base }, { title: 'Set up two-step sign-in', status });
  };

  r.post('/two-factor/start', async (c) => {
    await startTwoFactor(c.get('app'), accountActor(c));
    return c.redirect(`${base}/two-factor`, 303);
  });

  r.get('/two-factor', (c) => setupPage(c, {}));

  r.post('/two-factor', async (c) => {
    const form = await validateForm(c, confirmCodeSchema);
    if (!form.ok) return setupPage(c, form.errors, 400);
    const result = await confirmTwoFactor(c.get('app'), accountActor(c), form.data.code);
    if (!result.ok) return setupPage(c, result.errors, 400);
    // Shown in this response only: the codes are stored hashed and cannot be shown again.
    return codesPage(c, result.value, true);
  });

  r.post('/two-factor/recovery-codes', async (c) => {
    const codes = await renewRecoveryCodes(c.get('app'), accountActor(c));
    if (!codes) return c.redirect(base, 303);
    return codesPage(c, codes, false);
  });

  r.post('/two-factor/disable', async (c) => {
    const form = await validateForm(c, disableTwoFactorSchema);
    if (!form.ok) return page(c, form.values, form.errors, 400, 'two-factor');
    const result = await disableOwnTwoFactor(c.get('app'), accountActor(c), form.data);
    if (!result.ok) return page(c, form.values, result.errors, 400, 'two-factor');
    flash(c, 'success', 'Two-step sign-in is off. Signing in now needs only your password.');
    return c.redirect(base, 303);
  });

  r.post('/sessions/end-others', async (c) => {
    const ended = await endOtherSessions(c.get('app'), accountActor(c));
    flash(c, 'success', `Signed out ${ended} other session(s).`);
    return c.redirect(base, 303);
  });

  r.post('/sessions/:sessionId{[0-9a-f]+}/end', async (c) => {
    const actor = accountActor(c);
    const id = c.req.param('sessionId');
    if (!(await endOneSession(c.get('app'), actor, id))) return c.get('app').pages.error(c, 404, 'There is no such session.');
    if (id === actor.sessionId) {
      await endSession(c);
      return c.redirect(base.startsWith('/admin') ? '/admin/login' : '/login', 303);
    }
    flash(c, 'success', 'That session was signed out.');
    return c.redirect(base, 303);
  });
  return r;
}

export function accountRoutes() {
  return accountPageRoutes('/admin/account', 'pages/account');
}

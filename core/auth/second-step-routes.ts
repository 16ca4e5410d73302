// /login/2fa: the second step of signing in, for staff and clients who turned two-step sign-in on.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { validateForm } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { clientIp } from '../http/session.ts';
import { ACCOUNT_RULE, IP_RULE, ipKey, secondStepKey } from './throttle.ts';
import { dropPendingLogin, finishSignIn, pendingLoginOf, type PendingLogin } from './second-step.ts';
import { realClock, twoFactorStatus, verifySecondFactor } from './two-factor.ts';
import type { SessionUser } from './sessions.ts';

const codeSchema = z.object({ code: z.string().trim().min(1, 'Enter the code from your authenticator app').max(40, 'Enter the code from your authenticator app') });

function page(c: Context<AppEnv>, pending: PendingLogin, errors: Record<string, string>, status: 200 | 400 | 401 | 429 = 200) {
  return renderView(c, 'pages/login-2fa', { errors, kind: pending.kind }, { title: c.get('t')('Two-step sign-in'), status, layout: 'bare' });
}

function startAgain(c: Context<AppEnv>) {
  flash(c, 'warning', c.get('t')('Your sign-in took too long. Sign in again.'));
  return c.redirect('/login', 303);
}

function minutesUntil(c: Context<AppEnv>, until: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - realClock(c.get('app').clock).now().getTime()) / 60_000));
}

export function secondStepRoutes() {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const pending = await pendingLoginOf(c);
    if (!pending) return startAgain(c);
    return page(c, pending, {});
  });

  r.post('/', async (c) => {
    const app = c.get('app');
    const t = c.get('t');
    const pending = await pendingLoginOf(c);
    if (!pending) return startAgain(c);
    const user = await app.users.findById(pending.user_id);
    if (!user || user.status !== 'active') {
      await dropPendingLogin(c, pending.id);
      return startAgain(c);
    }
    const form = await validateForm(c, codeSchema);
    if (!form.ok) return page(c, pending, { code: t(form.errors.code ?? 'Enter the code from your authenticator app') }, 400);

    const ip = clientIp(c);
    const keys = [secondStepKey(user.id), ipKey(ip)];
    const actor = { type: 'anonymous' as const, label: user.email };
    const locked = await app.throttle.lockedUntil(keys);
    if (locked) {
      await app.audit.record({ actor, action: 'auth.second_step_throttled', target: `${user.kind}:${user.email}`, ip });
      return page(c, pending, { _form: t('Too many wrong codes. Try again in {minutes} minute(s).', { minutes: minutesUntil(c, locked) }) }, 429);
    }

    const method = await verifySecondFactor(app, user.id, form.data.code);
    if (!method) {
      await app.throttle.recordFailure([
        { key: keys[0]!, rule: ACCOUNT_RULE },
        { key: keys[1]!, rule: IP_RULE },
      ]);
      await app.audit.record({ actor, action: 'auth.second_step_failed', target: `${user.kind}:${user.email}`, ip });
      return page(c, pending, { code: t('This code is not right, or it was already used. Wait for the next code and try again.') }, 401);
    }

    await app.throttle.reset(keys[0]!);
    await dropPendingLogin(c, pending.id);
    const sessionUser: SessionUser = { id: user.id, kind: user.kind, email: user.email, name: user.name, role: user.role, client_id: user.client_id, status: user.status, language: user.language };
    if (method === 'recovery') {
      const left = (await twoFactorStatus(app.db, user.id)).recoveryCodesLeft;
      flash(c, 'warning', t('You signed in with a recovery code; {n} unused code(s) left. Make new ones under your account security if you are running low.', { n: left }));
    }
    return finishSignIn(c, sessionUser, { next: pending.next, via: pending.method, secondFactor: method });
  });

  return r;
}

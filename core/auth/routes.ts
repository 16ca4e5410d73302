// Sign-in for staff (/admin/login) and clients (/login), sign-out, and first-run setup (/setup).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { validateForm, type FormValues } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { clientIp, endSession, startSession } from '../http/session.ts';
import { completeSignIn } from './second-step.ts';
import { secondStepRoutes } from './second-step-routes.ts';
import { safeNext } from '../views/helpers.ts';
import { isLanguage } from '../i18n/i18n.ts';
import { LANG_COOKIE, isHttps, setAppCookie } from '../http/cookies.ts';
import { dummyHash, hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';
import { ACCOUNT_RULE, IP_RULE, accountKey, ipKey } from './throttle.ts';
import { checkSetupToken, consumeSetupToken } from './setup-token.ts';
import type { UserKind } from './users.ts';

const loginSchema = z.object({
  email: z.string().trim().min(1, 'Enter your e-mail address').email('Enter a valid e-mail address'),
  password: z.string().min(1, 'Enter your password'),
  next: z.string().optional(),
});

export const newPasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, 'Use at most 200 characters');

const setupSchema = z
  .object({
    token: z.string().min(1),
    name: z.string().trim().min(1, 'Enter your name').max(200),
    email: z.string().trim().email('Enter a valid e-mail address').max(254),
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords do not match' });

function minutesUntil(c: Context<AppEnv>, until: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - c.get('app').clock.now().getTime()) / 60_000));
}

function loginPage(c: Context<AppEnv>, kind: UserKind, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 401 | 429 = 200) {
  return renderView(
    c,
    'pages/login',
    { kind, values, errors, action: kind === 'staff' ? '/admin/login' : '/login', next: typeof values.next === 'string' ? values.next : (c.req.query('next') ?? '') },
    { title: kind === 'staff' ? 'Staff sign-in' : 'Sign in', status, layout: 'bare' },
  );
}

async function handleLogin(c: Context<AppEnv>, kind: UserKind) {
  const app = c.get('app');
  const form = await validateForm(c, loginSchema);
  if (!form.ok) return loginPage(c, kind, form.values, form.errors, 400);
  const { email, password } = form.data;
  const ip = clientIp(c);
  const keys = [accountKey(kind, email), ipKey(ip)];

  // Checked before hashing, so a flood of guesses costs us a row read, not an argon2 run.
  const locked = await app.throttle.lockedUntil(keys);
  if (locked) {
    await app.audit.record({ actor: { type: 'anonymous', label: email }, action: 'auth.login_throttled', target: `${kind}:${email}`, ip });
    return loginPage(c, kind, form.values, { _form: `Too many failed sign-in attempts. Try again in ${minutesUntil(c, locked)} minute(s), or reset your password.` }, 429);
  }

  const user = await app.users.findByEmail(kind, email);
  const ok = user ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await dummyHash(), password), false);
  if (!user || !ok || user.status !== 'active') {
    await app.throttle.recordFailure([
      { key: keys[0]!, rule: ACCOUNT_RULE },
      { key: keys[1]!, rule: IP_RULE },
    ]);
    await app.audit.record({ actor: { type: 'anonymous', label: email }, action: 'auth.login_failed', target: `${kind}:${email}`, ip, details: { reason: !user ? 'unknown' : !ok ? 'password' : 'suspended' } });
    const message = user && ok && user.status !== 'active' ? 'This account is suspended. Contact the administrator.' : 'The e-mail address or password is not correct.';
    return loginPage(c, kind, { email: form.values.email ?? '', next: form.values.next ?? '' }, { _form: message }, 401);
  }

  await app.throttle.reset(keys[0]!);
  return completeSignIn(c, user, { next: form.data.next ?? '', via: 'password' });
}

export function authRoutes() {
  const r = new Hono<AppEnv>();

  r.get('/', (c) => {
    const u = c.get('user');
    return c.redirect(u?.kind === 'staff' ? '/admin' : u?.kind === 'client' ? '/client' : '/login', 303);
  });

  r.get('/login', (c) => (c.get('user')?.kind === 'client' ? c.redirect('/client', 303) : loginPage(c, 'client', {}, {})));
  r.post('/login', (c) => handleLogin(c, 'client'));
  r.get('/admin/login', (c) => (c.get('user')?.kind === 'staff' ? c.redirect('/admin', 303) : loginPage(c, 'staff', {}, {})));
  r.post('/admin/login', (c) => handleLogin(c, 'staff'));
  r.route('/login/2fa', secondStepRoutes());

  // The language switch in the client layout and on the sign-in page: a plain form, no JavaScript.
  r.post('/language', async (c) => {
    const body = await c.req.parseBody();
    const lang = String(body.lang ?? '');
    const next = safeNext(String(body.next ?? ''), c.get('user')?.kind === 'staff' ? '/admin' : '/client');
    if (!isLanguage(lang)) return c.redirect(next, 303);
    const app = c.get('app');
    setAppCookie(c, LANG_COOKIE, lang, { https: isHttps(c, app.config.publicUrl), maxAgeSeconds: 365 * 86_400 });
    const user = c.get('user');
    if (user) await app.db('core_users').where({ id: user.id }).update({ language: lang });
    return c.redirect(next, 303);
  });

  r.post('/logout', async (c) => {
    const user = c.get('user');
    const to = user?.kind === 'staff' ? '/admin/login' : '/login';
    if (user) {
      await c.get('app').audit.record({ actor: { type: user.kind, id: user.id, label: user.email }, action: 'auth.logout', ip: clientIp(c) });
      await c.get('app').events.emit('user.logout', { userId: user.id });
    }
    await endSession(c);
    flash(c, 'info', 'You have signed out.');
    return c.redirect(to, 303);
  });

  const setupPage = (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) =>
    renderView(c, 'pages/setup', { values, errors }, { title: 'Set up Trellis', layout: 'bare', status });

  r.get('/setup', async (c) => {
    const app = c.get('app');
    if ((await app.users.countStaff()) > 0) return c.redirect('/admin/login', 303);
    const token = c.req.query('token');
    if (!(await checkSetupToken(app.settings, app.clock, token))) {
      return app.pages.error(c, 403, 'This setup link is not valid or has expired. Restart Trellis (npm start) to print a new one.');
    }
    return setupPage(c, { token: token! }, {});
  });

  r.post('/setup', async (c) => {
    const app = c.get('app');
    if ((await app.users.countStaff()) > 0) return c.redirect('/admin/login', 303);
    const form = await validateForm(c, setupSchema);
    const token = typeof form.values.token === 'string' ? form.values.token : undefined;
    if (!(await checkSetupToken(app.settings, app.clock, token))) {
      return app.pages.error(c, 403, 'This setup link is not valid or has expired. Restart Trellis (npm start) to print a new one.');
    }
    if (!form.ok) return setupPage(c, form.values, form.errors, 400);
    const id = await app.users.create({ kind: 'staff', email: form.data.email, name: form.data.name, passwordHash: await hashPassword(form.data.password), role: 'admin' });
    await consumeSetupToken(app.settings);
    const user = (await app.users.findById(id))!;
    await startSession(c, user);
    await app.audit.record({ actor: { type: 'staff', id, label: user.email }, action: 'setup.admin_created', ip: clientIp(c) });
    flash(c, 'success', 'Welcome to Trellis. Your administrator account is ready.');
    return c.redirect('/admin', 303);
  });

  return r;
}

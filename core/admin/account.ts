// My account (staff): change password, see active sessions, sign out everywhere else.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { validateForm, type FormValues } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { clientIp } from '../http/session.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { newPasswordSchema } from '../auth/routes.ts';

export const changePasswordSchema = z
  .object({
    current: z.string().min(1, 'Enter your current password'),
    password: newPasswordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'The two passwords do not match' });

/** Shared by the admin and client areas: the page lives at `${base}` and posts to `${base}/password`. */
export function accountPageRoutes(base: '/admin/account' | '/client/account', view: string) {
  const r = new Hono<AppEnv>();
  const page = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const sessions = await c.get('app').sessions.listForUser(c.get('user')!.id);
    return renderView(c, view, { values, errors, sessions, currentSession: c.get('sessionId'), base }, { title: 'My account', status });
  };

  r.get('/', (c) => page(c, {}, {}));

  r.post('/password', async (c) => {
    const app = c.get('app');
    const user = c.get('user')!;
    const form = await validateForm(c, changePasswordSchema);
    if (!form.ok) return page(c, form.values, form.errors, 400);
    const row = await app.users.findById(user.id);
    if (!row || !(await verifyPassword(row.password_hash, form.data.current))) {
      return page(c, form.values, { current: 'This is not your current password' }, 400);
    }
    await app.users.setPassword(user.id, await hashPassword(form.data.password));
    const ended = await app.sessions.destroyOthers(user.id, c.get('sessionId'));
    await app.audit.record({ actor: { type: user.kind, id: user.id, label: user.email }, action: 'auth.password_changed', ip: clientIp(c), details: { otherSessionsEnded: ended } });
    flash(c, 'success', ended > 0 ? `Your password was changed and ${ended} other session(s) were signed out.` : 'Your password was changed.');
    return c.redirect(base, 303);
  });

  r.post('/sessions/end-others', async (c) => {
    const app = c.get('app');
    const user = c.get('user')!;
    const ended = await app.sessions.destroyOthers(user.id, c.get('sessionId'));
    await app.audit.record({ actor: { type: user.kind, id: user.id, label: user.email }, action: 'auth.sessions_ended', ip: clientIp(c), details: { ended } });
    flash(c, 'success', `Signed out ${ended} other session(s).`);
    return c.redirect(base, 303);
  });
  return r;
}

export function accountRoutes() {
  return accountPageRoutes('/admin/account', 'pages/account');
}

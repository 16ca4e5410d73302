// Staff users: list, add with a role, change role, suspend (ends their sessions) and reactivate.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { validateForm, type FormValues } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { buildTable } from '../http/table.ts';
import { clientIp } from '../http/session.ts';
import { hashPassword } from '../auth/passwords.ts';
import { newPasswordSchema } from '../auth/routes.ts';
import { STAFF_ROLES, STAFF_ROLE_LABELS, type UserRow } from '../auth/users.ts';

const roleOptions = STAFF_ROLES.map((r) => ({ value: r, label: STAFF_ROLE_LABELS[r] }));

const newStaffSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(200),
  email: z.string().trim().email('Enter a valid e-mail address').max(254),
  role: z.enum(STAFF_ROLES, { message: 'Choose a role' }),
  password: newPasswordSchema,
});

const roleSchema = z.object({ role: z.enum(STAFF_ROLES, { message: 'Choose a role' }) });

export function staffUserRoutes() {
  const r = new Hono<AppEnv>();

  const listPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const table = await buildTable<UserRow>(
      c,
      {
        id: 'staff-table',
        defaultSort: 'email',
        columns: [
          { key: 'email', label: 'E-mail', sortBy: 'email' },
          { key: 'name', label: 'Name', sortBy: 'name' },
          { key: 'role', label: 'Role', sortBy: 'role' },
          { key: 'status', label: 'Status', sortBy: 'status', badge: (u) => (u.status === 'active' ? 'ok' : 'failed') },
          { key: 'last_login_at', label: 'Last sign-in', sortBy: 'last_login_at', value: (u) => (u.last_login_at ? u.last_login_at.replace('T', ' ').slice(0, 16) : 'never') },
          { key: 'actions', label: 'Actions', partial: '/pages/admin/staff-user-actions' },
        ],
      },
      c.get('app').users.listQuery('staff').select('id', 'email', 'name', 'role', 'status', 'last_login_at'),
    );
    return renderView(c, 'pages/admin/staff-users', { table, values, errors, roleOptions, roles: STAFF_ROLES }, { title: 'Staff users', status });
  };

  r.get('/', (c) => listPage(c, { role: 'support' }, {}));

  r.post('/', async (c) => {
    const app = c.get('app');
    const form = await validateForm(c, newStaffSchema);
    if (!form.ok) return listPage(c, form.values, form.errors, 400);
    if (await app.users.findByEmail('staff', form.data.email)) {
      return listPage(c, form.values, { email: 'A staff user with this e-mail address already exists' }, 409);
    }
    const id = await app.users.create({ kind: 'staff', email: form.data.email, name: form.data.name, role: form.data.role, passwordHash: await hashPassword(form.data.password) });
    const me = c.get('user')!;
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: 'staff.created', target: `user:${id}`, ip: clientIp(c), details: { email: form.data.email, role: form.data.role } });
    flash(c, 'success', `Staff user ${form.data.email} was added.`);
    return c.redirect('/admin/system/users', 303);
  });

  const target = async (c: Context<AppEnv>) => {
    const id = Number(c.req.param('id'));
    const user = Number.isInteger(id) ? await c.get('app').users.findById(id) : undefined;
    return user?.kind === 'staff' ? user : undefined;
  };

  r.post('/:id/role', async (c) => {
    const app = c.get('app');
    const user = await target(c);
    if (!user) return app.pages.error(c, 404);
    const form = await validateForm(c, roleSchema);
    if (!form.ok) {
      flash(c, 'error', form.errors.role ?? 'Choose a role');
      return c.redirect('/admin/system/users', 303);
    }
    if (user.role === 'admin' && form.data.role !== 'admin' && (await app.users.countActiveAdmins()) <= 1) {
      flash(c, 'error', 'This is the last active administrator; make someone else an administrator first.');
      return c.redirect('/admin/system/users', 303);
    }
    await app.users.update(user.id, { role: form.data.role });
    const me = c.get('user')!;
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: 'staff.role_changed', target: `user:${user.id}`, ip: clientIp(c), details: { from: user.role, to: form.data.role } });
    flash(c, 'success', `${user.email} is now ${form.data.role}.`);
    return c.redirect('/admin/system/users', 303);
  });

  r.post('/:id/suspend', async (c) => {
    const app = c.get('app');
    const user = await target(c);
    if (!user) return app.pages.error(c, 404);
    const me = c.get('user')!;
    if (user.id === me.id) {
      flash(c, 'error', 'You cannot suspend yourself.');
      return c.redirect('/admin/system/users', 303);
    }
    if (user.role === 'admin' && user.status === 'active' && (await app.users.countActiveAdmins()) <= 1) {
      flash(c, 'error', 'This is the last active administrator and cannot be suspended.');
      return c.redirect('/admin/system/users', 303);
    }
    await app.db.transaction(async (trx) => {
      await app.users.setStatus(user.id, 'suspended', trx);
      await app.sessions.destroyOthers(user.id, null, trx);
      await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: 'staff.suspended', target: `user:${user.id}`, ip: clientIp(c) }, trx);
    });
    flash(c, 'success', `${user.email} is suspended and was signed out everywhere.`);
    return c.redirect('/admin/system/users', 303);
  });

  r.post('/:id/activate', async (c) => {
    const app = c.get('app');
    const user = await target(c);
    if (!user) return app.pages.error(c, 404);
    await app.users.setStatus(user.id, 'active');
    const me = c.get('user')!;
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: 'staff.activated', target: `user:${user.id}`, ip: clientIp(c) });
    flash(c, 'success', `${user.email} can sign in again.`);
    return c.redirect('/admin/system/users', 303);
  });

  return r;
}

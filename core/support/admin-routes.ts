// Support admin pages: the ticket list, a ticket with replies and internal notes, and departments.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';
import { renderView } from '../http/render.ts';
import { validateForm, type FormValues } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { buildTable } from '../http/table.ts';
import { clientIp } from '../http/session.ts';
import { requireRole } from '../http/guards.ts';
import {
  DEPARTMENT_KINDS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_STATUS_LABELS,
  ticketListQuery,
  operationIdOf,
  type DepartmentRow,
  type TicketStatus,
} from './tickets.ts';

type TicketListRow = {
  id: number;
  subject: string;
  status: TicketStatus;
  priority: string;
  origin: string;
  client_id: number | null;
  department_name: string | null;
  client_name: string | null;
  created_at: string;
  updated_at: string;
};

export function ticketBadge(status: string): string {
  return status === 'closed' ? 'closed' : status === 'answered' ? 'ok' : status === 'customer_reply' ? 'warning' : 'pending';
}

const STATUS_FILTERS = [
  { value: 'active', label: 'Not closed' },
  ...TICKET_STATUSES.map((s) => ({ value: s, label: TICKET_STATUS_LABELS[s] })),
  { value: 'all', label: 'All' },
];

const statusOptions = TICKET_STATUSES.map((s) => ({ value: s, label: TICKET_STATUS_LABELS[s] }));
const priorityOptions = TICKET_PRIORITIES.map((p) => ({ value: p, label: p.charAt(0).toUpperCase() + p.slice(1) }));
const kindOptions = DEPARTMENT_KINDS.map((k) => ({ value: k, label: k.charAt(0).toUpperCase() + k.slice(1) }));

const idField = (message: string) =>
  z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^\d{1,9}$/.test(v), message);

const newTicketSchema = z.object({
  subject: z.string().trim().min(1, 'Enter a subject').max(300, 'Use at most 300 characters'),
  department_id: idField('Choose a department from the list'),
  client_id: idField('Enter the client’s number, or leave it blank'),
  priority: z.enum(TICKET_PRIORITIES, { message: 'Choose a priority' }),
  body: z.string().trim().min(1, 'Write the message').max(20_000, 'Use at most 20,000 characters'),
});

const replySchema = z.object({
  body: z.string().trim().min(1, 'Write the reply or note').max(20_000, 'Use at most 20,000 characters'),
  internal: z
    .string()
    .optional()
    .transform((v) => v === '1' || v === 'on'),
});

const propertiesSchema = z.object({
  status: z.enum(TICKET_STATUSES, { message: 'Choose a status' }),
  priority: z.enum(TICKET_PRIORITIES, { message: 'Choose a priority' }),
  department_id: idField('Choose a department from the list'),
});

const departmentSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name').max(100, 'Use at most 100 characters'),
  kind: z.enum(DEPARTMENT_KINDS, { message: 'Choose a kind' }),
  email: z
    .string()
    .trim()
    .max(254, 'Use at most 254 characters')
    .default('')
    .refine((v) => v === '' || z.string().email().safeParse(v).success, 'Enter a valid e-mail address, or leave it blank'),
});

function staff(c: Context<AppEnv>) {
  const me = c.var.user!;
  return { id: me.id, label: me.email, ip: clientIp(c) };
}

export function supportAdminRoutes(menu: MenuRegistry): Hono<AppEnv> {
  menu.add({ area: 'admin', section: 'support', id: 'support-tickets', label: 'Tickets', href: '/admin/support/tickets', order: 10 });
  menu.add({ area: 'admin', section: 'support', id: 'support-departments', label: 'Departments', href: '/admin/support/departments', order: 20, roles: ['admin'] });

  const r = new Hono<AppEnv>();
  r.use('/departments', requireRole('admin'));
  r.use('/departments/*', requireRole('admin'));

  r.get('/', (c) => c.redirect('/admin/support/tickets', 303));

  const departmentOptions = async (c: Context<AppEnv>, none: string) => [
    { value: '', label: none },
    ...(await c.var.app.tickets.departments()).map((d) => ({ value: String(d.id), label: d.name })),
  ];

  // -------------------------------------------------------------------------------------------
  // Tickets

  const listPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const app = c.var.app;
    const askedStatus = c.req.query('status') ?? 'active';
    const statusFilter = STATUS_FILTERS.some((f) => f.value === askedStatus) ? askedStatus : 'active';
    const askedDept = Number(c.req.query('department') ?? '');
    const departments = await app.tickets.departments();
    const departmentFilter = departments.some((d) => d.id === askedDept) ? askedDept : null;
    const askedClient = Number(c.req.query('client') ?? '');
    const clientFilter = Number.isInteger(askedClient) && askedClient > 0 ? askedClient : null;
    const table = await buildTable<TicketListRow>(
      c,
      {
        id: 'tickets-table',
        defaultSort: 'updated',
        defaultDir: 'desc',
        tieBreaker: 't.id',
        empty: 'No tickets here.',
        columns: [
          { key: 'id', label: '#', href: (x) => `/admin/support/tickets/${x.id}` },
          { key: 'subject', label: 'Subject', href: (x) => `/admin/support/tickets/${x.id}` },
          { key: 'client', label: 'Client', value: (x) => (x.client_id ? (x.client_name ?? `#${x.client_id}`) : x.origin === 'system' ? 'Trellis' : '—') },
          { key: 'department', label: 'Department', sortBy: 't.department_id', value: (x) => x.department_name ?? '—' },
          { key: 'priority', label: 'Priority', value: (x) => x.priority, badge: (x) => (x.priority === 'urgent' || x.priority === 'high' ? 'failed' : null) },
          { key: 'status', label: 'Status', sortBy: 't.status', value: (x) => TICKET_STATUS_LABELS[x.status] ?? x.status, badge: (x) => ticketBadge(x.status) },
          { key: 'created', label: 'Opened', sortBy: 't.created_at', value: (x) => x.created_at.replace('T', ' ').slice(0, 16) },
          { key: 'updated', label: 'Last update', sortBy: 't.updated_at', value: (x) => x.updated_at.replace('T', ' ').slice(0, 16) },
        ],
      },
      ticketListQuery(app.db, { status: statusFilter === 'all' ? '' : (statusFilter as TicketStatus | 'active'), departmentId: departmentFilter, clientId: clientFilter }),
    );
    return renderView(
      c,
      'pages/admin/support/tickets',
      {
        table,
        statusFilter,
        departmentFilter: departmentFilter === null ? '' : String(departmentFilter),
        clientFilter: clientFilter === null ? '' : String(clientFilter),
        statusFilters: STATUS_FILTERS,
        departments,
        values,
        errors,
        departmentOptions: await departmentOptions(c, '— none —'),
        priorityOptions,
      },
      { title: 'Tickets', status },
    );
  };

  r.get('/tickets', (c) => {
    const client = c.req.query('client') ?? '';
    return listPage(c, { priority: 'normal', client_id: /^\d{1,9}$/.test(client) ? client : '' }, {});
  });

  r.post('/tickets', async (c) => {
    const app = c.var.app;
    const form = await validateForm(c, newTicketSchema);
    if (!form.ok) return listPage(c, form.values, form.errors, 400);
    const errors: Record<string, string> = {};
    const departmentId = form.data.department_id ? Number(form.data.department_id) : null;
    if (departmentId !== null && !(await app.tickets.department(departmentId))) errors.department_id = 'Choose a department from the list';
    const clientId = form.data.client_id ? Number(form.data.client_id) : null;
    if (clientId !== null && !(await app.db('core_clients').where({ id: clientId }).first('id'))) errors.client_id = `There is no client #${clientId}`;
    if (Object.keys(errors).length) return listPage(c, form.values, errors, 400);
    const me = staff(c);
    const id = await app.tickets.open({ subject: form.data.subject, body: form.data.body, departmentId, clientId, priority: form.data.priority, author: { type: 'staff', id: me.id, label: me.label } });
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'support.ticket_opened', target: `ticket:${id}`, ip: me.ip });
    flash(c, 'success', `Ticket #${id} was opened.`);
    return c.redirect(`/admin/support/tickets/${id}`, 303);
  });

  const ticketPage = async (c: Context<AppEnv>, id: number, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const app = c.var.app;
    const ticket = await app.tickets.get(id);
    if (!ticket) return app.pages.error(c, 404, 'There is no such ticket.');
    const messages = await app.tickets.messages(id, { includeInternal: true });
    const operationId = operationIdOf(ticket);
    return renderView(
      c,
      'pages/admin/support/ticket',
      {
        ticket,
        messages,
        operationId,
        statusLabel: TICKET_STATUS_LABELS[ticket.status] ?? ticket.status,
        badge: ticketBadge(ticket.status),
        values,
        errors,
        properties: { status: ticket.status, priority: ticket.priority, department_id: ticket.department_id === null ? '' : String(ticket.department_id) },
        statusOptions,
        priorityOptions,
        departmentOptions: await departmentOptions(c, '— none —'),
      },
      { title: `Ticket #${ticket.id}: ${ticket.subject}`, status },
    );
  };

  const ticketId = (c: Context<AppEnv>) => Number(c.req.param('id'));

  r.get('/tickets/:id{[0-9]+}', (c) => ticketPage(c, ticketId(c), {}, {}));

  r.post('/tickets/:id{[0-9]+}/reply', async (c) => {
    const app = c.var.app;
    const id = ticketId(c);
    if (!(await app.tickets.get(id))) return app.pages.error(c, 404, 'There is no such ticket.');
    const form = await validateForm(c, replySchema);
    if (!form.ok) return ticketPage(c, id, form.values, form.errors, 400);
    const me = staff(c);
    await app.tickets.reply(id, { author: { type: 'staff', id: me.id, label: me.label }, body: form.data.body, internal: form.data.internal });
    flash(c, 'success', form.data.internal ? 'The internal note was added; the client cannot see it.' : 'The reply was sent.');
    return c.redirect(`/admin/support/tickets/${id}#messages`, 303);
  });

  r.post('/tickets/:id{[0-9]+}/properties', async (c) => {
    const app = c.var.app;
    const id = ticketId(c);
    const ticket = await app.tickets.get(id);
    if (!ticket) return app.pages.error(c, 404, 'There is no such ticket.');
    const form = await validateForm(c, propertiesSchema);
    const departmentId = form.ok && form.data.department_id ? Number(form.data.department_id) : null;
    if (!form.ok || (departmentId !== null && !(await app.tickets.department(departmentId)))) {
      flash(c, 'error', form.ok ? 'Choose a department from the list.' : Object.values(form.errors)[0]!);
      return c.redirect(`/admin/support/tickets/${id}`, 303);
    }
    await app.tickets.update(id, { status: form.data.status, priority: form.data.priority, departmentId });
    const me = staff(c);
    await app.audit.record({
      actor: { type: 'staff', id: me.id, label: me.label },
      action: 'support.ticket_updated',
      target: `ticket:${id}`,
      ip: me.ip,
      details: { status: form.data.status, priority: form.data.priority, departmentId },
    });
    flash(c, 'success', `Ticket #${id} was updated.`);
    return c.redirect(`/admin/support/tickets/${id}`, 303);
  });

  for (const action of ['close', 'reopen'] as const) {
    r.post(`/tickets/:id{[0-9]+}/${action}`, async (c) => {
      const app = c.var.app;
      const id = ticketId(c);
      if (!(await app.tickets.get(id))) return app.pages.error(c, 404, 'There is no such ticket.');
      if (action === 'close') await app.tickets.close(id);
      else await app.tickets.reopen(id);
      const me = staff(c);
      await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: `support.ticket_${action === 'close' ? 'closed' : 'reopened'}`, target: `ticket:${id}`, ip: me.ip });
      flash(c, 'success', `Ticket #${id} was ${action === 'close' ? 'closed' : 'reopened'}.`);
      return c.redirect(`/admin/support/tickets/${id}`, 303);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Departments

  const departmentsPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.var.app;
    const departments = await app.tickets.departments();
    const open = await app.tickets.openCountsByDepartment();
    return renderView(c, 'pages/admin/support/departments', { departments, open: Object.fromEntries(open), values, errors, kindOptions }, { title: 'Departments', status });
  };

  r.get('/departments', (c) => departmentsPage(c, { kind: 'support' }, {}));

  r.post('/departments', async (c) => {
    const app = c.var.app;
    const form = await validateForm(c, departmentSchema);
    if (!form.ok) return departmentsPage(c, form.values, form.errors, 400);
    if (await app.tickets.departmentByName(form.data.name)) return departmentsPage(c, form.values, { name: 'A department with this name exists already' }, 409);
    const id = await app.tickets.createDepartment({ name: form.data.name, kind: form.data.kind, email: form.data.email || null });
    const me = staff(c);
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'support.department_created', target: `department:${id}`, ip: me.ip, details: { name: form.data.name } });
    flash(c, 'success', `Department “${form.data.name}” was added.`);
    return c.redirect('/admin/support/departments', 303);
  });

  const departmentPage = async (c: Context<AppEnv>, dept: DepartmentRow, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) =>
    renderView(c, 'pages/admin/support/department', { dept, values, errors, kindOptions }, { title: dept.name, status });

  const loadDepartment = async (c: Context<AppEnv>) => c.var.app.tickets.department(Number(c.req.param('id')));

  r.get('/departments/:id{[0-9]+}', async (c) => {
    const dept = await loadDepartment(c);
    if (!dept) return c.var.app.pages.error(c, 404, 'There is no such department.');
    return departmentPage(c, dept, { name: dept.name, kind: dept.kind, email: dept.email ?? '' }, {});
  });

  r.post('/departments/:id{[0-9]+}', async (c) => {
    const app = c.var.app;
    const dept = await loadDepartment(c);
    if (!dept) return app.pages.error(c, 404, 'There is no such department.');
    const form = await validateForm(c, departmentSchema);
    if (!form.ok) return departmentPage(c, dept, form.values, form.errors, 400);
    const same = await app.tickets.departmentByName(form.data.name);
    if (same && same.id !== dept.id) return departmentPage(c, dept, form.values, { name: 'A department with this name exists already' }, 409);
    await app.tickets.updateDepartment(dept.id, { name: form.data.name, kind: form.data.kind, email: form.data.email || null });
    const me = staff(c);
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'support.department_updated', target: `department:${dept.id}`, ip: me.ip, details: { name: form.data.name } });
    flash(c, 'success', `Department “${form.data.name}” was saved.`);
    return c.redirect('/admin/support/departments', 303);
  });

  r.post('/departments/:id{[0-9]+}/delete', async (c) => {
    const app = c.var.app;
    const dept = await loadDepartment(c);
    if (!dept) return app.pages.error(c, 404, 'There is no such department.');
    await app.tickets.deleteDepartment(dept.id);
    const me = staff(c);
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'support.department_deleted', target: `department:${dept.id}`, ip: me.ip, details: { name: dept.name } });
    flash(c, 'success', `Department “${dept.name}” was deleted; its tickets and servers now have no department.`);
    return c.redirect('/admin/support/departments', 303);
  });

  return r;
}

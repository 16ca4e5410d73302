// Support tickets (/client/tickets): the client's tickets, opening one (department, subject, message,
// optionally the service it is about), reading the conversation (never staff-only notes), replying
// and closing. Core's TicketService does the work, so departments are told by e-mail as usual.
import type { Context } from 'hono';
import { z } from 'zod';
import { buildTable, clientArea, createRouter, flash, pluralKey, validateForm, type AppEnv, type FormValues, type TableSpec, type Translate } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { AREA_ROLES, areaGuard } from './permissions.ts';

const BASE = '/client/tickets';

type Row = clientArea.ClientTicketListRow;

const idField = (message: string) =>
  z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^\d{1,9}$/.test(v), message);

/** The department is asked for only when core has some (a fresh panel still takes tickets). */
const openSchema = (needsDepartment: boolean) =>
  z.object({
    departmentId: idField('Choose a department from the list').refine((v) => !needsDepartment || v !== '', 'Choose a department from the list'),
    serviceId: idField('Choose one of your services, or none'),
    priority: z.enum(clientArea.CLIENT_TICKET_PRIORITIES as ['low', 'normal', 'high', 'urgent'], { message: 'Choose a priority' }).default('normal'),
    subject: z.string().trim().min(1, 'Enter a subject').max(200, 'Use at most 200 characters'),
    body: z.string().trim().min(1, 'Describe what you need').max(20_000, 'Use at most 20,000 characters'),
  });

const replySchema = z.object({ body: z.string().trim().min(1, 'Write your reply').max(20_000, 'Use at most 20,000 characters') });

const tr = (t: Translate, errors: Record<string, string>) => Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));

function author(c: Context<AppEnv>): clientArea.ClientTicketAuthor {
  const u = c.get('user')!;
  return { userId: u.id, label: u.name || u.email };
}

function ticketTableSpec(t: Translate, filter: clientArea.ClientTicketFilter): TableSpec<Row> {
  return {
    id: 'tickets',
    empty: filter === 'open' ? t('You have no open tickets.') : filter === 'closed' ? t('You have no closed tickets.') : t('You have not opened any tickets yet.'),
    defaultSort: 'updated_at',
    defaultDir: 'desc',
    pageSize: 25,
    tieBreaker: 't.id',
    columns: [
      { key: 'id', label: t('Ticket'), sortBy: 't.id', value: (r) => `#${r.id}`, href: (r) => `${BASE}/${r.id}` },
      { key: 'subject', label: t('Subject'), href: (r) => `${BASE}/${r.id}` },
      { key: 'department_name', label: t('Department'), value: (r) => r.department_name ?? '—' },
      { key: 'service_label', label: t('Service'), value: (r) => r.service_label || '—' },
      { key: 'status', label: t('Status'), sortBy: 't.status', value: (r) => t(clientArea.CLIENT_TICKET_STATUS_LABELS[r.status] ?? r.status), badge: (r) => clientArea.clientTicketBadge(r.status) },
      { key: 'updated_at', label: t('Last update'), sortBy: 't.updated_at', value: (r) => r.updated_at.replace('T', ' ').slice(0, 16) },
    ],
  };
}

async function newTicketPage(c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) {
  const app = c.get('app');
  const t = c.get('t');
  const clientId = clientIdOf(c);
  const [departments, services] = await Promise.all([clientArea.ticketDepartmentOptions(app), clientArea.ticketServiceOptions(app.db, clientId)]);
  const serviceFromQuery = c.req.query('service');
  const initial: FormValues = Object.keys(values).length ? values : { priority: 'normal', departmentId: departments.length === 1 ? String(departments[0]!.id) : '', serviceId: serviceFromQuery && services.some((s) => String(s.id) === serviceFromQuery) ? serviceFromQuery : '' };
  return renderPortal(
    c,
    'client/ticket-new',
    {
      values: initial,
      errors: tr(t, errors),
      departmentOptions: [{ value: '', label: t('Choose a department') }, ...departments.map((d) => ({ value: String(d.id), label: d.name }))],
      hasDepartments: departments.length > 0,
      serviceOptions: [{ value: '', label: t('None') }, ...services.map((s) => ({ value: String(s.id), label: s.label ? `${s.package_name} (${s.label})` : s.package_name }))],
      priorityOptions: clientArea.CLIENT_TICKET_PRIORITIES.map((p) => ({ value: p, label: t(clientArea.CLIENT_TICKET_PRIORITY_LABELS[p]) })),
    },
    { title: t('Open a ticket'), status },
  );
}

async function ticketPage(c: Context<AppEnv>, values: FormValues = {}, errors: Record<string, string> = {}, status: 200 | 400 = 200) {
  const app = c.get('app');
  const detail = await clientArea.clientTicket(app.db, clientIdOf(c), Number(c.req.param('id')));
  if (!detail) return app.pages.error(c, 404);
  const t = c.get('t');
  return renderPortal(
    c,
    'client/ticket',
    { ...detail, values, errors: tr(t, errors), statusLabels: clientArea.CLIENT_TICKET_STATUS_LABELS, priorityLabels: clientArea.CLIENT_TICKET_PRIORITY_LABELS, ticketBadge: clientArea.clientTicketBadge },
    { title: t('Ticket #{id}: {subject}', { id: detail.ticket.id, subject: detail.ticket.subject }), status },
  );
}

export const ticketsSection: PortalSection = {
  mount: '/tickets',
  menu: [{ area: 'client', section: 'support', id: 'tickets', label: 'Tickets', href: '/tickets', order: 10, roles: AREA_ROLES.technical }],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('technical'));

    r.get('/', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const filter = clientArea.clientTicketFilter(c.req.query('show'));
      const table = await buildTable(c, ticketTableSpec(t, filter), clientArea.clientTicketsQuery(app.db, clientIdOf(c), filter));
      const filters = clientArea.CLIENT_TICKET_FILTERS.map((f) => ({ value: f, label: t(f === 'open' ? 'Open tickets' : f === 'closed' ? 'Closed tickets' : 'All tickets') }));
      return renderPortal(c, 'client/tickets', { table, filter, filters }, { title: t('Tickets') });
    });

    r.get('/new', (c) => newTicketPage(c, {}, {}));

    r.post('/new', async (c) => {
      const t = c.get('t');
      const departments = await clientArea.ticketDepartmentOptions(c.get('app'));
      const form = await validateForm(c, openSchema(departments.length > 0));
      if (!form.ok) return newTicketPage(c, form.values, form.errors, 400);
      const d = form.data;
      const result = await clientArea.openClientTicket(c.get('app'), {
        clientId: clientIdOf(c),
        author: author(c),
        departmentId: d.departmentId === '' ? null : Number(d.departmentId),
        serviceId: d.serviceId === '' ? null : Number(d.serviceId),
        priority: d.priority,
        subject: d.subject,
        body: d.body,
      });
      if (!result.ok) return newTicketPage(c, form.values, result.reason === 'invalid' ? result.errors : {}, 400);
      flash(c, 'success', t('Ticket #{id} was opened. We will answer here and by e-mail.', { id: result.value.ticketId }));
      return c.redirect(`${BASE}/${result.value.ticketId}`, 303);
    });

    r.get('/:id{[0-9]+}', (c) => ticketPage(c));

    r.post('/:id{[0-9]+}/reply', async (c) => {
      const app = c.get('app');
      const form = await validateForm(c, replySchema);
      const ticketId = Number(c.req.param('id'));
      if (!form.ok) return ticketPage(c, form.values, form.errors, 400);
      const result = await clientArea.replyToClientTicket(app, { clientId: clientIdOf(c), ticketId, author: author(c), body: form.data.body });
      if (!result.ok) return app.pages.error(c, 404);
      flash(c, 'success', c.get('t')('Your reply was sent.'));
      return c.redirect(`${BASE}/${ticketId}#message-${result.value.messageId}`, 303);
    });

    r.post('/:id{[0-9]+}/close', async (c) => {
      const app = c.get('app');
      const ticketId = Number(c.req.param('id'));
      const result = await clientArea.closeClientTicket(app, { clientId: clientIdOf(c), ticketId });
      if (!result.ok) return app.pages.error(c, 404);
      flash(c, 'success', c.get('t')('The ticket was closed. Reply to it if you need us again.'));
      return c.redirect(`${BASE}/${ticketId}`, 303);
    });

    return r;
  },
  ru: {
    Support: 'Поддержка',
    Tickets: 'Обращения',
    Ticket: 'Обращение',
    Subject: 'Тема',
    Department: 'Отдел',
    Service: 'Услуга',
    Status: 'Статус',
    'Last update': 'Последнее изменение',
    New: 'Новое',
    Answered: 'Есть ответ',
    'Awaiting reply': 'Ожидает ответа',
    Closed: 'Закрыто',
    Low: 'Низкий',
    Normal: 'Обычный',
    High: 'Высокий',
    Urgent: 'Срочный',
    'Open tickets': 'Открытые обращения',
    'Closed tickets': 'Закрытые обращения',
    'All tickets': 'Все обращения',
    Show: 'Показать',
    'Filter tickets': 'Фильтр обращений',
    'You have no open tickets.': 'Открытых обращений нет.',
    'You have no closed tickets.': 'Закрытых обращений нет.',
    'You have not opened any tickets yet.': 'Вы ещё не создавали обращений.',
    'Open a ticket': 'Создать обращение',
    'Tell us what you need and we will answer here and by e-mail.': 'Опишите, что нужно, — мы ответим здесь и по электронной почте.',
    'Choose a department': 'Выберите отдел',
    'Related service': 'Связанная услуга',
    None: 'Нет',
    'Choose the service the question is about, if any.': 'Выберите услугу, к которой относится вопрос, если такая есть.',
    Priority: 'Приоритет',
    Message: 'Сообщение',
    'Send ticket': 'Отправить обращение',
    Cancel: 'Отмена',
    'Choose a department from the list': 'Выберите отдел из списка',
    'Choose one of your services, or none': 'Выберите одну из своих услуг или «Нет»',
    'Choose a priority': 'Выберите приоритет',
    'Enter a subject': 'Укажите тему',
    'Use at most 200 characters': 'Не больше 200 символов',
    'Describe what you need': 'Опишите, что вам нужно',
    'Use at most 20,000 characters': 'Не длиннее 20 000 символов',
    'Write your reply': 'Напишите ответ',
    'Please correct the fields marked below.': 'Исправьте отмеченные ниже поля.',
    'Ticket #{id} was opened. We will answer here and by e-mail.': 'Обращение №{id} создано. Мы ответим здесь и по электронной почте.',
    'Ticket #{id}: {subject}': 'Обращение №{id}: {subject}',
    'Ticket #{id}': 'Обращение №{id}',
    'Opened {date}': 'Создано {date}',
    You: 'Вы',
    'Support team': 'Служба поддержки',
    'Automatic message': 'Автоматическое сообщение',
    Reply: 'Ответить',
    'Your reply': 'Ваш ответ',
    'Send reply': 'Отправить ответ',
    'This ticket is closed. Writing a reply opens it again.': 'Обращение закрыто. Если написать ответ, оно снова откроется.',
    'Close ticket': 'Закрыть обращение',
    'Problem solved? Close the ticket.': 'Вопрос решён? Закройте обращение.',
    'Your reply was sent.': 'Ответ отправлен.',
    'The ticket was closed. Reply to it if you need us again.': 'Обращение закрыто. Если понадобится помощь, просто ответьте в нём.',
    [pluralKey({ one: '{n} message', other: '{n} messages' })]: 'one={n} сообщение\nfew={n} сообщения\nmany={n} сообщений\nother={n} сообщения',
  },
};

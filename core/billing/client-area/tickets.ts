// The client's support tickets: list, open, read (never staff-only notes), reply and close. Every
// read and change is scoped by the client id; the writes go through core's TicketService so the
// department is told and listeners hear 'ticket.opened' as for any other ticket.
import type { Knex } from 'knex';
import type { AppServices } from '../../services.ts';
import { ticketForClient, type TicketMessageRow, type TicketPriority, type TicketRow, type TicketStatus } from '../../support/tickets.ts';
import { NON_TERMINAL_STATUSES } from '../../processing/servers.ts';

type Q = Knex | Knex.Transaction;

/** The list's filter: tickets still open (anything but closed), closed ones, or all. */
export const CLIENT_TICKET_FILTERS = ['open', 'closed', 'all'] as const;
export type ClientTicketFilter = (typeof CLIENT_TICKET_FILTERS)[number];

export function clientTicketFilter(raw: string | undefined): ClientTicketFilter {
  return (CLIENT_TICKET_FILTERS as readonly string[]).includes(raw ?? '') ? (raw as ClientTicketFilter) : 'open';
}

/** The statuses as the client reads them: 'customer_reply' means the ball is in support's court. */
export const CLIENT_TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'New',
  answered: 'Answered',
  customer_reply: 'Awaiting reply',
  closed: 'Closed',
};

export function clientTicketBadge(status: TicketStatus): string {
  return status === 'answered' ? 'ok' : status === 'closed' ? 'closed' : 'pending';
}

export const CLIENT_TICKET_PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];
export const CLIENT_TICKET_PRIORITY_LABELS: Record<TicketPriority, string> = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' };

export interface ClientTicketListRow {
  id: number;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  created_at: string;
  updated_at: string;
  department_name: string | null;
  service_label: string | null;
}

/**
 * The query behind the client's ticket table (unsorted, unpaged). Names come from correlated
 * subqueries so the count reads only the client's rows of the ticket index.
 */
export function clientTicketsQuery(db: Q, clientId: number, filter: ClientTicketFilter) {
  const q = db('core_tickets as t')
    .select(
      't.id',
      't.subject',
      't.status',
      't.priority',
      't.created_at',
      't.updated_at',
      db('core_departments as d').select('d.name').where('d.id', db.ref('t.department_id')).as('department_name'),
      db('core_services as s').select('s.label').where('s.id', db.ref('t.service_id')).as('service_label'),
    )
    .where('t.client_id', clientId);
  if (filter === 'open') q.whereNot('t.status', 'closed');
  else if (filter === 'closed') q.where('t.status', 'closed');
  return q;
}

export interface TicketServiceOption {
  id: number;
  label: string;
  package_name: string;
}

/** The client's services a ticket may be about (not the cancelled or transferred ones). */
export async function ticketServiceOptions(db: Q, clientId: number): Promise<TicketServiceOption[]> {
  return ((await db('core_services as s')
    .join('core_packages as p', 'p.id', 's.package_id')
    .where('s.client_id', clientId)
    .whereIn('s.status', NON_TERMINAL_STATUSES)
    .orderBy('s.id')
    .limit(500)
    .select('s.id', 's.label', 'p.name as package_name')) as TicketServiceOption[]).map((s) => ({ ...s, id: Number(s.id) }));
}

export async function ticketDepartmentOptions(app: Pick<AppServices, 'tickets'>): Promise<{ id: number; name: string }[]> {
  return (await app.tickets.departments()).map((d) => ({ id: Number(d.id), name: d.name }));
}

export interface ClientTicketDetail {
  ticket: TicketRow & { department_name: string | null; service_label: string | null; service_package: string | null };
  messages: TicketMessageRow[];
}

/** One of the client's tickets with the messages they may read; undefined when it is not theirs. */
export async function clientTicket(db: Q, clientId: number, ticketId: number): Promise<ClientTicketDetail | undefined> {
  if (!Number.isSafeInteger(ticketId)) return undefined;
  const found = await ticketForClient(db, clientId, ticketId);
  if (!found) return undefined;
  const dept = found.ticket.department_id ? ((await db('core_departments').where({ id: found.ticket.department_id }).first('name')) as { name: string } | undefined) : undefined;
  const svc = found.ticket.service_id
    ? ((await db('core_services as s').join('core_packages as p', 'p.id', 's.package_id').where({ 's.id': found.ticket.service_id, 's.client_id': clientId }).first('s.label', 'p.name')) as { label: string; name: string } | undefined)
    : undefined;
  return { ticket: { ...found.ticket, department_name: dept?.name ?? null, service_label: svc?.label ?? null, service_package: svc?.name ?? null }, messages: found.messages };
}

export interface ClientTicketAuthor {
  userId: number;
  /** What support sees beside the message: the login's name, else its e-mail. */
  label: string;
}

export type TicketOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'invalid'; errors: Record<string, string> };

/** Opens a ticket for the client; the department must be one of core's and the service, if given, theirs. */
export async function openClientTicket(
  app: Pick<AppServices, 'db' | 'tickets'>,
  input: { clientId: number; author: ClientTicketAuthor; departmentId: number | null; subject: string; body: string; serviceId: number | null; priority: TicketPriority },
): Promise<TicketOutcome<{ ticketId: number }>> {
  const errors: Record<string, string> = {};
  // A panel with no departments yet still takes tickets (staff see them unassigned); once there are some, one is chosen.
  const departments = await app.tickets.departments();
  const known = input.departmentId === null ? departments.length === 0 : departments.some((d) => Number(d.id) === input.departmentId);
  if (!known) errors.departmentId = 'Choose a department from the list';
  if (input.serviceId !== null && !(await app.db('core_services').where({ id: input.serviceId, client_id: input.clientId }).first('id'))) errors.serviceId = 'Choose one of your services, or none';
  if (Object.keys(errors).length) return { ok: false, reason: 'invalid', errors };
  const ticketId = await app.tickets.open({
    subject: input.subject,
    body: input.body,
    departmentId: input.departmentId,
    clientId: input.clientId,
    serviceId: input.serviceId,
    priority: input.priority,
    author: { type: 'client', id: input.author.userId, label: input.author.label },
  });
  return { ok: true, value: { ticketId } };
}

/** Adds the client's reply; replying to a closed ticket opens it again (the status says support owes an answer). */
export async function replyToClientTicket(app: Pick<AppServices, 'db' | 'tickets'>, input: { clientId: number; ticketId: number; author: ClientTicketAuthor; body: string }): Promise<TicketOutcome<{ messageId: number }>> {
  if (!Number.isSafeInteger(input.ticketId)) return { ok: false, reason: 'not_found' };
  return app.db.transaction(async (trx) => {
    const mine = await trx('core_tickets').where({ id: input.ticketId, client_id: input.clientId }).first('id');
    if (!mine) return { ok: false, reason: 'not_found' } as const;
    const messageId = await app.tickets.reply(input.ticketId, { author: { type: 'client', id: input.author.userId, label: input.author.label }, body: input.body }, trx);
    return { ok: true, value: { messageId } } as const;
  });
}

/** Closes one of the client's tickets (a reply opens it again). */
export async function closeClientTicket(app: Pick<AppServices, 'db' | 'tickets'>, input: { clientId: number; ticketId: number }): Promise<TicketOutcome<null>> {
  if (!Number.isSafeInteger(input.ticketId)) return { ok: false, reason: 'not_found' };
  return app.db.transaction(async (trx) => {
    const mine = (await trx('core_tickets').where({ id: input.ticketId, client_id: input.clientId }).first('status')) as { status: TicketStatus } | undefined;
    if (!mine) return { ok: false, reason: 'not_found' } as const;
    if (mine.status !== 'closed') await app.tickets.close(input.ticketId, trx);
    return { ok: true, value: null } as const;
  });
}

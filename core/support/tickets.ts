// TicketService: support tickets opened by clients, staff or the system, with replies and staff-only notes.
import type { Knex } from 'knex';
import { afterCommit } from '../db/after-commit.ts';
import type { EventBus, TrellisEvents } from '../events/bus.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import { iso } from '../db/time.ts';

export interface TicketDeps {
  db: Knex;
  clock: Clock;
  log: Logger;
  mail: Mailer;
  /** Absent in unit tests that build the service alone. */
  events?: EventBus;
}

export const TICKET_STATUSES = ['open', 'answered', 'customer_reply', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'Open',
  answered: 'Answered',
  customer_reply: 'Customer reply',
  closed: 'Closed',
};
/** The statuses that still need someone: every one but closed. */
export const ACTIVE_TICKET_STATUSES: readonly TicketStatus[] = ['open', 'answered', 'customer_reply'];

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const DEPARTMENT_KINDS = ['billing', 'support', 'technical', 'sales', 'other'] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

export type TicketOrigin = 'client' | 'staff' | 'system';

export interface TicketAuthor {
  type: TicketOrigin;
  id?: number | null;
  /** Shown beside the message: a staff e-mail, a client's name, 'Processing'. */
  label?: string;
}

export interface DepartmentRow {
  id: number;
  name: string;
  kind: string;
  email: string | null;
  created_at: string;
}

export interface TicketRow {
  id: number;
  client_id: number | null;
  department_id: number | null;
  service_id: number | null;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  origin: TicketOrigin;
  dedupe_key: string | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

/** A ticket with the names the pages show. */
export interface TicketView extends TicketRow {
  department_name: string | null;
  client_name: string | null;
}

export interface TicketMessageRow {
  id: number;
  ticket_id: number;
  author_type: TicketOrigin;
  author_id: number | null;
  author_label: string;
  body: string;
  internal: boolean;
  created_at: string;
}

export interface OpenTicketInput {
  subject: string;
  body: string;
  departmentId: number | null;
  clientId?: number | null;
  serviceId?: number | null;
  priority?: TicketPriority;
  author: TicketAuthor;
}

export interface SystemTicketInput {
  /** One ticket per key, ever: 'processing.op:42', 'balance-low:3:2026-03-02'. At most 200 characters. */
  dedupeKey: string;
  departmentId: number | null;
  subject: string;
  body: string;
  /** Only when the client may read it: a ticket with a client shows in their portal. */
  clientId?: number | null;
  serviceId?: number | null;
  priority?: TicketPriority;
}

type Q = Knex | Knex.Transaction;

function idOf(row: unknown): number {
  return Number(typeof row === 'object' && row !== null ? (row as { id: number }).id : row);
}

function toMessage(r: TicketMessageRow): TicketMessageRow {
  return { ...r, internal: r.internal === true || (r.internal as unknown) === 1 };
}

/**
 * The query behind the admin ticket list, filtered, unsorted. Names come from correlated
 * subqueries rather than joins, so the table's count(*) reads only the index of the filter.
 */
export function ticketListQuery(db: Q, opts: { status?: TicketStatus | 'active' | ''; departmentId?: number | null; clientId?: number | null } = {}) {
  const q = db('core_tickets as t').select(
    't.id',
    't.subject',
    't.status',
    't.priority',
    't.origin',
    't.client_id',
    't.department_id',
    't.service_id',
    't.dedupe_key',
    't.created_at',
    't.updated_at',
    db('core_departments as d').select('d.name').where('d.id', db.ref('t.department_id')).as('department_name'),
    db('core_clients as c').select('c.name').where('c.id', db.ref('t.client_id')).as('client_name'),
  );
  if (opts.status === 'active') q.whereIn('t.status', ACTIVE_TICKET_STATUSES as TicketStatus[]);
  else if (opts.status) q.where('t.status', opts.status);
  if (opts.departmentId) q.where('t.department_id', opts.departmentId);
  if (opts.clientId) q.where('t.client_id', opts.clientId);
  return q;
}

/** The operation a processing ticket is about ('processing.op:<id>'), if it is one. */
export function operationIdOf(ticket: Pick<TicketRow, 'dedupe_key'>): number | null {
  const m = /^processing\.op:(\d+)$/.exec(ticket.dedupe_key ?? '');
  return m ? Number(m[1]) : null;
}

/** A client's tickets, newest activity first (for the client portal). */
export async function ticketsForClient(db: Q, clientId: number, opts: { limit?: number } = {}): Promise<(TicketRow & { department_name: string | null })[]> {
  return (await db('core_tickets as t')
    .leftJoin('core_departments as d', 'd.id', 't.department_id')
    .select('t.id', 't.client_id', 't.department_id', 't.service_id', 't.subject', 't.status', 't.priority', 't.origin', 't.created_at', 't.updated_at', 't.closed_at', 'd.name as department_name')
    .where('t.client_id', clientId)
    .orderBy([{ column: 't.updated_at', order: 'desc' }, { column: 't.id', order: 'desc' }])
    .limit(opts.limit ?? 100)) as (TicketRow & { department_name: string | null })[];
}

/**
 * One ticket of a client with the messages the client may read (never internal notes), or
 * undefined when the ticket is not theirs. Scoped by the client id, never by the ticket id alone.
 */
export async function ticketForClient(db: Q, clientId: number, ticketId: number): Promise<{ ticket: TicketRow; messages: TicketMessageRow[] } | undefined> {
  const ticket = (await db('core_tickets').where({ id: ticketId, client_id: clientId }).first()) as TicketRow | undefined;
  if (!ticket) return undefined;
  const messages = ((await db('core_ticket_messages').where({ ticket_id: ticketId, internal: false }).orderBy('id')) as TicketMessageRow[]).map(toMessage);
  return { ticket, messages };
}

export class TicketService {
  constructor(readonly deps: TicketDeps) {}

  // -------------------------------------------------------------------------------------------
  // Departments

  async departments(): Promise<DepartmentRow[]> {
    return (await this.deps.db('core_departments').orderBy('name')) as DepartmentRow[];
  }

  async department(id: number, q: Q = this.deps.db): Promise<DepartmentRow | undefined> {
    return (await q('core_departments').where({ id }).first()) as DepartmentRow | undefined;
  }

  async departmentByName(name: string): Promise<DepartmentRow | undefined> {
    return (await this.deps.db('core_departments').where({ name }).first()) as DepartmentRow | undefined;
  }

  async createDepartment(input: { name: string; kind: DepartmentKind; email: string | null }): Promise<number> {
    const [row] = await this.deps.db('core_departments')
      .insert({ name: input.name, kind: input.kind, email: input.email || null, created_at: iso(this.deps.clock.now()) })
      .returning('id');
    return idOf(row);
  }

  async updateDepartment(id: number, input: { name: string; kind: DepartmentKind; email: string | null }): Promise<void> {
    await this.deps.db('core_departments').where({ id }).update({ name: input.name, kind: input.kind, email: input.email || null });
  }

  /** Deletes a department; its tickets and processing servers keep working without one. */
  async deleteDepartment(id: number): Promise<void> {
    await this.deps.db('core_departments').where({ id }).delete();
  }

  /** Tickets not closed, per department (null: no department), for the departments page. */
  async openCountsByDepartment(): Promise<Map<number | null, number>> {
    const rows = (await this.deps.db('core_tickets')
      .select('department_id')
      .count({ n: '*' })
      .whereIn('status', ACTIVE_TICKET_STATUSES as TicketStatus[])
      .groupBy('department_id')) as { department_id: number | null; n: number | string }[];
    return new Map(rows.map((r) => [r.department_id, Number(r.n)]));
  }

  // -------------------------------------------------------------------------------------------
  // Tickets

  async get(id: number, q: Q = this.deps.db): Promise<TicketView | undefined> {
    return (await q('core_tickets as t')
      .leftJoin('core_departments as d', 'd.id', 't.department_id')
      .leftJoin('core_clients as c', 'c.id', 't.client_id')
      .select('t.*', 'd.name as department_name', 'c.name as client_name')
      .where('t.id', id)
      .first()) as TicketView | undefined;
  }

  /** Messages oldest first; internal notes only when asked for (staff pages). */
  async messages(ticketId: number, opts: { includeInternal: boolean }): Promise<TicketMessageRow[]> {
    const q = this.deps.db('core_ticket_messages').where({ ticket_id: ticketId });
    if (!opts.includeInternal) q.andWhere({ internal: false });
    return ((await q.orderBy('id')) as TicketMessageRow[]).map(toMessage);
  }

  /** Opens a ticket (by a client or staff) with its first message; tells the department. */
  async open(input: OpenTicketInput, trx?: Knex.Transaction): Promise<number> {
    const run = async (q: Knex.Transaction) => {
      const now = iso(this.deps.clock.now());
      const [row] = await q('core_tickets')
        .insert({
          client_id: input.clientId ?? null,
          department_id: input.departmentId,
          service_id: input.serviceId ?? null,
          subject: input.subject.slice(0, 300),
          status: 'open',
          priority: input.priority ?? 'normal',
          origin: input.author.type,
          created_at: now,
          updated_at: now,
        })
        .returning('id');
      const id = idOf(row);
      await this.#insertMessage(q, id, input.author, input.body, false, now);
      await this.#notifyDepartment(q, id, `A new ticket was opened by ${input.author.label || input.author.type}`, input.body);
      this.#announce(q, { ticketId: id, departmentId: input.departmentId, clientId: input.clientId ?? null, origin: input.author.type, subject: input.subject });
      return id;
    };
    return trx ? run(trx) : this.deps.db.transaction(run);
  }

  /**
   * Opens a ticket on behalf of the system (processing errors, balance alerts) at most once per
   * dedupe key, even when two processes ask at the same moment: the unique key decides, through
   * INSERT … ON CONFLICT DO NOTHING, on both engines. Returns the ticket and whether it is new.
   * Pass the caller's transaction to make the ticket part of the caller's change.
   */
  async openSystemTicket(input: SystemTicketInput, trx?: Knex.Transaction): Promise<{ id: number; created: boolean }> {
    if (!input.dedupeKey || input.dedupeKey.length > 200) throw new Error(`A system ticket needs a dedupe key of 1 to 200 characters, got '${input.dedupeKey}'`);
    const run = async (q: Knex.Transaction) => {
      const now = iso(this.deps.clock.now());
      const rows = (await q('core_tickets')
        .insert({
          client_id: input.clientId ?? null,
          department_id: input.departmentId,
          service_id: input.serviceId ?? null,
          subject: input.subject.slice(0, 300),
          status: 'open',
          priority: input.priority ?? 'normal',
          origin: 'system',
          dedupe_key: input.dedupeKey,
          created_at: now,
          updated_at: now,
        })
        .onConflict('dedupe_key')
        .ignore()
        .returning('id')) as unknown[];
      if (rows.length === 0) {
        const existing = (await q('core_tickets').where({ dedupe_key: input.dedupeKey }).first('id')) as { id: number } | undefined;
        if (!existing) throw new Error(`System ticket '${input.dedupeKey}' was neither created nor found`);
        return { id: Number(existing.id), created: false };
      }
      const id = idOf(rows[0]);
      await this.#insertMessage(q, id, { type: 'system', label: 'Trellis' }, input.body, false, now);
      await this.#notifyDepartment(q, id, 'Trellis opened a ticket', input.body);
      this.#announce(q, { ticketId: id, departmentId: input.departmentId, clientId: input.clientId ?? null, origin: 'system', subject: input.subject });
      return { id, created: true };
    };
    return trx ? run(trx) : this.deps.db.transaction(run);
  }

  /** Tells listeners about a new ticket once the transaction that opened it has committed. */
  #announce(trx: Knex.Transaction, payload: TrellisEvents['ticket.opened']): void {
    const events = this.deps.events;
    if (!events) return;
    afterCommit(trx, async () => void (await events.emit('ticket.opened', payload)), (err) => this.deps.log.error('ticket.opened listeners failed', { err }));
  }

  /**
   * Adds a message. A client's reply makes the ticket 'customer_reply', a staff reply 'answered',
   * a system message reopens a closed ticket; an internal note (staff only) changes no status and
   * is never shown to the client nor mailed to them.
   */
  async reply(ticketId: number, input: { author: TicketAuthor; body: string; internal?: boolean }, trx?: Knex.Transaction): Promise<number> {
    const internal = input.author.type === 'staff' && input.internal === true;
    const run = async (q: Knex.Transaction) => {
      const ticket = await this.get(ticketId, q);
      if (!ticket) throw new Error(`Ticket #${ticketId} does not exist`);
      const now = iso(this.deps.clock.now());
      const messageId = await this.#insertMessage(q, ticketId, input.author, input.body, internal, now);
      let status: TicketStatus = ticket.status;
      if (!internal) {
        if (input.author.type === 'client') status = 'customer_reply';
        else if (input.author.type === 'staff') status = 'answered';
        else if (ticket.status === 'closed') status = 'open';
      }
      await q('core_tickets')
        .where({ id: ticketId })
        .update({ updated_at: now, status, closed_at: status === 'closed' ? ticket.closed_at : null });
      if (!internal && input.author.type === 'client') await this.#notifyDepartment(q, ticketId, `${input.author.label || 'The client'} replied`, input.body);
      if (!internal && input.author.type === 'staff' && ticket.client_id) await this.#notifyClient(q, ticket, input.body);
      return messageId;
    };
    return trx ? run(trx) : this.deps.db.transaction(run);
  }

  /** Changes status, department or priority; closing records when. */
  async update(ticketId: number, changes: { status?: TicketStatus; departmentId?: number | null; priority?: TicketPriority }, trx?: Knex.Transaction): Promise<void> {
    const q = trx ?? this.deps.db;
    const now = iso(this.deps.clock.now());
    const fields: Record<string, unknown> = { updated_at: now };
    if (changes.status) {
      fields.status = changes.status;
      fields.closed_at = changes.status === 'closed' ? now : null;
    }
    if (changes.departmentId !== undefined) fields.department_id = changes.departmentId;
    if (changes.priority) fields.priority = changes.priority;
    await q('core_tickets').where({ id: ticketId }).update(fields);
  }

  async close(ticketId: number, trx?: Knex.Transaction): Promise<void> {
    await this.update(ticketId, { status: 'closed' }, trx);
  }

  async reopen(ticketId: number, trx?: Knex.Transaction): Promise<void> {
    await this.update(ticketId, { status: 'open' }, trx);
  }

  async #insertMessage(q: Q, ticketId: number, author: TicketAuthor, body: string, internal: boolean, at: string): Promise<number> {
    const [row] = await q('core_ticket_messages')
      .insert({ ticket_id: ticketId, author_type: author.type, author_id: author.id ?? null, author_label: (author.label ?? '').slice(0, 254), body, internal, created_at: at })
      .returning('id');
    return idOf(row);
  }

  /** Queues an e-mail to the ticket's department, if it has an address (the outbox delivers it). */
  async #notifyDepartment(q: Knex.Transaction, ticketId: number, what: string, body: string): Promise<void> {
    const ticket = await this.get(ticketId, q);
    if (!ticket?.department_id) return;
    const dept = await this.department(ticket.department_id, q);
    if (!dept?.email) return;
    await this.deps.mail.send(
      {
        to: dept.email,
        subject: `[Ticket #${ticket.id}] ${ticket.subject}`,
        text: `${what} in ${dept.name}.\n\n${body}\n\n— Open the ticket in the admin area: /admin/support/tickets/${ticket.id}\n`,
      },
      q,
    );
  }

  async #notifyClient(q: Knex.Transaction, ticket: TicketRow, body: string): Promise<void> {
    const client = (await q('core_clients').where({ id: ticket.client_id }).first('email')) as { email: string } | undefined;
    if (!client?.email) return;
    await this.deps.mail.send({ to: client.email, subject: `[Ticket #${ticket.id}] ${ticket.subject}`, text: `${body}\n\n— You can read and answer this ticket in your client area.\n` }, q);
  }
}

// Tickets as clients, staff and the system meet them: dedupe, replies and statuses, internal notes, e-mails.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMigratedTestDb, testEngine, type TestDb } from '../../test/helpers/db.ts';
import { insertClient } from '../../test/processing/fixtures.ts';
import { ManualClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { Mailer } from '../mail/mailer.ts';
import { openDb } from '../db/knex.ts';
import { TicketService, ticketForClient, ticketsForClient } from './tickets.ts';

let t: TestDb;
let tickets: TicketService;
let clock: ManualClock;
const log = createLogger({ level: 'silent' });

beforeEach(async () => {
  t = await createMigratedTestDb();
  clock = new ManualClock('2026-03-02T09:00:00Z');
  tickets = new TicketService({ db: t.db, clock, log, mail: new Mailer({ db: t.db, clock, log, from: 'panel@example.test' }) });
});
afterEach(async () => {
  await t.destroy();
});

async function departmentId(name: string): Promise<number> {
  return ((await t.db('core_departments').where({ name }).first('id')) as { id: number }).id;
}

async function outbox(): Promise<{ to: string; subject: string; text: string }[]> {
  return (await t.db('core_outbox').orderBy('id').select('to', 'subject', 'text')) as { to: string; subject: string; text: string }[];
}

describe('system tickets', () => {
  it('open at most one ticket per dedupe key', async () => {
    const dept = await departmentId('Technical');
    const input = { dedupeKey: 'balance-low:3:2026-03-02', departmentId: dept, subject: 'Registrar balance is low', body: 'Balance 12.00 USD is below the minimum of 50.00 USD.' };
    const a = await tickets.openSystemTicket(input);
    const b = await tickets.openSystemTicket({ ...input, body: 'Balance 11.00 USD' });
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    expect(await t.db('core_tickets').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await t.db('core_ticket_messages').where({ ticket_id: a.id }).select('author_type', 'body')).toEqual([{ author_type: 'system', body: input.body }]);
    const ticket = await tickets.get(a.id);
    expect(ticket).toMatchObject({ origin: 'system', status: 'open', department_name: 'Technical', client_id: null });
  });

  it('stay one ticket when two processes ask at the same moment', async () => {
    // PostgreSQL: a second pool, as another panel process has. SQLite: one process has one
    // connection, and two in one Node process would block each other's event loop (busy wait).
    const db2 = testEngine === 'pg' ? openDb({ url: t.url, searchPath: t.searchPath, poolMax: 2 }) : t.db;
    try {
      const other = new TicketService({ db: db2, clock, log, mail: new Mailer({ db: db2, clock, log, from: 'panel@example.test' }) });
      const input = { dedupeKey: 'processing.op:7', departmentId: null, subject: 'Set up failed', body: 'Upstream said no.' };
      // The first insert stays uncommitted while the second process tries the same key.
      const slow = t.db.transaction(async (trx) => {
        const r = await tickets.openSystemTicket(input, trx);
        await sleep(60);
        return r;
      });
      await sleep(15);
      const results = await Promise.all([slow, other.openSystemTicket(input), other.openSystemTicket(input)]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
    } finally {
      if (db2 !== t.db) await db2.destroy();
    }
    expect(await t.db('core_tickets').count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await t.db('core_ticket_messages').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('are part of the caller transaction', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        await tickets.openSystemTicket({ dedupeKey: 'k1', departmentId: null, subject: 's', body: 'b' }, trx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await t.db('core_tickets').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await tickets.openSystemTicket({ dedupeKey: 'k1', departmentId: null, subject: 's', body: 'b' })).created).toBe(true);
  });
});

describe('replies', () => {
  it('move the status: client reply, staff answer, internal note (no change), close and a system message reopening', async () => {
    const clientId = await insertClient(t.db);
    const id = await tickets.open({ subject: 'Server does not boot', body: 'Since this morning.', departmentId: await departmentId('Support'), clientId, author: { type: 'client', id: 9, label: 'Ada Client' } });
    expect((await tickets.get(id))?.status).toBe('open');
    await tickets.reply(id, { author: { type: 'staff', id: 1, label: 'sam@reseller.test' }, body: 'Rebooting it now.' });
    expect((await tickets.get(id))?.status).toBe('answered');
    await tickets.reply(id, { author: { type: 'client', id: 9, label: 'Ada Client' }, body: 'Still down.' });
    expect((await tickets.get(id))?.status).toBe('customer_reply');
    await tickets.reply(id, { author: { type: 'staff', id: 1, label: 'sam@reseller.test' }, body: 'Disk failed; ordered a new one.', internal: true });
    expect((await tickets.get(id))?.status).toBe('customer_reply');
    await tickets.close(id);
    const closed = await tickets.get(id);
    expect(closed).toMatchObject({ status: 'closed', closed_at: '2026-03-02T09:00:00.000Z' });
    await tickets.reply(id, { author: { type: 'system', label: 'Trellis' }, body: 'The operation failed again.' });
    expect(await tickets.get(id)).toMatchObject({ status: 'open', closed_at: null });
    const all = await tickets.messages(id, { includeInternal: true });
    expect(all.map((m) => [m.author_type, m.internal])).toEqual([
      ['client', false],
      ['staff', false],
      ['client', false],
      ['staff', true],
      ['system', false],
    ]);
  });

  it('hide internal notes from every query a client page uses, and scope tickets by client', async () => {
    const mine = await insertClient(t.db, { email: 'ada@client.test' });
    const theirs = await insertClient(t.db, { name: 'Bob', email: 'bob@client.test' });
    const id = await tickets.open({ subject: 'Invoice question', body: 'Why two lines?', departmentId: await departmentId('Billing'), clientId: mine, author: { type: 'client', label: 'Ada' } });
    await tickets.reply(id, { author: { type: 'staff', id: 1, label: 'sam' }, body: 'Client is on the fraud watch list.', internal: true });
    await tickets.reply(id, { author: { type: 'staff', id: 1, label: 'sam' }, body: 'One line is the setup fee.' });
    await tickets.open({ subject: 'Bob asks', body: '?', departmentId: null, clientId: theirs, author: { type: 'client', label: 'Bob' } });
    await tickets.openSystemTicket({ dedupeKey: 'x', departmentId: null, subject: 'Internal alert', body: 'Not for clients' });

    const list = await ticketsForClient(t.db, mine);
    expect(list.map((x) => x.subject)).toEqual(['Invoice question']);
    const view = await ticketForClient(t.db, mine, id);
    expect(view?.messages.map((m) => m.body)).toEqual(['Why two lines?', 'One line is the setup fee.']);
    expect(JSON.stringify(view)).not.toContain('fraud');
    expect(await ticketForClient(t.db, theirs, id)).toBeUndefined();
    expect((await tickets.messages(id, { includeInternal: false })).map((m) => m.internal)).toEqual([false, false]);
  });
});

describe('e-mail', () => {
  it('queues a message to the department when a ticket opens or the client replies, and to the client on a staff answer only', async () => {
    const billing = await departmentId('Billing');
    await t.db('core_departments').where({ id: billing }).update({ email: 'billing@reseller.test' });
    const clientId = await insertClient(t.db, { email: 'ada@client.test' });
    const id = await tickets.open({ subject: 'Refund', body: 'Please refund invoice 42.', departmentId: billing, clientId, author: { type: 'client', label: 'Ada' } });
    await tickets.reply(id, { author: { type: 'staff', id: 1, label: 'sam' }, body: 'Check the card first.', internal: true });
    await tickets.reply(id, { author: { type: 'staff', id: 1, label: 'sam' }, body: 'Refunded.' });
    await tickets.reply(id, { author: { type: 'client', label: 'Ada' }, body: 'Thanks!' });
    const mails = await outbox();
    expect(mails.map((m) => [m.to, m.subject])).toEqual([
      ['billing@reseller.test', `[Ticket #${id}] Refund`],
      ['ada@client.test', `[Ticket #${id}] Refund`],
      ['billing@reseller.test', `[Ticket #${id}] Refund`],
    ]);
    expect(mails[0]!.text).toMatch(/Please refund invoice 42\./);
    expect(mails.map((m) => m.text).join('\n')).not.toContain('Check the card first');
  });

  it('sends nothing for a department without an address', async () => {
    await tickets.openSystemTicket({ dedupeKey: 'quiet', departmentId: await departmentId('Technical'), subject: 's', body: 'b' });
    expect(await outbox()).toEqual([]);
  });
});

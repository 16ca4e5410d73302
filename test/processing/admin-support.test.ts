// Tickets and departments through the admin pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, TestApp } from '../helpers/app.ts';
import { ADMIN_EMAIL, insertClient, processingApp } from './fixtures.ts';

let t: TestApp;
let admin: Agent;
let clientId: number;
const dept: Record<string, number> = {};

beforeAll(async () => {
  t = await processingApp();
  admin = t.agent();
  await admin.login('staff', ADMIN_EMAIL);
  clientId = await insertClient(t.services.db, { name: 'Ada Lovelace', email: 'ada@client.test' });
  for (const d of (await t.services.db('core_departments').select('id', 'name')) as { id: number; name: string }[]) dept[d.name] = d.id;
});
afterAll(async () => {
  await t.destroy();
});

function rows(page: Awaited<ReturnType<Agent['get']>>): string[] {
  return page.$('#tickets-table tbody tr td:nth-child(2)').map((_, td) => page.$(td).text().trim()).get();
}

describe('opening a ticket', () => {
  it('refuses a blank subject or an unknown client, keeping what was typed and saving nothing', async () => {
    const blank = await admin.post('/admin/support/tickets', { subject: ' ', department_id: String(dept.Billing), client_id: '', priority: 'normal', body: 'Hello' });
    expect(blank.status).toBe(400);
    expect(blank.$('#f-subject-error').text()).toMatch(/Enter a subject/);
    expect(blank.$('#f-body').text()).toBe('Hello');
    const unknown = await admin.post('/admin/support/tickets', { subject: 'Hi', department_id: String(dept.Billing), client_id: '424242', priority: 'normal', body: 'Hello' });
    expect(unknown.status).toBe(400);
    expect(unknown.$('#f-client_id-error').text()).toMatch(/There is no client #424242/);
    expect(await t.services.db('core_tickets').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('opens one for a client in a department and shows it', async () => {
    const res = await admin.post('/admin/support/tickets', { subject: 'Your server was moved', department_id: String(dept.Technical), client_id: String(clientId), priority: 'high', body: 'We moved it to rack D.' });
    expect(res.status).toBe(303);
    const page = await admin.get(res.res.headers.get('location')!);
    expect(page.$('h1').text()).toMatch(/Your server was moved/);
    expect(page.$('.ticket-message').length).toBe(1);
    expect(page.$('.ticket-side').text()).toMatch(/Ada Lovelace #\d+/);
  });
});

describe('a ticket page', () => {
  let id: number;
  beforeAll(async () => {
    id = await t.services.tickets.open({ subject: 'Invoice twice?', body: 'I was billed twice.', departmentId: dept.Billing!, clientId, author: { type: 'client', label: 'Ada Lovelace' } });
  });

  it('adds a reply and an internal note, marked apart', async () => {
    expect((await admin.post(`/admin/support/tickets/${id}/reply`, { body: 'Checking with the bank.', internal: '1' })).status).toBe(303);
    expect((await t.services.tickets.get(id))?.status).toBe('open');
    expect((await admin.post(`/admin/support/tickets/${id}/reply`, { body: 'The second charge is refunded.' })).status).toBe(303);
    expect((await t.services.tickets.get(id))?.status).toBe('answered');
    const page = await admin.get(`/admin/support/tickets/${id}`);
    const internal = page.$('.ticket-message-internal');
    expect(internal.length).toBe(1);
    expect(internal.text()).toMatch(/Internal note — staff only/);
    expect(internal.text()).toMatch(/Checking with the bank/);
    expect(page.$('.ticket-message').length).toBe(3);
    const empty = await admin.post(`/admin/support/tickets/${id}/reply`, { body: '' });
    expect(empty.status).toBe(400);
    expect(empty.$('#f-body-error').text()).toMatch(/Write the reply/);
  });

  it('changes department, priority and status, closes and reopens', async () => {
    await admin.post(`/admin/support/tickets/${id}/properties`, { department_id: String(dept.Support), priority: 'urgent', status: 'customer_reply' });
    expect(await t.services.tickets.get(id)).toMatchObject({ department_id: dept.Support, priority: 'urgent', status: 'customer_reply' });
    await admin.post(`/admin/support/tickets/${id}/properties`, { department_id: '999', priority: 'urgent', status: 'open' });
    expect((await t.services.tickets.get(id))?.department_id).toBe(dept.Support);
    await admin.post(`/admin/support/tickets/${id}/close`);
    expect((await t.services.tickets.get(id))?.status).toBe('closed');
    const page = await admin.get(`/admin/support/tickets/${id}`);
    expect(page.$('form[action$="/reopen"] button').text()).toBe('Reopen ticket');
    await admin.post(`/admin/support/tickets/${id}/reopen`);
    expect((await t.services.tickets.get(id))?.status).toBe('open');
  });

  it('answers 404 for a ticket that does not exist', async () => {
    expect((await admin.get('/admin/support/tickets/99999')).status).toBe(404);
    expect((await admin.post('/admin/support/tickets/99999/reply', { body: 'x' })).status).toBe(404);
  });
});

describe('the ticket list', () => {
  it('shows tickets that are not closed, and filters by status and department', async () => {
    const closed = await t.services.tickets.open({ subject: 'Old question', body: '?', departmentId: dept.Billing!, author: { type: 'staff', label: 'x' } });
    await t.services.tickets.close(closed);
    t.clock.advance(60_000);
    await t.services.tickets.openSystemTicket({ dedupeKey: 'k', departmentId: dept.Technical!, subject: 'Registrar balance is low', body: '12 USD' });
    const page = await admin.get('/admin/support/tickets');
    expect(rows(page)[0]).toBe('Registrar balance is low'); // newest activity first
    expect(rows(page)).not.toContain('Old question');
    expect(rows(await admin.get('/admin/support/tickets?status=closed'))).toEqual(['Old question']);
    expect(rows(await admin.get(`/admin/support/tickets?status=all&department=${dept.Technical}`)).sort()).toEqual(['Registrar balance is low', 'Your server was moved']);
    const sorted = await admin.get('/admin/support/tickets?status=all&sort=created&dir=asc');
    expect(rows(sorted)[0]).toBe('Your server was moved');
    const ofClient = await admin.get(`/admin/support/tickets?status=all&client=${clientId}`);
    expect(rows(ofClient).sort()).toEqual(['Invoice twice?', 'Your server was moved']);
    expect(ofClient.$('#f-client_id').attr('value')).toBe(String(clientId)); // a new ticket is for them
    expect((await admin.get('/admin/support/tickets')).$('#f-client_id').attr('value')).toBe('');
  });
});

describe('departments', () => {
  it('are added, refused with a field error when the input is wrong, edited and deleted', async () => {
    const bad = await admin.post('/admin/support/departments', { name: 'Sales', kind: 'sales', email: 'not-an-address' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-email-error').text()).toMatch(/valid e-mail/);
    const dup = await admin.post('/admin/support/departments', { name: 'Billing', kind: 'billing', email: '' });
    expect(dup.status).toBe(409);
    expect(dup.$('#f-name-error').text()).toMatch(/exists already/);
    expect((await admin.post('/admin/support/departments', { name: 'Sales', kind: 'sales', email: 'sales@reseller.test' })).status).toBe(303);
    const sales = (await t.services.tickets.departmentByName('Sales'))!;
    expect(sales).toMatchObject({ kind: 'sales', email: 'sales@reseller.test' });
    expect((await admin.post(`/admin/support/departments/${sales.id}`, { name: 'Sales & renewals', kind: 'sales', email: '' })).status).toBe(303);
    expect(await t.services.tickets.department(sales.id)).toMatchObject({ name: 'Sales & renewals', email: null });
    const list = await admin.get('/admin/support/departments');
    expect(list.html).toMatch(/Sales &amp; renewals/);
    expect((await admin.post(`/admin/support/departments/${sales.id}/delete`)).status).toBe(303);
    expect(await t.services.tickets.department(sales.id)).toBeUndefined();
  });

  it('are for administrators; every staff user works tickets', async () => {
    await t.createUser('staff', 'billing@example.test', { role: 'billing' });
    const billing = t.agent();
    await billing.login('staff', 'billing@example.test');
    expect((await billing.get('/admin/support/tickets')).status).toBe(200);
    expect((await billing.get('/admin/support/departments')).status).toBe(403);
    expect((await billing.post('/admin/support/departments', { name: 'X', kind: 'other' })).status).toBe(403);
  });
});

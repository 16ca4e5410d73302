// Client tickets: list, open (department, subject, message, one of the client's services), read the
// conversation without staff-only notes, reply, close; another client's ticket is a 404 everywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import { insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';

let f: PortalFixture;
let billingDept: number;
let techDept: number;
let adaService: number;
let otherService: number;
let theirTicket: number;
let mine: number;

beforeAll(async () => {
  f = await portalApp();
  const tickets = f.t.services.tickets;
  // Core's own departments (Billing, Support, Technical); billing gets an address to be told at.
  billingDept = (await tickets.departmentByName('Billing'))!.id;
  techDept = (await tickets.departmentByName('Technical'))!.id;
  await tickets.updateDepartment(billingDept, { name: 'Billing', kind: 'billing', email: 'billing@provider.test' });
  const { packageId } = await insertPackage(f.t.services.db, { name: 'VPS M' });
  adaService = await insertService(f.t.services.db, { clientId: f.clientId, packageId, label: 'web1.example.test' });
  otherService = await insertService(f.t.services.db, { clientId: f.otherClientId, packageId, label: 'theirs.example.test' });
  theirTicket = await tickets.open({ subject: 'Their private question', body: 'Private', departmentId: techDept, clientId: f.otherClientId, author: { type: 'client', id: null, label: 'Other' } });
});
afterAll(async () => {
  await f.t.destroy();
});

describe('opening a ticket', () => {
  it('offers core\'s departments and only the client\'s own services', async () => {
    const page = await f.client.get('/client/tickets/new');
    expect(page.status).toBe(200);
    const depts = page.$('#f-departmentId option').map((_, o) => page.$(o).text()).get();
    expect(depts).toEqual(['Choose a department', 'Billing', 'Support', 'Technical']);
    const services = page.$('#f-serviceId option').map((_, o) => page.$(o).text()).get();
    expect(services).toEqual(['None', 'VPS M (web1.example.test)']);
    expect(page.$('label[for="f-body"]').text()).toMatch(/Message/);
  });

  it('shows field errors, keeps what was typed and saves nothing on bad input', async () => {
    const bad = await f.client.post('/client/tickets/new', { departmentId: '', serviceId: String(otherService), priority: 'normal', subject: '', body: 'The site is slow since this morning.' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-departmentId-error').text()).toBe('Choose a department from the list');
    expect(bad.$('#f-subject-error').text()).toBe('Enter a subject');
    expect(bad.$('#f-body').text()).toBe('The site is slow since this morning.');
    const notMine = await f.client.post('/client/tickets/new', { departmentId: String(techDept), serviceId: String(otherService), priority: 'normal', subject: 'Slow', body: 'Slow.' });
    expect(notMine.status).toBe(400);
    expect(notMine.$('#f-serviceId-error').text()).toBe('Choose one of your services, or none');
    expect(await f.t.services.db('core_tickets').where({ client_id: f.clientId }).first()).toBeUndefined();
  });

  it('opens it for the department, tells the department and shows the conversation', async () => {
    await f.client.get('/client/tickets/new');
    const res = await f.client.post('/client/tickets/new', { departmentId: String(billingDept), serviceId: String(adaService), priority: 'high', subject: 'Invoice question', body: 'Why was I charged twice?' });
    expect(res.status).toBe(303);
    mine = Number(/\/client\/tickets\/(\d+)$/.exec(res.res.headers.get('location')!)![1]);
    const row = await f.t.services.db('core_tickets').where({ id: mine }).first();
    expect(row).toMatchObject({ client_id: f.clientId, department_id: billingDept, service_id: adaService, priority: 'high', status: 'open', origin: 'client', subject: 'Invoice question' });
    const mail = await f.t.services.db('core_outbox').where({ to: 'billing@provider.test' }).first();
    expect(mail?.subject).toBe(`[Ticket #${mine}] Invoice question`);
    const page = await f.client.get(`/client/tickets/${mine}`);
    expect(page.$('.flash-success').text()).toMatch(new RegExp(`Ticket #${mine} was opened`));
    expect(page.$('h1').text()).toBe(`Ticket #${mine}: Invoice question`);
    expect(page.$('.ticket-summary').text()).toMatch(/Billing/);
    expect(page.$('.ticket-summary').text()).toMatch(/VPS M \(web1\.example\.test\)/);
    expect(page.$('.ticket-message')).toHaveLength(1);
    expect(page.$('.ticket-message-head strong').text()).toBe('You');
  });
});

describe('a ticket\'s conversation', () => {
  it('never shows staff-only notes, and names staff as the support team', async () => {
    await f.t.services.tickets.reply(mine, { author: { type: 'staff', id: 1, label: 'olga@provider.test' }, body: 'Internal: refund approved by Olga', internal: true });
    await f.t.services.tickets.reply(mine, { author: { type: 'staff', id: 1, label: 'olga@provider.test' }, body: 'We refunded the second charge.' });
    const page = await f.client.get(`/client/tickets/${mine}`);
    expect(page.html).not.toContain('refund approved by Olga');
    expect(page.html).not.toContain('olga@provider.test');
    expect(page.$('.ticket-message')).toHaveLength(2);
    expect(page.$('.ticket-message-staff .ticket-message-head strong').text()).toBe('Support team');
    expect(page.$('.ticket-summary .badge').text()).toBe('Answered');
  });

  it('takes the client\'s reply and marks the ticket as awaiting support', async () => {
    const empty = await f.client.post(`/client/tickets/${mine}/reply`, { body: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.$('#f-body-error').text()).toBe('Write your reply');
    const res = await f.client.post(`/client/tickets/${mine}/reply`, { body: 'Thank you!\n<script>alert(1)</script>' });
    expect(res.status).toBe(303);
    const page = await f.client.get(`/client/tickets/${mine}`);
    expect(page.$('.ticket-summary .badge').text()).toBe('Awaiting reply');
    expect(page.$('.ticket-message').last().find('.ticket-message-body').text()).toBe('Thank you!\n<script>alert(1)</script>');
    expect(page.html).not.toContain('<script>alert(1)</script>');
  });

  it('closes, and a later reply opens it again', async () => {
    expect((await f.client.post(`/client/tickets/${mine}/close`)).status).toBe(303);
    const closed = await f.client.get(`/client/tickets/${mine}`);
    expect(closed.$('.ticket-summary .badge').text()).toBe('Closed');
    expect(closed.$(`form[action="/client/tickets/${mine}/close"]`)).toHaveLength(0);
    expect(closed.$('#reply').text()).toMatch(/Writing a reply opens it again/);
    await f.client.post(`/client/tickets/${mine}/reply`, { body: 'It happened again.' });
    expect((await f.t.services.db('core_tickets').where({ id: mine }).first('status')).status).toBe('customer_reply');
  });
});

describe('the ticket list', () => {
  it('shows the client\'s tickets only, filtered by open or closed', async () => {
    const closedId = await f.t.services.tickets.open({ subject: 'Old DNS question', body: 'Resolved.', departmentId: techDept, clientId: f.clientId, author: { type: 'client', id: null, label: 'Ada' } });
    await f.t.services.tickets.close(closedId);
    const open = await f.client.get('/client/tickets');
    expect(open.status).toBe(200);
    const subjects = (p: typeof open) => p.$('#tickets tbody tr').map((_, tr) => p.$(tr).find('td').eq(1).text().trim()).get();
    expect(subjects(open)).toEqual(['Invoice question']);
    expect(open.html).not.toContain('Their private question');
    expect(open.$(`#tickets a[href="/client/tickets/${mine}"]`).length).toBeGreaterThan(0);
    const closed = await f.client.get('/client/tickets?show=closed');
    expect(subjects(closed)).toEqual(['Old DNS question']);
    const all = await f.client.get('/client/tickets?show=all&sort=id&dir=asc');
    expect(subjects(all)).toEqual(['Invoice question', 'Old DNS question']);
    // The home page's open tickets link here.
    const home = await f.client.get('/client');
    expect(home.$(`a[href="/client/tickets/${mine}"]`).text()).toBe('Invoice question');
  });
});

describe('another client\'s ticket', () => {
  it('is a 404 to read, reply to or close, and stays untouched', async () => {
    const before = await f.t.services.db('core_ticket_messages').where({ ticket_id: theirTicket }).count({ n: '*' });
    expect((await f.client.get(`/client/tickets/${theirTicket}`)).status).toBe(404);
    await f.client.get('/client/tickets');
    expect((await f.client.post(`/client/tickets/${theirTicket}/reply`, { body: 'Hello' })).status).toBe(404);
    expect((await f.client.post(`/client/tickets/${theirTicket}/close`)).status).toBe(404);
    expect((await f.client.get('/client/tickets/999999')).status).toBe(404);
    expect((await f.t.services.db('core_tickets').where({ id: theirTicket }).first('status')).status).toBe('open');
    expect(await f.t.services.db('core_ticket_messages').where({ ticket_id: theirTicket }).count({ n: '*' })).toEqual(before);
  });
});

describe('forms', () => {
  it('refuse a post without the CSRF token', async () => {
    for (const path of ['/client/tickets/new', `/client/tickets/${mine}/reply`, `/client/tickets/${mine}/close`]) {
      expect((await f.client.post(path, { departmentId: String(techDept), subject: 'x', body: 'y' }, { csrf: null })).status, path).toBe(403);
    }
  });
});

describe('in Russian', () => {
  it('reads naturally', async () => {
    await f.client.post('/language', { lang: 'ru', next: '/client/tickets' });
    const list = await f.client.get('/client/tickets');
    expect(list.$('h1').text()).toBe('Обращения');
    expect(list.$('.section-head a').text()).toBe('Создать обращение');
    expect(list.$('#tickets thead').text()).toMatch(/Тема/);
    expect(list.$('#tickets tbody .badge').first().text()).toBe('Ожидает ответа');
    const page = await f.client.get(`/client/tickets/${mine}`);
    expect(page.$('h1').text()).toBe(`Обращение №${mine}: Invoice question`);
    expect(page.$('.ticket-message-staff .ticket-message-head strong').text()).toBe('Служба поддержки');
    expect(page.$('#reply-h').text()).toBe('Ответить');
    const form = await f.client.get('/client/tickets/new');
    expect(form.$('label[for="f-serviceId"]').text()).toMatch(/Связанная услуга/);
    const bad = await f.client.post('/client/tickets/new', { departmentId: '', subject: '', body: '' });
    expect(bad.$('#f-subject-error').text()).toBe('Укажите тему');
    await f.client.post('/language', { lang: 'en', next: '/client' });
  });
});

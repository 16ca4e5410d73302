// Operations through the admin pages: what needs attention, "Complete manually" and "Restart operation".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, TestApp } from '../helpers/app.ts';
import { ProcessingError, type ProcessingModule } from '../../core/processing/types.ts';
import { ADMIN_EMAIL, enqueue, operationRow, processingApp, serviceOnServer, serviceRow } from './fixtures.ts';

// Seed 002: colocation is semi-automatic. Setting up is manual and asks for the DSmanager id;
// enabling and disabling are automatic.
const colocation: ProcessingModule = {
  name: 'colo-test',
  title: 'DSmanager colocation (test)',
  itemTypes: ['colocation'],
  features: ['suspend', 'resume'],
  manualOps: ['open', 'close', 'set_param'],
  manualFields: { open: [{ name: 'dsmId', label: 'DSmanager server id', required: true, target: 'externalId', hint: 'As shown in DSmanager → Servers.' }] },
  async suspend() {
    return {};
  },
  async resume() {
    return {};
  },
};

const rejecting: ProcessingModule = {
  name: 'reject-test',
  title: 'Rejecting upstream (test)',
  features: ['open'],
  async open() {
    throw new ProcessingError('permanent', 'Tariff HPCorei9 is not available');
  },
};

let t: TestApp;
let admin: Agent;
const ids: Record<'manual' | 'failed' | 'done', number> = { manual: 0, failed: 0, done: 0 };
const services: Record<'manual' | 'failed' | 'done', number> = { manual: 0, failed: 0, done: 0 };

beforeAll(async () => {
  t = await processingApp({ modules: [colocation, rejecting] });
  admin = t.agent();
  await admin.login('staff', ADMIN_EMAIL);
  const technical = ((await t.services.db('core_departments').where({ name: 'Technical' }).first('id')) as { id: number }).id;
  services.manual = (await serviceOnServer(t, { module: 'colo-test', itemType: 'colocation', name: 'colo.example.test' })).serviceId;
  services.failed = (await serviceOnServer(t, { module: 'reject-test', itemType: 'dedicated', name: 'dsm.example.test', notifyErrors: true, departmentId: technical })).serviceId;
  services.done = (await serviceOnServer(t, { module: 'colo-test', itemType: 'colocation', name: 'colo2.example.test' }, { status: 'active' })).serviceId;
  ids.manual = await enqueue(t, { serviceId: services.manual, op: 'open' });
  ids.failed = await enqueue(t, { serviceId: services.failed, op: 'open' });
  ids.done = await enqueue(t, { serviceId: services.done, op: 'suspend' });
  await t.services.processing.runDue();
});
afterAll(async () => {
  await t.destroy();
});

function listedIds(page: Awaited<ReturnType<Agent['get']>>): number[] {
  return page.$('#operations-table tbody tr td:first-child a').map((_, a) => Number(/\/(\d+)$/.exec(page.$(a).attr('href')!)![1])).get();
}

describe('the operations list', () => {
  it('shows what waits for a person by default, and other statuses on request', async () => {
    const page = await admin.get('/admin/processing/operations');
    expect(page.status).toBe(200);
    expect(listedIds(page).sort()).toEqual([ids.manual, ids.failed].sort());
    const failedRow = page.$(`#operations-table tbody tr:has(a[href="/admin/processing/operations/${ids.failed}"])`);
    expect(failedRow.text()).toMatch(/Tariff HPCorei9 is not available/);
    expect(failedRow.find('.badge-failed').text()).toBe('failed');
    const manualRow = page.$(`#operations-table tbody tr:has(a[href="/admin/processing/operations/${ids.manual}"])`);
    expect(manualRow.text()).toMatch(/set up is done by staff/i);
    expect(listedIds(await admin.get('/admin/processing/operations?status=done'))).toEqual([ids.done]);
    expect(listedIds(await admin.get('/admin/processing/operations?status=nonsense')).sort()).toEqual([ids.manual, ids.failed].sort());
  });
});

describe('Complete manually', () => {
  it('asks for what the module needs and refuses to go on without it', async () => {
    const page = await admin.get(`/admin/processing/operations/${ids.manual}`);
    expect(page.$('#f-dsmId').length).toBe(1);
    expect(page.$('label[for="f-dsmId"]').text()).toMatch(/DSmanager server id/);
    const res = await admin.post(`/admin/processing/operations/${ids.manual}/complete`, { dsmId: '  ', staff_note: 'kept' });
    expect(res.status).toBe(400);
    expect(res.$('#f-dsmId-error').text()).toMatch(/Enter the dsmanager server id/i);
    expect(res.$('#f-staff_note').text()).toBe('kept');
    expect((await operationRow(t.services.db, ids.manual)).status).toBe('manual');
    expect((await serviceRow(t.services.db, services.manual)).status).toBe('in_progress');
  });

  it('stores the DSmanager id, activates the service and records who did it', async () => {
    const res = await admin.post(`/admin/processing/operations/${ids.manual}/complete`, { dsmId: '1042', staff_note: 'Rack C, unit 12' });
    expect(res.status).toBe(303);
    const svc = await serviceRow(t.services.db, services.manual);
    expect(svc).toMatchObject({ status: 'active', external_id: '1042', expires_on: '2026-04-02' });
    const page = await admin.get(`/admin/processing/operations/${ids.manual}`);
    expect(page.$('.flash-success').text()).toMatch(/is complete/);
    expect(page.$('.proc-head .badge').text()).toBe('done');
    expect(page.$('.details').text()).toMatch(/by admin@example\.test/);
    expect(page.$('#f-dsmId').length).toBe(0);
    // A second submission (another tab) changes nothing.
    const again = await admin.post(`/admin/processing/operations/${ids.manual}/complete`, { dsmId: '9999' });
    expect(again.status).toBe(409);
    expect(again.$('.flash-error').text()).toMatch(/only manual or failed operations/);
    expect((await serviceRow(t.services.db, services.manual)).external_id).toBe('1042');
  });
});

describe('Restart operation', () => {
  it('shows the error and the ticket, and puts the operation back in the queue', async () => {
    const page = await admin.get(`/admin/processing/operations/${ids.failed}`);
    expect(page.$('pre.message-body').text()).toBe('Tariff HPCorei9 is not available');
    const ticketLink = page.$('a[href^="/admin/support/tickets/"]');
    expect(ticketLink.text()).toMatch(/failed on dsm\.example\.test/);
    expect((await serviceRow(t.services.db, services.failed)).status).toBe('failed');
    const res = await admin.post(`/admin/processing/operations/${ids.failed}/restart`);
    expect(res.status).toBe(303);
    expect(await operationRow(t.services.db, ids.failed)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await serviceRow(t.services.db, services.failed)).status).toBe('in_progress');
    const again = await admin.post(`/admin/processing/operations/${ids.failed}/restart`);
    expect(again.status).toBe(303);
    expect((await admin.get(again.res.headers.get('location')!)).$('.flash-error').text()).toMatch(/only failed or manual operations can be restarted/);
    const audit = await t.services.db('core_audit_log').where({ action: 'processing.operation_restarted' });
    expect(audit).toHaveLength(1);
  });

  it('answers 404 for an operation that does not exist', async () => {
    expect((await admin.get('/admin/processing/operations/99999')).status).toBe(404);
    expect((await admin.post('/admin/processing/operations/99999/restart')).status).toBe(404);
  });
});

describe('billing staff', () => {
  it('read operations (why a paid service is not active yet) but cannot restart or complete them', async () => {
    await t.createUser('staff', 'billing@example.test', { role: 'billing' });
    const billing = t.agent();
    await billing.login('staff', 'billing@example.test');
    const list = await billing.get('/admin/processing/operations');
    expect(list.status).toBe(200);
    const page = await billing.get(`/admin/processing/operations/${ids.failed}`);
    expect(page.status).toBe(200);
    expect(page.$('form[action$="/restart"], form[action$="/complete"]')).toHaveLength(0);
    expect((await billing.post(`/admin/processing/operations/${ids.failed}/restart`)).status).toBe(403);
    expect((await billing.post(`/admin/processing/operations/${ids.manual}/complete`, { dsmId: '1' })).status).toBe(403);
    expect((await billing.get('/admin/processing/servers')).status).toBe(403);
  });
});

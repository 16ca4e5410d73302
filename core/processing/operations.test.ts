// The operations queue as the ordering code and staff meet it: manual work, retries, failures, tickets, leases.
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestApp } from '../../test/helpers/app.ts';
import { testEngine } from '../../test/helpers/db.ts';
import {
  enqueue,
  insertClient,
  insertPackage,
  insertService,
  operationRow,
  processingApp,
  scriptedModule,
  serviceOnServer,
  serviceRow,
} from '../../test/processing/fixtures.ts';
import { ProcessingError } from './types.ts';
import { OperationStateError, ProcessingService } from './service.ts';
import { PROCESSING_JOB_ID } from './setup.ts';
import { operationsForService } from './operations.ts';
import { openDb } from '../db/knex.ts';
import { JobSystem } from '../jobs/index.ts';
import { TicketService } from '../support/tickets.ts';
import { Mailer } from '../mail/mailer.ts';
import { AuditLog } from '../audit/audit.ts';
import { createLogger } from '../log.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const STAFF = { id: 1, label: 'admin@example.test' };

async function history(app: TestApp, serviceId: number): Promise<string[]> {
  const rows = (await app.services.db('core_service_history').where({ service_id: serviceId }).orderBy('id')) as { from_status: string; to_status: string }[];
  return rows.map((r) => `${r.from_status}→${r.to_status}`);
}

describe('the manual module', () => {
  it('waits for staff, and completing the set-up with an external id makes the service active for one period', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('in_progress');

    const run = await t.services.jobs.runOnce(PROCESSING_JOB_ID);
    expect(run.status).toBe('ok');
    expect(run.counts).toMatchObject({ claimed: 1, manual: 1 });
    expect((await operationRow(t.services.db, opId)).status).toBe('manual');
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('in_progress');
    // Nothing more happens on later runs until a person acts.
    t.clock.advance(3_600_000);
    expect((await t.services.processing.runDue()).claimed).toBe(0);

    await t.services.processing.completeManually(opId, { values: { externalId: 'DSM-4711' }, note: 'Racked in row C' }, STAFF);
    const svc = await serviceRow(t.services.db, serviceId);
    expect(svc.status).toBe('active');
    expect(svc.external_id).toBe('DSM-4711');
    expect(svc.activated_at).toBe('2026-03-02T10:00:00.000Z');
    expect(svc.expires_on).toBe('2026-04-02');
    const op = await operationRow(t.services.db, opId);
    expect(op.status).toBe('done');
    expect(op.completed_by).toBe('admin@example.test');
    expect(JSON.parse(op.result!)).toMatchObject({ completedManually: true, externalId: 'DSM-4711', note: 'Racked in row C' });
    expect(await history(t, serviceId)).toEqual(['pending→in_progress', 'in_progress→active']);
    const audit = await t.services.db('core_audit_log').where({ action: 'processing.operation_completed' });
    expect(audit).toHaveLength(1);
  });

  it('refuses to complete an operation that is not waiting for a person', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    await expect(t.services.processing.completeManually(opId, { values: {} }, STAFF)).rejects.toThrow(OperationStateError);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('in_progress');
  });

  it('leaves a lifetime service without an expiry date', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' }, { periodKind: 'lifetime', periodLength: 0 });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    await t.services.processing.runDue();
    await t.services.processing.completeManually(opId, { values: {} }, STAFF);
    const svc = await serviceRow(t.services.db, serviceId);
    expect(svc.status).toBe('active');
    expect(svc.expires_on).toBeNull();
  });

  it('handles a service without a processing server the same way', async () => {
    t = await processingApp();
    const db = t.services.db;
    const clientId = await insertClient(db);
    const { packageId } = await insertPackage(db);
    const serviceId = await insertService(db, { clientId, packageId, status: 'pending' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    await t.services.processing.runDue();
    const op = await operationRow(db, opId);
    expect(op.status).toBe('manual');
    expect(JSON.parse(op.result!).waiting).toMatch(/No processing server/);
  });

  it('gives a service without a server the one its operation names', async () => {
    t = await processingApp();
    const db = t.services.db;
    const clientId = await insertClient(db);
    const { packageId } = await insertPackage(db);
    const serviceId = await insertService(db, { clientId, packageId, status: 'pending' });
    const { serverId } = await serviceOnServer(t, { module: 'manual' });
    await enqueue(t, { serviceId, op: 'open', serverId });
    expect((await serviceRow(db, serviceId)).processing_server_id).toBe(serverId);
  });
});

describe('retries', () => {
  it('retries a temporary failure with exponential backoff and activates the service when it succeeds', async () => {
    const mod = scriptedModule('flaky', {
      open: (n) => {
        if (n <= 2) throw new ProcessingError('temporary', 'Try later');
        return { externalId: 'vm-7', params: { ip: '192.0.2.7' } };
      },
    });
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'flaky', itemType: 'vds' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    const db = t.services.db;

    expect(await t.services.processing.runDue()).toMatchObject({ claimed: 1, retried: 1 });
    let op = await operationRow(db, opId);
    expect(op).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Try later', next_attempt_at: '2026-03-02T09:00:30.000Z' });
    expect((await serviceRow(db, serviceId)).status).toBe('in_progress');

    expect((await t.services.processing.runDue()).claimed).toBe(0); // not due yet
    t.clock.advance(30_000);
    await t.services.processing.runDue();
    op = await operationRow(db, opId);
    expect(op).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: '2026-03-02T09:01:30.000Z' });

    t.clock.advance(59_000);
    expect((await t.services.processing.runDue()).claimed).toBe(0);
    t.clock.advance(1_000);
    expect(await t.services.processing.runDue()).toMatchObject({ claimed: 1, done: 1 });
    op = await operationRow(db, opId);
    expect(op).toMatchObject({ status: 'done', attempts: 3, last_error: null });
    const svc = await serviceRow(db, serviceId);
    expect(svc).toMatchObject({ status: 'active', external_id: 'vm-7', expires_on: '2026-04-02' });
    expect(JSON.parse(svc.params)).toEqual({ ip: '192.0.2.7' });
    // The module saw one operation, attempt by attempt: what an idempotency key needs.
    expect(mod.calls).toEqual([
      { op: 'open', operationId: opId, attempt: 1 },
      { op: 'open', operationId: opId, attempt: 2 },
      { op: 'open', operationId: opId, attempt: 3 },
    ]);
  });

  it('treats an unexpected error as temporary and gives up after the last attempt: the service fails', async () => {
    const mod = scriptedModule('broken', {
      open: () => {
        throw new Error('socket hang up');
      },
    });
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'broken', itemType: 'vds' });
    const opId = await enqueue(t, { serviceId, op: 'open', maxAttempts: 3 });
    for (const wait of [0, 30_000, 60_000]) {
      t.clock.advance(wait);
      await t.services.processing.runDue();
    }
    const op = await operationRow(t.services.db, opId);
    expect(op.status).toBe('failed');
    expect(op.attempts).toBe(3);
    expect(op.last_error).toMatch(/socket hang up \(gave up after 3 attempts\)/);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('failed');
    expect(mod.calls).toHaveLength(3);
  });

  it('caps the backoff at one hour', async () => {
    const mod = scriptedModule('down', {
      open: () => {
        throw new ProcessingError('temporary', 'Upstream maintenance');
      },
    });
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'down', itemType: 'vds' });
    const opId = await enqueue(t, { serviceId, op: 'open', maxAttempts: 10 });
    const gaps: number[] = [];
    for (let i = 0; i < 9; i++) {
      const before = t.clock.now().getTime();
      await t.services.processing.runDue();
      const next = Date.parse((await operationRow(t.services.db, opId)).next_attempt_at!);
      gaps.push((next - before) / 1000);
      t.clock.set(new Date(next));
    }
    expect(gaps).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('aborts a call that does not answer in time and retries it later', async () => {
    let seenSignal: AbortSignal | undefined;
    const mod = scriptedModule(
      'silent',
      {},
      {
        timeoutMs: 40,
        open: (ctx) => {
          seenSignal = ctx.signal;
          return new Promise(() => {}); // never answers
        },
      },
    );
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'silent', itemType: 'vds' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    expect(await t.services.processing.runDue()).toMatchObject({ retried: 1 });
    expect(seenSignal?.aborted).toBe(true);
    const op = await operationRow(t.services.db, opId);
    expect(op.status).toBe('pending');
    expect(op.last_error).toMatch(/did not answer within 40 ms/);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('in_progress');
  });
});

describe('failures and tickets', () => {
  async function technicalDepartment(app: TestApp): Promise<number> {
    const dept = (await app.services.db('core_departments').where({ name: 'Technical' }).first('id')) as { id: number };
    await app.services.db('core_departments').where({ id: dept.id }).update({ email: 'noc@reseller.test' });
    return dept.id;
  }

  it('fails a permanent error at once, fails the service and opens one ticket for the responsible department', async () => {
    const mod = scriptedModule('strict', {
      open: () => {
        throw new ProcessingError('permanent', 'Preset HPCorei9 does not exist');
      },
    });
    t = await processingApp({ modules: [mod] });
    const departmentId = await technicalDepartment(t);
    const { serviceId } = await serviceOnServer(t, { module: 'strict', itemType: 'dedicated', notifyErrors: true, departmentId, name: 'dsm.example.test' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    expect(await t.services.processing.runDue()).toMatchObject({ failed: 1 });

    const op = await operationRow(t.services.db, opId);
    expect(op).toMatchObject({ status: 'failed', attempts: 1, last_error: 'Preset HPCorei9 does not exist' });
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('failed');
    const tickets = await t.services.db('core_tickets').select('*');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ id: op.ticket_id, department_id: departmentId, origin: 'system', dedupe_key: `processing.op:${opId}`, service_id: serviceId, client_id: null });
    expect(tickets[0].subject).toMatch(/Set up of service #\d+ .* failed on dsm\.example\.test/);
    const mail = await t.services.db('core_outbox').where({ to: 'noc@reseller.test' });
    expect(mail).toHaveLength(1);
    expect(mail[0].text).toMatch(/Preset HPCorei9 does not exist/);

    // Restarting moves the service back to in_progress; failing again adds to the same ticket.
    await t.services.processing.restart(opId, STAFF);
    expect(await operationRow(t.services.db, opId)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('in_progress');
    await t.services.processing.runDue();
    expect((await operationRow(t.services.db, opId)).status).toBe('failed');
    expect(await t.services.db('core_tickets').count({ n: '*' })).toEqual([{ n: 1 }]);
    const messages = await t.services.db('core_ticket_messages').where({ ticket_id: op.ticket_id }).orderBy('id');
    expect(messages.map((m) => m.body)).toEqual([expect.stringMatching(/after 1 attempt:/), expect.stringMatching(/^It failed again/)]);
    expect(await history(t, serviceId)).toEqual(['pending→in_progress', 'in_progress→failed', 'failed→in_progress', 'in_progress→failed']);
  });

  it('opens no ticket when the server does not notify about errors', async () => {
    const mod = scriptedModule('strict', {
      open: () => {
        throw new ProcessingError('auth', 'Wrong password.');
      },
    });
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'strict', itemType: 'dedicated', notifyErrors: false, name: 'dsm.example.test' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    await t.services.processing.runDue();
    const op = await operationRow(t.services.db, opId);
    expect(op.status).toBe('failed');
    expect(op.attempts).toBe(1); // credentials: no retry
    expect(op.last_error).toMatch(/dsm\.example\.test refused the credentials: Wrong password\. Correct the user and password/);
    expect(op.ticket_id).toBeNull();
    expect(await t.services.db('core_tickets').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('failed');
  });

  it('restarts only failed or manual operations', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    await expect(t.services.processing.restart(opId, STAFF)).rejects.toThrow(/only failed or manual/);
    await t.services.processing.runDue();
    await t.services.processing.restart(opId, STAFF);
    expect((await operationRow(t.services.db, opId)).status).toBe('pending');
  });
});

describe('enqueue', () => {
  it('returns the operation already pending for the service instead of adding another', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' }, { status: 'active' });
    const ids = await Promise.all(Array.from({ length: 5 }, () => enqueue(t!, { serviceId, op: 'suspend', payload: { status: 'suspended_nonpayment' } })));
    expect(new Set(ids).size).toBe(1);
    expect(await t.services.db('core_service_operations').where({ service_id: serviceId }).count({ n: '*' })).toEqual([{ n: 1 }]);
    // Another kind is its own operation; once the suspension is done a new one may be queued.
    const resume = await enqueue(t, { serviceId, op: 'resume' });
    expect(resume).not.toBe(ids[0]);
    await t.services.processing.runDue();
    await t.services.processing.completeManually(ids[0]!, { values: {} }, STAFF);
    expect(await enqueue(t, { serviceId, op: 'suspend' })).not.toBe(ids[0]);
  });

  it('never drops parameter changes: a second set_param joins the pending one, and queues behind a running one', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' }, { status: 'active' });
    const first = await enqueue(t, { serviceId, op: 'set_param', payload: { changes: { ns: ['a.test', 'b.test'], lock: true } } });
    const second = await enqueue(t, { serviceId, op: 'set_param', payload: { changes: { lock: false, autorenew: true } } });
    expect(second).toBe(first);
    expect(JSON.parse((await operationRow(t.services.db, first)).payload)).toEqual({ changes: { ns: ['a.test', 'b.test'], lock: false, autorenew: true } });
    await t.services.db('core_service_operations').where({ id: first }).update({ status: 'running' });
    const third = await enqueue(t, { serviceId, op: 'set_param', payload: { changes: { lock: true } } });
    expect(third).not.toBe(first);
    expect(JSON.parse((await operationRow(t.services.db, third)).payload)).toEqual({ changes: { lock: true } });
  });

  it('holds when two transactions queue the same operation at once: the second waits and gets the first one', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' }, { status: 'active' });
    const slow = t.services.db.transaction(async (trx) => {
      const id = await t!.services.processing.enqueue(trx, { serviceId, op: 'close' });
      await sleep(60); // still uncommitted while the other one asks
      return id;
    });
    await sleep(15);
    const [first, second] = await Promise.all([slow, enqueue(t, { serviceId, op: 'close' })]);
    expect(second).toBe(first);
    expect(await t.services.db('core_service_operations').where({ service_id: serviceId }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('is part of the caller transaction: rolled back, nothing is queued and the service is unchanged', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'manual' });
    await expect(
      t.services.db.transaction(async (trx) => {
        await t!.services.processing.enqueue(trx, { serviceId, op: 'open' });
        throw new Error('payment failed');
      }),
    ).rejects.toThrow('payment failed');
    expect(await t.services.db('core_service_operations').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('pending');
  });
});

describe('service changes', () => {
  it('suspends to the status in the payload, resumes to active and deletes to cancelled', async () => {
    const mod = scriptedModule('full', { suspend: () => ({}), resume: () => ({}), close: () => ({}) });
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'full', itemType: 'vds' }, { status: 'active', expiresOn: '2026-04-01' });
    const db = t.services.db;
    await enqueue(t, { serviceId, op: 'suspend', payload: { status: 'suspended_nonpayment', reason: 'Invoice 2026-0042 overdue' } });
    await t.services.processing.runDue();
    expect(await serviceRow(db, serviceId)).toMatchObject({ status: 'suspended_nonpayment', suspend_reason: 'Invoice 2026-0042 overdue' });
    await enqueue(t, { serviceId, op: 'resume' });
    await t.services.processing.runDue();
    expect(await serviceRow(db, serviceId)).toMatchObject({ status: 'active', suspend_reason: null });
    await enqueue(t, { serviceId, op: 'suspend' });
    await t.services.processing.runDue();
    expect((await serviceRow(db, serviceId)).status).toBe('suspended_staff');
    await enqueue(t, { serviceId, op: 'close' });
    await t.services.processing.runDue();
    expect((await serviceRow(db, serviceId)).status).toBe('cancelled');
    expect(mod.calls.map((c) => c.op)).toEqual(['suspend', 'resume', 'suspend', 'close']);
    const log = await operationsForService(db, serviceId);
    expect(log.map((o) => `${o.op}:${o.status}`)).toEqual(['close:done', 'suspend:done', 'resume:done', 'suspend:done']);
  });

  it('prolongs through the module when the server has Prolongation on, and records it locally when off', async () => {
    const mod = scriptedModule('registrar', { prolong: () => ({ expiresOn: '2027-04-01' }) });
    t = await processingApp({ modules: [mod] });
    const on = await serviceOnServer(t, { module: 'registrar', itemType: 'domain', allowProlong: true }, { status: 'active', expiresOn: '2026-04-01' });
    await enqueue(t, { serviceId: on.serviceId, op: 'prolong', payload: { expiresOn: '2026-05-01' } });
    const off = await serviceOnServer(t, { module: 'registrar', itemType: 'domain', allowProlong: false }, { status: 'active', expiresOn: '2026-04-01' });
    const offOp = await enqueue(t, { serviceId: off.serviceId, op: 'prolong', payload: { expiresOn: '2026-05-01' } });
    await t.services.processing.runDue();
    expect((await serviceRow(t.services.db, on.serviceId)).expires_on).toBe('2027-04-01'); // the registrar's word
    expect((await serviceRow(t.services.db, off.serviceId)).expires_on).toBe('2026-05-01');
    expect(mod.calls).toHaveLength(1);
    expect(JSON.parse((await operationRow(t.services.db, offOp)).result!).message).toMatch(/Prolongation is switched off/);
  });

  it('never moves a service that was cancelled meanwhile, and says so on the operation', async () => {
    const mod = scriptedModule('late', { resume: () => ({}) });
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'late', itemType: 'vds' }, { status: 'suspended_staff' });
    const opId = await enqueue(t, { serviceId, op: 'resume' });
    await t.services.db('core_services').where({ id: serviceId }).update({ status: 'cancelled' });
    await t.services.processing.runDue();
    const op = await operationRow(t.services.db, opId);
    expect(op.status).toBe('done');
    expect(JSON.parse(op.result!).serviceNote).toMatch(/is cancelled: it was not moved to active/);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('cancelled');
  });

  it('lets an operation wait, without using attempts, while its module is not registered', async () => {
    t = await processingApp();
    const { serviceId } = await serviceOnServer(t, { module: 'from-a-disabled-plugin', itemType: 'vds' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    expect(await t.services.processing.runDue()).toMatchObject({ waiting: 1 });
    const op = await operationRow(t.services.db, opId);
    expect(op).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: '2026-03-02T09:05:00.000Z' });
    expect(op.last_error).toMatch(/module 'from-a-disabled-plugin' .* not available/);
  });
});

describe('stopping', () => {
  it('puts an operation interrupted by a stopping runner back in the queue without using an attempt', async () => {
    const mod = scriptedModule(
      'long',
      {},
      {
        open: (ctx) =>
          new Promise((_, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new Error('request aborted')));
          }),
      },
    );
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'long', itemType: 'vds' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    const stop = new AbortController();
    const run = t.services.processing.runDue({ signal: stop.signal });
    await sleep(30);
    stop.abort(new Error('shutting down'));
    expect(await run).toMatchObject({ claimed: 1, waiting: 1, retried: 0, failed: 0 });
    const op = await operationRow(t.services.db, opId);
    expect(op).toMatchObject({ status: 'pending', attempts: 0, locked_by: null, next_attempt_at: '2026-03-02T09:00:00.000Z' });
    expect(op.last_error).toMatch(/Interrupted/);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('in_progress');
  });
});

describe('runners', () => {
  it('never run one operation twice when two processes run the queue at the same time', async () => {
    const mod = scriptedModule('slow', {
      open: async () => {
        await sleep(15);
        return { externalId: 'x' };
      },
    });
    t = await processingApp({ modules: [mod] });
    const serviceIds: number[] = [];
    const first = await serviceOnServer(t, { module: 'slow', itemType: 'vds' });
    serviceIds.push(first.serviceId);
    for (let i = 0; i < 11; i++) {
      serviceIds.push(await insertService(t.services.db, { clientId: first.clientId, packageId: first.packageId, itemType: 'vds', serverId: first.serverId }));
    }
    for (const serviceId of serviceIds) await enqueue(t, { serviceId, op: 'open' });

    // A second runner: its own job system and ProcessingService; on PostgreSQL its own pool too.
    // (SQLite gets real second processes in test/processing/runner-processes.test.ts: two
    // connections in one Node process would block each other's event loop while busy-waiting.)
    const log = createLogger({ level: 'silent' });
    const db2 = testEngine === 'pg' ? openDb({ url: t.db.url, searchPath: t.db.searchPath, poolMax: 4 }) : t.services.db;
    try {
      const mail2 = new Mailer({ db: db2, clock: t.clock, log, from: 'panel@example.test' });
      const other = new ProcessingService({
        db: db2,
        clock: t.clock,
        log,
        secrets: t.services.secrets,
        jobs: new JobSystem({ db: db2, clock: t.clock, log, processId: 'process-b' }),
        audit: new AuditLog({ db: db2, clock: t.clock }),
        events: t.services.events,
        tickets: new TicketService({ db: db2, clock: t.clock, log, mail: mail2 }),
      });
      other.registerModule(mod);
      const [a, b] = await Promise.all([t.services.processing.runDue(), other.runDue()]);
      expect(a.claimed + b.claimed).toBe(12);
      expect(a.done + b.done).toBe(12);
    } finally {
      if (db2 !== t.services.db) await db2.destroy();
    }
    const ids = mod.calls.map((c) => c.operationId);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    const statuses = await t.services.db('core_services').whereIn('id', serviceIds).distinct('status');
    expect(statuses).toEqual([{ status: 'active' }]);
  });

  it('runs an operation again once the lease of a runner that died mid-call has expired', async () => {
    const mod = scriptedModule('idem', { open: () => ({ externalId: 'remote-1' }) });
    t = await processingApp({ modules: [mod] });
    const { serviceId } = await serviceOnServer(t, { module: 'idem', itemType: 'vds' });
    const opId = await enqueue(t, { serviceId, op: 'open' });
    // What a crash leaves behind: claimed, attempt counted, no outcome.
    await t.services.db('core_service_operations').where({ id: opId }).update({ status: 'running', attempts: 1, locked_by: 'dead-process', locked_until: '2026-03-02T09:01:00.000Z' });
    expect((await t.services.processing.runDue()).claimed).toBe(0); // the lease still holds
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('in_progress');
    t.clock.advance(61_000);
    expect(await t.services.processing.runDue()).toMatchObject({ claimed: 1, done: 1 });
    expect(await operationRow(t.services.db, opId)).toMatchObject({ status: 'done', attempts: 2, locked_by: null });
    expect(mod.calls).toEqual([{ op: 'open', operationId: opId, attempt: 2 }]);
    expect((await serviceRow(t.services.db, serviceId)).status).toBe('active');
  });
});

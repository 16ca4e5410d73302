// Plugins hear about settled operations, paid invoices and new tickets, after the change has committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { ProcessingError, type ProcessingModule } from '../../core/processing/types.ts';
import type { TrellisEvents } from '../../core/events/bus.ts';
import { enqueue, processingApp, serviceOnServer } from './fixtures.ts';
import { insertClient } from '../billing/ledger-fixtures.ts';
import { createInvoice } from '../../core/billing/invoices/create.ts';

const ok: ProcessingModule = { name: 'ok-test', title: 'Works', features: ['suspend'], async suspend() { return {}; } };
const refusing: ProcessingModule = {
  name: 'refuse-test', title: 'Refuses', features: ['open'],
  async open() { throw new ProcessingError('permanent', 'No such tariff'); },
};

let t: TestApp;
const heard: { event: string; payload: unknown; committed: boolean }[] = [];

beforeAll(async () => {
  t = await processingApp({ modules: [ok, refusing] });
  const listen = <E extends keyof TrellisEvents & string>(event: E, check: (p: TrellisEvents[E]) => Promise<boolean>) =>
    t.services.events.on(event, async (payload) => void heard.push({ event, payload, committed: await check(payload) }));
  listen('service.operation', async (p) => Boolean(await t.services.db('core_service_operations').where({ id: p.operationId, status: p.status }).first('id')));
  listen('invoice.paid', async (p) => Boolean(await t.services.db('core_invoices').where({ id: p.invoiceId, status: 'paid' }).first('id')));
  listen('ticket.opened', async (p) => Boolean(await t.services.db('core_tickets').where({ id: p.ticketId }).first('id')));
});
afterAll(async () => {
  await t.destroy();
});

const settled = () => new Promise((r) => setTimeout(r, 30));

describe('events', () => {
  it('service.operation for done, failed and manual operations, with the state already saved', async () => {
    const done = await serviceOnServer(t, { module: 'ok-test', itemType: 'vds', name: 'ok.example.test' }, { status: 'active' });
    const failed = await serviceOnServer(t, { module: 'refuse-test', itemType: 'dedicated', name: 'no.example.test', notifyErrors: true });
    const opDone = await enqueue(t, { serviceId: done.serviceId, op: 'suspend' });
    const opFailed = await enqueue(t, { serviceId: failed.serviceId, op: 'open' });
    await t.services.processing.runDue();
    await settled();
    const ops = heard.filter((h) => h.event === 'service.operation');
    expect(ops.map((h) => h.payload)).toEqual(
      expect.arrayContaining([
        { operationId: opDone, serviceId: done.serviceId, op: 'suspend', status: 'done' },
        { operationId: opFailed, serviceId: failed.serviceId, op: 'open', status: 'failed', error: 'No such tariff' },
      ]),
    );
    expect(ops.every((h) => h.committed)).toBe(true);
    // Notify about errors was on: the failure opened a ticket, announced after its commit too.
    const tickets = heard.filter((h) => h.event === 'ticket.opened');
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ committed: true, payload: { origin: 'system' } });
  });

  it('invoice.paid once the payment has committed, and only once for a replayed payment', async () => {
    const clientId = await insertClient(t.services.db);
    const inv = await t.services.db.transaction((trx) => createInvoice(trx, { clientId, currency: 'USD', kind: 'manual', lines: [{ kind: 'manual', description: 'Consulting', quantity: 1, unitPrice: 5000 }], at: '2026-03-02T09:00:00.000Z', enteredOn: '2026-03-02', dueOn: '2026-03-09', taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-' }));
    const pay = () => t.services.billing.recordPayment({ invoiceId: inv.id, amount: 5000, currency: 'USD', gateway: 'manual', externalId: 'wire-1', method: 'Bank transfer' });
    await pay();
    await pay();
    await settled();
    const paid = heard.filter((h) => h.event === 'invoice.paid');
    expect(paid).toEqual([{ event: 'invoice.paid', committed: true, payload: { invoiceId: inv.id, clientId, number: inv.number, total: 5000, currency: 'USD' } }]);
  });
});

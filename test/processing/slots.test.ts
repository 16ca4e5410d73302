// The sections processing and support add to other pages through UI slots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import type { TestApp } from '../helpers/app.ts';
import { setupSupport, CLIENT_DETAIL_SLOT } from '../../core/support/setup.ts';
import { setupProcessing, SERVICE_DETAIL_SLOT } from '../../core/processing/setup.ts';
import { enqueue, insertClient, processingApp, serviceOnServer } from './fixtures.ts';

let t: TestApp;
beforeAll(async () => {
  t = await processingApp();
});
afterAll(async () => {
  await t.destroy();
});

describe('the client page section', () => {
  it('lists that client’s tickets only, newest first, with links', async () => {
    const ada = await insertClient(t.services.db, { name: 'Ada' });
    const bob = await insertClient(t.services.db, { name: 'Bob', email: 'bob@client.test' });
    const first = await t.services.tickets.open({ subject: 'Old <b>question</b>', body: '?', departmentId: null, clientId: ada, author: { type: 'client', label: 'Ada' } });
    t.clock.advance(60_000);
    await t.services.tickets.open({ subject: 'New question', body: '?', departmentId: null, clientId: ada, author: { type: 'client', label: 'Ada' } });
    await t.services.tickets.open({ subject: 'Bob’s question', body: '?', departmentId: null, clientId: bob, author: { type: 'client', label: 'Bob' } });
    setupSupport(t.services); // a second call adds nothing
    const $ = cheerio.load(await t.services.slots.render(CLIENT_DETAIL_SLOT, { clientId: ada }));
    expect($('section.client-tickets').length).toBe(1);
    expect($('tbody tr td:nth-child(2)').map((_, td) => $(td).text()).get()).toEqual(['New question', 'Old <b>question</b>']);
    expect($(`a[href="/admin/support/tickets/${first}"]`).length).toBe(2);
    expect(await t.services.slots.render(CLIENT_DETAIL_SLOT, { clientId: 'x' })).toBe('');
  });
});

describe('the service page section', () => {
  it('shows the service’s operation log', async () => {
    const { serviceId } = await serviceOnServer(t, { module: 'manual' });
    await enqueue(t, { serviceId, op: 'open' });
    await t.services.processing.runDue();
    setupProcessing(t.services);
    const $ = cheerio.load(await t.services.slots.render(SERVICE_DETAIL_SLOT, { serviceId }));
    expect($('section.service-operations').length).toBe(1);
    expect($('tbody tr').length).toBe(1);
    expect($('tbody tr').text()).toMatch(/Set up/);
    expect($('tbody .badge-warning').text()).toBe('manual');
  });
});

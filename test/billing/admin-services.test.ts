// The service pages: the list with its filters, the service page, and staff actions — those that reach the
// upstream system queue an operation and change the status only when it completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../helpers/app.ts';
import { setupBillingAdmin } from '../../core/billing/admin/setup.ts';
import { insertClient, insertPackage, insertService, AT } from './ledger-fixtures.ts';
import { insertedId } from '../../core/billing/invoices/store.ts';

let t: TestApp;
let admin: Agent;
let support: Agent;
const ids = { client: 0, other: 0, pkg: 0, period: 0, domainPkg: 0, server: 0, server2: 0 };

const text = (page: PageResult, selector: string) => page.$(selector).text().replace(/\s+/g, ' ').trim();
const listed = (page: PageResult) => page.$('#services-table tbody tr td:first-child a').map((_, a) => Number(page.$(a).text())).get();
const db = (): Knex => t.services.db;

async function status(id: number): Promise<string> {
  return ((await db()('core_services').where({ id }).first('status')) as { status: string }).status;
}

async function operations(serviceId: number): Promise<{ id: number; op: string; status: string; payload: string }[]> {
  return (await db()('core_service_operations').where({ service_id: serviceId }).orderBy('id').select('id', 'op', 'status', 'payload')) as { id: number; op: string; status: string; payload: string }[];
}

async function server(name: string, itemType = 'hosting'): Promise<number> {
  const [row] = await db()('core_processing_servers').insert({ name, module: 'manual', item_type: itemType, url: `https://${name}/`, created_at: AT, updated_at: AT }).returning('id');
  return insertedId(row);
}

/** Follows a POST's redirect back to the page and returns it. */
async function act(url: string, fields: Record<string, string> = {}): Promise<PageResult> {
  const res = await admin.post(url, fields);
  expect(res.status, res.$('.field-error, .flash-error').text()).toBe(303);
  return admin.get(res.res.headers.get('location')!);
}

async function completeOperation(opId: number): Promise<void> {
  await t.services.processing.runDue();
  const res = await admin.post(`/admin/processing/operations/${opId}/complete`, { staff_note: '' });
  expect(res.status).toBe(303);
}

beforeAll(async () => {
  t = await createTestApp();
  setupBillingAdmin(t.services);
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  await t.createUser('staff', 'support@example.test', { role: 'support' });
  admin = t.agent();
  await admin.login('staff', 'admin@example.test');
  support = t.agent();
  await support.login('staff', 'support@example.test');
  ids.client = await insertClient(db(), { name: 'Anna Berg' });
  ids.other = await insertClient(db(), { name: 'Boris Ivanov' });
  const p = await insertPackage(db(), { name: 'Web Start' });
  ids.pkg = p.packageId;
  ids.period = p.periodId;
  await db()('core_package_prices').insert({ period_id: p.periodId, currency: 'USD', price: 1000, setup_fee: 0 });
  ids.domainPkg = (await insertPackage(db(), { name: 'Domain .test', itemType: 'domain' })).packageId;
  ids.server = await server('web1.example.test');
  ids.server2 = await server('dns1.example.test', 'domain');
});
afterAll(async () => {
  await t?.destroy();
});

describe('the service list', () => {
  it('filters by status, kind, server and client, pages and sorts with plain links, and answers htmx with the table', async () => {
    const made: Record<string, number[]> = { active: [], suspended_staff: [], pending: [], domain: [], other: [] };
    for (let i = 0; i < 24; i++) made.active!.push(await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server, expiresOn: `2026-04-${String(i + 1).padStart(2, '0')}`, label: `site${i}.test` }));
    for (let i = 0; i < 2; i++) made.suspended_staff!.push(await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'suspended_staff', serverId: ids.server }));
    made.pending!.push(await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'pending', expiresOn: null }));
    made.domain!.push(await insertService(db(), { clientId: ids.client, packageId: ids.domainPkg, itemType: 'domain', status: 'active', serverId: ids.server2, label: 'example.test' }));
    made.other!.push(await insertService(db(), { clientId: ids.other, packageId: ids.pkg, status: 'active', serverId: ids.server }));

    const all = await admin.get('/admin/billing/services');
    expect(all.status).toBe(200);
    expect(text(all, '.page-info')).toBe('Page 1 of 2 · 29 in all');
    expect(listed(all)[0]).toBe(made.other![0]); // newest first
    // Unfiltered, the expiry column is not a sort link (no index orders all services by it).
    expect(all.$('#services-table th a').map((_, a) => all.$(a).text().replace(/[▲▼]/g, '').trim()).get()).toEqual(['#', 'Kind', 'Status']);
    const row = all.$(`#services-table tbody tr:has(a[href="/admin/billing/services/${made.domain![0]}"])`);
    expect(row.find('td').map((_, td) => all.$(td).text().trim()).get()).toEqual([String(made.domain![0]), 'Domain .test (example.test)', 'Anna Berg', 'Domain names', 'Active', '2026-03-10', '10.00 USD / 1 month', 'dns1.example.test']);

    const suspended = await admin.get('/admin/billing/services?status=suspended_staff');
    expect(listed(suspended).sort()).toEqual([...made.suspended_staff!].sort());
    expect(suspended.$('#svc-status option[selected]').attr('value')).toBe('suspended_staff');
    expect(listed(await admin.get('/admin/billing/services?type=domain'))).toEqual(made.domain);
    expect(listed(await admin.get(`/admin/billing/services?server=${ids.server2}`))).toEqual(made.domain);
    const ofOther = await admin.get(`/admin/billing/services?client=${ids.other}`);
    expect(listed(ofOther)).toEqual(made.other);
    expect(text(ofOther, 'caption')).toBe('Services of Boris Ivanov');
    expect(listed(await admin.get('/admin/billing/services?status=nonsense')).length).toBe(25);

    const active = await admin.get('/admin/billing/services?status=active&type=hosting');
    const byExpiry = active.$('#services-table th a').filter((_, a) => active.$(a).text().includes('Expires')).attr('href')!;
    expect(byExpiry).toBe('/admin/billing/services?status=active&type=hosting&sort=expires_on&dir=asc');
    const sorted = await admin.get(byExpiry);
    // Boris's service expires on 2026-03-10, before all of Anna's in April.
    expect(listed(sorted).slice(0, 3)).toEqual([made.other![0], made.active![0], made.active![1]]);
    expect(listed(await admin.get(byExpiry.replace('dir=asc', 'dir=desc')))[0]).toBe(made.active!.at(-1));
    const next = all.$('a[rel="next"]').attr('href')!;
    expect(next).toBe('/admin/billing/services?page=2');
    expect(listed(await admin.get(next))).toEqual(made.active!.slice(0, 4).reverse());

    const fragment = await admin.get('/admin/billing/services?status=pending', { 'hx-request': 'true' });
    expect(fragment.html).not.toMatch(/<html|side-nav/);
    expect(listed(fragment)).toEqual(made.pending);
  });
});

describe('the service page', () => {
  it('shows the client, package, period, price, status with its invoicing rule, expiry, server, parent and children, history and operation log', async () => {
    const parent = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server, label: 'parent.test' });
    const child = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'suspended_nonpayment', serverId: ids.server, label: 'child.test' });
    await db()('core_services').where({ id: child }).update({ parent_id: parent, params: JSON.stringify({ domain: 'child.test', ip: '192.0.2.7' }), external_id: 'EXT-7', suspend_reason: 'Invoice overdue' });
    await db()('core_service_history').insert({ service_id: child, at: AT, from_status: 'active', to_status: 'suspended_nonpayment', actor_type: 'system', actor_label: 'billing automation', reason: 'Invoice overdue' });

    const page = await admin.get(`/admin/billing/services/${child}`);
    expect(page.status).toBe(200);
    expect(text(page, 'h1')).toBe('Web Start (child.test) Suspended for non-payment');
    const details = text(page, '#svc-h + dl');
    expect(details).toContain('Anna Berg');
    expect(details).toContain('Period1 month');
    expect(details).toContain('Price10.00 USD per period');
    expect(text(page, '.billing-rule')).toBe('Invoiced only if the operator invoices suspended services. This panel does not invoice suspended services (Billing settings), so it is not invoiced now.');
    expect(details).toContain('Suspended because: Invoice overdue');
    expect(details).toContain('Expires2026-03-10');
    const prov = text(page, '#prov-h + dl');
    expect(prov).toContain('web1.example.test (manual)');
    expect(prov).toContain('EXT-7');
    expect(prov).toContain(`#${parent} parent.test`);
    expect(page.$('#prov-h ~ dl.details:last-of-type dt').map((_, dt) => page.$(dt).text()).get()).toEqual(['domain', 'ip']);
    expect(text(page, '#hist-h + .table-wrap tbody')).toContain('Active → Suspended for non-payment billing automation (system) Invoice overdue');
    expect(page.$('.service-operations').length).toBe(1); // the processing slot
    expect(page.$('#act-h').length).toBe(1);
    expect(page.$(`form[action="/admin/billing/services/${child}/resume"]`).length).toBe(1);
    expect(page.$(`form[action="/admin/billing/services/${child}/suspend"]`).length).toBe(0);

    const parentPage = await admin.get(`/admin/billing/services/${parent}`);
    expect(text(parentPage, '#prov-h + dl')).toContain(`#${child} child.test Suspended for non-payment`);
  });

  it('answers 404 for a service that does not exist', async () => {
    expect((await admin.get('/admin/billing/services/999999')).status).toBe(404);
  });

  it('lets support staff look but not act', async () => {
    const id = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server });
    expect((await support.get('/admin/billing/services')).status).toBe(200);
    const page = await support.get(`/admin/billing/services/${id}`);
    expect(page.status).toBe(200);
    expect(page.$('#act-h').length).toBe(0);
    expect((await support.post(`/admin/billing/services/${id}/suspend`, {})).status).toBe(403);
    expect(await operations(id)).toEqual([]);
    expect((await support.get('/admin/billing/invoices')).status).toBe(403);
  });
});

describe('actions through the processing module', () => {
  it('requests a suspension, leaves the status until the operation completes, then offers Resume', async () => {
    const id = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server });
    const page = await act(`/admin/billing/services/${id}/suspend`, { reason: 'Abuse report #12' });
    const [op] = await operations(id);
    expect(op).toMatchObject({ op: 'suspend', status: 'pending' });
    expect(JSON.parse(op!.payload)).toEqual({ status: 'suspended_staff', reason: 'Abuse report #12' });
    expect(text(page, '.flash-success')).toBe(`Suspension requested — the status changes when the processing module confirms. (Operation #${op!.id}.)`);
    expect(text(page, 'h1 .badge')).toBe('Active');
    expect(text(page, '.billing-pending')).toContain(`Suspend requested — operation #${op!.id} is pending`);
    // Asking twice queues nothing more.
    await act(`/admin/billing/services/${id}/suspend`, {});
    expect((await operations(id)).length).toBe(1);

    await completeOperation(op!.id);
    expect(await status(id)).toBe('suspended_staff');
    const suspended = await admin.get(`/admin/billing/services/${id}`);
    expect(text(suspended, '.billing-rule')).toContain('Invoiced only if the operator invoices suspended services.');
    expect(text(suspended, '#svc-h + dl')).toContain('Suspended because: Abuse report #12');

    const resumed = await act(`/admin/billing/services/${id}/resume`);
    expect(text(resumed, '.flash-success')).toMatch(/^Resumption requested — the status changes when the processing module confirms\./);
    const resume = (await operations(id)).at(-1)!;
    expect(resume.op).toBe('resume');
    await completeOperation(resume.id);
    expect(await status(id)).toBe('active');
  });

  it('refuses to resume a service that is not suspended, and to suspend one that is pending', async () => {
    const active = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server });
    const page = await act(`/admin/billing/services/${active}/resume`);
    expect(text(page, '.flash-error')).toBe('Only a suspended service can be resumed; this one is active.');
    const pending = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'pending', expiresOn: null });
    expect(text(await act(`/admin/billing/services/${pending}/suspend`), '.flash-error')).toBe('A service that is pending cannot be suspended by staff.');
    expect(text(await act(`/admin/billing/services/${pending}/terminate`), '.flash-error')).toBe('A service that is pending cannot be terminated: cancel the order instead.');
    expect(await operations(active)).toEqual([]);
    expect(await operations(pending)).toEqual([]);
  });

  it('terminates through a close operation: cancelled once it completes', async () => {
    const id = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server });
    const page = await act(`/admin/billing/services/${id}/terminate`);
    expect(text(page, '.flash-success')).toMatch(/^Termination requested — the service is cancelled when the processing module confirms\./);
    const [op] = await operations(id);
    expect(op!.op).toBe('close');
    expect(await status(id)).toBe('active');
    await completeOperation(op!.id);
    expect(await status(id)).toBe('cancelled');
    const closed = await admin.get(`/admin/billing/services/${id}`);
    expect(closed.$('.billing-actions form').length).toBe(0);
  });
});

describe('actions on the billing record', () => {
  it('cancels a pending order together with its unpaid order invoice', async () => {
    const placed = await t.services.billing.placeOrder({ clientId: ids.client, packageId: ids.pkg, periodId: ids.period, label: 'cancel.test', actor: { type: 'system', label: 'test' } });
    const page = await act(`/admin/billing/services/${placed.serviceId}/cancel-order`);
    expect(text(page, '.flash-success')).toBe(`The order was cancelled, and invoice ${placed.invoiceNumber} with it.`);
    expect(await status(placed.serviceId)).toBe('cancelled');
    expect(((await db()('core_invoices').where({ id: placed.invoiceId }).first('status')) as { status: string }).status).toBe('cancelled');
    expect(text(page, '#hist-h + .table-wrap tbody tr:first-child')).toContain(`Invoice ${placed.invoiceNumber} cancelled`);
  });

  it('does not cancel an order whose invoice has received money', async () => {
    const placed = await t.services.billing.placeOrder({ clientId: ids.client, packageId: ids.pkg, periodId: ids.period, actor: { type: 'system', label: 'test' } });
    await t.services.billing.recordPayment({ invoiceId: placed.invoiceId, amount: 500, currency: 'USD', gateway: 'manual', externalId: `part-${placed.invoiceId}`, method: 'Cash' });
    const page = await act(`/admin/billing/services/${placed.serviceId}/cancel-order`);
    expect(text(page, '.flash-error')).toBe(`Invoice ${placed.invoiceNumber} has received 5.00 USD: refund the payment first, then cancel the order.`);
    expect(await status(placed.serviceId)).toBe('pending');
  });

  it('turns auto-renew off and on, recording who did it in the history', async () => {
    const id = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server });
    const off = await act(`/admin/billing/services/${id}/auto-renew`, { auto_renew: '0' });
    expect(text(off, '.flash-success')).toMatch(/^Auto-renew is off/);
    expect(text(off, '#svc-h + dl')).toContain('Auto-renewoff: no renewal invoice');
    expect(text(off, '#hist-h + .table-wrap tbody tr:first-child')).toBe(`${off.$('#hist-h + .table-wrap tbody tr:first-child td').first().text().trim()} Active admin@example.test (staff) Auto-renew turned off`);
    expect(off.$(`form[action$="/auto-renew"] input[name="auto_renew"]`).attr('value')).toBe('1');
    const on = await act(`/admin/billing/services/${id}/auto-renew`, { auto_renew: '1' });
    expect(text(on, '#svc-h + dl')).toContain('Auto-renewon');
    expect(await status(id)).toBe('active');
  });

  it.each([
    ['not a date at all', 'next week', /Enter the date as YYYY-MM-DD/],
    ['a day that does not exist', '2026-02-30', /This is not a date of the calendar/],
    ['an empty field', '', /Enter the date as YYYY-MM-DD/],
  ])('refuses %s as the expiry date beside the field, and changes nothing', async (_what, value, message) => {
    const id = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server, expiresOn: '2026-04-02' });
    const history = await db()('core_service_history').where({ service_id: id }).count({ n: '*' });
    const res = await admin.post(`/admin/billing/services/${id}/expiry`, { expires_on: value });
    expect(res.status).toBe(400);
    expect(res.$('#f-expires_on-error').text()).toMatch(message);
    expect(res.$('#f-expires_on').attr('value')).toBe(value);
    expect(((await db()('core_services').where({ id }).first('expires_on')) as { expires_on: string }).expires_on).toBe('2026-04-02');
    expect(await db()('core_service_history').where({ service_id: id }).count({ n: '*' })).toEqual(history);
  });

  it('changes the expiry date and says so in the history', async () => {
    const id = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server, expiresOn: '2026-04-02' });
    const page = await act(`/admin/billing/services/${id}/expiry`, { expires_on: '2026-05-15' });
    expect(text(page, '.flash-success')).toMatch(/^The service now expires on 2026-05-15\./);
    expect(text(page, '#svc-h + dl')).toContain('Expires2026-05-15');
    expect(text(page, '#hist-h + .table-wrap tbody tr:first-child')).toContain('Expiry date changed from 2026-04-02 to 2026-05-15');
  });

  it('marks an active service as fraud and asks its server to suspend it', async () => {
    const id = await insertService(db(), { clientId: ids.client, packageId: ids.pkg, status: 'active', serverId: ids.server });
    const page = await act(`/admin/billing/services/${id}/fraud`);
    expect(text(page, '.flash-success')).toBe(`Service #${id} is marked as fraudulent; suspension on its server was requested.`);
    expect(await status(id)).toBe('fraud');
    expect((await operations(id)).map((o) => o.op)).toEqual(['suspend']);
    expect(text(page, '.billing-rule')).toBe('Not invoiced.');
  });

  it('marks a pending order as fraud and cancels its invoice', async () => {
    const placed = await t.services.billing.placeOrder({ clientId: ids.client, packageId: ids.pkg, periodId: ids.period, actor: { type: 'system', label: 'test' } });
    const page = await act(`/admin/billing/services/${placed.serviceId}/fraud`);
    expect(text(page, '.flash-success')).toBe(`Service #${placed.serviceId} is marked as fraudulent; invoice ${placed.invoiceNumber} was cancelled.`);
    expect(await status(placed.serviceId)).toBe('fraud');
    expect(((await db()('core_invoices').where({ id: placed.invoiceId }).first('status')) as { status: string }).status).toBe('cancelled');
    expect(await operations(placed.serviceId)).toEqual([]);
  });
});

// Billing → Notice templates: the operator edits what billing e-mails say. What is saved is what the
// next e-mail says; a template that does not parse or names a variable the notice is not given is
// refused beside its field and changes nothing; Preview renders sample data; only admin and billing
// staff may use the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../helpers/app.ts';
import { AT, insertClient, insertPackage, insertService } from './ledger-fixtures.ts';
import { DEFAULT_NOTICES, NOTICES_SETTINGS_KEY } from '../../core/billing/notifications.ts';

let t: TestApp;
let admin: Agent;
const BASE = '/admin/billing/notices';

beforeAll(async () => {
  t = await createTestApp();
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  await t.createUser('staff', 'billing@example.test', { role: 'billing' });
  await t.createUser('staff', 'support@example.test', { role: 'support' });
  admin = t.agent();
  await admin.login('staff', 'admin@example.test');
});
afterAll(async () => {
  await t?.destroy();
});

const db = () => t.services.db;
const error = (page: PageResult, field: string) => page.$(`#f-${field}-error`).text();
const saved = async () => {
  const row = (await db()('core_settings').where({ key: NOTICES_SETTINGS_KEY }).first('value')) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as Record<string, { subject: string; text: string }>) : {};
};
const auditRows = (action: string) => db()('core_audit_log').where({ action }).orderBy('id').select('actor_label', 'target', 'details');
const rowOf = (page: PageResult, kind: string) => page.$(`#notices-table tr[data-kind="${kind}"]`);

/** A renewal invoice for a new client, through the real job; returns the client's e-mail and what it was sent. */
async function renewalMail(): Promise<{ subject: string; text: string; number: string; id: number }> {
  const { packageId } = await insertPackage(db(), { name: 'Hosting' });
  const clientId = await insertClient(db(), { name: 'Grace Hopper' });
  await db()('core_contacts').insert({ client_id: clientId, is_primary: true, first_name: 'Grace', last_name: 'Hopper', email: `grace${clientId}@example.test`, country: 'US', email_actions: '["invoices"]', created_at: AT, updated_at: AT });
  const serviceId = await insertService(db(), { clientId, packageId, price: 2500, label: 'grace.test' });
  const run = await t.services.jobs.runOnce('core.billing.renewals', 'manual');
  expect(run.status).toBe('ok');
  const inv = (await db()('core_invoices as i').join('core_invoice_lines as l', 'l.invoice_id', 'i.id').where('l.service_id', serviceId).first('i.id', 'i.number')) as { id: number; number: string };
  const mail = (await db()('core_outbox').where({ to: `grace${clientId}@example.test` }).first('subject', 'text')) as { subject: string; text: string };
  return { ...mail, ...inv };
}

describe('the notice templates page', () => {
  it('lists every notice with its subject, the contacts’ setting it follows and whether it was changed', async () => {
    const page = await admin.get(BASE);
    expect(page.status).toBe(200);
    expect(page.$('#notices-table tbody tr')).toHaveLength(6);
    const created = rowOf(page, 'invoice_created');
    expect(created.find('th a').attr('href')).toBe(`${BASE}/invoice_created`);
    expect(created.text()).toContain(DEFAULT_NOTICES.invoice_created.subject);
    expect(created.text()).toContain('Invoices and payment reminders');
    expect(created.text()).toContain('Default');
    expect(rowOf(page, 'payment_received').text()).toContain('Payment receipts');
    expect(rowOf(page, 'service_suspended').text()).toContain('Service notices');
    expect(page.$(`nav a[href="${BASE}"]`).text()).toContain('Notice templates');
  });

  it('saves a template, and the next invoice e-mail says what was saved', async () => {
    const form = await admin.get(`${BASE}/invoice_created`);
    expect(form.status).toBe(200);
    expect(form.$('#f-subject').attr('value')).toBe(DEFAULT_NOTICES.invoice_created.subject);
    expect(form.$('#f-text').text()).toBe(DEFAULT_NOTICES.invoice_created.text);
    // The variables the notice is given are listed beside the form.
    const variables = form.$('.notice-variables').text();
    for (const v of ['{{client.name}}', '{{invoice.number}}', '{{invoice.total}}', '{{invoice.due_on}}', '{{links.invoice}}', '{{#lines}}', '{{description}}', '{{amount}}']) expect(variables).toContain(v);

    const text = 'Hello {{client.name}},\r\n\r\nbill {{invoice.number}} of {{invoice.total}} is due {{invoice.due_on}}.\r\n{{#lines}}* {{description}} = {{amount}}\r\n{{/lines}}Pay: {{links.invoice}}\r\n';
    const res = await admin.post(`${BASE}/invoice_created`, { subject: '  Your bill   {{invoice.number}} ({{invoice.total}}) ', text });
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe(BASE);
    expect((await saved()).invoice_created).toEqual({ subject: 'Your bill {{invoice.number}} ({{invoice.total}})', text: text.replace(/\r\n/g, '\n') });
    const list = await admin.get(BASE);
    expect(list.$('.flash-success').text()).toContain('“New invoice” notice was saved');
    expect(rowOf(list, 'invoice_created').text()).toContain('Customised');
    expect(rowOf(list, 'invoice_reminder').text()).toContain('Default');
    const [entry] = await auditRows('billing.notice_saved');
    expect(entry).toMatchObject({ actor_label: 'admin@example.test', target: 'notice:invoice_created' });
    expect(JSON.parse(entry!.details)).toMatchObject({ subject: { from: DEFAULT_NOTICES.invoice_created.subject, to: 'Your bill {{invoice.number}} ({{invoice.total}})' }, text: { from: DEFAULT_NOTICES.invoice_created.text }, isDefault: false });

    const mail = await renewalMail();
    expect(mail.subject).toBe(`Your bill ${mail.number} (25.00 USD)`);
    expect(mail.text).toBe(`Hello Grace Hopper,\n\nbill ${mail.number} of 25.00 USD is due 2026-03-10.\n* Renewal of Hosting (grace.test), 1 month: 2026-03-10 – 2026-04-09 = 25.00 USD\nPay: http://127.0.0.1:3000/client/invoices/${mail.id}\n`);
  });

  it('refuses a template that does not parse, beside its field, keeps what was typed and saves nothing', async () => {
    const before = [await saved(), (await db()('core_audit_log').count({ n: '*' }))[0]];
    const typed = 'Dear {{client.name}},\n{{#lines}}- {{description}}\n';
    const page = await admin.post(`${BASE}/invoice_reminder`, { subject: 'Reminder {{invoice.number}}', text: typed });
    expect(page.status).toBe(400);
    expect(error(page, 'text')).toMatch(/^Check the \{\{…\}\} tags: Unclosed section "lines"/);
    expect(error(page, 'subject')).toBe('');
    expect(page.$('#f-text').text()).toBe(typed);
    expect(page.$('#f-subject').attr('value')).toBe('Reminder {{invoice.number}}');
    expect([await saved(), (await db()('core_audit_log').count({ n: '*' }))[0]]).toEqual(before);
  });

  it('refuses a variable the notice is not given, and an empty or overlong subject', async () => {
    const unknown = await admin.post(`${BASE}/payment_received`, { subject: 'Thanks for {{payment.amount}} on {{service.name}}', text: DEFAULT_NOTICES.payment_received.text });
    expect(unknown.status).toBe(400);
    expect(error(unknown, 'subject')).toBe('{{service.name}} is not a variable of this notice; use the ones listed beside the form');
    expect(unknown.$('#f-subject').attr('value')).toBe('Thanks for {{payment.amount}} on {{service.name}}');
    const empty = await admin.post(`${BASE}/payment_received`, { subject: '   ', text: '' });
    expect(error(empty, 'subject')).toBe('Enter the subject');
    expect(error(empty, 'text')).toBe('Enter the text of the e-mail');
    expect(error(await admin.post(`${BASE}/payment_received`, { subject: 'x'.repeat(201), text: 'Hi' }), 'subject')).toBe('Use at most 200 characters');
    expect((await saved()).payment_received).toBeUndefined();
  });

  it('previews with sample data, without JavaScript and as an htmx swap, and saves nothing', async () => {
    const before = await saved();
    const fields = { subject: 'Overdue: {{invoice.number}} ({{stage}})', text: 'Dear {{client.name}}, pay {{invoice.total}}{{#suspend_on}} before {{suspend_on}}{{/suspend_on}}.', preview: '1' };
    const page = await admin.post(`${BASE}/invoice_overdue`, fields);
    expect(page.status).toBe(200);
    expect(page.$('#notice-preview .preview-subject').text()).toBe('Overdue: INV-000123 (1st overdue notice)');
    expect(page.$('#notice-preview .preview-text').text()).toBe('Dear Ada Lovelace, pay 59.00 EUR before 2026-04-08.');
    expect(page.$('#f-subject').attr('value')).toBe(fields.subject);
    expect(page.$('header, nav').length).toBeGreaterThan(0);

    const swap = await admin.post(`${BASE}/invoice_overdue`, fields, { headers: { 'HX-Request': 'true' } });
    expect(swap.status).toBe(200);
    expect(swap.html).not.toContain('<html');
    expect(swap.$('#notice-preview .preview-subject').text()).toBe('Overdue: INV-000123 (1st overdue notice)');

    const broken = await admin.post(`${BASE}/invoice_overdue`, { ...fields, text: 'Pay {{invoice.totl}}' }, { headers: { 'HX-Request': 'true' } });
    expect(broken.status).toBe(200);
    expect(broken.$('#notice-preview').text()).toContain('{{invoice.totl}} is not a variable');
    expect(broken.$('#notice-preview .preview-text')).toHaveLength(0);
    expect(await saved()).toEqual(before);
  });

  it('restores the default, and the next e-mail uses it again', async () => {
    await admin.post(`${BASE}/invoice_created`, { subject: 'Custom {{invoice.number}}', text: 'Custom text' });
    expect((await saved()).invoice_created?.subject).toBe('Custom {{invoice.number}}');
    const form = await admin.get(`${BASE}/invoice_created`);
    expect(form.$('form[action$="/restore"] button').text()).toBe('Restore default');
    const res = await admin.post(`${BASE}/invoice_created/restore`);
    expect(res.status).toBe(303);
    expect((await saved()).invoice_created).toBeUndefined();
    const after = await admin.get(res.res.headers.get('location')!);
    expect(after.$('.flash-success').text()).toContain('is the default again');
    expect(after.$('#f-subject').attr('value')).toBe(DEFAULT_NOTICES.invoice_created.subject);
    expect(after.$('form[action$="/restore"]')).toHaveLength(0);
    expect(rowOf(await admin.get(BASE), 'invoice_created').text()).toContain('Default');
    const restored = await auditRows('billing.notice_restored');
    expect(restored).toHaveLength(1);
    expect(JSON.parse(restored[0]!.details)).toMatchObject({ subject: { from: 'Custom {{invoice.number}}', to: DEFAULT_NOTICES.invoice_created.subject } });

    const mail = await renewalMail();
    expect(mail.subject).toBe(`Invoice ${mail.number}: 25.00 USD due 2026-03-10`);
  });

  it('is for admin and billing staff only', async () => {
    const support = t.agent();
    await support.login('staff', 'support@example.test');
    expect((await support.get(BASE)).status).toBe(403);
    expect((await support.get(`${BASE}/invoice_created`)).status).toBe(403);
    const before = await saved();
    expect((await support.post(`${BASE}/invoice_created`, { subject: 'Hacked {{invoice.number}}', text: 'x' })).status).toBe(403);
    expect((await support.post(`${BASE}/service_suspended/restore`)).status).toBe(403);
    expect(await saved()).toEqual(before);
    expect((await support.get('/admin/billing/services')).$(`nav a[href="${BASE}"]`)).toHaveLength(0);

    const billing = t.agent();
    await billing.login('staff', 'billing@example.test');
    expect((await billing.get(BASE)).status).toBe(200);
    expect((await billing.post(`${BASE}/service_activated`, { subject: 'Ready: {{service.name}}', text: 'Hi {{client.name}}' })).status).toBe(303);
    expect((await saved()).service_activated).toEqual({ subject: 'Ready: {{service.name}}', text: 'Hi {{client.name}}' });
  });

  it('answers 404 for a notice that does not exist', async () => {
    expect((await admin.get(`${BASE}/invoice_deleted`)).status).toBe(404);
    expect((await admin.post(`${BASE}/invoice_deleted`, { subject: 'x', text: 'y' })).status).toBe(404);
  });
});

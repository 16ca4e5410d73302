// E-mails billing sends (new invoice, reminders, suspension): logic-less templates an operator may edit.
import type { Knex } from 'knex';
import type { Mailer } from '../mail/mailer.ts';
import type { SettingsStore } from '../settings/store.ts';
import { renderTemplateText } from '../views/logicless.ts';
import { contactsReceiving, getPrimaryContact, type EmailAction } from './clients/index.ts';

/** Which contact e-mail setting (seed 003 "e-mail actions") a notice belongs to. */
const ACTION_OF: Record<NoticeKind, EmailAction> = {
  invoice_created: 'invoices',
  invoice_reminder: 'invoices',
  invoice_overdue: 'invoices',
  payment_received: 'payment_receipts',
  service_suspended: 'service_notices',
  service_activated: 'service_notices',
};

export type NoticeKind = 'invoice_created' | 'invoice_reminder' | 'invoice_overdue' | 'payment_received' | 'service_suspended' | 'service_activated';

export interface NoticeTemplate {
  subject: string;
  text: string;
}

export const DEFAULT_NOTICES: Record<NoticeKind, NoticeTemplate> = {
  invoice_created: {
    subject: 'Invoice {{invoice.number}}: {{invoice.total}} due {{invoice.due_on}}',
    text: 'Dear {{client.name}},\n\nInvoice {{invoice.number}} for {{invoice.total}} is due on {{invoice.due_on}}.\n{{#lines}}- {{description}}: {{amount}}\n{{/lines}}\nYou can pay it in your client area: {{links.invoice}}\n',
  },
  invoice_reminder: {
    subject: 'Reminder: invoice {{invoice.number}} is due on {{invoice.due_on}}',
    text: 'Dear {{client.name}},\n\nThis is a reminder that invoice {{invoice.number}} for {{invoice.total}} is due on {{invoice.due_on}}.\nPay it here: {{links.invoice}}\n',
  },
  invoice_overdue: {
    subject: 'Overdue ({{stage}}): invoice {{invoice.number}}',
    text: 'Dear {{client.name}},\n\nInvoice {{invoice.number}} for {{invoice.total}} was due on {{invoice.due_on}} and is still unpaid.\n{{#suspend_on}}Services it covers will be suspended on {{suspend_on}} unless it is paid.\n{{/suspend_on}}Pay it here: {{links.invoice}}\n',
  },
  payment_received: {
    subject: 'Payment received for invoice {{invoice.number}}',
    text: 'Dear {{client.name}},\n\nWe received {{payment.amount}} for invoice {{invoice.number}}. Thank you.\n',
  },
  service_suspended: {
    subject: 'Service suspended: {{service.name}}',
    text: 'Dear {{client.name}},\n\nYour service {{service.name}} was suspended because invoice {{invoice.number}} is unpaid. It is resumed as soon as the invoice is paid: {{links.invoice}}\n',
  },
  service_activated: {
    subject: 'Your service {{service.name}} is active',
    text: 'Dear {{client.name}},\n\nYour service {{service.name}} is now active.\n',
  },
};

const KEY = 'billing.notices';

export async function noticeTemplate(settings: SettingsStore, kind: NoticeKind, trx?: Knex.Transaction): Promise<NoticeTemplate> {
  const saved = (await settings.get<Partial<Record<NoticeKind, NoticeTemplate>>>(KEY, trx)) ?? {};
  return saved[kind] ?? DEFAULT_NOTICES[kind];
}

/** Queues a notice to the client's billing contacts (or its main e-mail), inside the caller's transaction. */
export async function sendNotice(
  deps: { mail: Mailer; settings: SettingsStore },
  trx: Knex.Transaction,
  input: { kind: NoticeKind; clientId: number; data: Record<string, unknown> },
): Promise<number> {
  const client = (await trx('core_clients').where({ id: input.clientId }).first('name', 'email')) as { name: string; email: string } | undefined;
  if (!client) return 0;
  // Billing notices always reach someone: the contacts who asked for them, else the primary contact.
  const recipients = await contactsReceiving(trx, input.clientId, ACTION_OF[input.kind]);
  const primary = recipients.length ? undefined : await getPrimaryContact(trx, input.clientId);
  const to = [...new Set((recipients.length ? recipients.map((r) => r.email) : [primary?.email ?? client.email]).map((e) => e.toLowerCase()))];
  const tpl = await noticeTemplate(deps.settings, input.kind, trx);
  const data = { client: { name: client.name }, ...input.data };
  const subject = renderTemplateText(tpl.subject, data, 'text').replace(/\s+/g, ' ').trim();
  const text = renderTemplateText(tpl.text, data, 'text');
  for (const address of to) await deps.mail.send({ to: address, subject, text }, trx);
  return to.length;
}

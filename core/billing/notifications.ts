// E-mails billing sends (new invoice, reminders, suspension): logic-less templates an operator may edit.
import type { Knex } from 'knex';
import type { MailMessage, Mailer } from '../mail/mailer.ts';
import type { SettingsStore } from '../settings/store.ts';
import { checkTemplateText, renderTemplateTexts, templateTags, type TemplateTag } from '../views/logicless.ts';
import { chunksOf } from '../db/batch.ts';
import { parseEmailActions, type EmailAction } from './clients/store.ts';

/** Which contact e-mail setting (seed 003 "e-mail actions") a notice belongs to. */
export const ACTION_OF: Record<NoticeKind, EmailAction> = {
  invoice_created: 'invoices',
  invoice_reminder: 'invoices',
  invoice_overdue: 'invoices',
  payment_received: 'payment_receipts',
  service_suspended: 'service_notices',
  service_activated: 'service_notices',
};

export const NOTICE_KINDS = ['invoice_created', 'invoice_reminder', 'invoice_overdue', 'payment_received', 'service_suspended', 'service_activated'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

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

/** How staff pages name each notice and say when it is sent. */
export const NOTICE_LABELS: Record<NoticeKind, { title: string; when: string }> = {
  invoice_created: { title: 'New invoice', when: 'An order or renewal invoice is issued' },
  invoice_reminder: { title: 'Payment reminder', when: 'Some days before an unpaid invoice is due' },
  invoice_overdue: { title: 'Overdue notice', when: 'The 1st, 2nd and 3rd time an invoice is overdue' },
  payment_received: { title: 'Payment received', when: 'An invoice is paid in full' },
  service_suspended: { title: 'Service suspended', when: 'A service is suspended for non-payment' },
  service_activated: { title: 'Service activated', when: 'A service becomes active' },
};

/** A variable a notice template may use, with a value for the preview; a list has `items` and `samples` instead. */
export interface NoticeVariable {
  /** As written in a template, dotted: `invoice.number`; a list is used as a section: {{#lines}}…{{/lines}}. */
  name: string;
  description: string;
  sample?: string;
  items?: NoticeVariable[];
  samples?: Record<string, string>[];
}

const CLIENT_NAME: NoticeVariable = { name: 'client.name', description: 'The client’s name', sample: 'Ada Lovelace' };
const INVOICE_NUMBER: NoticeVariable = { name: 'invoice.number', description: 'The invoice number', sample: 'INV-000123' };
const INVOICE_TOTAL: NoticeVariable = { name: 'invoice.total', description: 'The invoice total, with its currency', sample: '59.00 EUR' };
const AMOUNT_DUE: NoticeVariable = { name: 'invoice.total', description: 'What is still due on the invoice, with its currency', sample: '59.00 EUR' };
const DUE_ON: NoticeVariable = { name: 'invoice.due_on', description: 'The due date (YYYY-MM-DD)', sample: '2026-04-01' };
const INVOICE_LINK: NoticeVariable = { name: 'links.invoice', description: 'The invoice in the client area', sample: 'https://panel.example.com/client/invoices/123' };
const SERVICE_NAME: NoticeVariable = { name: 'service.name', description: 'The service (its label, or its number)', sample: 'example.com' };

/** What each notice is given when it is sent (BillingService.invoiceData, dunning's invoiceData); templates may use nothing else. */
export const NOTICE_VARIABLES: Record<NoticeKind, NoticeVariable[]> = {
  invoice_created: [
    CLIENT_NAME, INVOICE_NUMBER, INVOICE_TOTAL, DUE_ON, INVOICE_LINK,
    {
      name: 'lines',
      description: 'The invoice lines, each with {{description}} and {{amount}}',
      items: [
        { name: 'description', description: 'What the line is for' },
        { name: 'amount', description: 'The line’s amount, with its currency' },
      ],
      samples: [
        { description: 'Renewal of Hosting Pro (example.com), 1 month: 2026-04-01 – 2026-04-30', amount: '49.00 EUR' },
        { description: 'Extra IP address: 1', amount: '10.00 EUR' },
      ],
    },
  ],
  invoice_reminder: [CLIENT_NAME, INVOICE_NUMBER, AMOUNT_DUE, DUE_ON, INVOICE_LINK],
  invoice_overdue: [
    CLIENT_NAME, INVOICE_NUMBER, AMOUNT_DUE, DUE_ON, INVOICE_LINK,
    { name: 'stage', description: 'Which notice this is: “1st overdue notice”, “2nd …”, “3rd …”', sample: '1st overdue notice' },
    { name: 'suspend_on', description: 'When the services will be suspended (YYYY-MM-DD); {{#suspend_on}}…{{/suspend_on}} writes a sentence only when there is a date', sample: '2026-04-08' },
  ],
  payment_received: [CLIENT_NAME, INVOICE_NUMBER, INVOICE_TOTAL, DUE_ON, { name: 'payment.amount', description: 'What has been paid on the invoice, with its currency', sample: '59.00 EUR' }, INVOICE_LINK],
  service_suspended: [CLIENT_NAME, SERVICE_NAME, INVOICE_NUMBER, AMOUNT_DUE, DUE_ON, INVOICE_LINK],
  service_activated: [CLIENT_NAME, SERVICE_NAME],
};

/** The shape of what a notice kind receives: a leaf, an object of named parts, or a list of items. */
type Shape = 'value' | { [name: string]: Shape } | Shape[];

function shapeOf(vars: readonly NoticeVariable[]): { [name: string]: Shape } {
  const root: { [name: string]: Shape } = {};
  for (const v of vars) {
    const path = v.name.split('.');
    let node = root;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as { [name: string]: Shape };
    node[path.at(-1)!] = v.items ? [shapeOf(v.items)] : 'value';
  }
  return root;
}

/** Where Mustache would find `name` in this stack of contexts (innermost last), or undefined. */
function lookup(stack: readonly Shape[], name: string): Shape | undefined {
  const path = name.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    let node: Shape | undefined = stack[i];
    for (const part of path) node = node && node !== 'value' && !Array.isArray(node) && Object.hasOwn(node, part) ? node[part] : undefined;
    if (node !== undefined) return node;
  }
  return undefined;
}

/**
 * Adds to `out` the names that would render nothing useful: not given at all, or an object or a list
 * written as a variable ("[object Object]"). `current` is what {{.}} stands for in this section.
 */
function unknownNames(tags: readonly TemplateTag[], stack: Shape[], current: Shape | undefined, out: Set<string>): void {
  for (const tag of tags) {
    const found = tag.name === '.' ? current : lookup(stack, tag.name);
    if (found === undefined || (tag.kind === 'variable' && found !== 'value')) out.add(tag.name);
    if (tag.kind === 'variable') continue;
    // A section over a list or an object looks names up in its items first; over a value, in what is around it.
    if (tag.kind === 'section' && found !== undefined && found !== 'value') {
      const item = Array.isArray(found) ? found[0]! : found;
      unknownNames(tag.children, [...stack, item], item, out);
    } else {
      unknownNames(tag.children, stack, tag.kind === 'section' ? found : current, out);
    }
  }
}

/**
 * What is wrong with a subject or text for this kind of notice, for a person to fix: a tag that does
 * not parse or is not allowed, or a variable the notice is not given. Null when it is fine.
 */
export function checkNoticeTemplate(kind: NoticeKind, template: string): string | null {
  const problem = checkTemplateText(template);
  if (problem) return `Check the {{…}} tags: ${problem}`;
  const unknown = new Set<string>();
  unknownNames(templateTags(template), [shapeOf(NOTICE_VARIABLES[kind])], undefined, unknown);
  if (!unknown.size) return null;
  const list = [...unknown].map((n) => `{{${n}}}`).join(', ');
  return `${unknown.size === 1 ? `${list} is not a variable` : `${list} are not variables`} of this notice; use the ones listed beside the form`;
}

/** The data a preview renders with: every variable of the kind, filled with its sample. */
export function sampleNoticeData(kind: NoticeKind, overrides: { invoiceUrl?: string } = {}): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const v of NOTICE_VARIABLES[kind]) {
    const path = v.name.split('.');
    let node = data;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = v.items ? (v.samples ?? []) : v === INVOICE_LINK && overrides.invoiceUrl ? overrides.invoiceUrl : (v.sample ?? '');
  }
  return data;
}

/** A notice as the client would get it: the subject on one line, the text as it is. */
export function renderNotice(tpl: NoticeTemplate, data: Record<string, unknown>): { subject: string; text: string } {
  const [subject, text] = renderTemplateTexts([tpl.subject, tpl.text], data, 'text') as [string, string];
  return { subject: subject.replace(/\s+/g, ' ').trim(), text };
}

export const NOTICES_SETTINGS_KEY = 'billing.notices';

/** What the operator saved, by kind; kinds not saved use DEFAULT_NOTICES. */
export type SavedNotices = Partial<Record<NoticeKind, NoticeTemplate>>;

export async function savedNotices(settings: SettingsStore, trx?: Knex.Transaction): Promise<SavedNotices> {
  return (await settings.get<SavedNotices>(NOTICES_SETTINGS_KEY, trx)) ?? {};
}

/** Every kind's template as sent now: the saved one, else the default. */
export async function noticeTemplates(settings: SettingsStore, trx?: Knex.Transaction): Promise<Record<NoticeKind, NoticeTemplate>> {
  const saved = await savedNotices(settings, trx);
  return Object.fromEntries(NOTICE_KINDS.map((k) => [k, saved[k] ?? DEFAULT_NOTICES[k]])) as Record<NoticeKind, NoticeTemplate>;
}

export async function noticeTemplate(settings: SettingsStore, kind: NoticeKind, trx?: Knex.Transaction): Promise<NoticeTemplate> {
  return (await savedNotices(settings, trx))[kind] ?? DEFAULT_NOTICES[kind];
}

export interface NoticeInput {
  kind: NoticeKind;
  clientId: number;
  data: Record<string, unknown>;
}

/** Queues a notice to the client's billing contacts (or its main e-mail), inside the caller's transaction. */
export async function sendNotice(deps: { mail: Mailer; settings: SettingsStore }, trx: Knex.Transaction, input: NoticeInput): Promise<number> {
  return sendNotices(deps, trx, [input]);
}

interface ContactAddress {
  client_id: number;
  email: string;
  email_actions: unknown;
  is_primary: boolean | number;
}

/**
 * Queues many notices in the caller's transaction with a few queries whatever their number: the
 * clients and their contacts are read with IN lists, the outbox rows written in batches. `templates`
 * (from noticeTemplates) saves the settings read when the caller sends notices chunk after chunk.
 * Returns the number of e-mails queued.
 */
export async function sendNotices(
  deps: { mail: Mailer; settings: SettingsStore },
  trx: Knex.Transaction,
  inputs: readonly NoticeInput[],
  templates?: Record<NoticeKind, NoticeTemplate>,
): Promise<number> {
  if (!inputs.length) return 0;
  const tpls = templates ?? (await noticeTemplates(deps.settings, trx));
  const clientIds = [...new Set(inputs.map((i) => i.clientId))];
  const actions = [...new Set(inputs.map((i) => ACTION_OF[i.kind]))];
  const clients = new Map<number, { name: string; email: string }>();
  const contacts = new Map<number, { email: string; actions: EmailAction[]; isPrimary: boolean }[]>();
  for (const ids of chunksOf(clientIds)) {
    const rows = (await trx('core_clients').whereIn('id', ids).select('id', 'name', 'email')) as { id: number; name: string; email: string }[];
    for (const r of rows) clients.set(Number(r.id), { name: r.name, email: r.email });
    // Only the contacts that can matter: the primary (the fallback) and those whose list names one of
    // the actions (LIKE narrows the rows, parseEmailActions decides).
    const found = (await trx('core_contacts')
      .whereIn('client_id', ids)
      .andWhere((q) => {
        q.where('is_primary', true);
        for (const a of actions) q.orWhere('email_actions', 'like', `%"${a}"%`);
      })
      .orderBy([{ column: 'client_id' }, { column: 'is_primary', order: 'desc' }, { column: 'id' }])
      .select('client_id', 'email', 'email_actions', 'is_primary')) as ContactAddress[];
    for (const c of found) {
      const list = contacts.get(Number(c.client_id)) ?? [];
      list.push({ email: c.email, actions: parseEmailActions(c.email_actions), isPrimary: c.is_primary === true || c.is_primary === 1 });
      contacts.set(Number(c.client_id), list);
    }
  }

  const messages: MailMessage[] = [];
  for (const input of inputs) {
    const client = clients.get(input.clientId);
    if (!client) continue;
    const list = contacts.get(input.clientId) ?? [];
    // Billing notices always reach someone: the contacts who asked for them, else the primary contact, else the client's e-mail.
    const chosen = list.filter((c) => c.actions.includes(ACTION_OF[input.kind]));
    const addresses = chosen.length ? chosen.map((c) => c.email) : [list.find((c) => c.isPrimary)?.email ?? client.email];
    const to = [...new Set(addresses.map((e) => e.toLowerCase()))];
    const tpl = tpls[input.kind];
    const data = { client: { name: client.name }, ...input.data };
    const { subject, text } = renderNotice(tpl, data);
    for (const address of to) messages.push({ to: address, subject, text });
  }
  return deps.mail.sendMany(messages, trx);
}

/**
 * Saves the kind's template in the caller's transaction; `null`, or the default itself, restores the
 * default (nothing stored, so a better default in a later release reaches the operator). Returns
 * what was sent before and what is sent now.
 */
export async function saveNoticeTemplate(settings: SettingsStore, trx: Knex.Transaction, kind: NoticeKind, tpl: NoticeTemplate | null): Promise<{ before: NoticeTemplate; after: NoticeTemplate }> {
  const saved = await savedNotices(settings, trx);
  const before = saved[kind] ?? DEFAULT_NOTICES[kind];
  const isDefault = !tpl || (tpl.subject === DEFAULT_NOTICES[kind].subject && tpl.text === DEFAULT_NOTICES[kind].text);
  if (isDefault) delete saved[kind];
  else saved[kind] = { subject: tpl.subject, text: tpl.text };
  await settings.set(NOTICES_SETTINGS_KEY, saved, trx);
  return { before, after: saved[kind] ?? DEFAULT_NOTICES[kind] };
}

/** Whether the operator's template for this kind differs from the default. */
export function isCustomised(saved: SavedNotices, kind: NoticeKind): boolean {
  const tpl = saved[kind];
  return tpl !== undefined && (tpl.subject !== DEFAULT_NOTICES[kind].subject || tpl.text !== DEFAULT_NOTICES[kind].text);
}

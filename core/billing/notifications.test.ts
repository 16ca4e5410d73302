// Notice templates are checked against the variables each notice is given, the way Mustache looks
// names up (sections over lists look in their items first), and previewed with sample data.
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTICES, NOTICE_KINDS, checkNoticeTemplate, renderNotice, sampleNoticeData } from './notifications.ts';

describe('checking a notice template', () => {
  it('accepts every default template', () => {
    for (const kind of NOTICE_KINDS) {
      expect(checkNoticeTemplate(kind, DEFAULT_NOTICES[kind].subject), kind).toBeNull();
      expect(checkNoticeTemplate(kind, DEFAULT_NOTICES[kind].text), kind).toBeNull();
    }
  });

  it('names the variables a notice is not given', () => {
    expect(checkNoticeTemplate('invoice_created', 'Hi {{client.nmae}}')).toBe('{{client.nmae}} is not a variable of this notice; use the ones listed beside the form');
    expect(checkNoticeTemplate('service_activated', '{{invoice.number}} {{service.name}} {{links.invoice}}')).toMatch(/^\{\{invoice\.number\}\}, \{\{links\.invoice\}\} are not variables/);
    expect(checkNoticeTemplate('invoice_reminder', '{{#lines}}x{{/lines}}')).toMatch(/\{\{lines\}\} is not a variable/);
    // An object or a list written as a variable would print "[object Object]".
    expect(checkNoticeTemplate('invoice_created', '{{client}} {{lines}}')).toMatch(/^\{\{client\}\}, \{\{lines\}\} are not variables/);
  });

  it('looks names up inside sections the way Mustache does', () => {
    expect(checkNoticeTemplate('invoice_created', '{{#lines}}{{description}} {{amount}} for {{client.name}}{{/lines}}')).toBeNull();
    expect(checkNoticeTemplate('invoice_created', '{{#lines}}{{.}}{{/lines}}')).toMatch(/\{\{\.\}\} is not a variable/);
    expect(checkNoticeTemplate('invoice_created', '{{description}}')).toMatch(/\{\{description\}\} is not a variable/);
    expect(checkNoticeTemplate('invoice_created', '{{.}}')).toMatch(/\{\{\.\}\} is not a variable/);
    expect(checkNoticeTemplate('invoice_created', '{{#invoice}}{{number}}{{/invoice}}{{^lines}}none{{/lines}}')).toBeNull();
    expect(checkNoticeTemplate('invoice_created', '{{^lines}}{{description}}{{/lines}}')).toMatch(/\{\{description\}\}/);
    expect(checkNoticeTemplate('invoice_overdue', '{{#suspend_on}}on {{suspend_on}} ({{stage}}, {{.}}){{/suspend_on}}')).toBeNull();
    expect(checkNoticeTemplate('invoice_overdue', '{{#suspend_on}}{{nope}}{{/suspend_on}}')).toMatch(/\{\{nope\}\}/);
  });

  it('reports tags that do not parse or are not allowed', () => {
    expect(checkNoticeTemplate('invoice_created', '{{#lines}}never closed')).toMatch(/^Check the \{\{…\}\} tags: Unclosed section "lines"/);
    expect(checkNoticeTemplate('invoice_created', 'Dear {{client.name}')).toMatch(/^Check the \{\{…\}\} tags: Unclosed tag/);
    expect(checkNoticeTemplate('invoice_created', '{{{client.name}}}')).toMatch(/Unescaped output/);
    expect(checkNoticeTemplate('invoice_created', '{{> header}}')).toMatch(/Partials/);
  });
});

describe('the preview', () => {
  it('fills every variable of the kind with its sample', () => {
    const created = renderNotice(DEFAULT_NOTICES.invoice_created, { ...sampleNoticeData('invoice_created', { invoiceUrl: 'https://panel.test/client/invoices/123' }) });
    expect(created.subject).toBe('Invoice INV-000123: 59.00 EUR due 2026-04-01');
    expect(created.text).toContain('Dear Ada Lovelace,');
    expect(created.text).toContain('- Extra IP address: 1: 10.00 EUR\n');
    expect(created.text).toContain('https://panel.test/client/invoices/123');
    const overdue = renderNotice(DEFAULT_NOTICES.invoice_overdue, sampleNoticeData('invoice_overdue'));
    expect(overdue.subject).toBe('Overdue (1st overdue notice): invoice INV-000123');
    expect(overdue.text).toContain('suspended on 2026-04-08');
  });
});

// The logic-less renderer: what operators and the database write can never run code or inject markup.
import { describe, expect, it } from 'vitest';
import { checkTemplateText, renderTemplateText } from './logicless.ts';
import { safeUrl, safeNext, isHttpUrl } from './helpers.ts';

describe('logic-less text templates', () => {
  it('fills in variables and sections', () => {
    const out = renderTemplateText('Dear {{client.name}},{{#invoices}} #{{number}}{{/invoices}}', { client: { name: 'Ann' }, invoices: [{ number: 1 }, { number: 2 }] }, 'text');
    expect(out).toBe('Dear Ann, #1 #2');
  });

  it('escapes values in html and leaves them alone in text', () => {
    expect(renderTemplateText('<p>{{note}}</p>', { note: '<script>x</script>' }, 'html')).toBe('<p>&lt;script&gt;x&lt;&#x2F;script&gt;</p>');
    expect(renderTemplateText('{{note}}', { note: 'a < b' }, 'text')).toBe('a < b');
  });

  it('does not run eta or JavaScript written into a template', () => {
    const out = renderTemplateText('<%= process.exit(1) %>{{x}}', { x: 1 }, 'text');
    expect(out).toBe('<%= process.exit(1) %>1');
  });

  it('refuses unescaped output, partials and delimiter changes', () => {
    expect(checkTemplateText('{{{raw}}}')).toMatch(/not allowed/);
    expect(checkTemplateText('{{&raw}}')).toMatch(/not allowed/);
    expect(checkTemplateText('{{> header}}')).toMatch(/Partials/);
    expect(checkTemplateText('{{=<% %>=}}')).toMatch(/delimiters/);
    expect(checkTemplateText('{{#open}}never closed')).toMatch(/Unclosed section/);
    expect(checkTemplateText('Hello {{name}}')).toBeNull();
    expect(() => renderTemplateText('{{{raw}}}', { raw: '<b>' }, 'html')).toThrow(/not allowed/);
  });

  it('never calls functions found in the data', () => {
    let called = false;
    const out = renderTemplateText('{{#fn}}x{{/fn}}{{fn}}', { fn: () => (called = true) }, 'text');
    expect(called).toBe(false);
    expect(out).toBe('');
  });
});

describe('user-supplied URLs', () => {
  it('lets only http(s), mailto and same-site paths through', () => {
    expect(safeUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeUrl('/admin/x')).toBe('/admin/x');
    expect(safeUrl('javascript:alert(1)')).toBe('#');
    expect(safeUrl(' JaVaScRiPt:alert(1)')).toBe('#');
    expect(safeUrl('data:text/html,<b>')).toBe('#');
    expect(safeUrl('//evil.example/')).toBe('#');
    expect(safeUrl('/\\evil.example/')).toBe('#');
    expect(safeUrl(42)).toBe('#');
    expect(isHttpUrl('ftp://x.example')).toBe(false);
    expect(isHttpUrl('http://billing.example:1500/billmgr')).toBe(true);
  });

  it('accepts only local paths as the page to return to after sign-in', () => {
    expect(safeNext('/admin/system', '/admin')).toBe('/admin/system');
    expect(safeNext('https://evil.example', '/admin')).toBe('/admin');
    expect(safeNext('//evil.example', '/admin')).toBe('/admin');
    expect(safeNext('/\\evil.example', '/admin')).toBe('/admin');
  });
});

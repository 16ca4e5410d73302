// Renders text that operators edit or the database holds (e-mail texts, invoice notes): {{variables}}
// and {{#sections}} only. eta would run any JavaScript such a text contained; Mustache runs none.
import Mustache from 'mustache';

export class TemplateTextError extends Error {}

type Token = [string, string, number, number, Token[]?, ...unknown[]];

/** Unescaped output ({{{x}}} or {{&x}}) would let stored text inject markup, so it is refused. */
function assertSafe(tokens: Token[]): void {
  for (const t of tokens) {
    if (t[0] === '&' || t[0] === '{') throw new TemplateTextError(`Unescaped output {{{${t[1]}}}} is not allowed; use {{${t[1]}}}`);
    if (t[0] === '>') throw new TemplateTextError(`Partials ({{>${t[1]}}}) are not available here`);
    if (t[0] === '=') throw new TemplateTextError('Changing the delimiters is not allowed');
    if (Array.isArray(t[4])) assertSafe(t[4]);
  }
}

/** Checks that a template parses and uses only allowed tags; returns an error message or null. */
export function checkTemplateText(template: string): string | null {
  try {
    assertSafe(Mustache.parse(template) as unknown as Token[]);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A {{tag}} of a template: a variable, or a section ({{#x}}…{{/x}}, {{^x}}…{{/x}}) with the tags inside it. */
export interface TemplateTag {
  kind: 'variable' | 'section' | 'inverted';
  name: string;
  children: TemplateTag[];
}

function toTags(tokens: Token[]): TemplateTag[] {
  const out: TemplateTag[] = [];
  for (const t of tokens) {
    if (t[0] === 'name') out.push({ kind: 'variable', name: t[1], children: [] });
    else if (t[0] === '#' || t[0] === '^') out.push({ kind: t[0] === '#' ? 'section' : 'inverted', name: t[1], children: toTags(t[4] ?? []) });
  }
  return out;
}

/** The variables and sections a template uses, in order; throws on what checkTemplateText reports. */
export function templateTags(template: string): TemplateTag[] {
  const tokens = Mustache.parse(template) as unknown as Token[];
  assertSafe(tokens);
  return toTags(tokens);
}

/**
 * Renders `template` with `data`. `format: 'html'` escapes values for HTML; `'text'` leaves them as
 * they are (plain-text e-mail bodies). Functions in `data` are never called.
 */
export function renderTemplateText(template: string, data: Record<string, unknown>, format: 'html' | 'text'): string {
  return renderTemplateTexts([template], data, format)[0]!;
}

/** renderTemplateText for several templates with the same data (an e-mail's subject and body): the data is copied once. */
export function renderTemplateTexts(templates: readonly string[], data: Record<string, unknown>, format: 'html' | 'text'): string[] {
  for (const template of templates) assertSafe(Mustache.parse(template) as unknown as Token[]);
  const plain = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  const options = format === 'text' ? { escape: (s: string) => s } : undefined;
  return templates.map((template) => Mustache.render(template, plain, {}, options));
}

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

/**
 * Renders `template` with `data`. `format: 'html'` escapes values for HTML; `'text'` leaves them as
 * they are (plain-text e-mail bodies). Functions in `data` are never called.
 */
export function renderTemplateText(template: string, data: Record<string, unknown>, format: 'html' | 'text'): string {
  assertSafe(Mustache.parse(template) as unknown as Token[]);
  const plain = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  return Mustache.render(template, plain, {}, format === 'text' ? { escape: (s: string) => s } : undefined);
}

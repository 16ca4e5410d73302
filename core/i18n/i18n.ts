// Translations, gettext style: the English text is the key, so a missing translation shows English
// and templates stay readable. Core and each plugin add their catalogs; `{name}` placeholders are
// filled after translation. Plurals go through Intl.PluralRules (Russian has one, few, many).

export type Messages = Readonly<Record<string, string>>;
export type Vars = Readonly<Record<string, string | number>>;

/** Plural forms by CLDR category; `other` is required, the rest fall back to it. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export interface Translate {
  (text: string, vars?: Vars): string;
  /** `t.plural(n, { one: '{n} invoice', other: '{n} invoices' })`: the English forms are the key. */
  plural(n: number, english: PluralForms, vars?: Vars): string;
  /**
   * The same English word can need two translations (an invoice is «Отменён», a service «Отменена»):
   * `t.ctx('invoice status', 'Cancelled')` looks up the catalog key made by contextKey() first.
   */
  ctx(context: string, text: string, vars?: Vars): string;
  readonly lang: string;
}

export const LANGUAGES = { en: 'English', ru: 'Русский' } as const;
export type Language = keyof typeof LANGUAGES;
export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(x: unknown): x is Language {
  return typeof x === 'string' && Object.hasOwn(LANGUAGES, x);
}

function fill(text: string, vars: Vars | undefined): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (Object.hasOwn(vars, k) ? String(vars[k]) : m));
}

/** The catalog key of a text in a context (gettext's msgctxt). */
export function contextKey(context: string, text: string): string {
  return `${context}\u0004${text}`;
}

/** The key of a plural entry in a catalog: its English forms joined, so catalogs stay plain maps. */
export function pluralKey(english: PluralForms): string {
  return `${english.one ?? ''}|${english.other}`;
}

export class I18n {
  readonly #catalogs = new Map<string, Map<string, string>>();
  readonly #translators = new Map<string, Translate>();

  /** Adds messages for a language; a later catalog wins for the same text (plugins may refine core's). */
  add(lang: Language, messages: Messages): void {
    const cat = this.#catalogs.get(lang) ?? new Map<string, string>();
    for (const [k, v] of Object.entries(messages)) cat.set(k, v);
    this.#catalogs.set(lang, cat);
  }

  /** Whether `lang` has a translation of `text` (tests use it to find untranslated strings). */
  has(lang: Language, text: string): boolean {
    return lang === DEFAULT_LANGUAGE || (this.#catalogs.get(lang)?.has(text) ?? false);
  }

  translator(lang: string): Translate {
    const code: Language = isLanguage(lang) ? lang : DEFAULT_LANGUAGE;
    const cached = this.#translators.get(code);
    if (cached) return cached;
    const catalogs = this.#catalogs;
    const rules = new Intl.PluralRules(code);
    const t = ((text: string, vars?: Vars) => fill(catalogs.get(code)?.get(text) ?? text, vars)) as Translate;
    t.plural = (n, english, vars) => {
      const all = { n, ...vars };
      const translated = code === DEFAULT_LANGUAGE ? undefined : catalogs.get(code)?.get(pluralKey(english));
      if (translated) {
        // A translated plural is stored as "category=text" lines: "one={n} счёт\nfew={n} счёта\nmany={n} счетов\nother={n} счёта".
        const forms = Object.fromEntries(translated.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
        return fill(forms[rules.select(n)] ?? forms.other ?? english.other, all);
      }
      return fill((rules.select(n) === 'one' ? english.one : undefined) ?? english.other, all);
    };
    t.ctx = (context, text, vars) => {
      const hit = code === DEFAULT_LANGUAGE ? undefined : catalogs.get(code)?.get(contextKey(context, text));
      return hit !== undefined ? fill(hit, vars) : t(text, vars);
    };
    Object.defineProperty(t, 'lang', { value: code });
    this.#translators.set(code, t);
    return t;
  }
}

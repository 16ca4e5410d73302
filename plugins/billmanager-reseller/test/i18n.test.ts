// Every text a client reads on this plugin's pages has its Russian translation.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RU } from '../i18n/ru.ts';
import { CORE_RU } from '../../../core/i18n/ru.ts';
import { NAME_PROBLEM_MESSAGES } from '../services/domain-names.ts';
import { CONTACT_ROLE_LABELS } from '../routes/client.ts';

function literalKeys(file: string): string[] {
  const text = fs.readFileSync(new URL(file, import.meta.url), 'utf8');
  return [...text.matchAll(/\bt\('((?:[^'\\]|\\.)+)'/g)].map((m) => m[1]!.replace(/\\'/g, "'")).filter((k) => !k.startsWith('/') && k.length > 1);
}

describe('Russian texts', () => {
  it('cover every literal the client pages and routes translate', () => {
    const files = ['../views/client/order.eta', '../views/client/domain.eta', '../views/client/domains.eta', '../routes/client.ts'];
    const keys = [...new Set(files.flatMap(literalKeys)), ...Object.values(NAME_PROBLEM_MESSAGES), ...Object.values(CONTACT_ROLE_LABELS), 'Choose a zone from the list', 'Choose one of your contacts', 'Choose a rate plan and period from the list'];
    const missing = keys.filter((k) => RU[k] === undefined && CORE_RU[k] === undefined);
    expect(missing).toEqual([]);
    expect(keys.length).toBeGreaterThan(60);
  });

  it('keep the placeholders of the English text', () => {
    for (const [en, ru] of Object.entries(RU)) {
      const wanted = [...new Set([...en.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
      const got = [...new Set([...ru.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
      expect(got, en).toEqual(wanted);
    }
  });
});

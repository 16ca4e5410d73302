// The portal's Russian catalog is one map: a text two sections translate differently would show one
// section's words in the other. Every English text must have one translation across the portal and core.
import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../routes/client.ts';
import { LABELS_RU } from '../routes/labels.ts';
import { CORE_RU } from '../../../core/i18n/ru.ts';

describe('the Russian catalog', () => {
  it('translates each English text one way only', () => {
    const seen = new Map<string, { ru: string; from: string }>();
    const clashes: string[] = [];
    const sources: [string, Record<string, string>][] = [['core', CORE_RU], ['labels', LABELS_RU], ...SECTIONS.map((s): [string, Record<string, string>] => [s.mount || '/', s.ru])];
    for (const [from, catalog] of sources) {
      for (const [en, ru] of Object.entries(catalog)) {
        const prev = seen.get(en);
        if (prev && prev.ru !== ru) clashes.push(`${JSON.stringify(en)}: ${prev.from} says ${JSON.stringify(prev.ru)}, ${from} says ${JSON.stringify(ru)}`);
        if (!prev) seen.set(en, { ru, from });
      }
    }
    expect(clashes).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { I18n, contextKey, pluralKey } from './i18n.ts';

describe('I18n', () => {
  const i18n = new I18n();
  i18n.add('ru', { Invoices: 'Счета', 'Invoice {number} is due on {date}': 'Счёт {number} нужно оплатить до {date}' });
  i18n.add('ru', { [pluralKey({ one: '{n} invoice', other: '{n} invoices' })]: 'one={n} счёт\nfew={n} счёта\nmany={n} счетов\nother={n} счёта' });

  it('translates by the English text and fills placeholders after translating', () => {
    const ru = i18n.translator('ru');
    expect(ru('Invoices')).toBe('Счета');
    expect(ru('Invoice {number} is due on {date}', { number: 'INV-7', date: '2026-03-10' })).toBe('Счёт INV-7 нужно оплатить до 2026-03-10');
    expect(i18n.translator('en')('Invoice {number} is due on {date}', { number: 'INV-7', date: 'x' })).toBe('Invoice INV-7 is due on x');
  });

  it('shows English for what is not translated, and for unknown languages', () => {
    expect(i18n.translator('ru')('Packages')).toBe('Packages');
    expect(i18n.translator('xx')('Invoices')).toBe('Invoices');
    expect(i18n.translator('xx').lang).toBe('en');
  });

  it('picks plural forms by the language rules', () => {
    const forms = { one: '{n} invoice', other: '{n} invoices' };
    const ru = i18n.translator('ru');
    expect([1, 2, 5, 21, 22, 25].map((n) => ru.plural(n, forms))).toEqual(['1 счёт', '2 счёта', '5 счетов', '21 счёт', '22 счёта', '25 счетов']);
    const en = i18n.translator('en');
    expect([1, 2].map((n) => en.plural(n, forms))).toEqual(['1 invoice', '2 invoices']);
  });

  it('translates a word by its context when one English word needs two translations', () => {
    const i = new I18n();
    i.add('ru', { Cancelled: 'Отменена', [contextKey('invoice status', 'Cancelled')]: 'Отменён' });
    const ru = i.translator('ru');
    expect(ru('Cancelled')).toBe('Отменена');
    expect(ru.ctx('invoice status', 'Cancelled')).toBe('Отменён');
    expect(ru.ctx('invoice status', 'Refunded')).toBe('Refunded');
    expect(i.translator('en').ctx('invoice status', 'Cancelled')).toBe('Cancelled');
  });

  it('leaves unknown placeholders visible rather than inventing values', () => {
    expect(i18n.translator('en')('Hello {name}', {})).toBe('Hello {name}');
  });
});

// Periods in words: upstream period codes for staff pages and tickets ("1 year"), and terms in the
// reader's language for clients ("1 год", "3 месяца").
import { describePeriod, type PeriodKind } from '../../../core/billing/services/periods.ts';
import type { Translate } from '../../../core/plugins/api.ts';
import { termOfCode } from '../upstream/periods.ts';

export function periodCodeLabel(code: number): string {
  const term = termOfCode(code);
  return term ? describePeriod(term.kind, term.length) : `period ${code}`;
}

/** The English plural forms used below; i18n/ru.ts translates each. */
export const PERIOD_FORMS = {
  years: { one: '{n} year', other: '{n} years' },
  months: { one: '{n} month', other: '{n} months' },
  days: { one: '{n} day', other: '{n} days' },
  trial: { one: '{n}-day trial', other: '{n}-day trial' },
} as const;

export function periodLabel(t: Translate, kind: PeriodKind, length: number): string {
  switch (kind) {
    case 'months':
      return length % 12 === 0 ? t.plural(length / 12, PERIOD_FORMS.years) : t.plural(length, PERIOD_FORMS.months);
    case 'days':
      return t.plural(length, PERIOD_FORMS.days);
    case 'trial':
      return t.plural(length, PERIOD_FORMS.trial);
    case 'lifetime':
      return t('Lifetime');
  }
}

// BILLmanager period codes (PROTOCOLS §2.1: -100 trial, -50 day, 0 lifetime, >0 months) and Trellis periods.
import type { PeriodKind } from '../../../core/billing/services/periods.ts';

export const TRIAL_CODE = -100;
export const DAY_CODE = -50;
export const LIFETIME_CODE = 0;
/** A trial's length is not in the period code; BILLmanager's own default trial is two weeks ([I]). */
export const DEFAULT_TRIAL_DAYS = 14;

export interface TermOfCode {
  kind: PeriodKind;
  length: number;
}

/** The Trellis term of an upstream period code, or null for a code BILLmanager does not define. */
export function termOfCode(code: number, trialDays = DEFAULT_TRIAL_DAYS): TermOfCode | null {
  if (!Number.isInteger(code)) return null;
  if (code === TRIAL_CODE) return { kind: 'trial', length: trialDays };
  if (code === DAY_CODE) return { kind: 'days', length: 1 };
  if (code === LIFETIME_CODE) return { kind: 'lifetime', length: 0 };
  if (code > 0 && code <= 120) return { kind: 'months', length: code };
  return null;
}

/** The upstream period code of a Trellis term; null when BILLmanager cannot sell that term (e.g. 10 days). */
export function codeOfTerm(kind: string, length: number): number | null {
  switch (kind) {
    case 'trial':
      return TRIAL_CODE;
    case 'days':
      return length === 1 ? DAY_CODE : null;
    case 'lifetime':
      return LIFETIME_CODE;
    case 'months':
      return Number.isInteger(length) && length > 0 ? length : null;
    default:
      return null;
  }
}

// Billing-account validation: Luhn, two-digit month, four-digit year, nine-digit routing number (and its ABA checksum), US state codes, with the exact messages.
import { describe, expect, it } from 'vitest';
import { ACCOUNT_MESSAGES, abaRoutingValid, isCardNumber, luhnValid, normalizeCardNumber, parseBillingAccountForm } from './schemas.ts';

const now = new Date('2026-03-02T09:00:00Z');

const card = (over: Record<string, string> = {}) => ({ nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: '4242 4242 4242 4242', expMonth: '12', expYear: '2027', ...over });
const bank = (over: Record<string, string> = {}) => ({ bankName: 'First Bank', bankState: 'TX', accountKind: 'checking', routingNumber: '111000025', accountNumber: '000123456789', ...over });

function errorsOf(type: Parameters<typeof parseBillingAccountForm>[0], values: Record<string, unknown>, opts: { keep?: string[] } = {}) {
  const r = parseBillingAccountForm(type, values, { now, ...opts });
  return r.ok ? {} : r.errors;
}

describe('card validation', () => {
  it('accepts a Luhn-valid number typed with spaces or dashes and keeps digits only', () => {
    const r = parseBillingAccountForm('card', card({ cardNumber: '4242-4242 4242-4242' }), { now });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.data.cardNumber).toBe('4242424242424242');
    expect(normalizeCardNumber(' 5555 5555-5555 4444 ')).toBe('5555555555554444');
  });

  it('rejects a number failing the Luhn check with "This card number is not valid"', () => {
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(errorsOf('card', card({ cardNumber: '4242 4242 4242 4241' })).cardNumber).toBe('This card number is not valid');
    expect(errorsOf('card', card({ cardNumber: '4242abcd42424242' })).cardNumber).toBe(ACCOUNT_MESSAGES.cardNumberInvalid);
    expect(errorsOf('card', card({ cardNumber: '' })).cardNumber).toBe('Enter the card number');
  });

  it('knows the Luhn check of well-known test numbers', () => {
    for (const n of ['4242424242424242', '5555555555554444', '378282246310005', '6011111111111117', '4000000000000002', '4000000000000119']) expect(isCardNumber(n), n).toBe(true);
    expect(isCardNumber('12345')).toBe(false);
  });

  it('wants the expiry month as exactly two digits from 01 to 12', () => {
    for (const bad of ['1', '001', '13', '00', 'ja']) expect(errorsOf('card', card({ expMonth: bad })).expMonth, bad).toBe('Enter the month as two digits, e.g. 01');
    expect(errorsOf('card', card({ expMonth: '01' })).expMonth).toBeUndefined();
  });

  it('wants the expiry year as exactly four digits and not in the past by the panel clock', () => {
    for (const bad of ['27', '20277', 'year']) expect(errorsOf('card', card({ expYear: bad })).expYear, bad).toBe('Enter the year as four digits, e.g. 2027');
    expect(errorsOf('card', card({ expYear: '2025' })).expYear).toBe(ACCOUNT_MESSAGES.expYearPast);
    expect(errorsOf('card', card({ expYear: '2026', expMonth: '03' }))).toEqual({});
    // The clock, not the wall clock, decides: in 2031 a 2027 card is expired.
    const later = parseBillingAccountForm('card', card(), { now: new Date('2031-01-01T00:00:00Z') });
    expect(later.ok ? {} : later.errors).toEqual({ expYear: ACCOUNT_MESSAGES.expYearPast });
  });

  it('refuses a card whose expiry month is already over this year', () => {
    expect(errorsOf('card', card({ expYear: '2026', expMonth: '02' })).expMonth).toBe(ACCOUNT_MESSAGES.expired);
  });

  it('checks the optional issue number, start date (MM/YYYY) and CVV', () => {
    expect(errorsOf('card', card({ issueNumber: '123' })).issueNumber).toBe(ACCOUNT_MESSAGES.issueNumber);
    expect(errorsOf('card', card({ startDate: '3/2024' })).startDate).toBe(ACCOUNT_MESSAGES.startDate);
    expect(errorsOf('card', card({ startDate: '04/2026' })).startDate).toBe(ACCOUNT_MESSAGES.startDateFuture);
    expect(errorsOf('card', card({ cvv: '12' })).cvv).toBe(ACCOUNT_MESSAGES.cvv);
    expect(errorsOf('card', card({ issueNumber: '2', startDate: '01/2024', cvv: '123' }))).toEqual({});
  });

  it('requires the name and the card type', () => {
    const e = errorsOf('card', card({ nameOnCard: ' ', cardType: 'diners' }));
    expect(e.nameOnCard).toBe(ACCOUNT_MESSAGES.nameOnCard);
    expect(e.cardType).toBe(ACCOUNT_MESSAGES.cardType);
  });

  it('lets an edit leave kept fields empty', () => {
    const r = parseBillingAccountForm('card', card({ cardNumber: '' }), { now, keep: ['cardNumber'] });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.data.cardNumber).toBeUndefined();
    expect(errorsOf('card', card({ cardNumber: '4242 4242 4242 4241' }), { keep: ['cardNumber'] }).cardNumber).toBe(ACCOUNT_MESSAGES.cardNumberInvalid);
  });
});

describe('eCheck, bank draft and wire validation', () => {
  it('wants a routing number of exactly 9 digits: "A routing number has 9 digits"', () => {
    for (const bad of ['11100002', '1110000255', '11100002a', '']) expect(errorsOf('echeck', bank({ routingNumber: bad })).routingNumber, bad).toBe('A routing number has 9 digits');
    expect(errorsOf('wire', bank())).toEqual({});
  });

  it('checks the ABA checksum of a nine-digit routing number', () => {
    expect(abaRoutingValid('111000025')).toBe(true);
    expect(abaRoutingValid('021000021')).toBe(true);
    expect(abaRoutingValid('111000026')).toBe(false);
    expect(errorsOf('echeck', bank({ routingNumber: '111000026' })).routingNumber).toBe(ACCOUNT_MESSAGES.routingNumberChecksum);
    expect(errorsOf('echeck', bank({ routingNumber: '021 000 021' })).routingNumber).toBeUndefined();
  });

  it('wants an account number of 4 to 17 digits', () => {
    expect(errorsOf('bank_draft', bank({ accountNumber: '123' })).accountNumber).toBe(ACCOUNT_MESSAGES.accountNumber);
    expect(errorsOf('bank_draft', bank({ accountNumber: '1'.repeat(18) })).accountNumber).toBe(ACCOUNT_MESSAGES.accountNumber);
    expect(errorsOf('bank_draft', bank({ accountNumber: '1234' })).accountNumber).toBeUndefined();
  });

  it('wants a two-letter ID state and a real date of birth in the past as MM/DD/YYYY', () => {
    expect(errorsOf('echeck', bank({ licenseState: 'Texas' })).licenseState).toBe(ACCOUNT_MESSAGES.licenseState);
    expect(errorsOf('echeck', bank({ licenseState: 'XX' })).licenseState).toBe(ACCOUNT_MESSAGES.licenseStateUnknown);
    expect(errorsOf('echeck', bank({ dateOfBirth: '31/01/1980' })).dateOfBirth).toBe(ACCOUNT_MESSAGES.dateOfBirth);
    expect(errorsOf('echeck', bank({ dateOfBirth: '02/30/1980' })).dateOfBirth).toBe(ACCOUNT_MESSAGES.dateOfBirth);
    expect(errorsOf('echeck', bank({ dateOfBirth: '03/03/2026' })).dateOfBirth).toBe(ACCOUNT_MESSAGES.dateOfBirthFuture);
    const ok = parseBillingAccountForm('echeck', bank({ licenseState: 'tx', licenseNumber: 'D1234567', dateOfBirth: '01/31/1980' }), { now });
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.data.licenseState).toBe('TX');
  });

  it('asks nothing of manual and third-party accounts', () => {
    expect(parseBillingAccountForm('manual', {}, { now }).ok).toBe(true);
    expect(parseBillingAccountForm('third_party', { label: 'PayPal' }, { now }).ok).toBe(true);
  });
});

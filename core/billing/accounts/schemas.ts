// zod schemas for billing accounts (seed 003 "Adding Billing Accounts"): the admin pages and the client portal share them.
import { z } from 'zod';
import { isUsStateCode } from '../../i18n/countries.ts';

export const ACCOUNT_TYPES = ['card', 'echeck', 'bank_draft', 'wire', 'manual', 'third_party'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export const BANK_ACCOUNT_TYPES = ['echeck', 'bank_draft', 'wire'] as const satisfies readonly AccountType[];

export const ACCOUNT_TYPE_LABELS: Record<AccountType, string> = {
  card: 'Credit card',
  echeck: 'eCheck',
  bank_draft: 'Bank draft',
  wire: 'Wire transfer',
  manual: 'Manual payment',
  third_party: 'Third-party gateway',
};

export const CARD_TYPES = ['visa', 'mastercard', 'amex', 'discover', 'maestro', 'mir'] as const;
export type CardType = (typeof CARD_TYPES)[number];
export const CARD_TYPE_LABELS: Record<CardType, string> = { visa: 'Visa', mastercard: 'MasterCard', amex: 'Amex', discover: 'Discover', maestro: 'Maestro', mir: 'Mir' };

export const BANK_ACCOUNT_KINDS = ['checking', 'savings', 'business'] as const;
export type BankAccountKind = (typeof BANK_ACCOUNT_KINDS)[number];
export const BANK_ACCOUNT_KIND_LABELS: Record<BankAccountKind, string> = { checking: 'Checking', savings: 'Savings', business: 'Business checking' };

/** The exact messages people see; tests and the portal refer to them. */
export const ACCOUNT_MESSAGES = {
  cardNumberMissing: 'Enter the card number',
  cardNumberInvalid: 'This card number is not valid',
  expMonth: 'Enter the month as two digits, e.g. 01',
  expYear: 'Enter the year as four digits, e.g. 2027',
  expYearPast: 'This year has passed; check the expiry year on the card',
  expYearFar: 'Check the expiry year: cards are not issued for that long',
  expired: 'This card expired at the end of that month; check the expiry date',
  startDate: 'Enter the start date as MM/YYYY, e.g. 03/2024',
  startDateFuture: 'The start date cannot be in the future',
  issueNumber: 'The issue number has one or two digits',
  cvv: 'The security code has 3 or 4 digits',
  nameOnCard: 'Enter the name as it appears on the card',
  cardType: 'Choose the type of card',
  bankName: 'Enter the name of the bank',
  accountKind: 'Choose the type of account',
  routingNumber: 'A routing number has 9 digits',
  routingNumberChecksum: 'This is not a valid routing number: check the nine digits at the bottom left of a check',
  accountNumber: 'An account number has 4 to 17 digits',
  licenseNumber: 'Use letters, digits, spaces and dashes only',
  licenseState: 'Enter the two-letter code of the state, e.g. TX',
  licenseStateUnknown: 'There is no US state with this code; use its two-letter code, e.g. TX',
  dateOfBirth: 'Enter the date of birth as MM/DD/YYYY, e.g. 01/31/1980',
  dateOfBirthFuture: 'The date of birth must be in the past',
  passphraseShort: 'Use at least 8 characters for the pass-phrase',
  passphraseRequired: 'Enter the encryption pass-phrase',
} as const;

/** Fields never echoed back into a form; on an edit, leaving them empty keeps the stored value. */
export const SECRET_FIELDS = ['cardNumber', 'cvv', 'routingNumber', 'accountNumber', 'licenseNumber', 'dateOfBirth'] as const;
/** Card and bank fields that live inside the sealed (encrypted) data. */
export const SEALED_CARD_FIELDS = ['nameOnCard', 'cardNumber', 'issueNumber', 'startDate'] as const;
export const SEALED_BANK_FIELDS = ['bankState', 'accountKind', 'routingNumber', 'accountNumber', 'licenseNumber', 'licenseState', 'dateOfBirth'] as const;

/** Luhn (mod 10) check of a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * The ABA check of a US routing number: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10.
 * It catches a mistyped digit before the bank refuses the draft.
 */
export function abaRoutingValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  const d = [...digits].map(Number);
  return (3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!)) % 10 === 0;
}

/** What people type ("4242 4242-4242 4242") as digits only. */
export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]+/g, '');
}

export function isCardNumber(input: string): boolean {
  const digits = normalizeCardNumber(input);
  return /^\d{12,19}$/.test(digits) && luhnValid(digits);
}

/** A form sends '' for an empty field and nothing for an unticked box; typed callers may send undefined. */
const orEmpty = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? (v[0] ?? '') : v);

function text(max: number, required?: string) {
  let s = z.string({ message: 'Enter text' }).trim().max(max, `Use at most ${max} characters`);
  if (required) s = s.min(1, required);
  return z.preprocess(orEmpty, s);
}

function choice<const T extends readonly [string, ...string[]]>(values: T, message: string) {
  return z.preprocess(orEmpty, z.enum(values, { message }));
}

const checkbox = z.preprocess((v) => {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return s === true || s === 1 || s === '1' || s === 'on' || s === 'true';
}, z.boolean());

const idList = z
  .preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.union([z.string(), z.number()])))
  .refine((list) => list.every((x) => /^[1-9]\d{0,9}$/.test(String(x))), 'Choose from the listed services')
  .transform((list) => [...new Set(list.map(Number))]);

const optionalId = z.preprocess(
  (v) => {
    const s = orEmpty(v);
    return s === '' ? null : s;
  },
  z.union([z.null(), z.string().regex(/^[1-9]\d{0,9}$/, 'Choose from the list').transform(Number)]),
);

/** Leaves a field out (keep the stored value) when it arrives empty. */
function keepable<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => (orEmpty(v) === '' ? undefined : v), schema.optional());
}

function ym(now: Date) {
  return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1 };
}

/* ---------- the card ---------- */

export interface CardFields {
  nameOnCard: string;
  cardType: CardType;
  /** Digits only. */
  cardNumber: string;
  expMonth: string;
  expYear: string;
  issueNumber: string;
  startDate: string;
  /** Only for an immediate charge; never stored, never logged. */
  cvv: string;
}

export interface SchemaOptions {
  /** `clock.now()`: expiry and start dates are checked against it, never against the wall clock. */
  now: Date;
  /** Fields that may be left empty to keep the stored value (editing an account). */
  keep?: readonly string[];
}

export function cardFieldsShape(opts: SchemaOptions) {
  const { year } = ym(opts.now);
  const shape = {
    nameOnCard: text(100, ACCOUNT_MESSAGES.nameOnCard),
    cardType: choice(CARD_TYPES, ACCOUNT_MESSAGES.cardType),
    cardNumber: z.preprocess(
      (v) => normalizeCardNumber(String(orEmpty(v))),
      z.string().min(1, ACCOUNT_MESSAGES.cardNumberMissing).refine(isCardNumber, ACCOUNT_MESSAGES.cardNumberInvalid),
    ),
    expMonth: z.preprocess((v) => String(orEmpty(v)).trim(), z.string().regex(/^(0[1-9]|1[0-2])$/, ACCOUNT_MESSAGES.expMonth)),
    expYear: z.preprocess(
      (v) => String(orEmpty(v)).trim(),
      z
        .string()
        .regex(/^\d{4}$/, ACCOUNT_MESSAGES.expYear)
        .refine((y) => Number(y) >= year, ACCOUNT_MESSAGES.expYearPast)
        .refine((y) => Number(y) <= year + 25, ACCOUNT_MESSAGES.expYearFar),
    ),
    issueNumber: z.preprocess((v) => String(orEmpty(v)).trim(), z.string().regex(/^\d{0,2}$/, ACCOUNT_MESSAGES.issueNumber)),
    startDate: z.preprocess(
      (v) => String(orEmpty(v)).trim(),
      z
        .string()
        .regex(/^((0[1-9]|1[0-2])\/\d{4})?$/, ACCOUNT_MESSAGES.startDate)
        .refine((s) => s === '' || Number(s.slice(3)) * 100 + Number(s.slice(0, 2)) <= ym(opts.now).year * 100 + ym(opts.now).month, ACCOUNT_MESSAGES.startDateFuture),
    ),
    cvv: z.preprocess((v) => String(orEmpty(v)).trim(), z.string().regex(/^(\d{3,4})?$/, ACCOUNT_MESSAGES.cvv)),
  };
  return applyKeep(shape, opts.keep);
}

/* ---------- eCheck, bank draft, wire ---------- */

export interface BankFields {
  bankName: string;
  bankState: string;
  accountKind: BankAccountKind;
  routingNumber: string;
  accountNumber: string;
  licenseNumber: string;
  licenseState: string;
  /** MM/DD/YYYY as typed, or ''. */
  dateOfBirth: string;
}

function validDob(s: string): boolean {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(s);
  if (!m) return false;
  const [mm, dd, yyyy] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(yyyy, mm - 1, dd));
  return yyyy >= 1900 && d.getUTCFullYear() === yyyy && d.getUTCMonth() === mm - 1 && d.getUTCDate() === dd;
}

function dobIsPast(s: string, now: Date): boolean {
  const [mm, dd, yyyy] = s.split('/').map(Number) as [number, number, number];
  return Date.UTC(yyyy, mm - 1, dd) < Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

export function bankFieldsShape(opts: SchemaOptions) {
  const digitsOnly = (v: unknown) => String(orEmpty(v)).replace(/[\s-]+/g, '');
  const shape = {
    bankName: text(100, ACCOUNT_MESSAGES.bankName),
    bankState: text(100),
    accountKind: choice(BANK_ACCOUNT_KINDS, ACCOUNT_MESSAGES.accountKind),
    routingNumber: z.preprocess(digitsOnly, z.string().regex(/^\d{9}$/, ACCOUNT_MESSAGES.routingNumber).refine((s) => !/^\d{9}$/.test(s) || abaRoutingValid(s), ACCOUNT_MESSAGES.routingNumberChecksum)),
    accountNumber: z.preprocess(digitsOnly, z.string().regex(/^\d{4,17}$/, ACCOUNT_MESSAGES.accountNumber)),
    licenseNumber: z.preprocess((v) => String(orEmpty(v)).trim(), z.string().max(30, 'Use at most 30 characters').regex(/^[A-Za-z0-9 -]*$/, ACCOUNT_MESSAGES.licenseNumber)),
    licenseState: z.preprocess(
      (v) => String(orEmpty(v)).trim().toUpperCase(),
      z
        .string()
        .regex(/^([A-Z]{2})?$/, ACCOUNT_MESSAGES.licenseState)
        .refine((s) => !/^[A-Z]{2}$/.test(s) || isUsStateCode(s), ACCOUNT_MESSAGES.licenseStateUnknown),
    ),
    dateOfBirth: z.preprocess(
      (v) => String(orEmpty(v)).trim(),
      z
        .string()
        .refine((s) => s === '' || validDob(s), ACCOUNT_MESSAGES.dateOfBirth)
        .refine((s) => s === '' || !validDob(s) || dobIsPast(s, opts.now), ACCOUNT_MESSAGES.dateOfBirthFuture),
    ),
  };
  return applyKeep(shape, opts.keep);
}

function applyKeep<T extends Record<string, z.ZodType>>(shape: T, keep: readonly string[] | undefined): T {
  if (!keep?.length) return shape;
  const out: Record<string, z.ZodType> = { ...shape };
  for (const k of keep) if (out[k]) out[k] = keepable(out[k]);
  return out as T;
}

/* ---------- the whole form ---------- */

export const commonAccountShape = {
  label: text(100),
  contactId: optionalId,
  isDefault: checkbox,
  serviceIds: idList,
  passphrase: z.preprocess((v) => String(orEmpty(v)), z.string().max(200, 'Use at most 200 characters').refine((s) => s === '' || s.length >= 8, ACCOUNT_MESSAGES.passphraseShort)),
};

export interface CommonAccountFields {
  label: string;
  contactId: number | null;
  isDefault: boolean;
  serviceIds: number[];
  passphrase: string;
}

export type BillingAccountInput =
  | ({ type: 'card' } & CommonAccountFields & CardFields)
  | ({ type: 'echeck' | 'bank_draft' | 'wire' } & CommonAccountFields & BankFields)
  | ({ type: 'manual' | 'third_party' } & CommonAccountFields);

/** Card and bank fields with their keep-if-empty variants have optional outputs on an edit. */
export type BillingAccountEditInput = { type: AccountType } & CommonAccountFields & Partial<CardFields> & Partial<BankFields>;

export function isBankType(type: string): type is (typeof BANK_ACCOUNT_TYPES)[number] {
  return (BANK_ACCOUNT_TYPES as readonly string[]).includes(type);
}

/**
 * The schema of the form for one type of account. `keep` lists fields an edit may leave empty to
 * keep what is stored (their output is then undefined).
 */
export function billingAccountSchema(type: AccountType, opts: SchemaOptions) {
  const base = { ...commonAccountShape, type: z.literal(type).default(type) };
  const withExpiry = <T extends z.ZodRawShape>(shape: T) =>
    z.object(shape).superRefine((v, ctx) => {
      const { expMonth, expYear } = v as { expMonth?: string; expYear?: string };
      if (!expMonth || !expYear || !/^\d{4}$/.test(expYear)) return;
      const now = ym(opts.now);
      if (Number(expYear) === now.year && Number(expMonth) < now.month) ctx.addIssue({ code: 'custom', path: ['expMonth'], message: ACCOUNT_MESSAGES.expired });
    });
  if (type === 'card') return withExpiry({ ...base, ...cardFieldsShape(opts) });
  if (isBankType(type)) return z.object({ ...base, ...bankFieldsShape(opts) });
  return z.object(base);
}

/** Parses form values for `type`; the type itself comes from the route, never trusted from the body. */
export function parseBillingAccountForm(type: AccountType, values: Record<string, unknown>, opts: SchemaOptions): { ok: true; data: BillingAccountEditInput } | { ok: false; errors: Record<string, string> } {
  const parsed = billingAccountSchema(type, opts).safeParse({ ...values, type });
  if (parsed.success) return { ok: true, data: parsed.data as unknown as BillingAccountEditInput };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join('.') || '_form';
    if (!errors[key]) errors[key] = issue.message;
  }
  return { ok: false, errors };
}

export function isAccountType(v: unknown): v is AccountType {
  return typeof v === 'string' && (ACCOUNT_TYPES as readonly string[]).includes(v);
}

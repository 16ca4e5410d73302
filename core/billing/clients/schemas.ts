// zod schemas for clients, contacts and contact logins: the forms and the domain functions share them.
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { isCountryCode, isUsStateCode } from '../../i18n/countries.ts';
import { CLIENT_KINDS, CONTACT_PERMISSIONS, EMAIL_ACTIONS, EMAIL_FORMATS, LANGUAGES, type EmailAction } from './store.ts';

/** A form sends '' for an empty field and nothing for an unticked box; typed callers may send undefined. */
const orEmpty = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? (v[0] ?? '') : v);

function text(max: number, opts: { required?: string; pattern?: [RegExp, string] } = {}) {
  let s = z.string({ message: 'Enter text' }).trim().max(max, `Use at most ${max} characters`);
  if (opts.required) s = s.min(1, opts.required);
  if (opts.pattern) s = s.regex(opts.pattern[0], opts.pattern[1]);
  return z.preprocess(orEmpty, s);
}

function choice<const T extends readonly [string, ...string[]]>(values: T, message: string, fallback?: T[number]) {
  return z.preprocess((v) => {
    const s = orEmpty(v);
    return s === '' && fallback !== undefined ? fallback : s;
  }, z.enum(values, { message }));
}

const emailField = z.preprocess(
  orEmpty,
  z.string().trim().toLowerCase().min(1, 'Enter an e-mail address').max(254, 'Use at most 254 characters').email('Enter a valid e-mail address, like name@example.com'),
);

const optionalEmailField = z.preprocess(
  orEmpty,
  z.string().trim().toLowerCase().max(254, 'Use at most 254 characters')
    .refine((v) => v === '' || z.string().email().safeParse(v).success, 'Enter a valid e-mail address, like name@example.com'),
);

const countryField = z.preprocess(
  (v) => {
    const s = orEmpty(v);
    return typeof s === 'string' ? s.trim().toUpperCase() : s;
  },
  z.string().min(1, 'Choose a country').refine((c) => c === '' || isCountryCode(c), 'Choose a country from the list'),
);

const checkbox = z.preprocess((v) => {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return s === true || s === 1 || s === '1' || s === 'on' || s === 'true';
}, z.boolean());

const phone = text(40, { pattern: [/^[0-9+()\-.\s/x]*$/i, 'Use digits, spaces and + ( ) - . / only'] });

const emailActionsField = z
  .preprocess((v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()))
  .refine((list) => list.every((a) => (EMAIL_ACTIONS as readonly string[]).includes(a)), 'Choose from the listed e-mails')
  .transform((list) => EMAIL_ACTIONS.filter((a) => list.includes(a)) as EmailAction[]);

/* ---------- the parts ---------- */

export const clientShape = {
  kind: choice(CLIENT_KINDS, 'Choose person or company', 'person'),
  name: text(200),
  company: text(200),
  country: countryField,
  currency: z.preprocess((v) => (typeof orEmpty(v) === 'string' ? (orEmpty(v) as string).trim().toUpperCase() : v), z.string().regex(/^[A-Z]{3}$/, 'Choose a currency')),
  language: choice(LANGUAGES, 'Choose a language', 'en'),
  taxExempt: checkbox,
  vatNumber: z.preprocess(
    (v) => (typeof orEmpty(v) === 'string' ? (orEmpty(v) as string).replace(/\s+/g, '').toUpperCase() : v),
    z.string().max(40, 'Use at most 40 characters').regex(/^[A-Z0-9.-]*$/, 'Use letters and digits only, like DE123456789'),
  ),
  notes: text(5000),
};

export const contactShape = {
  company: text(200),
  firstName: text(100, { required: 'Enter the first name' }),
  lastName: text(100, { required: 'Enter the last name' }),
  email: emailField,
  address1: text(200),
  address2: text(200),
  city: text(100),
  state: text(100),
  county: text(100),
  zip: text(20, { pattern: [/^[A-Za-z0-9 -]*$/, 'Use letters, digits, spaces and hyphens only'] }),
  country: countryField,
  phone,
  phone2: phone,
  fax: phone,
  mobile: phone,
  language: choice(LANGUAGES, 'Choose a language', 'en'),
  emailFormat: choice(EMAIL_FORMATS, 'Choose HTML or plain text', 'html'),
  emailActions: emailActionsField,
  permissions: choice(CONTACT_PERMISSIONS, 'Choose what the login may do', 'all'),
};

export const loginShape = {
  loginEmail: optionalEmailField,
  password: text(200),
  confirm: text(200),
};

type Ctx = z.RefinementCtx;

/** A county belongs to a two-letter US state; anything else with a county is an error, not silently dropped. */
export function checkCounty(v: { county: string; state: string; country: string }, ctx: Ctx): void {
  if (v.county === '') return;
  if (v.country !== 'US') ctx.addIssue({ code: 'custom', path: ['county'], message: 'A county is only for US addresses: choose United States or leave the county empty' });
  else if (!isUsStateCode(v.state)) ctx.addIssue({ code: 'custom', path: ['county'], message: 'A county needs a two-letter US state code (like NY) in State, or leave the county empty' });
}

export function checkCompany(v: { kind: string; company: string }, ctx: Ctx): void {
  if (v.kind === 'company' && v.company === '') ctx.addIssue({ code: 'custom', path: ['company'], message: 'Enter the company name' });
}

/** Only the shape of the passwords; whether a login is wanted or exists is the domain's question. */
export function checkPasswords(v: { password: string; confirm: string }, ctx: Ctx): void {
  if (v.password !== '' && v.password.length < MIN_PASSWORD_LENGTH) ctx.addIssue({ code: 'custom', path: ['password'], message: `Use at least ${MIN_PASSWORD_LENGTH} characters` });
  if (v.password !== v.confirm) ctx.addIssue({ code: 'custom', path: ['confirm'], message: 'The two passwords do not match' });
}

/** Two-letter US state codes are stored upper-case ("ny" → "NY"); everything else as typed. */
function normalizeState<T extends { state: string; country: string }>(v: T): T {
  return v.country === 'US' && isUsStateCode(v.state) ? { ...v, state: v.state.toUpperCase() } : v;
}

export const clientSchema = z.object(clientShape).superRefine(checkCompany);
/** The edit form: the display name is asked for (on creation it comes from the contact or company). */
export const clientEditSchema = z.object({ ...clientShape, name: text(200, { required: 'Enter the client name' }) }).superRefine(checkCompany);
export const contactSchema = z.object(contactShape).superRefine(checkCounty).transform(normalizeState);
export const loginSchema = z.object(loginShape).superRefine(checkPasswords);
export const passwordResetSchema = z
  .object({ password: text(200, { required: `Enter a password of at least ${MIN_PASSWORD_LENGTH} characters` }), confirm: text(200) })
  .superRefine(checkPasswords);

/** The "new client" form: client, primary contact and an optional login in one flat form. */
export const newClientFormSchema = z
  .object({ ...contactShape, ...clientShape, ...loginShape })
  .superRefine((v, ctx) => {
    checkCompany(v, ctx);
    checkCounty(v, ctx);
    checkPasswords(v, ctx);
  })
  .transform(normalizeState);

/** The contact form: contact fields and its login (user name, new password, confirmation). */
export const contactFormSchema = z
  .object({ ...contactShape, ...loginShape })
  .superRefine((v, ctx) => {
    checkCounty(v, ctx);
    checkPasswords(v, ctx);
  })
  .transform(normalizeState);

export type ClientInput = z.input<typeof clientSchema>;
export type ClientFields = z.output<typeof clientSchema>;
export type ContactFields = z.output<typeof contactSchema>;
export type LoginFields = z.output<typeof loginSchema>;

/** What typed callers pass (the form's output satisfies it too); everything is checked again inside. */
export interface ClientInputFields {
  kind?: 'person' | 'company';
  /** Display name; on creation it defaults to the company (companies) or the contact's full name (people). */
  name?: string;
  company?: string;
  country: string;
  currency: string;
  language?: string;
  taxExempt?: boolean;
  vatNumber?: string;
  notes?: string;
}

export interface ContactInputFields {
  company?: string;
  firstName: string;
  lastName: string;
  email: string;
  address1?: string;
  address2?: string;
  city?: string;
  state?: string;
  county?: string;
  zip?: string;
  country: string;
  phone?: string;
  phone2?: string;
  fax?: string;
  mobile?: string;
  language?: string;
  emailFormat?: string;
  emailActions?: readonly string[];
  permissions?: string;
}

export interface LoginInputFields {
  /** The user name: the e-mail address the contact signs in with. */
  loginEmail: string;
  password: string;
  /** Defaults to `password` for typed callers that have no confirmation field. */
  confirm?: string;
}

/** zod issues as { field: message }, the first message per field (nested paths report their top field). */
export function issuesToFields(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : '_form';
    if (!out[key]) out[key] = issue.message;
  }
  return out;
}

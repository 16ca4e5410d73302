// The client's contacts (seed 003 "Adding Contacts"): list, add, edit, delete, and their logins with the
// permissions the account owner grants. Every lookup is scoped by the client id; the rules (validation,
// unique user names, the primary contact, sessions ended with a login) are core/billing/clients'.
import type { Knex } from 'knex';
import type { FormValues } from '../../http/forms.ts';
import type { AppServices } from '../../services.ts';
import { COUNTRIES, COUNTRY_OPTIONS } from '../../i18n/countries.ts';
import { addContact, removeContact, removeContactLogin, updateContactDetails } from '../clients/contacts.ts';
import { contactValues } from '../clients/contact-form.ts';
import { DEFAULT_EMAIL_ACTIONS, EMAIL_ACTION_LABELS, EMAIL_FORMAT_LABELS, PERMISSION_LABELS } from '../clients/labels.ts';
import { fail, type ClientActor, type Outcome } from '../clients/outcome.ts';
import { contactFormSchema, issuesToFields } from '../clients/schemas.ts';
import {
  CONTACT_PERMISSIONS,
  EMAIL_ACTIONS,
  EMAIL_FORMATS,
  findClient,
  findClientUser,
  findContact,
  listClientUsers,
  listContacts,
  type ClientUserRow,
  type ContactPermission,
  type ContactRow,
} from '../clients/store.ts';

export { countyVisible, toggledActions } from '../clients/contact-form.ts';
export { OWNER_ROLE, type ContactPermission, type ContactRow } from '../clients/store.ts';

type Q = Knex | Knex.Transaction;
type ContactApp = Pick<AppServices, 'db' | 'clock'>;

export interface PortalContact {
  id: number;
  name: string;
  company: string;
  email: string;
  isPrimary: boolean;
  permissions: ContactPermission;
  login: { id: number; email: string; status: 'active' | 'suspended'; lastLoginAt: string | null } | null;
}

/** The client's contacts, primary first, with their logins. */
export async function clientContactList(db: Q, clientId: number): Promise<PortalContact[]> {
  const [contacts, users] = await Promise.all([listContacts(db, clientId), listClientUsers(db, clientId)]);
  const loginOf = new Map(users.map((u) => [u.id, u]));
  return contacts.map((c) => {
    const u = c.user_id === null ? undefined : loginOf.get(c.user_id);
    return {
      id: c.id,
      name: `${c.first_name} ${c.last_name}`.trim(),
      company: c.company,
      email: c.email,
      isPrimary: c.is_primary,
      permissions: c.permissions,
      login: u ? { id: u.id, email: u.email, status: u.status, lastLoginAt: u.last_login_at } : null,
    };
  });
}

/** One contact of the client with its login, or undefined (another client's id is never found). */
export async function clientContact(db: Q, clientId: number, contactId: number): Promise<{ contact: ContactRow; login: ClientUserRow | undefined } | undefined> {
  const contact = await findContact(db, clientId, contactId);
  if (!contact) return undefined;
  return { contact, login: contact.user_id ? await findClientUser(db, clientId, contact.user_id) : undefined };
}

/** A new contact's form: the client's country and language, e-mails as staff would tick them, full permissions. */
export async function newContactValues(db: Q, clientId: number): Promise<FormValues> {
  const client = await findClient(db, clientId);
  return { company: client?.company ?? '', country: client?.country ?? '', language: client?.language ?? 'en', emailFormat: 'html', emailActions: [...DEFAULT_EMAIL_ACTIONS], permissions: 'all' };
}

/** A stored contact as form values (passwords are never part of them). */
export function editContactValues(found: { contact: ContactRow; login: ClientUserRow | undefined }): FormValues {
  return contactValues(found.contact, found.login?.email ?? '');
}

const str = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

function parseContactForm(values: FormValues) {
  const parsed = contactFormSchema.safeParse(values);
  return parsed.success ? { ok: true as const, data: parsed.data } : { ok: false as const, errors: issuesToFields(parsed.error) };
}

/** Adds a contact from the portal form; a user name and password give it a login with the chosen permissions. */
export async function addClientContact(app: ContactApp, input: { clientId: number; values: FormValues; actor: ClientActor }): Promise<Outcome<{ contactId: number; userId: number | null }>> {
  const form = parseContactForm(input.values);
  if (!form.ok) return fail(form.errors);
  const d = form.data;
  return addContact(app.db, input.clientId, { contact: d, login: { loginEmail: d.loginEmail, password: d.password, confirm: d.confirm } }, { clock: app.clock, actor: input.actor });
}

/**
 * Saves a contact from the portal form. The primary contact's login is the owner's own and is not
 * managed here (its user name and password are changed under the account's own settings), and its
 * permissions do not apply: whatever the form carries, they stay as stored.
 */
export async function saveClientContact(
  app: ContactApp,
  input: { clientId: number; contact: ContactRow; values: FormValues; actor: ClientActor },
): Promise<Outcome<{ userId: number | null; loginCreated: boolean; passwordChanged: boolean; endedSessions: number }>> {
  const primary = input.contact.is_primary;
  const values: FormValues = primary ? { ...input.values, permissions: input.contact.permissions, loginEmail: '', password: '', confirm: '' } : input.values;
  const form = parseContactForm(values);
  if (!form.ok) return fail(form.errors);
  const d = form.data;
  const login = primary ? undefined : { loginEmail: d.loginEmail, password: d.password, confirm: d.confirm };
  return updateContactDetails(app.db, input.clientId, input.contact.id, { contact: d, login }, { clock: app.clock, actor: input.actor });
}

/** Deletes a contact of the client with its login; the primary contact cannot be deleted. */
export async function deleteClientContact(app: ContactApp, input: { clientId: number; contactId: number; actor: ClientActor }): Promise<Outcome<{ removedUserId: number | null }>> {
  return removeContact(app.db, input.clientId, input.contactId, { clock: app.clock, actor: input.actor });
}

/** Takes a contact's login away (signed out everywhere); the contact stays. */
export async function removeClientContactLogin(app: ContactApp, input: { clientId: number; contactId: number; actor: ClientActor }): Promise<Outcome<{ userId: number }>> {
  return removeContactLogin(app.db, input.clientId, input.contactId, { clock: app.clock, actor: input.actor });
}

/* ---------- the form's choices ---------- */

export interface ContactChoice {
  value: string;
  label: string;
}

const countryCache = new Map<string, readonly ContactChoice[]>();

/** Countries named and sorted in the reader's language (Intl has the names; English is the fallback). */
export function countryOptions(lang: string): readonly ContactChoice[] {
  if (lang === 'en') return COUNTRY_OPTIONS;
  const cached = countryCache.get(lang);
  if (cached) return cached;
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' });
  } catch {
    return COUNTRY_OPTIONS;
  }
  const options = Object.keys(COUNTRIES)
    .map((value) => ({ value, label: names.of(value) ?? COUNTRIES[value]! }))
    .sort((a, b) => a.label.localeCompare(b.label, lang));
  countryCache.set(lang, options);
  return options;
}

/** Languages a contact may read the client area in, each named in itself. */
export const CONTACT_LANGUAGE_OPTIONS: readonly ContactChoice[] = [
  { value: 'en', label: 'English' },
  { value: 'ru', label: 'Русский' },
];

/** English labels (the portal translates them) of the other choices. */
export const CONTACT_CHOICES = {
  emailFormat: EMAIL_FORMATS.map((value) => ({ value, label: EMAIL_FORMAT_LABELS[value] })),
  emailActions: EMAIL_ACTIONS.map((value) => ({ value, label: EMAIL_ACTION_LABELS[value] })),
  permissions: CONTACT_PERMISSIONS.map((value) => ({ value, label: PERMISSION_LABELS[value] })),
} as const;

/** The state and country a county-field request asks about, as form values. */
export function countyQuery(query: Record<string, string | undefined>): FormValues {
  return { state: str(query.state), country: str(query.country), county: str(query.county) };
}

// Contacts of a client (seed 003): add, edit, delete, make primary, give or take away a login; who gets which e-mail.
import type { Knex } from 'knex';
import { iso } from '../../db/time.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { UserStore } from '../../auth/users.ts';
import { audit, fail, isUniqueViolation, ok, type ClientDeps, type FieldErrors, type Outcome } from './outcome.ts';
import { contactSchema, issuesToFields, loginSchema, type ContactFields, type ContactInputFields, type LoginFields, type LoginInputFields } from './schemas.ts';
import {
  clientLoginOwner,
  deleteClientUser,
  deleteContact,
  endClientUserSessions,
  findContact,
  insertContact,
  listContacts,
  lockClient,
  rebuildSearchTerms,
  setPrimaryContact,
  updateClient,
  updateClientUser,
  updateContact,
  OWNER_ROLE,
  type ContactColumns,
  type ContactPermission,
  type ContactRow,
  type EmailAction,
  type EmailFormat,
  type Queryable,
} from './store.ts';

export const LOGIN_TAKEN = 'Another client login already uses this user name: choose a different e-mail address';

export function validateContact(input: ContactInputFields): Outcome<ContactFields> {
  const parsed = contactSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : fail(issuesToFields(parsed.error));
}

/**
 * Checks the login part of a contact form. 'new': no login yet, an empty user name means none is
 * wanted (then no password either). 'existing': the user name stays required and an empty
 * password keeps the current one.
 */
export function validateLogin(input: LoginInputFields | null, mode: 'new' | 'existing'): Outcome<LoginFields | null> {
  if (!input) return mode === 'new' ? ok(null) : fail({ loginEmail: 'Enter the user name' });
  const parsed = loginSchema.safeParse({ ...input, confirm: input.confirm ?? input.password });
  const errors: FieldErrors = parsed.success ? {} : issuesToFields(parsed.error);
  const v = parsed.success ? parsed.data : null;
  const loginEmail = v?.loginEmail ?? String(input.loginEmail ?? '').trim();
  const password = v?.password ?? String(input.password ?? '');
  if (mode === 'new') {
    if (loginEmail === '' && password !== '') errors.loginEmail ??= 'Enter a user name (an e-mail address) to create a login, or leave the password empty';
    if (loginEmail !== '' && password === '') errors.password ??= `Enter a password of at least ${MIN_PASSWORD_LENGTH} characters for the new login`;
  } else if (loginEmail === '') {
    errors.loginEmail ??= 'Enter the user name; to take the login away use "Remove login"';
  }
  if (Object.keys(errors).length || !v) return fail(errors);
  return ok(mode === 'new' && v.loginEmail === '' ? null : v);
}

export function contactColumns(v: ContactFields): ContactColumns {
  return {
    company: v.company,
    first_name: v.firstName,
    last_name: v.lastName,
    email: v.email,
    address1: v.address1,
    address2: v.address2,
    city: v.city,
    state: v.state,
    county: v.county,
    zip: v.zip,
    country: v.country,
    phone: v.phone,
    phone2: v.phone2,
    fax: v.fax,
    mobile: v.mobile,
    language: v.language,
    email_format: v.emailFormat,
    email_actions: v.emailActions,
    permissions: v.permissions,
  };
}

export function contactName(c: Pick<ContactRow, 'first_name' | 'last_name'>): string {
  return `${c.first_name} ${c.last_name}`.trim();
}

export interface ContactInput {
  contact: ContactInputFields;
  /** The contact's login: user name, password and confirmation (see validateLogin for empty fields). */
  login?: LoginInputFields | null;
}

/** The role a contact's login has: the owner's for the primary contact, the contact's permissions otherwise. */
export function loginRoleOf(contact: { isPrimary: boolean; permissions: ContactPermission }): string {
  return contact.isPrimary ? OWNER_ROLE : contact.permissions;
}

/**
 * Creates the login of a contact and links it. The contact's language is the login's language, so the
 * client area speaks it from the first sign-in.
 */
export async function createContactLogin(
  trx: Knex.Transaction,
  deps: Pick<ClientDeps, 'clock'>,
  input: { clientId: number; contactId: number; isPrimary: boolean; person: ContactFields; login: LoginFields; passwordHash: string },
): Promise<number> {
  const { clientId, person } = input;
  const userId = await new UserStore({ db: trx, clock: deps.clock }).create(
    { kind: 'client', email: input.login.loginEmail, name: `${person.firstName} ${person.lastName}`.trim(), passwordHash: input.passwordHash, role: loginRoleOf({ isPrimary: input.isPrimary, permissions: person.permissions }), clientId },
    trx,
  );
  await updateClientUser(trx, clientId, userId, { language: person.language }, iso(deps.clock.now()));
  await trx('core_contacts').where({ id: input.contactId, client_id: clientId }).update({ user_id: userId });
  return userId;
}

/** Adds a (non-primary) contact, with a login when a user name is given. */
export async function addContact(db: Knex, clientId: number, input: ContactInput, deps: ClientDeps): Promise<Outcome<{ contactId: number; userId: number | null }>> {
  const contact = validateContact(input.contact);
  const login = validateLogin(input.login ?? null, 'new');
  if (!contact.ok || !login.ok) return fail({ ...(login.ok ? {} : login.errors), ...(contact.ok ? {} : contact.errors) });
  const person = contact.value;
  const passwordHash = login.value ? await hashPassword(login.value.password) : null;
  const at = iso(deps.clock.now());
  try {
    return await db.transaction(async (trx) => {
      if (!(await lockClient(trx, clientId, at))) return fail({ _form: `Client #${clientId} does not exist.` });
      if (login.value && (await clientLoginOwner(trx, login.value.loginEmail, null)) !== undefined) return fail({ loginEmail: LOGIN_TAKEN });
      const contactId = await insertContact(trx, clientId, { ...contactColumns(person), is_primary: false }, at);
      const userId = login.value && passwordHash ? await createContactLogin(trx, deps, { clientId, contactId, isPrimary: false, person, login: login.value, passwordHash }) : null;
      await rebuildSearchTerms(trx, clientId);
      await audit(trx, deps, 'client.contact_added', clientId, { contactId, email: person.email, ...(userId ? { loginUserId: userId } : {}) });
      return ok({ contactId, userId });
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail({ loginEmail: LOGIN_TAKEN });
    throw err;
  }
}

/**
 * Saves a contact and its login part: creates the login when the contact has none and a user name
 * is given; otherwise renames it, changes its permissions and, when a new password is given, sets
 * it and ends the login's sessions. The primary contact's e-mail is the client's e-mail too.
 */
export async function updateContactDetails(
  db: Knex,
  clientId: number,
  contactId: number,
  input: ContactInput,
  deps: ClientDeps,
): Promise<Outcome<{ userId: number | null; loginCreated: boolean; passwordChanged: boolean; endedSessions: number }>> {
  const before = await findContact(db, clientId, contactId);
  if (!before) return fail({ _form: 'This contact does not exist (any more).' });
  const contact = validateContact(input.contact);
  // A caller that sends no login part leaves an existing login as it is (its name and role still follow the contact).
  const login = !input.login && before.user_id ? ok(null) : validateLogin(input.login ?? null, before.user_id ? 'existing' : 'new');
  if (!contact.ok || !login.ok) return fail({ ...(login.ok ? {} : login.errors), ...(contact.ok ? {} : contact.errors) });
  const person = contact.value;
  const passwordHash = login.value && login.value.password !== '' ? await hashPassword(login.value.password) : null;
  const at = iso(deps.clock.now());
  try {
    return await db.transaction(async (trx) => {
      await lockClient(trx, clientId, at);
      const current = await findContact(trx, clientId, contactId);
      if (!current || current.user_id !== before.user_id) return fail({ _form: 'The contact was changed by someone else meanwhile; reload and try again.' });
      const userId = current.user_id;
      if (login.value && (await clientLoginOwner(trx, login.value.loginEmail, userId)) !== undefined) return fail({ loginEmail: LOGIN_TAKEN });

      await updateContact(trx, clientId, contactId, contactColumns(person), at);
      if (current.is_primary && current.email !== person.email) await updateClient(trx, clientId, { email: person.email }, at);
      let result = { userId, loginCreated: false, passwordChanged: false, endedSessions: 0 };
      if (userId === null && login.value && passwordHash) {
        result = { ...result, userId: await createContactLogin(trx, deps, { clientId, contactId, isPrimary: current.is_primary, person, login: login.value, passwordHash }), loginCreated: true };
      } else if (userId !== null) {
        await updateClientUser(
          trx,
          clientId,
          userId,
          {
            ...(login.value ? { email: login.value.loginEmail } : {}),
            name: `${person.firstName} ${person.lastName}`.trim(),
            role: loginRoleOf({ isPrimary: current.is_primary, permissions: person.permissions }),
            language: person.language,
            ...(passwordHash ? { password_hash: passwordHash } : {}),
          },
          at,
        );
        if (passwordHash) result = { ...result, passwordChanged: true, endedSessions: await endClientUserSessions(trx, userId) };
      }
      await rebuildSearchTerms(trx, clientId);
      await audit(trx, deps, 'client.contact_updated', clientId, {
        contactId,
        ...(result.loginCreated ? { loginCreated: result.userId } : {}),
        ...(result.passwordChanged ? { passwordChangedFor: userId, endedSessions: result.endedSessions } : {}),
      });
      return ok(result);
    });
  } catch (err) {
    if (isUniqueViolation(err)) return fail({ loginEmail: LOGIN_TAKEN });
    throw err;
  }
}

/** Deletes a contact and its login (with the login's sessions). The primary contact cannot be deleted. */
export async function removeContact(db: Knex, clientId: number, contactId: number, deps: ClientDeps): Promise<Outcome<{ removedUserId: number | null }>> {
  const at = iso(deps.clock.now());
  return db.transaction(async (trx) => {
    await lockClient(trx, clientId, at);
    const current = await findContact(trx, clientId, contactId);
    if (!current) return fail({ _form: 'This contact does not exist (any more).' });
    if (current.is_primary) return fail({ _form: 'The primary contact cannot be deleted: make another contact primary first.' });
    if (current.user_id) await deleteClientUser(trx, clientId, current.user_id, at);
    await deleteContact(trx, clientId, contactId);
    await rebuildSearchTerms(trx, clientId);
    await audit(trx, deps, 'client.contact_deleted', clientId, { contactId, email: current.email, ...(current.user_id ? { loginUserId: current.user_id } : {}) });
    return ok({ removedUserId: current.user_id });
  });
}

/** Makes a contact the primary one; the client's e-mail becomes this contact's. */
export async function makePrimaryContact(db: Knex, clientId: number, contactId: number, deps: ClientDeps): Promise<Outcome<{ previous: number | null }>> {
  const at = iso(deps.clock.now());
  return db.transaction(async (trx) => {
    await lockClient(trx, clientId, at);
    const target = await findContact(trx, clientId, contactId);
    if (!target) return fail({ _form: 'This contact does not exist (any more).' });
    if (target.is_primary) return fail({ _form: 'This contact is already the primary contact.' });
    const previous = (await trx('core_contacts').where({ client_id: clientId, is_primary: true }).first('id')) as { id: number } | undefined;
    const before = previous ? await findContact(trx, clientId, Number(previous.id)) : undefined;
    await setPrimaryContact(trx, clientId, contactId, at);
    await updateClient(trx, clientId, { email: target.email }, at);
    // Ownership moves with the primary contact: its login becomes the owner's, the old one keeps its contact's permissions.
    if (before?.user_id) await updateClientUser(trx, clientId, before.user_id, { role: before.permissions }, at);
    if (target.user_id) await updateClientUser(trx, clientId, target.user_id, { role: OWNER_ROLE }, at);
    await audit(trx, deps, 'client.contact_primary', clientId, { contactId, previous: previous?.id ?? null });
    return ok({ previous: previous?.id ?? null });
  });
}

/** Takes a contact's login away: the user and its sessions are deleted, the contact stays. */
export async function removeContactLogin(db: Knex, clientId: number, contactId: number, deps: ClientDeps): Promise<Outcome<{ userId: number }>> {
  const at = iso(deps.clock.now());
  return db.transaction(async (trx) => {
    await lockClient(trx, clientId, at);
    const current = await findContact(trx, clientId, contactId);
    if (!current) return fail({ _form: 'This contact does not exist (any more).' });
    if (!current.user_id) return fail({ _form: 'This contact has no login.' });
    const email = ((await trx('core_users').where({ id: current.user_id }).first('email')) as { email: string } | undefined)?.email ?? '';
    await deleteClientUser(trx, clientId, current.user_id, at);
    await audit(trx, deps, 'client.login_removed', clientId, { contactId, userId: current.user_id, email });
    return ok({ userId: current.user_id });
  });
}

export interface Recipient {
  contactId: number;
  email: string;
  name: string;
  format: EmailFormat;
  language: string;
  isPrimary: boolean;
}

/**
 * The contacts who chose to receive this kind of e-mail, primary first, one per address. Empty
 * when nobody did: the caller decides whether to fall back to getPrimaryContact (right for
 * invoices, wrong for marketing).
 */
export async function contactsReceiving(db: Queryable, clientId: number, action: EmailAction): Promise<Recipient[]> {
  const seen = new Set<string>();
  const out: Recipient[] = [];
  for (const c of await listContacts(db, clientId)) {
    if (!c.email_actions.includes(action) || seen.has(c.email)) continue;
    seen.add(c.email);
    out.push({ contactId: c.id, email: c.email, name: contactName(c), format: c.email_format, language: c.language, isPrimary: c.is_primary });
  }
  return out;
}

// Words the client pages show for stored codes, and the select options built from them.
import { COUNTRY_OPTIONS } from '../../i18n/countries.ts';
import { CLIENT_KINDS, CLIENT_STATUSES, CONTACT_PERMISSIONS, EMAIL_ACTIONS, EMAIL_FORMATS, LANGUAGES, type ClientStatus, type EmailAction } from './store.ts';

export const KIND_LABELS: Record<(typeof CLIENT_KINDS)[number], string> = { person: 'Person', company: 'Company' };
export const STATUS_LABELS: Record<ClientStatus, string> = { active: 'Active', suspended: 'Suspended', closed: 'Closed' };
export const LANGUAGE_LABELS: Record<(typeof LANGUAGES)[number], string> = { en: 'English', ru: 'Русский (Russian)' };
export const EMAIL_FORMAT_LABELS: Record<(typeof EMAIL_FORMATS)[number], string> = { html: 'HTML', text: 'Plain text' };
export const EMAIL_ACTION_LABELS: Record<EmailAction, string> = {
  invoices: 'Invoices and payment reminders',
  payment_receipts: 'Payment receipts',
  service_notices: 'Service notices (activation, suspension, expiry)',
  support_replies: 'Support ticket replies',
  marketing: 'News and offers',
};
export const PERMISSION_LABELS: Record<(typeof CONTACT_PERMISSIONS)[number], string> = {
  all: 'Everything',
  billing: 'Billing only (invoices, payments)',
  technical: 'Technical only (services, tickets)',
};

/** What a client login's role means: a contact's permissions, or the account owner's (the primary contact). */
export const LOGIN_ROLE_LABELS: Record<string, string> = { ...PERMISSION_LABELS, owner: 'Account owner (everything, manages contacts)' };

/** What a new contact receives unless someone unticks it: everything but marketing. */
export const DEFAULT_EMAIL_ACTIONS: EmailAction[] = EMAIL_ACTIONS.filter((a) => a !== 'marketing');

const options = <K extends string>(labels: Record<K, string>, keys: readonly K[]) => keys.map((value) => ({ value, label: labels[value] }));

export const OPTIONS = {
  kind: options(KIND_LABELS, CLIENT_KINDS),
  status: options(STATUS_LABELS, CLIENT_STATUSES),
  language: options(LANGUAGE_LABELS, LANGUAGES),
  emailFormat: options(EMAIL_FORMAT_LABELS, EMAIL_FORMATS),
  emailActions: options(EMAIL_ACTION_LABELS, EMAIL_ACTIONS),
  permissions: options(PERMISSION_LABELS, CONTACT_PERMISSIONS),
  country: [{ value: '', label: 'Choose a country…' }, ...COUNTRY_OPTIONS],
};

// The contact form, shared by the staff client pages and the client portal: the county field's rule,
// "Toggle all" for the e-mails a contact receives, and a stored contact as form values.
import type { FormValues } from '../../http/forms.ts';
import { isUsStateCode } from '../../i18n/countries.ts';
import type { FieldErrors } from './outcome.ts';
import { EMAIL_ACTIONS, type ContactRow } from './store.ts';

const str = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The county field shows when it applies (a US state code), and always when it holds something or an error. */
export function countyVisible(values: FormValues, errors: FieldErrors): boolean {
  return Boolean(errors.county) || str(values.county).trim() !== '' || (str(values.country).trim().toUpperCase() === 'US' && isUsStateCode(str(values.state).trim()));
}

/** The form asked for "Toggle all": every e-mail ticked, or none when all already were. Nothing is saved. */
export function toggledActions(values: FormValues): FormValues {
  const current = list(values.emailActions);
  const all = EMAIL_ACTIONS.every((a) => current.includes(a));
  return { ...values, emailActions: all ? [] : [...EMAIL_ACTIONS] };
}

/** What the form shows for a stored contact and the user name of its login ('' without one). */
export function contactValues(contact: ContactRow, loginEmail: string): FormValues {
  return {
    company: contact.company, firstName: contact.first_name, lastName: contact.last_name, email: contact.email,
    address1: contact.address1, address2: contact.address2, city: contact.city, state: contact.state, county: contact.county,
    zip: contact.zip, country: contact.country, phone: contact.phone, phone2: contact.phone2, fax: contact.fax, mobile: contact.mobile,
    language: contact.language, emailFormat: contact.email_format, emailActions: contact.email_actions, permissions: contact.permissions,
    loginEmail,
  };
}

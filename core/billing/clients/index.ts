// The public face of clients for other modules: reads, recipients of e-mails, and the domain actions.
export { clientDisplayName, createClient, getClient, getPrimaryContact, setClientStatus, updateClientDetails, type NewClientInput } from './clients.ts';
export { addContact, contactName, contactsReceiving, makePrimaryContact, removeContact, removeContactLogin, updateContactDetails, type ContactInput, type Recipient } from './contacts.ts';
export { clientUsers, resetClientUserPassword, setClientUserStatus } from './logins.ts';
export type { ClientActor, ClientDeps, FieldErrors, Outcome } from './outcome.ts';
export type { ClientInputFields, ContactInputFields, LoginInputFields } from './schemas.ts';
export {
  CLIENT_KINDS,
  CLIENT_STATUSES,
  CONTACT_PERMISSIONS,
  EMAIL_ACTIONS,
  EMAIL_FORMATS,
  LANGUAGES,
  findContact,
  listContacts,
  ledgerQuery,
  rebuildSearchTerms,
  recentLedger,
  type ClientRow,
  type ClientStatus,
  type ClientUserRow,
  type ContactRow,
  type EmailAction,
  type LedgerRow,
} from './store.ts';

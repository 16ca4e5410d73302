// The client's view of billing: every read and change a client may make, scoped by the client id.
// Plugins reach it as `clientArea` from core/plugins/api.ts; the client portal is built on it.
export * from './home.ts';
export * from './domains.ts';
export * from './invoice-list.ts';
export * from './invoices.ts';
export * from './security.ts';
export * from './sso.ts';
export * from './tickets.ts';
export * from './accounts.ts';
export * from './contacts.ts';
export * from './services.ts';
export { SERVICE_STATUSES, STATUS_LABELS, INVOICING_RULES, type ServiceStatus } from '../services/status.ts';
export { ticketsForClient, ticketForClient } from '../../support/tickets.ts';

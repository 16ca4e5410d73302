// Support's public face: the ticket service, client-scoped queries for the portal, and the setup.
export * from './tickets.ts';
export { setupSupport, CLIENT_DETAIL_SLOT } from './setup.ts';

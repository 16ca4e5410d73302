// Every portal section, mounted under /client (the portal owns the client home).
import { createRouter, type AppRouter } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { homeSection } from './home.ts';
import { securitySection } from './security.ts';
import { ticketsSection } from './tickets.ts';
import { invoiceListSection } from './invoice-list.ts';
import { billingAccountsSection } from './billing-accounts.ts';
import { contactsSection } from './contacts.ts';
import { domainsSection } from './domains.ts';
import { invoiceDetailSection } from './invoice-detail.ts';
import { statementSection } from './statement.ts';
import { packagesSection } from './packages.ts';

export const SECTIONS: PortalSection[] = [homeSection, invoiceListSection, billingAccountsSection, securitySection, ticketsSection, contactsSection, domainsSection, invoiceDetailSection, statementSection, packagesSection];

export function portalRoutes(): AppRouter {
  const r = createRouter();
  for (const s of SECTIONS) r.route(s.mount || '/', s.routes());
  return r;
}

// Wires support into a panel: the tickets section of the admin client page. Call once from createApp.
import type { AppServices } from '../services.ts';
import { TICKET_STATUS_LABELS, ticketsForClient } from './tickets.ts';

/** The UI slot the client detail page renders (core/billing/clients) with { clientId }. */
export const CLIENT_DETAIL_SLOT = 'admin.client.detail';

const done = new WeakSet<object>();

/** Registers the client's tickets as a section of the admin client page. Safe to call twice. */
export function setupSupport(services: Pick<AppServices, 'db' | 'views' | 'slots'>): void {
  if (done.has(services.slots)) return;
  done.add(services.slots);
  services.slots.add(CLIENT_DETAIL_SLOT, 'core', async (data) => {
    const clientId = Number(data.clientId);
    if (!Number.isInteger(clientId) || clientId <= 0) return '';
    const tickets = await ticketsForClient(services.db, clientId, { limit: 10 });
    return services.views.render('pages/admin/support/client-tickets', { clientId, tickets, labels: TICKET_STATUS_LABELS });
  });
}

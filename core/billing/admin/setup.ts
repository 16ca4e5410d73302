// Wires the billing admin into a panel beyond its routes: the Billing section of the client page.
import type { AppServices } from '../../services.ts';
import { describePeriod } from '../services/periods.ts';
import { STATUS_LABELS } from '../services/status.ts';
import { BILLING_BASE, INVOICE_STATUS_LABELS, invoiceBadge, moneyFormatter, serviceBadge } from './shared.ts';
import { clientSummary } from './store.ts';

/** The UI slot the client page renders with { clientId }. */
export const CLIENT_DETAIL_SLOT = 'admin.client.detail';

const registered = new WeakSet<object>();

/**
 * Adds the client page's Billing section (services, recent invoices, what is due, "New order").
 * Call once from createApp, after the services exist; calling it again changes nothing.
 */
export function setupBillingAdmin(services: Pick<AppServices, 'slots' | 'db' | 'views'>): void {
  if (registered.has(services.slots)) return;
  registered.add(services.slots);
  services.slots.add(CLIENT_DETAIL_SLOT, 'core', async (data) => {
    const clientId = Number(data.clientId);
    if (!Number.isSafeInteger(clientId) || clientId <= 0) return '';
    const client = (await services.db('core_clients').where({ id: clientId }).first('id', 'currency', 'balance')) as { id: number; currency: string; balance: number | string } | undefined;
    if (!client) return '';
    const summary = await clientSummary(services.db, clientId);
    const fmt = await moneyFormatter(services.db);
    const packages = new Map<number, string>();
    const ids = [...new Set(summary.services.map((s) => Number(s.package_id)))];
    if (ids.length) for (const p of (await services.db('core_packages').whereIn('id', ids).select('id', 'name')) as { id: number; name: string }[]) packages.set(Number(p.id), p.name);
    return services.views.render('pages/admin/billing/client-section', {
      base: BILLING_BASE,
      clientId,
      summary,
      credit: fmt.money(client.balance, client.currency),
      unpaidDue: fmt.money(summary.unpaidDue, client.currency),
      money: fmt.money,
      packageName: (id: number) => packages.get(Number(id)) ?? `Package #${id}`,
      periodOf: (s: { period_kind: 'trial' | 'days' | 'months' | 'lifetime'; period_length: number }) => describePeriod(s.period_kind, Number(s.period_length)),
      statusLabels: STATUS_LABELS,
      invoiceStatusLabels: INVOICE_STATUS_LABELS,
      serviceBadge,
      invoiceBadge,
    });
  });
}

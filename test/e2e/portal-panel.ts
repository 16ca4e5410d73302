// A panel with the client portal on a loopback port, the test gateway beside it, and one client with
// the records the portal e2e walks through: packages with an upgrade, a domain, invoices of several
// amounts, contacts. Seeded through the real domain code, in the same process the panel serves from.
import { startLivePanel, type LivePanel } from '../payments/helpers.ts';
import clientPortal from '../../plugins/client-portal/index.ts';
import { hashPassword } from '../../core/auth/passwords.ts';
import { insertedId } from '../../core/billing/invoices/store.ts';
import { createInvoice } from '../../core/billing/invoices/create.ts';

export const CLIENT = { email: 'grace@example.test', password: 'correct horse battery staple', name: 'Grace Hopper' };
export const AT = '2026-03-02T09:00:00.000Z';

export interface PortalPanel extends LivePanel {
  clientId: number;
  services: { vps: number; domain: number; hosting: number };
  packages: { small: number; large: number };
  invoices: number[];
}

export async function startPortalPanel(): Promise<PortalPanel> {
  const live = await startLivePanel({ plugins: [clientPortal()] });
  const db = live.t.services.db;
  const [c] = await db('core_clients')
    .insert({ kind: 'person', name: CLIENT.name, company: '', email: CLIENT.email, country: 'US', currency: 'USD', language: 'en', status: 'active', balance: 0, tax_exempt: false, vat_number: '', created_at: AT, updated_at: AT })
    .returning('id');
  const clientId = insertedId(c);
  await db('core_contacts').insert({ client_id: clientId, is_primary: true, first_name: 'Grace', last_name: 'Hopper', email: CLIENT.email, country: 'US', state: 'NY', email_actions: '["invoices","payment_receipts","service_notices"]', created_at: AT, updated_at: AT });
  await live.t.services.users.create({ kind: 'client', email: CLIENT.email, name: CLIENT.name, role: 'owner', clientId, passwordHash: await hashPassword(CLIENT.password) });

  const pkg = async (name: string, itemType: string, price: number) => {
    const [p] = await db('core_packages').insert({ name, internal_name: name.toLowerCase().replace(/\W+/g, '-'), item_type: itemType, billing_type: 'period', description: '', agreement: '', active: true, position: 0, created_at: AT, updated_at: AT }).returning('id');
    const packageId = insertedId(p);
    const [per] = await db('core_package_periods').insert({ package_id: packageId, kind: 'months', length: 1, active: true, position: 0 }).returning('id');
    const periodId = insertedId(per);
    await db('core_package_prices').insert({ period_id: periodId, currency: 'USD', price, setup_fee: 0 });
    return { packageId, periodId };
  };
  const small = await pkg('VPS Small', 'vds', 1000);
  const large = await pkg('VPS Large', 'vds', 3000);
  const hostingPkg = await pkg('Web Hosting', 'hosting', 500);
  const domainPkg = await pkg('Domain .test', 'domain', 1200);
  // Small may be upgraded to Large (the catalog's upgrade paths).
  await db('core_package_upgrades').insert({ package_id: small.packageId, to_package_id: large.packageId });

  const service = async (p: { packageId: number; periodId: number }, itemType: string, label: string, price: number, params: Record<string, unknown> = {}) => {
    const [s] = await db('core_services')
      .insert({
        client_id: clientId, package_id: p.packageId, item_type: itemType, label, status: 'active', period_id: p.periodId, period_kind: 'months', period_length: 1, currency: 'USD', price, auto_renew: true,
        expires_on: '2026-03-20', params: JSON.stringify(params), parent_id: null, processing_server_id: null, external_id: null, suspend_reason: null, cancel_requested: false, created_at: AT, activated_at: AT, updated_at: AT,
      })
      .returning('id');
    return insertedId(s);
  };
  const services = {
    vps: await service(small, 'vds', 'vps1.example.test', 1000, { ip: '192.0.2.10' }),
    hosting: await service(hostingPkg, 'hosting', 'grace.example.test', 500, { domain: 'grace.example.test' }),
    domain: await service(domainPkg, 'domain', 'hopper.test', 1200, { ns: ['ns1.example.test', 'ns2.example.test'] }),
  };

  // Invoices of distinct amounts, so sorting by amount shows.
  const invoices: number[] = [];
  for (const [amount, sid] of [[4200, services.vps], [1500, services.hosting], [9900, services.domain]] as const) {
    const inv = await db.transaction((trx) =>
      createInvoice(trx, { clientId, currency: 'USD', kind: 'manual', lines: [{ kind: 'manual', serviceId: sid, description: 'Services', unitPrice: amount }], at: AT, enteredOn: '2026-03-02', dueOn: '2026-03-16', taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-' }),
    );
    invoices.push(inv.id);
  }
  return { ...live, clientId, services, packages: { small: small.packageId, large: large.packageId }, invoices };
}

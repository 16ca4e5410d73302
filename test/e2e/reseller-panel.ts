// A panel with the client portal and the BILLmanager reseller plugin on a loopback port, the test
// gateway beside it (startLivePanel), and the plugin's BILLmanager simulator on loopback. The simulator
// runs on the panel's own ManualClock (as the plugin's tests do), so the test moves both worlds' time
// at once: an order opens at the upstream after its tariff's set-up minutes when the test says so.
// Seeded through the domain code: a staff administrator, a client with a contact and a login, and the
// RUB exchange rate so the plan page converts the upstream's rouble costs. The processing server is
// left to the operator's browser (Processing → Servers → Add).
import { startLivePanel, type LivePanel } from '../payments/helpers.ts';
import clientPortal from '../../plugins/client-portal/index.ts';
import billmanagerReseller from '../../plugins/billmanager-reseller/index.ts';
import { BillmanagerSimulator } from '../../plugins/billmanager-reseller/simulator/index.ts';
import { hashPassword } from '../../core/auth/passwords.ts';
import { insertedId } from '../../core/billing/invoices/store.ts';
import type { ManualClock } from '../../core/clock.ts';

export const OPERATOR = { email: 'olga.operator@example.test', password: 'correct horse battery staple', name: 'Olga Operator' };
export const CLIENT = { email: 'ada@example.test', password: 'correct horse battery staple', name: 'Ada Lovelace' };

export interface ResellerPanel extends LivePanel {
  clock: ManualClock;
  upstream: BillmanagerSimulator;
  /** The simulator's API address, e.g. http://127.0.0.1:41234/billmgr. */
  upstreamUrl: string;
  clientId: number;
  contactId: number;
  /** The technical department (the responsible department of the processing server). */
  departmentId: number;
  /** Runs the processing queue now (the in-process panel has no scheduler). */
  runOperations(): Promise<void>;
  /** Runs one of the plugin's jobs now, e.g. 'checkevent'; throws unless it ended ok. */
  runJob(id: string): Promise<Record<string, number>>;
}

export async function startResellerPanel(): Promise<ResellerPanel> {
  const live = await startLivePanel({ plugins: [clientPortal(), billmanagerReseller({ requestTimeoutSeconds: 5 })] });
  const { t } = live;
  const clock = t.clock;
  const upstream = new BillmanagerSimulator({ clock });
  let upstreamUrl: string;
  try {
    upstreamUrl = (await upstream.start()).url;
  } catch (err) {
    await live.close();
    throw err;
  }
  const db = t.services.db;
  const now = clock.now().toISOString();
  // The upstream bills in roubles: with the rate in the catalog the plan page shows the cost in dollars.
  // Inactive: the panel does not sell in roubles, so the plan's price grid has a USD column only.
  await db('core_currencies').insert({ code: 'RUB', name: 'Russian rouble', symbol: '₽', minor_units: 2, rate_to_base: 11_000, is_base: false, active: false, updated_at: now });
  const department = (await db('core_departments').where({ kind: 'technical' }).first('id')) as { id: number };

  await t.services.users.create({ kind: 'staff', email: OPERATOR.email, name: OPERATOR.name, role: 'admin', clientId: null, passwordHash: await hashPassword(OPERATOR.password) });

  const [c] = await db('core_clients')
    .insert({ kind: 'person', name: CLIENT.name, company: '', email: CLIENT.email, country: 'GB', currency: 'USD', language: 'en', status: 'active', balance: 0, tax_exempt: false, vat_number: '', created_at: now, updated_at: now })
    .returning('id');
  const clientId = insertedId(c);
  const [contact] = await db('core_contacts')
    .insert({ client_id: clientId, is_primary: true, first_name: 'Ada', last_name: 'Lovelace', email: CLIENT.email, country: 'GB', city: 'London', address1: '12 St James’s Square', zip: 'SW1Y 4JH', phone: '+44.2079460000', email_actions: '["invoices","payment_receipts","service_notices"]', created_at: now, updated_at: now })
    .returning('id');
  await t.services.users.create({ kind: 'client', email: CLIENT.email, name: CLIENT.name, role: 'owner', clientId, passwordHash: await hashPassword(CLIENT.password) });

  return {
    ...live,
    clock,
    upstream,
    upstreamUrl,
    clientId,
    contactId: insertedId(contact),
    departmentId: Number(department.id),
    async runOperations() {
      await t.services.processing.runDue();
    },
    async runJob(id: string) {
      const run = await t.services.jobs.runOnce(`billmanager-reseller.${id}`, 'manual');
      if (run.status !== 'ok') throw new Error(`job ${id} ended ${run.status}: ${run.error}`);
      return run.counts;
    },
    async close() {
      await upstream.close();
      await live.close();
    },
  };
}

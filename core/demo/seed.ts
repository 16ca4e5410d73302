// `npx trellis demo:seed`: fills an empty panel with a catalog, staff, a client who can sign in, and a
// few hundred clients whose services and invoices went through about thirteen months of billing.
//
// How time is handled: the history is made on a seeding clock (a ManualClock) that starts
// HISTORY_DAYS before the app clock's now and walks forward one day at a time to exactly that now.
// The billing, processing, support, mail and audit services used for the history are the same
// classes as the app's, wired to the seeding clock (the app's own clock may be the real one, which
// cannot be moved back), so every order, invoice, payment, operation, e-mail and audit entry carries
// its simulated date. Each simulated day runs what the scheduler runs (renewal invoices, dunning,
// the processing runner), and staff complete the manual module's operations the same day, except on
// the last day, whose operations are left waiting in the queue.
//
// Deterministic: one seeded PRNG decides everything, so the same client count and the same "now"
// give the same panel (password hashes and session tokens aside). It refuses to run on a panel that
// already has clients, packages, services or invoices: seeding twice is an error, not a merge.
import type { AppServices } from '../services.ts';
import { ManualClock } from '../clock.ts';
import { iso } from '../db/time.ts';
import { hashPassword } from '../auth/passwords.ts';
import { AuditLog } from '../audit/audit.ts';
import { Mailer } from '../mail/mailer.ts';
import { TicketService } from '../support/tickets.ts';
import { ProcessingService, type StaffActor } from '../processing/service.ts';
import { manualModule } from '../processing/modules/manual.ts';
import { createBilling } from '../billing/setup.ts';
import { createClient } from '../billing/clients/index.ts';
import type { Actor } from '../billing/services/transition.ts';
import { SERVICE_STATUSES } from '../billing/services/status.ts';
import { addDays } from '../billing/services/periods.ts';
import { DemoSeedError, createDemoCatalog } from './catalog.ts';
import { demoPerson, prng, type DemoPerson } from './people.ts';
import { SHOWCASE, demoClientPlans, planFor, randomPlans, type ServicePlan, type Timeline } from './plan.ts';
import { DemoSimulation, type PlannedService, type SimulationCounts } from './simulate.ts';

export { DemoSeedError } from './catalog.ts';

export const DEMO_STAFF = [
  { email: 'admin@demo.test', password: 'demo-admin-pass', name: 'Dana Admin', role: 'admin' },
  { email: 'billing@demo.test', password: 'demo-billing-pass', name: 'Bill Keeper', role: 'billing' },
  { email: 'support@demo.test', password: 'demo-support-pass', name: 'Sam Support', role: 'support' },
] as const;
export const DEMO_ADMIN = DEMO_STAFF[0];
export const DEMO_CLIENT = { email: 'client@demo.test', password: 'demo-client-pass' } as const;

/** About thirteen months: long enough for yearly domains to come up for renewal within the history. */
export const HISTORY_DAYS = 400;
export const DEFAULT_DEMO_CLIENTS = 300;
const SEED = 20_260_302;
/** core_settings key recording that (and when) the demo seed ran. */
export const DEMO_SEEDED_KEY = 'demo.seeded';

export interface DemoSummary {
  clients: number;
  services: number;
  invoices: number;
  transactions: number;
  emails: number;
  /** The simulated history: from (day 0) to the app clock's now. */
  from: string;
  to: string;
  serviceStatuses: Record<string, number>;
  /** Invoice statuses, with 'overdue' counting unpaid invoices past their due date (also in 'unpaid'). */
  invoiceStatuses: Record<string, number>;
  activity: SimulationCounts;
  logins: { staff: { email: string; password: string; role: string }[]; client: { email: string; password: string } };
  ms: number;
}

export interface SeedOptions {
  /** Clients besides the demo client (default 300). */
  clients?: number;
  log?: (line: string) => void;
}

async function count(services: AppServices, table: string, where?: (q: ReturnType<AppServices['db']>) => void): Promise<number> {
  const q = services.db(table);
  if (where) where(q);
  const [row] = (await q.count({ n: '*' })) as [{ n: number | string }];
  return Number(row.n);
}

/** Throws DemoSeedError unless the panel is empty (migrated, maybe with staff users, nothing else). */
export async function assertEmptyPanel(services: AppServices): Promise<void> {
  const found: string[] = [];
  for (const [table, what] of [
    ['core_clients', 'clients'],
    ['core_packages', 'packages'],
    ['core_services', 'services'],
    ['core_invoices', 'invoices'],
    ['core_processing_servers', 'processing servers'],
  ] as const) {
    const n = await count(services, table);
    if (n) found.push(`${n} ${what}`);
  }
  const demoUsers = await count(services, 'core_users', (q) => q.whereIn('email', [...DEMO_STAFF.map((s) => s.email), DEMO_CLIENT.email]));
  if (demoUsers) found.push(`${demoUsers} demo login(s)`);
  if (await services.settings.get(DEMO_SEEDED_KEY)) found.push('an earlier demo seed');
  if (found.length) {
    throw new DemoSeedError(
      `The panel already has data (${found.join(', ')}); demo:seed needs an empty data dir. Point TRELLIS_DATA_DIR at a new folder (or run \`npm run demo\`, which starts from a fresh ./data-demo).`,
    );
  }
}

/**
 * Seeds the demo on an empty panel; see the file comment for how time is simulated. Resolves to what
 * was made. Takes about a second per 10 clients on SQLite.
 */
export async function seedDemo(services: AppServices, opts: SeedOptions = {}): Promise<DemoSummary> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const clientCount = Math.max(0, Math.floor(opts.clients ?? DEFAULT_DEMO_CLIENTS));
  await assertEmptyPanel(services);

  const end = services.clock.now();
  const today = iso(end).slice(0, 10);
  const timeline: Timeline = { start: addDays(today, -HISTORY_DAYS), last: HISTORY_DAYS };
  const clock = new ManualClock(`${timeline.start}T08:00:00.000Z`);
  if (clock.now().getTime() > end.getTime()) clock.set(end);
  const rnd = prng(SEED);

  // The services the history is made with: the app's classes on the seeding clock. Mail is never sent
  // (held in the outbox): demo addresses are not real.
  const db = services.db;
  const audit = new AuditLog({ db, clock });
  const mail = new Mailer({ db, clock, log: services.log, from: services.config.smtpFrom });
  const tickets = new TicketService({ db, clock, log: services.log, mail });
  const processing = new ProcessingService({ ...services.processing.deps, clock, audit, tickets });
  processing.registerModule(manualModule);
  const { billing: _appBilling, ...rest } = services;
  const billing = createBilling({ ...rest, clock, audit, mail, tickets, processing });
  const timed: AppServices = { ...rest, billing, clock, audit, mail, tickets, processing };

  // Staff, created "now" through the same store and audit entry as `trellis admin:create`.
  const staff: Record<string, StaffActor> = {};
  for (const s of DEMO_STAFF) {
    const id = await services.users.create({ kind: 'staff', email: s.email, name: s.name, role: s.role, passwordHash: await hashPassword(s.password) });
    await services.audit.record({ actor: { type: 'system', label: 'demo seed' }, action: 'staff.created', target: `user:${id}`, details: { email: s.email, role: s.role } });
    staff[s.role] = { id, label: s.email };
  }
  log(`demo: staff ${DEMO_STAFF.map((s) => `${s.email} (${s.role})`).join(', ')}`);

  const catalog = await createDemoCatalog(timed, clock, staff.admin!);
  log(`demo: catalog: ${Object.values(catalog.packages).map((p) => p.name).join(', ')}; USD (base), EUR, RUB; 5 tax rates; 3 processing servers (manual module)`);

  // Clients, created on day 0 of the history through createClient (which keeps the search table).
  const deps = { clock, actor: { type: 'staff' as const, id: staff.billing!.id, label: staff.billing!.label } };
  const planned: PlannedService[] = [];
  const addClient = async (person: DemoPerson, plans: ServicePlan[], login?: { email: string; password: string }) => {
    const created = await createClient(db, { client: person.client, contact: person.contact, login: login ? { loginEmail: login.email, password: login.password, confirm: login.password } : null }, deps);
    if (!created.ok) throw new DemoSeedError(`demo seed: client ${person.contact.email} was refused: ${JSON.stringify(created.errors)}`);
    const { clientId, userId } = created.value;
    const clientActor: Actor = userId ? { type: 'client', id: userId, label: login!.email } : { type: 'staff', id: staff.billing!.id, label: `${staff.billing!.label} (order taken by e-mail)` };
    plans.forEach((plan, i) => {
      const tld = plan.packageKey === 'domain-ru' ? 'ru' : 'com';
      const host = person.domain.replace(/\.example$/, '');
      const label = plan.packageKey.startsWith('vds') ? `vds${i + 1}.${host}.${tld}` : `${i ? `${host}-${i + 1}` : host}.${tld}`;
      planned.push({ ...plan, clientId, clientLabel: person.contact.email, clientActor, label });
    });
  };

  const demo: DemoPerson = {
    domain: 'dana-demo.example',
    client: { kind: 'person', country: 'US', currency: 'USD', language: 'en' },
    contact: {
      firstName: 'Dana', lastName: 'Demo', email: DEMO_CLIENT.email, address1: '1 Demo Way', city: 'Portland', state: 'OR', zip: '97201', country: 'US',
      phone: '+1 555 0100', emailActions: ['invoices', 'payment_receipts', 'service_notices', 'support_replies'], permissions: 'all',
    },
  };
  await addClient(demo, demoClientPlans(timeline, catalog), DEMO_CLIENT);
  // The first clients each get one of the showcase fates, so every state exists even in a small demo
  // (with fewer clients than fates, they share them out); the others get random ones.
  const slots = Math.min(clientCount, SHOWCASE.length);
  for (let i = 1; i <= clientCount; i++) {
    const person = demoPerson(rnd, i);
    const plans = i <= slots ? SHOWCASE.filter((_, f) => f % slots === i - 1).map((fate) => planFor(fate, rnd, timeline, catalog)) : randomPlans(rnd, timeline, catalog);
    await addClient(person, plans);
  }
  log(`demo: ${clientCount + 1} clients with ${planned.length} services to order over ${HISTORY_DAYS} days (${timeline.start} … ${today})`);

  const sim = new DemoSimulation({ db, clock, billing, processing, tickets, audit, catalog, staff: { admin: staff.admin!, billing: staff.billing!, support: staff.support! }, timeline, end, log }, planned);
  const activity = await sim.run();
  await services.settings.set(DEMO_SEEDED_KEY, { at: iso(end), clients: clientCount, historyDays: HISTORY_DAYS });

  const summary = await summarize(services, today);
  const result: DemoSummary = {
    ...summary,
    from: timeline.start,
    to: today,
    activity,
    logins: { staff: DEMO_STAFF.map((s) => ({ email: s.email, password: s.password, role: s.role })), client: { ...DEMO_CLIENT } },
    ms: Math.round(performance.now() - started),
  };
  log(`demo: services by status: ${Object.entries(result.serviceStatuses).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`demo: invoices by status: ${Object.entries(result.invoiceStatuses).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return result;
}

async function summarize(services: AppServices, today: string): Promise<Omit<DemoSummary, 'from' | 'to' | 'activity' | 'logins' | 'ms'>> {
  const { db } = services;
  const byStatus = async (table: string) =>
    Object.fromEntries(((await db(table).select('status').count({ n: '*' }).groupBy('status').orderBy('status')) as { status: string; n: number | string }[]).map((r) => [r.status, Number(r.n)]));
  const serviceStatuses = Object.fromEntries(SERVICE_STATUSES.map((s) => [s, 0]));
  Object.assign(serviceStatuses, await byStatus('core_services'));
  const invoiceStatuses = await byStatus('core_invoices');
  invoiceStatuses.overdue = await count(services, 'core_invoices', (q) => q.whereIn('status', ['unpaid', 'collections']).andWhere('due_on', '<', today));
  return {
    clients: await count(services, 'core_clients'),
    services: await count(services, 'core_services'),
    invoices: await count(services, 'core_invoices'),
    transactions: await count(services, 'core_transactions'),
    emails: await count(services, 'core_outbox'),
    serviceStatuses,
    invoiceStatuses,
  };
}

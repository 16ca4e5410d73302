// The demo's history, day by day on a seeding clock: orders, payments, staff and client actions, and
// every day the panel's own jobs (renewals, dunning, the processing runner), with staff working
// through the manual operations queue. Everything goes through the billing and processing services.
import type { Knex } from 'knex';
import type { ManualClock } from '../clock.ts';
import type { BillingService } from '../billing/billing-service.ts';
import type { ProcessingService, StaffActor } from '../processing/service.ts';
import type { TicketService } from '../support/tickets.ts';
import type { AuditLog } from '../audit/audit.ts';
import { getInvoice } from '../billing/invoices/store.ts';
import { transitionService, type Actor } from '../billing/services/transition.ts';
import { markInCollections } from '../billing/invoices/payments.ts';
import { updateServiceField } from '../billing/services/terms.ts';
import type { DemoCatalog } from './catalog.ts';
import { DemoSeedError } from './catalog.ts';
import { dayDate, dayIndex, type PlannedEvent, type ServicePlan, type Timeline } from './plan.ts';

export interface PlannedService extends ServicePlan {
  clientId: number;
  clientLabel: string;
  /** The client's login, if it has one: the client's own actions name it. */
  clientActor: Actor;
  label: string;
  serviceId?: number;
  orderInvoiceId?: number;
}

export interface StaffUsers {
  admin: StaffActor;
  billing: StaffActor;
  support: StaffActor;
}

export interface SimulationDeps {
  db: Knex;
  clock: ManualClock;
  billing: BillingService;
  processing: ProcessingService;
  tickets: TicketService;
  audit: AuditLog;
  catalog: DemoCatalog;
  staff: StaffUsers;
  timeline: Timeline;
  /** The app clock's now: the last simulated moment. */
  end: Date;
  log: (line: string) => void;
}

export interface SimulationCounts {
  orders: number;
  payments: number;
  operationsCompleted: number;
  staffActions: number;
}

const PAYABLE = new Set(['unpaid', 'collections']);
const STEP_MS = 10 * 60_000;

const staffAsActor = (s: StaffActor): Actor => ({ type: 'staff', id: s.id, label: s.label });

export class DemoSimulation {
  readonly counts: SimulationCounts = { orders: 0, payments: 0, operationsCompleted: 0, staffActions: 0 };
  readonly #byService = new Map<number, PlannedService>();
  readonly #payments = new Map<number, { invoiceId: number; plan: PlannedService; topUp: boolean }[]>();
  #lastInvoiceId = 0;
  #step = 0;
  #day = 0;

  constructor(
    readonly deps: SimulationDeps,
    readonly plans: PlannedService[],
  ) {}

  /** Moves the seeding clock to the next step of the day (never past the end). */
  #tick(): void {
    const { clock, timeline, end } = this.deps;
    if (this.#day >= timeline.last) {
      clock.set(end);
      return;
    }
    const at = Date.parse(`${dayDate(timeline, this.#day)}T09:00:00.000Z`) + this.#step++ * STEP_MS;
    clock.set(new Date(Math.min(at, end.getTime())));
  }

  async run(): Promise<SimulationCounts> {
    const { timeline, log } = this.deps;
    const byDay = new Map<number, PlannedService[]>();
    for (const p of this.plans) byDay.set(p.orderDay, [...(byDay.get(p.orderDay) ?? []), p]);
    const seen = await this.deps.db('core_invoices').max({ id: 'id' }).first();
    this.#lastInvoiceId = Number((seen as { id: number | null } | undefined)?.id ?? 0);

    for (let day = 0; day <= timeline.last; day++) {
      this.#day = day;
      this.#step = 0;
      this.#tick();
      for (const plan of byDay.get(day) ?? []) await this.#order(plan);
      await this.#events(day, 'morning');
      await this.#pay(day);
      this.#tick();
      // What the scheduler runs every day.
      await this.deps.billing.runRenewals();
      await this.deps.billing.runDunning();
      await this.deps.processing.runDue({ limit: 100_000 });
      this.#tick();
      await this.#scheduleNewInvoices(day);
      await this.#pay(day);
      await this.deps.processing.runDue({ limit: 100_000 });
      this.#tick();
      await this.#workQueue(day);
      await this.#events(day, 'evening');
      if (day % 50 === 0 || day === timeline.last) {
        log(`demo: ${dayDate(timeline, day)}: ${this.counts.orders} orders, ${this.counts.payments} payments, ${this.counts.operationsCompleted} operations completed so far`);
      }
    }
    return this.counts;
  }

  async #order(plan: PlannedService): Promise<void> {
    const pkg = this.deps.catalog.packages[plan.packageKey];
    const period = pkg?.periods[plan.periodKey];
    if (!pkg || !period) throw new DemoSeedError(`demo seed: no package ${plan.packageKey} with period ${plan.periodKey}`);
    const placed = await this.deps.billing.placeOrder({
      clientId: plan.clientId,
      packageId: pkg.id,
      periodId: period.id,
      ...(plan.addons ? { addons: plan.addons } : {}),
      label: plan.label,
      params: pkg.itemType === 'vds' ? { hostname: plan.label } : pkg.itemType === 'domain' ? { nameservers: 'ns1.demo.test ns2.demo.test' } : {},
      actor: plan.clientActor,
    });
    plan.serviceId = placed.serviceId;
    plan.orderInvoiceId = placed.invoiceId;
    this.#byService.set(placed.serviceId, plan);
    this.counts.orders++;
  }

  /** Invoices issued since the last look (orders, renewals): when, and whether, each gets paid. */
  async #scheduleNewInvoices(day: number): Promise<void> {
    const { db, timeline } = this.deps;
    const rows = (await db('core_invoices').where('id', '>', this.#lastInvoiceId).orderBy('id').select('id', 'kind', 'status', 'total', 'due_on')) as { id: number; kind: string; status: string; total: number; due_on: string }[];
    for (const inv of rows) {
      this.#lastInvoiceId = Math.max(this.#lastInvoiceId, Number(inv.id));
      if (inv.status !== 'unpaid' || Number(inv.total) === 0) continue; // paid from credit, or nothing to pay
      const line = (await db('core_invoice_lines').where({ invoice_id: inv.id }).whereNotNull('service_id').first('service_id')) as { service_id: number } | undefined;
      const plan = line ? this.#byService.get(Number(line.service_id)) : undefined;
      if (!plan) continue;
      const renewal = inv.kind === 'renewal';
      let payDay: number | null = null;
      let topUp = false;
      switch (plan.pay.kind) {
        case 'prompt':
          payDay = day + plan.pay.lag;
          break;
        case 'late':
          payDay = renewal ? dayIndex(timeline, inv.due_on) + plan.pay.lag : day;
          break;
        case 'stop':
          payDay = day < plan.pay.from ? day + plan.pay.lag : null;
          break;
        case 'credit':
          // The order, or a renewal the balance no longer covered: paid with a top-up for a few more periods.
          payDay = day + plan.pay.lag;
          topUp = true;
          break;
        case 'never':
          payDay = null;
      }
      if (payDay === null || payDay > timeline.last) continue;
      this.#payments.set(payDay, [...(this.#payments.get(payDay) ?? []), { invoiceId: Number(inv.id), plan, topUp }]);
    }
  }

  async #pay(day: number): Promise<void> {
    const due = this.#payments.get(day) ?? [];
    this.#payments.delete(day);
    for (const p of due) await this.#payInvoice(p.invoiceId, p.plan, p.topUp);
  }

  async #payInvoice(invoiceId: number, plan: PlannedService, topUp: boolean): Promise<void> {
    const { db, billing, staff } = this.deps;
    const invoice = await getInvoice(db, invoiceId);
    if (!invoice || !PAYABLE.has(invoice.status)) return;
    const owed = Number(invoice.total) - Number(invoice.amount_paid);
    if (owed <= 0) return;
    let amount = owed;
    if (topUp) {
      const svc = (await db('core_services').where({ id: plan.serviceId }).first('price')) as { price: number | string } | undefined;
      amount = owed + 3 * Number(svc?.price ?? 0);
    }
    const n = this.counts.payments + 1;
    const card = plan.method === 'card';
    const reference = card ? `T${String(900_000 + n)}` : `BANK-${dayDate(this.deps.timeline, this.#day).replaceAll('-', '')}-${String(n).padStart(5, '0')}`;
    const paid = await billing.recordPayment({
      invoiceId,
      amount,
      currency: invoice.currency,
      gateway: card ? 'test' : 'manual',
      externalId: card ? `demo-${reference}:${invoiceId}` : reference,
      method: card ? 'Credit Card' : 'Bank transfer',
      statusCode: card ? 'approved' : 'recorded',
      raw: card ? { demo: true, attempt: reference } : { recordedBy: staff.billing.label, reference, paidOn: invoice.due_on },
      actor: card ? 'gateway:test' : staff.billing.label,
    });
    if (!card && paid.created) {
      await this.deps.audit.record({
        actor: staffAsActor(staff.billing), action: 'billing.payment_recorded', target: `invoice:${invoiceId}`,
        details: { transaction: paid.transactionId, amount, currency: invoice.currency, method: 'Bank transfer', reference, credited: paid.credited },
      });
    }
    this.counts.payments++;
  }

  /** Staff go through the operations waiting for them, as they would each working day. */
  async #workQueue(day: number): Promise<void> {
    const { db, processing, staff, timeline } = this.deps;
    const waiting = (await db('core_service_operations').where({ status: 'manual' }).orderBy('id').select('id', 'service_id', 'op')) as { id: number; service_id: number; op: string }[];
    for (const op of waiting) {
      const plan = this.#byService.get(Number(op.service_id));
      // The last day's work is still in the queue when the demo opens.
      if (day === timeline.last) continue;
      if (op.op === 'open' && plan?.open === 'hold') continue;
      if (op.op === 'open' && plan?.open === 'fail') {
        await this.#failSetUp(plan, Number(op.id));
        continue;
      }
      const values: Record<string, string> = op.op === 'open' ? { externalId: externalIdFor(plan, Number(op.service_id)) } : {};
      await processing.completeManually(Number(op.id), { values, note: op.op === 'open' ? 'Set up by the demo seed' : '' }, staff.support);
      this.counts.operationsCompleted++;
    }
  }

  /** A set-up that went wrong: the service is marked failed and the technical department gets a ticket. */
  async #failSetUp(plan: PlannedService, operationId: number): Promise<void> {
    const { db, tickets, staff, catalog } = this.deps;
    const status = (await db('core_services').where({ id: plan.serviceId }).first('status')) as { status: string } | undefined;
    if (status?.status !== 'in_progress') return;
    const reason = 'Set-up failed: the host node has no free IPv4 address left. Finish it by hand once the new range is routed.';
    await db.transaction(async (trx) => {
      await transitionService(trx, { serviceId: plan.serviceId!, to: 'failed', actor: staffAsActor(staff.support), reason, at: this.#now() });
      await tickets.openSystemTicket(
        {
          dedupeKey: `processing.op:${operationId}`, departmentId: catalog.departments.technical ?? null, subject: `Set-up of service #${plan.serviceId} (${plan.label}) failed`,
          body: `${reason}\n\nComplete the operation by hand when done: /admin/processing/operations/${operationId}`, serviceId: plan.serviceId!, priority: 'high',
        },
        trx,
      );
    });
    this.counts.staffActions++;
  }

  #now(): string {
    return this.deps.clock.now().toISOString();
  }

  async #events(day: number, when: PlannedEvent['when']): Promise<void> {
    for (const plan of this.plans) {
      if (plan.serviceId === undefined) continue;
      for (const e of plan.events) if (e.day === day && e.when === when) await this.#act(plan, e);
    }
  }

  async #act(plan: PlannedService, e: PlannedEvent): Promise<void> {
    const { db, billing, processing, tickets, staff, audit, catalog } = this.deps;
    const serviceId = plan.serviceId!;
    const svc = (await db('core_services').where({ id: serviceId }).first('status')) as { status: string };
    const at = this.#now();
    const record = (actor: Actor, action: string, details: Record<string, unknown>, trx?: Knex.Transaction) =>
      audit.record({ actor: { type: actor.type, id: actor.id ?? null, label: actor.label ?? '' }, action, target: `service:${serviceId}`, details }, trx);
    const request = async (op: 'suspend' | 'close', payload: Record<string, unknown>, actor: Actor) => {
      await db.transaction(async (trx) => {
        const id = await processing.enqueue(trx, { serviceId, op, payload, actor });
        await record(actor, `billing.service_${op}_requested`, { operation: id, ...payload }, trx);
      });
    };
    switch (e.action) {
      case 'suspend_staff':
        if (svc.status !== 'active') return;
        await request('suspend', { status: 'suspended_staff', reason: 'Abuse report: a phishing page was found on the site' }, staffAsActor(staff.support));
        break;
      case 'suspend_client':
        if (svc.status !== 'active') return;
        await request('suspend', { status: 'suspended_client', reason: 'Paused at the client’s request during a migration' }, plan.clientActor);
        break;
      case 'resume':
        await db.transaction((trx) => processing.enqueue(trx, { serviceId, op: 'resume', actor: staffAsActor(staff.support) }));
        break;
      case 'terminate':
        if (!['active', 'suspended_staff', 'suspended_client', 'suspended_nonpayment', 'pending_renewal'].includes(svc.status)) return;
        await request('close', { reason: 'Cancelled by the client within the 30-day money-back period' }, staffAsActor(staff.support));
        break;
      case 'fraud':
        if (svc.status !== 'pending') return;
        await db.transaction(async (trx) => {
          await transitionService(trx, { serviceId, to: 'fraud', actor: staffAsActor(staff.billing), reason: 'Marked as fraudulent by staff: stolen card, mismatched country', at });
          await record(staffAsActor(staff.billing), 'billing.service_marked_fraud', { from: svc.status }, trx);
        });
        if (plan.orderInvoiceId) await billing.cancelInvoice({ invoiceId: plan.orderInvoiceId, actor: { type: 'staff', id: staff.billing.id, label: staff.billing.label } });
        break;
      case 'transfer':
        if (svc.status !== 'active') return;
        await db.transaction(async (trx) => {
          await transitionService(trx, { serviceId, to: 'transferred', actor: staffAsActor(staff.support), reason: 'Domain transferred out to another registrar (auth code issued)', at });
          await record(staffAsActor(staff.support), 'billing.service_transferred', {}, trx);
        });
        break;
      case 'refund_order': {
        const tx = (await db('core_transactions').where({ invoice_id: plan.orderInvoiceId, status: 'approved' }).whereNot({ gateway: 'credit' }).orderBy('id').first('id', 'amount')) as { id: number; amount: number | string } | undefined;
        if (!tx) return;
        await billing.refund({ transactionId: Number(tx.id), amount: Number(tx.amount), key: `demo-refund-${serviceId}`, actor: staff.billing.label, reason: 'Money-back guarantee: cancelled within 30 days' });
        break;
      }
      case 'collections': {
        const inv = (await db('core_invoices as i')
          .join('core_invoice_lines as l', 'l.invoice_id', 'i.id')
          .where('l.service_id', serviceId)
          .andWhere('i.status', 'unpaid')
          .orderBy('i.id', 'desc')
          .first('i.id')) as { id: number } | undefined;
        if (!inv) return;
        await db.transaction(async (trx) => {
          if (await markInCollections(trx, Number(inv.id), at)) {
            await audit.record({ actor: staffAsActor(staff.billing) as { type: 'staff'; id: number; label: string }, action: 'billing.invoice_collections', target: `invoice:${inv.id}` }, trx);
          }
        });
        break;
      }
      case 'cancel_order':
        if (plan.orderInvoiceId) await billing.cancelInvoice({ invoiceId: plan.orderInvoiceId, actor: { type: 'staff', id: staff.billing.id, label: staff.billing.label } });
        break;
      case 'no_autorenew':
        await db.transaction(async (trx) => {
          await updateServiceField(trx, { serviceId, fields: { auto_renew: false }, actor: staffAsActor(staff.billing), reason: 'Auto-renew turned off: a trial ends unless a paid plan is ordered', at });
          await record(staffAsActor(staff.billing), 'billing.service_auto_renew', { autoRenew: false }, trx);
        });
        break;
      case 'ticket': {
        const support = catalog.departments.support ?? null;
        const subject = plan.fate === 'suspended_client' ? `Please pause ${plan.label} for a few weeks` : `Question about ${plan.label}`;
        const body =
          plan.fate === 'suspended_client'
            ? 'Hello, we are moving offices and will not need the server for a while. Could you pause it until we are back? Thank you.'
            : 'Hello, I cancelled this plan; where can I see the refund? Thanks.';
        const id = await tickets.open({ subject, body, departmentId: support, clientId: plan.clientId, serviceId, author: plan.clientActor.type === 'client' ? { type: 'client', id: plan.clientActor.id ?? null, label: plan.clientActor.label ?? '' } : { type: 'staff', id: staff.support.id, label: staff.support.label } });
        this.#tick();
        await tickets.reply(id, {
          author: { type: 'staff', id: staff.support.id, label: staff.support.label },
          body: plan.fate === 'suspended_client' ? 'Done: the service is suspended at your request. Write to us when you want it back.' : 'The refund went to your account’s credit balance; it pays your next invoices.',
        });
        break;
      }
    }
    this.counts.staffActions++;
  }
}

function externalIdFor(plan: PlannedService | undefined, serviceId: number): string {
  if (!plan) return `M-${serviceId}`;
  const prefix = plan.packageKey.startsWith('vds') ? 'VM' : plan.packageKey.startsWith('domain') ? 'DOM' : 'WEB';
  return `${prefix}-${10_000 + serviceId}`;
}

// Wires billing into a panel: the BillingService and its scheduled jobs (renewals, dunning).
import type { Knex } from 'knex';
import type { AppServices } from '../services.ts';
import { BillingService } from './billing-service.ts';
import { chooseServer } from '../processing/servers.ts';

export function createBilling(s: Omit<AppServices, 'billing'>): BillingService {
  return new BillingService({
    db: s.db,
    clock: s.clock,
    log: s.log.child({ module: 'billing' }),
    mail: s.mail,
    settings: s.settings,
    audit: s.audit,
    events: s.events,
    publicUrl: s.config.publicUrl,
    ops: { enqueue: (trx: Knex.Transaction, input) => s.processing.enqueue(trx, input) },
    chooseServer: async (trx, input) => (await chooseServer(trx, input))?.id ?? null,
  });
}

export function registerBillingJobs(s: AppServices): void {
  s.jobs.registerScheduled('core', {
    id: 'billing.renewals',
    schedule: { cron: '5 * * * *' },
    timeoutMs: 30 * 60_000,
    description: 'Issue renewal invoices for services whose period ends within the lead time (pays them from credit where allowed)',
    run: async (ctx) => {
      await s.billing.runRenewals((name, by) => ctx.count(name, by), ctx.signal);
    },
  });
  s.jobs.registerScheduled('core', {
    id: 'billing.dunning',
    schedule: { cron: '0 6 * * *' },
    timeoutMs: 30 * 60_000,
    description: 'Reminders and overdue notices, suspension for non-payment, termination, cancelling long-overdue invoices',
    run: async (ctx) => {
      await s.billing.runDunning((name, by) => ctx.count(name, by));
    },
  });
}

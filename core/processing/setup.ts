// Wires processing into a panel: the built-in manual module, the runner job, the service page section.
import type { AppServices } from '../services.ts';
import { manualModule } from './modules/manual.ts';
import { operationsForService } from './operations.ts';

/** The runner's full job id (owner 'core', local id 'processing.run'). */
export const PROCESSING_JOB_ID = 'core.processing.run';
/** The UI slot a service detail page renders with { serviceId }: its operation log goes there. */
export const SERVICE_DETAIL_SLOT = 'admin.service.detail';

/**
 * Registers the manual module, the operations runner (every 5 s, one process at a time through
 * the job lease) and the operation log section of the admin service page. Safe to call twice:
 * what is already registered is left alone.
 */
export function setupProcessing(services: Pick<AppServices, 'processing' | 'jobs' | 'db' | 'views' | 'slots'>): void {
  const { processing, jobs } = services;
  if (!processing.module(manualModule.name)) processing.registerModule(manualModule);
  if (jobs.has(PROCESSING_JOB_ID)) return;
  jobs.registerScheduled('core', {
    id: 'processing.run',
    schedule: { everyMs: 5_000 },
    scope: 'global',
    timeoutMs: 15 * 60_000,
    description: 'Run due processing operations (set up, suspend, resume, delete, prolong ...) through their modules',
    run: async (ctx) => {
      const s = await processing.runDue({ signal: ctx.signal });
      for (const [name, n] of Object.entries(s)) if (n) ctx.count(name, n);
    },
  });
  services.slots.add(SERVICE_DETAIL_SLOT, 'core', async (data) => {
    const serviceId = Number(data.serviceId);
    if (!Number.isInteger(serviceId) || serviceId <= 0) return '';
    const operations = await operationsForService(services.db, serviceId, { limit: 50 });
    return services.views.render('pages/admin/processing/service-operations-section', { serviceId, operations });
  });
}

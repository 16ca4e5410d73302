// Jobs core itself needs: mail delivery, expired-session cleanup, throttle cleanup, run-log retention.
import type { AppServices } from '../services.ts';

const RUN_LOG_RETENTION_DAYS = 30;

export function registerCoreJobs(s: AppServices): void {
  s.jobs.registerScheduled('core', {
    id: 'mail.deliver',
    schedule: { everyMs: 60_000 },
    description: 'Send queued e-mails over SMTP (nothing to do without TRELLIS_SMTP_URL)',
    run: async (ctx) => {
      const r = await s.mail.deliverDue();
      ctx.count('sent', r.sent);
      ctx.count('failed', r.failed);
    },
  });
  s.jobs.registerScheduled('core', {
    id: 'sessions.cleanup',
    schedule: { cron: '17 * * * *' },
    description: 'Delete expired and idle sessions',
    run: async (ctx) => ctx.count('deleted', await s.sessions.deleteExpired()),
  });
  s.jobs.registerScheduled('core', {
    id: 'maintenance.prune',
    schedule: { cron: '40 4 * * *' },
    description: `Forget job runs and finished queue items older than ${RUN_LOG_RETENTION_DAYS} days, and stale login throttles`,
    run: async (ctx) => {
      const cutoff = new Date(ctx.clock.now().getTime() - RUN_LOG_RETENTION_DAYS * 86_400_000);
      const pruned = await s.jobs.prune(cutoff);
      ctx.count('runs', pruned.runs);
      ctx.count('queueItems', pruned.queueItems);
      const day = new Date(ctx.clock.now().getTime() - 86_400_000).toISOString();
      ctx.count('throttles', await ctx.db('core_login_throttle').where('window_started_at', '<', day).andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<', day)).delete());
    },
  });
}

// The registrars' daily job (seed 001: "Check is made once a day", cron 12 0 * * *): each registrar's
// upstream balance against its minimum, and its failed operations restarted when it says so.
import type { AppServices, JobContext } from '../../../core/plugins/api.ts';
import { checkRegistrarBalance, restartFailedOperations } from '../services/registrars.ts';
import { listRegistrars } from '../store/registrars.ts';

export function registrarsJob(services: () => AppServices, timeoutMs: number) {
  return async function checkRegistrars(ctx: JobContext): Promise<void> {
    const app = services();
    const failures: string[] = [];
    for (const registrar of await listRegistrars(app.db)) {
      if (ctx.signal.aborted) break;
      const check = await checkRegistrarBalance(app, registrar, timeoutMs);
      if (!check.ok) failures.push(`${registrar.name}: ${check.error}`);
      else if (check.low) ctx.count('balances below the minimum');
      if (check.ticket?.created) ctx.count('tickets opened');
      if (registrar.restartOperations) ctx.count('operations restarted', await restartFailedOperations(app, registrar));
    }
    if (failures.length) throw new Error(`The balance could not be checked for ${failures.join('; ')}`);
  };
}

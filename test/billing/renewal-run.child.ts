// Child process for the crash test: runs the renewal run against a database until it is killed.
import { openDb } from '../../core/db/knex.ts';
import { ManualClock } from '../../core/clock.ts';
import { DEFAULT_BILLING_SETTINGS } from '../../core/billing/settings.ts';
import { runRenewals } from '../../core/billing/automation/renewals.ts';

const [url, searchPath, now] = process.argv.slice(2) as [string, string, string];
const db = openDb({ url, searchPath: searchPath || undefined });
let chunks = 0;
await runRenewals({
  db,
  clock: new ManualClock(now),
  settings: DEFAULT_BILLING_SETTINGS,
  taxInclusive: false,
  afterChunk: async () => {
    chunks++;
    process.stdout.write(`chunk ${chunks}\n`);
    // Slow down after the first chunk so the parent can kill the run in the middle.
    await new Promise((r) => setTimeout(r, 50));
  },
});
process.stdout.write('done\n');
await db.destroy();

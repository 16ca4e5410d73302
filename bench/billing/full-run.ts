// The full run, in its own process: the panel as `trellis serve` builds it (createApp on the data dir
// in TRELLIS_DATA_DIR, core only), its clock set to BENCH_NOW, then the real renewal run, timed; then
// the same run again, which must find nothing to bill. Prints one JSON line (RunResult) on stdout.
//
//   node --import tsx bench/billing/full-run.ts <mode> [profile-file]
//   mode: renewals — core/billing/automation/renewals.ts runRenewals(), invoices only (the job's core)
//         service  — BillingService.runRenewals(): invoices plus an "invoice created" notice per invoice
//                    and the pay-from-credit check (what the billing.renewals job runs)
//   BENCH_RENEWALS_MODULE=<file>: take runRenewals from a patched copy of renewals.ts (mode renewals),
//   to measure an optimisation before it is applied.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Session } from 'node:inspector/promises';
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { createApp } from '../../core/app.ts';
import { ManualClock } from '../../core/clock.ts';
import { runRenewals as coreRunRenewals } from '../../core/billing/automation/renewals.ts';
import { getBillingSettings } from '../../core/billing/settings.ts';
import { getCatalogSettings } from '../../core/billing/catalog/taxes.ts';
import { BENCH_NOW } from './setup.ts';
import type { RunResult } from './results.ts';

const [mode = 'renewals', profileFile] = process.argv.slice(2);
if (mode !== 'renewals' && mode !== 'service') throw new Error(`full-run: unknown mode '${mode}'`);

const patched = process.env.BENCH_RENEWALS_MODULE;
const runRenewals: typeof coreRunRenewals = patched ? ((await import(pathToFileURL(path.resolve(patched)).href)) as { runRenewals: typeof coreRunRenewals }).runRenewals : coreRunRenewals;

const config = loadConfig();
const t = await createApp({ config, clock: new ManualClock(BENCH_NOW), log: createLogger({ level: 'warn', sink: (l) => process.stderr.write(l + '\n') }), pluginConfig: { plugins: [] } });
const { services } = t;
const rssAfterBootKb = process.resourceUsage().maxRSS;

async function once(): Promise<{ invoices: number; services: number }> {
  if (mode === 'service') return services.billing.runRenewals();
  const settings = await getBillingSettings(services.settings);
  const catalog = await getCatalogSettings(services.settings);
  return runRenewals({ db: services.db, clock: services.clock, settings, taxInclusive: catalog.pricesIncludeTax });
}

let session: Session | undefined;
if (profileFile) {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
}
const started = performance.now();
const first = await once();
const ms = performance.now() - started;
if (session && profileFile) {
  const { profile } = await session.post('Profiler.stop');
  fs.writeFileSync(profileFile, JSON.stringify(profile));
  session.disconnect();
}
const peakRssKb = process.resourceUsage().maxRSS;

const rerunStarted = performance.now();
const again = await once();
const rerunMs = performance.now() - rerunStarted;

const result: RunResult = {
  label: mode === 'service' ? 'full, with notices' : patched ? `full (${path.basename(patched)})` : 'full',
  services: first.services,
  invoices: first.invoices,
  ms,
  peakRssKb,
  rssAfterBootKb,
  rerun: { services: again.services, invoices: again.invoices, ms: rerunMs },
};
process.stdout.write(JSON.stringify(result) + '\n');
await t.close();

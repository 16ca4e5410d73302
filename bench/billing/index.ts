// `npm run bench -- billing`: renewal invoices for N due services, the real run versus a raw better-sqlite3 floor.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { Bench } from '../lib/bench.ts';
import { REPO_ROOT } from '../lib/child.ts';
import { summarizeProfile } from '../lib/cpuprofile.ts';
import { copyDb, envFor, setupBillingData, type BillingBenchData } from './setup.ts';
import { compareDigests, digestOf, type Digest, type RunResult } from './results.ts';

export const TARGET_SERVICES_PER_S = 20_000;
export const TARGET_RATIO = 0.25;
export const TARGET_PEAK_RSS_MB = 256;
export const TARGET_RERUN_MS = 1_000;

const HELP = `Usage: npm run bench -- billing [options]

Generates renewal invoices for --services active, due services (default 100,000 across 10,000
clients) on SQLite with the real renewal run (core/billing/automation/renewals.ts, in a process
that built the panel with createApp), and with a floor: the same invoice, line and billing-period
rows written by raw better-sqlite3 prepared statements in chunks of the same size. Each run has its
own process and its own copy of the same database file. Both runs are then run again (nothing is
due any more: the re-run must create nothing). Prints services/s, peak RSS, the re-run, and
"billing: ratio 0.NN" (full services/s ÷ floor services/s) as the last line.

Options:
  --services <n>      due services (default 100000)
  --clients <n>       clients they belong to (default 10000)
  --notices           also run BillingService.runRenewals (an "invoice created" e-mail per invoice and
                      the pay-from-credit check, as the billing.renewals job does); reported, not in the ratio
  --rounds <n>        run full and floor alternately n times, report the median of each (default 1)
  --renewals <file>   take runRenewals from a patched copy of renewals.ts for the full run (measure a fix)
  --setup-sql <file>  run this SQL on the prepared database before the runs copy it (an index a fix needs)
  --cpu-prof          profile the full run (the run alone, not the start-up) and print where the time went
  --keep              keep the temp data dir (databases, profiles)
  --check             exit 1 when a target is missed (>= ${TARGET_SERVICES_PER_S.toLocaleString('en-US')} services/s, ratio >= ${TARGET_RATIO},
                      peak RSS < ${TARGET_PEAK_RSS_MB} MB, re-run < ${TARGET_RERUN_MS} ms creating nothing)
`;

/** Runs `node [nodeArgs] --import tsx <script> [args]` to completion; resolves to its last stdout line as JSON. */
export async function runScript<T>(label: string, script: string, args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  process.off('exit', killOnExit);
  const last = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`${label} failed (exit ${code})\n--- stdout ---\n${out}\n--- stderr ---\n${err}`);
  return JSON.parse(last) as T;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')).join('\n');
}

const perSecond = (r: RunResult) => r.services / (r.ms / 1000);
const mb = (kb: number) => kb / 1024;

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      services: { type: 'string', default: '100000' },
      clients: { type: 'string', default: '10000' },
      notices: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '1' },
      renewals: { type: 'string' },
      'setup-sql': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const services = Number(values.services);
  const clients = Number(values.clients);
  const rounds = Number(values.rounds);
  for (const [k, v] of Object.entries({ services, clients, rounds })) if (!Number.isSafeInteger(v) || v < 1) throw new Error(`--${k} must be a positive whole number`);
  for (const k of ['renewals', 'setup-sql'] as const) if (values[k] && !fs.existsSync(values[k])) throw new Error(`--${k}: ${values[k]} does not exist`);

  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`billing: preparing ${fmt(services)} due services for ${fmt(clients)} clients in a fresh SQLite database…`);
  const data: BillingBenchData = setupBillingData({ services, clients, log });
  if (values['setup-sql']) {
    const db = new Database(data.dbFile);
    db.exec(fs.readFileSync(values['setup-sql'], 'utf8'));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    log(`billing: ran ${values['setup-sql']} on the prepared database (both runs see it)`);
  }
  const profile = values['cpu-prof'] ? path.join(data.dataDir, 'full-run.cpuprofile') : undefined;
  /** Per label, every round's result and digest; the first label is the full run, the second the floor. */
  const runs = new Map<string, { result: RunResult; digest: Digest }[]>();
  const add = (key: string, r: { result: RunResult; digest: Digest }) => runs.set(key, [...(runs.get(key) ?? []), r]);
  try {
    const runFull = async (mode: 'renewals' | 'service', name: string, withProfile: boolean) => {
      const dir = copyDb(data, name);
      const env = { ...envFor(data, dir), ...(mode === 'renewals' && values.renewals ? { BENCH_RENEWALS_MODULE: path.resolve(values.renewals) } : {}) };
      const result = await runScript<RunResult>(`full run (${mode})`, 'bench/billing/full-run.ts', withProfile && profile ? [mode, profile] : [mode], env);
      const digest = digestOf(path.join(dir, 'trellis.sqlite'));
      fs.rmSync(dir, { recursive: true, force: true });
      return { result, digest };
    };
    const runFloor = async (name: string) => {
      const dir = copyDb(data, name);
      const result = await runScript<RunResult>('floor run', 'bench/billing/floor-run.ts', [path.join(dir, 'trellis.sqlite')], envFor(data, dir));
      const digest = digestOf(path.join(dir, 'trellis.sqlite'));
      fs.rmSync(dir, { recursive: true, force: true });
      return { result, digest };
    };
    for (let round = 1; round <= rounds; round++) {
      const of = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
      log(`billing: full run (runRenewals${values.renewals ? ` from ${values.renewals}` : ''})${of}…`);
      add('full', await runFull('renewals', `full-${round}`, round === 1));
      log(`billing: floor (raw better-sqlite3)${of}…`);
      add('floor', await runFloor(`floor-${round}`));
    }
    if (values.notices) {
      log('billing: full run with notices (BillingService.runRenewals)…');
      add('service', await runFull('service', 'service', false));
    }

    // The same work: every due service billed once, and the same rows as the floor wrote.
    const floorDigest = runs.get('floor')![0]!.digest;
    for (const r of [...runs.values()].flat()) {
      if (r.result.invoices !== services || r.digest.invoices !== services) throw new Error(`${r.result.label}: ${r.result.invoices} invoices reported, ${r.digest.invoices} in the database, for ${services} due services`);
      const diff = compareDigests(r.digest, floorDigest);
      if (diff) log(`billing: WARNING: ${r.result.label} and the floor did not write the same rows: ${diff}. The floor (bench/billing/floor-run.ts) no longer does the same work; update it.`);
    }
  } catch (err) {
    if (!values.keep) data.cleanup();
    throw err;
  }
  /** The round with the median speed, so its memory and re-run figures belong to the same run. */
  const median = (key: string) => {
    const list = [...(runs.get(key) ?? [])].sort((a, b) => perSecond(a.result) - perSecond(b.result));
    return list[Math.floor((list.length - 1) / 2)]!;
  };
  const results = [median('full'), median('floor'), ...(runs.has('service') ? [median('service')] : [])];

  const [fullR, floorR] = [results[0]!.result, results[1]!.result];
  const ratio = perSecond(fullR) / perSecond(floorR);
  const out: string[] = [''];
  out.push(
    `billing: renewal invoices for ${fmt(services)} due services of ${fmt(clients)} clients, chunks of 500, SQLite (WAL)${rounds > 1 ? `, median of ${rounds} rounds` : ''}; node ${process.version}, ${os.cpus().length} CPU(s)`,
  );
  out.push('');
  out.push(
    table([
      ['', 'services', 'invoices', 'lines', 'seconds', 'services/s', 'peak RSS MB', 'RSS at start MB', 're-run ms', 're-run invoices'],
      ...results.map(({ result: r, digest: d }) => [
        r.label, fmt(r.services), fmt(r.invoices), fmt(d.lines), fmt(r.ms / 1000, 2), fmt(perSecond(r)), fmt(mb(r.peakRssKb)), fmt(mb(r.rssAfterBootKb)), fmt(r.rerun.ms), fmt(r.rerun.invoices),
      ]),
    ]),
  );
  if (rounds > 1) out.push('', `services/s in every round: full ${runs.get('full')!.map((r) => fmt(perSecond(r.result))).join(', ')}; floor ${runs.get('floor')!.map((r) => fmt(perSecond(r.result))).join(', ')}`);
  if (values.notices) {
    const s = results[2]!;
    out.push('', `with notices: ${fmt(s.digest.outbox)} e-mails queued; ${fmt(perSecond(s.result))} services/s, ${(perSecond(s.result) / perSecond(fullR)).toFixed(2)}× the invoices-only run`);
  }
  out.push('');
  const speedOk = perSecond(fullR) >= TARGET_SERVICES_PER_S;
  const ratioOk = ratio >= TARGET_RATIO;
  const rssOk = mb(fullR.peakRssKb) < TARGET_PEAK_RSS_MB;
  const rerunOk = fullR.rerun.ms < TARGET_RERUN_MS && fullR.rerun.invoices === 0;
  out.push(
    `targets: >= ${fmt(TARGET_SERVICES_PER_S)} services/s: ${speedOk ? 'met' : 'MISSED'}; ratio >= ${TARGET_RATIO}: ${ratioOk ? 'met' : 'MISSED'}; ` +
      `peak RSS < ${TARGET_PEAK_RSS_MB} MB: ${rssOk ? 'met' : 'MISSED'}; re-run < ${fmt(TARGET_RERUN_MS)} ms creating nothing: ${rerunOk ? 'met' : 'MISSED'} (${fmt(fullR.rerun.ms)} ms, ${fullR.rerun.invoices} invoices)`,
  );

  if (profile) {
    if (!fs.existsSync(profile)) out.push('', 'cpu profile: none was written');
    else {
      const s = summarizeProfile(profile, REPO_ROOT);
      out.push('', `cpu profile of the full run (the run alone)${values.keep ? `: ${profile}` : ' (--keep keeps the .cpuprofile for Chrome DevTools)'}`);
      out.push(`busy ${fmt(s.totalMs - s.idleMs)} ms of ${fmt(s.totalMs)} ms sampled`);
      out.push('', 'self time by package / folder:');
      out.push(...s.byPackage.map((p) => `  ${p.pct.toFixed(1).padStart(5)}%  ${p.name}`));
      out.push('', 'self time by function:');
      out.push(...s.byFunction.map((p) => `  ${p.pct.toFixed(1).padStart(5)}%  ${p.name}`));
    }
  }
  if (values.keep) out.push('', `data dir kept: ${data.dataDir}`);
  else data.cleanup();

  // The last line is what scripts read.
  out.push('', `billing: ratio ${ratio.toFixed(2)}`);
  process.stdout.write(out.join('\n') + '\n');
  return values.check && !(speedOk && ratioOk && rssOk && rerunOk) ? 1 : 0;
}

export const billingBench: Bench = {
  description: 'renewal invoices for 100,000 due services: runRenewals vs raw better-sqlite3 inserts',
  run,
};

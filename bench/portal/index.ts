// `npm run bench -- portal`: the client's invoice list (first page and a deep keyset page) on the full
// panel with the portal plugin versus a framework-free floor, over 1,000,000 invoices.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as cheerio from 'cheerio';
import type { Bench } from '../lib/bench.ts';
import { freePort, REPO_ROOT, startChild, type ChildServer } from '../lib/child.ts';
import { assertClean, runLoad, type LoadResult } from '../lib/load.ts';
import { summarizeProfile, type ProfileSummary } from '../lib/cpuprofile.ts';
import { createSecretBox, loadMasterKey } from '../../core/secrets/crypto.ts';
import { encodeCursor } from '../../core/http/table.ts';
import { INVOICE_PAGE_SIZE } from '../../plugins/client-portal/routes/invoice-list.ts';
import { CLIENT, DEFAULT_CACHE_DIR, deepCursorRow, preparePortalData, signInClient, writeClientMenu, type PortalBenchData, type PortalSeed } from './setup.ts';

export const PAGE_PATH = '/client/invoices';
export const TARGET_RATIO = 0.5;
export const TARGET_P99_MS = 50;

const HELP = `Usage: npm run bench -- portal [options]

Loads the client portal's invoice list (${PAGE_PATH}) as a signed-in client with --heavy invoices,
among --clients clients and --invoices invoices on SQLite: the first page and a deep page (the keyset
cursor --deep rows in), each on the full panel (the portal plugin, every middleware, knex) and on a
floor server (node:http + the same eta templates + better-sqlite3 statements prepared once), each in
its own process, with autocannon. Prints req/s, p50 and p99 of each and, last, "portal: ratio 0.NN":
full req/s ÷ floor req/s of the worse of the two pages.

The seeded database is cached in ${DEFAULT_CACHE_DIR}
(keyed by a hash of the migrations, the seeding code and the sizes); each run works on a copy.

Options:
  --duration <s>      measured seconds per run (default 10)
  --warmup <s>        unmeasured seconds before each run (default 3)
  --connections <n>   concurrent connections (default 32)
  --clients <n>       clients (default 10000)
  --invoices <n>      invoices in all (default 1000000)
  --heavy <n>         invoices of the signed-in client (default 5000)
  --deep <n>          rows before the deep page's cursor (default 4000)
  --rounds <n>        alternate full/floor runs n times and report the median (default 1)
  --fresh             seed again instead of using the cached database (and cache the new one)
  --cache-dir <dir>   where seeded databases are cached (default above)
  --cpu-prof          profile the full-stack server and print where its time went
  --keep              keep the temp data dir (and profiles) instead of deleting it
  --check             exit 1 when a target is missed (ratio >= ${TARGET_RATIO}, full-stack p99 < ${TARGET_P99_MS} ms on both pages)
`;

export interface PortalBenchOptions {
  seed: PortalSeed;
  deep: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  cpuProf: boolean;
  keep: boolean;
  fresh: boolean;
  cacheDir: string | null;
  log: (line: string) => void;
}

/** A load run with the server's CPU time per request (Linux: /proc), which a busy machine disturbs far less than req/s. */
export type Run = LoadResult & { cpuMsPerRequest: number | null };

export interface PageFigures {
  label: 'first page' | 'deep page';
  path: string;
  full: Run;
  floor: Run;
  /** Median full req/s ÷ median floor req/s. */
  ratio: number;
}

export interface PortalBenchResult {
  pages: [PageFigures, PageFigures];
  /** The worse page's ratio: the target holds only if every page meets it. */
  ratio: number;
  ratioOk: boolean;
  p99Ok: boolean;
  /** Where full and floor pages differ (CSRF tokens included: both servers derive them from the same key), or null. */
  pageDiff: string | null;
  bytes: number;
  cached: boolean;
  profile: { file: string; summary: ProfileSummary } | null;
  dataDir: string | null;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process so far, in ms; null where /proc is not there. */
function cpuMsOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

function medianRun<T extends LoadResult>(runs: T[]): T {
  // The run with the median req/s, so its latencies belong to the same run.
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** GETs the page once and checks it is the page we mean to measure: 200, the client layout and menu, a full page of invoices. */
async function fetchAndVerify(label: string, url: string, cookie: string, firstNumber: string | null): Promise<string> {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${label}: ${url} answered ${res.status}${res.headers.get('location') ? ` → ${res.headers.get('location')}` : ''}; the session cookie was not accepted or the page failed`);
  const $ = cheerio.load(html);
  const rows = $('#invoices tbody tr');
  if (rows.length !== INVOICE_PAGE_SIZE) throw new Error(`${label}: the page has ${rows.length} invoice rows, expected ${INVOICE_PAGE_SIZE}`);
  if (!$('nav.side-nav a[href="/client/invoices"]').length || !$('.topbar-user').text().includes(CLIENT.name)) throw new Error(`${label}: the page lacks the client layout, the menu or the signed-in client`);
  if (!$('#invoices a[rel="next"]').length) throw new Error(`${label}: the page has no Next link`);
  if (firstNumber && rows.first().find('td').first().text().trim() !== firstNumber) throw new Error(`${label}: the deep page starts at ${rows.first().find('td').first().text().trim()}, expected ${firstNumber}`);
  return html;
}

/** The two servers should send the same bytes: the same templates, data, key and cursors. */
function comparePages(full: string, floor: string): string | null {
  if (full === floor) return null;
  let i = 0;
  while (i < full.length && full[i] === floor[i]) i++;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 80), i + 80));
  return `the pages differ at byte ${i} (full stack ${full.length} bytes, floor ${floor.length} bytes)\n  full:  ${around(full)}\n  floor: ${around(floor)}`;
}

export async function measurePortal(o: PortalBenchOptions): Promise<PortalBenchResult> {
  const log = o.log;
  log(`portal: preparing ${o.seed.clients.toLocaleString('en-US')} clients and ${o.seed.invoices.toLocaleString('en-US')} invoices (${o.seed.heavy.toLocaleString('en-US')} of the signed-in client)…`);
  const data: PortalBenchData = await preparePortalData({ seed: o.seed, cacheDir: o.cacheDir, fresh: o.fresh, log });
  const profDir = path.join(data.dataDir, 'cpu-profiles');
  const servers: ChildServer[] = [];
  const stopAll = () => Promise.all(servers.map((s) => s.stop()));
  try {
    data.env.BENCH_MENU_FILE = await writeClientMenu(data);
    const full = await startChild({
      name: 'full-stack server',
      script: 'bench/http/full-server.ts',
      env: { ...data.env, PORT: String(await freePort()) },
      ready: /Trellis is running at (http:\/\/\S+)/,
      nodeArgs: o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    });
    servers.push(full);
    const floor = await startChild({
      name: 'floor server',
      script: 'bench/portal/floor-server.ts',
      env: { ...data.env, PORT: String(await freePort()) },
      ready: /Floor is running at (http:\/\/\S+)/,
    });
    servers.push(floor);

    // One real sign-in through the login form; the floor reads the same session row.
    const cookie = await signInClient(full.url);
    // The deep page starts right after the row `deep` rows in, by a cursor signed as the panel signs it.
    const before = deepCursorRow(data, o.deep - 1);
    const startsAt = deepCursorRow(data, o.deep);
    const secrets = createSecretBox(loadMasterKey({ envKey: data.env.TRELLIS_SECRET_KEY, dataDir: data.dataDir }));
    const cursor = encodeCursor(secrets, { table: 'invoices', sort: 'entered_on', dir: 'desc' }, before.entered_on, before.id);
    const paths: [PageFigures['label'], string, string | null][] = [
      ['first page', PAGE_PATH, null],
      ['deep page', `${PAGE_PATH}?after=${cursor}`, startsAt.number],
    ];
    let pageDiff: string | null = null;
    let bytes = 0;
    for (const [label, p, firstNumber] of paths) {
      const [a, b] = await Promise.all([fetchAndVerify(`full stack, ${label}`, full.url + p, cookie, firstNumber), fetchAndVerify(`floor, ${label}`, floor.url + p, cookie, firstNumber)]);
      pageDiff ??= comparePages(a, b);
      bytes = Math.max(bytes, a.length);
    }
    if (pageDiff) log(`portal: WARNING: ${pageDiff}\n  The floor no longer renders the same page as the full stack; update bench/portal/floor-server.ts.`);
    else log(`portal: both servers answer 200 with the same pages (${INVOICE_PAGE_SIZE} invoices, up to ${bytes.toLocaleString('en-US')} bytes), first and deep.`);

    const runs = new Map<string, Run[]>();
    for (let round = 1; round <= o.rounds; round++) {
      for (const [label, p] of paths) {
        for (const [name, server] of [
          ['full stack', full],
          ['floor', floor],
        ] as const) {
          const opts = { url: server.url + p, connections: o.connections, headers: { cookie } };
          if (o.warmupSeconds > 0) {
            log(`portal: ${name}, ${label}: warming up for ${o.warmupSeconds} s…`);
            assertClean(`${name} warm-up`, await runLoad({ ...opts, durationSeconds: o.warmupSeconds }));
          }
          log(`portal: ${name}, ${label}: measuring for ${o.durationSeconds} s${o.rounds > 1 ? ` (round ${round} of ${o.rounds})` : ''}…`);
          const cpuBefore = cpuMsOf(server.pid);
          const r = await runLoad({ ...opts, durationSeconds: o.durationSeconds });
          const cpuAfter = cpuMsOf(server.pid);
          assertClean(`${name}, ${label}`, r);
          const cpuMsPerRequest = cpuBefore !== null && cpuAfter !== null && r.requests ? (cpuAfter - cpuBefore) / r.requests : null;
          runs.set(`${name}:${label}`, [...(runs.get(`${name}:${label}`) ?? []), { ...r, cpuMsPerRequest }]);
        }
      }
    }
    await stopAll();

    const pages = paths.map(([label, p]): PageFigures => {
      const f = runs.get(`full stack:${label}`)!;
      const fl = runs.get(`floor:${label}`)!;
      return { label, path: p, full: medianRun(f), floor: medianRun(fl), ratio: median(f.map((r) => r.rps)) / median(fl.map((r) => r.rps)) };
    }) as [PageFigures, PageFigures];
    const ratio = Math.min(...pages.map((p) => p.ratio));
    let profile: PortalBenchResult['profile'] = null;
    if (o.cpuProf) {
      const file = fs.existsSync(profDir) ? fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')) : undefined;
      if (file) profile = { file: path.join(profDir, file), summary: summarizeProfile(path.join(profDir, file), REPO_ROOT) };
    }
    return {
      pages, ratio, ratioOk: ratio >= TARGET_RATIO, p99Ok: pages.every((p) => p.full.p99 < TARGET_P99_MS),
      pageDiff, bytes, cached: data.cached, profile, dataDir: o.keep ? data.dataDir : null,
    };
  } finally {
    await stopAll();
    if (!o.keep) data.cleanup();
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')).join('\n');
}

/** The printed report; its last line is "portal: ratio 0.NN", which scripts read. */
export function formatReport(r: PortalBenchResult, o: Pick<PortalBenchOptions, 'seed' | 'deep' | 'connections' | 'durationSeconds' | 'warmupSeconds' | 'rounds'>): string {
  const out: string[] = [''];
  out.push(
    `portal: GET ${PAGE_PATH} as a client with ${fmt(o.seed.heavy)} of ${fmt(o.seed.invoices)} invoices (${fmt(o.seed.clients)} clients), ${INVOICE_PAGE_SIZE} a page; ` +
      `the deep page is the keyset cursor ${fmt(o.deep)} rows in; ${o.connections} connections, ${o.durationSeconds} s${o.warmupSeconds ? ` after ${o.warmupSeconds} s warm-up` : ''}` +
      `${o.rounds > 1 ? `, median of ${o.rounds} rounds` : ''}; node ${process.version}, ${os.cpus().length} CPU(s), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  out.push('');
  const rows: string[][] = [['', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'KB/s', 'CPU ms/req', 'ratio']];
  for (const p of r.pages) {
    for (const [name, x] of [
      ['full stack', p.full],
      ['floor', p.floor],
    ] as const) {
      rows.push([`${p.label}, ${name}`, fmt(x.rps, 1), fmt(x.p50), fmt(x.p99), fmt(x.max), fmt(x.requests), fmt(x.throughput / 1024), x.cpuMsPerRequest === null ? '—' : fmt(x.cpuMsPerRequest, 2), name === 'full stack' ? p.ratio.toFixed(2) : '']);
    }
  }
  out.push(table(rows));
  const cpuRatios = r.pages.map((p) => (p.full.cpuMsPerRequest && p.floor.cpuMsPerRequest ? `${p.label} ${(p.floor.cpuMsPerRequest / p.full.cpuMsPerRequest).toFixed(2)}` : null));
  if (cpuRatios.every(Boolean)) out.push('', `server CPU per request, floor ÷ full (steadier than req/s on a shared machine): ${cpuRatios.join(', ')}`);
  out.push('');
  const worst = Math.max(...r.pages.map((p) => p.full.p99));
  out.push(`targets: ratio >= ${TARGET_RATIO} (the worse page): ${r.ratioOk ? 'met' : 'MISSED'}; full-stack p99 < ${TARGET_P99_MS} ms on both pages: ${r.p99Ok ? 'met' : 'MISSED'} (${fmt(worst)} ms)`);
  if (r.pageDiff) out.push(`WARNING: the floor's page is not the full stack's: ${r.pageDiff}`);
  if (r.profile) {
    const s = r.profile.summary;
    out.push('', `cpu profile of the full-stack server: ${r.profile.file}`);
    out.push(`busy ${fmt(s.totalMs - s.idleMs)} ms of ${fmt(s.totalMs)} ms sampled (includes boot and warm-up)`);
    out.push('', 'self time by package / folder:');
    out.push(...s.byPackage.map((p) => `  ${p.pct.toFixed(1).padStart(5)}%  ${p.name}`));
    out.push('', 'self time by function:');
    out.push(...s.byFunction.map((p) => `  ${p.pct.toFixed(1).padStart(5)}%  ${p.name}`));
  }
  if (r.dataDir) out.push('', `data dir kept: ${r.dataDir}`);
  out.push('', `portal: ratio ${r.ratio.toFixed(2)}`);
  return out.join('\n') + '\n';
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      clients: { type: 'string', default: '10000' },
      invoices: { type: 'string', default: '1000000' },
      heavy: { type: 'string', default: '5000' },
      deep: { type: 'string', default: '4000' },
      rounds: { type: 'string', default: '1' },
      fresh: { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
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
  const n = (name: keyof typeof values, min: number) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number of at least ${min}`);
    return v;
  };
  const seed: PortalSeed = { clients: n('clients', 2), invoices: n('invoices', 1), heavy: n('heavy', 1) };
  const deep = n('deep', 1);
  if (seed.heavy > seed.invoices) throw new Error('--heavy cannot exceed --invoices');
  if (deep + INVOICE_PAGE_SIZE + 1 > seed.heavy) throw new Error(`--deep must leave more than a page: at most ${seed.heavy - INVOICE_PAGE_SIZE - 1} for --heavy ${seed.heavy}`);
  const opts: PortalBenchOptions = {
    seed, deep,
    durationSeconds: n('duration', 1), warmupSeconds: n('warmup', 0), connections: n('connections', 1), rounds: n('rounds', 1),
    cpuProf: values['cpu-prof'], keep: values.keep, fresh: values.fresh, cacheDir: values['cache-dir'] ?? DEFAULT_CACHE_DIR,
    log: (s) => process.stderr.write(`${s}\n`),
  };
  const result = await measurePortal(opts);
  process.stdout.write(formatReport(result, opts));
  return values.check && !(result.ratioOk && result.p99Ok) ? 1 : 0;
}

export const portalBench: Bench = {
  description: 'client portal invoice list (first and deep keyset page, 1,000,000 invoices): full stack vs node:http floor',
  run,
};

// `npm run bench -- http`: the hello admin page served by the full stack versus a framework-free floor.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as cheerio from 'cheerio';
import type { Bench } from '../lib/bench.ts';
import { freePort, REPO_ROOT, startChild, type ChildServer } from '../lib/child.ts';
import { assertClean, runLoad, type LoadResult } from '../lib/load.ts';
import { summarizeProfile } from '../lib/cpuprofile.ts';
import { PAGE_SIZE, setupBenchData, writeAdminMenu, signIn, type BenchData } from './setup.ts';

export const PAGE_PATH = '/admin/hello?sort=created&dir=desc';
export const TARGET_RATIO = 0.5;
export const TARGET_P99_MS = 25;

const HELP = `Usage: npm run bench -- http [options]

Loads ${PAGE_PATH} (session, admin layout and menu, a ${PAGE_SIZE}-row table from SQLite)
on the full stack and on a floor server (node:http + the same eta templates + better-sqlite3),
each in its own process, with autocannon; prints req/s, p50 and p99, and "http: ratio 0.NN".

Options:
  --duration <s>      measured seconds per run (default 10)
  --warmup <s>        unmeasured seconds before each run (default 3)
  --connections <n>   concurrent connections (default 32)
  --rows <n>          greetings in the table (default 5000)
  --rounds <n>        alternate full/floor runs n times and report the median (default 1)
  --cpu-prof          profile the full-stack server and print where its time went
  --keep              keep the temp data dir (and profiles) instead of deleting it
  --check             exit 1 when a target is missed (ratio >= ${TARGET_RATIO}, full-stack p99 < ${TARGET_P99_MS} ms)
`;

interface Target {
  label: string;
  server: ChildServer;
  cookie: string;
  runs: LoadResult[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function medianRun(runs: LoadResult[]): LoadResult {
  // The run with the median req/s, so its latencies belong to the same run.
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** GETs the page once and checks it is the page we mean to measure: 200, the admin layout, PAGE_SIZE rows. */
async function fetchAndVerify(label: string, url: string, cookie: string): Promise<string> {
  const res = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`${label}: ${url} answered ${res.status}${res.headers.get('location') ? ` → ${res.headers.get('location')}` : ''}; the session cookie was not accepted or the page failed`);
  const $ = cheerio.load(html);
  const rows = $('#greetings tbody tr').length;
  if (rows !== PAGE_SIZE) throw new Error(`${label}: the page has ${rows} table rows, expected ${PAGE_SIZE}`);
  if ($('nav.side-nav a').length < 3 || !$('.topbar-user').text().includes('Bench Admin')) throw new Error(`${label}: the page lacks the admin layout, menu or signed-in user`);
  return html;
}

/** The two pages should be the same bytes apart from the CSRF token (each server has its own key). */
function comparePages(full: string, floor: string): string | null {
  const normalize = (html: string) => {
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    return token ? html.split(token).join('<csrf>') : html;
  };
  const a = normalize(full);
  const b = normalize(floor);
  if (a === b) return null;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 80), i + 80));
  return `the pages differ at byte ${i} (full stack ${a.length} bytes, floor ${b.length} bytes)\n  full:  ${around(a)}\n  floor: ${around(b)}`;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ')).join('\n');
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '32' },
      rows: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '1' },
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
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const rowCount = Number(values.rows);
  const rounds = Number(values.rounds);
  for (const [k, v] of Object.entries({ duration, warmup, connections, rows: rowCount, rounds })) {
    if (!Number.isFinite(v) || v < (k === 'warmup' ? 0 : 1)) throw new Error(`--${k} must be a positive number`);
  }
  if (rowCount < PAGE_SIZE) throw new Error(`--rows must be at least ${PAGE_SIZE}, so the page shows ${PAGE_SIZE} rows`);

  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`http: preparing ${fmt(rowCount)} greetings in a fresh SQLite database…`);
  const data: BenchData = setupBenchData({ rows: rowCount });
  data.env.BENCH_MENU_FILE = await writeAdminMenu(data);
  const profDir = path.join(data.dataDir, 'cpu-profiles');
  const targets: Target[] = [];
  try {
    const full = await startChild({
      name: 'full-stack server',
      script: 'bench/http/full-server.ts',
      env: { ...data.env, PORT: String(await freePort()) },
      ready: /Trellis is running at (http:\/\/\S+)/,
      nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    });
    targets.push({ label: 'full stack', server: full, cookie: '', runs: [] });
    const floor = await startChild({
      name: 'floor server',
      script: 'bench/http/floor-server.ts',
      env: { ...data.env, PORT: String(await freePort()), BENCH_PAGE_SIZE: String(PAGE_SIZE) },
      ready: /Floor is running at (http:\/\/\S+)/,
    });
    targets.push({ label: 'floor', server: floor, cookie: '', runs: [] });

    // One real sign-in through the login form; the floor reads the same session row.
    const cookie = await signIn(full.url);
    for (const t of targets) t.cookie = cookie;
    const pages = await Promise.all(targets.map((t) => fetchAndVerify(t.label, t.server.url + PAGE_PATH, t.cookie)));
    const diff = comparePages(pages[0]!, pages[1]!);
    if (diff) log(`http: WARNING: ${diff}\n  The floor no longer renders the same page as the full stack; update bench/http/floor-server.ts.`);
    else log(`http: both servers answer 200 with the same ${fmt(pages[0]!.length)}-byte page (${PAGE_SIZE} rows, CSRF token aside).`);

    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        const opts = { url: t.server.url + PAGE_PATH, connections, headers: { cookie: t.cookie } };
        if (warmup > 0) {
          log(`http: ${t.label}: warming up for ${warmup} s…`);
          assertClean(`${t.label} warm-up`, await runLoad({ ...opts, durationSeconds: warmup }));
        }
        log(`http: ${t.label}: measuring for ${duration} s${rounds > 1 ? ` (round ${round} of ${rounds})` : ''}…`);
        const r = await runLoad({ ...opts, durationSeconds: duration });
        assertClean(t.label, r);
        t.runs.push(r);
      }
    }
  } catch (err) {
    await Promise.all(targets.map((t) => t.server.stop()));
    if (!values.keep) data.cleanup();
    throw err;
  }
  await Promise.all(targets.map((t) => t.server.stop()));

  const [fullT, floorT] = targets as [Target, Target];
  const fullR = medianRun(fullT.runs);
  const floorR = medianRun(floorT.runs);
  const ratio = median(fullT.runs.map((r) => r.rps)) / median(floorT.runs.map((r) => r.rps));

  const out: string[] = [];
  out.push('');
  out.push(`http: GET ${PAGE_PATH} as a signed-in admin, ${PAGE_SIZE} of ${fmt(rowCount)} rows, ${connections} connections, ${duration} s${warmup ? ` after ${warmup} s warm-up` : ''}${rounds > 1 ? `, median of ${rounds} rounds` : ''}; node ${process.version}, ${os.cpus().length} CPU(s)`);
  out.push('');
  out.push(
    table([
      ['', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'KB/s'],
      ...[
        ['full stack', fullR],
        ['floor', floorR],
      ].map(([label, r]) => {
        const x = r as LoadResult;
        return [label as string, fmt(x.rps, 1), fmt(x.p50), fmt(x.p99), fmt(x.max), fmt(x.requests), fmt(x.throughput / 1024)];
      }),
    ]),
  );
  out.push('');
  const ratioOk = ratio >= TARGET_RATIO;
  const p99Ok = fullR.p99 < TARGET_P99_MS;
  out.push(`targets: ratio >= ${TARGET_RATIO}: ${ratioOk ? 'met' : 'MISSED'}; full-stack p99 < ${TARGET_P99_MS} ms: ${p99Ok ? 'met' : 'MISSED'} (${fmt(fullR.p99)} ms)`);

  if (values['cpu-prof']) {
    const files = fs.existsSync(profDir) ? fs.readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')) : [];
    if (!files.length) out.push('cpu profile: none was written (did the server exit cleanly?)');
    for (const f of files) {
      const s = summarizeProfile(path.join(profDir, f), REPO_ROOT);
      out.push('', `cpu profile of the full-stack server: ${path.join(profDir, f)}`);
      out.push(`busy ${fmt(s.totalMs - s.idleMs)} ms of ${fmt(s.totalMs)} ms sampled (includes boot and warm-up)`);
      out.push('', 'self time by package / folder:');
      out.push(...s.byPackage.map((p) => `  ${p.pct.toFixed(1).padStart(5)}%  ${p.name}`));
      out.push('', 'self time by function:');
      out.push(...s.byFunction.map((p) => `  ${p.pct.toFixed(1).padStart(5)}%  ${p.name}`));
    }
  }
  if (values.keep) out.push('', `data dir kept: ${data.dataDir}`);
  else data.cleanup();

  // The last line is what scripts read.
  out.push('', `http: ratio ${ratio.toFixed(2)}`);
  process.stdout.write(out.join('\n') + '\n');
  return values.check && !(ratioOk && p99Ok) ? 1 : 0;
}

export const httpBench: Bench = {
  description: 'admin page with session, layout, menu and a 50-row table: full stack vs node:http floor',
  run,
};

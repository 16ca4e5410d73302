// Prepares the panel both portal servers read: the core schema through `trellis migrate` with the client
// portal enabled, then 10,000 clients and 1,000,000 invoices (one client with exactly 5,000 of them,
// signed in for the bench) written with raw better-sqlite3 prepared statements in big transactions.
// Seeding takes a while, so the seeded file is kept in a cache keyed by a hash of the schema (every
// migration), this file and the sizes; each run works on its own copy.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../lib/child.ts';
import { cleanEnv } from '../http/setup.ts';
import { prng } from '../billing/setup.ts';
import { hashPassword } from '../../core/auth/passwords.ts';

/** 64 hex characters: every process of the bench shares the data dir's secrets (sessions, CSRF, cursors). */
export const SECRET_KEY = 'd'.repeat(64);
export const CLIENT = { email: 'heavy@bench.test', password: 'bench password of decent length', name: 'Heavy Client' };
/** The seeded invoices run over six years up to this day. */
export const LAST_DAY = '2026-11-20';
const SPAN_DAYS = 6 * 365;
export const DEFAULT_CACHE_DIR = path.join(os.tmpdir(), 'trellis-bench-portal-cache');

export interface PortalSeed {
  clients: number;
  invoices: number;
  /** Invoices of the signed-in client (the rest are spread over the other clients). */
  heavy: number;
}

export interface PortalBenchData {
  dataDir: string;
  dbFile: string;
  env: NodeJS.ProcessEnv;
  seed: PortalSeed;
  heavyClientId: number;
  /** Whether the seeded database came from the cache. */
  cached: boolean;
  /** Where the cached copy is (null when caching is off). */
  cacheFile: string | null;
  cleanup(): void;
}

export interface PrepareOptions {
  seed: PortalSeed;
  /** Where seeded databases are kept between runs; null: never cache. */
  cacheDir?: string | null;
  /** Seed again even if the cache has this schema and size. */
  fresh?: boolean;
  log?: (line: string) => void;
}

const MIGRATION_DIRS = ['migrations', 'plugins/client-portal/migrations'];

/** What the seeded database depends on: every migration that builds it, this seeding code and the sizes. */
export function schemaHash(seed: PortalSeed): string {
  const h = crypto.createHash('sha256');
  for (const dir of MIGRATION_DIRS) {
    const abs = path.join(REPO_ROOT, dir);
    if (!fs.existsSync(abs)) continue;
    for (const name of fs.readdirSync(abs).sort()) {
      if (!/\.(ts|js)$/.test(name)) continue;
      h.update(`${dir}/${name}\0`).update(fs.readFileSync(path.join(abs, name))).update('\0');
    }
  }
  h.update(fs.readFileSync(new URL(import.meta.url)));
  h.update(JSON.stringify(seed));
  return h.digest('hex').slice(0, 16);
}

function trellisCli(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A data dir with the portal enabled in its plugin.config.ts, and the environment a Trellis process needs for it. */
function dataDirWithPortal(prefix: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const configPath = path.join(dir, 'plugin.config.ts');
  const portalUrl = pathToFileURL(path.join(REPO_ROOT, 'plugins/client-portal/index.ts')).href;
  fs.writeFileSync(configPath, `// Written by bench/portal/setup.ts: the client portal.\nimport clientPortal from ${JSON.stringify(portalUrl)};\nexport default { plugins: [clientPortal()] };\n`);
  const env = cleanEnv({
    TRELLIS_DATA_DIR: dir,
    TRELLIS_CONFIG: configPath,
    TRELLIS_SECRET_KEY: SECRET_KEY,
    TRELLIS_LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
  });
  return { dir, env };
}

/** The seeded database for `seed`: from the cache, or migrated and filled now (and cached). */
export async function preparePortalData(opts: PrepareOptions): Promise<PortalBenchData> {
  const log = opts.log ?? (() => {});
  const cacheDir = opts.cacheDir === undefined ? DEFAULT_CACHE_DIR : opts.cacheDir;
  const { dir: dataDir, env } = dataDirWithPortal('trellis-bench-portal-');
  const dbFile = path.join(dataDir, 'trellis.sqlite');
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  const cacheFile = cacheDir ? path.join(cacheDir, `portal-${schemaHash(opts.seed)}.sqlite`) : null;
  let cached = false;
  try {
    if (cacheFile && !opts.fresh && fs.existsSync(cacheFile)) {
      fs.copyFileSync(cacheFile, dbFile);
      cached = true;
      log(`portal: using the seeded database cached in ${cacheFile} (--fresh seeds it again)`);
    } else {
      const started = performance.now();
      trellisCli(['migrate'], env);
      log(`portal: core schema migrated through \`trellis migrate\` in ${Math.round(performance.now() - started)} ms`);
      const t0 = performance.now();
      await fill(dbFile, opts.seed);
      log(`portal: ${opts.seed.clients.toLocaleString('en-US')} clients and ${opts.seed.invoices.toLocaleString('en-US')} invoices inserted in ${Math.round(performance.now() - t0)} ms`);
      if (cacheFile) storeInCache(dbFile, cacheFile, log);
    }
    const db = new Database(dbFile, { readonly: true });
    const heavy = db.prepare('select client_id from core_users where email = ?').get(CLIENT.email) as { client_id: number } | undefined;
    db.close();
    if (!heavy) throw new Error(`the seeded database has no user ${CLIENT.email}`);
    return { dataDir, dbFile, env, seed: opts.seed, heavyClientId: heavy.client_id, cached, cacheFile, cleanup };
  } catch (err) {
    cleanup();
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`bench setup failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Copies the seeded file into the cache atomically and drops older seeds (other schemas or sizes), which are hundreds of MB each. */
function storeInCache(dbFile: string, cacheFile: string, log: (line: string) => void): void {
  const dir = path.dirname(cacheFile);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  fs.copyFileSync(dbFile, tmp);
  fs.renameSync(tmp, cacheFile);
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    if (full !== cacheFile && /^portal-[0-9a-f]+\.sqlite$/.test(name)) fs.rmSync(full, { force: true });
  }
  log(`portal: seeded database cached in ${cacheFile}`);
}

function dayList(first: string, count: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

const PRICES = [499, 999, 1_499, 1_999, 2_999, 4_999, 11_988, 23_988];

/**
 * Clients: 80 % USD, 20 % EUR. Invoices in the order a panel writes them (by day over six years), so
 * one client's rows are scattered over the table as they would be: the signed-in client gets exactly
 * `heavy` of them at even intervals, the others go to random clients. Prices repeat (ties for the
 * amount sort), several invoices share a day (ties for the date sort). Older than 40 days: mostly paid,
 * some cancelled or refunded, a few in collections; the last 40 days: half unpaid.
 */
async function fill(dbFile: string, seed: PortalSeed): Promise<void> {
  if (seed.heavy > seed.invoices) throw new Error('--heavy cannot exceed --invoices');
  if (seed.clients < 2) throw new Error('--clients must be at least 2');
  const rnd = prng(20261122);
  const passwordHash = await hashPassword(CLIENT.password);
  const db = new Database(dbFile);
  // A throwaway build: no journal, no fsync, a big page cache for the ten indexes of core_invoices.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -1048576');
  db.pragma('temp_store = MEMORY');
  const at = `${LAST_DAY}T09:00:00.000Z`;
  const id = (r: Database.RunResult) => Number(r.lastInsertRowid);
  const days = dayList(new Date(Date.parse(`${LAST_DAY}T00:00:00Z`) - (SPAN_DAYS - 1) * 86_400_000).toISOString().slice(0, 10), SPAN_DAYS + 15);
  const heavyIndex = Math.floor(seed.clients * 0.4242);
  const clients: { id: number; currency: string }[] = [];
  db.transaction(() => {
    db.prepare("insert into core_currencies (code, name, symbol, minor_units, rate_to_base, is_base, active, updated_at) values ('EUR', 'Euro', '€', 2, 1080000, 0, 1, ?)").run(at);
    const client = db.prepare(
      "insert into core_clients (kind, name, company, email, country, currency, language, status, balance, tax_exempt, vat_number, notes, created_at, updated_at) values ('person', ?, '', ?, ?, ?, 'en', 'active', 0, 0, '', null, ?, ?)",
    );
    for (let i = 0; i < seed.clients; i++) {
      const heavy = i === heavyIndex;
      const currency = !heavy && rnd() < 0.2 ? 'EUR' : 'USD';
      const email = heavy ? CLIENT.email : `client${i}@bench.test`;
      clients.push({ id: id(client.run(heavy ? CLIENT.name : `Client ${i}`, email, currency === 'EUR' ? 'DE' : 'US', currency, at, at)), currency });
    }
    db.prepare("insert into core_users (kind, email, name, password_hash, role, client_id, status, created_at, updated_at) values ('client', ?, ?, ?, 'owner', ?, 'active', ?, ?)").run(
      CLIENT.email, CLIENT.name, passwordHash, clients[heavyIndex]!.id, at, at,
    );
  }).immediate();

  const heavy = clients[heavyIndex]!;
  const others = clients.filter((c) => c !== heavy);
  const invoice = db.prepare(
    `insert into core_invoices (number, client_id, kind, status, currency, tax_inclusive, subtotal, discount, tax, total, amount_paid, amount_refunded,
       entered_on, due_on, paid_at, closed_at, reminder_stage, notes, created_at, updated_at)
     values (?, ?, ?, ?, ?, 0, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?)`,
  );
  const CHUNK = 100_000;
  for (let start = 0; start < seed.invoices; start += CHUNK) {
    db.transaction(() => {
      for (let i = start; i < Math.min(seed.invoices, start + CHUNK); i++) {
        const isHeavy = Math.floor(((i + 1) * seed.heavy) / seed.invoices) > Math.floor((i * seed.heavy) / seed.invoices);
        const c = isHeavy ? heavy : others[Math.floor(rnd() * others.length)]!;
        const dayIndex = Math.floor((i * SPAN_DAYS) / seed.invoices);
        const entered = days[dayIndex]!;
        const age = SPAN_DAYS - 1 - dayIndex;
        const total = PRICES[Math.floor(rnd() * PRICES.length)]!;
        const r = rnd();
        const status = age > 40 ? (r < 0.92 ? 'paid' : r < 0.97 ? 'cancelled' : r < 0.99 ? 'refunded' : 'collections') : r < 0.5 ? 'unpaid' : 'paid';
        const settled = status === 'paid' || status === 'refunded';
        const stamp = `${entered}T09:00:00.000Z`;
        invoice.run(
          `INV-${String(i + 1).padStart(7, '0')}`, c.id, rnd() < 0.1 ? 'order' : 'renewal', status, c.currency, total, total,
          settled ? total : 0, status === 'refunded' ? total : 0, entered, days[dayIndex + 14]!,
          settled ? stamp : null, status === 'cancelled' || status === 'refunded' ? stamp : null, stamp, stamp,
        );
      }
    })();
  }
  db.prepare("insert into core_counters (name, value) values ('invoice', ?) on conflict (name) do update set value = excluded.value").run(seed.invoices);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Signs the client in through the real login form; returns the cookie header a browser would send afterwards. */
export async function signInClient(baseUrl: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const sc of res.headers.getSetCookie()) {
      const pair = sc.split(';')[0]!;
      const i = pair.indexOf('=');
      const value = pair.slice(i + 1);
      if (value && !/max-age=0/i.test(sc)) jar.set(pair.slice(0, i), value);
      else jar.delete(pair.slice(0, i));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const form = await fetch(`${baseUrl}/login`, { redirect: 'manual' });
  keep(form);
  const html = await form.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (form.status !== 200 || !csrf) throw new Error(`GET /login answered ${form.status} without a CSRF field`);
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({ _csrf: csrf, email: CLIENT.email, password: CLIENT.password, next: '' }),
  });
  keep(res);
  await res.arrayBuffer();
  if (res.status !== 303 || !jar.has('trellis_session')) throw new Error(`signing in as ${CLIENT.email} answered ${res.status} without a session cookie`);
  return header();
}

/**
 * The client menu exactly as the panel builds it for this client (every portal section's entries), so
 * the floor renders the same page however many sections the portal grows.
 */
export async function writeClientMenu(data: PortalBenchData): Promise<string> {
  const { loadConfig } = await import('../../core/config.ts');
  const { createApp } = await import('../../core/app.ts');
  const { createLogger } = await import('../../core/log.ts');
  const t = await createApp({ config: loadConfig(data.env), log: createLogger({ level: 'silent' }) });
  try {
    const sections = t.services.menu.sections('client', 'owner', (owner) => t.services.plugins.isEnabled(owner));
    const file = path.join(data.dataDir, 'client-menu.json');
    fs.writeFileSync(file, JSON.stringify(sections.map((s) => ({ id: s.id, label: s.label, entries: s.entries.map((e) => ({ label: e.label, href: e.href })) }))));
    return file;
  } finally {
    await t.close();
  }
}

/** The row `offset` rows into the client's list in its default order (newest first): where a deep page starts. */
export function deepCursorRow(data: PortalBenchData, offset: number): { entered_on: string; id: number; number: string } {
  const db = new Database(data.dbFile, { readonly: true });
  try {
    const row = db
      .prepare("select entered_on, id, number from core_invoices where client_id = ? and status <> 'draft' order by entered_on desc, id desc limit 1 offset ?")
      .get(data.heavyClientId, offset) as { entered_on: string; id: number; number: string } | undefined;
    if (!row) throw new Error(`the signed-in client has fewer than ${offset + 1} invoices`);
    return row;
  } finally {
    db.close();
  }
}

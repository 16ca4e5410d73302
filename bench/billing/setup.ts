// Prepares the database the renewal runs read: a temp data dir, the core schema (through the operator's
// CLI), a small catalog and N clients with M active services that are all due for renewal, inserted
// fast with better-sqlite3 prepared statements in one transaction. Each run then gets its own copy.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../lib/child.ts';
import { cleanEnv } from '../http/setup.ts';

/** The moment the renewal runs happen (their clock): every service expires within the lead time. */
export const BENCH_NOW = '2026-03-02T09:00:00.000Z';
/** 64 hex characters, so every process of the bench shares the data dir's secrets. */
export const SECRET_KEY = 'c'.repeat(64);

export interface BillingBenchData {
  dataDir: string;
  /** The migrated and filled database; runs work on copies of it (copyDb). */
  dbFile: string;
  services: number;
  clients: number;
  /** The environment a Trellis process needs to use a copy in `dataDir` (TRELLIS_DATA_DIR is set per copy). */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export interface SetupOptions {
  services: number;
  clients: number;
  /** Share of services that are VDS with priced add-ons (their invoices have 2–3 lines). */
  vdsShare?: number;
  log?: (line: string) => void;
}

/** A tiny deterministic PRNG (mulberry32): the same data on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function trellisCli(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The environment of a Trellis process working on the database in `dir` (a copy). */
export function envFor(data: BillingBenchData, dir: string): NodeJS.ProcessEnv {
  return { ...data.env, TRELLIS_DATA_DIR: dir };
}

/**
 * Copies the prepared database into its own folder (with the data dir's key file, if any), so every
 * run starts from the same bytes and never sees another run's writes.
 */
export function copyDb(data: BillingBenchData, name: string): string {
  const dir = path.join(data.dataDir, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(data.dbFile, path.join(dir, 'trellis.sqlite'));
  return dir;
}

export function setupBillingData(opts: SetupOptions): BillingBenchData {
  const log = opts.log ?? (() => {});
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-billing-'));
  const baseDir = path.join(dataDir, 'base');
  fs.mkdirSync(baseDir);
  const dbFile = path.join(baseDir, 'trellis.sqlite');
  const configPath = path.join(dataDir, 'plugin.config.ts');
  fs.writeFileSync(configPath, '// Written by bench/billing/setup.ts: core only, no plugins.\nexport default { plugins: [] };\n');
  const env = cleanEnv({
    TRELLIS_DATA_DIR: baseDir,
    TRELLIS_CONFIG: configPath,
    TRELLIS_SECRET_KEY: SECRET_KEY,
    TRELLIS_LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  try {
    const started = performance.now();
    trellisCli(['migrate'], env);
    log(`billing: core schema migrated through \`trellis migrate\` in ${Math.round(performance.now() - started)} ms`);
    const t0 = performance.now();
    fill(dbFile, opts);
    log(`billing: ${opts.clients.toLocaleString('en-US')} clients and ${opts.services.toLocaleString('en-US')} active services inserted in ${Math.round(performance.now() - t0)} ms`);
  } catch (err) {
    cleanup();
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`bench setup failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return { dataDir, dbFile, services: opts.services, clients: opts.clients, env, cleanup };
}

/**
 * The catalog: a monthly and a yearly hosting plan and a monthly VDS with two priced add-ons.
 * Clients: 70 % in the US (no tax), 30 % in Germany (19 % VAT), 1 in 20 tax-exempt; each with a
 * primary contact (the renewal run reads the contact's state for regional taxes).
 * Services: `vdsShare` VDS with 1–2 priced add-ons (and one free one), the rest hosting; all active,
 * auto-renewing, expiring 1–10 days after BENCH_NOW, i.e. within the 14-day lead time.
 */
function fill(dbFile: string, opts: SetupOptions): void {
  const rnd = prng(20260302);
  const at = BENCH_NOW;
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = ON');
  const id = (r: Database.RunResult) => Number(r.lastInsertRowid);
  db.transaction(() => {
    db.prepare("insert into core_currencies (code, name, symbol, minor_units, rate_to_base, is_base, active, updated_at) values ('EUR', 'Euro', '€', 2, 1080000, 0, 1, ?)").run(at);
    db.prepare("insert into core_tax_rates (country, region, name, rate_bp, active) values ('DE', '', 'USt', 1900, 1)").run();
    const pkg = db.prepare("insert into core_packages (name, internal_name, item_type, billing_type, description, agreement, active, position, created_at, updated_at) values (?, ?, ?, 'period', '', '', 1, 0, ?, ?)");
    const period = db.prepare('insert into core_package_periods (package_id, kind, length, active, position) values (?, ?, ?, 1, 0)');
    const price = db.prepare('insert into core_package_prices (period_id, currency, price, setup_fee) values (?, ?, ?, 0)');
    const addon = db.prepare(
      "insert into core_addons (package_id, name, internal_name, kind, enumeration_id, min_value, max_value, step, included, unit, default_value, required, active, position) values (?, ?, ?, ?, null, 0, ?, 1, ?, ?, '', 0, 1, ?)",
    );
    const hostingM = id(pkg.run('Hosting Start', 'hosting-start', 'hosting', at, at));
    const hostingMPeriod = id(period.run(hostingM, 'months', 1));
    price.run(hostingMPeriod, 'USD', 499);
    price.run(hostingMPeriod, 'EUR', 459);
    const hostingY = id(pkg.run('Hosting Business', 'hosting-business', 'hosting', at, at));
    const hostingYPeriod = id(period.run(hostingY, 'months', 12));
    price.run(hostingYPeriod, 'USD', 11_988);
    price.run(hostingYPeriod, 'EUR', 10_990);
    const vds = id(pkg.run('VDS M', 'vds-m', 'vds', at, at));
    const vdsPeriod = id(period.run(vds, 'months', 1));
    price.run(vdsPeriod, 'USD', 1_999);
    price.run(vdsPeriod, 'EUR', 1_849);
    const ram = id(addon.run(vds, 'Extra RAM', 'ram', 'number', 16, 2, 'GB', 0));
    const backup = id(addon.run(vds, 'Daily backups', 'backup', 'logic', null, 0, '', 1));
    const monitor = id(addon.run(vds, 'Monitoring', 'monitoring', 'logic', null, 0, '', 2));

    const client = db.prepare(
      "insert into core_clients (kind, name, company, email, country, currency, language, status, balance, tax_exempt, vat_number, notes, created_at, updated_at) values ('person', ?, '', ?, ?, ?, 'en', 'active', 0, ?, '', null, ?, ?)",
    );
    const contact = db.prepare(
      "insert into core_contacts (client_id, is_primary, company, first_name, last_name, email, country, state, email_actions, permissions, created_at, updated_at) values (?, 1, '', ?, ?, ?, ?, ?, '[\"invoices\"]', 'all', ?, ?)",
    );
    const first = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia'];
    const last = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman'];
    const clients: { id: number; currency: string }[] = [];
    for (let i = 0; i < opts.clients; i++) {
      const german = rnd() < 0.3;
      const currency = german ? 'EUR' : 'USD';
      const f = first[i % first.length]!;
      const l = last[Math.floor(i / first.length) % last.length]!;
      const email = `client${i}@bench.test`;
      const cid = id(client.run(`${f} ${l} ${i}`, email, german ? 'DE' : 'US', currency, rnd() < 0.05 ? 1 : 0, at, at));
      contact.run(cid, f, `${l} ${i}`, email, german ? 'DE' : 'US', german ? '' : 'NY', at, at);
      clients.push({ id: cid, currency });
    }

    const service = db.prepare(
      "insert into core_services (client_id, package_id, item_type, label, status, period_id, period_kind, period_length, currency, price, auto_renew, expires_on, params, parent_id, processing_server_id, external_id, suspend_reason, cancel_requested, created_at, activated_at, updated_at) values (?, ?, ?, ?, 'active', ?, 'months', ?, ?, ?, 1, ?, '{}', null, null, null, null, 0, ?, ?, ?)",
    );
    const serviceAddon = db.prepare('insert into core_service_addons (service_id, addon_id, value, price) values (?, ?, ?, ?)');
    const vdsShare = opts.vdsShare ?? 0.2;
    const startDay = Date.parse(BENCH_NOW);
    for (let i = 0; i < opts.services; i++) {
      const c = clients[i % clients.length]!;
      const eur = c.currency === 'EUR';
      const expires = new Date(startDay + (1 + Math.floor(rnd() * 10)) * 86_400_000).toISOString().slice(0, 10);
      const created = new Date(startDay - Math.floor(rnd() * 700) * 86_400_000).toISOString();
      const roll = rnd();
      if (roll < vdsShare) {
        const extraGb = 1 + Math.floor(rnd() * 4); // 3–6 GB, 2 included
        const ramPrice = extraGb * (eur ? 180 : 200);
        const withBackup = rnd() < 0.6;
        const backupPrice = withBackup ? (eur ? 280 : 300) : 0;
        const base = eur ? 1_849 : 1_999;
        const sid = id(service.run(c.id, vds, 'vds', `vds${i}.bench.test`, vdsPeriod, 1, c.currency, base + ramPrice + backupPrice, expires, created, created, created));
        serviceAddon.run(sid, ram, String(2 + extraGb), ramPrice);
        if (withBackup) serviceAddon.run(sid, backup, '1', backupPrice);
        serviceAddon.run(sid, monitor, '0', 0); // free: no line on the invoice
      } else if (roll < vdsShare + (1 - vdsShare) * 0.25) {
        service.run(c.id, hostingY, 'hosting', `site${i}.bench.test`, hostingYPeriod, 12, c.currency, eur ? 10_990 : 11_988, expires, created, created, created);
      } else {
        service.run(c.id, hostingM, 'hosting', `site${i}.bench.test`, hostingMPeriod, 1, c.currency, eur ? 459 : 499, expires, created, created, created);
      }
    }
  }).immediate();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

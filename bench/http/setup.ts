// Prepares the data both servers read: a temp data dir, a migrated SQLite database, an admin, many greetings.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../lib/child.ts';

export const PAGE_SIZE = 50;
export const ADMIN = { email: 'bench@example.test', password: 'bench password of decent length', name: 'Bench Admin' };
/** 64 hex characters: both servers use the same key, so the setup and the full stack agree on secrets. */
export const SECRET_KEY = 'b'.repeat(64);

export interface BenchData {
  dataDir: string;
  dbFile: string;
  configPath: string;
  rows: number;
  /** The environment a Trellis process needs to use this data. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/** The environment of this process without anything that would point Trellis elsewhere. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('TRELLIS_') || key === 'DATABASE_URL') delete env[key];
  return { ...env, ...extra };
}

function trellisCli(args: string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function setupBenchData(opts: { rows: number }): BenchData {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-http-'));
  const dbFile = path.join(dataDir, 'trellis.sqlite');
  const configPath = path.join(dataDir, 'plugin.config.ts');
  // The real hello plugin, configured to show PAGE_SIZE greetings a page.
  const helloUrl = pathToFileURL(path.join(REPO_ROOT, 'plugins/hello/index.ts')).href;
  fs.writeFileSync(
    configPath,
    `// Written by bench/http/setup.ts: the hello plugin with a ${PAGE_SIZE}-row page.\n` +
      `import hello from ${JSON.stringify(helloUrl)};\n` +
      `export default { plugins: [hello({ maxGreetingsShown: ${PAGE_SIZE} })] };\n`,
  );
  const env = cleanEnv({
    TRELLIS_DATA_DIR: dataDir,
    TRELLIS_CONFIG: configPath,
    TRELLIS_SECRET_KEY: SECRET_KEY,
    TRELLIS_LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
  });
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  try {
    // Core and plugin migrations, and the first administrator, through the operator's own CLI.
    trellisCli(['migrate'], env);
    trellisCli(['admin:create', '--email', ADMIN.email, '--password', ADMIN.password, '--name', ADMIN.name], env);

    const db = new Database(dbFile);
    db.pragma('journal_mode = WAL');
    const insert = db.prepare('insert into hello_greetings (name, created_at, created_by) values (?, ?, ?)');
    const admin = db.prepare('select id from core_users where email = ?').get(ADMIN.email) as { id: number };
    const start = Date.now() - opts.rows * 60_000;
    const first = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia'];
    db.transaction(() => {
      for (let i = 0; i < opts.rows; i++) {
        insert.run(`${first[i % first.length]} ${String(i).padStart(5, '0')}`, new Date(start + i * 60_000).toISOString(), admin.id);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  } catch (err) {
    cleanup();
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`bench setup failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return { dataDir, dbFile, configPath, rows: opts.rows, env, cleanup };
}

/** Signs in through the real login form and returns the cookie header a browser would send afterwards. */
export async function signIn(baseUrl: string): Promise<string> {
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
  const form = await fetch(`${baseUrl}/admin/login`, { redirect: 'manual' });
  keep(form);
  const html = await form.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (form.status !== 200 || !csrf) throw new Error(`GET /admin/login answered ${form.status} without a CSRF field`);
  const res = await fetch(`${baseUrl}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({ _csrf: csrf, email: ADMIN.email, password: ADMIN.password, next: '' }),
  });
  keep(res);
  await res.arrayBuffer();
  if (res.status !== 303 || !jar.has('trellis_session')) throw new Error(`signing in answered ${res.status} without a session cookie`);
  return header();
}

/**
 * The admin menu exactly as the panel builds it for an administrator with this data's plugins, so
 * the floor renders the same page however many core areas and plugins add entries.
 */
export async function writeAdminMenu(data: BenchData): Promise<string> {
  const { loadConfig } = await import('../../core/config.ts');
  const { createApp } = await import('../../core/app.ts');
  const { createLogger } = await import('../../core/log.ts');
  const t = await createApp({ config: loadConfig(data.env), log: createLogger({ level: 'silent' }) });
  try {
    const sections = t.services.menu.sections('admin', 'admin', (owner) => t.services.plugins.isEnabled(owner));
    const file = path.join(data.dataDir, 'admin-menu.json');
    fs.writeFileSync(file, JSON.stringify(sections.map((s) => ({ id: s.id, label: s.label, entries: s.entries.map((e) => ({ label: e.label, href: e.href })) }))));
    return file;
  } finally {
    await t.close();
  }
}

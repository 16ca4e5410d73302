// Builds a full Trellis app on a test database and drives it like a browser (cookies, CSRF, forms).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import { createApp, type TrellisApp } from '../../core/app.ts';
import { loadConfig } from '../../core/config.ts';
import { ManualClock } from '../../core/clock.ts';
import { createLogger, type Logger } from '../../core/log.ts';
import type { PluginConfigEntry } from '../../core/plugins/config.ts';
import { hashPassword } from '../../core/auth/passwords.ts';
import { createTestDb, type TestDb } from './db.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_SECRET_KEY = '0'.repeat(63) + '1';

export interface TestApp extends TrellisApp {
  db: TestDb;
  clock: ManualClock;
  logLines: string[];
  agent(): Agent;
  /** Creates a user directly in the store (the fast way; sign-in still goes through the form). */
  createUser(kind: 'staff' | 'client', email: string, opts?: { role?: string; password?: string; clientId?: number }): Promise<number>;
  destroy(): Promise<void>;
}

export async function createTestApp(opts: { plugins?: PluginConfigEntry[]; clock?: ManualClock; env?: Record<string, string>; log?: Logger } = {}): Promise<TestApp> {
  const db = await createTestDb();
  const clock = opts.clock ?? new ManualClock('2026-03-02T09:00:00Z');
  const logLines: string[] = [];
  const log = opts.log ?? createLogger({ level: 'debug', sink: (l) => logLines.push(l) });
  const config = loadConfig({ TRELLIS_DATA_DIR: db.dir, TRELLIS_SECRET_KEY: TEST_SECRET_KEY, TRELLIS_LOG_LEVEL: 'silent', ...opts.env });
  const trellis = await createApp({ config, db: db.db, clock, log, pluginConfig: { plugins: opts.plugins ?? [] }, configDir: REPO_ROOT });
  const t: TestApp = {
    ...trellis,
    db,
    clock,
    logLines,
    agent: () => new Agent(trellis.app.request.bind(trellis.app)),
    async createUser(kind, email, o = {}) {
      return trellis.services.users.create({ kind, email, name: email.split('@')[0], role: o.role ?? (kind === 'staff' ? 'admin' : 'owner'), clientId: o.clientId ?? null, passwordHash: await hashPassword(o.password ?? 'correct horse battery') });
    },
    async destroy() {
      await trellis.close();
      await db.destroy();
    },
  };
  return t;
}

type RequestFn = (input: string, init?: RequestInit) => Response | Promise<Response>;

export interface PageResult {
  res: Response;
  status: number;
  html: string;
  $: cheerio.CheerioAPI;
}

/** A tiny browser: keeps cookies, remembers the last CSRF token it saw, posts forms. */
export class Agent {
  readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly requestFn: RequestFn) {}

  async request(url: string, init: RequestInit = {}): Promise<PageResult> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.requestFn(`http://localhost${url}`, { ...init, headers, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const html = await res.text();
    const $ = cheerio.load(html);
    const token = $('input[name="_csrf"]').first().attr('value') ?? /"X-CSRF-Token": "([^"]+)"/.exec(html)?.[1];
    if (token) this.csrf = token;
    return { res, status: res.status, html, $ };
  }

  get(url: string, headers: Record<string, string> = {}): Promise<PageResult> {
    return this.request(url, { headers });
  }

  /** Posts a urlencoded form with the current CSRF token (pass csrf: null to leave it out). */
  post(url: string, fields: Record<string, string | string[]> = {}, opts: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<PageResult> {
    const body = new URLSearchParams();
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (token !== null) body.set('_csrf', token);
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers } });
  }

  /** Signs in through the real login form. */
  async login(kind: 'staff' | 'client', email: string, password = 'correct horse battery'): Promise<PageResult> {
    const loginUrl = kind === 'staff' ? '/admin/login' : '/login';
    await this.get(loginUrl);
    const res = await this.post(loginUrl, { email, password });
    if (res.status !== 303) throw new Error(`login as ${email} failed with ${res.status}: ${res.$('.flash-error, .field-error').text().trim()}`);
    // The session changed, and with it the CSRF token: load the landing page to pick up the new one.
    await this.get(res.res.headers.get('location')!);
    return res;
  }
}

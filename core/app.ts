// createApp(): builds one panel — database, core services, plugins, routes — ready to serve or to test.
import { stepAsideWhenDisabled } from './plugins/step-aside.ts';
import { CORE_RU } from './i18n/ru.ts';
import { DEFAULT_LANGUAGE, I18n } from './i18n/i18n.ts';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { serveStatic } from '@hono/node-server/serve-static';
import type { TrellisConfig } from './config.ts';
import { OffsetClock, systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './log.ts';
import { openDb, type Db } from './db/knex.ts';
import { CORE_MIGRATIONS, migrateUp } from './db/migrate.ts';
import { createSecretBox, loadMasterKey } from './secrets/crypto.ts';
import { EventBus } from './events/bus.ts';
import { MenuRegistry } from './menu/menu.ts';
import { ViewRenderer } from './views/renderer.ts';
import { Mailer } from './mail/mailer.ts';
import { AuditLog } from './audit/audit.ts';
import { SettingsStore } from './settings/store.ts';
import { UserStore } from './auth/users.ts';
import { SessionStore } from './auth/sessions.ts';
import { LoginThrottle } from './auth/throttle.ts';
import { PluginHost, type MountArea, type PluginReportEntry } from './plugins/host.ts';
import { SlotRegistry } from './plugins/slots.ts';
import { loadPluginConfig, type TrellisPluginConfig } from './plugins/config.ts';
import { JobSystem } from './jobs/index.ts';
import type { AppEnv, AppRouter } from './http/env.ts';
import type { AppServices } from './services.ts';
import { securityHeaders } from './http/security-headers.ts';
import { sessionMiddleware } from './http/session.ts';
import { flashMiddleware } from './http/flash.ts';
import { csrfProtection } from './http/csrf.ts';
import { requireClient, requireStaff } from './http/guards.ts';
import { errorPages } from './http/pages.ts';
import { describeDb } from './db/knex.ts';
import { authRoutes } from './auth/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { clientRoutes } from './client/routes.ts';
import { registerCoreJobs } from './jobs/core-jobs.ts';
import { ProcessingService } from './processing/service.ts';
import { TicketService } from './support/tickets.ts';
import { setupProcessing } from './processing/setup.ts';
import { setupSupport } from './support/setup.ts';
import { createBilling, registerBillingJobs } from './billing/setup.ts';
import { setupPayments } from './billing/payments/setup.ts';
import { setupBillingAdmin } from './billing/admin-routes.ts';
import { registerItemType } from './billing/catalog/item-types.ts';

/** core_settings key of the sandbox clock's offset in milliseconds. */
export const SANDBOX_OFFSET_KEY = 'sandbox.clock_offset_ms';

/** Where payment gateways send their signed server-to-server callbacks: /payments/callback/<gateway>. */
export const PAYMENT_CALLBACK_PREFIX = '/payments/callback/';

export const STATIC_DIR = fileURLToPath(new URL('../static/', import.meta.url));

export interface CreateAppOptions {
  config: TrellisConfig;
  clock?: Clock;
  log?: Logger;
  /** An already open database (tests); otherwise opened from config.databaseUrl. */
  db?: Db;
  /** The plugin list; otherwise read from config.configPath. */
  pluginConfig?: TrellisPluginConfig;
  /** Folder that relative plugin paths resolve against (default: the config file's folder). */
  configDir?: string;
}

export interface TrellisApp {
  app: Hono<AppEnv>;
  services: AppServices;
  plugins: PluginReportEntry[];
  close(): Promise<void>;
}

export async function createApp(opts: CreateAppOptions): Promise<TrellisApp> {
  const { config } = opts;
  const clock = opts.clock ?? (config.sandbox ? new OffsetClock() : systemClock);
  const log = opts.log ?? createLogger({ level: config.logLevel });
  fs.mkdirSync(config.dataDir, { recursive: true });
  const db = opts.db ?? openDb({ url: config.databaseUrl });
  await migrateUp(db, CORE_MIGRATIONS, 'core');

  if (clock instanceof OffsetClock) clock.setOffset((await db('core_settings').where({ key: SANDBOX_OFFSET_KEY }).first('value').then((r: { value: string } | undefined) => (r ? Number(JSON.parse(r.value)) : 0))) || 0);
  const secrets = createSecretBox(loadMasterKey({ envKey: config.secretKey, dataDir: config.dataDir }));
  const events: EventBus = new EventBus(log, (owner): boolean => host.isEnabled(owner));
  const menu = new MenuRegistry();
  const i18n = new I18n();
  i18n.add('ru', CORE_RU);
  const views = new ViewRenderer();
  const mail = new Mailer({ db, clock, log, smtpUrl: config.smtpUrl, from: config.smtpFrom });
  const audit = new AuditLog({ db, clock });
  const settings = new SettingsStore({ db, clock, secrets });
  const jobs: JobSystem = new JobSystem({ db, clock, log, isOwnerEnabled: (owner): boolean => host.isEnabled(owner) });
  const app = new Hono<AppEnv>();

  const slots: SlotRegistry = new SlotRegistry(log, (owner): boolean => host.isEnabled(owner));
  const mount = (area: MountArea, plugin: string, router: AppRouter) => {
    if (area === 'client-home') {
      app.route('/client', stepAsideWhenDisabled(router, plugin, () => host.isEnabled(plugin), errorPages));
      return;
    }
    const gated = new Hono<AppEnv>();
    gated.use('*', async function pluginGate(c, next) {
      if (!host.isEnabled(plugin)) return c.notFound();
      c.set('owner', plugin);
      c.set('log', c.get('log').child({ plugin }));
      await next();
    });
    gated.route('/', router);
    gated.onError((err, c) => {
      if (err instanceof HTTPException) return err.getResponse();
      c.get('log').error('plugin route failed', { plugin, path: c.req.path, err });
      return errorPages.error(c, 500);
    });
    app.route(`${area === 'public' ? '/p' : `/${area}`}/${plugin}`, gated);
  };
  const host: PluginHost = new PluginHost({
    db, clock, log, secrets, mail, audit, settings, events, menu, views, slots, jobs, mount, i18n,
    services: () => services,
    processing: { module: (name) => processing.module(name), registerModule: (m) => processing.registerModule(m) },
    registerItemType: (owner, type) => registerItemType(db, { ...type, owner }),
  });
  const tickets = new TicketService({ db, clock, log, mail, events });
  const processing = new ProcessingService({ db, clock, log, secrets, jobs, audit, events, tickets });
  const base = {
    config, db, clock, log, secrets, events, menu, views, mail, audit, settings, jobs, slots,
    users: new UserStore({ db, clock }),
    // Sign-in security keeps real time even when the sandbox clock is moved (or staff would be signed out).
    sessions: new SessionStore({ db, clock: clock instanceof OffsetClock ? clock.base : clock }),
    throttle: new LoginThrottle({ db, clock: clock instanceof OffsetClock ? clock.base : clock }),
    pages: errorPages,
    plugins: host,
    processing,
    tickets,
    formActionOrigins: new Set<string>(),
    i18n,
  };
  const services: AppServices = { ...base, billing: createBilling(base) };

  app.use('*', async function requestContext(c, next) {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || crypto.randomUUID();
    c.set('app', services);
    c.set('requestId', requestId);
    c.set('owner', 'core');
    c.set('log', log.child({ requestId }));
    c.set('flash', []);
    c.set('t', i18n.translator(DEFAULT_LANGUAGE));
    const started = performance.now();
    await next();
    if (!c.req.path.startsWith('/static/')) {
      c.get('log').info('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10, user: c.get('user')?.id });
    }
  });
  app.use('*', securityHeaders({ https: config.publicUrl.startsWith('https:'), formActionOrigins: () => services.formActionOrigins }));
  app.use('/static/*', serveStatic({ root: STATIC_DIR, rewriteRequestPath: (p) => p.replace(/^\/static/, '') }));
  app.get('/healthz', async (c) => {
    let dbState = 'ok';
    try {
      await db.raw('select 1');
    } catch {
      dbState = 'unavailable';
    }
    const body = { status: dbState === 'ok' ? 'ok' : 'degraded', db: dbState === 'ok' ? describeDb(db) : dbState, plugins: host.report().map((p) => ({ name: p.name, state: p.state, ...(p.code ? { code: p.code } : {}) })) };
    return c.json(body, dbState === 'ok' ? 200 : 503);
  });
  app.use('*', sessionMiddleware());
  app.use('*', flashMiddleware(config.publicUrl));
  // Payment gateways post their signed callbacks from outside; each callback verifies its signature.
  app.use('*', csrfProtection({ exempt: (path) => path.startsWith(PAYMENT_CALLBACK_PREFIX) }));
  app.use('/admin', requireStaff());
  app.use('/admin/*', requireStaff());
  app.use('/client', requireClient());
  app.use('/client/*', requireClient());

  app.route('/', authRoutes());
  app.route('/admin', adminRoutes(menu, { sandbox: config.sandbox }));

  registerCoreJobs(services);
  setupProcessing(services);
  setupSupport(services);
  registerBillingJobs(services);
  setupBillingAdmin(services);
  await setupPayments(app, services);

  const configDir = opts.configDir ?? path.dirname(config.configPath);
  let pluginConfig = opts.pluginConfig;
  if (!pluginConfig) {
    try {
      pluginConfig = await loadPluginConfig(config.configPath);
    } catch (err) {
      // A broken config must not take the panel down: boot with no plugins and say why.
      log.error('plugin config could not be loaded; starting without plugins', { path: config.configPath, err });
      pluginConfig = { plugins: [] };
    }
  }
  const report = await host.load(pluginConfig, configDir);
  // After the plugins: a plugin that owns the client home (the portal) answers first; core's pages are the fallback.
  app.route('/client', clientRoutes(menu, { homeOwner: host.clientHomeOwner() }));
  await jobs.sync();

  app.notFound((c) => errorPages.error(c, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    (c.get('log') ?? log).error('request failed', { path: c.req.path, method: c.req.method, err });
    return errorPages.error(c, 500);
  });

  return {
    app,
    services,
    plugins: report,
    async close() {
      await jobs.stop();
      mail.close();
      if (!opts.db) await db.destroy();
    },
  };
}

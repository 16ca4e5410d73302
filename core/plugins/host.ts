// The plugin host: imports, checks, orders, migrates and registers plugins; one bad plugin never stops boot.
import type { I18n, Language, Messages } from '../i18n/i18n.ts';
import type { AppServices } from '../services.ts';
import semver from 'semver';
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { AppRouter } from '../http/env.ts';
import type { EventBus, EventName } from '../events/bus.ts';
import type { MenuEntry, MenuRegistry } from '../menu/menu.ts';
import type { ViewRenderer } from '../views/renderer.ts';
import type { SettingsStore } from '../settings/store.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { SecretBox } from '../secrets/crypto.ts';
import type { QueueDef, QueueHandle, ScheduledJobDef, EnqueueOptions } from '../jobs/types.ts';
import { listTables } from '../db/knex.ts';
import { migrateDownLastBatch, migrateUp } from '../db/migrate.ts';
import { PLUGIN_API_VERSION, type ConfiguredPlugin, type PluginContext, type SlotRenderer } from './api.ts';
import type { ProcessingModule } from '../processing/types.ts';
import { PluginError, PluginErrorCodes as E, type PluginErrorCode, type PluginPhase } from './errors.ts';
import { importPluginModule, normalizeEntries, type TrellisPluginConfig } from './config.ts';
import type { SlotRegistry } from './slots.ts';

export const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PREFIX_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const RESERVED_NAMES = new Set(['core', 'system', 'login', 'logout', 'setup', 'account', 'static', 'p']);
export const DEFAULT_REGISTER_TIMEOUT_MS = 5000;

export type PluginState = 'enabled' | 'failed';
/** 'client-home' is /client itself: the client area's home, claimed by at most one plugin (the portal). */
export type MountArea = 'admin' | 'client' | 'public' | 'client-home';

export interface PluginReportEntry {
  name: string;
  version: string;
  source: string;
  state: PluginState;
  phase?: PluginPhase;
  code?: PluginErrorCode;
  message?: string;
  dependsOn: string[];
  migrations: string[];
  routes: MountArea[];
  menu: number;
  jobs: string[];
  listeners: number;
  slots: string[];
  loadMs: number;
}

/** What the host needs from the job system; core/jobs' JobSystem provides it. */
export interface JobRegistrar {
  has(fullId: string): boolean;
  validateScheduled(owner: string, def: ScheduledJobDef): void;
  validateQueue(owner: string, def: QueueDef<unknown>): void;
  registerScheduled(owner: string, def: ScheduledJobDef): void;
  defineQueue<P>(owner: string, def: QueueDef<P>): QueueHandle<P>;
}

export interface HostDeps {
  db: Knex;
  clock: Clock;
  log: Logger;
  secrets: SecretBox;
  mail: Mailer;
  audit: AuditLog;
  settings: SettingsStore;
  events: EventBus;
  menu: MenuRegistry;
  views: ViewRenderer;
  slots: SlotRegistry;
  jobs: JobRegistrar;
  /** The processing framework's module registry (modules plugins provide). */
  processing: { module(name: string): ProcessingModule | undefined; registerModule(module: ProcessingModule): void };
  /** Records a kind of service a plugin sells (idempotent; keeps the operator's feature switch). */
  registerItemType(owner: string, type: { id: string; name: string; needsParent?: boolean; position?: number }): Promise<void>;
  /** Catalogs of translations; plugins add theirs. */
  i18n: I18n;
  /** The panel's services, available once the app is assembled (plugins use them after register). */
  services(): AppServices;
  /** Mounts a committed plugin router; the app wraps it with the gate and the plugin's error handler. */
  mount(area: MountArea, plugin: string, router: AppRouter): void;
}

interface Buffer {
  routes: { area: MountArea; router: AppRouter }[];
  menu: MenuEntry[];
  scheduled: ScheduledJobDef[];
  queues: { def: QueueDef<unknown>; bind(real: QueueHandle<unknown>): void }[];
  listeners: { event: EventName; listener: (p: never) => unknown }[];
  slots: { name: string; render: SlotRenderer }[];
  modules: ProcessingModule[];
  itemTypes: { id: string; name: string; needsParent?: boolean; position?: number }[];
  translations: { lang: Language; messages: Messages }[];
}

interface Candidate {
  source: string;
  plugin?: ConfiguredPlugin;
  name: string;
  report: PluginReportEntry;
}

const areaPrefix: Record<Exclude<MountArea, 'client-home'>, string> = { admin: '/admin', client: '/client', public: '/p' };

export function tablePrefixOf(plugin: ConfiguredPlugin): string {
  return plugin.meta.tablePrefix ?? plugin.meta.name.replace(/-/g, '_');
}

export class PluginHost {
  readonly #reports = new Map<string, PluginReportEntry>();
  /** The plugin that mounts /client itself, if any (see MountArea). */
  #clientHomeOwner: string | null = null;

  /** The plugin serving the client home (/client), or null when core's own home serves. */
  clientHomeOwner(): string | null {
    return this.#clientHomeOwner;
  }
  readonly #order: string[] = [];
  readonly #plugins = new Map<string, ConfiguredPlugin>();
  readonly #settings = new Map<string, Record<string, unknown>>();
  /** Plugins switched off at run time; the gate answers 404 for their routes. */
  readonly #runtimeDisabled = new Set<string>();

  constructor(private readonly deps: HostDeps) {}

  /** Loads every enabled plugin in dependency order. Never throws for a plugin's fault. */
  async load(config: TrellisPluginConfig, configDir: string): Promise<PluginReportEntry[]> {
    const candidates: Candidate[] = [];
    for (const pending of normalizeEntries(config)) {
      const started = performance.now();
      const report = this.#newReport(pending.source);
      let plugin: ConfiguredPlugin | undefined;
      try {
        plugin = pending.kind === 'object' ? pending.plugin : await importPluginModule(pending.specifier, pending.options, configDir);
      } catch (err) {
        report.name = pending.source;
        this.#fail(report, new PluginError(pending.source, 'import', E.IMPORT, `Could not import '${pending.source}': ${(err as Error).message}`, { cause: err }));
      }
      report.loadMs = performance.now() - started;
      candidates.push({ source: pending.source, plugin, name: plugin?.meta?.name ?? pending.source, report });
    }

    // Meta checks: shape, name, api range, duplicates (the first of two same-named plugins wins).
    const byName = new Map<string, Candidate>();
    const byPrefix = new Map<string, Candidate>();
    for (const c of candidates) {
      if (c.report.state === 'failed' || !c.plugin) {
        this.#remember(c);
        continue;
      }
      const err = this.#checkMeta(c.plugin, c.source);
      if (err) {
        c.report.name = typeof c.plugin.meta?.name === 'string' && c.plugin.meta.name ? c.plugin.meta.name : c.source;
        this.#fail(c.report, err);
      } else if (byName.has(c.plugin.meta.name)) {
        this.#fail(c.report, new PluginError(c.name, 'meta', E.DUPLICATE, `A plugin named '${c.name}' is already loaded from ${byName.get(c.name)!.source}; this copy from ${c.source} is ignored`));
        c.report.name = `${c.name} (${c.source})`;
      } else if (byPrefix.has(tablePrefixOf(c.plugin))) {
        // Two plugins on one prefix would share a migration ledger and each other's tables.
        const prefix = tablePrefixOf(c.plugin);
        c.report.name = c.name;
        this.#fail(c.report, new PluginError(c.name, 'meta', E.DUPLICATE, `Plugin '${c.name}' uses table prefix '${prefix}', which plugin '${byPrefix.get(prefix)!.name}' already uses; give one of them its own meta.tablePrefix`));
      } else {
        c.report.name = c.name;
        byName.set(c.name, c);
        byPrefix.set(tablePrefixOf(c.plugin), c);
      }
      this.#fillMeta(c);
      this.#remember(c);
    }

    for (const name of this.#dependencyOrder(byName)) {
      const c = byName.get(name)!;
      if (c.report.state === 'failed') continue;
      await this.#activate(c);
    }
    return this.report();
  }

  report(): PluginReportEntry[] {
    return this.#order.map((n) => this.#reports.get(n)!);
  }

  isEnabled(name: string): boolean {
    return name === 'core' || (this.#reports.get(name)?.state === 'enabled' && !this.#runtimeDisabled.has(name));
  }

  setRuntimeEnabled(name: string, enabled: boolean): void {
    if (enabled) this.#runtimeDisabled.delete(name);
    else this.#runtimeDisabled.add(name);
  }

  plugin(name: string): ConfiguredPlugin | undefined {
    return this.#plugins.get(name);
  }

  settingsOf(name: string): Record<string, unknown> | undefined {
    return this.#settings.get(name);
  }

  enabledPlugins(): ConfiguredPlugin[] {
    return [...this.#plugins.values()].filter((p) => this.isEnabled(p.meta.name));
  }

  #newReport(source: string): PluginReportEntry {
    return { name: source, version: '', source, state: 'enabled', dependsOn: [], migrations: [], routes: [], menu: 0, jobs: [], listeners: 0, slots: [], loadMs: 0 };
  }

  #remember(c: Candidate): void {
    let key = c.report.name;
    for (let i = 2; this.#reports.has(key); i++) key = `${c.report.name} #${i}`;
    c.report.name = key;
    this.#reports.set(key, c.report);
    this.#order.push(key);
  }

  #fillMeta(c: Candidate): void {
    const meta = c.plugin?.meta;
    c.report.version = typeof meta?.version === 'string' ? meta.version : '';
    c.report.dependsOn = Array.isArray(meta?.dependsOn) ? [...meta.dependsOn] : [];
  }

  #fail(report: PluginReportEntry, err: PluginError): void {
    report.state = 'failed';
    report.phase = err.phase;
    report.code = err.code;
    report.message = err.message;
    this.deps.log.error('plugin disabled', { plugin: report.name, phase: err.phase, code: err.code, reason: err.message, cause: err.cause });
  }

  #checkMeta(p: ConfiguredPlugin, source: string): PluginError | null {
    const meta = p.meta as Partial<ConfiguredPlugin['meta']> | undefined;
    const label = typeof meta?.name === 'string' && meta.name ? meta.name : source;
    if (!meta || typeof meta !== 'object' || typeof p.register !== 'function') {
      return new PluginError(label, 'meta', E.INVALID, `${source} is not a plugin: it needs meta {name, version, apiVersion} and a register(ctx) function`);
    }
    if (typeof meta.name !== 'string' || !NAME_PATTERN.test(meta.name) || RESERVED_NAMES.has(meta.name)) {
      return new PluginError(label, 'meta', E.NAME, `Plugin name '${String(meta.name)}' must be kebab-case (e.g. 'my-plugin') and not one of: ${[...RESERVED_NAMES].join(', ')}`);
    }
    if (typeof meta.version !== 'string' || !semver.valid(meta.version)) {
      return new PluginError(label, 'meta', E.INVALID, `Plugin '${meta.name}' has version '${String(meta.version)}', which is not a semver version`);
    }
    if (typeof meta.apiVersion !== 'string' || !semver.validRange(meta.apiVersion)) {
      return new PluginError(label, 'meta', E.API_VERSION, `Plugin '${meta.name}' declares apiVersion '${String(meta.apiVersion)}', which is not a semver range`);
    }
    // includePrerelease: a plugin written against '^1.0.0' should also run on a 1.1.0-rc host.
    if (!semver.satisfies(PLUGIN_API_VERSION, meta.apiVersion, { includePrerelease: true })) {
      return new PluginError(label, 'meta', E.API_VERSION, `Plugin '${meta.name}' supports plugin API ${meta.apiVersion}, but this Trellis provides ${PLUGIN_API_VERSION}; install a version of the plugin made for it`);
    }
    const prefix = tablePrefixOf(p as ConfiguredPlugin);
    if (!PREFIX_PATTERN.test(prefix) || prefix === 'core' || prefix.startsWith('knex')) {
      return new PluginError(label, 'meta', E.NAME, `Plugin '${meta.name}' has table prefix '${prefix}'; it must be snake_case and not 'core' or 'knex…'`);
    }
    if (meta.dependsOn !== undefined && (!Array.isArray(meta.dependsOn) || meta.dependsOn.some((d) => typeof d !== 'string'))) {
      return new PluginError(label, 'meta', E.INVALID, `Plugin '${meta.name}': dependsOn must be a list of plugin names`);
    }
    return null;
  }

  /** Topological order; plugins in a cycle or with a missing dependency are failed here. */
  #dependencyOrder(byName: Map<string, Candidate>): string[] {
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, stack: string[]): void => {
      const c = byName.get(name)!;
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(name)), name];
        for (const member of cycle.slice(0, -1)) {
          const m = byName.get(member)!;
          if (m.report.state !== 'failed') {
            this.#fail(m.report, new PluginError(member, 'dependencies', E.DEPENDENCY_CYCLE, `Plugin '${member}' is in a dependency cycle: ${cycle.join(' → ')}`));
          }
        }
        return;
      }
      state.set(name, 'visiting');
      for (const dep of c.plugin!.meta.dependsOn ?? []) {
        if (!byName.has(dep)) {
          if (c.report.state !== 'failed') {
            // Listed, but refused before ordering (api range, name ...): failed, not missing.
            const refused = this.#reports.get(dep);
            this.#fail(
              c.report,
              refused?.state === 'failed'
                ? new PluginError(name, 'dependencies', E.DEPENDENCY_FAILED, `Plugin '${name}' is disabled because plugin '${dep}', which it depends on, failed (${refused.code})`)
                : new PluginError(name, 'dependencies', E.MISSING_DEPENDENCY, `Plugin '${name}' needs plugin '${dep}', which is not enabled in plugin.config.ts`),
            );
          }
          continue;
        }
        visit(dep, [...stack, name]);
      }
      state.set(name, 'done');
      order.push(name);
    };
    for (const name of byName.keys()) visit(name, []);
    return order;
  }

  async #activate(c: Candidate): Promise<void> {
    const plugin = c.plugin!;
    const name = plugin.meta.name;
    const started = performance.now();
    try {
      for (const dep of plugin.meta.dependsOn ?? []) {
        const depReport = this.#reports.get(dep);
        if (depReport?.state !== 'enabled') {
          throw new PluginError(name, 'dependencies', E.DEPENDENCY_FAILED, `Plugin '${name}' is disabled because plugin '${dep}', which it depends on, failed (${depReport?.code ?? 'unknown'})`);
        }
      }
      const settings = await this.#resolveSettings(plugin);
      c.report.migrations = await this.#migrate(plugin);
      const buffer = await this.#register(plugin, settings);
      this.#commit(plugin, buffer, c.report);
      for (const type of buffer.itemTypes) await this.deps.registerItemType(name, type);
      this.#plugins.set(name, plugin);
      this.#settings.set(name, settings);
      this.deps.log.info('plugin enabled', { plugin: name, version: plugin.meta.version });
    } catch (err) {
      this.#fail(
        c.report,
        err instanceof PluginError ? err : new PluginError(name, 'register', E.REGISTER, `Plugin '${name}' failed: ${(err as Error).message}`, { cause: err }),
      );
    } finally {
      c.report.loadMs += performance.now() - started;
    }
  }

  async #resolveSettings(plugin: ConfiguredPlugin): Promise<Record<string, unknown>> {
    const name = plugin.meta.name;
    if (!plugin.settings) return { ...(plugin.options ?? {}) };
    let result;
    try {
      result = await this.deps.settings.resolvePluginSettings(name, plugin.settings as never, plugin.options ?? {});
    } catch (err) {
      throw new PluginError(name, 'settings', E.SETTINGS, `Settings of plugin '${name}' could not be read: ${(err as Error).message}`, { cause: err });
    }
    if (!result.ok) {
      const detail = Object.entries(result.errors).map(([k, v]) => `${k}: ${v}`).join('; ');
      throw new PluginError(name, 'settings', E.SETTINGS, `Settings of plugin '${name}' are invalid (${detail}); fix them in plugin.config.ts or on its settings page`);
    }
    return result.value;
  }

  async #migrate(plugin: ConfiguredPlugin): Promise<string[]> {
    if (!plugin.migrations) return [];
    const name = plugin.meta.name;
    const prefix = tablePrefixOf(plugin);
    const before = new Set(await listTables(this.deps.db));
    let applied: string[];
    try {
      applied = await migrateUp(this.deps.db, plugin.migrations, prefix);
    } catch (err) {
      throw new PluginError(name, 'migrations', E.MIGRATION, `A migration of plugin '${name}' failed: ${(err as Error).message}`, { cause: err });
    }
    const ledger = `knex_migrations__${prefix}`;
    const strays = (await listTables(this.deps.db)).filter(
      (t) => !before.has(t) && !t.startsWith(`${prefix}_`) && t !== ledger && t !== `${ledger}_lock`,
    );
    if (strays.length > 0) {
      try {
        await migrateDownLastBatch(this.deps.db, plugin.migrations, prefix);
      } catch (err) {
        this.deps.log.error('rolling back a plugin that broke the table prefix rule failed', { plugin: name, err });
      }
      throw new PluginError(name, 'migrations', E.TABLE_PREFIX, `Plugin '${name}' created table(s) ${strays.join(', ')} outside its prefix '${prefix}_'; the migrations of this boot were rolled back`);
    }
    return applied;
  }

  async #register(plugin: ConfiguredPlugin, settings: Record<string, unknown>): Promise<Buffer> {
    const name = plugin.meta.name;
    const buffer: Buffer = { routes: [], menu: [], scheduled: [], queues: [], listeners: [], slots: [], modules: [], itemTypes: [], translations: [] };
    let sealed = false;
    // Anything a plugin calls after register settled (a late timer of a timed-out plugin) is dropped.
    const open = () => !sealed;
    const deps = this.deps;
    const log = deps.log.child({ plugin: name });
    const ctx: PluginContext = {
      name,
      settings: Object.freeze({ ...settings }),
      db: deps.db,
      clock: deps.clock,
      log,
      secrets: deps.secrets,
      mail: deps.mail,
      audit: deps.audit,
      view: (path, data = {}) => deps.views.render(`@${name}/${path}`, data),
      routes: {
        admin: (router) => void (open() && buffer.routes.push({ area: 'admin', router })),
        client: (router) => void (open() && buffer.routes.push({ area: 'client', router })),
        public: (router) => void (open() && buffer.routes.push({ area: 'public', router })),
        clientHome: (router) => void (open() && buffer.routes.push({ area: 'client-home', router })),
      },
      menu: {
        // Hrefs are made absolute at commit, when it is known whether the plugin owns the client home.
        add: (entry) => void (open() && buffer.menu.push({ ...entry })),
      },
      jobs: {
        schedule: (def) => void (open() && buffer.scheduled.push(def)),
        define: <P>(def: QueueDef<P>): QueueHandle<P> => {
          let real: QueueHandle<P> | undefined;
          const handle: QueueHandle<P> = {
            id: `${name}.${def.id}`,
            enqueue(payload: P, opts?: EnqueueOptions) {
              if (!real) return Promise.reject(new Error(`Queue '${name}.${def.id}' is not available: plugin '${name}' is not enabled`));
              return real.enqueue(payload, opts);
            },
          };
          if (open()) buffer.queues.push({ def: def as QueueDef<unknown>, bind: (r) => (real = r as QueueHandle<P>) });
          return handle;
        },
      },
      events: {
        on: (event, listener) => void (open() && buffer.listeners.push({ event, listener: listener as (p: never) => unknown })),
        emit: async (event, payload) => {
          await deps.events.emit(event, payload);
        },
      },
      ui: { slot: (slotName, render) => void (open() && buffer.slots.push({ name: slotName, render })) },
      processing: { register: (module) => void (open() && buffer.modules.push(module)) },
      billing: { itemType: (type) => void (open() && buffer.itemTypes.push(type)) },
      i18n: { add: (lang, messages) => void (open() && buffer.translations.push({ lang, messages })) },
      get services() {
        return deps.services();
      },
    };

    const timeoutMs = plugin.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new PluginError(name, 'register', E.REGISTER_TIMEOUT, `Plugin '${name}' did not finish register() within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([Promise.resolve().then(() => plugin.register(ctx)), timeout]);
    } catch (err) {
      if (err instanceof PluginError) throw err;
      throw new PluginError(name, 'register', E.REGISTER, `register() of plugin '${name}' threw: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      sealed = true;
      clearTimeout(timer);
    }
    return buffer;
  }

  /** Applies a buffer all at once; conflicts are checked first so a refused plugin leaves nothing. */
  #commit(plugin: ConfiguredPlugin, b: Buffer, report: PluginReportEntry): void {
    const name = plugin.meta.name;
    const jobIds = [...b.scheduled.map((j) => `${name}.${j.id}`), ...b.queues.map((q) => `${name}.${q.def.id}`)];
    const dup = jobIds.find((id, i) => jobIds.indexOf(id) !== i || this.deps.jobs.has(id));
    if (dup) throw new PluginError(name, 'commit', E.CONFLICT, `Plugin '${name}' registers job '${dup}' twice`);
    const menuIds = b.menu.map((m) => `${m.area}:${m.id}`);
    const dupMenu = menuIds.find((id, i) => menuIds.indexOf(id) !== i);
    if (dupMenu) throw new PluginError(name, 'commit', E.CONFLICT, `Plugin '${name}' adds menu entry '${dupMenu}' twice`);
    const areas = b.routes.map((r) => r.area);
    const dupArea = areas.find((a, i) => areas.indexOf(a) !== i);
    if (dupArea) throw new PluginError(name, 'commit', E.CONFLICT, `Plugin '${name}' mounts two ${dupArea} routers; combine them into one`);
    // The job system cannot take a job back once registered: check them all before applying anything.
    try {
      for (const j of b.scheduled) this.deps.jobs.validateScheduled(name, j);
      for (const q of b.queues) this.deps.jobs.validateQueue(name, q.def);
    } catch (err) {
      throw new PluginError(name, 'commit', E.REGISTER, `Plugin '${name}' registers an invalid job: ${(err as Error).message}`, { cause: err });
    }
    const moduleNames = b.modules.map((m) => m?.name);
    const badModule = b.modules.find((m, i) => !m || typeof m.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(m.name) || moduleNames.indexOf(m.name) !== i || this.deps.processing.module(m.name));
    if (b.modules.length && badModule !== undefined) {
      throw new PluginError(name, 'commit', E.CONFLICT, `Plugin '${name}' registers processing module '${String(badModule?.name)}', which is invalid or already registered`);
    }
    const badType = b.itemTypes.find((t) => !t || !/^[a-z][a-z0-9_-]*$/.test(t.id) || !t.name);
    if (badType !== undefined) throw new PluginError(name, 'commit', E.REGISTER, `Plugin '${name}' registers an invalid item type '${String(badType?.id)}' (lower-case id and a name)`);
    try {
      if (plugin.views) this.deps.views.loadNamespace(name, plugin.views);
    } catch (err) {
      throw new PluginError(name, 'commit', E.REGISTER, `Views of plugin '${name}' do not compile: ${(err as Error).message}`, { cause: err });
    }

    const ownsHome = areas.includes('client-home');
    if (ownsHome && this.#clientHomeOwner) {
      throw new PluginError(name, 'commit', E.CONFLICT, `Plugin '${name}' mounts the client home, which plugin '${this.#clientHomeOwner}' already has`);
    }
    if (ownsHome) this.#clientHomeOwner = name;
    for (const r of b.routes) this.deps.mount(r.area, name, r.router);
    for (const m of b.menu) {
      // The client-home plugin's client entries are relative to /client itself.
      const base = m.area === 'client' && ownsHome ? '/client' : `${areaPrefix[m.area]}/${name}`;
      const href = m.href === '/' || m.href === '' ? base : `${base}${m.href.startsWith('/') ? '' : '/'}${m.href}`;
      this.deps.menu.add({ ...m, href }, name);
    }
    for (const j of b.scheduled) this.deps.jobs.registerScheduled(name, j);
    for (const q of b.queues) q.bind(this.deps.jobs.defineQueue(name, q.def));
    for (const l of b.listeners) this.deps.events.on(l.event, l.listener as never, name);
    for (const s of b.slots) this.deps.slots.add(s.name, name, s.render);
    for (const m of b.modules) this.deps.processing.registerModule(m);
    for (const tr of b.translations) this.deps.i18n.add(tr.lang, tr.messages);

    report.routes = areas;
    report.menu = b.menu.length;
    report.jobs = jobIds;
    report.listeners = b.listeners.length;
    report.slots = b.slots.map((s) => s.name);
  }
}

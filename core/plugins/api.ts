// The public plugin contract: everything a plugin imports from Trellis core comes from this module.
import { Hono } from 'hono';
import type { z } from 'zod';
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { AppEnv, AppRouter } from '../http/env.ts';
import type { MenuEntry } from '../menu/menu.ts';
import type { EventName, Listener, TrellisEvents } from '../events/bus.ts';
import type { ScheduledJobDef, QueueDef, QueueHandle, JobContext, JobSchedule } from '../jobs/types.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { SecretBox } from '../secrets/crypto.ts';
import type { ProcessingModule } from '../processing/types.ts';
import type { Language, Messages } from '../i18n/i18n.ts';
import type { AppServices } from '../services.ts';
export type { ProcessingModule, ModuleContext, ServiceInfo, ServerInfo, ServerConfig, OperationOutcome, OperationKind, ManualField } from '../processing/types.ts';
export { ProcessingError } from '../processing/types.ts';
/** Since 1.2.0. The page toolkit core's own pages use: render with a layout, forms with field errors, flash messages, tables. */
export { renderView, type RenderOptions } from '../http/render.ts';
export { validateForm, readFormValues, type FormValues, type FormResult } from '../http/forms.ts';
export { flash } from '../http/flash.ts';
export { buildTable, type TableColumn, type TableModel, type TableSpec } from '../http/table.ts';
export { contextKey, pluralKey } from '../i18n/i18n.ts';
/** Since 1.2.0. The client's view of billing (portal pages): reads and changes scoped by the client id. */
export * as clientArea from '../billing/client-area/index.ts';
/** Since 1.2.0. The ISPsystem API client (BILLmanager, ISPmanager, DSmanager, license billing): core/upstream/ispsystem. */
export * as ispsystem from '../upstream/ispsystem/index.ts';
/** Since 1.2.0. The base of ISPsystem simulators plugins ship for tests and demos (a loopback server). */
export * as ispsystemSimulator from '../upstream/ispsystem/simulator/index.ts';

/**
 * Version of this contract. A plugin declares the semver range it supports in `meta.apiVersion`;
 * the host refuses a plugin whose range does not include this version.
 * Minor: additions only. Major: something a plugin could rely on changed.
 */
export const PLUGIN_API_VERSION = '1.2.0';

export type { Language, Messages, Translate, Vars } from '../i18n/i18n.ts';
export type { AppServices } from '../services.ts';
export type { AppEnv, AppRouter, MenuEntry, ScheduledJobDef, QueueDef, QueueHandle, JobContext, JobSchedule, TrellisEvents, Knex, Clock, Logger };

export interface PluginMeta {
  /** kebab-case; drives the route prefix, table prefix, view namespace, settings key and job ids. */
  name: string;
  version: string;
  /** semver range of PLUGIN_API_VERSION this plugin works with, e.g. '^1.0.0'. */
  apiVersion: string;
  /** Prefix of every table the plugin creates (without the trailing '_'); default: name with '-' → '_'. */
  tablePrefix?: string;
  /** Names of plugins that must be enabled and registered first. */
  dependsOn?: string[];
  description?: string;
}

export interface PluginSettingsDef<S extends Record<string, unknown> = Record<string, unknown>> {
  schema: z.ZodType<S>;
  defaults?: Partial<S>;
  /** Field names stored encrypted and never echoed back to a form. */
  secret?: (keyof S & string)[];
  /** Labels and hints for the generated settings page. */
  labels?: Partial<Record<keyof S & string, { label: string; hint?: string }>>;
}

/** A menu entry as a plugin gives it: href relative to the plugin's mount ('/servers'). */
export type PluginMenuEntry = Omit<MenuEntry, 'href'> & { href: string };

/** Renders a piece of HTML into a named place of a core page (e.g. 'client.service.detail'). */
export type SlotRenderer = (data: Record<string, unknown>) => string | Promise<string>;

export interface PluginContext<S extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  /** Validated settings: defaults ← options in plugin.config.ts ← values saved in the admin UI. */
  readonly settings: Readonly<S>;
  readonly db: Knex;
  readonly clock: Clock;
  readonly log: Logger;
  readonly secrets: SecretBox;
  readonly mail: Mailer;
  readonly audit: AuditLog;
  /** Renders one of this plugin's views ('admin/servers' → '@<name>/admin/servers') to a string. */
  view(path: string, data?: Record<string, unknown>): string;
  routes: {
    /** Mounted at /admin/<name>; staff only. */
    admin(app: AppRouter): void;
    /** Mounted at /client/<name>; signed-in clients only. */
    client(app: AppRouter): void;
    /** Mounted at /p/<name>; no sign-in (callbacks, public pages). CSRF still applies to state changes. */
    public(app: AppRouter): void;
    /**
     * Since 1.2.0. Mounted at /client itself: the client area's home (the client portal). One plugin
     * at most; its client menu entries are relative to /client. Switched off at run time, its routes
     * step aside and core's minimal client home serves again.
     */
    clientHome(app: AppRouter): void;
  };
  menu: { add(entry: PluginMenuEntry): void };
  jobs: {
    schedule(def: ScheduledJobDef): void;
    define<P>(def: QueueDef<P>): QueueHandle<P>;
  };
  events: {
    on<E extends EventName>(event: E, listener: Listener<E>): void;
    emit<E extends EventName>(event: E, payload: TrellisEvents[E]): Promise<void>;
  };
  ui: { slot(name: string, render: SlotRenderer): void };
  /** Since 1.1.0. Processing modules this plugin provides (how its services reach the upstream). */
  processing: { register(module: ProcessingModule): void };
  /** Since 1.1.0. Kinds of service this plugin sells (an item type with its feature switch). */
  billing: { itemType(type: { id: string; name: string; needsParent?: boolean; position?: number }): void };
  /** Since 1.2.0. Translations of this plugin's texts (English text is the key; see core/i18n). */
  i18n: { add(lang: Language, messages: Messages): void };
  /**
   * Since 1.2.0. The panel's services (billing, processing, tickets, settings, jobs, ...): the same
   * object routes get as `c.get('app')`, for jobs and listeners that run outside a request.
   */
  readonly services: AppServices;
}

export interface PluginDefinition<S extends Record<string, unknown> = Record<string, unknown>> {
  meta: PluginMeta;
  settings?: PluginSettingsDef<S>;
  /** Folder of `<YYYYMMDDHHMMSS>_<what>.ts` migrations, run with the plugin's own ledger. */
  migrations?: URL | string;
  /** Folder of eta views, addressable as '@<name>/<path>'. */
  views?: URL | string;
  /** Milliseconds register() may take before the plugin is disabled (default 5000). */
  registerTimeoutMs?: number;
  register(ctx: PluginContext<S>): void | Promise<void>;
}

/** A plugin as listed in plugin.config.ts: with the options the operator gave it. */
export interface ConfiguredPlugin<S extends Record<string, unknown> = Record<string, unknown>> extends PluginDefinition<S> {
  options?: Partial<S>;
}

/**
 * Declares a plugin. An identity function that exists for its types.
 * @example
 * export default definePlugin({
 *   meta: { name: 'hello', version: '1.0.0', apiVersion: '^1.0.0' },
 *   register(ctx) { ctx.menu.add({ area: 'admin', section: 'services', id: 'hello', label: 'Hello', href: '/' }) },
 * })
 */
export function definePlugin<S extends Record<string, unknown> = Record<string, unknown>>(def: PluginDefinition<S>): PluginDefinition<S> {
  return def;
}

/** A new router for a plugin's routes, typed with the request variables core provides. */
export function createRouter(): AppRouter {
  return new Hono<AppEnv>();
}

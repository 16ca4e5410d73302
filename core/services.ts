// The singletons one panel process holds, handed to routes as c.var.app and to plugins through ctx.
import type { Knex } from 'knex';
import type { Context } from 'hono';
import type { TrellisConfig } from './config.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';
import type { SecretBox } from './secrets/crypto.ts';
import type { EventBus } from './events/bus.ts';
import type { MenuRegistry } from './menu/menu.ts';
import type { ViewRenderer } from './views/renderer.ts';
import type { Mailer } from './mail/mailer.ts';
import type { AuditLog } from './audit/audit.ts';
import type { SettingsStore } from './settings/store.ts';
import type { UserStore } from './auth/users.ts';
import type { SessionStore } from './auth/sessions.ts';
import type { LoginThrottle } from './auth/throttle.ts';
import type { PluginHost } from './plugins/host.ts';
import type { SlotRegistry } from './plugins/slots.ts';
import type { JobSystem } from './jobs/index.ts';
import type { AppEnv } from './http/env.ts';
import type { ProcessingService } from './processing/service.ts';
import type { TicketService } from './support/tickets.ts';
import type { BillingService } from './billing/billing-service.ts';
import type { I18n } from './i18n/i18n.ts';

export interface ErrorPages {
  error(c: Context<AppEnv>, status: 400 | 403 | 404 | 409 | 429 | 500 | 503, message?: string): Response;
}

export interface AppServices {
  config: TrellisConfig;
  db: Knex;
  clock: Clock;
  log: Logger;
  secrets: SecretBox;
  events: EventBus;
  menu: MenuRegistry;
  views: ViewRenderer;
  mail: Mailer;
  audit: AuditLog;
  settings: SettingsStore;
  users: UserStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  plugins: PluginHost;
  slots: SlotRegistry;
  jobs: JobSystem;
  pages: ErrorPages;
  processing: ProcessingService;
  tickets: TicketService;
  billing: BillingService;
  /** Translation catalogs of core and the plugins (English text is the key). */
  i18n: I18n;
  /** Origins forms may post or redirect to (payment gateways' hosted pages), added to the CSP. */
  formActionOrigins: Set<string>;
}

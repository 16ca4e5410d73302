// The processing-module contract (ARCHITECTURE §5): how a service reaches the system that provides it.
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';

export type OperationKind = 'open' | 'suspend' | 'resume' | 'close' | 'prolong' | 'set_param' | 'sync';
export type OperationStatus = 'pending' | 'running' | 'done' | 'failed' | 'manual';

export const OPERATION_KINDS: readonly OperationKind[] = ['open', 'suspend', 'resume', 'close', 'prolong', 'set_param', 'sync'];
export const OPERATION_STATUSES: readonly OperationStatus[] = ['pending', 'running', 'done', 'failed', 'manual'];

/** The words the admin pages use for each operation. */
export const OPERATION_LABELS: Record<OperationKind, string> = {
  open: 'Set up',
  suspend: 'Suspend',
  resume: 'Resume',
  close: 'Delete',
  prolong: 'Prolong',
  set_param: 'Change parameters',
  sync: 'Synchronise',
};

/** What a module can do besides operations. */
export type ModuleFeature = OperationKind | 'check_connection' | 'server_config' | 'balance' | 'login_url';

/** A processing server as a module sees it: credentials decrypted, configuration parsed. */
export interface ServerInfo {
  id: number;
  name: string;
  url: string;
  username: string;
  password: string;
  config: ServerConfig;
}

export interface ServerConfig {
  /** Presets offered by the server ("Preset HPCorei5"); packages use one as their internal name. */
  presets?: { internalName: string; name: string }[];
  /** Lists the server knows (OS images, ...), by internal name. */
  enumerations?: Record<string, { internalName: string; name: string }[]>;
  [key: string]: unknown;
}

/** The service as a module sees it. */
export interface ServiceInfo {
  id: number;
  clientId: number;
  packageInternalName: string;
  itemType: string;
  label: string;
  status: string;
  periodKind: string;
  periodLength: number;
  expiresOn: string | null;
  externalId: string | null;
  params: Record<string, unknown>;
  addons: Record<string, string>;
}

export interface ModuleContext {
  server: ServerInfo;
  clock: Clock;
  log: Logger;
  /** Aborted when the operation times out or the process stops. */
  signal: AbortSignal;
  /**
   * The queued operation being run (absent for checkConnection / getServerConfig). A call can be
   * repeated: after a timeout, or when the process died mid-call and the lease expired. Modules
   * must be idempotent; `id` is stable across attempts and makes a good idempotency key for the
   * upstream (BILLmanager's `remoteid`, an order reference).
   */
  operation?: { id: number; kind: OperationKind; attempt: number; payload: Record<string, unknown> };
}

/** What a successful call changes on the service. */
export interface OperationOutcome {
  externalId?: string;
  params?: Record<string, unknown>;
  expiresOn?: string;
  message?: string;
}

/**
 * Throw this to say what kind of failure it was: 'temporary' (timeout, "try later": retried with
 * backoff), 'permanent' (rejected: no retry), 'auth' (credentials wrong: no retry, a person must act).
 */
export class ProcessingError extends Error {
  constructor(
    readonly kind: 'temporary' | 'permanent' | 'auth',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProcessingError';
  }
}

/** A field staff fill in when completing a manual operation (e.g. the DSmanager id of a colocated server). */
export interface ManualField {
  name: string;
  label: string;
  required?: boolean;
  hint?: string;
  /** 'externalId' stores the value as the service's external id; 'param' stores it in params. */
  target: 'externalId' | 'param';
}

/**
 * A processing module: how services of some item types reach the system that provides them.
 * Register it with `processing.registerModule(module)`; operators then create processing servers
 * that use it. Every method runs inside a queued operation with a timeout and retries, never
 * inside a web request (except checkConnection / getServerConfig, which staff press for).
 *
 * Idempotency: a call may run more than once (a retry after a timeout, or again after the panel
 * died mid-call). Make `open` find what an earlier attempt created (by `ctx.operation.id` or the
 * service id sent as the upstream's remote id) instead of creating a second one.
 *
 * @example
 * processing.registerModule({
 *   name: 'dsmanager-dedicated', title: 'DSmanager (dedicated servers)', itemTypes: ['dedicated'],
 *   features: ['check_connection', 'server_config', 'open', 'suspend', 'resume', 'close'],
 *   requiresPreset: true,
 *   async open(ctx, service) {
 *     const id = await client(ctx.server).allocate(service.packageInternalName, { remoteId: service.id, signal: ctx.signal });
 *     return { externalId: String(id) };
 *   },
 *   // ...
 * });
 */
export interface ProcessingModule {
  /** Unique, kebab-case ('manual', 'billmanager'). */
  name: string;
  title: string;
  /** Item types this module can provide; absent means any. */
  itemTypes?: string[];
  features: ModuleFeature[];
  /** Packages on a server of this module must use an internal name that is one of the server's presets. */
  requiresPreset?: boolean;
  /** Operations that always wait for a person (colocation setup: seed 002). */
  manualOps?: OperationKind[];
  /** What staff enter when they complete a manual operation of each kind. */
  manualFields?: Partial<Record<OperationKind, ManualField[]>>;
  /** How long one call may take before it is aborted and retried (default 60 s). */
  timeoutMs?: number;

  checkConnection?(ctx: ModuleContext): Promise<{ ok: boolean; message: string }>;
  getServerConfig?(ctx: ModuleContext): Promise<ServerConfig>;
  open?(ctx: ModuleContext, service: ServiceInfo): Promise<OperationOutcome>;
  suspend?(ctx: ModuleContext, service: ServiceInfo): Promise<OperationOutcome>;
  resume?(ctx: ModuleContext, service: ServiceInfo): Promise<OperationOutcome>;
  close?(ctx: ModuleContext, service: ServiceInfo): Promise<OperationOutcome>;
  prolong?(ctx: ModuleContext, service: ServiceInfo, input: { periodKind: string; periodLength: number }): Promise<OperationOutcome>;
  setParam?(ctx: ModuleContext, service: ServiceInfo, changes: Record<string, unknown>): Promise<OperationOutcome>;
  sync?(ctx: ModuleContext, service: ServiceInfo): Promise<OperationOutcome & { status?: 'active' | 'suspended' | 'closed' }>;
  /** The money left on the upstream account (registrars, resold billing). */
  balance?(ctx: ModuleContext): Promise<{ amount: number; currency: string }>;
  /** A one-time link that signs the client in to the service's control panel. */
  loginUrl?(ctx: ModuleContext, service: ServiceInfo): Promise<string>;
}

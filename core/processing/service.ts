// ProcessingService: the module registry, calls to processing servers, and the operations queue and its runner.
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { SecretBox } from '../secrets/crypto.ts';
import type { JobSystem } from '../jobs/index.ts';
import { backoffMs } from '../jobs/index.ts';
import type { AuditLog } from '../audit/audit.ts';
import type { EventBus, TrellisEvents } from '../events/bus.ts';
import type { TicketService } from '../support/tickets.ts';
import { iso } from '../db/time.ts';
import { dbEngine } from '../db/knex.ts';
import { canTransition, isServiceStatus, SUSPENDED, type ServiceStatus } from '../billing/services/status.ts';
import { transitionService, type Actor } from '../billing/services/transition.ts';
import { isDay, periodEnd, type PeriodKind } from '../billing/services/periods.ts';
import {
  OPERATION_KINDS,
  OPERATION_LABELS,
  ProcessingError,
  type ManualField,
  type ModuleContext,
  type OperationKind,
  type OperationOutcome,
  type ProcessingModule,
  type ServerConfig,
  type ServerInfo,
  type ServiceInfo,
} from './types.ts';
import {
  chooseServer,
  getServer,
  recordCheck,
  recordConfig,
  sealedPassword,
  serverPresets,
  validatePackageInternalName,
  type ModuleLookup,
  type ProcessingServer,
} from './servers.ts';
import {
  OPERATIONS,
  activeOperationQuery,
  claimOperation,
  dueOperationsQuery,
  getOperation,
  getOperationView,
  parseJson,
  staleOperationsQuery,
  type OperationRow,
} from './operations.ts';
import { loadServiceInfo } from './service-info.ts';
import { openDeep } from './sealed-values.ts';
import { manualModule } from './modules/manual.ts';

export interface ProcessingDeps {
  db: Knex;
  clock: Clock;
  log: Logger;
  secrets: SecretBox;
  jobs: JobSystem;
  audit: AuditLog;
  events: EventBus;
  tickets: TicketService;
}

/** How long one module call may take unless the module says otherwise. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
/** Check connection / fetch configuration run while staff wait for the page. */
export const INTERACTIVE_TIMEOUT_MS = 20_000;
/** After a temporary failure n: 30 s × 2^(n−1), at most an hour. */
export const OPERATION_BACKOFF = { baseMs: 30_000, maxMs: 60 * 60_000 };
/** Added to a call's timeout for its lease, so a slow finish is not taken for a dead runner. */
const LEASE_GRACE_MS = 60_000;
/** How long an operation waits when its server's module is not registered (plugin off). */
const MODULE_MISSING_DELAY_MS = 5 * 60_000;
const CLAIM_BATCH = 20;
const CONCURRENCY = 4;
const MAX_ERROR_CHARS = 2000;
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const SYSTEM: Actor = { type: 'system', label: 'processing' };

export interface EnqueueInput {
  serviceId: number;
  op: OperationKind;
  /**
   * open: —; suspend: { status?: 'suspended_staff' | 'suspended_nonpayment' | 'suspended_client', reason? };
   * prolong: { expiresOn?: 'YYYY-MM-DD' }; set_param: { changes: { … } }.
   */
  payload?: Record<string, unknown>;
  /** Default: the service's processing server (and the service gets this one if it has none). */
  serverId?: number | null;
  maxAttempts?: number;
  /** Who asked, for the service history when queuing an open moves the service to in_progress. */
  actor?: Actor;
}

export interface RunSummary {
  claimed: number;
  done: number;
  failed: number;
  retried: number;
  manual: number;
  /** Put back without using an attempt: the module is missing, or the runner was stopping. */
  waiting: number;
}

/** Staff who act on an operation, for the audit log and completed_by. */
export interface StaffActor {
  id: number;
  label: string;
  ip?: string | null;
}

/** The operation is not in a state that allows the action (someone else got there first). */
export class OperationStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperationStateError';
  }
}

class InterruptedError extends Error {
  constructor() {
    super('Interrupted: the panel was stopping; the operation will run again.');
    this.name = 'InterruptedError';
  }
}

type Settlement =
  | { kind: 'done'; outcome: OperationOutcome; message?: string }
  | { kind: 'manual'; reason: string }
  | { kind: 'retry'; error: string; delayMs: number }
  | { kind: 'failed'; error: string }
  | { kind: 'release'; reason: string; delayMs: number };

function describe(err: unknown): string {
  const msg = err instanceof Error ? err.message || err.name : String(err);
  return msg.length > MAX_ERROR_CHARS ? msg.slice(0, MAX_ERROR_CHARS) + '…' : msg;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Runs `fn` with a signal that aborts after `timeoutMs` or when `outer` aborts, and stops waiting
 * at that moment even if `fn` ignores its signal (its late result is dropped).
 */
async function callWithTimeout<T>(fn: (signal: AbortSignal) => Promise<T>, opts: { timeoutMs: number; timeoutMessage: string; outer?: AbortSignal }): Promise<T> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new ProcessingError('temporary', opts.timeoutMessage)), opts.timeoutMs);
  timer.unref();
  const onOuter = () => ac.abort(new InterruptedError());
  if (opts.outer?.aborted) onOuter();
  else opts.outer?.addEventListener('abort', onOuter, { once: true });
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(ac.signal.reason);
    if (ac.signal.aborted) onAbort();
    else ac.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const work = Promise.resolve().then(() => fn(ac.signal));
    work.catch(() => undefined);
    return await Promise.race([work, aborted]);
  } finally {
    clearTimeout(timer);
    opts.outer?.removeEventListener('abort', onOuter);
    ac.signal.removeEventListener('abort', onAbort);
  }
}

function methodFor(module: ProcessingModule, op: OperationKind): boolean {
  switch (op) {
    case 'open':
      return typeof module.open === 'function';
    case 'suspend':
      return typeof module.suspend === 'function';
    case 'resume':
      return typeof module.resume === 'function';
    case 'close':
      return typeof module.close === 'function';
    case 'prolong':
      return typeof module.prolong === 'function';
    case 'set_param':
      return typeof module.setParam === 'function';
    case 'sync':
      return typeof module.sync === 'function';
  }
}

async function invoke(module: ProcessingModule, op: OperationKind, ctx: ModuleContext, service: ServiceInfo, payload: Record<string, unknown>): Promise<OperationOutcome> {
  switch (op) {
    case 'open':
      return (await module.open!(ctx, service)) ?? {};
    case 'suspend':
      return (await module.suspend!(ctx, service)) ?? {};
    case 'resume':
      return (await module.resume!(ctx, service)) ?? {};
    case 'close':
      return (await module.close!(ctx, service)) ?? {};
    case 'prolong':
      return (await module.prolong!(ctx, service, { periodKind: service.periodKind, periodLength: service.periodLength })) ?? {};
    case 'set_param':
      return (await module.setParam!(ctx, service, changesOf(payload))) ?? {};
    case 'sync':
      return (await module.sync!(ctx, service)) ?? {};
  }
}

function changesOf(payload: Record<string, unknown>): Record<string, unknown> {
  const c = payload.changes;
  return c && typeof c === 'object' && !Array.isArray(c) ? (c as Record<string, unknown>) : {};
}

/** A suspension is by staff unless the caller says why: non-payment, the client's request, or a period that ran out (expired). */
function suspendTarget(payload: Record<string, unknown>): ServiceStatus {
  const s = payload.status;
  return typeof s === 'string' && ([...SUSPENDED, 'expired'] as readonly string[]).includes(s) ? (s as ServiceStatus) : 'suspended_staff';
}

/** Only presets and enumerations of the right shape are kept from what a module returns. */
function cleanConfig(raw: ServerConfig): ServerConfig {
  const item = (x: unknown) =>
    x && typeof x === 'object' && typeof (x as { internalName?: unknown }).internalName === 'string'
      ? { internalName: String((x as { internalName: string }).internalName), name: String((x as { name?: unknown }).name ?? (x as { internalName: string }).internalName) }
      : null;
  const out: ServerConfig = { ...raw };
  out.presets = Array.isArray(raw.presets) ? raw.presets.map(item).filter((x): x is { internalName: string; name: string } => x !== null) : [];
  if (raw.enumerations && typeof raw.enumerations === 'object') {
    out.enumerations = Object.fromEntries(
      Object.entries(raw.enumerations).map(([k, list]) => [k, Array.isArray(list) ? list.map(item).filter((x): x is { internalName: string; name: string } => x !== null) : []]),
    );
  }
  return out;
}

export class ProcessingService implements ModuleLookup {
  readonly #modules = new Map<string, ProcessingModule>();
  constructor(readonly deps: ProcessingDeps) {}

  // -------------------------------------------------------------------------------------------
  // Module registry

  /** Adds a module; its name must be kebab-case and not taken. */
  registerModule(module: ProcessingModule): void {
    if (!module || typeof module.name !== 'string' || !NAME.test(module.name)) throw new Error(`Processing module name '${String(module?.name)}' must be kebab-case`);
    if (this.#modules.has(module.name)) throw new Error(`Processing module '${module.name}' is already registered`);
    this.#modules.set(module.name, module);
  }

  module(name: string): ProcessingModule | undefined {
    return this.#modules.get(name);
  }

  modules(): ProcessingModule[] {
    return [...this.#modules.values()];
  }

  /** Names this runner in operation leases (the JobSystem's process id). */
  get runnerId(): string {
    return this.deps.jobs.processId;
  }

  // -------------------------------------------------------------------------------------------
  // Servers

  /** The server as a module sees it, password decrypted. */
  async serverInfo(server: ProcessingServer): Promise<ServerInfo> {
    const sealed = await sealedPassword(this.deps.db, server.id);
    let password = '';
    if (sealed) {
      try {
        password = this.deps.secrets.decrypt(sealed);
      } catch {
        throw new ProcessingError('auth', `The stored password of server “${server.name}” cannot be decrypted (was the secret key changed?). Enter the password again on the server's page.`);
      }
    }
    return { id: server.id, name: server.name, url: server.url, username: server.username, password, config: server.config };
  }

  /**
   * "Check connection": asks the module, records when and what it said on the server, and
   * returns it. `checked` is false when the module cannot check (nothing is recorded then).
   */
  async checkConnection(serverId: number): Promise<{ ok: boolean; message: string; checked: boolean }> {
    const server = await getServer(this.deps.db, serverId);
    if (!server) throw new Error(`Processing server #${serverId} does not exist`);
    const module = this.module(server.module);
    if (!module) return { ok: false, checked: false, message: `The processing module '${server.module}' is not available: is its plugin enabled?` };
    if (!module.checkConnection) return { ok: false, checked: false, message: `The module “${module.title}” has no connection check.` };
    let result: { ok: boolean; message: string };
    try {
      const info = await this.serverInfo(server);
      const timeoutMs = Math.min(module.timeoutMs ?? INTERACTIVE_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS);
      const r = await callWithTimeout((signal) => module.checkConnection!(this.#context(info, module, signal)), { timeoutMs, timeoutMessage: `${server.name} did not answer within ${seconds(timeoutMs)}` });
      result = { ok: Boolean(r?.ok), message: String(r?.message ?? '') };
    } catch (err) {
      result = { ok: false, message: describe(err) };
    }
    await recordCheck(this.deps.db, server.id, { ...result, at: iso(this.deps.clock.now()) });
    return { ...result, checked: true };
  }

  /** "Fetch configuration": asks the module for presets and enumerations and stores them on the server. */
  async fetchConfiguration(serverId: number): Promise<ServerConfig> {
    const server = await getServer(this.deps.db, serverId);
    if (!server) throw new Error(`Processing server #${serverId} does not exist`);
    const module = this.module(server.module);
    if (!module) throw new ProcessingError('permanent', `The processing module '${server.module}' is not available: is its plugin enabled?`);
    if (!module.getServerConfig) throw new ProcessingError('permanent', `The module “${module.title}” has no configuration to fetch.`);
    const info = await this.serverInfo(server);
    const timeoutMs = Math.min(module.timeoutMs ?? INTERACTIVE_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS);
    const raw = await callWithTimeout((signal) => module.getServerConfig!(this.#context(info, module, signal)), { timeoutMs, timeoutMessage: `${server.name} did not answer within ${seconds(timeoutMs)}` });
    const config = cleanConfig(raw && typeof raw === 'object' ? raw : {});
    await recordConfig(this.deps.db, server.id, config, iso(this.deps.clock.now()));
    return config;
  }

  serverPresets(serverId: number): Promise<{ internalName: string; name: string }[]> {
    return serverPresets(this.deps.db, serverId);
  }

  chooseServer(input: { itemType: string; packageId: number }): Promise<ProcessingServer | null> {
    return chooseServer(this.deps.db, input);
  }

  /** See validatePackageInternalName in servers.ts; uses this registry for `requiresPreset`. */
  validatePackageInternalName(input: { internalName: string; serverIds: number[] }): Promise<string | null> {
    return validatePackageInternalName(this.deps.db, input, this);
  }

  #context(server: ServerInfo, module: ProcessingModule, signal: AbortSignal, operation?: ModuleContext['operation']): ModuleContext {
    return {
      server,
      clock: this.deps.clock,
      log: this.deps.log.child({ module: module.name, server: server.id, ...(operation ? { operation: operation.id } : {}) }),
      signal,
      ...(operation ? { operation } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // The queue

  /**
   * Queues an operation for a service inside the caller's transaction (so it exists only if the
   * caller's change commits) and returns its id. Idempotent: while an operation of the same kind
   * is pending or running for the service, that one's id is returned and nothing is added.
   * Queuing 'open' moves a pending, failed or expired service to in_progress.
   */
  async enqueue(trx: Knex | Knex.Transaction, input: EnqueueInput): Promise<number> {
    if (!(trx as Knex.Transaction).isTransaction) return (trx as Knex).transaction((t) => this.enqueue(t, input));
    return this.#enqueue(trx as Knex.Transaction, input);
  }

  async #enqueue(trx: Knex.Transaction, input: EnqueueInput): Promise<number> {
    if (!OPERATION_KINDS.includes(input.op)) throw new Error(`Unknown operation '${String(input.op)}'`);
    // The row lock makes two concurrent enqueues for one service take turns on PostgreSQL;
    // SQLite's write transactions already do (BEGIN IMMEDIATE).
    const svcQ = trx('core_services').where({ id: input.serviceId }).first('id', 'status', 'processing_server_id');
    if (dbEngine(trx as unknown as Knex) === 'pg') svcQ.forUpdate();
    const svc = (await svcQ) as { id: number; status: string; processing_server_id: number | null } | undefined;
    if (!svc) throw new Error(`Service #${input.serviceId} does not exist`);
    const existing = (await activeOperationQuery(trx, input.serviceId, input.op)) as { id: number; status: string; payload: string } | undefined;
    if (existing && input.op !== 'set_param') return Number(existing.id);
    if (existing && existing.status === 'pending') {
      // Parameter changes must never be dropped: a second change while one waits joins it (later values win).
      const before = parseJson(existing.payload);
      const merged = { ...before, ...(input.payload ?? {}), changes: { ...changesOf(before), ...changesOf(input.payload ?? {}) } };
      const joined = await trx(OPERATIONS).where({ id: existing.id, status: 'pending' }).update({ payload: JSON.stringify(merged) });
      if (joined === 1) return Number(existing.id);
    }
    // A set_param already running (or claimed a moment ago): this one is queued behind it rather than lost.
    const now = iso(this.deps.clock.now());
    const serverId = input.serverId ?? svc.processing_server_id ?? null;
    const [row] = await trx(OPERATIONS)
      .insert({
        service_id: input.serviceId,
        server_id: serverId,
        op: input.op,
        status: 'pending',
        payload: JSON.stringify(input.payload ?? {}),
        attempts: 0,
        max_attempts: input.maxAttempts ?? 5,
        next_attempt_at: now,
        created_at: now,
      })
      .returning('id');
    const id = Number(typeof row === 'object' ? (row as { id: number }).id : row);
    if (svc.processing_server_id === null && serverId !== null) {
      await trx('core_services').where({ id: input.serviceId }).update({ processing_server_id: serverId, updated_at: now });
    }
    if (input.op === 'open' && ['pending', 'failed', 'expired'].includes(svc.status)) {
      await transitionService(trx, { serviceId: input.serviceId, to: 'in_progress', actor: input.actor ?? SYSTEM, reason: `Set-up operation #${id} queued`, at: now });
    }
    return id;
  }

  /**
   * One pass of the runner: claims due operations (and those whose runner died: lease expired),
   * calls their modules with a timeout, and records each outcome. Never holds a database
   * transaction while a module is called. Returns what happened, for the job's counts.
   */
  async runDue(opts: { signal?: AbortSignal; limit?: number } = {}): Promise<RunSummary> {
    const summary: RunSummary = { claimed: 0, done: 0, failed: 0, retried: 0, manual: 0, waiting: 0 };
    const seen = new Set<number>();
    const limit = opts.limit ?? 200;
    while (!opts.signal?.aborted && summary.claimed < limit) {
      const nowIso = iso(this.deps.clock.now());
      const stale = (await staleOperationsQuery(this.deps.db, nowIso, CLAIM_BATCH)) as { id: number }[];
      const due = (await dueOperationsQuery(this.deps.db, nowIso, CLAIM_BATCH)) as { id: number }[];
      const ids = [...new Set([...stale, ...due].map((r) => Number(r.id)))].filter((id) => !seen.has(id)).slice(0, Math.min(CLAIM_BATCH, limit - summary.claimed));
      if (ids.length === 0) break;
      // Claimed just before they run, a few at a time, so no lease ages while others are called.
      for (let i = 0; i < ids.length && !opts.signal?.aborted; i += CONCURRENCY) {
        const claimed: number[] = [];
        for (const id of ids.slice(i, i + CONCURRENCY)) {
          seen.add(id);
          if (await this.#claim(id)) claimed.push(id);
        }
        summary.claimed += claimed.length;
        await Promise.all(claimed.map((id) => this.#process(id, summary, opts.signal)));
      }
    }
    return summary;
  }

  async #claim(id: number): Promise<boolean> {
    const op = await getOperation(this.deps.db, id);
    if (!op) return false;
    const server = op.server_id ? await getServer(this.deps.db, op.server_id) : undefined;
    const module = server ? this.module(server.module) : undefined;
    const now = this.deps.clock.now();
    const leaseUntil = iso(new Date(now.getTime() + (module?.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS) + LEASE_GRACE_MS));
    return claimOperation(this.deps.db, id, this.runnerId, iso(now), leaseUntil);
  }

  async #process(id: number, summary: RunSummary, signal: AbortSignal | undefined): Promise<void> {
    const op = await getOperation(this.deps.db, id);
    if (!op || op.status !== 'running' || op.locked_by !== this.runnerId) return;
    const server = op.server_id ? await getServer(this.deps.db, op.server_id) : undefined;
    const module = server ? this.module(server.module) : undefined;
    const payload = parseJson(op.payload);
    const label = OPERATION_LABELS[op.op] ?? op.op;
    const settle = async (s: Settlement) => {
      if (!(await this.#settle(op, server, payload, s))) return;
      if (s.kind === 'done' || s.kind === 'failed' || s.kind === 'manual') {
        await this.#announce({ operationId: op.id, serviceId: op.service_id, op: op.op, status: s.kind, ...(s.kind === 'failed' ? { error: s.error } : {}) });
      }
      if (s.kind === 'done') summary.done++;
      else if (s.kind === 'failed') summary.failed++;
      else if (s.kind === 'retry') summary.retried++;
      else if (s.kind === 'manual') summary.manual++;
      else summary.waiting++;
    };

    if (op.attempts > op.max_attempts) {
      return settle({ kind: 'failed', error: `The runner stopped during the last of ${op.max_attempts} attempts. Check on the server whether it was done, then restart the operation or complete it manually.` });
    }
    if (server && !module) {
      return settle({ kind: 'release', reason: `Waiting: the processing module '${server.module}' of server “${server.name}” is not available (is its plugin enabled?).`, delayMs: MODULE_MISSING_DELAY_MS });
    }
    // Seed 001's operation switches: with the switch off the module gets no such command.
    if (server && op.op === 'prolong' && !server.allow_prolong) {
      return settle({ kind: 'done', outcome: {}, message: `Prolongation is switched off on server “${server.name}”: recorded in Trellis only.` });
    }
    if (server && op.op === 'set_param' && !server.allow_set_param) {
      return settle({ kind: 'done', outcome: {}, message: `Changing parameters is switched off on server “${server.name}”: recorded in Trellis only.` });
    }
    const hasMethod = module ? methodFor(module, op.op) : false;
    if (op.op === 'sync' && !hasMethod) return settle({ kind: 'done', outcome: {}, message: 'Nothing to synchronise.' });
    if (!server || !module) return settle({ kind: 'manual', reason: 'No processing server is assigned: carry the operation out by hand, then complete it here.' });
    if (module.name === manualModule.name || module.manualOps?.includes(op.op)) return settle({ kind: 'manual', reason: `${module.title}: ${label.toLowerCase()} is done by staff.` });
    if (!hasMethod) return settle({ kind: 'manual', reason: `The module “${module.title}” cannot ${label.toLowerCase()}: carry it out by hand, then complete it here.` });

    const service = await loadServiceInfo(this.deps.db, op.service_id);
    if (!service) return settle({ kind: 'failed', error: `Service #${op.service_id} no longer exists.` });
    try {
      const info = await this.serverInfo(server);
      const timeoutMs = module.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
      // Sealed values (transfer codes, passwords) are opened only for the module's call.
      const secrets = this.deps.secrets;
      const clearPayload = openDeep(secrets, payload);
      const clear = { ...service, params: openDeep(secrets, service.params) };
      const operation = { id: op.id, kind: op.op, attempt: op.attempts, payload: clearPayload };
      const outcome = await callWithTimeout((s) => invoke(module, op.op, this.#context(info, module, s, operation), clear, clearPayload), {
        timeoutMs,
        timeoutMessage: `${server.name} did not answer within ${seconds(timeoutMs)}`,
        ...(signal ? { outer: signal } : {}),
      });
      return settle({ kind: 'done', outcome: outcome && typeof outcome === 'object' ? outcome : {} });
    } catch (err) {
      if (err instanceof InterruptedError || signal?.aborted) return settle({ kind: 'release', reason: new InterruptedError().message, delayMs: 0 });
      const kind = err instanceof ProcessingError ? err.kind : 'temporary';
      const message = describe(err);
      this.deps.log.warn('processing operation failed', { operation: op.id, op: op.op, service: op.service_id, server: server.id, kind, attempt: op.attempts, error: message });
      if (kind === 'temporary' && op.attempts < op.max_attempts) return settle({ kind: 'retry', error: message, delayMs: backoffMs(op.attempts, OPERATION_BACKOFF) });
      const error =
        kind === 'auth'
          ? `${server.name} refused the credentials: ${message} Correct the user and password on the server's page, then restart the operation.`
          : kind === 'temporary'
            ? `${message} (gave up after ${op.attempts} attempts)`
            : message;
      return settle({ kind: 'failed', error });
    }
  }

  /**
   * Records an outcome in one short transaction, only if this runner still holds the lease: the
   * operation's new state and, for a done (or finally failed) operation, the service's change
   * and the ticket. Returns false when the lease was lost (another runner took over).
   */
  async #settle(op: OperationRow, server: ProcessingServer | undefined, payload: Record<string, unknown>, s: Settlement): Promise<boolean> {
    return this.deps.db.transaction(async (trx) => {
      const now = this.deps.clock.now();
      const nowIso = iso(now);
      const unlocked = { locked_by: null, locked_until: null };
      let fields: Record<string, unknown>;
      switch (s.kind) {
        case 'done':
          fields = { ...unlocked, status: 'done', result: JSON.stringify({ ...s.outcome, ...(s.message ? { message: s.message } : {}) }), last_error: null, next_attempt_at: null, finished_at: nowIso };
          break;
        case 'manual':
          fields = { ...unlocked, status: 'manual', result: JSON.stringify({ waiting: s.reason }), attempts: trx.raw('attempts - 1'), next_attempt_at: null, finished_at: null };
          break;
        case 'retry':
          fields = { ...unlocked, status: 'pending', last_error: s.error, next_attempt_at: iso(new Date(now.getTime() + s.delayMs)) };
          break;
        case 'failed':
          fields = { ...unlocked, status: 'failed', last_error: s.error, next_attempt_at: null, finished_at: nowIso };
          break;
        case 'release':
          fields = { ...unlocked, status: 'pending', last_error: s.reason, attempts: trx.raw('attempts - 1'), next_attempt_at: iso(new Date(now.getTime() + s.delayMs)) };
          break;
      }
      const n = await trx(OPERATIONS).where({ id: op.id, status: 'running', locked_by: this.runnerId }).update(fields);
      if (n !== 1) {
        this.deps.log.warn('processing operation lease was lost before its outcome was recorded', { operation: op.id, runner: this.runnerId });
        return false;
      }
      if (s.kind === 'done') {
        const how = `${OPERATION_LABELS[op.op]} operation #${op.id} done${server ? ` on ${server.name}` : ''}`;
        const note = await this.#applyDone(trx, op, payload, s.outcome, SYSTEM, how);
        if (note) await trx(OPERATIONS).where({ id: op.id }).update({ result: JSON.stringify({ ...s.outcome, ...(s.message ? { message: s.message } : {}), serviceNote: note }) });
      } else if (s.kind === 'failed') {
        await this.#applyFailed(trx, op, s.error);
        if (server?.notify_errors) await this.#openTicket(trx, op, server, s.error);
      }
      return true;
    });
  }

  /** What a done operation changes on its service (the same for the runner and "Complete manually"). */
  async #applyDone(trx: Knex.Transaction, op: OperationRow, payload: Record<string, unknown>, outcome: OperationOutcome, actor: Actor, reason: string): Promise<string | null> {
    const svc = (await trx('core_services').where({ id: op.service_id }).first()) as
      | { id: number; status: string; params: string; expires_on: string | null; activated_at: string | null; period_kind: PeriodKind; period_length: number }
      | undefined;
    if (!svc) return `Service #${op.service_id} no longer exists.`;
    const nowIso = iso(this.deps.clock.now());
    const fields: Record<string, unknown> = {};
    if (outcome.externalId) fields.external_id = String(outcome.externalId).slice(0, 200);
    const changes = op.op === 'set_param' ? changesOf(payload) : {};
    if (outcome.params || Object.keys(changes).length) fields.params = JSON.stringify({ ...parseJson(svc.params), ...changes, ...(outcome.params ?? {}) });
    const outcomeExpiry = outcome.expiresOn && isDay(outcome.expiresOn) ? outcome.expiresOn : undefined;
    let to: ServiceStatus | null = null;
    switch (op.op) {
      case 'open':
        to = 'active';
        if (!svc.activated_at) fields.activated_at = nowIso;
        if (!svc.expires_on) fields.expires_on = outcomeExpiry ?? periodEnd(nowIso.slice(0, 10), svc.period_kind, Number(svc.period_length));
        break;
      case 'suspend':
        to = suspendTarget(payload);
        if (typeof payload.reason === 'string') fields.suspend_reason = payload.reason.slice(0, 300);
        break;
      case 'resume':
        to = 'active';
        fields.suspend_reason = null;
        break;
      case 'close':
        to = 'cancelled';
        break;
      case 'prolong': {
        const expiry = outcomeExpiry ?? (typeof payload.expiresOn === 'string' && isDay(payload.expiresOn) ? payload.expiresOn : undefined);
        if (expiry) fields.expires_on = expiry;
        break;
      }
      case 'sync':
        if (outcomeExpiry) fields.expires_on = outcomeExpiry;
        break;
      case 'set_param':
        break;
    }
    return this.#changeService(trx, svc, to, fields, actor, reason);
  }

  async #applyFailed(trx: Knex.Transaction, op: OperationRow, error: string): Promise<void> {
    if (op.op !== 'open') return;
    const svc = (await trx('core_services').where({ id: op.service_id }).first('id', 'status')) as { id: number; status: string } | undefined;
    if (!svc) return;
    await this.#changeService(trx, svc, 'failed', {}, SYSTEM, `Set-up operation #${op.id} failed: ${error}`);
  }

  /** Moves the service through the state machine, or records why it could not (returned). */
  async #changeService(trx: Knex.Transaction, svc: { id: number; status: string }, to: ServiceStatus | null, fields: Record<string, unknown>, actor: Actor, reason: string): Promise<string | null> {
    const at = iso(this.deps.clock.now());
    if (to === null || to === svc.status) {
      if (Object.keys(fields).length) await trx('core_services').where({ id: svc.id }).update({ ...fields, updated_at: at });
      return null;
    }
    let from = svc.status;
    // A service whose open was queued without enqueue() may still be pending: in progress first.
    if (from === 'pending' && (to === 'active' || to === 'failed')) {
      await transitionService(trx, { serviceId: svc.id, to: 'in_progress', actor, reason, at });
      from = 'in_progress';
    }
    if (!isServiceStatus(from) || !canTransition(from, to)) {
      this.deps.log.warn('service status not changed by operation', { service: svc.id, from, to, reason });
      return `Service #${svc.id} is ${from}: it was not moved to ${to}.`;
    }
    await transitionService(trx, { serviceId: svc.id, to, actor, reason, at, fields });
    return null;
  }

  /** Notify about errors (seed 001): a ticket for the server's responsible department, one per operation. */
  async #openTicket(trx: Knex.Transaction, op: OperationRow, server: ProcessingServer, error: string): Promise<void> {
    const svc = (await trx('core_services').where({ id: op.service_id }).first('id', 'label', 'client_id')) as { id: number; label: string; client_id: number } | undefined;
    const what = `${OPERATION_LABELS[op.op]} of service #${op.service_id}${svc?.label ? ` (${svc.label})` : ''}`;
    const body = [
      `${what} failed on processing server “${server.name}” (module ${server.module}) after ${op.attempts} attempt${op.attempts === 1 ? '' : 's'}:`,
      '',
      error,
      '',
      `Fix the cause, then restart the operation — or, if it was done another way, complete it manually: /admin/processing/operations/${op.id}`,
    ].join('\n');
    // No client on the ticket: upstream errors are for staff, and a ticket with a client shows in their portal.
    const ticket = await this.deps.tickets.openSystemTicket(
      { dedupeKey: `processing.op:${op.id}`, departmentId: server.department_id, subject: `${what} failed on ${server.name}`, body, serviceId: op.service_id, priority: 'high' },
      trx,
    );
    if (!ticket.created) await this.deps.tickets.reply(ticket.id, { author: { type: 'system', label: 'Trellis' }, body: `It failed again:\n\n${error}` }, trx);
    await trx(OPERATIONS).where({ id: op.id }).update({ ticket_id: ticket.id });
  }

  // -------------------------------------------------------------------------------------------
  // Staff actions

  /** The fields "Complete manually" asks for: the module's, or an external id for a set-up. */
  manualFieldsFor(op: { op: OperationKind; server_module: string | null }): ManualField[] {
    const module = op.server_module ? this.module(op.server_module) : undefined;
    return module?.manualFields?.[op.op] ?? (op.op === 'open' ? (manualModule.manualFields?.open ?? []) : []);
  }

  /**
   * "Restart operation": a failed (or manual) operation goes back to pending with its attempts
   * reset; a service whose set-up failed goes back to in_progress.
   */
  async restart(operationId: number, actor: StaffActor): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      const op = await getOperation(trx, operationId);
      if (!op) throw new OperationStateError(`Operation #${operationId} does not exist.`);
      const twin = (await activeOperationQuery(trx, op.service_id, op.op)) as { id: number } | undefined;
      if (twin && Number(twin.id) !== op.id) throw new OperationStateError(`Operation #${twin.id} does the same for this service and is already queued; restarting #${op.id} would do it twice.`);
      const nowIso = iso(this.deps.clock.now());
      const n = await trx(OPERATIONS)
        .where({ id: op.id })
        .whereIn('status', ['failed', 'manual'])
        .update({ status: 'pending', attempts: 0, next_attempt_at: nowIso, locked_by: null, locked_until: null, finished_at: null, completed_by: null });
      if (n !== 1) throw new OperationStateError(`Operation #${op.id} is ${op.status}: only failed or manual operations can be restarted.`);
      const staff: Actor = { type: 'staff', id: actor.id, label: actor.label };
      if (op.op === 'open') {
        const svc = (await trx('core_services').where({ id: op.service_id }).first('id', 'status')) as { id: number; status: string } | undefined;
        if (svc?.status === 'failed') await transitionService(trx, { serviceId: svc.id, to: 'in_progress', actor: staff, reason: `Set-up operation #${op.id} restarted`, at: nowIso });
      }
      await this.deps.audit.record({ actor: { type: 'staff', id: actor.id, label: actor.label }, action: 'processing.operation_restarted', target: `operation:${op.id}`, ip: actor.ip ?? null, details: { service: op.service_id, op: op.op, from: op.status } }, trx);
    });
  }

  /**
   * "Complete manually": staff did the work outside Trellis. Stores what they entered (external
   * id, params), applies the same change to the service as a done operation, records who.
   */
  async completeManually(operationId: number, input: { values: Record<string, string>; note?: string }, actor: StaffActor): Promise<void> {
    const view = await getOperationView(this.deps.db, operationId);
    if (!view) throw new OperationStateError(`Operation #${operationId} does not exist.`);
    const outcome: OperationOutcome = {};
    for (const f of this.manualFieldsFor(view)) {
      const v = (input.values[f.name] ?? '').trim();
      if (!v) {
        if (f.required) throw new OperationStateError(`Enter ${f.label}.`);
        continue;
      }
      if (f.target === 'externalId') outcome.externalId = v;
      else outcome.params = { ...(outcome.params ?? {}), [f.name]: v };
    }
    const note = input.note?.trim() || undefined;
    await this.deps.db.transaction(async (trx) => {
      const nowIso = iso(this.deps.clock.now());
      const result = { completedManually: true, ...outcome, ...(note ? { note } : {}) };
      const n = await trx(OPERATIONS)
        .where({ id: view.id })
        .whereIn('status', ['manual', 'failed'])
        .update({ status: 'done', result: JSON.stringify(result), completed_by: actor.label.slice(0, 254), finished_at: nowIso, next_attempt_at: null, locked_by: null, locked_until: null });
      if (n !== 1) throw new OperationStateError(`Operation #${view.id} is ${view.status}: only manual or failed operations can be completed by hand.`);
      const staff: Actor = { type: 'staff', id: actor.id, label: actor.label };
      const serviceNote = await this.#applyDone(trx, view, parseJson(view.payload), outcome, staff, `${OPERATION_LABELS[view.op]} operation #${view.id} completed manually${note ? `: ${note}` : ''}`);
      if (serviceNote) await trx(OPERATIONS).where({ id: view.id }).update({ result: JSON.stringify({ ...result, serviceNote }) });
      await this.deps.audit.record({ actor: { type: 'staff', id: actor.id, label: actor.label }, action: 'processing.operation_completed', target: `operation:${view.id}`, ip: actor.ip ?? null, details: { service: view.service_id, op: view.op, ...outcome } }, trx);
    });
    await this.#announce({ operationId: view.id, serviceId: view.service_id, op: view.op, status: 'done' });
  }

  /** Listener failures are the listeners' business: the operation is settled already. */
  async #announce(payload: TrellisEvents['service.operation']): Promise<void> {
    try {
      await this.deps.events.emit('service.operation', payload);
    } catch (err) {
      this.deps.log.error('service.operation listeners failed', { err });
    }
  }
}

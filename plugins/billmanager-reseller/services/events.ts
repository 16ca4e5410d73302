// The `checkevent` of a reseller (PROTOCOLS §2.2: polled every 5 minutes): what the upstream did to
// the services it provides — opened, suspended, deleted, changed — reaches their Trellis services.
import type { Knex } from 'knex';
import { transitionService, type Actor } from '../../../core/billing/services/transition.ts';
import { canTransition, isServiceStatus, isTerminal, type ServiceStatus } from '../../../core/billing/services/status.ts';
import { periodEnd, type PeriodKind } from '../../../core/billing/services/periods.ts';
import type { ProcessingServer } from '../../../core/processing/servers.ts';
import type { UpstreamEvent } from '../upstream/billmanager.ts';
import type { BillmanagerApi } from '../upstream/billmanager.ts';
import { paramsFromUpstream, UPSTREAM_STATUS } from '../processing/module.ts';
import { serviceIdOfRemoteId } from '../processing/remote-id.ts';
import { lastEventId, saveCursor } from '../store/event-cursors.ts';

const ACTOR: Actor = { type: 'system', label: 'BILLmanager events' };
/** Marks a suspension the upstream made, so only those are lifted when the upstream resumes. */
export const UPSTREAM_SUSPENSION = 'Suspended at the upstream BILLmanager';

interface ServiceRow {
  id: number;
  status: string;
  external_id: string | null;
  params: string;
  expires_on: string | null;
  activated_at: string | null;
  suspend_reason: string | null;
  period_kind: PeriodKind;
  period_length: number;
}

function parseParams(raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function serviceOf(trx: Knex.Transaction, serverId: number, e: UpstreamEvent): Promise<ServiceRow | undefined> {
  const cols = ['id', 'status', 'external_id', 'params', 'expires_on', 'activated_at', 'suspend_reason', 'period_kind', 'period_length'];
  const byId = (await trx('core_services').where({ processing_server_id: serverId, external_id: e.serviceId }).first(cols)) as ServiceRow | undefined;
  if (byId) return byId;
  // Not linked yet: its open operation has not finished; the remote id names the service.
  const id = serviceIdOfRemoteId(e.remoteid);
  return id === null ? undefined : ((await trx('core_services').where({ id, processing_server_id: serverId }).first(cols)) as ServiceRow | undefined);
}

/** The status the upstream's state asks for, or null when it asks for nothing. */
function targetOf(svc: ServiceRow, upstreamStatus: number): { to: ServiceStatus; reason: string } | null {
  const from = svc.status;
  if (!isServiceStatus(from) || isTerminal(from)) return null;
  if (upstreamStatus === UPSTREAM_STATUS.active) {
    if (from === 'in_progress' || from === 'failed') return { to: 'active', reason: 'Opened at the upstream BILLmanager' };
    if (from === 'suspended_staff' && svc.suspend_reason === UPSTREAM_SUSPENSION) return { to: 'active', reason: 'Resumed at the upstream BILLmanager' };
    return null;
  }
  if (upstreamStatus === UPSTREAM_STATUS.suspended && (from === 'active' || from === 'pending_renewal')) return { to: 'suspended_staff', reason: UPSTREAM_SUSPENSION };
  if (upstreamStatus === UPSTREAM_STATUS.deleted && from !== 'pending') return { to: 'cancelled', reason: 'Deleted at the upstream BILLmanager' };
  return null;
}

export type EventOutcome = 'changed' | 'updated' | 'unmatched';

/**
 * Applies one event to its service in the caller's transaction: the status it implies (opened,
 * suspended or deleted upstream), the upstream id and parameters (IP, name servers, lock, the
 * upstream's expiry). Trellis's own expiry is the client's paid term: only an opening sets it.
 */
export async function applyEvent(trx: Knex.Transaction, serverId: number, e: UpstreamEvent, at: string): Promise<EventOutcome> {
  const svc = await serviceOf(trx, serverId, e);
  if (!svc) return 'unmatched';
  const fields: Record<string, unknown> = { params: JSON.stringify({ ...parseParams(svc.params), ...paramsFromUpstream(e) }) };
  if (!svc.external_id) fields.external_id = e.serviceId;
  const target = targetOf(svc, e.status);
  if (target?.to === 'active' && svc.status !== 'suspended_staff') {
    if (!svc.activated_at) fields.activated_at = at;
    if (!svc.expires_on) fields.expires_on = e.expiresOn ?? periodEnd(at.slice(0, 10), svc.period_kind, Number(svc.period_length));
  }
  if (target?.to === 'suspended_staff') fields.suspend_reason = UPSTREAM_SUSPENSION;
  if (target?.to === 'active' && svc.status === 'suspended_staff') fields.suspend_reason = null;
  if (target && canTransition(svc.status as ServiceStatus, target.to)) {
    await transitionService(trx, { serviceId: svc.id, to: target.to, actor: ACTOR, reason: `${target.reason} (event #${e.eventId}: ${e.event || 'change'})`, at, fields });
    return 'changed';
  }
  await trx('core_services').where({ id: svc.id }).update({ ...fields, updated_at: at });
  return 'updated';
}

export interface PollResult {
  events: number;
  changed: number;
  updated: number;
  unmatched: number;
}

/**
 * Reads the events after the server's cursor and applies each, moving the cursor with it in one
 * transaction, so a crash repeats at most the event being applied (which is idempotent anyway).
 */
export async function pollServerEvents(db: Knex, api: BillmanagerApi, server: ProcessingServer, now: () => string, signal?: AbortSignal): Promise<PollResult> {
  const result: PollResult = { events: 0, changed: 0, updated: 0, unmatched: 0 };
  let events: UpstreamEvent[];
  try {
    events = await api.events(await lastEventId(db, server.id), signal);
  } catch (err) {
    await saveCursor(db, server.id, { polledAt: now(), lastError: (err as Error).message.slice(0, 2000) });
    throw err;
  }
  for (const e of events) {
    if (signal?.aborted) break;
    const outcome = await db.transaction(async (trx) => {
      const o = await applyEvent(trx, server.id, e, now());
      await saveCursor(trx, server.id, { lastEventId: e.eventId, polledAt: now(), lastError: null });
      return o;
    });
    result.events++;
    result[outcome]++;
  }
  if (events.length === 0) await saveCursor(db, server.id, { polledAt: now(), lastError: null });
  return result;
}

// The one way a service changes status: checked against the state machine, recorded in its history.
import type { Knex } from 'knex';
import { canTransition, isServiceStatus, type ServiceStatus } from './status.ts';

export interface Actor {
  type: 'staff' | 'client' | 'system';
  id?: number | null;
  label?: string;
}

export class TransitionError extends Error {
  constructor(
    readonly serviceId: number,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Service #${serviceId} cannot go from '${from}' to '${to}'`);
    this.name = 'TransitionError';
  }
}

/**
 * Moves a service to `to` inside the caller's transaction, with a compare-and-set on the current
 * status so two writers cannot both move it. Records who, what and why in core_service_history.
 * Returns the previous status; moving to the status it already has records nothing.
 */
export async function transitionService(
  trx: Knex.Transaction,
  input: { serviceId: number; to: ServiceStatus; actor: Actor; reason: string; at: string; fields?: Record<string, unknown> },
): Promise<ServiceStatus> {
  const row = (await trx('core_services').where({ id: input.serviceId }).first('status')) as { status: string } | undefined;
  if (!row) throw new Error(`Service #${input.serviceId} does not exist`);
  const from = row.status;
  if (!isServiceStatus(from)) throw new Error(`Service #${input.serviceId} has an unknown status '${from}'`);
  if (from === input.to) {
    if (input.fields && Object.keys(input.fields).length) await trx('core_services').where({ id: input.serviceId }).update({ ...input.fields, updated_at: input.at });
    return from;
  }
  if (!canTransition(from, input.to)) throw new TransitionError(input.serviceId, from, input.to);
  const changed = await trx('core_services')
    .where({ id: input.serviceId, status: from })
    .update({ ...(input.fields ?? {}), status: input.to, updated_at: input.at });
  if (changed !== 1) throw new TransitionError(input.serviceId, from, input.to);
  await trx('core_service_history').insert({
    service_id: input.serviceId,
    at: input.at,
    from_status: from,
    to_status: input.to,
    actor_type: input.actor.type,
    actor_id: input.actor.id ?? null,
    actor_label: input.actor.label ?? '',
    reason: input.reason.slice(0, 500),
  });
  return from;
}

// Changes to a service's terms that are not status changes: each leaves a line in the service history.
import type { Knex } from 'knex';
import type { Actor } from './transition.ts';

/**
 * A change of a service's terms (auto-renew, expiry date) by staff or the client, with a line in the service's
 * history so the page shows who did it and why. The status is untouched: the line names the
 * current status on both sides. Returns false if the service is gone.
 */
export async function updateServiceField(
  trx: Knex.Transaction,
  input: { serviceId: number; fields: { auto_renew?: boolean; expires_on?: string | null }; actor: Actor; reason: string; at: string },
): Promise<boolean> {
  const row = (await trx('core_services').where({ id: input.serviceId }).first('status')) as { status: string } | undefined;
  if (!row) return false;
  await trx('core_services').where({ id: input.serviceId }).update({ ...input.fields, updated_at: input.at });
  await trx('core_service_history').insert({
    service_id: input.serviceId, at: input.at, from_status: row.status, to_status: row.status, actor_type: input.actor.type, actor_id: input.actor.id ?? null, actor_label: input.actor.label ?? '', reason: input.reason.slice(0, 500),
  });
  return true;
}

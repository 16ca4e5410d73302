// SQL of bmr_event_cursors: how far each server's upstream event log has been read.
import type { Knex } from 'knex';

type Q = Knex | Knex.Transaction;

export async function lastEventId(db: Q, serverId: number): Promise<number> {
  const row = (await db('bmr_event_cursors').where({ server_id: serverId }).first('last_event_id')) as { last_event_id: number | string } | undefined;
  return row ? Number(row.last_event_id) : 0;
}

export async function saveCursor(db: Q, serverId: number, fields: { lastEventId?: number; polledAt: string; lastError: string | null }): Promise<void> {
  const row: Record<string, unknown> = { server_id: serverId, polled_at: fields.polledAt, last_error: fields.lastError };
  if (fields.lastEventId !== undefined) row.last_event_id = fields.lastEventId;
  await db('bmr_event_cursors').insert({ last_event_id: 0, ...row }).onConflict('server_id').merge(Object.keys(row).filter((k) => k !== 'server_id'));
}

// What client domain functions return and need: field errors instead of exceptions, and who acts.
import type { Knex } from 'knex';
import type { Clock } from '../../clock.ts';
import { AuditLog } from '../../audit/audit.ts';

/** Messages by form field name ('email', 'county', 'loginEmail', ...); '_form' is about the whole form. */
export type FieldErrors = Record<string, string>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export interface ClientActor {
  type: 'staff' | 'client' | 'system';
  id?: number | null;
  /** E-mail of the staff user, or what the system process is ('demo seed'). */
  label?: string;
  ip?: string | null;
}

export interface ClientDeps {
  clock: Clock;
  actor: ClientActor;
}

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail<T = never>(errors: FieldErrors): Outcome<T> {
  return { ok: false, errors };
}

/** Writes an audit record inside the caller's transaction. */
export async function audit(trx: Knex.Transaction, deps: ClientDeps, action: string, clientId: number, details?: Record<string, unknown>): Promise<void> {
  await new AuditLog({ db: trx, clock: deps.clock }).record(
    { actor: { type: deps.actor.type, id: deps.actor.id ?? null, label: deps.actor.label ?? '' }, action, target: `client:${clientId}`, ip: deps.actor.ip ?? null, details },
    trx,
  );
}

/** True when a write failed on a unique key (SQLite and PostgreSQL word it differently). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed|duplicate key value/i.test(e?.message ?? '');
}

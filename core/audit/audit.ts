// Audit log of staff actions and security events ("who changed what, from where").
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import { iso } from '../db/time.ts';

export interface AuditActor {
  type: 'staff' | 'client' | 'system' | 'anonymous';
  id?: number | null;
  label?: string;
}

export interface AuditEntry {
  actor: AuditActor;
  /** Dotted verb: 'auth.login', 'auth.login_failed', 'user.suspended', 'settings.saved'. */
  action: string;
  target?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: string;
  actor_type: string;
  actor_id: number | null;
  actor_label: string;
  action: string;
  target: string | null;
  ip: string | null;
  details: string | null;
}

export class AuditLog {
  constructor(private readonly deps: { db: Knex; clock: Clock }) {}

  async record(entry: AuditEntry, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.deps.db)('core_audit_log').insert({
      at: iso(this.deps.clock.now()),
      actor_type: entry.actor.type,
      actor_id: entry.actor.id ?? null,
      actor_label: entry.actor.label ?? '',
      action: entry.action,
      target: entry.target ?? null,
      ip: entry.ip ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    });
  }

  /** Newest first; `action` filters by prefix ('auth.' shows every sign-in event). */
  listQuery(opts: { action?: string }) {
    const q = this.deps.db('core_audit_log');
    // A range rather than LIKE: SQLite's case-insensitive LIKE cannot use the (action, at) index.
    if (opts.action) q.where('action', '>=', opts.action).andWhere('action', '<', `${opts.action}\uffff`);
    return q;
  }

  async list(opts: { action?: string; limit: number; offset: number }): Promise<{ rows: AuditRow[]; total: number }> {
    const [{ n }] = (await this.listQuery(opts).clone().count({ n: '*' })) as [{ n: number | string }];
    const rows = (await this.listQuery(opts).orderBy('id', 'desc').limit(opts.limit).offset(opts.offset)) as AuditRow[];
    return { rows, total: Number(n) };
  }
}

// Server-side sessions: the cookie holds a random token; the database holds only its SHA-256.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import { iso } from '../db/time.ts';
import type { UserRow } from './users.ts';

/** The user fields a request needs; the password hash never leaves the users store. */
export type SessionUser = Pick<UserRow, 'id' | 'kind' | 'email' | 'name' | 'role' | 'client_id' | 'status'> & { language?: string };

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 14 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reading a page is not a write. */
const TOUCH_EVERY_MS = 60 * 1000;

export interface SessionRow {
  id: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}

const RESOLVE_SQL = `select s.id, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent,
  u.kind, u.email, u.name, u.role, u.client_id, u.status, u.language
  from core_sessions s join core_users u on u.id = s.user_id where s.id = ?`;

export function sessionIdOf(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export class SessionStore {
  constructor(private readonly deps: { db: Knex; clock: Clock }) {}

  /** Starts a session and returns the cookie token (shown once, never stored). */
  async create(userId: number, meta: { ip?: string | null; userAgent?: string | null }): Promise<{ token: string; id: string }> {
    const token = crypto.randomBytes(32).toString('base64url');
    const id = sessionIdOf(token);
    const now = this.deps.clock.now();
    await this.deps.db('core_sessions').insert({
      id,
      user_id: userId,
      created_at: iso(now),
      last_seen_at: iso(now),
      expires_at: iso(new Date(now.getTime() + SESSION_ABSOLUTE_MS)),
      ip: meta.ip?.slice(0, 64) ?? null,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    });
    return { token, id };
  }

  /** The session and its user, if the token is valid, unexpired, not idle too long and the user is active. */
  async resolve(token: string): Promise<{ session: SessionRow; user: SessionUser } | null> {
    if (!token || token.length > 100) return null;
    const id = sessionIdOf(token);
    // Every signed-in request runs this: fixed SQL through raw() skips knex's query compiler.
    const result = await this.deps.db.raw(RESOLVE_SQL, [id]);
    const row = (Array.isArray(result) ? result[0] : (result as { rows: unknown[] }).rows[0]) as (SessionRow & Record<string, unknown>) | undefined;
    if (!row) return null;
    const now = this.deps.clock.now().getTime();
    const lastSeen = new Date(row.last_seen_at).getTime();
    if (new Date(row.expires_at).getTime() <= now || now - lastSeen > SESSION_IDLE_MS || row.status !== 'active') {
      await this.destroy(id);
      return null;
    }
    if (now - lastSeen > TOUCH_EVERY_MS) {
      await this.deps.db('core_sessions').where({ id }).update({ last_seen_at: iso(new Date(now)) });
    }
    const session: SessionRow = { id: row.id, user_id: row.user_id, created_at: row.created_at, last_seen_at: row.last_seen_at, expires_at: row.expires_at, ip: row.ip, user_agent: row.user_agent };
    const user = { id: row.user_id, kind: row.kind, email: row.email, name: row.name, role: row.role, client_id: row.client_id, status: row.status, language: row.language } as SessionUser;
    return { session, user };
  }

  async destroy(id: string): Promise<void> {
    await this.deps.db('core_sessions').where({ id }).delete();
  }

  /** Ends every session of a user except `keepId` (after a password change, on the device that made it). */
  async destroyOthers(userId: number, keepId: string | null, trx?: Knex.Transaction): Promise<number> {
    const q = (trx ?? this.deps.db)('core_sessions').where({ user_id: userId });
    if (keepId) q.whereNot({ id: keepId });
    return q.delete();
  }

  /** Ends one session of a user (the id alone is not enough: it must be theirs); true if it existed. */
  async destroyForUser(userId: number, id: string): Promise<boolean> {
    return (await this.deps.db('core_sessions').where({ id, user_id: userId }).delete()) > 0;
  }

  async listForUser(userId: number): Promise<SessionRow[]> {
    return (await this.deps.db('core_sessions').where({ user_id: userId }).orderBy('last_seen_at', 'desc')) as SessionRow[];
  }

  async deleteExpired(): Promise<number> {
    const now = this.deps.clock.now();
    const idleCutoff = iso(new Date(now.getTime() - SESSION_IDLE_MS));
    return this.deps.db('core_sessions').where('expires_at', '<=', iso(now)).orWhere('last_seen_at', '<', idleCutoff).delete();
  }
}

// Who may call the simulator: users with passwords, `func=auth` sessions and single-use login keys.
import crypto from 'node:crypto';
import type { Clock } from '../../../clock.ts';

/** Access level of an ordinary user (DCImanager `level=16`, PROTOCOLS §5.1). */
export const LEVEL_USER = 16;
/** Access level of an administrator. The number is [I]: only "higher than a user" matters here. */
export const LEVEL_ADMIN = 28;

export interface SimUser {
  username: string;
  password: string;
  level: number;
}

interface Session {
  user: SimUser;
  ip: string;
  lastSeen: number;
}

export class SimAccounts {
  readonly #users = new Map<string, SimUser>();
  readonly #sessions = new Map<string, Session>();
  readonly #keys = new Map<string, string>();

  constructor(
    readonly clock: Clock,
    /** A session lives this long after its last request (1 hour, PROTOCOLS §1.1). */
    readonly sessionIdleMs: number,
  ) {}

  add(user: { username: string; password: string; level?: number }): SimUser {
    const u = { username: user.username, password: user.password, level: user.level ?? LEVEL_USER };
    this.#users.set(u.username, u);
    return u;
  }

  user(username: string): SimUser | undefined {
    return this.#users.get(username);
  }

  /** The user for `authinfo=USER:PASS`; the password may itself contain ':'. */
  byAuthinfo(authinfo: string): SimUser | undefined {
    const colon = authinfo.indexOf(':');
    if (colon < 0) return undefined;
    return this.byPassword(authinfo.slice(0, colon), authinfo.slice(colon + 1));
  }

  byPassword(username: string, password: string): SimUser | undefined {
    const u = this.#users.get(username);
    return u && u.password === password ? u : undefined;
  }

  /** Opens a session bound to the caller's address (the real panel binds it to the client IP). */
  open(user: SimUser, ip: string): string {
    const id = crypto.randomBytes(12).toString('hex');
    this.#sessions.set(id, { user, ip, lastSeen: this.clock.now().getTime() });
    return id;
  }

  /** The user of a live session, which the request keeps alive; undefined when unknown, idle too long or from another IP. */
  bySession(id: string, ip: string): SimUser | undefined {
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    const now = this.clock.now().getTime();
    if (now - s.lastSeen >= this.sessionIdleMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    if (s.ip !== ip) return undefined;
    s.lastSeen = now;
    return s.user;
  }

  /** Ends every session, as a panel restart does. */
  dropSessions(): void {
    this.#sessions.clear();
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Registers a login key for `username` (`session.newkey`). */
  addKey(username: string, key: string): void {
    this.#keys.set(key, username);
  }

  /** Spends a key: it signs `username` in once ([I]: §8 says single-use), then is gone. */
  useKey(username: string, key: string): SimUser | undefined {
    if (this.#keys.get(key) !== username) return undefined;
    this.#keys.delete(key);
    return this.#users.get(username);
  }
}

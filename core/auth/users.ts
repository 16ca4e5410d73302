// core_users: staff users (roles admin, billing, support) and client login users; all SQL for them.
import type { Knex } from 'knex';
import type { Clock } from '../clock.ts';
import { iso } from '../db/time.ts';

export const STAFF_ROLES = ['admin', 'billing', 'support'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  admin: 'Administrator — everything, including system settings and staff',
  billing: 'Billing — clients, invoices, payments',
  support: 'Support — clients, services, tickets',
};

export type UserKind = 'staff' | 'client';

export interface UserRow {
  id: number;
  kind: UserKind;
  email: string;
  name: string;
  password_hash: string;
  role: string | null;
  client_id: number | null;
  status: 'active' | 'suspended';
  /** '' until the user picks one (then the client's, then the browser's language applies). */
  language: string;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserStore {
  constructor(private readonly deps: { db: Knex; clock: Clock }) {}

  async findByEmail(kind: UserKind, email: string): Promise<UserRow | undefined> {
    return (await this.deps.db('core_users').where({ kind, email: normalizeEmail(email) }).first()) as UserRow | undefined;
  }

  async findById(id: number): Promise<UserRow | undefined> {
    return (await this.deps.db('core_users').where({ id }).first()) as UserRow | undefined;
  }

  async create(input: { kind: UserKind; email: string; name?: string; passwordHash: string; role?: string | null; clientId?: number | null }, trx?: Knex.Transaction): Promise<number> {
    const now = iso(this.deps.clock.now());
    const [row] = await (trx ?? this.deps.db)('core_users')
      .insert({
        kind: input.kind,
        email: normalizeEmail(input.email),
        name: input.name ?? '',
        password_hash: input.passwordHash,
        role: input.role ?? null,
        client_id: input.clientId ?? null,
        status: 'active',
        created_at: now,
        updated_at: now,
      })
      .returning('id');
    return typeof row === 'object' ? (row as { id: number }).id : (row as number);
  }

  async countStaff(): Promise<number> {
    const [{ n }] = (await this.deps.db('core_users').where({ kind: 'staff' }).count({ n: '*' })) as [{ n: number | string }];
    return Number(n);
  }

  async countActiveAdmins(): Promise<number> {
    const [{ n }] = (await this.deps.db('core_users').where({ kind: 'staff', role: 'admin', status: 'active' }).count({ n: '*' })) as [{ n: number | string }];
    return Number(n);
  }

  listQuery(kind: UserKind) {
    return this.deps.db('core_users').where({ kind });
  }

  async setPassword(id: number, passwordHash: string, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.deps.db)('core_users').where({ id }).update({ password_hash: passwordHash, updated_at: iso(this.deps.clock.now()) });
  }

  async setStatus(id: number, status: 'active' | 'suspended', trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.deps.db)('core_users').where({ id }).update({ status, updated_at: iso(this.deps.clock.now()) });
  }

  async update(id: number, fields: { name?: string; role?: string }): Promise<void> {
    await this.deps.db('core_users').where({ id }).update({ ...fields, updated_at: iso(this.deps.clock.now()) });
  }

  async touchLogin(id: number): Promise<void> {
    await this.deps.db('core_users').where({ id }).update({ last_login_at: iso(this.deps.clock.now()) });
  }
}

// SQL of registrars (bmr_registrars): seed 001's registrar module "BILLmanager" and its balance checks.
import type { Knex } from 'knex';

type Q = Knex | Knex.Transaction;

export interface Registrar {
  id: number;
  name: string;
  serverId: number;
  sendErrors: boolean;
  restartOperations: boolean;
  /** Minor units of minBalanceCurrency. */
  minBalance: number;
  minBalanceCurrency: string;
  lastBalance: number | null;
  lastBalanceCurrency: string | null;
  lastCheckedAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RegistrarFields {
  name: string;
  serverId: number;
  sendErrors: boolean;
  restartOperations: boolean;
  minBalance: number;
  minBalanceCurrency: string;
}

interface DbRow {
  id: number;
  name: string;
  server_id: number;
  send_errors: boolean | number;
  restart_operations: boolean | number;
  min_balance: number | string;
  min_balance_currency: string;
  last_balance: number | string | null;
  last_balance_currency: string | null;
  last_checked_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

const bool = (v: boolean | number) => v === true || v === 1;

function toRegistrar(r: DbRow): Registrar {
  return {
    id: Number(r.id),
    name: r.name,
    serverId: Number(r.server_id),
    sendErrors: bool(r.send_errors),
    restartOperations: bool(r.restart_operations),
    minBalance: Number(r.min_balance),
    minBalanceCurrency: r.min_balance_currency,
    lastBalance: r.last_balance === null ? null : Number(r.last_balance),
    lastBalanceCurrency: r.last_balance_currency,
    lastCheckedAt: r.last_checked_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function listRegistrars(db: Q): Promise<Registrar[]> {
  return ((await db('bmr_registrars').orderBy('name').orderBy('id')) as DbRow[]).map(toRegistrar);
}

export async function findRegistrar(db: Q, id: number): Promise<Registrar | null> {
  if (!Number.isSafeInteger(id)) return null;
  const row = (await db('bmr_registrars').where({ id }).first()) as DbRow | undefined;
  return row ? toRegistrar(row) : null;
}

export async function registrarsOfServer(db: Q, serverId: number): Promise<Registrar[]> {
  return ((await db('bmr_registrars').where({ server_id: serverId }).orderBy('id')) as DbRow[]).map(toRegistrar);
}

export async function nameTaken(db: Q, name: string, exceptId?: number): Promise<boolean> {
  const q = db('bmr_registrars').where({ name }).first('id');
  if (exceptId !== undefined) q.whereNot({ id: exceptId });
  return Boolean(await q);
}

function columns(f: RegistrarFields): Record<string, unknown> {
  return { name: f.name, server_id: f.serverId, send_errors: f.sendErrors, restart_operations: f.restartOperations, min_balance: f.minBalance, min_balance_currency: f.minBalanceCurrency };
}

export async function insertRegistrar(db: Q, f: RegistrarFields, at: string): Promise<number> {
  const [row] = await db('bmr_registrars').insert({ ...columns(f), created_at: at, updated_at: at }).returning('id');
  return typeof row === 'object' && row !== null ? Number((row as { id: number }).id) : Number(row);
}

export async function updateRegistrar(db: Q, id: number, f: RegistrarFields, at: string): Promise<void> {
  await db('bmr_registrars').where({ id }).update({ ...columns(f), updated_at: at });
}

export async function deleteRegistrar(db: Q, id: number): Promise<void> {
  await db('bmr_registrars').where({ id }).delete();
}

export async function recordBalance(db: Q, id: number, r: { amount: number; currency: string; at: string } | { error: string; at: string }): Promise<void> {
  if ('error' in r) await db('bmr_registrars').where({ id }).update({ last_checked_at: r.at, last_error: r.error.slice(0, 2000) });
  else await db('bmr_registrars').where({ id }).update({ last_balance: r.amount, last_balance_currency: r.currency, last_checked_at: r.at, last_error: null });
}

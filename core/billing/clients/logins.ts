// Login users of a client: list them, reset a password (ends their sessions), suspend and reactivate.
import type { Knex } from 'knex';
import { iso } from '../../db/time.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { audit, fail, ok, type ClientDeps, type Outcome } from './outcome.ts';
import { issuesToFields, passwordResetSchema } from './schemas.ts';
import { endClientUserSessions, findClientUser, listClientUsers, updateClientUser, type ClientUserRow, type Queryable } from './store.ts';

export type { ClientUserRow };

/** Every login user of the client, with its contact and last sign-in. */
export async function clientUsers(db: Queryable, clientId: number): Promise<ClientUserRow[]> {
  return listClientUsers(db, clientId);
}

/** Staff sets a new password for a client's login; every session of that login ends. */
export async function resetClientUserPassword(
  db: Knex,
  clientId: number,
  userId: number,
  input: { password: string; confirm?: string },
  deps: ClientDeps,
): Promise<Outcome<{ endedSessions: number }>> {
  const parsed = passwordResetSchema.safeParse({ password: input.password, confirm: input.confirm ?? input.password });
  if (!parsed.success) return fail(issuesToFields(parsed.error));
  if (!(await findClientUser(db, clientId, userId))) return fail({ _form: 'This login does not exist (any more).' });
  const passwordHash = await hashPassword(parsed.data.password);
  const at = iso(deps.clock.now());
  return db.transaction(async (trx) => {
    const user = await findClientUser(trx, clientId, userId);
    if (!user) return fail({ _form: 'This login does not exist (any more).' });
    await updateClientUser(trx, clientId, userId, { password_hash: passwordHash }, at);
    const endedSessions = await endClientUserSessions(trx, userId);
    await audit(trx, deps, 'client.login_password_reset', clientId, { userId, email: user.email, endedSessions });
    return ok({ endedSessions });
  });
}

/** Suspends a client's login (signing it out everywhere) or lets it sign in again. */
export async function setClientUserStatus(db: Knex, clientId: number, userId: number, status: 'active' | 'suspended', deps: ClientDeps): Promise<Outcome<{ endedSessions: number }>> {
  const at = iso(deps.clock.now());
  return db.transaction(async (trx) => {
    const user = await findClientUser(trx, clientId, userId);
    if (!user) return fail({ _form: 'This login does not exist (any more).' });
    if (user.status === status) return fail({ _form: `This login is already ${status}.` });
    await updateClientUser(trx, clientId, userId, { status }, at);
    const endedSessions = status === 'suspended' ? await endClientUserSessions(trx, userId) : 0;
    await audit(trx, deps, status === 'suspended' ? 'client.login_suspended' : 'client.login_activated', clientId, { userId, email: user.email, ...(endedSessions ? { endedSessions } : {}) });
    return ok({ endedSessions });
  });
}

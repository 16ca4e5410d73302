// The primary contact's login is the account owner's (role 'owner'): the client portal lets only the
// owner manage contacts and their logins. Logins made before carried the contact's permissions.
import type { Knex } from 'knex';

const primaryLogins = (knex: Knex) => knex('core_contacts').where({ is_primary: true }).whereNotNull('user_id').select('user_id');

export async function up(knex: Knex): Promise<void> {
  await knex('core_users').where({ kind: 'client' }).whereIn('id', primaryLogins(knex)).update({ role: 'owner' });
}

export async function down(knex: Knex): Promise<void> {
  // Back to the contact's permissions, as the login was created with.
  const rows = (await knex('core_contacts').where({ is_primary: true }).whereNotNull('user_id').select('user_id', 'permissions')) as { user_id: number; permissions: string }[];
  for (const r of rows) await knex('core_users').where({ id: r.user_id, kind: 'client', role: 'owner' }).update({ role: r.permissions });
}

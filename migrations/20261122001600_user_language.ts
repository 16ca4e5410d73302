// The language a login user reads the panel in (seed 003: clients choose it on their contact record).
// Empty means "not chosen": the client's language, then the browser's, decides.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_users', (t) => {
    t.string('language', 5).notNullable().defaultTo('');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_users', (t) => t.dropColumn('language'));
}

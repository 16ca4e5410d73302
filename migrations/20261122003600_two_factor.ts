// Two-step sign-in (TOTP, RFC 6238): the user's sealed secret, single-use recovery codes (hashed),
// and the short-lived record that binds the second step to a password that was just verified.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_user_totp', (t) => {
    t.integer('user_id').primary().references('id').inTable('core_users').onDelete('CASCADE');
    t.text('secret_sealed').notNullable();
    t.string('created_at', 30).notNullable();
    // Null while the user has scanned the code but not yet confirmed it: sign-in ignores the row then.
    t.string('enabled_at', 30).nullable();
    // The last 30-second step a code was accepted for; a code is never accepted twice.
    t.bigInteger('last_step').nullable();
  });

  await knex.schema.createTable('core_user_recovery_codes', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('id').inTable('core_users').onDelete('CASCADE');
    t.string('code_hash', 100).notNullable();
    t.string('created_at', 30).notNullable();
    t.string('used_at', 30).nullable();
    t.unique(['user_id', 'code_hash']);
  });

  await knex.schema.createTable('core_pending_logins', (t) => {
    t.string('id', 64).primary(); // sha256 of the cookie token
    t.integer('user_id').notNullable().references('id').inTable('core_users').onDelete('CASCADE');
    t.string('kind', 10).notNullable();
    t.string('next', 500).notNullable().defaultTo('');
    t.string('method', 20).notNullable().defaultTo('password'); // what verified the first step: password | sso
    t.string('ip', 64).nullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['expires_at']);
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('core_pending_logins');
  await knex.schema.dropTableIfExists('core_user_recovery_codes');
  await knex.schema.dropTableIfExists('core_user_totp');
}

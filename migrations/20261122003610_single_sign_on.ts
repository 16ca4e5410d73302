// Global Account single sign-on between the portal and hosting control panels: the secret each
// processing server signs its return links with, which login a panel account is connected to,
// and the ids of return links already used (each works once).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_sso_server_secrets', (t) => {
    t.integer('server_id').primary().references('id').inTable('core_processing_servers').onDelete('CASCADE');
    t.text('secret_sealed').notNullable();
    t.string('created_at', 30).notNullable();
    t.string('created_by', 254).notNullable().defaultTo('');
  });

  await knex.schema.createTable('core_sso_links', (t) => {
    t.integer('service_id').primary().references('id').inTable('core_services').onDelete('CASCADE');
    t.integer('client_id').notNullable();
    t.integer('user_id').notNullable().references('id').inTable('core_users').onDelete('CASCADE');
    t.string('created_at', 30).notNullable();
    t.index(['client_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('core_sso_used_tokens', (t) => {
    t.string('id', 64).primary(); // sha256 of the server id and the token's nonce
    t.string('expires_at', 30).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('core_sso_used_tokens');
  await knex.schema.dropTableIfExists('core_sso_links');
  await knex.schema.dropTableIfExists('core_sso_server_secrets');
}

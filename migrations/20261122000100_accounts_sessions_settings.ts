// Core schema: settings, users (staff and client logins), sessions, login throttling, audit log, outbox.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_settings', (t) => {
    t.string('key', 200).primary();
    t.text('value').notNullable();
    t.string('updated_at', 30).notNullable();
  });

  await knex.schema.createTable('core_users', (t) => {
    t.increments('id');
    t.string('kind', 10).notNullable(); // 'staff' | 'client'
    t.string('email', 254).notNullable();
    t.string('name', 200).notNullable().defaultTo('');
    t.string('password_hash', 200).notNullable();
    t.string('role', 40).nullable(); // staff: admin | billing | support; client: owner | billing | technical | all
    t.integer('client_id').nullable();
    t.string('status', 20).notNullable().defaultTo('active'); // active | suspended
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('last_login_at', 30).nullable();
    t.unique(['kind', 'email']);
    t.index(['client_id']);
  });

  await knex.schema.createTable('core_sessions', (t) => {
    t.string('id', 64).primary(); // sha256 of the cookie token; the token itself is never stored
    t.integer('user_id').notNullable().references('id').inTable('core_users').onDelete('CASCADE');
    t.string('created_at', 30).notNullable();
    t.string('last_seen_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('ip', 64).nullable();
    t.string('user_agent', 300).nullable();
    t.index(['user_id']);
    t.index(['expires_at']);
    t.index(['last_seen_at']);
  });

  await knex.schema.createTable('core_login_throttle', (t) => {
    t.string('key', 300).primary(); // 'account:<kind>:<email>' or 'ip:<address>'
    t.integer('failures').notNullable().defaultTo(0);
    t.string('window_started_at', 30).notNullable();
    t.string('locked_until', 30).nullable();
    t.index(['window_started_at']);
  });

  await knex.schema.createTable('core_audit_log', (t) => {
    t.increments('id');
    t.string('at', 30).notNullable();
    t.string('actor_type', 20).notNullable(); // staff | client | system | anonymous
    t.integer('actor_id').nullable();
    t.string('actor_label', 254).notNullable().defaultTo('');
    t.string('action', 100).notNullable();
    t.string('target', 200).nullable();
    t.string('ip', 64).nullable();
    t.text('details').nullable();
    t.index(['at']);
    t.index(['action', 'at']);
  });

  await knex.schema.createTable('core_outbox', (t) => {
    t.increments('id');
    t.string('created_at', 30).notNullable();
    t.string('to', 500).notNullable();
    t.string('subject', 300).notNullable();
    t.text('text').notNullable();
    t.text('html').nullable();
    t.string('status', 20).notNullable(); // held (no SMTP) | queued | sent | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30).nullable();
    t.string('sent_at', 30).nullable();
    t.text('error').nullable();
    t.index(['created_at']);
    t.index(['status', 'next_attempt_at']);
    t.index(['status', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['core_outbox', 'core_audit_log', 'core_login_throttle', 'core_sessions', 'core_users', 'core_settings']) {
    await knex.schema.dropTableIfExists(t);
  }
}

// Processing servers (seed 001/002) and minimal support tickets (departments, replies, system tickets).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_processing_servers', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable().unique(); // what staff pick it by: two servers must not look alike
    t.string('module', 60).notNullable(); // a registered processing module ('manual', 'billmanager', ...)
    t.string('item_type', 40).notNullable().references('id').inTable('core_item_types'); // one server serves one item type
    t.string('url', 500).notNullable().defaultTo('');
    t.string('username', 200).notNullable().defaultTo('');
    t.text('password_sealed').nullable(); // SecretBox-encrypted
    t.integer('department_id').nullable().references('id').inTable('core_departments').onDelete('SET NULL');
    t.integer('max_clients').nullable(); // null = no limit
    t.boolean('use_for_new_orders').notNullable().defaultTo(true);
    t.boolean('allow_prolong').notNullable().defaultTo(false);
    t.boolean('allow_set_param').notNullable().defaultTo(false);
    t.boolean('notify_errors').notNullable().defaultTo(true);
    t.text('config').notNullable().defaultTo('{}'); // JSON fetched from the server: presets, enumerations
    t.string('config_fetched_at', 30).nullable();
    t.string('checked_at', 30).nullable();
    t.boolean('check_ok').nullable();
    t.text('check_message').nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['item_type', 'use_for_new_orders']);
    t.index(['module']);
    t.index(['url', 'username']); // seed 002: one upstream login serves one item type per server
  });

  await knex.schema.createTable('core_tickets', (t) => {
    t.increments('id');
    t.integer('client_id').nullable().references('id').inTable('core_clients').onDelete('SET NULL');
    t.integer('department_id').nullable().references('id').inTable('core_departments').onDelete('SET NULL');
    t.integer('service_id').nullable(); // what it is about, if anything
    t.string('subject', 300).notNullable();
    t.string('status', 20).notNullable().defaultTo('open'); // open | answered | customer_reply | closed
    t.string('priority', 10).notNullable().defaultTo('normal'); // low | normal | high | urgent
    t.string('origin', 10).notNullable(); // client | staff | system
    t.string('dedupe_key', 200).nullable().unique(); // system tickets: one per cause ('balance-low:<server>:<day>')
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.string('closed_at', 30).nullable();
    t.index(['status', 'updated_at']);
    t.index(['client_id', 'updated_at']);
    t.index(['department_id', 'status', 'updated_at']);
    t.index(['updated_at']);
    t.index(['created_at']);
    t.index(['service_id']);
  });

  await knex.schema.createTable('core_ticket_messages', (t) => {
    t.increments('id');
    t.integer('ticket_id').notNullable().references('id').inTable('core_tickets').onDelete('CASCADE');
    t.string('author_type', 10).notNullable(); // client | staff | system
    t.integer('author_id').nullable();
    t.string('author_label', 254).notNullable().defaultTo('');
    t.text('body').notNullable();
    t.boolean('internal').notNullable().defaultTo(false); // staff-only note
    t.string('created_at', 30).notNullable();
    t.index(['ticket_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['core_ticket_messages', 'core_tickets', 'core_processing_servers']) await knex.schema.dropTableIfExists(t);
}

// The reseller's own records: imported upstream tariffs and their costs, price changes noticed
// upstream, registrars (seed 001) and how far the upstream's event log has been read.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // An upstream tariff imported as a local package (one package per tariff and server).
  await knex.schema.createTable('bmr_tariffs', (t) => {
    t.increments('id');
    t.integer('server_id').notNullable().references('id').inTable('core_processing_servers').onDelete('CASCADE');
    t.integer('package_id').notNullable().unique().references('id').inTable('core_packages').onDelete('CASCADE');
    t.string('upstream_id', 40).notNullable();
    t.string('upstream_itemtype', 20).notNullable();
    t.string('upstream_name', 300).notNullable();
    t.string('tld', 63).nullable(); // domains: the zone this tariff registers
    t.string('currency', 3).notNullable(); // of the upstream costs
    t.text('snapshot').notNullable(); // JSON: periods, OS templates and add-ons as last accepted
    t.string('imported_at', 30).notNullable();
    t.string('checked_at', 30).nullable();
    t.unique(['server_id', 'upstream_id']);
    t.index(['tld']);
  });

  // The upstream cost of each period of an imported tariff, and the local period it became.
  await knex.schema.createTable('bmr_tariff_periods', (t) => {
    t.increments('id');
    t.integer('tariff_id').notNullable().references('id').inTable('bmr_tariffs').onDelete('CASCADE');
    t.integer('period_id').nullable().references('id').inTable('core_package_periods').onDelete('SET NULL');
    t.integer('code').notNullable(); // BILLmanager period code: months, 0 lifetime, -50 day, -100 trial
    t.bigInteger('cost').notNullable(); // minor units of bmr_tariffs.currency
    t.unique(['tariff_id', 'code']);
    t.index(['period_id']);
  });

  // A change of an imported tariff's periods or costs, noticed once (unique fingerprint per tariff).
  await knex.schema.createTable('bmr_price_changes', (t) => {
    t.increments('id');
    t.integer('tariff_id').notNullable().references('id').inTable('bmr_tariffs').onDelete('CASCADE');
    t.string('fingerprint', 64).notNullable();
    t.text('details').notNullable(); // JSON: { before, after }
    t.string('status', 12).notNullable().defaultTo('open'); // open | accepted | dismissed
    t.integer('ticket_id').nullable();
    t.string('detected_at', 30).notNullable();
    t.string('resolved_at', 30).nullable();
    t.string('resolved_by', 254).nullable();
    t.unique(['tariff_id', 'fingerprint']);
    t.index(['status', 'id']);
  });

  // Seed 001's registrar "BILLmanager": a processing server, Send errors, Restart operations, minimum balance.
  await knex.schema.createTable('bmr_registrars', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable().unique();
    t.integer('server_id').notNullable().references('id').inTable('core_processing_servers').onDelete('CASCADE');
    t.boolean('send_errors').notNullable().defaultTo(true);
    t.boolean('restart_operations').notNullable().defaultTo(true);
    t.bigInteger('min_balance').notNullable().defaultTo(0); // minor units of min_balance_currency
    t.string('min_balance_currency', 3).notNullable();
    t.bigInteger('last_balance').nullable();
    t.string('last_balance_currency', 3).nullable();
    t.string('last_checked_at', 30).nullable();
    t.text('last_error').nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['server_id']);
  });

  // How far each server's upstream event log has been read (the checkevent job).
  await knex.schema.createTable('bmr_event_cursors', (t) => {
    t.integer('server_id').primary().references('id').inTable('core_processing_servers').onDelete('CASCADE');
    t.bigInteger('last_event_id').notNullable().defaultTo(0);
    t.string('polled_at', 30).nullable();
    t.text('last_error').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['bmr_event_cursors', 'bmr_registrars', 'bmr_price_changes', 'bmr_tariff_periods', 'bmr_tariffs']) await knex.schema.dropTableIfExists(t);
}

// Billing reference data: currencies and rates, tax rates, departments, item types, enumerations, counters.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_currencies', (t) => {
    t.string('code', 3).primary(); // ISO 4217
    t.string('name', 60).notNullable();
    t.string('symbol', 8).notNullable().defaultTo('');
    t.integer('minor_units').notNullable().defaultTo(2);
    // Price of one unit in the base currency, in millionths (money/money.ts RATE_SCALE).
    t.bigInteger('rate_to_base').notNullable().defaultTo(1_000_000);
    t.boolean('is_base').notNullable().defaultTo(false);
    t.boolean('active').notNullable().defaultTo(true);
    t.string('updated_at', 30).notNullable();
  });

  await knex.schema.createTable('core_tax_rates', (t) => {
    t.increments('id');
    t.string('country', 2).notNullable();
    t.string('region', 10).notNullable().defaultTo(''); // '' = the whole country
    t.string('name', 60).notNullable();
    t.integer('rate_bp').notNullable(); // basis points: 2000 = 20 %
    t.boolean('active').notNullable().defaultTo(true);
    t.unique(['country', 'region']);
  });

  await knex.schema.createTable('core_departments', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable().unique();
    t.string('kind', 20).notNullable().defaultTo('support'); // billing | support | technical | sales | other
    t.string('email', 254).nullable();
    t.string('created_at', 30).notNullable();
  });

  await knex.schema.createTable('core_item_types', (t) => {
    t.string('id', 40).primary(); // 'domain', 'vds', 'dedicated', ... plugins add their own
    t.string('name', 100).notNullable();
    t.string('owner', 60).notNullable().defaultTo('core');
    t.boolean('enabled').notNullable().defaultTo(true); // the feature switch: is this kind of service sold at all
    t.boolean('needs_parent').notNullable().defaultTo(false); // "Server required": ordered as an add-on of another service
    t.integer('position').notNullable().defaultTo(100);
  });

  await knex.schema.createTable('core_enumerations', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.string('internal_name', 100).notNullable().unique();
  });

  await knex.schema.createTable('core_enumeration_items', (t) => {
    t.increments('id');
    t.integer('enumeration_id').notNullable().references('id').inTable('core_enumerations').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('internal_name', 100).notNullable();
    t.integer('position').notNullable().defaultTo(0);
    t.unique(['enumeration_id', 'internal_name']);
  });

  // Gap-free sequences (invoice numbers): incremented with an UPDATE inside the writer's transaction.
  await knex.schema.createTable('core_counters', (t) => {
    t.string('name', 60).primary();
    t.bigInteger('value').notNullable().defaultTo(0);
  });

  // Starting data an operator adjusts: one base currency (others are added with their rates), the
  // built-in item types, and the departments tickets go to.
  const now = new Date().toISOString();
  await knex('core_currencies').insert([
    { code: 'USD', name: 'US dollar', symbol: '$', minor_units: 2, rate_to_base: 1_000_000, is_base: true, active: true, updated_at: now },
  ]);
  // Rows of one multi-row insert must have the same keys: knex on SQLite fills missing ones with NULL.
  await knex('core_item_types').insert([
    { id: 'hosting', name: 'Web hosting', position: 10 },
    { id: 'domain', name: 'Domain names', position: 20 },
    { id: 'vds', name: 'Virtual servers', position: 30 },
    { id: 'dedicated', name: 'Dedicated servers', position: 40 },
    { id: 'colocation', name: 'Colocation', position: 50 },
    { id: 'ssl', name: 'SSL certificates', position: 60 },
    { id: 'software', name: 'Software licenses', position: 70 },
    { id: 'other', name: 'Other services', position: 90 },
  ].map((r) => ({ owner: 'core', enabled: true, needs_parent: false, ...r })));
  await knex('core_departments').insert([
    { name: 'Billing', kind: 'billing', created_at: now },
    { name: 'Support', kind: 'support', created_at: now },
    { name: 'Technical', kind: 'technical', created_at: now },
  ]);
  await knex('core_counters').insert({ name: 'invoice', value: 0 });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['core_counters', 'core_enumeration_items', 'core_enumerations', 'core_item_types', 'core_departments', 'core_tax_rates', 'core_currencies']) {
    await knex.schema.dropTableIfExists(t);
  }
}

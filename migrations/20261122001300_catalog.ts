// Catalog: packages (tariff plans), their periods and prices per currency, add-ons and their prices.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_packages', (t) => {
    t.increments('id');
    t.string('name', 200).notNullable();
    t.string('internal_name', 100).notNullable().unique(); // must match a server preset when the module says so
    t.string('item_type', 40).notNullable().references('id').inTable('core_item_types');
    t.string('billing_type', 10).notNullable().defaultTo('period'); // period | usage
    t.text('description').notNullable().defaultTo('');
    t.text('agreement').notNullable().defaultTo(''); // order agreement text, shown for acceptance at checkout
    t.boolean('active').notNullable().defaultTo(true); // orderable
    t.integer('position').notNullable().defaultTo(100);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    // The admin list filters by item type and status and sorts by name; ordering lists active packages.
    t.index(['item_type', 'active']);
    t.index(['active', 'name']);
    t.index(['name']);
  });

  // Processing servers allowed to provide a package.
  await knex.schema.createTable('core_package_servers', (t) => {
    t.integer('package_id').notNullable().references('id').inTable('core_packages').onDelete('CASCADE');
    t.integer('server_id').notNullable().references('id').inTable('core_processing_servers').onDelete('CASCADE');
    t.primary(['package_id', 'server_id']);
    t.index(['server_id']);
  });

  // Upgrade/downgrade paths: from a package to the packages a client may switch to.
  await knex.schema.createTable('core_package_upgrades', (t) => {
    t.integer('package_id').notNullable().references('id').inTable('core_packages').onDelete('CASCADE');
    t.integer('to_package_id').notNullable().references('id').inTable('core_packages').onDelete('CASCADE');
    t.primary(['package_id', 'to_package_id']);
    t.index(['to_package_id']); // deleting a package cascades through this side too
  });

  await knex.schema.createTable('core_package_periods', (t) => {
    t.increments('id');
    t.integer('package_id').notNullable().references('id').inTable('core_packages').onDelete('CASCADE');
    t.string('kind', 10).notNullable(); // trial | days | months | lifetime
    t.integer('length').notNullable().defaultTo(0); // days for trial/days, months for months, 0 for lifetime
    t.boolean('active').notNullable().defaultTo(true);
    t.integer('position').notNullable().defaultTo(0);
    t.unique(['package_id', 'kind', 'length']);
  });

  await knex.schema.createTable('core_package_prices', (t) => {
    t.integer('period_id').notNullable().references('id').inTable('core_package_periods').onDelete('CASCADE');
    t.string('currency', 3).notNullable().references('code').inTable('core_currencies');
    t.bigInteger('price').notNullable(); // minor units, per period
    t.bigInteger('setup_fee').notNullable().defaultTo(0);
    t.primary(['period_id', 'currency']);
  });

  await knex.schema.createTable('core_addons', (t) => {
    t.increments('id');
    t.integer('package_id').notNullable().references('id').inTable('core_packages').onDelete('CASCADE');
    t.string('name', 200).notNullable();
    t.string('internal_name', 100).notNullable();
    t.string('kind', 10).notNullable(); // enum | logic | number
    // No cascade: an enumeration in use by an add-on cannot be deleted (the admin UI says which).
    t.integer('enumeration_id').nullable().references('id').inTable('core_enumerations');
    t.integer('min_value').notNullable().defaultTo(0); // number add-ons
    t.integer('max_value').nullable();
    t.integer('step').notNullable().defaultTo(1);
    t.integer('included').notNullable().defaultTo(0); // units included in the package price
    t.string('unit', 20).notNullable().defaultTo('');
    t.string('default_value', 100).notNullable().defaultTo('');
    t.boolean('required').notNullable().defaultTo(false);
    t.boolean('active').notNullable().defaultTo(true); // offered with new orders; services keep theirs
    t.integer('position').notNullable().defaultTo(0);
    t.unique(['package_id', 'internal_name']);
    t.index(['enumeration_id']);
  });

  // Price of an add-on per package period and currency: per unit (number), for "yes" (logic),
  // or per enumeration item (enum). A missing row means "not offered" for that period and currency.
  await knex.schema.createTable('core_addon_prices', (t) => {
    t.increments('id');
    t.integer('addon_id').notNullable().references('id').inTable('core_addons').onDelete('CASCADE');
    t.integer('period_id').notNullable().references('id').inTable('core_package_periods').onDelete('CASCADE');
    t.string('currency', 3).notNullable().references('code').inTable('core_currencies');
    t.integer('enum_item_id').notNullable().defaultTo(0); // 0 for number/logic add-ons
    t.bigInteger('price').notNullable();
    t.unique(['addon_id', 'period_id', 'currency', 'enum_item_id']);
    t.index(['period_id']); // deleting a period cascades here
  });

  // The catalog's reference lists (created in 20261122001000) are list pages sorted by these columns.
  await knex.schema.alterTable('core_currencies', (t) => t.index(['name']));
  await knex.schema.alterTable('core_tax_rates', (t) => t.index(['name']));
  await knex.schema.alterTable('core_item_types', (t) => {
    t.index(['position']);
    t.index(['name']);
  });
  await knex.schema.alterTable('core_enumerations', (t) => t.index(['name']));
  await knex.schema.alterTable('core_enumeration_items', (t) => t.index(['enumeration_id', 'position']));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_enumeration_items', (t) => t.dropIndex(['enumeration_id', 'position']));
  await knex.schema.alterTable('core_enumerations', (t) => t.dropIndex(['name']));
  await knex.schema.alterTable('core_item_types', (t) => {
    t.dropIndex(['position']);
    t.dropIndex(['name']);
  });
  await knex.schema.alterTable('core_tax_rates', (t) => t.dropIndex(['name']));
  await knex.schema.alterTable('core_currencies', (t) => t.dropIndex(['name']));
  for (const t of ['core_addon_prices', 'core_addons', 'core_package_prices', 'core_package_periods', 'core_package_upgrades', 'core_package_servers', 'core_packages']) {
    await knex.schema.dropTableIfExists(t);
  }
}

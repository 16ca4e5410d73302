// Changes a client asks for on a service (seed 003, Managing Packages): upgrades and downgrades of the
// package or its add-ons with the prorated price of the change, and cancellation requests.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One row per confirmed change. A change that costs money waits for its invoice (awaiting_payment)
  // and is applied when the invoice is paid; a change that is free or returns credit is applied at once.
  await knex.schema.createTable('core_service_upgrades', (t) => {
    t.increments('id');
    t.integer('service_id').notNullable().references('id').inTable('core_services').onDelete('CASCADE');
    t.integer('client_id').notNullable().references('id').inTable('core_clients');
    t.string('kind', 10).notNullable(); // package | addons
    t.integer('from_package_id').notNullable().references('id').inTable('core_packages');
    t.integer('to_package_id').notNullable().references('id').inTable('core_packages');
    t.integer('to_period_id').nullable().references('id').inTable('core_package_periods').onDelete('SET NULL');
    t.string('currency', 3).notNullable();
    t.bigInteger('old_price').notNullable(); // the service's price per period before and after the change
    t.bigInteger('new_price').notNullable();
    // JSON: the add-ons the service has after the change, [{ addonId, internalName, value, price }].
    t.text('addons').notNullable().defaultTo('[]');
    t.string('basis', 10).notNullable(); // days | trial | lifetime: how the price of the change was found
    t.string('period_start', 10).nullable();
    t.string('period_end', 10).nullable();
    t.integer('days_left').notNullable().defaultTo(0);
    t.integer('days_in_period').notNullable().defaultTo(0);
    t.bigInteger('credit').notNullable().defaultTo(0); // unused part of the old price (net)
    t.bigInteger('charge').notNullable().defaultTo(0); // rest of the period at the new price (net)
    t.bigInteger('tax').notNullable().defaultTo(0);
    t.bigInteger('total').notNullable().defaultTo(0); // signed, tax included: > 0 invoiced, < 0 credited
    t.integer('invoice_id').nullable().references('id').inTable('core_invoices');
    t.string('status', 20).notNullable(); // awaiting_payment | applied | cancelled | void
    t.string('note', 500).notNullable().defaultTo('');
    t.string('actor', 254).notNullable().defaultTo('');
    t.string('created_at', 30).notNullable();
    t.string('closed_at', 30).nullable(); // applied, cancelled or voided
    t.index(['service_id', 'id']);
    t.index(['service_id', 'status']);
    t.index(['invoice_id']);
    t.index(['client_id', 'id']);
  });

  // A client's request to cancel a service. Only one may be pending per service
  // (core_services.cancel_requested mirrors that one for lists and staff pages).
  await knex.schema.createTable('core_service_cancel_requests', (t) => {
    t.increments('id');
    t.integer('service_id').notNullable().references('id').inTable('core_services').onDelete('CASCADE');
    t.integer('client_id').notNullable().references('id').inTable('core_clients');
    t.string('timing', 20).notNullable(); // end_of_period | immediate
    t.string('effective_on', 10).nullable(); // the day the service ends (end of its period); null: staff decide
    t.string('reason', 500).notNullable().defaultTo('');
    t.boolean('auto_renew_before').notNullable(); // restored when the request is withdrawn
    t.string('status', 12).notNullable(); // pending | withdrawn
    t.integer('requested_by').nullable(); // the client user
    t.string('requested_by_label', 254).notNullable().defaultTo('');
    t.string('requested_at', 30).notNullable();
    t.string('closed_at', 30).nullable();
    t.index(['service_id', 'status']);
    t.index(['client_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('core_service_cancel_requests');
  await knex.schema.dropTableIfExists('core_service_upgrades');
}

// Refunds are tracked apart from payments so a paid invoice always has amount_paid >= total: a partial
// refund leaves it paid with amount_refunded > 0, a full one makes it refunded.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_invoices', (t) => {
    t.bigInteger('amount_refunded').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_invoices', (t) => t.dropColumn('amount_refunded'));
}

// The client portal's invoice list filters by status and sorts by date or amount: with the status
// between the client and the sort column, both combinations read one index range (a page of a rare
// status no longer walks all of a client's invoices to find 25). Sorting by status without a filter
// already has (client_id, status, id).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_invoices', (t) => {
    t.index(['client_id', 'status', 'entered_on', 'id'], 'core_invoices_client_status_entered_index');
    t.index(['client_id', 'status', 'total', 'id'], 'core_invoices_client_status_total_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_invoices', (t) => {
    t.dropIndex(['client_id', 'status', 'entered_on', 'id'], 'core_invoices_client_status_entered_index');
    t.dropIndex(['client_id', 'status', 'total', 'id'], 'core_invoices_client_status_total_index');
  });
}

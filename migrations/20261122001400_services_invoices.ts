// Services, their history and operations; invoices, lines, transactions, payment attempts; billing accounts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_services', (t) => {
    t.increments('id');
    t.integer('client_id').notNullable().references('id').inTable('core_clients');
    t.integer('package_id').notNullable().references('id').inTable('core_packages');
    t.string('item_type', 40).notNullable();
    t.string('label', 255).notNullable().defaultTo(''); // what the client calls it: a domain name, a hostname
    t.string('status', 30).notNullable(); // see core/billing/services/status.ts
    t.integer('period_id').nullable().references('id').inTable('core_package_periods').onDelete('SET NULL');
    t.string('period_kind', 10).notNullable(); // copied from the period: prices and terms stay as ordered
    t.integer('period_length').notNullable();
    t.string('currency', 3).notNullable();
    t.bigInteger('price').notNullable(); // per period, add-ons included
    t.boolean('auto_renew').notNullable().defaultTo(true);
    t.string('expires_on', 10).nullable(); // YYYY-MM-DD; null until active, and for lifetime
    t.text('params').notNullable().defaultTo('{}'); // JSON: ip, domain, os, ...
    t.integer('parent_id').nullable().references('id').inTable('core_services');
    t.integer('processing_server_id').nullable().references('id').inTable('core_processing_servers').onDelete('SET NULL');
    t.string('external_id', 200).nullable(); // the upstream's id of the service
    t.string('suspend_reason', 300).nullable();
    t.boolean('cancel_requested').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('activated_at', 30).nullable();
    t.string('updated_at', 30).notNullable();
    t.index(['client_id', 'id']);
    t.index(['status', 'expires_on']); // suspension runs
    t.index(['status', 'id']); // renewal runs page through one status at a time
    t.index(['package_id']);
    t.index(['processing_server_id', 'status']);
    t.index(['parent_id']);
    t.index(['external_id']);
    t.index(['item_type', 'status']);
    t.index(['expires_on', 'id']);
  });

  await knex.schema.createTable('core_service_addons', (t) => {
    t.integer('service_id').notNullable().references('id').inTable('core_services').onDelete('CASCADE');
    t.integer('addon_id').notNullable().references('id').inTable('core_addons');
    t.string('value', 100).notNullable(); // number as text, '1'/'0' for logic, enumeration item internal name
    t.bigInteger('price').notNullable().defaultTo(0); // per period, as ordered
    t.primary(['service_id', 'addon_id']);
    t.index(['addon_id']);
  });

  await knex.schema.createTable('core_service_history', (t) => {
    t.increments('id');
    t.integer('service_id').notNullable().references('id').inTable('core_services').onDelete('CASCADE');
    t.string('at', 30).notNullable();
    t.string('from_status', 30).nullable();
    t.string('to_status', 30).notNullable();
    t.string('actor_type', 10).notNullable(); // staff | client | system
    t.integer('actor_id').nullable();
    t.string('actor_label', 254).notNullable().defaultTo('');
    t.string('reason', 500).notNullable().defaultTo('');
    t.index(['service_id', 'id']);
  });

  // Every call to a processing module runs as an operation: pending → running → done | failed | manual.
  await knex.schema.createTable('core_service_operations', (t) => {
    t.increments('id');
    t.integer('service_id').notNullable().references('id').inTable('core_services').onDelete('CASCADE');
    t.integer('server_id').nullable().references('id').inTable('core_processing_servers').onDelete('SET NULL');
    t.string('op', 20).notNullable(); // open | suspend | resume | close | prolong | set_param | sync
    t.string('status', 10).notNullable().defaultTo('pending');
    t.text('payload').notNullable().defaultTo('{}');
    t.text('result').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(5);
    t.string('next_attempt_at', 30).nullable();
    t.text('last_error').nullable();
    t.integer('ticket_id').nullable().references('id').inTable('core_tickets').onDelete('SET NULL');
    t.string('locked_by', 120).nullable();
    t.string('locked_until', 30).nullable();
    t.string('created_at', 30).notNullable();
    t.string('started_at', 30).nullable();
    t.string('finished_at', 30).nullable();
    t.string('completed_by', 254).nullable(); // who completed a manual operation
    t.index(['status', 'next_attempt_at']);
    t.index(['service_id', 'id']);
    t.index(['server_id', 'status']);
  });

  await knex.schema.createTable('core_invoices', (t) => {
    t.increments('id');
    t.string('number', 40).notNullable().unique(); // sequential, from core_counters
    t.integer('client_id').notNullable().references('id').inTable('core_clients');
    t.string('kind', 10).notNullable(); // order | renewal | upgrade | manual
    t.string('status', 12).notNullable(); // draft | unpaid | paid | cancelled | refunded | collections
    t.string('currency', 3).notNullable();
    t.boolean('tax_inclusive').notNullable().defaultTo(false);
    t.bigInteger('subtotal').notNullable(); // sum of line amounts before discount
    t.bigInteger('discount').notNullable().defaultTo(0);
    t.bigInteger('tax').notNullable().defaultTo(0);
    t.bigInteger('total').notNullable(); // what the client owes
    t.bigInteger('amount_paid').notNullable().defaultTo(0);
    t.string('entered_on', 10).notNullable(); // YYYY-MM-DD
    t.string('due_on', 10).notNullable();
    t.string('paid_at', 30).nullable();
    t.string('closed_at', 30).nullable(); // cancelled / refunded
    t.integer('reminder_stage').notNullable().defaultTo(0); // dunning: 0 none, 1 before due, 2..4 overdue 1st..3rd
    t.text('notes').notNullable().defaultTo('');
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['client_id', 'entered_on', 'id']);
    t.index(['client_id', 'status', 'id']);
    t.index(['client_id', 'total', 'id']);
    t.index(['status', 'due_on']);
    t.index(['entered_on', 'id']);
    t.index(['due_on', 'id']);
    t.index(['total', 'id']);
  });

  await knex.schema.createTable('core_invoice_lines', (t) => {
    t.increments('id');
    t.integer('invoice_id').notNullable().references('id').inTable('core_invoices').onDelete('CASCADE');
    t.integer('service_id').nullable().references('id').inTable('core_services');
    t.string('kind', 10).notNullable(); // service | setup | addon | renewal | upgrade | discount | credit | manual
    t.string('description', 500).notNullable();
    t.string('period_start', 10).nullable();
    t.string('period_end', 10).nullable();
    t.integer('quantity').notNullable().defaultTo(1);
    t.bigInteger('unit_price').notNullable();
    t.bigInteger('amount').notNullable(); // quantity × unit price (the invoice's discount is spread over lines for tax only)
    t.integer('tax_rate_bp').notNullable().defaultTo(0);
    t.bigInteger('tax').notNullable().defaultTo(0);
    t.integer('position').notNullable().defaultTo(0);
    t.index(['invoice_id', 'position']);
    t.index(['service_id']);
  });

  // One row per billed service period: the key that makes renewal runs idempotent and crash-safe.
  await knex.schema.createTable('core_service_billing_periods', (t) => {
    t.integer('service_id').notNullable().references('id').inTable('core_services').onDelete('CASCADE');
    t.string('period_start', 10).notNullable();
    t.string('period_end', 10).nullable();
    t.integer('invoice_id').notNullable().references('id').inTable('core_invoices').onDelete('CASCADE');
    t.primary(['service_id', 'period_start']);
    t.index(['invoice_id']);
  });

  await knex.schema.createTable('core_transactions', (t) => {
    t.increments('id');
    t.integer('client_id').notNullable().references('id').inTable('core_clients');
    t.integer('invoice_id').nullable().references('id').inTable('core_invoices');
    t.string('gateway', 40).notNullable(); // test | manual | bank | credit
    t.string('external_id', 200).notNullable(); // the gateway's id; (gateway, external_id) is unique: replays pay nothing
    t.string('method', 40).notNullable(); // what the client sees: Credit Card, Bank transfer, Credit balance, ...
    t.string('status', 10).notNullable(); // approved | declined | error | pending | refunded
    t.string('status_code', 40).notNullable().defaultTo('');
    t.bigInteger('amount').notNullable(); // signed: refunds are negative
    t.string('currency', 3).notNullable();
    t.integer('refund_of').nullable().references('id').inTable('core_transactions');
    t.text('raw').nullable(); // what the gateway sent, for disputes
    t.string('created_at', 30).notNullable();
    t.unique(['gateway', 'external_id']);
    t.index(['invoice_id']);
    t.index(['client_id', 'created_at']);
    t.index(['refund_of']);
  });

  // A payment the client started on a gateway's page; the signed callback completes it once.
  await knex.schema.createTable('core_payment_attempts', (t) => {
    t.string('id', 40).primary(); // random, sent to the gateway as the order reference
    t.integer('client_id').notNullable().references('id').inTable('core_clients');
    t.text('invoice_ids').notNullable(); // JSON list: one payment can settle several invoices
    t.string('gateway', 40).notNullable();
    t.bigInteger('amount').notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 12).notNullable(); // started | approved | declined | error | expired
    t.string('created_at', 30).notNullable();
    t.string('completed_at', 30).nullable();
    t.index(['client_id', 'created_at']);
    t.index(['status', 'created_at']);
  });

  // Payment methods of seed 003: card, eCheck / bank draft / wire, manual, third party.
  await knex.schema.createTable('core_billing_accounts', (t) => {
    t.increments('id');
    t.integer('client_id').notNullable().references('id').inTable('core_clients').onDelete('CASCADE');
    t.integer('contact_id').nullable().references('id').inTable('core_contacts').onDelete('SET NULL');
    t.string('type', 12).notNullable(); // card | echeck | bank_draft | wire | manual | third_party
    t.string('label', 100).notNullable().defaultTo('');
    t.string('card_type', 20).nullable();
    t.string('last4', 4).nullable(); // of the card or account number, for display
    t.string('card_exp_month', 2).nullable();
    t.string('card_exp_year', 4).nullable();
    t.string('bank_name', 100).nullable();
    t.text('sealed').nullable(); // SecretBox-encrypted JSON of the full numbers and personal data; CVV is never stored
    t.boolean('is_default').notNullable().defaultTo(false);
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['client_id']);
  });

  // Which services a billing account pays for; a service is paid by at most one account.
  await knex.schema.createTable('core_billing_account_services', (t) => {
    t.integer('billing_account_id').notNullable().references('id').inTable('core_billing_accounts').onDelete('CASCADE');
    t.integer('service_id').notNullable().unique().references('id').inTable('core_services').onDelete('CASCADE');
    t.primary(['billing_account_id', 'service_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of [
    'core_billing_account_services', 'core_billing_accounts', 'core_payment_attempts', 'core_transactions', 'core_service_billing_periods',
    'core_invoice_lines', 'core_invoices', 'core_service_operations', 'core_service_history', 'core_service_addons', 'core_services',
  ]) {
    await knex.schema.dropTableIfExists(t);
  }
}

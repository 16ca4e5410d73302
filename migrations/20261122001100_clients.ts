// Clients, their contacts (seed 003 Contacts chapter) and the credit-balance ledger.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_clients', (t) => {
    t.increments('id');
    t.string('kind', 10).notNullable().defaultTo('person'); // person | company
    t.string('name', 200).notNullable(); // display name: the person's or the company's
    t.string('company', 200).notNullable().defaultTo('');
    t.string('email', 254).notNullable();
    t.string('country', 2).notNullable();
    t.string('currency', 3).notNullable().references('code').inTable('core_currencies');
    t.string('language', 5).notNullable().defaultTo('en');
    t.string('status', 20).notNullable().defaultTo('active'); // active | suspended | closed
    t.bigInteger('balance').notNullable().defaultTo(0); // credit, minor units of `currency`; never negative
    t.boolean('tax_exempt').notNullable().defaultTo(false);
    t.string('vat_number', 40).notNullable().defaultTo('');
    t.text('notes').nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['name']);
    t.index(['email']);
    t.index(['status', 'id']);
    t.index(['created_at']);
  });

  await knex.schema.createTable('core_contacts', (t) => {
    t.increments('id');
    t.integer('client_id').notNullable().references('id').inTable('core_clients').onDelete('CASCADE');
    t.boolean('is_primary').notNullable().defaultTo(false);
    t.string('company', 200).notNullable().defaultTo('');
    t.string('first_name', 100).notNullable();
    t.string('last_name', 100).notNullable();
    t.string('email', 254).notNullable();
    t.string('address1', 200).notNullable().defaultTo('');
    t.string('address2', 200).notNullable().defaultTo('');
    t.string('city', 100).notNullable().defaultTo('');
    t.string('state', 100).notNullable().defaultTo('');
    t.string('county', 100).notNullable().defaultTo(''); // only for two-letter US states
    t.string('zip', 20).notNullable().defaultTo('');
    t.string('country', 2).notNullable();
    t.string('phone', 40).notNullable().defaultTo('');
    t.string('fax', 40).notNullable().defaultTo('');
    t.string('mobile', 40).notNullable().defaultTo('');
    t.string('language', 5).notNullable().defaultTo('en');
    t.string('email_format', 5).notNullable().defaultTo('html'); // html | text
    t.text('email_actions').notNullable().defaultTo('[]'); // JSON list of e-mail kinds this contact receives
    t.integer('user_id').nullable().references('id').inTable('core_users').onDelete('SET NULL'); // login, if any
    t.string('permissions', 20).notNullable().defaultTo('all'); // all | billing | technical (for its login)
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.index(['client_id', 'is_primary']);
    t.index(['user_id']);
    t.index(['email']);
  });

  // Every change of a client's credit balance, so the balance can always be explained to the cent.
  await knex.schema.createTable('core_credit_ledger', (t) => {
    t.increments('id');
    t.integer('client_id').notNullable().references('id').inTable('core_clients').onDelete('CASCADE');
    t.string('at', 30).notNullable();
    t.bigInteger('amount').notNullable(); // signed, minor units of `currency`
    t.string('currency', 3).notNullable();
    t.bigInteger('balance_after').notNullable();
    t.string('kind', 30).notNullable(); // overpayment | refund | invoice_payment | adjustment | credit_note | upgrade_credit
    t.integer('invoice_id').nullable();
    t.integer('transaction_id').nullable();
    t.string('note', 300).notNullable().defaultTo('');
    t.string('actor', 200).notNullable().defaultTo('');
    t.index(['client_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['core_credit_ledger', 'core_contacts', 'core_clients']) await knex.schema.dropTableIfExists(t);
}

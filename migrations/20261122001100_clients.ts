// Clients, their contacts (seed 003 Contacts chapter), the search terms of the client list, and the credit-balance ledger.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_clients', (t) => {
    t.increments('id');
    t.string('kind', 10).notNullable().defaultTo('person'); // person | company
    t.string('name', 200).notNullable(); // display name: the person's or the company's
    t.string('company', 200).notNullable().defaultTo('');
    t.string('email', 254).notNullable(); // the primary contact's e-mail, kept in step by core/billing/clients
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
    // The admin list sorts by each of these (id breaks ties), optionally filtered by status.
    t.index(['name', 'id']);
    t.index(['company', 'id']);
    t.index(['email', 'id']);
    t.index(['balance', 'id']);
    t.index(['created_at', 'id']);
    t.index(['status', 'id']);
    t.index(['status', 'name']);
    t.index(['status', 'created_at']);
  });

  await knex.schema.createTable('core_contacts', (t) => {
    t.increments('id');
    t.integer('client_id').notNullable().references('id').inTable('core_clients').onDelete('CASCADE');
    t.boolean('is_primary').notNullable().defaultTo(false); // exactly one per client, kept so by core/billing/clients
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
    t.string('phone', 40).notNullable().defaultTo(''); // primary phone
    t.string('phone2', 40).notNullable().defaultTo(''); // secondary phone
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
    t.unique(['user_id']); // a login belongs to one contact; NULLs do not collide on either engine
    t.index(['email']);
  });

  // Lower-case words of a client's names, companies and e-mail addresses (its contacts' too): the
  // admin list's search is a prefix range on `term`, which an index serves on both engines, where
  // LIKE '%x%' would read every client and LIKE 'x%' needs engine-specific collations.
  await knex.schema.createTable('core_client_search', (t) => {
    t.integer('client_id').notNullable().references('id').inTable('core_clients').onDelete('CASCADE');
    t.string('term', 100).notNullable();
    t.primary(['term', 'client_id']);
    t.index(['client_id']);
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
  for (const t of ['core_credit_ledger', 'core_client_search', 'core_contacts', 'core_clients']) await knex.schema.dropTableIfExists(t);
}

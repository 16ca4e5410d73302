// The hello plugin's only table; every table of a plugin starts with its prefix ('hello_').
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('hello_greetings', (t) => {
    t.increments('id');
    t.string('name', 100).notNullable();
    t.string('created_at', 30).notNullable();
    t.integer('created_by').nullable();
    t.index(['created_at']);
    t.index(['name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('hello_greetings');
}

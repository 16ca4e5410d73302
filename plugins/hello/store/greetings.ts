// All SQL of the hello plugin.
import type { Knex } from 'knex';

export interface GreetingRow {
  id: number;
  name: string;
  created_at: string;
  created_by: number | null;
}

export class GreetingStore {
  constructor(private readonly db: Knex) {}

  async add(name: string, at: string, by: number | null): Promise<void> {
    await this.db('hello_greetings').insert({ name, created_at: at, created_by: by });
  }

  listQuery() {
    return this.db('hello_greetings').select('id', 'name', 'created_at', 'created_by');
  }

  async deleteOlderThan(cutoff: string): Promise<number> {
    return this.db('hello_greetings').where('created_at', '<', cutoff).delete();
  }
}

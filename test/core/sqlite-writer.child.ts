// Child process for the two-writer test: increments a shared counter in read-then-write transactions.
import knexFactory from 'knex';
import { openDb } from '../../core/db/knex.ts';

const [url, mode, iterations, startAt] = process.argv.slice(2) as [string, 'immediate' | 'plain', string, string];
const filename = url.replace(/^sqlite:\/\//, '');

// 'plain' is knex's stock better-sqlite3 client (BEGIN DEFERRED), kept to show why we changed it.
const db =
  mode === 'immediate'
    ? openDb({ url })
    : knexFactory({
        client: 'better-sqlite3',
        connection: { filename },
        useNullAsDefault: true,
        pool: { min: 1, max: 1, afterCreate: (c: { pragma(s: string): void }, done: (e: Error | null, c: unknown) => void) => (c.pragma('journal_mode = WAL'), c.pragma('busy_timeout = 5000'), done(null, c)) },
      });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let errors = 0;
let committed = 0;
await sleep(Math.max(0, Number(startAt) - Date.now()));
for (let i = 0; i < Number(iterations); i++) {
  try {
    await db.transaction(async (trx) => {
      const row = (await trx('counter').where({ id: 1 }).first()) as { value: number };
      await sleep(2); // hold the transaction across event-loop turns, as real request handlers do
      await trx('counter').where({ id: 1 }).update({ value: row.value + 1 });
      await trx('writes').insert({ by: process.pid });
    });
    committed++;
  } catch (err) {
    errors++;
    if (!/SQLITE_BUSY/.test(String((err as Error).message) + String((err as { code?: string }).code))) throw err;
  }
}
await db.destroy();
process.stdout.write(JSON.stringify({ committed, errors }) + '\n');

// Work that must see committed data (events to listeners that read the database, e-mails about a
// change) runs once the caller's transaction commits, and never when it rolls back.
import type { Knex } from 'knex';

/** Runs `fn` after `trx` commits; errors of `fn` go to `onError`, never into the committed caller. */
export function afterCommit(trx: Knex.Transaction, fn: () => void | Promise<void>, onError: (err: unknown) => void): void {
  trx.executionPromise.then(
    () => Promise.resolve().then(fn).catch(onError),
    () => undefined,
  );
}

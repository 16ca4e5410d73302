// Work that must see committed data (events to listeners that read the database, e-mails about a
// change) runs once the caller's transaction commits, and never when it rolls back.
import type { Knex } from 'knex';

/**
 * Runs `fn` after `trx` commits; errors of `fn` go to `onError`, never into the committed caller.
 * Inside a savepoint (`trx.transaction(...)`) that is when the outermost transaction commits: a
 * released savepoint is not committed yet, and a rolled-back one never will be.
 */
export function afterCommit(trx: Knex.Transaction, fn: () => void | Promise<void>, onError: (err: unknown) => void): void {
  let committed: Promise<unknown> = trx.executionPromise;
  for (let outer = trx.parentTransaction; outer; outer = outer.parentTransaction) {
    const level = outer;
    committed = committed.then(() => level.executionPromise);
  }
  committed.then(
    () => Promise.resolve().then(fn).catch(onError),
    () => undefined,
  );
}

import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../test/helpers/db.ts';
import { afterCommit } from './after-commit.ts';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.destroy();
});

it('runs after a commit, with the data visible, and never after a rollback', async () => {
  await t.db.schema.createTable('ac_rows', (tb) => tb.integer('n'));
  const seen: number[] = [];
  await t.db.transaction(async (trx) => {
    await trx('ac_rows').insert({ n: 1 });
    afterCommit(trx, async () => void seen.push(((await t.db('ac_rows').count({ c: '*' })) as [{ c: number | string }])[0].c as number), (e) => { throw e; });
  });
  await expect(
    t.db.transaction(async (trx) => {
      afterCommit(trx, () => void seen.push(-1), () => undefined);
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  await new Promise((r) => setTimeout(r, 20));
  expect(seen.map(Number)).toEqual([1]);
});

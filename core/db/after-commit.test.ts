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

it('inside a savepoint waits for the outer commit, and never runs when the savepoint or the outer transaction rolls back', async () => {
  await t.db.schema.createTable('ac_rows', (tb) => tb.integer('n'));
  const seen: string[] = [];
  const visible = async () => Number(((await t.db('ac_rows').count({ c: '*' })) as [{ c: number | string }])[0].c);
  await t.db.transaction(async (trx) => {
    await trx.transaction(async (sp) => {
      await sp('ac_rows').insert({ n: 1 });
      afterCommit(sp, async () => void seen.push(`kept:${await visible()}`), (e) => { throw e; });
    });
    await trx
      .transaction(async (sp) => {
        afterCommit(sp, () => void seen.push('savepoint rolled back'), () => undefined);
        throw new Error('undo the savepoint');
      })
      .catch(() => undefined);
    // The savepoint was released, but nothing is committed yet.
    await new Promise((r) => setTimeout(r, 20));
    seen.push('outer still open');
  });
  await expect(
    t.db.transaction(async (trx) => {
      await trx.transaction(async (sp) => afterCommit(sp, () => void seen.push('outer rolled back'), () => undefined));
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  await new Promise((r) => setTimeout(r, 20));
  expect(seen).toEqual(['outer still open', 'kept:1']);
});

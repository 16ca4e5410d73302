// Two processes (the server and a CLI job, say) writing one SQLite file at the same time.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../helpers/db.ts';
import { REPO_ROOT } from '../helpers/app.ts';

const CHILD = path.join(REPO_ROOT, 'test/core/sqlite-writer.child.ts');
const ITERATIONS = 60;

function runWriter(url: string, mode: 'immediate' | 'plain', startAt: number): Promise<{ committed: number; errors: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, mode, String(ITERATIONS), String(startAt)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

let t: TestDb | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

async function prepare(): Promise<TestDb> {
  const db = await createTestDb();
  await db.db.schema.createTable('counter', (x) => {
    x.integer('id').primary();
    x.integer('value').notNullable();
  });
  await db.db.schema.createTable('writes', (x) => {
    x.increments('id');
    x.integer('by').notNullable();
  });
  await db.db('counter').insert({ id: 1, value: 0 });
  return db;
}

describe.skipIf(testEngine !== 'sqlite')('SQLite with two writer processes', () => {
  it('loses no update and raises no SQLITE_BUSY when transactions take the write lock first', async () => {
    t = await prepare();
    const startAt = Date.now() + 1500;
    const results = await Promise.all([runWriter(t.url, 'immediate', startAt), runWriter(t.url, 'immediate', startAt)]);
    expect(results.map((r) => r.errors)).toEqual([0, 0]);
    const { value } = (await t.db('counter').where({ id: 1 }).first()) as { value: number };
    expect(value).toBe(2 * ITERATIONS);
    const [{ n }] = (await t.db('writes').count({ n: '*' })) as [{ n: number }];
    expect(Number(n)).toBe(2 * ITERATIONS);
  });

  it("fails with knex's plain BEGIN under the same load (why the client is changed)", async () => {
    t = await prepare();
    const startAt = Date.now() + 1500;
    const results = await Promise.all([runWriter(t.url, 'plain', startAt), runWriter(t.url, 'plain', startAt)]);
    const errors = results[0].errors + results[1].errors;
    expect(errors).toBeGreaterThan(0);
  });
});

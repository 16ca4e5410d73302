// The operator CLI as a person runs it: real processes, one-line errors, non-zero exit codes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/app.ts';
import { createTestDb, testEngine, type TestDb } from '../helpers/db.ts';

let t: TestDb;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  t = await createTestDb();
  // On PostgreSQL the CLI works in the test's own schema through the connection's search_path.
  const url = testEngine === 'pg' ? `${t.url}?options=${encodeURIComponent(`-c search_path=${t.searchPath}`)}` : t.url;
  env = { ...process.env, TRELLIS_DATA_DIR: t.dir, DATABASE_URL: url, TRELLIS_CONFIG: path.join(REPO_ROOT, 'plugin.config.ts'), TRELLIS_LOG_LEVEL: '' };
});
afterAll(async () => {
  await t.destroy();
});

function trellis(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'core/cli/main.ts'), ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npx trellis', () => {
  it('creates an administrator and refuses bad or duplicate input with one clear line', () => {
    const ok = trellis('admin:create', '--email', 'ops@example.test', '--password', 'a long password');
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/Created admin ops@example.test/);
    const dup = trellis('admin:create', '--email', 'ops@example.test', '--password', 'a long password');
    expect(dup.code).toBe(1);
    expect(dup.err.trim().split('\n')).toEqual(['trellis: A staff user ops@example.test already exists']);
    const short = trellis('admin:create', '--email', 'x@example.test', '--password', 'short');
    expect(short.code).toBe(1);
    expect(short.err.trim()).toMatch(/^trellis: admin:create needs --password of at least 10 characters$/);
  });

  it('lists plugins and jobs, and runs a job on demand', () => {
    const plugins = trellis('plugins');
    expect(plugins.code).toBe(0);
    expect(plugins.out).toMatch(/^hello\s+1\.0\.0\s+enabled/m);
    const jobs = trellis('jobs');
    expect(jobs.code).toBe(0);
    expect(jobs.out).toMatch(/hello\.prune/);
    expect(jobs.out).toMatch(/core\.sessions\.cleanup/);
    const run = trellis('jobs:run', 'hello.prune');
    expect(run.code).toBe(0);
    expect(run.out.trim()).toBe('hello.prune: ok {"deleted":0}');
    const missing = trellis('jobs:run', 'nope.nothing');
    expect(missing.code).toBe(1);
    expect(missing.err.trim()).toBe("trellis: There is no job 'nope.nothing'; `trellis jobs` lists them");
  });

  it('rejects an unknown command', () => {
    const r = trellis('frobnicate');
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("trellis: Unknown command 'frobnicate'. Run 'trellis help' for the list.");
  });
});

// The real server and CLI, as an operator runs them, with a plugin.config.ts full of broken plugins.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, REPO_ROOT, TEST_SECRET_KEY } from '../helpers/app.ts';
import { createTestDb, testEngine, type TestDb } from '../helpers/db.ts';
import { PluginErrorCodes as E, type PluginErrorCode } from '../../core/plugins/errors.ts';

const BROKEN_CONFIG = 'test/fixtures/configs/broken.config.ts';
const NPM_CONFIG = 'test/fixtures/npm-project/plugin.config.ts';
const START_TIMEOUT_MS = 60_000;

/** What /healthz and the boot report must say about each plugin in broken.config.ts. */
const expected: { name: string; code: PluginErrorCode }[] = [
  { name: '../plugins/throws-on-import/index.ts', code: E.IMPORT },
  { name: 'bad-api-range', code: E.API_VERSION },
  { name: 'missing-dependency', code: E.MISSING_DEPENDENCY },
  { name: 'cycle-a', code: E.DEPENDENCY_CYCLE },
  { name: 'cycle-b', code: E.DEPENDENCY_CYCLE },
  { name: 'throwing-register', code: E.REGISTER },
  { name: 'depends-on-broken', code: E.DEPENDENCY_FAILED },
  { name: 'failing-migration', code: E.MIGRATION },
  { name: 'slow-register', code: E.REGISTER_TIMEOUT },
  { name: 'table-without-prefix', code: E.TABLE_PREFIX },
  { name: 'bad-settings', code: E.SETTINGS },
  { name: 'Bad_Name', code: E.NAME },
  { name: 'fixture-good (../plugins/duplicate/index.ts)', code: E.DUPLICATE },
  { name: 'invalid-job', code: E.REGISTER },
];

interface Health {
  status: string;
  db: string;
  plugins: { name: string; state: string; code?: string }[];
}

/** The environment of a child process using the test database (a PostgreSQL schema, or a SQLite file). */
function childEnv(db: TestDb, configPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  return {
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
    TRELLIS_DATA_DIR: db.dir,
    TRELLIS_CONFIG: configPath,
    TRELLIS_SECRET_KEY: TEST_SECRET_KEY,
    TRELLIS_LOG_LEVEL: 'warn',
    DATABASE_URL: db.searchPath ? `${db.url}${db.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${db.searchPath}`)}` : db.url,
  };
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Server {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `trellis serve` and resolves with its URL once it prints "Trellis is running at <url>". */
function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'serve'], { cwd: REPO_ROOT, env });
    let out = '';
    let err = '';
    const output = () => `--- stderr\n${err}\n--- stdout\n${out}`;
    const stop = () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        // A clean shutdown first; SIGKILL only if it hangs, so a stuck child never outlives the tests.
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          done();
        });
        child.kill('SIGTERM');
      });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /Trellis is running at (http:\/\/\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]!, output, stop });
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`trellis serve exited (${code ?? signal}) before it was ready\n${output()}`)));
  });
}

/** An Agent (cookies, CSRF from the forms) speaking to a real server over HTTP. */
function httpAgent(base: string): Agent {
  return new Agent((input, init) => fetch(input.replace('http://localhost', base), init));
}

describe(`trellis serve with a config full of broken plugins (${testEngine})`, () => {
  let db: TestDb;
  let server: Server | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDb();
    env = childEnv(db, BROKEN_CONFIG);
    server = await startServer(env);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop();
    await db?.destroy();
  });

  it('boots and reports every broken plugin as failed, with its code, on /healthz', async () => {
    const res = await fetch(`${server!.url}/healthz`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as Health;
    expect(health.status).toBe('ok');
    // The child really runs on the engine under test (TRELLIS_TEST_DB=pg: the test's PostgreSQL schema).
    expect(health.db).toMatch(testEngine === 'pg' ? /^postgresql$/ : /^sqlite:/);
    expect(health.plugins).toContainEqual({ name: 'hello', state: 'enabled' });
    expect(health.plugins).toContainEqual({ name: 'fixture-good', state: 'enabled' });
    for (const e of expected) expect(health.plugins, server!.output()).toContainEqual({ name: e.name, state: 'failed', code: e.code });
    expect(health.plugins).toHaveLength(expected.length + 2);
  });

  it('says on stderr which plugins are disabled and why', () => {
    for (const e of expected) expect(server!.output()).toContain(`! plugin ${e.name} is disabled: ${e.code}:`);
  });

  it('lets an admin created with the CLI sign in and see each failure on System → Plugins, while hello works', async () => {
    const created = await runCli(['admin:create', '--email', 'operator@example.test', '--password', 'correct horse battery'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created admin operator@example.test');

    const agent = httpAgent(server!.url);
    await agent.login('staff', 'operator@example.test');
    const page = await agent.get('/admin/system/plugins');
    expect(page.status).toBe(200);
    for (const e of expected) {
      const row = page.$('#plugin-report tr').filter((_, tr) => page.$(tr).attr('data-plugin') === e.name);
      expect(row.length, e.name).toBe(1);
      expect(row.find('code').text()).toBe(e.code);
    }
    const hello = await agent.get('/admin/hello');
    expect(hello.status).toBe(200);
    expect(hello.$('h1').first().text()).toBe('Hello');
    expect((await agent.get('/admin/fixture-good')).status).toBe(200);
    expect((await agent.get('/admin/throwing-register')).status).toBe(404);
  });

  it('makes `trellis plugins` exit with 2 and print every failure code', async () => {
    const r = await runCli(['plugins'], env);
    expect(r.code, r.stderr).toBe(2);
    for (const e of expected) expect(r.stdout).toContain(e.code);
    expect(r.stdout).toMatch(/^hello\s+1\.0\.0\s+enabled/m);
  });
});

describe(`trellis serve with a third-party plugin from npm (${testEngine})`, () => {
  let db: TestDb;
  let server: Server | undefined;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDb();
    env = childEnv(db, NPM_CONFIG);
    server = await startServer(env);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await server?.stop();
    await db?.destroy();
  });

  it('boots with the sample plugin enabled', async () => {
    const health = (await (await fetch(`${server!.url}/healthz`)).json()) as Health;
    expect(health.plugins).toEqual([{ name: 'sample', state: 'enabled' }]);
  });

  it('makes `trellis plugins` exit with 0 and list the sample job', async () => {
    const r = await runCli(['plugins'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sample\s+1\.2\.0\s+enabled\s+jobs: sample\.ping/m);
  });
});

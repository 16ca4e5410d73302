// Starts the real panel (`core/cli/main.ts serve`) as a child process on a fresh data dir for browser tests.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForExit } from '../helpers/process.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StartedServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (from the "Trellis is running at" line). */
  url: string;
  /** The one-time first-run link printed after "No staff user exists yet". */
  setupUrl: string;
  dataDir: string;
  /** Everything the process wrote so far (stdout: JSON log lines; stderr: the banner). */
  output(): { stdout: string; stderr: string };
  /** Log lines at level error, parsed from stdout. */
  errorLogs(): string[];
  stop(): Promise<void>;
}



export async function startServer(opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<StartedServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-e2e-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Whatever the developer's shell points at (a PostgreSQL URL, a public URL, SMTP), the test wants none of it.
  for (const key of Object.keys(env)) if (key.startsWith('TRELLIS_') || key === 'DATABASE_URL') delete env[key];
  Object.assign(env, {
    TRELLIS_DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    TRELLIS_LOG_LEVEL: 'warn',
    TRELLIS_CONFIG: path.join(REPO_ROOT, 'plugin.config.ts'),
    ...opts.env,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/cli/main.ts', 'serve'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // If the test process dies without calling stop() (a crash, a killed run), take the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const { url, setupUrl } = await new Promise<{ url: string; setupUrl: string }>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`the server did not print its setup link within ${opts.timeoutMs ?? 30_000} ms`)), opts.timeoutMs ?? 30_000);
      const check = () => {
        const running = /Trellis is running at (http:\/\/\S+)/.exec(stderr);
        const setup = /No staff user exists yet[^\n]*\n\s*(http:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+)/.exec(stderr);
        if (running && setup) {
          cleanup();
          resolve({ url: running[1]!, setupUrl: setup[1]! });
        }
      };
      const onExit = (code: number | null, signal: string | null) => fail(new Error(`the server exited early (code ${code}, signal ${signal})`));
      const fail = (err: Error) => {
        cleanup();
        reject(new Error(`${err.message}\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        child.off('exit', onExit);
      };
      child.stderr!.on('data', check);
      child.once('exit', onExit);
      check();
    });
    return {
      url,
      setupUrl,
      dataDir,
      output: () => ({ stdout, stderr }),
      errorLogs: () =>
        stdout.split('\n').filter((line) => {
          try {
            return (JSON.parse(line) as { level?: string }).level === 'error';
          } catch {
            return false;
          }
        }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// A server under load runs in its own process: spawn it, wait for the line that says it listens, stop it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForExit } from '../../test/helpers/process.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildServer {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}



/**
 * Starts `node [nodeArgs] --import tsx <script>` from the repository root and resolves once stderr
 * or stdout matches `ready` (its first group is the URL).
 */
export async function startChild(opts: { name: string; script: string; env: NodeJS.ProcessEnv; ready: RegExp; nodeArgs?: string[]; timeoutMs?: number }): Promise<ChildServer> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.script], {
    cwd: REPO_ROOT,
    env: opts.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If the bench dies without calling stop(), take the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let out = '';
  const onData = (d: string) => (out += d);
  child.stdout!.setEncoding('utf8').on('data', onData);
  child.stderr!.setEncoding('utf8').on('data', onData);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 10_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${opts.name} did not start within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        const m = opts.ready.exec(out);
        if (m) done(null, m[1]);
      };
      const onExit = (code: number | null, signal: string | null) => done(new Error(`${opts.name} exited while starting (code ${code}, signal ${signal})`));
      const done = (err: Error | null, url?: string) => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', onExit);
        if (err) reject(new Error(`${err.message}\n--- output ---\n${out}`));
        else resolve(url!);
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', onExit);
      check();
    });
    return { url, pid: child.pid!, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export { freePort };

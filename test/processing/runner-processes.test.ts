// Two panel processes running the operations queue at once on one database: each operation runs once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, type TestApp } from '../helpers/app.ts';
import { enqueue, insertService, processingApp, serviceOnServer } from './fixtures.ts';

const CHILD = path.join(REPO_ROOT, 'test/processing/runner.child.ts');

interface ChildResult {
  runner: string;
  ran: number[];
  summary: { claimed: number; done: number };
}

function runRunner(t: TestApp, runner: string, startAt: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', CHILD, t.db.url, t.db.searchPath ?? '', runner, String(startAt), t.clock.now().toISOString()];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult) : reject(new Error(`runner exited ${code}: ${err}`))));
  });
}

let t: TestApp | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('two runner processes', () => {
  it('run every due operation exactly once between them', async () => {
    t = await processingApp();
    const first = await serviceOnServer(t, { module: 'slow', itemType: 'vds' });
    const serviceIds = [first.serviceId];
    for (let i = 0; i < 29; i++) serviceIds.push(await insertService(t.services.db, { clientId: first.clientId, packageId: first.packageId, itemType: 'vds', serverId: first.serverId }));
    const opIds: number[] = [];
    for (const serviceId of serviceIds) opIds.push(await enqueue(t, { serviceId, op: 'open' }));

    const startAt = Date.now() + 2000;
    const [a, b] = await Promise.all([runRunner(t, 'runner-a', startAt), runRunner(t, 'runner-b', startAt)]);
    const ran = [...a.ran, ...b.ran];
    expect(ran.sort((x, y) => x - y)).toEqual([...opIds].sort((x, y) => x - y));
    expect(a.summary.done + b.summary.done).toBe(30);
    const ops = (await t.services.db('core_service_operations').whereIn('id', opIds).select('status', 'attempts')) as { status: string; attempts: number }[];
    expect(new Set(ops.map((o) => `${o.status}/${o.attempts}`))).toEqual(new Set(['done/1']));
    const services = (await t.services.db('core_services').whereIn('id', serviceIds).select('status')) as { status: string }[];
    expect(services.every((s) => s.status === 'active')).toBe(true);
  }, 30_000);
});

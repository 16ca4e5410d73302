// Queued jobs: enqueue (dedupe, transactions), claiming across processes, retries with backoff, timeouts, recovery.
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_BACKOFF } from './scheduler.ts';
import { aborted, deferred, holdQuery, jobsFixture, pause, type JobsFixture } from './testkit.ts';

let f: JobsFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

async function queueRows(fx: JobsFixture) {
  return fx.t.db('core_job_queue').select('*').orderBy('id');
}

describe('enqueue', () => {
  it('runs an enqueued item on the next tick with its payload, once', async () => {
    f = await jobsFixture();
    const seen: unknown[] = [];
    const q = f.sys.defineQueue<{ serviceId: number; name: string }>('dsmanager', {
      id: 'provision',
      run: (payload, ctx) => {
        seen.push(payload);
        ctx.count('servers');
      },
    });
    expect(q.id).toBe('dsmanager.provision');
    const id = await q.enqueue({ serviceId: 7, name: 'srv-7' });
    const { runs } = await f.sys.tick();
    expect(seen).toEqual([{ serviceId: 7, name: 'srv-7' }]);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ jobId: 'dsmanager.provision', status: 'ok', trigger: 'queue', queueItemId: id, attempt: 1, counts: { servers: 1 } });
    await f.sys.tick();
    expect(seen).toHaveLength(1);
    const [item] = await f.sys.queueItems('dsmanager.provision');
    expect(item).toMatchObject({ id, status: 'done', attempts: 1, finishedAt: '2026-01-01T00:00:00.000Z', lockedBy: null });
  });

  it('holds a delayed item until the manual clock reaches its time', async () => {
    f = await jobsFixture();
    let runs = 0;
    const q = f.sys.defineQueue('mail', { id: 'send', run: () => void runs++ });
    await q.enqueue({ to: 'a@example.com' }, { delayMs: 60_000 });
    f.clock.advance(59_999);
    await f.sys.tick();
    expect(runs).toBe(0);
    f.clock.advance(1);
    await f.sys.tick();
    expect(runs).toBe(1);
  });

  it('returns the pending or running item for a repeated dedupeKey instead of adding another', async () => {
    f = await jobsFixture();
    const gate = deferred();
    const started = deferred();
    const q = f.sys.defineQueue<{ account: number }>('billing', {
      id: 'recalc',
      async run() {
        started.resolve();
        await gate.promise;
      },
    });
    const first = await q.enqueue({ account: 1 }, { dedupeKey: 'account:1' });
    expect(await q.enqueue({ account: 1 }, { dedupeKey: 'account:1' })).toBe(first);
    const other = await q.enqueue({ account: 2 }, { dedupeKey: 'account:2' });
    const plain = await q.enqueue({ account: 1 });
    expect(new Set([first, other, plain]).size).toBe(3);

    const ticking = f.sys.tick();
    await started.promise;
    const running = (await queueRows(f)).filter((r) => r.status === 'running').map((r) => Number(r.id));
    expect(running).toContain(first);
    expect(await q.enqueue({ account: 1 }, { dedupeKey: 'account:1' })).toBe(first);
    gate.resolve();
    await ticking;

    // Once settled, the key is free again.
    const again = await q.enqueue({ account: 1 }, { dedupeKey: 'account:1' });
    expect(again).not.toBe(first);
    expect((await queueRows(f)).length).toBe(4);
  });

  it('collapses concurrent enqueues with one dedupeKey from two processes into one item', async () => {
    f = await jobsFixture();
    const b = f.otherProcess();
    const qa = f.sys.defineQueue('core', { id: 'reindex', run: () => {} });
    const qb = b.defineQueue('core', { id: 'reindex', run: () => {} });
    const ids = await Promise.all([qa.enqueue(1, { dedupeKey: 'k' }), qb.enqueue(2, { dedupeKey: 'k' }), qa.enqueue(3, { dedupeKey: 'k' })]);
    expect(new Set(ids).size).toBe(1);
    expect((await queueRows(f)).length).toBe(1);
  });

  it('leaves nothing behind when enqueued inside a transaction that rolls back, and commits with it otherwise', async () => {
    f = await jobsFixture();
    let runs = 0;
    const q = f.sys.defineQueue('billing', { id: 'invoice-mail', run: () => void runs++ });
    await expect(
      f.t.db.transaction(async (trx) => {
        await trx('core_settings').insert({ key: 'x', value: '1', updated_at: '2026-01-01T00:00:00.000Z' });
        await q.enqueue({ invoice: 1 }, { trx, dedupeKey: 'invoice:1' });
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    expect(await queueRows(f)).toEqual([]);
    await f.sys.tick();
    expect(runs).toBe(0);

    const id = await f.t.db.transaction(async (trx) => {
      await trx('core_settings').insert({ key: 'y', value: '1', updated_at: '2026-01-01T00:00:00.000Z' });
      return q.enqueue({ invoice: 2 }, { trx, dedupeKey: 'invoice:1' });
    });
    expect((await queueRows(f)).map((r) => Number(r.id))).toEqual([id]);
    await f.sys.tick();
    expect(runs).toBe(1);
  });
});

describe('retries', () => {
  it('computes backoff as base * 2^(attempt-1) capped at max, 30 s to 1 h by default', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, DEFAULT_BACKOFF))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffMs(7, DEFAULT_BACKOFF)).toBe(1_920_000);
    expect(backoffMs(8, DEFAULT_BACKOFF)).toBe(3_600_000);
    expect(backoffMs(30, DEFAULT_BACKOFF)).toBe(3_600_000);
  });

  it('retries a failing item after the backoff on the manual clock, then marks it failed after maxAttempts', async () => {
    f = await jobsFixture();
    const attemptsSeen: number[] = [];
    const q = f.sys.defineQueue('dsmanager', {
      id: 'reboot',
      maxAttempts: 3,
      backoff: { baseMs: 1000, maxMs: 1500 },
      run() {
        attemptsSeen.push(attemptsSeen.length + 1);
        throw new Error(`upstream down (${attemptsSeen.length})`);
      },
    });
    const id = await q.enqueue({ server: 9 });

    await f.sys.tick(); // attempt 1 fails: next in 1000 ms
    expect((await f.sys.queueItems('dsmanager.reboot'))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      runAt: '2026-01-01T00:00:01.000Z',
      lastError: 'upstream down (1)',
    });
    await f.sys.tick();
    f.clock.advance(999);
    await f.sys.tick();
    expect(attemptsSeen).toEqual([1]);

    f.clock.advance(1); // attempt 2 fails: next in min(2000, 1500) ms
    await f.sys.tick();
    expect(attemptsSeen).toEqual([1, 2]);
    f.clock.advance(1499);
    await f.sys.tick();
    expect(attemptsSeen).toEqual([1, 2]);

    f.clock.advance(1); // attempt 3, the last
    await f.sys.tick();
    f.clock.advanceDays(1);
    await f.sys.tick();
    expect(attemptsSeen).toEqual([1, 2, 3]);

    const [item] = await f.sys.queueItems('dsmanager.reboot');
    expect(item).toMatchObject({ id, status: 'failed', attempts: 3, lastError: 'upstream down (3)', finishedAt: '2026-01-01T00:00:02.500Z' });
    const runs = await f.sys.recentRuns('dsmanager.reboot');
    expect(runs.map((r) => [r.attempt, r.status, r.queueItemId])).toEqual([
      [3, 'failed', id],
      [2, 'failed', id],
      [1, 'failed', id],
    ]);
    const info = (await f.sys.list()).find((j) => j.id === 'dsmanager.reboot');
    expect(info).toMatchObject({ failedItems: 1, pendingItems: 0, consecutiveFailures: 3, lastStatus: 'failed' });
  });

  it('records an item that exceeds its timeout as timeout, aborts it and retries it', async () => {
    f = await jobsFixture();
    let calls = 0;
    const q = f.sys.defineQueue('core', {
      id: 'slow',
      timeoutMs: 25,
      maxAttempts: 2,
      backoff: { baseMs: 10, maxMs: 10 },
      async run(_p, ctx) {
        calls++;
        if (calls === 1) await aborted(ctx.signal);
      },
    });
    await q.enqueue(null);
    const { runs } = await f.sys.tick();
    expect(runs.map((r) => [r.status, r.error])).toEqual([['timeout', 'Timed out after 25 ms']]);
    expect((await f.sys.queueItems('core.slow'))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    f.clock.advance(10);
    await f.sys.tick();
    expect((await f.sys.queueItems('core.slow'))[0]).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('takes back an item whose process died once its lock expires', async () => {
    f = await jobsFixture();
    const seen: number[] = [];
    const q = f.sys.defineQueue('core', { id: 'work', timeoutMs: 1000, run: (p: number) => void seen.push(p) });
    const id = await q.enqueue(42);
    // What a process that claimed the item and then died leaves behind.
    await f.t.db('core_job_queue').where({ id }).update({ status: 'running', attempts: 1, locked_by: 'dead-proc', locked_until: '2026-01-01T00:01:00.000Z' });
    await f.t.db('core_job_runs').insert({ job_id: 'core.work', started_at: '2026-01-01T00:00:00.000Z', status: 'running', trigger: 'queue', queue_item_id: id, attempt: 1 });

    await f.sys.tick();
    expect(seen).toEqual([]);
    f.clock.set('2026-01-01T00:01:00.001Z');
    await f.sys.tick(); // recovered: back to pending now, and claimed in the same tick
    expect(seen).toEqual([42]);
    const runs = await f.sys.recentRuns('core.work');
    expect(runs.map((r) => [r.attempt, r.status])).toEqual([
      [2, 'ok'],
      [1, 'failed'],
    ]);
    expect(runs[1]?.error).toMatch(/Abandoned/);
  });
});

describe('several processes sharing one queue', () => {
  it('run each item exactly once when they tick at the same time', async () => {
    f = await jobsFixture();
    const b = f.otherProcess();
    const ran: number[] = [];
    const def = {
      id: 'ops',
      async run(p: number) {
        ran.push(p);
        await pause(2);
      },
    };
    const q = f.sys.defineQueue('processing', def);
    b.defineQueue('processing', def);
    for (let i = 1; i <= 12; i++) await q.enqueue(i);
    for (let round = 0; round < 10 && ran.length < 12; round++) {
      await Promise.all([f.sys.tick(), b.tick(), f.sys.tick(), b.tick()]);
    }
    expect(ran.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const runners = new Set((await f.t.db('core_job_runs').select('runner')).map((r: { runner: string }) => r.runner));
    expect(runners).toEqual(new Set(['proc-a', 'proc-b']));
    expect((await queueRows(f)).every((r) => r.status === 'done')).toBe(true);
  });

  it('do not run an item twice when one process finishes it while the other is about to claim it', async () => {
    f = await jobsFixture();
    const b = f.otherProcess();
    const ranBy: string[] = [];
    const q = f.sys.defineQueue('processing', { id: 'ops', run: () => void ranBy.push('a') });
    b.defineQueue('processing', { id: 'ops', run: () => void ranBy.push('b') });
    await q.enqueue({ op: 'create' });

    const hold = holdQuery(f.dbOf(b), /^update [`"]core_job_queue[`"] set [`"]status[`"]/i);
    const bTick = b.tick();
    await hold.reached; // b has picked the item as a candidate and is about to claim it
    await f.sys.tick(); // meanwhile a claims and finishes it
    hold.release();
    await bTick;
    expect(ranBy).toEqual(['a']);
    expect((await queueRows(f)).map((r) => [r.status, Number(r.attempts)])).toEqual([['done', 1]]);
  });

  it('leaves items of a queue this process does not know for the processes that do', async () => {
    f = await jobsFixture();
    const b = f.otherProcess();
    let ran = 0;
    const q = b.defineQueue('plugin-x', { id: 'only-here', run: () => void ran++ });
    f.sys.defineQueue('core', { id: 'other', run: () => {} });
    await q.enqueue({});
    await f.sys.tick();
    expect((await queueRows(f))[0].status).toBe('pending');
    await b.tick();
    expect(ran).toBe(1);
  });
});

describe('stopping', () => {
  it('puts an item interrupted by stop() back to pending without using up an attempt', async () => {
    f = await jobsFixture();
    const started = deferred();
    const q = f.sys.defineQueue('core', {
      id: 'long',
      async run(_p, ctx) {
        started.resolve();
        await aborted(ctx.signal);
        throw ctx.signal.reason;
      },
    });
    await q.enqueue({});
    const ticking = f.sys.tick();
    await started.promise;
    await f.sys.stop();
    await ticking;
    expect((await f.sys.queueItems('core.long'))[0]).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null });
    expect((await f.sys.recentRuns('core.long'))[0]).toMatchObject({ status: 'failed', error: 'The job system is stopping' });
  });
});

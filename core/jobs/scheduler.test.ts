// Scheduled jobs: next runs from the manual clock, leases across processes, isolation, timeouts, Run now and runOnce.
import { afterEach, describe, expect, it } from 'vitest';
import { JobSystem, JobTimeoutError } from './scheduler.ts';
import { aborted, deferred, holdQuery, jobsFixture, pause, type JobsFixture } from './testkit.ts';
import type { JobContext } from './types.ts';

let f: JobsFixture | undefined;
afterEach(async () => {
  await f?.cleanup();
  f = undefined;
});

async function jobInfo(fx: JobsFixture, id: string) {
  const info = (await fx.sys.list()).find((j) => j.id === id);
  if (!info) throw new Error(`job ${id} not listed`);
  return info;
}

describe('scheduling', () => {
  it('computes the next cron run from the manual clock, in the job timezone', async () => {
    f = await jobsFixture('2030-06-15T10:02:00Z');
    f.sys.registerScheduled('core', { id: 'quarterly', schedule: { cron: '*/15 * * * *', timezone: 'UTC' }, run: () => {} });
    f.sys.registerScheduled('billing', { id: 'nightly', schedule: { cron: '0 3 * * *', timezone: 'Europe/Berlin' }, run: () => {} });
    await f.sys.sync();
    expect((await jobInfo(f, 'core.quarterly')).nextRunAt).toBe('2030-06-15T10:15:00.000Z');
    // 03:00 in Berlin (summer time, UTC+2) is 01:00 UTC, and today's 03:00 has passed.
    expect((await jobInfo(f, 'billing.nightly')).nextRunAt).toBe('2030-06-16T01:00:00.000Z');
    expect((await jobInfo(f, 'billing.nightly')).schedule).toBe('cron 0 3 * * * tz=Europe/Berlin');
  });

  it('runs a due job once and not again until its next slot', async () => {
    f = await jobsFixture('2026-01-01T00:00:30Z');
    let runs = 0;
    f.sys.registerScheduled('core', { id: 'five', schedule: { cron: '*/5 * * * *', timezone: 'UTC' }, run: () => void runs++ });

    expect((await f.sys.tick()).runs).toEqual([]);
    f.clock.set('2026-01-01T00:04:59Z');
    await f.sys.tick();
    expect(runs).toBe(0);

    f.clock.set('2026-01-01T00:05:00Z');
    const { runs: tickRuns } = await f.sys.tick();
    expect(runs).toBe(1);
    expect(tickRuns.map((r) => [r.jobId, r.status, r.trigger, r.startedAt])).toEqual([['core.five', 'ok', 'schedule', '2026-01-01T00:05:00.000Z']]);
    await f.sys.tick();
    f.clock.set('2026-01-01T00:09:59Z');
    await f.sys.tick();
    expect(runs).toBe(1);
    expect((await jobInfo(f, 'core.five')).nextRunAt).toBe('2026-01-01T00:10:00.000Z');

    f.clock.set('2026-01-01T00:10:00Z');
    await f.sys.tick();
    expect(runs).toBe(2);
    const info = await jobInfo(f, 'core.five');
    expect(info.lastRunAt).toBe('2026-01-01T00:10:00.000Z');
    expect(info.lastStatus).toBe('ok');
    expect(info.nextRunAt).toBe('2026-01-01T00:15:00.000Z');
    expect((await f.sys.recentRuns('core.five')).map((r) => r.startedAt)).toEqual(['2026-01-01T00:10:00.000Z', '2026-01-01T00:05:00.000Z']);
  });

  it('runs an interval job at once when it never ran, then one interval after its last start', async () => {
    f = await jobsFixture();
    let runs = 0;
    f.sys.registerScheduled('core', { id: 'poll', schedule: { everyMs: 60_000 }, run: () => void runs++ });
    await f.sys.tick();
    expect(runs).toBe(1);
    f.clock.advance(59_999);
    await f.sys.tick();
    expect(runs).toBe(1);
    f.clock.advance(1);
    await f.sys.tick();
    expect(runs).toBe(2);
  });

  it('skips missed slots after downtime instead of catching up on each of them', async () => {
    f = await jobsFixture('2026-01-01T00:00:00Z');
    let runs = 0;
    f.sys.registerScheduled('core', { id: 'minutely', schedule: { cron: '* * * * *', timezone: 'UTC' }, run: () => void runs++ });
    await f.sys.sync();
    f.clock.set('2026-01-01T03:00:30Z');
    await f.sys.tick();
    await f.sys.tick();
    expect(runs).toBe(1);
    expect((await jobInfo(f, 'core.minutely')).nextRunAt).toBe('2026-01-01T03:01:00.000Z');
  });

  it('keeps a stored next run across restarts and recomputes it when the schedule changes', async () => {
    f = await jobsFixture('2026-01-01T00:00:00Z');
    f.sys.registerScheduled('core', { id: 'hourly', schedule: { cron: '0 * * * *', timezone: 'UTC' }, run: () => {} });
    await f.sys.sync();
    expect((await jobInfo(f, 'core.hourly')).nextRunAt).toBe('2026-01-01T01:00:00.000Z');

    f.clock.set('2026-01-01T00:30:00Z');
    const restarted = f.otherProcess();
    restarted.registerScheduled('core', { id: 'hourly', schedule: { cron: '0 * * * *', timezone: 'UTC' }, run: () => {} });
    await restarted.sync();
    expect((await jobInfo(f, 'core.hourly')).nextRunAt).toBe('2026-01-01T01:00:00.000Z');

    const changed = f.otherProcess();
    changed.registerScheduled('core', { id: 'hourly', schedule: { cron: '*/10 * * * *', timezone: 'UTC' }, run: () => {} });
    await changed.sync();
    const info = await jobInfo(f, 'core.hourly');
    expect(info.nextRunAt).toBe('2026-01-01T00:40:00.000Z');
    expect(info.schedule).toBe('cron */10 * * * * tz=UTC');
  });

  it('rejects a duplicate job id, a bad cron pattern and an unknown timezone with clear errors', async () => {
    f = await jobsFixture();
    f.sys.registerScheduled('dsmanager', { id: 'sync', schedule: { everyMs: 1000 }, run: () => {} });
    expect(() => f!.sys.registerScheduled('dsmanager', { id: 'sync', schedule: { everyMs: 5000 }, run: () => {} })).toThrow(
      /'dsmanager\.sync' is already registered/,
    );
    expect(() => f!.sys.defineQueue('dsmanager', { id: 'sync', run: () => {} })).toThrow(/already registered/);
    expect(() => f!.sys.registerScheduled('core', { id: 'bad', schedule: { cron: 'every day' }, run: () => {} })).toThrow(
      /core\.bad: invalid cron schedule 'every day'/,
    );
    expect(() => f!.sys.registerScheduled('core', { id: 'tz', schedule: { cron: '0 3 * * *', timezone: 'Mars/Olympus' }, run: () => {} })).toThrow(
      /timezone Mars\/Olympus/,
    );
    expect(() => f!.sys.registerScheduled('core', { id: 'never', schedule: { everyMs: 0 }, run: () => {} })).toThrow(/everyMs >= 1/);
    expect(() => f!.sys.defineQueue('core', { id: 'forever', timeoutMs: 30 * 86_400_000, run: () => {} })).toThrow(/timeoutMs must be between/);
  });
});

describe('several processes sharing one database', () => {
  it('run a due global job exactly once when they tick at the same time', async () => {
    f = await jobsFixture('2026-01-01T00:00:00Z');
    const b = f.otherProcess();
    const ranBy: string[] = [];
    const def = (name: string) => ({
      id: 'billrun',
      schedule: { cron: '*/5 * * * *', timezone: 'UTC' },
      async run() {
        ranBy.push(name);
        await pause(20); // long enough for the other process to try while this one runs
      },
    });
    f.sys.registerScheduled('billing', def('a'));
    b.registerScheduled('billing', def('b'));
    await Promise.all([f.sys.sync(), b.sync()]);

    for (let slot = 1; slot <= 4; slot++) {
      f.clock.advance(5 * 60_000);
      await Promise.all([f.sys.tick(), b.tick(), f.sys.tick(), b.tick()]);
      expect(ranBy).toHaveLength(slot);
    }
    const runs = await f.sys.recentRuns('billing.billrun', 10);
    expect(runs).toHaveLength(4);
    expect(runs.every((r) => r.status === 'ok')).toBe(true);
    expect((await jobInfo(f, 'billing.billrun')).leaseOwner).toBeNull();
  });

  it('do not run a global job twice when one process finishes it while the other is about to take the lease', async () => {
    f = await jobsFixture('2026-01-01T00:00:00Z');
    const b = f.otherProcess();
    const ranBy: string[] = [];
    const def = (name: string) => ({ id: 'billrun', schedule: { cron: '*/5 * * * *', timezone: 'UTC' }, run: () => void ranBy.push(name) });
    f.sys.registerScheduled('billing', def('a'));
    b.registerScheduled('billing', def('b'));
    await Promise.all([f.sys.sync(), b.sync()]);
    f.clock.set('2026-01-01T00:05:00Z');

    const hold = holdQuery(f.dbOf(b), /^update [`"]core_jobs[`"] set [`"]lease_owner[`"]/i);
    const bTick = b.tick();
    await hold.reached; // b has read the due list and is about to take the lease
    await f.sys.tick(); // meanwhile a runs the job from start to end
    hold.release();
    await bTick;
    expect(ranBy).toEqual(['a']);
    expect(await f.sys.recentRuns('billing.billrun')).toHaveLength(1);
  });

  it('run a local job in each process', async () => {
    f = await jobsFixture('2026-01-01T00:00:00Z');
    const b = f.otherProcess();
    const ranBy: string[] = [];
    f.sys.registerScheduled('core', { id: 'cache', scope: 'local', schedule: { cron: '0 * * * *', timezone: 'UTC' }, run: () => void ranBy.push('a') });
    b.registerScheduled('core', { id: 'cache', scope: 'local', schedule: { cron: '0 * * * *', timezone: 'UTC' }, run: () => void ranBy.push('b') });
    await Promise.all([f.sys.sync(), b.sync()]);
    f.clock.set('2026-01-01T01:00:00Z');
    await Promise.all([f.sys.tick(), b.tick()]);
    expect(ranBy.sort()).toEqual(['a', 'b']);
    await Promise.all([f.sys.tick(), b.tick()]);
    expect(ranBy).toHaveLength(2);
    const runs = await f.sys.recentRuns('core.cache');
    expect(runs.map((r) => [r.runner, r.status]).sort()).toEqual([
      ['proc-a', 'ok'],
      ['proc-b', 'ok'],
    ]);
  });

  it('let runOnce refuse a global job while another process holds its lease', async () => {
    f = await jobsFixture();
    const b = f.otherProcess();
    const gate = deferred();
    const started = deferred();
    b.registerScheduled('core', {
      id: 'slow',
      schedule: { everyMs: 3_600_000 },
      async run() {
        started.resolve();
        await gate.promise;
      },
    });
    f.sys.registerScheduled('core', { id: 'slow', schedule: { everyMs: 3_600_000 }, run: () => {} });
    const bTick = b.tick();
    await started.promise;
    await expect(f.sys.runOnce('core.slow')).rejects.toThrow(/already running \(lease held by proc-b/);
    expect((await jobInfo(f, 'core.slow')).running).toBe(true);
    gate.resolve();
    await bTick;
    const run = await f.sys.runOnce('core.slow');
    expect(run.trigger).toBe('cli');
    expect(run.runner).toBe('proc-a');
  });
});

describe('isolation, timeouts and counters', () => {
  it('records a throwing job with its error, runs the other due jobs and resolves tick()', async () => {
    f = await jobsFixture();
    let fail = true;
    let other = 0;
    f.sys.registerScheduled('flaky', {
      id: 'sync',
      schedule: { everyMs: 1000 },
      run() {
        if (fail) throw new Error('upstream said no');
      },
    });
    f.sys.registerScheduled('flaky', {
      id: 'async',
      schedule: { everyMs: 1000 },
      async run() {
        await pause(1);
        throw new TypeError('cannot read x of undefined');
      },
    });
    f.sys.registerScheduled('core', { id: 'fine', schedule: { everyMs: 1000 }, run: () => void other++ });

    const { runs } = await f.sys.tick();
    expect(runs.map((r) => [r.jobId, r.status, r.error]).sort()).toEqual([
      ['core.fine', 'ok', null],
      ['flaky.async', 'failed', 'cannot read x of undefined'],
      ['flaky.sync', 'failed', 'upstream said no'],
    ]);
    expect(other).toBe(1);
    f.clock.advance(1000);
    await f.sys.tick();
    let info = await jobInfo(f, 'flaky.sync');
    expect([info.lastStatus, info.lastError, info.consecutiveFailures]).toEqual(['failed', 'upstream said no', 2]);

    fail = false;
    f.clock.advance(1000);
    await f.sys.tick();
    info = await jobInfo(f, 'flaky.sync');
    expect([info.lastStatus, info.lastError, info.consecutiveFailures]).toEqual(['ok', null, 0]);
  });

  it('records a run that exceeds its timeout as timeout and aborts its signal', async () => {
    f = await jobsFixture();
    let reason: unknown;
    f.sys.registerScheduled('core', {
      id: 'stuck',
      schedule: { everyMs: 60_000 },
      timeoutMs: 25,
      async run(ctx) {
        ctx.count('before', 1);
        reason = await aborted(ctx.signal);
      },
    });
    const { runs } = await f.sys.tick();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'timeout', error: 'Timed out after 25 ms', counts: { before: 1 } });
    expect(reason).toBeInstanceOf(JobTimeoutError);
    const info = await jobInfo(f, 'core.stuck');
    expect([info.lastStatus, info.consecutiveFailures, info.leaseOwner]).toEqual(['timeout', 1, null]);
  });

  it('records the counters a job adds with ctx.count', async () => {
    f = await jobsFixture();
    f.sys.registerScheduled('billing', {
      id: 'invoices',
      schedule: { everyMs: 60_000 },
      run(ctx: JobContext) {
        for (let i = 0; i < 3; i++) ctx.count('invoices');
        ctx.count('emails', 5);
        ctx.count('emails', 2);
        expect(ctx.owner).toBe('billing');
      },
    });
    await f.sys.tick();
    const [run] = await f.sys.recentRuns('billing.invoices');
    expect(run?.counts).toEqual({ invoices: 3, emails: 7 });
    expect(run?.finishedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(typeof run?.durationMs).toBe('number');
  });
});

describe('operator actions', () => {
  it('runNow makes the next tick run a job that is not due, once, as a manual run', async () => {
    f = await jobsFixture('2026-01-01T12:00:00Z');
    let runs = 0;
    f.sys.registerScheduled('core', { id: 'daily', schedule: { cron: '0 3 * * *', timezone: 'UTC' }, run: () => void runs++ });
    const b = f.otherProcess();
    b.registerScheduled('core', { id: 'daily', schedule: { cron: '0 3 * * *', timezone: 'UTC' }, run: () => void runs++ });
    await f.sys.tick();
    expect(runs).toBe(0);

    await b.runNow('core.daily'); // pressed in one process, picked up by whichever ticks
    expect((await jobInfo(f, 'core.daily')).runRequestedAt).toBe('2026-01-01T12:00:00.000Z');
    const { runs: tickRuns } = await f.sys.tick();
    expect(tickRuns.map((r) => r.trigger)).toEqual(['manual']);
    await Promise.all([f.sys.tick(), b.tick()]);
    expect(runs).toBe(1);
    const info = await jobInfo(f, 'core.daily');
    expect(info.runRequestedAt).toBeNull();
    expect(info.nextRunAt).toBe('2026-01-02T03:00:00.000Z');
    await expect(f.sys.runNow('core.nope')).rejects.toThrow(/No scheduled job 'core.nope'/);
  });

  it('runOnce runs a job immediately and returns its run record', async () => {
    f = await jobsFixture();
    f.sys.registerScheduled('core', {
      id: 'cleanup',
      schedule: { cron: '0 4 * * *', timezone: 'UTC' },
      run: (ctx) => ctx.count('sessions', 12),
    });
    const run = await f.sys.runOnce('core.cleanup');
    expect(run).toMatchObject({ jobId: 'core.cleanup', status: 'ok', trigger: 'cli', counts: { sessions: 12 }, startedAt: '2026-01-01T00:00:00.000Z' });
    expect((await f.sys.recentRuns('core.cleanup')).map((r) => r.id)).toEqual([run.id]);
    await expect(f.sys.runOnce('core.unknown')).rejects.toThrow(/No job 'core.unknown'/);
  });

  it('lists every known job with its owner, schedule, last and next run', async () => {
    f = await jobsFixture();
    f.sys.registerScheduled('core', { id: 'a', schedule: { everyMs: 60_000 }, description: 'Does a', run: () => {} });
    f.sys.defineQueue('mail', { id: 'send', run: () => {} });
    await f.sys.tick();
    const list = await f.sys.list();
    expect(list.map((j) => [j.id, j.owner, j.kind, j.schedule, j.scope, j.registered])).toEqual([
      ['core.a', 'core', 'scheduled', 'every 60000ms', 'global', true],
      ['mail.send', 'mail', 'queue', null, null, true],
    ]);
    expect(list[0]).toMatchObject({ description: 'Does a', lastStatus: 'ok', nextRunAt: '2026-01-01T00:01:00.000Z', running: false });

    expect([f.sys.has('core.a'), f.sys.has('mail.send'), f.sys.has('core.nope')]).toEqual([true, true, false]);

    const other = f.otherProcess(); // knows none of them: still listed, as not registered there
    expect((await other.list()).map((j) => j.registered)).toEqual([false, false]);
  });
});

describe('the tick loop', () => {
  it('start() ticks on its own and stop() aborts and waits for the run in progress', async () => {
    f = await jobsFixture();
    const started = deferred();
    let sawAbort = false;
    const sys = new JobSystem({ db: f.t.db, clock: f.clock, log: f.log, pollMs: 5 });
    sys.registerScheduled('core', {
      id: 'long',
      schedule: { everyMs: 60_000 },
      async run(ctx) {
        started.resolve();
        await aborted(ctx.signal);
        sawAbort = true;
        throw new Error('stopped early');
      },
    });
    sys.start();
    await started.promise;
    await sys.stop();
    expect(sawAbort).toBe(true);
    const [run] = await sys.recentRuns('core.long');
    expect(run).toMatchObject({ status: 'failed', error: 'stopped early' });
    expect((await jobInfo(f, 'core.long')).leaseOwner).toBeNull();
  });
});

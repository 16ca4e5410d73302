// Faults injected in the simulator as the client meets them: timeouts, 5xx, garbage and latency;
// reads are retried a little, writes never, and every error says whether a retry is safe.
import { describe, expect, it } from 'vitest';
import { ProcessingError } from '../../../core/processing/types.ts';
import {
  IspAuthError,
  IspClient,
  IspConnectionError,
  IspExistsError,
  IspHttpError,
  IspProtocolError,
  IspTimeoutError,
  apiErrorFrom,
  isReadOnlyCall,
  toProcessingError,
} from '../../../core/upstream/ispsystem/index.ts';
import { idReply, okReply, SimError, SimFaults } from '../../../core/upstream/ispsystem/simulator/index.ts';
import { freePort } from '../../helpers/process.ts';
import { ADMIN, rejectionOf, startSim } from './helpers.ts';

describe('timeouts', () => {
  it('repeats a read that timed out once, and succeeds', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'timeout', times: 1 });
    const list = await t.client({ timeoutMs: 200 }).list('user');
    expect(list.rows).toHaveLength(2);
    expect(t.sim.calls('user').map((r) => r.fault)).toEqual(['timeout', undefined]);
  });

  it('gives up on a read after the configured attempts with IspTimeoutError (retryable, nothing done)', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'timeout' });
    const err = await rejectionOf(t.client({ timeoutMs: 150, retry: { attempts: 3, backoffMs: 1 } }).list('user'));
    expect(err).toBeInstanceOf(IspTimeoutError);
    expect(err).toMatchObject({ timeoutMs: 150, retryable: true, outcomeUnknown: false, func: 'user' });
    expect(t.sim.calls('user')).toHaveLength(3);
  });

  it('never repeats a write: one request, and the error says the outcome is unknown', async () => {
    const t = await startSim();
    let orders = 0;
    t.sim.func('vds.order.param', () => idReply(++orders));
    t.sim.faults.set('vds.order.param', { kind: 'timeout', after: true });
    const err = await rejectionOf(t.client({ timeoutMs: 150 }).save('vds.order.param', { pricelist: 1, period: 1 }));
    expect(err).toBeInstanceOf(IspTimeoutError);
    expect(err).toMatchObject({ retryable: false, outcomeUnknown: true });
    expect(err.message).toMatch(/may have carried it out/);
    expect(t.sim.calls('vds.order.param')).toHaveLength(1);
    expect(orders).toBe(1);
  });

  it('does not repeat action verbs, nor calls marked idempotent: false', async () => {
    const t = await startSim();
    t.sim.func('user.suspend', () => okReply());
    t.sim.faults.set('user.suspend', { kind: 'timeout' });
    t.sim.faults.set('user', { kind: 'timeout' });
    const client = t.client({ timeoutMs: 100 });
    expect(await rejectionOf(client.call('user.suspend', {}, { elid: 'u1' }))).toMatchObject({ outcomeUnknown: true });
    expect(await rejectionOf(client.call('user', {}, { idempotent: false }))).toBeInstanceOf(IspTimeoutError);
    expect(t.sim.calls('user.suspend')).toHaveLength(1);
    expect(t.sim.calls('user')).toHaveLength(1);
  });

  it('throws the caller’s abort reason at once, without a retry', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'timeout' });
    const reason = new Error('operation timed out');
    const ac = new AbortController();
    setTimeout(() => ac.abort(reason), 100);
    const err = await rejectionOf(t.client().list('user', {}, { signal: ac.signal }));
    expect(err).toBe(reason);
    expect(t.sim.calls('user')).toHaveLength(1);
  });
});

describe('HTTP 500, garbage and latency', () => {
  it('repeats a read after one 500; a write gets IspHttpError with the status', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'http500', times: 1 });
    expect((await t.client().list('user')).rows).toHaveLength(2);
    expect(t.sim.calls('user')).toHaveLength(2);

    t.sim.func('user.edit', () => idReply(5));
    t.sim.faults.set('user.edit', { kind: 'http500' });
    const err = await rejectionOf(t.client().save('user.edit', { name: 'x' }));
    expect(err).toBeInstanceOf(IspHttpError);
    expect(err).toMatchObject({ status: 500, retryable: false, outcomeUnknown: true });
    expect(t.sim.calls('user.edit')).toHaveLength(1);
  });

  it('turns a malformed or foreign body into IspProtocolError', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'malformed' });
    const err = await rejectionOf(t.client().list('user'));
    expect(err).toBeInstanceOf(IspProtocolError);
    expect(err.message).toContain('not an ISPsystem JSON reply');
    expect(t.sim.calls('user')).toHaveLength(2);

    t.sim.faults.set('user', { kind: 'malformed', body: '<!DOCTYPE html><title>Login</title>', times: 1 });
    const html = await rejectionOf(t.client({ retry: { attempts: 1 } }).list('user'));
    expect(html.message).toContain('starts with "<!DOCTYPE html><title>Login</title>"');
    t.sim.faults.set('user', { kind: 'malformed', body: '{"elem":[]}' });
    expect(await rejectionOf(t.client({ retry: { attempts: 1 } }).list('user'))).toBeInstanceOf(IspProtocolError);
  });

  it('waits out latency within the timeout, and times out beyond it', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'latency', ms: 150 });
    const started = performance.now();
    expect((await t.client({ timeoutMs: 2_000 }).list('user')).rows).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    t.sim.faults.set('user', { kind: 'latency', ms: 1_000, times: 1 });
    expect(await rejectionOf(t.client({ timeoutMs: 100, retry: { attempts: 1 } }).list('user'))).toBeInstanceOf(IspTimeoutError);
  });

  it('answers an injected auth failure or any error envelope, with HTTP 200', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'auth', times: 1 });
    expect(await rejectionOf(t.client().list('user'))).toBeInstanceOf(IspAuthError);
    t.sim.faults.set('*', { kind: 'error', error: new SimError('exists', 'user', { value: 'u1' }), times: 1 });
    expect(await rejectionOf(t.client().list('user'))).toBeInstanceOf(IspExistsError);
    expect((await t.client().list('user')).rows).toHaveLength(2);
  });
});

describe('connection failures', () => {
  it('says a refused connection is safe to retry, even for a write (nothing was sent)', async () => {
    const url = `http://127.0.0.1:${await freePort()}/billmgr`;
    const err = await rejectionOf(new IspClient({ url, ...ADMIN }).save('vds.order.param', {}));
    expect(err).toBeInstanceOf(IspConnectionError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', retryable: true, outcomeUnknown: false });
    expect(err.message).toContain('Check the URL');
  });

  it('close() does not wait for a request a timeout fault holds open', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'timeout' });
    const pending = fetch(`${t.running.url}?func=user&out=json`).then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await t.running.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await pending).toBe('dropped');
  });
});

describe('retry policy', () => {
  it('treats saves, orders and actions as writes, and the rest as reads', () => {
    const p = (s: string) => new URLSearchParams(s);
    expect(isReadOnlyCall('user', p(''))).toBe(true);
    expect(isReadOnlyCall('dashboard.info', p(''))).toBe(true);
    expect(isReadOnlyCall('soft.edit', p('elid=7'))).toBe(true);
    expect(isReadOnlyCall('soft.edit', p('elid=7&sok=ok'))).toBe(false);
    expect(isReadOnlyCall('vds.order.param', p(''))).toBe(false);
    expect(isReadOnlyCall('domain.order.api', p(''))).toBe(false);
    expect(isReadOnlyCall('soft.suspend', p(''))).toBe(false);
    expect(isReadOnlyCall('server.poweron', p(''), true)).toBe(true);
    expect(isReadOnlyCall('soft.edit', p('sok=ok'), true)).toBe(false);
    expect(isReadOnlyCall('user', p(''), false)).toBe(false);
  });

  it('counts faults down and clears them', () => {
    const f = new SimFaults();
    f.set('a', { kind: 'http500', times: 2 });
    f.set('*', { kind: 'malformed' });
    expect([f.take('a')?.kind, f.take('a')?.kind, f.take('a')?.kind, f.take('b')?.kind]).toEqual(['http500', 'http500', 'malformed', 'malformed']);
    f.clear();
    expect(f.take('a')).toBeUndefined();
    expect(() => f.set('a', { kind: 'timeout', times: 0 })).toThrow(RangeError);
  });

  it('hands the processing queue auth, permanent and temporary failures', () => {
    const auth = apiErrorFrom({ type: 'auth', object: 'badpassword', params: [] }, 'user', 'Panel');
    const exists = apiErrorFrom({ type: 'exists', object: 'user', params: [] }, 'user.edit', 'Panel');
    const timeout = new IspTimeoutError('slow', { func: 'user', retryable: true }, 10);
    expect(toProcessingError(auth)).toMatchObject({ kind: 'auth', message: auth.message });
    expect(toProcessingError(exists).kind).toBe('permanent');
    expect(toProcessingError(timeout).kind).toBe('temporary');
    expect(toProcessingError(new Error('x')).kind).toBe('temporary');
    const already = new ProcessingError('permanent', 'p');
    expect(toProcessingError(already)).toBe(already);
  });
});

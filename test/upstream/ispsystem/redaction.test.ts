// Passwords, authinfo and session ids never reach an error (message, stack, properties), a log line
// or the simulator's request log, even when the upstream echoes them back.
import { describe, expect, it } from 'vitest';
import { IspProtocolError, IspValueError, scrubSecrets } from '../../../core/upstream/ispsystem/index.ts';
import { SimError } from '../../../core/upstream/ispsystem/simulator/index.ts';
import { ADMIN, captureLogger, everythingOf, rejectionOf, startSim } from './helpers.ts';

const PASSWORD = ADMIN.password;
const ENCODED = encodeURIComponent(PASSWORD);

function expectClean(text: string, extra: string[] = []) {
  for (const secret of [PASSWORD, ENCODED, `admin:${PASSWORD}`, ...extra]) expect(text).not.toContain(secret);
}

describe('secrets', () => {
  it('stay out of the error and the logs on a wrong-password refusal that quotes the password', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'error', error: new SimError('auth', 'badpassword', { value: `authinfo=admin:${PASSWORD}`, msg: `Bad password ${PASSWORD} for admin` }) });
    const { log, lines } = captureLogger();
    const err = await rejectionOf(t.client({ log }).list('user'));
    expect(err.message).toContain('Bad password [redacted] for admin');
    expectClean(everythingOf(err));
    expect(lines.length).toBeGreaterThan(0);
    expectClean(lines.join('\n'));
  });

  it('stay out of a protocol error whose body echoes the request, with GET and a retry logged', async () => {
    const t = await startSim();
    t.sim.faults.set('user', { kind: 'malformed', body: `<html>?func=user&authinfo=admin:${ENCODED}&password=${PASSWORD}</html>` });
    const { log, lines } = captureLogger();
    const err = await rejectionOf(t.client({ log, method: 'GET' }).list('user'));
    expect(err).toBeInstanceOf(IspProtocolError);
    expectClean(everythingOf(err));
    expect(lines.some((l) => l.includes('"retrying":true'))).toBe(true);
    expectClean(lines.join('\n'));
  });

  it('keep session ids out of logs, errors and the request log; so are passwords a call sets', async () => {
    const t = await startSim();
    t.sim.func('user.edit', (req) => {
      throw new SimError('value', 'passwd', { value: req.params.passwd ?? '', msg: `weak password ${req.params.passwd ?? ''}` });
    });
    const { log, lines } = captureLogger();
    const client = t.client({ log, auth: 'session' });
    await client.list('user');
    t.clock.advance(2 * 3_600_000);
    const err = await rejectionOf(client.save('user.edit', { name: 'u2', passwd: 'N3w-Us3r-Pw', confirm: 'N3w-Us3r-Pw' }));
    expect(err).toBeInstanceOf(IspValueError);
    const sessions = lines.flatMap((l) => [...l.matchAll(/[0-9a-f]{24}/g)].map((m) => m[0]));
    expect(sessions).toEqual([]);
    expectClean(lines.join('\n'), ['N3w-Us3r-Pw']);
    expectClean(everythingOf(err), ['N3w-Us3r-Pw']);
    expectClean(JSON.stringify(t.sim.requests), ['N3w-Us3r-Pw']);
    expect(t.sim.calls('user.edit')[0]!.params).toMatchObject({ passwd: '[redacted]', confirm: '[redacted]', auth: '[redacted]', name: 'u2' });
  });

  it('scrubSecrets removes plain and URL-encoded values and credential parameters', () => {
    expect(scrubSecrets(`x ${PASSWORD} y ${ENCODED} z`, [PASSWORD])).toBe('x [redacted] y [redacted] z');
    expect(scrubSecrets('a?auth=abc123&func=user&key=k1 b', [])).toBe('a?auth=[redacted]&func=user&key=[redacted] b');
  });
});

describe('which parameters are secret', () => {
  it('covers credentials, keys and domain transfer codes, not ordinary fields', async () => {
    const { isSecretParam } = await import('../../../core/upstream/ispsystem/redact.ts');
    for (const name of ['authinfo', 'password', 'passwd', 'auth_code', 'authcode', 'epp_code', 'lickey', 'token']) expect(isSecretParam(name), name).toBe(true);
    for (const name of ['func', 'elid', 'domain', 'period', 'ns0', 'authority']) expect(isSecretParam(name), name).toBe(false);
  });
});

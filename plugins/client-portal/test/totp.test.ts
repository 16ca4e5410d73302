// Two-step sign-in for clients: set up with a QR code, confirmed by a code; sign-in then asks for a
// code (or a recovery code, once each); wrong codes are throttled; turning it off needs password + code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import { codeStep, passwordStep } from './security-helpers.ts';
import { totpCode } from '../../../core/auth/totp.ts';

let f: PortalFixture;
let secret = '';
let recovery: string[] = [];
const EMAIL = 'ada@example.test';

beforeAll(async () => {
  f = await portalApp();
});
afterAll(async () => {
  await f.t.destroy();
});

const code = () => totpCode(secret, f.t.clock.now());
const nextStep = () => f.t.clock.advance(30_000);

async function userId(email: string): Promise<number> {
  return (await f.t.services.users.findByEmail('client', email))!.id;
}

describe('setting up two-step sign-in', () => {
  it('shows a QR code and the key, and turns on only after a code from the app matches', async () => {
    const page = await f.client.get('/client/security');
    expect(page.$('#two-factor .badge').text()).toBe('Off');
    await f.client.post('/client/security/two-factor/start');
    const setup = await f.client.get('/client/security/two-factor');
    expect(setup.status).toBe(200);
    expect(setup.$('.qr-box svg[role="img"] path').length).toBeGreaterThan(0);
    expect(setup.html).not.toMatch(/<script(?! src="\/static\/)/);
    const key = setup.$('.secret-key').text().replace(/\s+/g, '');
    // Reloading shows the same secret: the app the client already scanned keeps working.
    expect((await f.client.get('/client/security/two-factor')).$('.secret-key').text().replace(/\s+/g, '')).toBe(key);

    const wrong = await f.client.post('/client/security/two-factor', { code: '000000' === totpCode(key, f.t.clock.now()) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.$('#f-code-error').text()).toMatch(/not right/);
    const row = await f.t.services.db('core_user_totp').where({ user_id: await userId(EMAIL) }).first();
    expect(row.enabled_at).toBeNull();
    // Sealed with the panel's secret box, never stored as typed into the app.
    expect(row.secret_sealed).toMatch(/^v1:/);
    expect(row.secret_sealed).not.toContain(key);
  });

  it('shows ten recovery codes once and stores only their hashes', async () => {
    await f.client.get('/client/security');
    // The unconfirmed secret from the previous test is kept; confirm it now.
    const setup = await f.client.get('/client/security/two-factor');
    secret = setup.$('.secret-key').text().replace(/\s+/g, '');
    const done = await f.client.post('/client/security/two-factor', { code: code() });
    expect(done.status).toBe(200);
    recovery = done.$('.recovery-codes code').map((_, el) => done.$(el).text()).get();
    expect(recovery).toHaveLength(10);
    const stored = (await f.t.services.db('core_user_recovery_codes').where({ user_id: await userId(EMAIL) }).select('code_hash')) as { code_hash: string }[];
    expect(stored).toHaveLength(10);
    for (const r of stored) expect(recovery.some((c) => r.code_hash.includes(c) || r.code_hash.includes(c.replace('-', '')))).toBe(false);
    const page = await f.client.get('/client/security');
    expect(page.$('#two-factor .badge').text()).toBe('On');
    expect(page.$('#two-factor').text()).toMatch(/10 unused recovery codes left/);
    // Once on, the set-up page has nothing to show and the codes are not shown again.
    expect((await f.client.get('/client/security/two-factor')).res.headers.get('location')).toBe('/client/security');
    const audit = await f.t.services.db('core_audit_log').where({ action: 'auth.two_factor_enabled' }).first();
    expect(audit.actor_label).toBe(EMAIL);
    nextStep();
  });
});

describe('signing in with two-step sign-in on', () => {
  it('asks for the code after the password and starts no session before it', async () => {
    const agent = f.t.agent();
    const first = await passwordStep(agent, 'client', EMAIL);
    expect(first.status).toBe(303);
    expect(first.res.headers.get('location')).toBe('/login/2fa');
    expect(agent.cookies.has('trellis_session')).toBe(false);
    expect((await agent.get('/client')).res.headers.get('location')).toMatch(/^\/login/);
    const page = await agent.get('/login/2fa');
    expect(page.status).toBe(200);
    expect(page.$('input[name="code"]').attr('autocomplete')).toBe('one-time-code');

    const ok = await codeStep(agent, code());
    expect(ok.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe('/client');
    expect((await agent.get('/client')).status).toBe(200);
    expect(agent.cookies.has('trellis_2fa')).toBe(false);
    const login = await f.t.services.db('core_audit_log').where({ action: 'auth.login', actor_label: EMAIL }).orderBy('id', 'desc').first();
    expect(JSON.parse(login.details)).toEqual({ secondFactor: 'totp' });
  });

  it('refuses a code already used, even in its own 30 seconds', async () => {
    const used = code();
    const agent = f.t.agent();
    await passwordStep(agent, 'client', EMAIL);
    const replay = await codeStep(agent, used);
    expect(replay.status).toBe(401);
    expect(replay.$('#f-code-error').text()).toMatch(/already used/);
    nextStep();
    expect((await codeStep(agent, code())).status).toBe(303);
    nextStep();
  });

  it('refuses wrong codes and locks the second step after five', async () => {
    const failuresBefore = Number((await f.t.services.db('core_audit_log').where({ action: 'auth.second_step_failed' }).count({ n: '*' }))[0]!.n);
    const agent = f.t.agent();
    await passwordStep(agent, 'client', EMAIL);
    const wrong = String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++) expect((await codeStep(agent, wrong)).status).toBe(401);
    const locked = await codeStep(agent, code());
    expect(locked.status).toBe(429);
    expect(locked.$('.flash-error').text()).toMatch(/Too many wrong codes/);
    expect(agent.cookies.has('trellis_session')).toBe(false);
    // A right password does not lift the lock on the codes.
    const again = f.t.agent();
    await passwordStep(again, 'client', EMAIL);
    expect((await codeStep(again, code())).status).toBe(429);
    const failures = await f.t.services.db('core_audit_log').where({ action: 'auth.second_step_failed' }).count({ n: '*' });
    expect(Number(failures[0]!.n) - failuresBefore).toBe(5);
    f.t.clock.advance(16 * 60_000);
    await passwordStep(again, 'client', EMAIL);
    expect((await codeStep(again, code())).status).toBe(303);
    nextStep();
  });

  it('accepts each recovery code once', async () => {
    const agent = f.t.agent();
    await passwordStep(agent, 'client', EMAIL);
    const ok = await codeStep(agent, recovery[0]!.toUpperCase());
    expect(ok.status).toBe(303);
    const home = await agent.get('/client');
    expect(home.$('.flash-warning').text()).toMatch(/recovery code; 9 unused code\(s\) left/);
    const again = f.t.agent();
    await passwordStep(again, 'client', EMAIL);
    expect((await codeStep(again, recovery[0]!)).status).toBe(401);
    expect((await f.client.get('/client/security')).$('#two-factor').text()).toMatch(/9 unused recovery codes left/);
  });

  it('asks in Russian when the browser prefers it', async () => {
    const agent = f.t.agent();
    await agent.get('/login', { 'accept-language': 'ru' });
    await agent.request('/login', { method: 'POST', body: new URLSearchParams({ _csrf: agent.csrf, email: EMAIL, password: 'correct horse battery' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ru' } });
    const page = await agent.get('/login/2fa', { 'accept-language': 'ru' });
    expect(page.$('h1').text()).toBe('Двухэтапный вход');
    expect(page.$('label[for="f-code"]').text()).toMatch(/Код/);
    expect(page.$('button[type="submit"]').text()).toBe('Продолжить');
    const wrong = await agent.request('/login/2fa', { method: 'POST', body: new URLSearchParams({ _csrf: agent.csrf, code: 'zzzzzz' }), headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ru' } });
    expect(wrong.$('#f-code-error').text()).toMatch(/^Код неверен или уже был использован/);
  });

  it('forgets a half-finished sign-in after five minutes', async () => {
    const agent = f.t.agent();
    await passwordStep(agent, 'client', EMAIL);
    f.t.clock.advance(5 * 60_000 + 1000);
    const late = await agent.get('/login/2fa');
    expect(late.status).toBe(303);
    expect(late.res.headers.get('location')).toBe('/login');
    expect((await agent.get('/login')).$('.flash-warning').text()).toMatch(/took too long/);
  });

  it('needs a pending sign-in of this browser: a code alone signs no one in', async () => {
    const agent = f.t.agent();
    await agent.get('/login');
    const res = await agent.post('/login/2fa', { code: code() });
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe('/login');
    expect(agent.cookies.has('trellis_session')).toBe(false);
  });
});

describe('managing two-step sign-in', () => {
  it('makes new recovery codes that replace the old ones', async () => {
    await f.client.get('/client/security');
    const res = await f.client.post('/client/security/two-factor/recovery-codes');
    expect(res.status).toBe(200);
    const fresh = res.$('.recovery-codes code').map((_, el) => res.$(el).text()).get();
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recovery[1]);
    const agent = f.t.agent();
    await passwordStep(agent, 'client', EMAIL);
    expect((await codeStep(agent, recovery[1]!)).status).toBe(401);
    expect((await codeStep(agent, fresh[0]!)).status).toBe(303);
    recovery = fresh.slice(1);
  });

  it('turns off only with the password and a code', async () => {
    await f.client.get('/client/security');
    const noPassword = await f.client.post('/client/security/two-factor/disable', { password: 'not my password', code: code() });
    expect(noPassword.status).toBe(400);
    expect(noPassword.$('#f-password-error').text()).toMatch(/not your current password/);
    const badCode = await f.client.post('/client/security/two-factor/disable', { password: 'correct horse battery', code: '12345' });
    expect(badCode.status).toBe(400);
    expect(badCode.$('#f-code-error').text()).toMatch(/not right/);
    expect((await f.client.get('/client/security')).$('#two-factor .badge').text()).toBe('On');

    const off = await f.client.post('/client/security/two-factor/disable', { password: 'correct horse battery', code: code() });
    expect(off.status).toBe(303);
    expect((await f.client.get('/client/security')).$('#two-factor .badge').text()).toBe('Off');
    expect(await f.t.services.db('core_user_recovery_codes').where({ user_id: await userId(EMAIL) }).first()).toBeUndefined();
    const agent = f.t.agent();
    const first = await passwordStep(agent, 'client', EMAIL);
    expect(first.res.headers.get('location')).toBe('/client');
  });

  it('refuses every form without the CSRF token', async () => {
    await f.client.get('/client/security');
    for (const path of ['/client/security/two-factor/start', '/client/security/two-factor', '/client/security/two-factor/recovery-codes', '/client/security/two-factor/disable']) {
      expect((await f.client.post(path, { code: '123456', password: 'x' }, { csrf: null })).status, path).toBe(403);
    }
    const agent = f.t.agent();
    await agent.get('/login');
    expect((await agent.post('/login/2fa', { code: '123456' }, { csrf: null })).status).toBe(403);
  });
});

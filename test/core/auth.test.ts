// Sign-in, sessions and first-run setup, driven through the real forms.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { issueSetupToken } from '../../core/auth/setup-token.ts';
import { ARGON2_OPTIONS } from '../../core/auth/passwords.ts';

let t: TestApp;
afterEach(async () => {
  await t?.destroy();
});

describe('first-run setup', () => {
  it('creates the first administrator once, with field errors and typed values kept on bad input', async () => {
    t = await createTestApp();
    const token = await issueSetupToken(t.services.settings, t.clock);
    const agent = t.agent();
    expect((await agent.get('/setup?token=wrong')).status).toBe(403);
    const page = await agent.get(`/setup?token=${token}`);
    expect(page.status).toBe(200);

    const bad = await agent.post('/setup', { token, name: 'Olga', email: 'olga@example.test', password: 'long enough pass', confirm: 'different pass!' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-confirm-error').text()).toMatch(/do not match/);
    expect(bad.$('#f-email').attr('value')).toBe('olga@example.test');
    expect(bad.$('#f-password').attr('value')).toBeUndefined();
    expect(await t.services.users.countStaff()).toBe(0);

    const ok = await agent.post('/setup', { token, name: 'Olga', email: 'olga@example.test', password: 'long enough pass', confirm: 'long enough pass' });
    expect(ok.status).toBe(303);
    expect(ok.res.headers.get('location')).toBe('/admin');
    const dash = await agent.get('/admin');
    expect(dash.status).toBe(200);
    expect(dash.$('.flash-success').text()).toMatch(/Welcome/);

    // The link is spent: a second visit goes to the sign-in page, a replayed post creates nothing.
    expect((await t.agent().get(`/setup?token=${token}`)).res.headers.get('location')).toBe('/admin/login');
    const again = t.agent();
    await again.get('/admin/login');
    expect((await again.post('/setup', { token, name: 'Eve', email: 'eve@example.test', password: 'long enough pass', confirm: 'long enough pass' })).status).toBe(303);
    expect(await t.services.users.countStaff()).toBe(1);
  });
});

describe('sign-in', () => {
  it('hashes passwords with argon2id at the agreed cost', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'a@example.test');
    const row = await t.services.users.findByEmail('staff', 'a@example.test');
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(ARGON2_OPTIONS.memoryCost).toBeGreaterThanOrEqual(19 * 1024);
  });

  it('rotates the session on login and ends it on logout', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'a@example.test');
    const agent = t.agent();
    await agent.login('staff', 'a@example.test');
    const first = agent.cookies.get('trellis_session');
    await agent.login('staff', 'a@example.test');
    const second = agent.cookies.get('trellis_session');
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    expect(await t.services.sessions.resolve(first!)).toBeNull();
    const out = await agent.post('/logout');
    expect(out.res.headers.get('location')).toBe('/admin/login');
    expect(await t.services.sessions.resolve(second!)).toBeNull();
    const login = await agent.get('/admin/login');
    expect(login.$('.flash-info').text()).toMatch(/signed out/);
    expect((await agent.get('/admin')).status).toBe(303);
  });

  it('says the same thing for an unknown e-mail and a wrong password', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'a@example.test');
    const agent = t.agent();
    await agent.get('/admin/login');
    const unknown = await agent.post('/admin/login', { email: 'nobody@example.test', password: 'whatever it is' });
    const wrong = await agent.post('/admin/login', { email: 'a@example.test', password: 'whatever it is' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.$('.flash-error').text()).toBe(wrong.$('.flash-error').text());
    expect(wrong.$('#f-email').attr('value')).toBe('a@example.test');
  });

  it('keeps client logins and staff logins apart', async () => {
    t = await createTestApp();
    await t.createUser('client', 'c@example.test');
    const agent = t.agent();
    await agent.get('/admin/login');
    expect((await agent.post('/admin/login', { email: 'c@example.test', password: 'correct horse battery' })).status).toBe(401);
    await agent.login('client', 'c@example.test');
    expect((await agent.get('/client')).status).toBe(200);
  });

  it('locks an account after repeated failures, before checking any password, and lets it in after the lock', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'a@example.test');
    const agent = t.agent();
    await agent.get('/admin/login');
    for (let i = 0; i < 5; i++) expect((await agent.post('/admin/login', { email: 'a@example.test', password: `wrong ${i} guess` })).status).toBe(401);
    const locked = await agent.post('/admin/login', { email: 'a@example.test', password: 'correct horse battery' });
    expect(locked.status).toBe(429);
    expect(locked.$('.flash-error').text()).toMatch(/Too many failed sign-in attempts. Try again in 15 minute/);
    // While locked even the right password is refused: the check happens before hashing.
    const events = await t.services.db('core_audit_log').where({ action: 'auth.login_throttled' });
    expect(events.length).toBe(1);
    t.clock.advance(16 * 60_000);
    expect((await agent.post('/admin/login', { email: 'a@example.test', password: 'correct horse battery' })).status).toBe(303);
  });

  it('throttles one address trying many accounts', async () => {
    t = await createTestApp();
    const agent = t.agent();
    await agent.get('/admin/login');
    for (let i = 0; i < 20; i++) await agent.post('/admin/login', { email: `user${i}@example.test`, password: 'guess guess' });
    const res = await agent.post('/admin/login', { email: 'fresh@example.test', password: 'guess guess' });
    expect(res.status).toBe(429);
  });

  it('ends idle sessions', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'a@example.test');
    const agent = t.agent();
    await agent.login('staff', 'a@example.test');
    t.clock.advance(13 * 3600_000);
    expect((await agent.get('/admin')).status).toBe(303);
  });
});

describe('password changes and suspension', () => {
  it('ends the other sessions of a user who changes their password', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'a@example.test');
    const laptop = t.agent();
    const phone = t.agent();
    await laptop.login('staff', 'a@example.test');
    await phone.login('staff', 'a@example.test');
    const wrong = await laptop.post('/admin/account/password', { current: 'not it at all', password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
    expect(wrong.status).toBe(400);
    expect(wrong.$('#f-current-error').text()).toMatch(/not your current password/);
    const ok = await laptop.post('/admin/account/password', { current: 'correct horse battery', password: 'a brand new passphrase', confirm: 'a brand new passphrase' });
    expect(ok.status).toBe(303);
    expect((await laptop.get('/admin')).status).toBe(200);
    expect((await phone.get('/admin')).status).toBe(303);
    await t.agent().login('staff', 'a@example.test', 'a brand new passphrase');
  });

  it('signs a suspended staff user out everywhere and refuses their sign-in', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'boss@example.test', { role: 'admin' });
    const id = await t.createUser('staff', 'sam@example.test', { role: 'support' });
    const boss = t.agent();
    await boss.login('staff', 'boss@example.test');
    const sam = t.agent();
    await sam.login('staff', 'sam@example.test');
    expect((await sam.get('/admin/system/users')).status).toBe(403); // support is not admin
    expect((await boss.post(`/admin/system/users/${id}/suspend`)).status).toBe(303);
    expect((await sam.get('/admin')).status).toBe(303);
    await sam.get('/admin/login');
    const refused = await sam.post('/admin/login', { email: 'sam@example.test', password: 'correct horse battery' });
    expect(refused.status).toBe(401);
    expect(refused.$('.flash-error').text()).toMatch(/suspended/);
    const audit = await t.services.db('core_audit_log').where({ action: 'staff.suspended' });
    expect(audit).toHaveLength(1);
  });

  it('will not suspend or demote the last administrator', async () => {
    t = await createTestApp();
    const bossId = await t.createUser('staff', 'boss@example.test', { role: 'admin' });
    const boss = t.agent();
    await boss.login('staff', 'boss@example.test');
    await boss.post(`/admin/system/users/${bossId}/role`, { role: 'support' });
    expect((await t.services.users.findById(bossId))!.role).toBe('admin');
  });

  it('adds staff users with a role and refuses a duplicate e-mail with a field error', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'boss@example.test', { role: 'admin' });
    const boss = t.agent();
    await boss.login('staff', 'boss@example.test');
    await boss.get('/admin/system/users');
    const bad = await boss.post('/admin/system/users', { name: '', email: 'not-an-email', role: 'root', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-name-error').text()).toBeTruthy();
    expect(bad.$('#f-email-error').text()).toMatch(/valid e-mail/);
    expect(bad.$('#f-role-error').text()).toMatch(/Choose a role/);
    expect(bad.$('#f-password-error').text()).toMatch(/at least 10/);
    expect(bad.$('#f-email').attr('value')).toBe('not-an-email');
    const ok = await boss.post('/admin/system/users', { name: 'Bea', email: 'bea@example.test', role: 'billing', password: 'bea password 1' });
    expect(ok.status).toBe(303);
    const dup = await boss.post('/admin/system/users', { name: 'Bea', email: 'BEA@example.test', role: 'billing', password: 'bea password 1' });
    expect(dup.status).toBe(409);
    expect(dup.$('#f-email-error').text()).toMatch(/already exists/);
    await t.agent().login('staff', 'bea@example.test', 'bea password 1');
  });
});

// Two-step sign-in in core: staff turn it on from their account page and then sign in through
// /login/2fa; staff turn it off for a client login that lost its phone (audited), never across clients.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { insertClient } from '../billing/ledger-fixtures.ts';
import { totpCode } from '../../core/auth/totp.ts';
import { confirmEnrolment, enrolmentSecret, hasTwoFactor } from '../../core/auth/two-factor.ts';

let t: TestApp;
afterEach(async () => {
  await t?.destroy();
});

async function signIn(agent: Agent, kind: 'staff' | 'client', email: string) {
  const url = kind === 'staff' ? '/admin/login' : '/login';
  await agent.get(url);
  return agent.post(url, { email, password: 'correct horse battery' });
}

async function secondStep(agent: Agent, code: string) {
  await agent.get('/login/2fa');
  return agent.post('/login/2fa', { code });
}

/** Turns it on directly through the domain functions (the pages are tested in the portal). */
async function turnOn(userId: number): Promise<string> {
  const secret = (await enrolmentSecret(t.services, userId))!;
  expect(await confirmEnrolment(t.services, userId, totpCode(secret, t.clock.now()))).toHaveLength(10);
  t.clock.advance(30_000);
  return secret;
}

describe('staff two-step sign-in', () => {
  it('is set up on the account page and then asked for at /login/2fa', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'admin@example.test');
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const account = await admin.get('/admin/account');
    expect(account.$('#two-factor').text()).toMatch(/Off/);
    expect((await admin.post('/admin/account/two-factor/start')).res.headers.get('location')).toBe('/admin/account/two-factor');
    const setup = await admin.get('/admin/account/two-factor');
    expect(setup.$('.qr-box svg')).toHaveLength(1);
    const secret = setup.$('.secret-key').text().replace(/\s+/g, '');
    const wrong = await admin.post('/admin/account/two-factor', { code: '99999x' });
    expect(wrong.status).toBe(400);
    const done = await admin.post('/admin/account/two-factor', { code: totpCode(secret, t.clock.now()) });
    expect(done.status).toBe(200);
    expect(done.$('.recovery-codes li')).toHaveLength(10);
    t.clock.advance(30_000);

    const agent = t.agent();
    const first = await signIn(agent, 'staff', 'admin@example.test');
    expect(first.res.headers.get('location')).toBe('/login/2fa');
    expect((await agent.get('/admin')).status).toBe(303);
    const page = await agent.get('/login/2fa');
    expect(page.$('a[href="/admin/login"]')).toHaveLength(1);
    const ok = await secondStep(agent, totpCode(secret, t.clock.now()));
    expect(ok.res.headers.get('location')).toBe('/admin');
    expect((await agent.get('/admin')).status).toBe(200);
  });

  it('keeps "next" through the second step, still only to a path of this site', async () => {
    t = await createTestApp();
    const id = await t.createUser('staff', 'admin@example.test');
    const secret = await turnOn(id);
    const agent = t.agent();
    await agent.get('/admin/login');
    await agent.post('/admin/login', { email: 'admin@example.test', password: 'correct horse battery', next: '/admin/account' });
    expect((await secondStep(agent, totpCode(secret, t.clock.now()))).res.headers.get('location')).toBe('/admin/account');
    t.clock.advance(30_000);
    const evil = t.agent();
    await evil.get('/admin/login');
    await evil.post('/admin/login', { email: 'admin@example.test', password: 'correct horse battery', next: '//evil.example/' });
    expect((await secondStep(evil, totpCode(secret, t.clock.now()))).res.headers.get('location')).toBe('/admin');
  });

  it('asks a wrong password nothing more: the code step is reached only after the right one', async () => {
    t = await createTestApp();
    const id = await t.createUser('staff', 'admin@example.test');
    await turnOn(id);
    const agent = t.agent();
    await agent.get('/admin/login');
    const res = await agent.post('/admin/login', { email: 'admin@example.test', password: 'wrong password!' });
    expect(res.status).toBe(401);
    expect(agent.cookies.has('trellis_2fa')).toBe(false);
  });
});

describe('staff turning off a client login\'s two-step sign-in', () => {
  it('works from the client page, is audited, and lets the client sign in with the password alone', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'support@example.test', { role: 'support' });
    const clientId = await insertClient(t.services.db, { name: 'Ada Lovelace' });
    const otherId = await insertClient(t.services.db, { name: 'Other Client' });
    const ada = await t.createUser('client', 'ada@example.test', { clientId });
    const other = await t.createUser('client', 'other@example.test', { clientId: otherId });
    await turnOn(ada);
    await turnOn(other);

    const staff = t.agent();
    await staff.login('staff', 'support@example.test');
    const page = await staff.get(`/admin/clients/${clientId}`);
    const row = page.$('#logins tbody tr').filter((_, tr) => page.$(tr).text().includes('ada@example.test'));
    expect(row.find('.badge').text()).toMatch(/two-step/);
    const action = `/admin/clients/${clientId}/users/${ada}/two-factor/reset`;
    expect(row.find(`form[action="${action}"] button`).text()).toBe('Turn off two-step sign-in');

    // Another client's login under this client's address: 404, and it keeps its second step.
    expect((await staff.post(`/admin/clients/${clientId}/users/${other}/two-factor/reset`)).status).toBe(404);
    expect(await hasTwoFactor(t.services.db, other)).toBe(true);
    expect((await staff.post(action, {}, { csrf: null })).status).toBe(403);
    expect(await hasTwoFactor(t.services.db, ada)).toBe(true);

    const res = await staff.post(action);
    expect(res.res.headers.get('location')).toBe(`/admin/clients/${clientId}#logins`);
    expect((await staff.get(`/admin/clients/${clientId}`)).$('.flash-success').text()).toMatch(/Two-step sign-in is off for ada@example\.test/);
    expect(await hasTwoFactor(t.services.db, ada)).toBe(false);
    expect(await t.services.db('core_user_recovery_codes').where({ user_id: ada }).first()).toBeUndefined();
    const audit = await t.services.db('core_audit_log').where({ action: 'auth.two_factor_reset' }).first();
    expect(audit).toMatchObject({ actor_type: 'staff', actor_label: 'support@example.test', target: `client:${clientId}:user:${ada}` });

    const client = t.agent();
    expect((await signIn(client, 'client', 'ada@example.test')).res.headers.get('location')).toBe('/client');
  });
});

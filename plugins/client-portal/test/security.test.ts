// Account security in the portal: password change (core's rules, other sessions ended), the active
// sessions list with "Sign out" per session and everywhere, CSRF on every form, and Russian.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import { PASSWORD, passwordStep } from './security-helpers.ts';
import type { Agent } from '../../../test/helpers/app.ts';

let f: PortalFixture;
const EMAIL = 'ada@example.test';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

beforeAll(async () => {
  f = await portalApp();
});
afterAll(async () => {
  await f.t.destroy();
});

/** Signs in from another "device" (its own cookies and user agent). */
async function device(userAgent: string, password = PASSWORD): Promise<Agent> {
  const agent = f.t.agent();
  const headers = { 'user-agent': userAgent };
  await agent.get('/login', headers);
  const res = await agent.request('/login', { method: 'POST', body: new URLSearchParams({ _csrf: agent.csrf, email: EMAIL, password }), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.status).toBe(303);
  return agent;
}

describe('the security page', () => {
  it('lists the sessions with device, address and times, this one marked', async () => {
    await device(FIREFOX);
    await device(IPHONE);
    const page = await f.client.get('/client/security');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Security');
    const rows = page.$('#sessions tbody tr');
    expect(rows).toHaveLength(3);
    const text = rows.text();
    expect(text).toContain('Firefox on Linux');
    expect(text).toContain('Safari on iOS');
    expect(page.$('#sessions tr.session-current')).toHaveLength(1);
    expect(page.$('#sessions tr.session-current .badge').text()).toBe('This device');
    expect(page.$('#sessions tbody tr button[aria-label^="Sign out session from"]')).toHaveLength(3);
    // The portal's menu has the section under Account.
    expect(page.$('nav.side-nav a[href="/client/security"]').text()).toBe('Security');
  });

  it('signs out one session, then all the others', async () => {
    const phone = await device(IPHONE);
    expect((await phone.get('/client')).status).toBe(200);
    const page = await f.client.get('/client/security');
    const phoneRow = page.$('#sessions tbody tr').filter((_, tr) => page.$(tr).text().includes('Safari on iOS') && !page.$(tr).hasClass('session-current')).first();
    const action = phoneRow.find('form').attr('action')!;
    const before = (await f.t.services.db('core_sessions').count({ n: '*' }))[0]!.n;
    const res = await f.client.post(action);
    expect(res.status).toBe(303);
    expect(Number((await f.t.services.db('core_sessions').count({ n: '*' }))[0]!.n)).toBe(Number(before) - 1);

    const others = await f.client.post('/client/security/sessions/end-others');
    expect(others.status).toBe(303);
    const after = await f.client.get('/client/security');
    expect(after.$('.flash-success').text()).toMatch(/Signed out \d+ other sessions?\./);
    expect(after.$('#sessions tbody tr')).toHaveLength(1);
    expect((await phone.get('/client')).status).toBe(303);
  });

  it('never signs out another user\'s session: 404', async () => {
    const theirs = (await f.t.services.db('core_sessions').whereNot({ user_id: (await f.t.services.users.findByEmail('client', EMAIL))!.id }).first('id')) as { id: string };
    await f.client.get('/client/security');
    expect((await f.client.post(`/client/security/sessions/${theirs.id}/end`)).status).toBe(404);
    expect(await f.t.services.db('core_sessions').where({ id: theirs.id }).first('id')).toBeTruthy();
    expect((await f.other.get('/client')).status).toBe(200);
  });

  it('"Sign out everywhere" ends this session too', async () => {
    const laptop = await device(FIREFOX);
    await laptop.get('/client/security');
    const res = await laptop.post('/client/security/sessions/end-all');
    expect(res.res.headers.get('location')).toBe('/login');
    expect((await laptop.get('/client')).status).toBe(303);
    expect((await f.client.get('/client')).status).toBe(303);
    f.client = await device(FIREFOX);
    const audit = await f.t.services.db('core_audit_log').where({ action: 'auth.sessions_ended' }).orderBy('id', 'desc').first();
    expect(JSON.parse(audit.details)).toMatchObject({ includingCurrent: true });
  });
});

describe('changing the password', () => {
  it('checks the current password and core\'s rules, keeping the typed values out of the page', async () => {
    await f.client.get('/client/security');
    const wrong = await f.client.post('/client/security/password', { current: 'not it at all', password: 'a new long password', confirm: 'a new long password' });
    expect(wrong.status).toBe(400);
    expect(wrong.$('#f-current-error').text()).toBe('This is not your current password');
    expect(wrong.html).not.toContain('a new long password');
    const short = await f.client.post('/client/security/password', { current: PASSWORD, password: 'short', confirm: 'other' });
    expect(short.status).toBe(400);
    expect(short.$('#f-password-error').text()).toBe('Use at least 10 characters');
    expect(short.$('#f-confirm-error').text()).toBe('The two passwords do not match');
  });

  it('changes it and signs out every other session', async () => {
    const phone = await device(IPHONE);
    await f.client.get('/client/security');
    const res = await f.client.post('/client/security/password', { current: PASSWORD, password: 'a new long password', confirm: 'a new long password' });
    expect(res.status).toBe(303);
    expect((await f.client.get('/client/security')).$('.flash-success').text()).toBe('Your password was changed and 1 other session was signed out.');
    expect((await phone.get('/client')).status).toBe(303);
    expect((await passwordStep(f.t.agent(), 'client', EMAIL)).status).toBe(401);
    expect((await passwordStep(f.t.agent(), 'client', EMAIL, 'a new long password')).status).toBe(303);
    const audit = await f.t.services.db('core_audit_log').where({ action: 'auth.password_changed', actor_label: EMAIL }).first();
    expect(JSON.parse(audit.details)).toEqual({ otherSessionsEnded: 1 });
  });
});

describe('forms', () => {
  it('refuse a post without the CSRF token', async () => {
    const page = await f.client.get('/client/security');
    const id = page.$('#sessions tbody tr form').first().attr('action')!;
    for (const path of ['/client/security/password', '/client/security/sessions/end-others', '/client/security/sessions/end-all', id]) {
      expect((await f.client.post(path, { current: 'x', password: 'y', confirm: 'y' }, { csrf: null })).status, path).toBe(403);
    }
    expect((await f.client.get('/client')).status).toBe(200);
  });
});

describe('in Russian', () => {
  it('translates every text of the page', async () => {
    await f.client.post('/language', { lang: 'ru', next: '/client/security' });
    const page = await f.client.get('/client/security');
    expect(page.$('html').attr('lang')).toBe('ru');
    expect(page.$('h1').text()).toBe('Безопасность');
    expect(page.$('#password-h').text()).toBe('Пароль');
    expect(page.$('#password button[type="submit"]').text()).toBe('Сменить пароль');
    expect(page.$('#two-factor-h').text()).toBe('Двухэтапный вход');
    expect(page.$('#sessions-h').text()).toBe('Активные сеансы');
    expect(page.$('#sessions tr.session-current .badge').text()).toBe('Это устройство');
    expect(page.$('#control-panels-h').text()).toBe('Global Account');
    const bad = await f.client.post('/client/security/password', { current: 'wrong password', password: 'short', confirm: 'short' });
    expect(bad.$('#f-password-error').text()).toMatch(/не короче 10 символов/i);
    // Every text on the page went through the Russian catalog: no English sentence is left.
    const texts = page.$('main').text().replace(/\s+/g, ' ');
    expect(texts).not.toMatch(/\b(the|your|and|sign|session|password)\b/i);
    await f.client.post('/language', { lang: 'en', next: '/client' });
  });
});

// Shared by the security, TOTP and single sign-on tests: turning two-step sign-in on through the
// real pages, and signing in through both steps, with codes computed from the test clock.
import { expect } from 'vitest';
import type { Agent, PageResult, TestApp } from '../../../test/helpers/app.ts';
import { totpCode } from '../../../core/auth/totp.ts';

export const PASSWORD = 'correct horse battery';

/** Turns two-step sign-in on for the agent's user through /client/security; returns the secret and the recovery codes shown. */
export async function enableTwoFactor(t: TestApp, agent: Agent, base = '/client/security'): Promise<{ secret: string; codes: string[] }> {
  await agent.get(base);
  const start = await agent.post(`${base}/two-factor/start`);
  expect(start.status).toBe(303);
  const page = await agent.get(`${base}/two-factor`);
  expect(page.status).toBe(200);
  const secret = page.$('.secret-key').text().replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const done = await agent.post(`${base}/two-factor`, { code: totpCode(secret, t.clock.now()) });
  expect(done.status).toBe(200);
  const codes = done.$('.recovery-codes code').map((_, el) => done.$(el).text()).get();
  expect(codes).toHaveLength(10);
  // The next 30-second code: the one just used is never accepted twice.
  t.clock.advance(30_000);
  return { secret, codes };
}

/** Posts the password form; with two-step sign-in on this lands on /login/2fa. */
export async function passwordStep(agent: Agent, kind: 'staff' | 'client', email: string, password = PASSWORD): Promise<PageResult> {
  const url = kind === 'staff' ? '/admin/login' : '/login';
  await agent.get(url);
  return agent.post(url, { email, password });
}

/** The second step with `code`, after loading the page for its CSRF token. */
export async function codeStep(agent: Agent, code: string): Promise<PageResult> {
  await agent.get('/login/2fa');
  return agent.post('/login/2fa', { code });
}

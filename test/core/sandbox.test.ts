// The sandbox clock page: only in sandbox mode, only forward, and the jobs see the new time.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('sandbox clock', () => {
  it('does not exist on a normal panel', async () => {
    t = await createTestApp();
    await t.createUser('staff', 'a@example.test');
    const admin = t.agent();
    await admin.login('staff', 'a@example.test');
    expect((await admin.get('/admin/system/sandbox')).status).toBe(404);
  });

  it('moves the panel clock forward and asks the billing jobs to run', async () => {
    t = await createTestApp({ env: { TRELLIS_SANDBOX: '1' } });
    await t.createUser('staff', 'a@example.test');
    const admin = t.agent();
    await admin.login('staff', 'a@example.test');
    const page = await admin.get('/admin/system/sandbox');
    expect(page.status).toBe(200);
    const bad = await admin.post('/admin/system/sandbox/advance', { days: '-3' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-days-error').text()).toMatch(/At least 1 day/);
    const before = t.clock.now().getTime();
    expect((await admin.post('/admin/system/sandbox/advance', { days: '3' })).status).toBe(303);
    expect(t.clock.now().getTime() - before).toBe(3 * 86_400_000);
    const jobs = await t.services.jobs.list();
    expect(jobs.find((j) => j.id === 'core.billing.renewals')?.runRequestedAt).toBeTruthy();
    // The test's ManualClock moves sessions too (a sandbox panel's sessions keep real time): sign in again.
    const again = t.agent();
    await again.login('staff', 'a@example.test');
    expect((await again.get('/admin/system/sandbox')).$('.big-number').text()).toContain(t.clock.now().toISOString().slice(0, 10));
  });
});

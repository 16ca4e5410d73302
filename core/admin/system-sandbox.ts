// System → Sandbox (TRELLIS_SANDBOX=1 only): move the panel's clock forward to watch billing happen.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { validateForm } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { clientIp } from '../http/session.ts';
import { isAdvanceable, OffsetClock } from '../clock.ts';

const SANDBOX_OFFSET_KEY = 'sandbox.clock_offset_ms';
const advanceSchema = z.object({ days: z.coerce.number({ message: 'Enter a number of days' }).int('Whole days only').min(1, 'At least 1 day').max(400, 'At most 400 days at a time') });
const BILLING_JOBS = ['core.billing.renewals', 'core.billing.dunning', 'core.processing.run'];

export function systemSandboxRoutes() {
  const r = new Hono<AppEnv>();
  const page = (c: Context<AppEnv>, values: Record<string, unknown>, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const app = c.get('app');
    const offset = app.clock instanceof OffsetClock ? app.clock.offsetMs : null;
    return renderView(c, 'pages/admin/sandbox', { now: app.clock.now().toISOString(), offsetDays: offset === null ? null : Math.round(offset / 86_400_000), values, errors, jobs: BILLING_JOBS }, { title: 'Sandbox', status });
  };
  r.get('/', (c) => page(c, { days: '1' }, {}));
  r.post('/advance', async (c) => {
    const app = c.get('app');
    const form = await validateForm(c, advanceSchema);
    if (!form.ok) return page(c, form.values, form.errors, 400);
    if (!isAdvanceable(app.clock)) return app.pages.error(c, 409, 'This panel runs on the real clock.');
    app.clock.advance(form.data.days * 86_400_000);
    if (app.clock instanceof OffsetClock) await app.settings.set(SANDBOX_OFFSET_KEY, app.clock.offsetMs);
    // Due jobs notice the new time on their own; asking for the billing ones makes them run at once.
    for (const id of BILLING_JOBS) if (app.jobs.has(id)) await app.jobs.runNow(id);
    const me = c.get('user')!;
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: 'sandbox.clock_advanced', ip: clientIp(c), details: { days: form.data.days, now: app.clock.now().toISOString() } });
    flash(c, 'success', `The panel's clock moved ${form.data.days} day(s) forward, to ${app.clock.now().toISOString().replace('T', ' ').slice(0, 16)} UTC. Billing jobs run within seconds.`);
    return c.redirect('/admin/system/sandbox', 303);
  });
  return r;
}

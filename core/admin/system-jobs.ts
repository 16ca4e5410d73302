// System → Jobs: last run, next run, duration, failures, recent runs, and "Run now" (a POST).
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { flash } from '../http/flash.ts';
import { clientIp } from '../http/session.ts';

export function systemJobRoutes() {
  const r = new Hono<AppEnv>();

  r.get('/', async (c) => {
    const jobs = await c.get('app').jobs.list();
    return renderView(c, 'pages/admin/jobs', { jobs }, { title: 'Jobs' });
  });

  r.get('/:id', async (c) => {
    const app = c.get('app');
    const id = c.req.param('id');
    const job = (await app.jobs.list()).find((j) => j.id === id);
    if (!job) return app.pages.error(c, 404, `There is no job '${id}'.`);
    const runs = await app.jobs.recentRuns(id, 50);
    const items = job.kind === 'queue' ? await app.jobs.queueItems(id, { limit: 50 }) : [];
    return renderView(c, 'pages/admin/job', { job, runs, items }, { title: `Job ${id}` });
  });

  r.post('/:id/run', async (c) => {
    const app = c.get('app');
    const id = c.req.param('id');
    const job = (await app.jobs.list()).find((j) => j.id === id);
    if (!job || !job.registered || job.kind !== 'scheduled') return app.pages.error(c, 404, `There is no scheduled job '${id}' in this process.`);
    await app.jobs.runNow(id);
    const me = c.get('user')!;
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: 'jobs.run_requested', target: `job:${id}`, ip: clientIp(c) });
    flash(c, 'success', `${id} will run within a few seconds.`);
    return c.redirect('/admin/system/jobs', 303);
  });
  return r;
}

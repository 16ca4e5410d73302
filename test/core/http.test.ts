// The HTTP layer as a user meets it: full pages and htmx fragments, tables, forms, flash, errors, health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import hello from '../../plugins/hello/index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ plugins: [hello({ maxGreetingsShown: 5 })] });
  await t.createUser('staff', 'admin@example.test', { role: 'admin' });
  await t.createUser('staff', 'support@example.test', { role: 'support' });
  for (let i = 0; i < 12; i++) await t.services.db('hello_greetings').insert({ name: `Name ${String(i).padStart(2, '0')}`, created_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() });
  t.app.get('/admin/boom', () => {
    throw new Error('kaboom');
  });
});
afterAll(async () => {
  await t.destroy();
});

describe('pages and fragments', () => {
  it('renders a full page normally and only the content for htmx', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const full = await admin.get('/admin/hello');
    expect(full.html).toMatch(/^<!doctype html>/i);
    expect(full.$('nav.side-nav a[href="/admin/hello"]').attr('aria-current')).toBe('page');
    expect(full.res.headers.get('vary')).toMatch(/HX-Request/);
    const fragment = await admin.get('/admin/hello?sort=name&dir=asc', { 'hx-request': 'true' });
    expect(fragment.html).not.toMatch(/<html|<nav class="side-nav"/);
    expect(fragment.$('#greetings tbody tr').length).toBe(5);
    const boosted = await admin.get('/admin/hello', { 'hx-request': 'true', 'hx-boosted': 'true' });
    expect(boosted.html).toMatch(/^<!doctype html>/i);
  });

  it('builds the menu from registered entries and the viewer role', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const support = t.agent();
    await support.login('staff', 'support@example.test');
    const adminNav = (await admin.get('/admin')).$('nav.side-nav a').map((_, a) => a.attribs.href).get();
    const supportNav = (await support.get('/admin')).$('nav.side-nav a').map((_, a) => a.attribs.href).get();
    expect(adminNav).toEqual(expect.arrayContaining(['/admin', '/admin/hello', '/admin/system/plugins', '/admin/system/jobs', '/admin/system/audit']));
    expect(supportNav).toContain('/admin/hello');
    expect(supportNav).not.toContain('/admin/system/plugins');
  });
});

describe('the table partial', () => {
  it('sorts and pages with plain links that also carry htmx attributes', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const page = await admin.get('/admin/hello?sort=name&dir=asc');
    const names = page.$('#greetings tbody tr td:first-child').map((_, td) => page.$(td).text().trim()).get();
    expect(names).toEqual(['Hello, Name 00!', 'Hello, Name 01!', 'Hello, Name 02!', 'Hello, Name 03!', 'Hello, Name 04!']);
    expect(page.$('th[aria-sort="ascending"]').text()).toMatch(/Name/);
    const sortLink = page.$('th a').first();
    expect(sortLink.attr('href')).toBe('/admin/hello?sort=name&dir=desc');
    expect(sortLink.attr('hx-get')).toBe('/admin/hello?sort=name&dir=desc');
    expect(sortLink.attr('hx-target')).toBe('#greetings');
    expect(page.$('.page-info').text()).toMatch(/Page 1 of 3 · 12 in all/);
    const next = page.$('a[rel="next"]').attr('href')!;
    expect(next).toBe('/admin/hello?sort=name&dir=asc&page=2');
    const p3 = await admin.get('/admin/hello?sort=name&dir=asc&page=3');
    expect(p3.$('#greetings tbody tr').length).toBe(2);
    expect(p3.$('a[rel="next"]').length).toBe(0);
    // Nonsense in the query falls back to defaults instead of reaching SQL.
    const odd = await admin.get('/admin/hello?sort=password_hash;drop&dir=sideways&page=-4');
    expect(odd.status).toBe(200);
    expect(odd.$('.page-info').text()).toMatch(/Page 1 of 3/);
  });
});

describe('forms', () => {
  it('re-render with the error beside the field, keep the typed value, save nothing', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const before = await t.services.db('hello_greetings').count({ n: '*' });
    const bad = await admin.post('/admin/hello', { name: '<script>alert(1)</script>' });
    expect(bad.status).toBe(400);
    expect(bad.$('#f-name-error').text()).toMatch(/Use letters/);
    expect(bad.$('#f-name').attr('value')).toBe('<script>alert(1)</script>');
    expect(bad.$('#f-name').attr('aria-invalid')).toBe('true');
    expect(bad.html).not.toContain('<script>alert(1)</script>');
    expect(await t.services.db('hello_greetings').count({ n: '*' })).toEqual(before);
  });

  it('show a flash message once after the redirect', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const ok = await admin.post('/admin/hello', { name: 'Zoë' });
    expect(ok.status).toBe(303);
    const shown = await admin.get('/admin/hello');
    expect(shown.$('.flash-success').text()).toBe('Hello, Zoë!');
    const again = await admin.get('/admin/hello');
    expect(again.$('.flash-success').length).toBe(0);
  });

  it('refuse a forged flash cookie', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    admin.cookies.set('trellis_flash', `${Buffer.from(JSON.stringify([{ kind: 'error', text: 'forged' }])).toString('base64url')}.bad`);
    const page = await admin.get('/admin');
    expect(page.html).not.toContain('forged');
  });
});

describe('errors and health', () => {
  it('answers unknown pages with the 404 page', async () => {
    const res = await t.agent().get('/nope');
    expect(res.status).toBe(404);
    expect(res.$('h1').text()).toBe('Page not found');
  });

  it('answers a failing route with the 500 page and logs the error', async () => {
    const admin = t.agent();
    await admin.login('staff', 'admin@example.test');
    const res = await admin.get('/admin/boom');
    expect(res.status).toBe(500);
    expect(res.html).not.toContain('kaboom');
    expect(t.logLines.some((l) => l.includes('kaboom') && l.includes('request failed'))).toBe(true);
  });

  it('reports database and plugin state at /healthz', async () => {
    const res = await t.agent().get('/healthz');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.html);
    expect(body.status).toBe('ok');
    expect(body.db).toMatch(/sqlite|postgresql/);
    expect(body.plugins).toEqual([{ name: 'hello', state: 'enabled' }]);
  });

  it('serves htmx from our own static folder', async () => {
    const res = await t.agent().get('/static/vendor/htmx.min.js');
    expect(res.status).toBe(200);
    expect(res.html).toMatch(/htmx/);
    const page = await t.agent().get('/login');
    expect(page.$('script[src]').attr('src')).toBe('/static/vendor/htmx.min.js');
  });
});

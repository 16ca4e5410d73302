// A plugin can own the client home (/client itself): the portal. Core steps back, and comes back
// when that plugin is switched off at run time, without taking other plugins' client pages down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { createRouter, definePlugin } from '../../core/plugins/api.ts';
import { insertClient } from '../billing/ledger-fixtures.ts';

const portal = definePlugin({
  meta: { name: 'home-test', version: '1.0.0', apiVersion: '^1.2.0' },
  register(ctx) {
    const r = createRouter();
    r.use('*', async (c, next) => {
      c.header('x-home-test', 'seen');
      await next();
    });
    r.get('/', (c) => c.text(`portal home, owner ${c.get('owner')}`));
    r.get('/invoices', (c) => c.text('portal invoices'));
    ctx.routes.clientHome(r);
    ctx.menu.add({ area: 'client', section: 'billing', id: 'invoices', label: 'Invoices', href: '/invoices' });
  },
});
const other = definePlugin({
  meta: { name: 'other-test', version: '1.0.0', apiVersion: '^1.0.0' },
  register(ctx) {
    const r = createRouter();
    r.get('/', (c) => c.text(`other plugin, owner ${c.get('owner')}`));
    ctx.routes.client(r);
  },
});
const rival = definePlugin({
  meta: { name: 'rival-home', version: '1.0.0', apiVersion: '^1.2.0' },
  register(ctx) {
    ctx.routes.clientHome(createRouter());
  },
});

let t: TestApp;
let client: Agent;
beforeAll(async () => {
  t = await createTestApp({ plugins: [portal, other, rival] });
  const clientId = await insertClient(t.services.db);
  await t.createUser('client', 'owner@example.test', { clientId });
  client = t.agent();
  await client.login('client', 'owner@example.test');
});
afterAll(async () => {
  await t?.destroy();
});

describe('the client home', () => {
  it('is served by the plugin that mounts it, with its menu relative to /client and no core entries', async () => {
    const home = await client.get('/client');
    expect(home.html).toBe('portal home, owner home-test');
    expect((await client.get('/client/invoices')).html).toBe('portal invoices');
    const entries = t.services.menu.sections('client', 'owner', () => true).flatMap((s) => s.entries.map((e) => e.href));
    expect(entries).toContain('/client/invoices');
    expect(entries).not.toContain('/client/account');
  });

  it('goes to one plugin only: a second claimant is refused with a conflict', () => {
    expect(t.plugins.find((p) => p.name === 'rival-home')).toMatchObject({ state: 'failed', code: 'TRELLIS_ERR_PLUGIN_CONFLICT' });
  });

  it('leaves other plugins their own client pages, under their own name', async () => {
    const res = await client.get('/client/other-test');
    expect(res.html).toBe('other plugin, owner other-test');
  });

  it('steps aside while the plugin is switched off: core serves /client again, other plugins keep working', async () => {
    t.services.plugins.setRuntimeEnabled('home-test', false);
    try {
      const home = await client.get('/client');
      expect(home.status).toBe(200);
      expect(home.$('h1').text()).toMatch(/Welcome/);
      expect(home.res.headers.get('x-home-test')).toBeNull();
      expect((await client.get('/client/invoices')).status).toBe(404);
      expect((await client.get('/client/other-test')).html).toBe('other plugin, owner other-test');
      expect((await client.get('/client/account')).status).toBe(200);
    } finally {
      t.services.plugins.setRuntimeEnabled('home-test', true);
    }
    expect((await client.get('/client')).html).toBe('portal home, owner home-test');
  });
});

describe('the language switch', () => {
  it('remembers the choice on the user and shows the client layout in Russian', async () => {
    t.services.plugins.setRuntimeEnabled('home-test', false);
    try {
      const res = await client.post('/language', { lang: 'ru', next: '/client/account' });
      expect(res.status).toBe(303);
      expect(res.res.headers.get('location')).toBe('/client/account');
      const page = await client.get('/client/account');
      expect(page.$('html').attr('lang')).toBe('ru');
      expect(page.$('.skip-link').text()).toBe('Перейти к содержимому');
      const user = await t.services.db('core_users').where({ email: 'owner@example.test' }).first('language');
      expect(user.language).toBe('ru');
      // An unknown language changes nothing.
      await client.post('/language', { lang: 'xx', next: '/client' });
      expect((await t.services.db('core_users').where({ email: 'owner@example.test' }).first('language')).language).toBe('ru');
    } finally {
      t.services.plugins.setRuntimeEnabled('home-test', true);
    }
  });
});

// Global Account single sign-on: out to a control panel (the module's one-time link, audited, never
// in a page) and back from it (a signed, short-lived, single-use token bound to one connected login).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import { enableTwoFactor } from './security-helpers.ts';
import { insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { insertedId } from '../../../core/billing/invoices/store.ts';
import { signSsoToken, type SsoTokenPayload } from '../../../core/billing/client-area/sso.ts';
import { totpCode } from '../../../core/auth/totp.ts';
import type { ProcessingModule } from '../../../core/plugins/api.ts';
import type { Agent } from '../../../test/helpers/app.ts';

let f: PortalFixture;
let admin: Agent;
let serverA: number;
let serverB: number;
let adaService: number;
let otherService: number;
let adaOnB: number;
let secretA = '';
let secretB = '';
const calls: { serviceId: number; server: string }[] = [];
let panelFails = false;

/** A control panel whose module makes one-time links, like Plesk's or ISPmanager's. */
const panelModule: ProcessingModule = {
  name: 'test-panel',
  title: 'Test Panel',
  features: ['login_url'],
  async loginUrl(ctx, service) {
    calls.push({ serviceId: service.id, server: ctx.server.name });
    if (panelFails) throw new Error('panel is down');
    return `https://panel.example.test/login?one-time=${calls.length}&acct=${service.externalId}`;
  },
};

async function insertServer(name: string): Promise<number> {
  const [row] = await f.t.services.db('core_processing_servers')
    .insert({ name, module: 'test-panel', item_type: 'hosting', url: `https://${name}/`, username: 'reseller', created_at: '2026-03-01T00:00:00.000Z', updated_at: '2026-03-01T00:00:00.000Z' })
    .returning('id');
  return insertedId(row);
}

async function serviceOn(clientId: number, server: number, externalId: string, label: string, status = 'active'): Promise<number> {
  const { packageId } = await insertPackage(f.t.services.db, { name: 'Hosting M' });
  const id = await insertService(f.t.services.db, { clientId, packageId, label, serverId: server, status });
  await f.t.services.db('core_services').where({ id }).update({ external_id: externalId });
  return id;
}

const nowSec = () => Math.floor(f.t.clock.now().getTime() / 1000);
let nonce = 0;
function payload(over: Partial<SsoTokenPayload> = {}): SsoTokenPayload {
  nonce += 1;
  return { v: 1, srv: serverA, acct: 'acct-ada', exp: nowSec() + 120, nonce: `nonce-${nonce}-abcdefghijklmnop`, ...over };
}

async function audits(action: string) {
  return (await f.t.services.db('core_audit_log').where({ action }).orderBy('id')) as { target: string; details: string | null; actor_label: string }[];
}

beforeAll(async () => {
  f = await portalApp();
  f.t.services.processing.registerModule(panelModule);
  await f.t.createUser('staff', 'admin@example.test');
  await f.t.createUser('staff', 'billing@example.test', { role: 'billing' });
  admin = f.t.agent();
  await admin.login('staff', 'admin@example.test');
  serverA = await insertServer('panel-a.example.test');
  serverB = await insertServer('panel-b.example.test');
  adaService = await serviceOn(f.clientId, serverA, 'acct-ada', 'ada.example.test');
  otherService = await serviceOn(f.otherClientId, serverA, 'acct-other', 'theirs.example.test');
  adaOnB = await serviceOn(f.clientId, serverB, 'acct-ada-b', 'ada-b.example.test');
});
afterAll(async () => {
  await f.t.destroy();
});

describe('going to the control panel', () => {
  it('lists the client\'s services that have a panel, and redirects to a one-time link made at click time', async () => {
    const page = await f.client.get('/client/security');
    const rows = page.$('#control-panels tbody tr');
    expect(rows.text()).toContain('ada.example.test');
    expect(rows.text()).not.toContain('theirs.example.test');
    const link = page.$(`#control-panels a[href="/client/security/panel/${adaService}"]`);
    expect(link.text()).toBe('Go to control panel');
    expect(calls).toHaveLength(0);
    expect(page.html).not.toContain('panel.example.test/login');

    const res = await f.client.get(`/client/security/panel/${adaService}`, { 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe('https://panel.example.test/login?one-time=1&acct=acct-ada');
    expect(res.res.headers.get('cache-control')).toBe('no-store');
    expect(calls).toEqual([{ serviceId: adaService, server: 'panel-a.example.test' }]);
    const [entry] = await audits('sso.panel_login');
    expect(entry!.target).toBe(`service:${adaService}`);
    expect(entry!.actor_label).toBe('ada@example.test');
    expect(entry!.details).not.toContain('panel.example.test/login');
  });

  it('answers 404 for another client\'s service and never asks its panel', async () => {
    const before = calls.length;
    expect((await f.client.get(`/client/security/panel/${otherService}`)).status).toBe(404);
    expect((await f.client.get('/client/security/panel/999999')).status).toBe(404);
    expect(calls).toHaveLength(before);
  });

  it('does not follow a link from another site', async () => {
    const before = calls.length;
    const res = await f.client.get(`/client/security/panel/${adaService}`, { 'sec-fetch-site': 'cross-site' });
    expect(res.res.headers.get('location')).toBe('/client/security#control-panels');
    expect(calls).toHaveLength(before);
  });

  it('says why when the service is not active or the panel does not answer', async () => {
    await f.t.services.db('core_services').where({ id: adaOnB }).update({ status: 'suspended_nonpayment' });
    const suspended = await f.client.get(`/client/security/panel/${adaOnB}`);
    expect(suspended.res.headers.get('location')).toBe('/client/security#control-panels');
    expect((await f.client.get('/client/security')).$('.flash-error').text()).toMatch(/while the service is active/);
    await f.t.services.db('core_services').where({ id: adaOnB }).update({ status: 'active' });

    panelFails = true;
    const down = await f.client.get(`/client/security/panel/${adaService}`);
    panelFails = false;
    expect(down.status).toBe(303);
    expect(down.res.headers.get('location')).toBe('/client/security#control-panels');
    expect((await f.client.get('/client/security')).$('.flash-error').text()).toMatch(/did not answer/);
    const [failed] = await audits('sso.panel_login_failed');
    expect(JSON.parse(failed!.details!)).toMatchObject({ server: serverA, error: 'panel is down' });
  });
});

describe('return secrets', () => {
  it('are generated by administrators, shown once and stored encrypted', async () => {
    const page = await admin.get('/admin/client-portal/sso');
    expect(page.status).toBe(200);
    expect(page.$('tbody tr').text()).toContain('panel-a.example.test');
    const made = await admin.post(`/admin/client-portal/sso/${serverA}/secret`);
    expect(made.status).toBe(200);
    secretA = made.$('.secret-key').text().trim();
    expect(secretA).toMatch(/^[0-9a-f]{64}$/);
    expect((await admin.get('/admin/client-portal/sso')).html).not.toContain(secretA);
    const row = await f.t.services.db('core_sso_server_secrets').where({ server_id: serverA }).first();
    expect(row.secret_sealed).not.toContain(secretA);
    secretB = (await admin.post(`/admin/client-portal/sso/${serverB}/secret`)).$('.secret-key').text().trim();
    expect((await audits('sso.secret_generated')).map((a) => a.target)).toEqual([`processing_server:${serverA}`, `processing_server:${serverB}`]);
  });

  it('are for administrators only, and their forms need the CSRF token', async () => {
    const billing = f.t.agent();
    await billing.login('staff', 'billing@example.test');
    expect((await billing.get('/admin/client-portal/sso')).status).toBe(403);
    expect((await billing.post(`/admin/client-portal/sso/${serverA}/secret`)).status).toBe(403);
    expect((await admin.post(`/admin/client-portal/sso/${serverA}/secret`, {}, { csrf: null })).status).toBe(403);
    expect((await admin.post(`/admin/client-portal/sso/${serverA}/remove`, {}, { csrf: null })).status).toBe(403);
    expect((await f.client.get('/admin/client-portal/sso')).status).toBe(403);
  });
});

describe('connecting a panel account to a login (Global Account)', () => {
  it('connects the client\'s own service, never another client\'s', async () => {
    await f.client.get('/client/security');
    const res = await f.client.post(`/client/security/global-account/${adaService}/connect`);
    expect(res.status).toBe(303);
    const page = await f.client.get('/client/security');
    expect(page.$('.flash-success').text()).toMatch(/Connected to Global Account/);
    expect(page.$(`form[action="/client/security/global-account/${adaService}/disconnect"]`)).toHaveLength(1);
    expect(await f.t.services.db('core_sso_links').where({ service_id: adaService }).first('user_id')).toBeTruthy();

    expect((await f.client.post(`/client/security/global-account/${otherService}/connect`)).status).toBe(404);
    expect((await f.client.post(`/client/security/global-account/${otherService}/disconnect`)).status).toBe(404);
    expect(await f.t.services.db('core_sso_links').where({ service_id: otherService }).first()).toBeUndefined();
    expect((await f.client.post(`/client/security/global-account/${adaService}/connect`, {}, { csrf: null })).status).toBe(403);
  });
});

describe('coming back from the control panel', () => {
  it('signs the connected login in with a valid token and lands where the panel asked, inside the client area', async () => {
    const visitor = f.t.agent();
    const res = await visitor.get(`/p/client-portal/sso/return?token=${signSsoToken(secretA, payload({ next: '/client/security' }))}`);
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe('/client/security');
    const page = await visitor.get('/client/security');
    expect(page.status).toBe(200);
    expect(page.$('#sessions tr.session-current')).toHaveLength(1);
    const [entry] = await audits('sso.return');
    expect(entry!.actor_label).toBe('ada@example.test');
    expect(entry!.target).toBe(`service:${adaService}`);
  });

  it('never redirects outside the client area', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/admin', '/\\evil.example']) {
      const res = await f.t.agent().get(`/p/client-portal/sso/return?token=${signSsoToken(secretA, payload({ next }))}`);
      expect(res.res.headers.get('location'), next).toBe('/client');
    }
  });

  it('takes the Billing Details button to the portal home', async () => {
    const visitor = f.t.agent();
    const res = await visitor.get(`/p/client-portal/billing-details?token=${signSsoToken(secretA, payload({ next: '/client/security' }))}`);
    expect(res.res.headers.get('location')).toBe('/client');
    expect((await visitor.get('/client')).$('h1').text()).toBe('Welcome, Ada Lovelace');
  });

  it('refuses a token used before, expired, living too long, tampered with or unsigned', async () => {
    const reasons = async () => (await audits('sso.return_refused')).map((a) => (JSON.parse(a.details!) as { reason: string }).reason);
    const once = signSsoToken(secretA, payload());
    expect((await f.t.agent().get(`/p/client-portal/sso/return?token=${once}`)).status).toBe(303);
    const tries: [string, string][] = [
      [once, 'reused'],
      [signSsoToken(secretA, payload({ exp: nowSec() - 1 })), 'expired'],
      [signSsoToken(secretA, payload({ exp: nowSec() + 3600 })), 'too_long'],
      [signSsoToken('0'.repeat(64), payload()), 'bad_signature'],
    ];
    // Tampered: the other client's account put into a token signed for Ada's.
    const [body, sig] = signSsoToken(secretA, payload()).split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), acct: 'acct-other' })).toString('base64url');
    tries.push([`${forged}.${sig}`, 'bad_signature']);
    for (const [token, reason] of tries) {
      const visitor = f.t.agent();
      const res = await visitor.get(`/p/client-portal/sso/return?token=${token}`);
      expect(res.status, reason).toBe(403);
      expect(res.$('main').text()).toMatch(/not valid or has expired/);
      expect(visitor.cookies.has('trellis_session'), reason).toBe(false);
      expect((await reasons()).at(-1)).toBe(reason);
    }
    expect((await f.t.agent().get('/p/client-portal/sso/return')).status).toBe(403);
    const russian = await f.t.agent().get(`/p/client-portal/sso/return?token=${once}`, { 'accept-language': 'ru-RU,ru;q=0.9' });
    expect(russian.$('main').text()).toMatch(/Ссылка для входа недействительна или устарела/);
    expect((await f.t.agent().get('/p/client-portal/sso/return?token=not-a-token')).status).toBe(403);
  });

  it('refuses another client\'s panel account, and an account another server signs for', async () => {
    // Properly signed by server A for the other client's account, which nobody connected.
    const theirs = await f.t.agent().get(`/p/client-portal/sso/return?token=${signSsoToken(secretA, payload({ acct: 'acct-other' }))}`);
    expect(theirs.status).toBe(403);
    // Server B's secret vouches only for accounts on server B: Ada's account on A is not one.
    const wrongServer = await f.t.agent().get(`/p/client-portal/sso/return?token=${signSsoToken(secretB, payload({ srv: serverB, acct: 'acct-ada' }))}`);
    expect(wrongServer.status).toBe(403);
    // A connection whose service moved to another client signs no one in.
    await f.t.services.db('core_services').where({ id: adaService }).update({ client_id: f.otherClientId });
    const moved = await f.t.agent().get(`/p/client-portal/sso/return?token=${signSsoToken(secretA, payload())}`);
    await f.t.services.db('core_services').where({ id: adaService }).update({ client_id: f.clientId });
    expect(moved.status).toBe(403);
    const reasons = (await audits('sso.return_refused')).slice(-3).map((a) => (JSON.parse(a.details!) as { reason: string }).reason);
    expect(reasons).toEqual(['not_connected', 'no_service', 'not_connected']);
  });

  it('stops working when the operator removes the secret, or the client disconnects', async () => {
    await f.client.get('/client/security');
    await f.client.post(`/client/security/global-account/${adaService}/disconnect`);
    expect((await f.t.agent().get(`/p/client-portal/sso/return?token=${signSsoToken(secretA, payload())}`)).status).toBe(403);
    await f.client.post(`/client/security/global-account/${adaService}/connect`);
    expect((await f.t.agent().get(`/p/client-portal/sso/return?token=${signSsoToken(secretA, payload())}`)).status).toBe(303);
    await admin.get('/admin/client-portal/sso');
    expect((await admin.post(`/admin/client-portal/sso/${serverB}/remove`)).status).toBe(303);
    await f.client.post(`/client/security/global-account/${adaOnB}/connect`);
    expect(await f.t.services.db('core_sso_links').where({ service_id: adaOnB }).first()).toBeUndefined();
    expect((await f.client.get('/client/security')).$('.flash-error').text()).toMatch(/not set up by your provider/);
  });

  it('still asks for the second step when the login has two-step sign-in on', async () => {
    const { secret } = await enableTwoFactor(f.t, f.client);
    const visitor = f.t.agent();
    const res = await visitor.get(`/p/client-portal/sso/return?token=${signSsoToken(secretA, payload({ next: '/client/security' }))}`);
    expect(res.res.headers.get('location')).toBe('/login/2fa');
    expect(visitor.cookies.has('trellis_session')).toBe(false);
    await visitor.get('/login/2fa');
    const done = await visitor.post('/login/2fa', { code: totpCode(secret, f.t.clock.now()) });
    expect(done.res.headers.get('location')).toBe('/client/security');
    const login = (await audits('auth.login')).at(-1)!;
    expect(JSON.parse(login.details!)).toEqual({ via: 'sso', secondFactor: 'totp' });
  });
});

// Contact logins and their permissions: the account owner (the primary contact's login) manages contacts;
// a billing-only login sees billing accounts but not contacts, a technical-only one neither; refusals are
// 403 pages that say why, the menu shows only what a login may use, and a change applies on the next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import type { Agent } from '../../../test/helpers/app.ts';
import { createClient } from '../../../core/billing/clients/index.ts';
import { AREA_ROLES, mayUse } from '../routes/permissions.ts';

let f: PortalFixture;
const db = () => f.t.services.db;

beforeAll(async () => {
  f = await portalApp();
});
afterAll(async () => {
  await f.t.destroy();
});

const PASSWORD = 'contact long password';

/** A contact of Ada's with a login, added by Ada through the portal; returns that login signed in. */
async function contactLogin(name: string, permissions: string): Promise<Agent> {
  const email = `${name}@example.test`;
  const res = await f.client.post('/client/contacts/new', { firstName: name, lastName: 'Tester', email, country: 'US', loginEmail: email, password: PASSWORD, confirm: PASSWORD, permissions });
  expect(res.status, `adding ${name}`).toBe(303);
  const agent = f.t.agent();
  await agent.login('client', email, PASSWORD);
  return agent;
}

const menuOf = async (agent: Agent) => {
  const page = await agent.get('/client');
  return page.$('nav.side-nav a').map((_, a) => page.$(a).attr('href')).get();
};

describe('who may use which area', () => {
  it('follows the role: owner everything, all both areas, billing and technical one each, anything else nothing', () => {
    expect(['owner', 'all', 'billing', 'technical', null, 'admin', ''].map((role) => [mayUse(role, 'billing'), mayUse(role, 'technical'), mayUse(role, 'owner')])).toEqual([
      [true, true, true],
      [true, true, false],
      [true, false, false],
      [false, true, false],
      [false, false, false],
      [false, false, false],
      [false, false, false],
    ]);
    expect(AREA_ROLES.owner).toEqual(['owner']);
  });
});

describe('contact logins in the portal', () => {
  it('a billing-only login sees billing accounts, but not contacts', async () => {
    const billing = await contactLogin('bill', 'billing');
    expect((await billing.get('/client/billing-accounts')).status).toBe(200);
    const refused = await billing.get('/client/contacts');
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Only the account owner can manage contacts and their logins.');
    expect((await billing.post('/client/contacts/new', { firstName: 'X', lastName: 'Y', email: 'x@example.test', country: 'US' })).status).toBe(403);
    const menu = await menuOf(billing);
    expect(menu).toContain('/client/billing-accounts');
    expect(menu).not.toContain('/client/contacts');
  });

  it('a technical-only login sees neither billing accounts nor contacts, and is told why', async () => {
    const tech = await contactLogin('tech', 'technical');
    const refused = await tech.get('/client/billing-accounts/new/card');
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Your login is for technical matters only.');
    expect((await tech.post('/client/billing-accounts/new/manual', { label: 'sneaky' })).status).toBe(403);
    expect(await db()('core_billing_accounts').where({ client_id: f.clientId })).toEqual([]);
    expect((await tech.get('/client/contacts')).status).toBe(403);
    const menu = await menuOf(tech);
    expect(menu).not.toContain('/client/billing-accounts');
    expect(menu).not.toContain('/client/contacts');
  });

  it('an "everything" login uses both areas but does not manage contacts; a change of permissions applies at once', async () => {
    const all = await contactLogin('alex', 'all');
    expect((await all.get('/client/billing-accounts')).status).toBe(200);
    expect((await all.get('/client/contacts')).status).toBe(403);

    const id = Number((await db()('core_contacts').where({ email: 'alex@example.test' }).first('id')).id);
    const res = await f.client.post(`/client/contacts/${id}`, { firstName: 'alex', lastName: 'Tester', email: 'alex@example.test', country: 'US', loginEmail: 'alex@example.test', permissions: 'technical' });
    expect(res.status).toBe(303);
    expect((await all.get('/client/billing-accounts')).status).toBe(403);
  });

  it('refuses in the reader\'s language', async () => {
    const tech = await contactLogin('tanya', 'technical');
    await tech.post('/language', { lang: 'ru', next: '/client' });
    const refused = await tech.get('/client/billing-accounts');
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('Ваш доступ ограничен техническими вопросами.');
  });
});

describe('the account owner', () => {
  it('is the primary contact\'s login of a client created by staff, and manages contacts', async () => {
    const created = await createClient(
      db(),
      {
        client: { country: 'DE', currency: 'USD' },
        contact: { firstName: 'Olga', lastName: 'Owner', email: 'olga@example.test', country: 'DE', permissions: 'billing' },
        login: { loginEmail: 'olga@example.test', password: PASSWORD, confirm: PASSWORD },
      },
      { clock: f.t.clock, actor: { type: 'system', label: 'test' } },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const olga = f.t.agent();
    await olga.login('client', 'olga@example.test', PASSWORD);
    const contacts = await olga.get('/client/contacts');
    expect(contacts.status).toBe(200);
    expect(contacts.$('table.contacts tbody tr').text()).toContain('Olga Owner');
    expect(contacts.$('table.contacts tbody tr').text()).not.toContain('Ada');
    expect(await menuOf(olga)).toEqual(expect.arrayContaining(['/client/billing-accounts', '/client/contacts']));
  });
});

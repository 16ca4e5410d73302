// Every portal page, walked with a billing-only and a technical-only contact login: each section
// refuses (403) the logins its area is closed to and serves the others. Routes are enumerated from the
// app, so a section added later must say here which area it belongs to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import type { Agent } from '../../../test/helpers/app.ts';

let f: PortalFixture;
const PASSWORD = 'contact long password';
const AREA_OF_SECTION: Record<string, 'billing' | 'technical' | 'owner' | 'open'> = {
  '': 'open',
  invoices: 'billing',
  statement: 'billing',
  'billing-accounts': 'billing',
  packages: 'technical',
  domains: 'technical',
  tickets: 'technical',
  contacts: 'owner',
  security: 'open',
  account: 'open',
};
const logins: Record<'billing' | 'technical', Agent> = {} as never;

beforeAll(async () => {
  f = await portalApp();
  for (const permissions of ['billing', 'technical'] as const) {
    const email = `${permissions}@example.test`;
    const res = await f.client.post('/client/contacts/new', { firstName: permissions, lastName: 'Login', email, country: 'US', loginEmail: email, password: PASSWORD, confirm: PASSWORD, permissions });
    expect(res.status).toBe(303);
    logins[permissions] = f.t.agent();
    await logins[permissions].login('client', email, PASSWORD);
  }
});
afterAll(async () => {
  await f.t.destroy();
});

function portalPages(): { path: string; section: string }[] {
  const paths = new Set<string>();
  for (const r of f.t.app.routes) {
    if (r.method !== 'GET' || r.path.includes(':') || r.path.includes('*')) continue;
    if (r.path !== '/client' && !r.path.startsWith('/client/')) continue;
    paths.add(r.path.replace(/\/$/, '') || '/client');
  }
  return [...paths].map((path) => ({ path, section: path.split('/')[2] ?? '' }));
}

describe('contact logins with limited permissions', () => {
  it.each(['billing', 'technical'] as const)('a %s-only login is served its area and refused the other', async (role) => {
    const problems: string[] = [];
    const pages = portalPages();
    expect(pages.length).toBeGreaterThan(10);
    for (const { path, section } of pages) {
      const area = AREA_OF_SECTION[section];
      if (!area) {
        problems.push(`${path}: section '${section}' has no area in this test`);
        continue;
      }
      const res = await logins[role].get(path);
      const allowed = area === 'open' || area === role;
      if (allowed && res.status === 403) problems.push(`${path} refused a ${role} login`);
      if (!allowed && res.status !== 403) problems.push(`${path} served a ${role} login (${res.status})`);
    }
    expect(problems).toEqual([]);
  });
});

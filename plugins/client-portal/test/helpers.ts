// A panel with the portal and a client with a login: what every portal test starts from.
import { createTestApp, type Agent, type TestApp } from '../../../test/helpers/app.ts';
import clientPortal from '../index.ts';
import { insertClient } from '../../../test/billing/ledger-fixtures.ts';
import type { ManualClock } from '../../../core/clock.ts';

export interface PortalFixture {
  t: TestApp;
  clientId: number;
  client: Agent;
  /** A second client with its own login, for "never another client's records" checks. */
  otherClientId: number;
  other: Agent;
}

export async function portalApp(opts: { clock?: ManualClock } = {}): Promise<PortalFixture> {
  const t = await createTestApp({ plugins: [clientPortal()], ...(opts.clock ? { clock: opts.clock } : {}) });
  const clientId = await insertClient(t.services.db, { name: 'Ada Lovelace' });
  const otherClientId = await insertClient(t.services.db, { name: 'Other Client' });
  await t.createUser('client', 'ada@example.test', { clientId });
  await t.createUser('client', 'other@example.test', { clientId: otherClientId });
  const client = t.agent();
  await client.login('client', 'ada@example.test');
  const other = t.agent();
  await other.login('client', 'other@example.test');
  return { t, clientId, client, otherClientId, other };
}

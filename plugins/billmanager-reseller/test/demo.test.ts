// `npm run demo` wiring: the seeded panel gets servers on the simulated upstream, plans on sale and a registrar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOrderablePackages } from '../../../core/billing/catalog/offer.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import billmanagerReseller from '../index.ts';
import { BillmanagerSimulator } from '../simulator/index.ts';
import { wireDemoUpstream } from '../simulator/demo.ts';

let t: TestApp;
let sim: BillmanagerSimulator;
beforeAll(async () => {
  sim = new BillmanagerSimulator();
  await sim.start();
  t = await createTestApp({ plugins: [billmanagerReseller()] });
  // The demo's catalog: dollars as the base, euros and roubles with rates.
  const now = t.clock.now().toISOString();
  await t.services.db('core_currencies').insert([
    { code: 'EUR', name: 'Euro', symbol: '€', minor_units: 2, rate_to_base: 1_080_000, is_base: false, active: true, updated_at: now },
    { code: 'RUB', name: 'Russian rouble', symbol: '₽', minor_units: 2, rate_to_base: 10_800, is_base: false, active: true, updated_at: now },
  ]);
});
afterAll(async () => {
  await sim.close();
  await t.destroy();
});

describe('the demo upstream', () => {
  it('puts the simulated upstream’s domains and servers on sale, with a registrar watching the balance', async () => {
    const lines = await wireDemoUpstream(t.services, { url: sim.url, ...sim.reseller });
    expect(lines.join('\n')).toMatch(/Domain \.ru, Domain \.com/);
    const servers = (await t.services.db('core_processing_servers').orderBy('id').select('module', 'item_type')) as { module: string; item_type: string }[];
    expect(servers).toEqual([{ module: 'billmanager', item_type: 'domain' }, { module: 'billmanager', item_type: 'vds' }]);
    const domains = await listOrderablePackages(t.services.db, { itemType: 'domain', currency: 'USD' });
    expect(domains.map((p) => p.name)).toEqual(['Domain .com', 'Domain .ru']);
    // 590.00 RUB at 0.0108 USD is 6.37 USD; plus 30 %, rounded up to .99: 8.99 USD.
    expect(domains.find((p) => p.name === 'Domain .ru')!.periods[0]!.price).toBe(899);
    expect(await t.services.db('bmr_registrars')).toHaveLength(1);
    expect((await t.services.processing.checkConnection(Number((await t.services.db('core_processing_servers').first('id')).id))).ok).toBe(true);
  });
});

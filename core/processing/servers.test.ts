// Choosing a server for a new order, the presets a server offers, and the package internal-name rule.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/helpers/app.ts';
import { insertClient, insertPackage, insertServer, insertService, processingApp } from '../../test/processing/fixtures.ts';
import { chooseServer, serverPresets, urlFromName, validatePackageInternalName } from './servers.ts';
import type { ProcessingModule } from './types.ts';

const presetModule: ProcessingModule = { name: 'preset-test', title: 'DSmanager (test)', itemTypes: ['dedicated'], features: ['server_config'], requiresPreset: true };

let t: TestApp;
beforeEach(async () => {
  t = await processingApp({ modules: [presetModule] });
});
afterEach(async () => {
  await t.destroy();
});

async function fill(serverId: number, n: number, status: 'active' | 'cancelled' | 'suspended_nonpayment' = 'active') {
  const db = t.services.db;
  const clientId = await insertClient(db);
  const { packageId } = await insertPackage(db, { itemType: 'vds' });
  for (let i = 0; i < n; i++) await insertService(db, { clientId, packageId, itemType: 'vds', status, serverId });
}

describe('chooseServer', () => {
  it('takes a server of the item type that is used for new orders and below its maximum, the least loaded first', async () => {
    const db = t.services.db;
    const { packageId } = await insertPackage(db, { itemType: 'vds' });
    const full = await insertServer(t, { name: 'full.example.test', itemType: 'vds', maxClients: 2 });
    const closed = await insertServer(t, { name: 'closed.example.test', itemType: 'vds', useForNewOrders: false });
    const busy = await insertServer(t, { name: 'busy.example.test', itemType: 'vds' });
    const quiet = await insertServer(t, { name: 'quiet.example.test', itemType: 'vds', maxClients: 10 });
    await insertServer(t, { name: 'other-type.example.test', itemType: 'dedicated' });
    await fill(full, 2);
    await fill(busy, 3);
    await fill(quiet, 1);
    await fill(quiet, 5, 'cancelled'); // cancelled services hold no place
    expect((await chooseServer(db, { itemType: 'vds', packageId }))?.id).toBe(quiet);
    await fill(quiet, 9, 'suspended_nonpayment'); // suspended ones do: now it is full
    expect((await chooseServer(db, { itemType: 'vds', packageId }))?.id).toBe(busy);
    await db('core_processing_servers').where({ id: busy }).update({ use_for_new_orders: false });
    expect(await chooseServer(db, { itemType: 'vds', packageId })).toBeNull();
    expect(closed).toBeGreaterThan(0);
  });

  it('keeps to the servers the package allows when it lists any', async () => {
    const db = t.services.db;
    const { packageId } = await insertPackage(db, { itemType: 'vds' });
    const a = await insertServer(t, { name: 'a.example.test', itemType: 'vds' });
    const b = await insertServer(t, { name: 'b.example.test', itemType: 'vds' });
    await fill(b, 4);
    expect((await chooseServer(db, { itemType: 'vds', packageId }))?.id).toBe(a);
    await db('core_package_servers').insert({ package_id: packageId, server_id: b });
    expect((await chooseServer(db, { itemType: 'vds', packageId }))?.id).toBe(b);
    await db('core_processing_servers').where({ id: b }).update({ max_clients: 4 });
    expect(await chooseServer(db, { itemType: 'vds', packageId })).toBeNull();
  });

  it('never hands out the sealed password', async () => {
    const { packageId } = await insertPackage(t.services.db, { itemType: 'vds' });
    await insertServer(t, { name: 'p.example.test', itemType: 'vds', password: 'hunter22-upstream' });
    const s = await chooseServer(t.services.db, { itemType: 'vds', packageId });
    expect(s?.hasPassword).toBe(true);
    expect(JSON.stringify(s)).not.toMatch(/password_sealed|v1:/);
  });
});

describe('presets and package internal names', () => {
  it('require an internal name among the presets of each server whose module asks for it', async () => {
    const db = t.services.db;
    const dsm = await insertServer(t, { name: 'dsm.example.test', module: 'preset-test', itemType: 'dedicated' });
    const manual = await insertServer(t, { name: 'hand.example.test', module: 'manual', itemType: 'dedicated', url: 'https://hand.example.test/', username: 'x' });
    const lookup = t.services.processing;
    expect(await validatePackageInternalName(db, { internalName: 'HPCorei5', serverIds: [dsm] }, lookup)).toMatch(/has none yet: press “Fetch configuration”/);
    await db('core_processing_servers').where({ id: dsm }).update({ config: JSON.stringify({ presets: [{ internalName: 'HPCorei5', name: 'HP Core i5' }] }), config_fetched_at: '2026-03-02T09:00:00.000Z' });
    expect(await serverPresets(db, dsm)).toEqual([{ internalName: 'HPCorei5', name: 'HP Core i5' }]);
    expect(await validatePackageInternalName(db, { internalName: 'HPCorei5', serverIds: [dsm, manual] }, lookup)).toBeNull();
    expect(await t.services.processing.validatePackageInternalName({ internalName: 'Corei9', serverIds: [manual, dsm] })).toBe(
      '“Corei9” is not a preset of server “dsm.example.test”. Use one of its presets as the internal name: HPCorei5.',
    );
    expect(await validatePackageInternalName(db, { internalName: 'anything', serverIds: [manual] }, lookup)).toBeNull();
    expect(await validatePackageInternalName(db, { internalName: 'x', serverIds: [9999] }, lookup)).toMatch(/#9999 does not exist/);
  });
});

describe('urlFromName', () => {
  it('makes https://<name>/ of a host name and nothing of other names', () => {
    expect(urlFromName('my.ru-tld.ru')).toBe('https://my.ru-tld.ru/');
    expect(urlFromName('DSM.Example.test:1500')).toBe('https://dsm.example.test:1500/');
    expect(urlFromName('Our DSmanager')).toBeNull();
    expect(urlFromName('localhost')).toBeNull();
    expect(urlFromName('evil.test/@x')).toBeNull();
  });
});

// The billing bench at a small size: the full run and the floor write the same rows (the floor is
// still the same work), every due service is billed once, and the re-runs bill nothing.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDb, envFor, setupBillingData, type BillingBenchData } from './setup.ts';
import { compareDigests, digestOf, type RunResult } from './results.ts';
import { runScript } from './index.ts';

const SERVICES = 1_200;
let data: BillingBenchData;

beforeAll(() => {
  data = setupBillingData({ services: SERVICES, clients: 150 });
}, 60_000);
afterAll(() => data?.cleanup());

async function run(script: 'full' | 'floor', name: string, extraEnv: Record<string, string> = {}) {
  const dir = copyDb(data, name);
  const file = path.join(dir, 'trellis.sqlite');
  const result =
    script === 'full'
      ? await runScript<RunResult>(name, 'bench/billing/full-run.ts', ['renewals'], { ...envFor(data, dir), ...extraEnv })
      : await runScript<RunResult>(name, 'bench/billing/floor-run.ts', [file], envFor(data, dir));
  return { result, digest: digestOf(file) };
}

describe('bench billing', () => {
  it('prepares active services that are all due, with VDS add-ons and taxed clients', () => {
    const db = new Database(data.dbFile, { readonly: true });
    try {
      expect(db.prepare("select count(*) from core_services where status = 'active' and auto_renew = 1").pluck().get()).toBe(SERVICES);
      expect(Number(db.prepare('select count(*) from core_service_addons where price <> 0').pluck().get())).toBeGreaterThan(0);
      expect(Number(db.prepare("select count(*) from core_clients where country = 'DE'").pluck().get())).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('has the floor write exactly the rows the real run writes, and both re-runs bill nothing', async () => {
    const full = await run('full', 'full');
    const floor = await run('floor', 'floor');
    for (const r of [full, floor]) {
      expect(r.result.invoices).toBe(SERVICES);
      expect(r.digest.invoices).toBe(SERVICES);
      expect(r.digest.periods).toBe(SERVICES);
      expect(r.result.rerun.invoices).toBe(0);
      expect(r.result.peakRssKb).toBeGreaterThan(0);
    }
    expect(full.digest.lines).toBeGreaterThan(SERVICES);
    expect(full.digest.tax).toBeGreaterThan(0);
    expect(compareDigests(full.digest, floor.digest)).toBeNull();
    expect(full.digest.sha256).toBe(floor.digest.sha256);
  }, 120_000);

});

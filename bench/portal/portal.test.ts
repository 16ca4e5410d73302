// The portal bench at a tiny size: it seeds, signs in, serves the same first and deep pages from the
// full panel and the floor (byte for byte), loads both and prints "portal: ratio 0.NN" last.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { formatReport, measurePortal, type PortalBenchOptions } from './index.ts';
import { CLIENT, preparePortalData, schemaHash } from './setup.ts';

const seed = { clients: 30, invoices: 1_500, heavy: 300 };

describe('bench portal', () => {
  it('seeds the signed-in client with exactly its share of invoices, the rest spread over the others', async () => {
    const data = await preparePortalData({ seed, cacheDir: null });
    try {
      const db = new Database(data.dbFile, { readonly: true });
      try {
        expect(db.prepare('select count(*) from core_invoices').pluck().get()).toBe(seed.invoices);
        expect(db.prepare('select count(*) from core_invoices where client_id = ?').pluck().get(data.heavyClientId)).toBe(seed.heavy);
        expect(db.prepare('select count(distinct client_id) from core_invoices').pluck().get()).toBe(seed.clients);
        expect(db.prepare("select count(*) from core_users where email = ? and kind = 'client'").pluck().get(CLIENT.email)).toBe(1);
        // Repeated prices: the amount sort has ties for the id to break (and so has the date sort at full size).
        expect(Number(db.prepare('select count(*) - count(distinct total) from core_invoices where client_id = ?').pluck().get(data.heavyClientId))).toBeGreaterThan(seed.heavy / 2);
      } finally {
        db.close();
      }
    } finally {
      data.cleanup();
    }
    expect(schemaHash(seed)).not.toBe(schemaHash({ ...seed, heavy: seed.heavy + 1 }));
  }, 60_000);

  it('serves the same pages from both servers under load and reports the ratio last', async () => {
    const opts: PortalBenchOptions = {
      seed, deep: 120, durationSeconds: 1, warmupSeconds: 0, connections: 4, rounds: 1,
      cpuProf: false, keep: false, fresh: false, cacheDir: null, log: () => {},
    };
    const result = await measurePortal(opts);
    expect(result.pageDiff).toBeNull();
    for (const page of result.pages) {
      expect(page.full.requests).toBeGreaterThan(0);
      expect(page.floor.requests).toBeGreaterThan(0);
      expect(page.ratio).toBeGreaterThan(0);
    }
    expect(result.ratio).toBe(Math.min(result.pages[0].ratio, result.pages[1].ratio));
    const report = formatReport(result, opts);
    expect(report).toMatch(/deep page, full stack/);
    expect(report.trim().split('\n').at(-1)).toMatch(/^portal: ratio \d+\.\d\d$/);
  }, 120_000);
});

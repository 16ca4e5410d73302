// A renewal run killed mid-way (SIGKILL) and run again bills every service period exactly once.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../helpers/db.ts';
import { REPO_ROOT } from '../helpers/app.ts';
import { insertClient, insertPackage } from './ledger-fixtures.ts';
import { insertBatched } from '../../core/db/batch.ts';
import { runRenewals } from '../../core/billing/automation/renewals.ts';
import { DEFAULT_BILLING_SETTINGS } from '../../core/billing/settings.ts';
import { ManualClock } from '../../core/clock.ts';

const SERVICES = 3000;
const NOW = '2026-03-02T09:00:00Z';
let t: TestDb;
afterEach(async () => {
  await t.destroy();
});

describe('renewal run killed in the middle', () => {
  it('leaves whole chunks behind and the re-run completes them without a duplicate', async () => {
    t = await createMigratedTestDb();
    const clients = await Promise.all(Array.from({ length: 10 }, () => insertClient(t.db)));
    const { packageId } = await insertPackage(t.db, { name: 'Hosting' });
    await insertBatched(
      t.db,
      'core_services',
      Array.from({ length: SERVICES }, (_, i) => ({
        client_id: clients[i % clients.length], package_id: packageId, item_type: 'hosting', label: `s${i}`, status: 'active', period_id: null, period_kind: 'months', period_length: 1,
        currency: 'USD', price: 1000 + (i % 7), auto_renew: true, expires_on: '2026-03-10', params: '{}', parent_id: null, processing_server_id: null, external_id: null,
        suspend_reason: null, cancel_requested: false, created_at: NOW, activated_at: NOW, updated_at: NOW,
      })),
    );

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/billing/renewal-run.child.ts'), t.url, t.searchPath ?? '', NOW], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('chunk 2')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`renewal child ended before it was killed: ${out} ${err}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const partial = Number(((await t.db('core_invoices').count({ n: '*' })) as [{ n: number }])[0].n);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(SERVICES);
    expect(partial % 500).toBe(0); // only whole chunks were committed

    const rest = await runRenewals({ db: t.db, clock: new ManualClock(NOW), settings: DEFAULT_BILLING_SETTINGS, taxInclusive: false });
    expect(rest.invoices).toBe(SERVICES - partial);
    const [{ n: periods }] = (await t.db('core_service_billing_periods').count({ n: '*' })) as [{ n: number }];
    expect(Number(periods)).toBe(SERVICES);
    const perService = (await t.db('core_invoice_lines').select('service_id').count({ n: '*' }).groupBy('service_id').having(t.db.raw('count(*) > 1'))) as unknown[];
    expect(perService).toEqual([]);
    const [{ n: invoices }] = (await t.db('core_invoices').count({ n: '*' })) as [{ n: number }];
    expect(Number(invoices)).toBe(SERVICES);
    const [{ n: numbers }] = (await t.db('core_invoices').countDistinct({ n: 'number' })) as [{ n: number }];
    expect(Number(numbers)).toBe(SERVICES);
  });
});

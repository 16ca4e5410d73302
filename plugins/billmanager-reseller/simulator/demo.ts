// `npm run demo` with an upstream: starts the BILLmanager simulator beside the demo panel and wires the
// panel to it — two processing servers (domains, VDS), imported and priced plans, a registrar — so a
// newcomer can import more plans and order a domain end to end.
import type { AppServices } from '../../../core/plugins/api.ts';
import { createApp } from '../../../core/app.ts';
import type { TrellisConfig } from '../../../core/config.ts';
import { createLogger } from '../../../core/log.ts';
import { convert, toDecimalString } from '../../../core/money/money.ts';
import { getRates } from '../../../core/billing/catalog/currencies.ts';
import { saveServer, getServer } from '../../../core/processing/servers.ts';
import { BillmanagerApi } from '../upstream/billmanager.ts';
import { importTariffs, tariffChoices } from '../services/import-plans.ts';
import { loadPlan, priceKey, savePlan, sellKey, validatePlan } from '../services/plans.ts';
import { insertRegistrar } from '../store/registrars.ts';
import { BillmanagerSimulator } from './index.ts';

const PLUGIN = 'billmanager-reseller';
/** Tariffs of the default simulated catalog the demo puts on sale: .ru, .com, VDS-1, VDS-2. */
const DEMO_TARIFFS = { domain: ['301', '303'], vds: ['101', '102'] } as const;

/** A price the way shops write them: the converted cost plus 30 %, rounded up to .99 of a whole unit. */
function shopPrice(cost: number, minorUnits: number): number {
  const unit = 10 ** minorUnits;
  const withMargin = Math.ceil((cost * 13) / 10);
  return Math.max(unit - 1, Math.ceil(withMargin / unit) * unit - 1);
}

/** Wires a panel (its plugin enabled) to the upstream at `url`; returns what it did, one line each. */
export async function wireDemoUpstream(app: AppServices, upstream: { url: string; username: string; password: string }): Promise<string[]> {
  if (!app.plugins.isEnabled(PLUGIN)) return [`The plugin ${PLUGIN} is not enabled in plugin.config.ts: the demo has no upstream BILLmanager.`];
  const now = app.clock.now().toISOString();
  const department = (await app.db('core_departments').where({ kind: 'technical' }).first('id')) as { id: number } | undefined;
  const lines: string[] = [];
  const api = new BillmanagerApi({ ...upstream, timeoutMs: 10_000 });
  const priceList = await api.priceList();
  const rates = await getRates(app.db);
  for (const itemType of ['domain', 'vds'] as const) {
    const serverId = await saveServer(
      app.db,
      { name: `billmanager-${itemType}.demo.test`, module: 'billmanager', itemType, url: upstream.url, username: upstream.username, password: upstream.password, departmentId: department ? Number(department.id) : null, maxClients: null, useForNewOrders: true, allowProlong: true, allowSetParam: true, notifyErrors: true },
      { seal: (p) => app.secrets.encrypt(p), now },
    );
    const server = (await getServer(app.db, serverId))!;
    const chosen = (await tariffChoices(app.db, server, priceList)).filter((t) => (DEMO_TARIFFS[itemType] as readonly string[]).includes(t.id) && !t.blocker);
    const imported = await app.db.transaction((trx) => importTariffs(trx, server, chosen, now));
    for (const i of imported.imported) {
      const tariffRow = (await app.db('bmr_tariffs').where({ package_id: i.packageId }).first('id')) as { id: number };
      const plan = (await loadPlan(app.db, Number(tariffRow.id)))!;
      if (!rates[plan.tariff.currency]) {
        lines.push(`  ${i.name}: imported switched off (no exchange rate for ${plan.tariff.currency}); price it on its plan page`);
        continue;
      }
      const values: Record<string, string> = { name: plan.tariff.tld ? `Domain .${plan.tariff.tld}` : i.name.replace(/ \(.*\)$/, ''), description: i.name, active: '1' };
      for (const p of plan.periods) {
        if (p.cost === null) continue;
        values[sellKey(p.period.id)] = '1';
        for (const c of plan.currencies) {
          const cost = convert({ amount: p.cost, currency: plan.tariff.currency }, c.code, rates).amount;
          values[priceKey(p.period.id, c.code)] = toDecimalString(shopPrice(cost, c.minorUnits), c.minorUnits);
        }
      }
      const checked = validatePlan(values, plan);
      if (!checked.ok) throw new Error(`demo: pricing ${i.name} failed: ${JSON.stringify(checked.errors)}`);
      await app.db.transaction((trx) => savePlan(trx, plan, checked.data, now));
    }
    lines.push(`  server ${server.name} (${itemType}): ${imported.imported.map((i) => i.name).join(', ')}`);
    if (itemType === 'domain') {
      const balance = await api.balance();
      await insertRegistrar(app.db, { name: 'Demo registrar (BILLmanager)', serverId, sendErrors: true, restartOperations: true, minBalance: 500_000, minBalanceCurrency: balance.currency }, now);
      lines.push(`  registrar “Demo registrar (BILLmanager)”: minimum balance 5,000.00 ${balance.currency}`);
    }
  }
  return lines;
}

/**
 * Starts the simulator on a free loopback port (TRELLIS_DEMO_BILLMANAGER_PORT to choose one) and wires
 * the seeded demo panel to it. The simulator keeps its own clock: moving the sandbox clock does not
 * move it, so the upstream's renewals follow real time.
 */
export async function startDemoUpstream(config: TrellisConfig): Promise<{ lines: string[]; close(): Promise<void> }> {
  const port = Number(process.env.TRELLIS_DEMO_BILLMANAGER_PORT ?? 0);
  const sim = new BillmanagerSimulator({ port: Number.isInteger(port) && port >= 0 ? port : 0, balance: 2_500_000 });
  const running = await sim.start();
  const log = createLogger({ level: 'warn', sink: (l) => process.stderr.write(l + '\n') });
  const t = await createApp({ config, log }).catch(async (err: unknown) => {
    await sim.close();
    throw err;
  });
  try {
    const wired = await wireDemoUpstream(t.services, { url: running.url, ...sim.reseller });
    return {
      lines: [`Upstream BILLmanager (simulated) at ${running.url}, account ${sim.reseller.username} / ${sim.reseller.password}, balance ${sim.state.balanceText()}:`, ...wired, '  order a domain as the client under “Register a domain”; events reach the panel every 5 minutes (System → Jobs → billmanager-reseller.checkevent: Run now).'],
      close: () => sim.close(),
    };
  } catch (err) {
    await sim.close();
    throw err;
  } finally {
    await t.close();
  }
}

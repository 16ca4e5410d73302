// Admin: import rate plans from the upstream, then rename and price them (seed 001).
import type { Context } from 'hono';
import { buildTable, createRouter, flash, readFormValues, renderView, type AppEnv, type FormValues } from '../../../core/plugins/api.ts';
import { requireRole } from '../../../core/http/guards.ts';
import { listCurrencies } from '../../../core/billing/catalog/store.ts';
import type { ProcessingServer } from '../../../core/processing/servers.ts';
import { periodCodeLabel } from '../services/period-labels.ts';
import { importTariffs, tariffChoices, type TariffChoice } from '../services/import-plans.ts';
import { loadPlan, marginOf, planFormValues, savePlan, validatePlan, type Plan } from '../services/plans.ts';
import { billmanagerServer, billmanagerServers, NotBillmanagerServerError, upstreamOf } from '../services/upstream-access.ts';
import { listTariffsOfServer, tariffListQuery } from '../store/tariffs.ts';
import { countOpenChanges } from '../store/price-changes.ts';
import { actorOf, idParam } from './shared.ts';

const BASE = '/admin/billmanager-reseller';

export function planRoutes(opts: { timeoutMs: number }) {
  const r = createRouter();
  const editors = requireRole('admin');

  const importPage = async (c: Context<AppEnv>, server: ProcessingServer | null, form: { selected?: string[]; errors?: Record<string, string> } = {}, status: 200 | 400 | 502 = 200) => {
    const app = c.get('app');
    const servers = await billmanagerServers(app);
    let choices: TariffChoice[] = [];
    let upstreamError: string | null = null;
    const tariffIdOf: Record<string, number> = {};
    if (server) {
      try {
        const api = await upstreamOf(app, server, opts.timeoutMs);
        choices = await tariffChoices(app.db, server, await api.priceList());
        for (const t of await listTariffsOfServer(app.db, server.id)) tariffIdOf[t.upstreamId] = t.id;
      } catch (err) {
        upstreamError = (err as Error).message;
        if (status === 200) status = 502;
      }
    }
    return renderView(c, '@billmanager-reseller/admin/import', { servers, server, choices, upstreamError, tariffIdOf, periodLabel: periodCodeLabel, selected: form.selected ?? [], errors: form.errors ?? {} }, { title: 'Import rate plans', status });
  };

  r.get('/import', async (c) => {
    const raw = c.req.query('server');
    if (raw === undefined) {
      const servers = await billmanagerServers(c.get('app'));
      return importPage(c, servers.length === 1 ? servers[0]! : null);
    }
    try {
      return await importPage(c, await billmanagerServer(c.get('app'), idParam(raw)));
    } catch (err) {
      if (err instanceof NotBillmanagerServerError) return c.get('app').pages.error(c, 404, err.message);
      throw err;
    }
  });

  r.post('/import', editors, async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    let server: ProcessingServer;
    try {
      server = await billmanagerServer(app, idParam(String(values.server ?? '')));
    } catch (err) {
      if (err instanceof NotBillmanagerServerError) return app.pages.error(c, 404, err.message);
      throw err;
    }
    const wanted = [...new Set((Array.isArray(values.tariff) ? values.tariff : values.tariff ? [values.tariff] : []).map((v) => v.trim()).filter(Boolean))];
    if (wanted.length === 0) return importPage(c, server, { errors: { tariff: 'Choose at least one tariff to import' } }, 400);
    let choices: TariffChoice[];
    try {
      choices = await tariffChoices(app.db, server, await (await upstreamOf(app, server, opts.timeoutMs)).priceList());
    } catch (err) {
      flash(c, 'error', `The price list could not be read, so nothing was imported: ${(err as Error).message}`);
      return c.redirect(`${BASE}/import?server=${server.id}`, 303);
    }
    const chosen: TariffChoice[] = [];
    for (const id of wanted) {
      const t = choices.find((x) => x.id === id);
      const problem = !t ? `Tariff #${id} is not in the upstream’s price list any more.` : t.packageId ? `“${t.name}” is imported already.` : t.blocker ? `“${t.name}”: ${t.blocker}` : null;
      if (problem) return importPage(c, server, { selected: wanted, errors: { tariff: `${problem} Nothing was imported.` } }, 400);
      chosen.push(t!);
    }
    const at = app.clock.now().toISOString();
    const result = await app.db.transaction(async (trx) => {
      const done = await importTariffs(trx, server, chosen, at);
      await app.audit.record({ actor: actorOf(c), action: 'billmanager.plans_imported', target: `server:${server.id}`, details: { tariffs: done.imported.map((i) => i.upstreamId), packages: done.imported.map((i) => i.packageId) } }, trx);
      return done;
    });
    flash(c, 'success', `Imported ${result.imported.length} plan${result.imported.length === 1 ? '' : 's'} (switched off). Set their names and prices, then put them on sale.`);
    return c.redirect(`${BASE}/plans`, 303);
  });

  r.get('/plans', async (c) => {
    const app = c.get('app');
    type Row = { id: number; package_name: string; upstream_name: string; upstream_id: string; tld: string | null; server_name: string; item_type: string; active: boolean | number };
    const table = await buildTable<Row>(
      c,
      {
        id: 'bmr-plans',
        defaultSort: 'name',
        tieBreaker: 't.id',
        empty: 'No plans were imported yet.',
        columns: [
          { key: 'name', label: 'Plan', sortBy: 'p.name', value: (r) => r.package_name, href: (r) => `${BASE}/plans/${r.id}` },
          { key: 'upstream', label: 'Upstream tariff', sortBy: 't.upstream_name', value: (r) => `${r.upstream_name} (#${r.upstream_id})` },
          { key: 'kind', label: 'Kind', value: (r) => r.item_type + (r.tld ? ` .${r.tld}` : '') },
          { key: 'server', label: 'Server', value: (r) => r.server_name },
          { key: 'active', label: 'Status', value: (r) => (r.active === true || r.active === 1 ? 'On sale' : 'Switched off'), badge: (r) => (r.active === true || r.active === 1 ? 'ok' : 'pending') },
        ],
      },
      tariffListQuery(app.db),
    );
    return renderView(c, '@billmanager-reseller/admin/plans', { table }, { title: 'Rate plans' });
  });

  const planPage = async (c: Context<AppEnv>, plan: Plan, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const app = c.get('app');
    const server = (await app.db('core_processing_servers').where({ id: plan.tariff.serverId }).first('name')) as { name: string } | undefined;
    const base = (await listCurrencies(app.db)).find((x) => x.isBase);
    return renderView(
      c,
      '@billmanager-reseller/admin/plan',
      { plan, values, errors, serverName: server?.name ?? `#${plan.tariff.serverId}`, baseCode: base?.code ?? '', margin: marginOf, openChanges: await countOpenChanges(app.db, plan.tariff.id) },
      { title: plan.pkg.name, status },
    );
  };

  r.get('/plans/:id{[0-9]+}', async (c) => {
    const plan = await loadPlan(c.get('app').db, idParam(c.req.param('id')));
    if (!plan) return c.get('app').pages.error(c, 404);
    return planPage(c, plan, planFormValues(plan), {});
  });

  r.post('/plans/:id{[0-9]+}', editors, async (c) => {
    const app = c.get('app');
    const plan = await loadPlan(app.db, idParam(c.req.param('id')));
    if (!plan) return app.pages.error(c, 404);
    const values = await readFormValues(c);
    const checked = validatePlan(values, plan);
    if (!checked.ok) return planPage(c, plan, values, checked.errors, 400);
    await app.db.transaction(async (trx) => {
      await savePlan(trx, plan, checked.data, app.clock.now().toISOString());
      await app.audit.record({ actor: actorOf(c), action: 'billmanager.plan_saved', target: `package:${plan.pkg.id}`, details: { name: checked.data.name, active: checked.data.active } }, trx);
    });
    flash(c, 'success', `“${checked.data.name}” was saved${checked.data.active ? ' and is on sale' : ''}.`);
    return c.redirect(`${BASE}/plans/${plan.tariff.id}`, 303);
  });

  return r;
}

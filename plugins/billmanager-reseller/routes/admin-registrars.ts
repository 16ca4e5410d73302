// Admin: registrars (seed 001 Integration → Registrars): the list, the form, the balance and its runway.
import type { Context } from 'hono';
import { createRouter, flash, readFormValues, renderView, type AppEnv, type FormValues } from '../../../core/plugins/api.ts';
import { requireRole } from '../../../core/http/guards.ts';
import { toDecimalString } from '../../../core/money/money.ts';
import { listCurrencies } from '../../../core/billing/catalog/store.ts';
import { getServer } from '../../../core/processing/servers.ts';
import { billmanagerServers } from '../services/upstream-access.ts';
import { checkRegistrarBalance, validateRegistrar } from '../services/registrars.ts';
import { runwayForecast } from '../services/runway.ts';
import { deleteRegistrar, findRegistrar, insertRegistrar, listRegistrars, updateRegistrar, type Registrar } from '../store/registrars.ts';
import { actorOf, idParam } from './shared.ts';

const BASE = '/admin/billmanager-reseller/registrars';

function formValuesOf(r: Registrar, minorUnits: number): FormValues {
  return {
    name: r.name,
    server_id: String(r.serverId),
    min_balance: toDecimalString(r.minBalance, minorUnits),
    min_balance_currency: r.minBalanceCurrency,
    send_errors: r.sendErrors ? '1' : '',
    restart_operations: r.restartOperations ? '1' : '',
  };
}

export function registrarRoutes(opts: { timeoutMs: number }) {
  const r = createRouter();
  const editors = requireRole('admin');

  const formData = async (c: Context<AppEnv>) => {
    const app = c.get('app');
    const servers = (await billmanagerServers(app)).filter((s) => s.item_type === 'domain');
    const currencies = await listCurrencies(app.db);
    return {
      serverOptions: [{ value: '', label: servers.length ? 'Choose a server' : 'No BILLmanager server provides domains yet' }, ...servers.map((s) => ({ value: String(s.id), label: s.name }))],
      currencyOptions: currencies.map((cur) => ({ value: cur.code, label: `${cur.code} — ${cur.name}` })),
      minorUnits: Object.fromEntries(currencies.map((cur) => [cur.code, cur.minorUnits])) as Record<string, number>,
    };
  };

  r.get('/registrars', async (c) => {
    const app = c.get('app');
    const registrars = await listRegistrars(app.db);
    const servers = new Map((await billmanagerServers(app)).map((s) => [s.id, s.name]));
    return renderView(c, '@billmanager-reseller/admin/registrars', { registrars, servers }, { title: 'Registrars' });
  });

  const newPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) =>
    renderView(c, '@billmanager-reseller/admin/registrar-new', { ...(await formData(c)), values, errors }, { title: 'Add a registrar', status });

  r.get('/registrars/new', editors, async (c) => {
    const currencies = await listCurrencies(c.get('app').db);
    const currency = currencies.find((x) => x.code === 'RUB') ?? currencies.find((x) => x.isBase);
    return newPage(c, { min_balance: '0', min_balance_currency: currency?.code ?? '', send_errors: '1', restart_operations: '1' }, {});
  });

  r.post('/registrars', editors, async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const checked = await validateRegistrar(app.db, values);
    if (!checked.ok) return newPage(c, values, checked.errors, 400);
    const at = app.clock.now().toISOString();
    const id = await app.db.transaction(async (trx) => {
      const newId = await insertRegistrar(trx, checked.data, at);
      await app.audit.record({ actor: actorOf(c), action: 'billmanager.registrar_created', target: `bmr-registrar:${newId}`, details: { name: checked.data.name, server: checked.data.serverId } }, trx);
      return newId;
    });
    flash(c, 'success', `Registrar “${checked.data.name}” was added. Its balance is checked once a day; press “Check now” to see it at once.`);
    return c.redirect(`${BASE}/${id}`, 303);
  });

  const registrarPage = async (c: Context<AppEnv>, registrar: Registrar, values: FormValues | null, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const app = c.get('app');
    const server = await getServer(app.db, registrar.serverId);
    const data = await formData(c);
    const balance = registrar.lastBalance !== null && registrar.lastBalanceCurrency ? { amount: registrar.lastBalance, currency: registrar.lastBalanceCurrency } : null;
    const runway = balance && server ? await runwayForecast(app.db, server, balance, app.clock.now().toISOString().slice(0, 10)) : null;
    return renderView(
      c,
      '@billmanager-reseller/admin/registrar',
      { registrar, server, balance, runway, ...data, values: values ?? formValuesOf(registrar, data.minorUnits[registrar.minBalanceCurrency] ?? 2), errors },
      { title: registrar.name, status },
    );
  };

  r.get('/registrars/:id{[0-9]+}', async (c) => {
    const registrar = await findRegistrar(c.get('app').db, idParam(c.req.param('id')));
    if (!registrar) return c.get('app').pages.error(c, 404);
    return registrarPage(c, registrar, null, {});
  });

  r.post('/registrars/:id{[0-9]+}', editors, async (c) => {
    const app = c.get('app');
    const registrar = await findRegistrar(app.db, idParam(c.req.param('id')));
    if (!registrar) return app.pages.error(c, 404);
    const values = await readFormValues(c);
    const checked = await validateRegistrar(app.db, values, registrar.id);
    if (!checked.ok) return registrarPage(c, registrar, values, checked.errors, 400);
    await app.db.transaction(async (trx) => {
      await updateRegistrar(trx, registrar.id, checked.data, app.clock.now().toISOString());
      await app.audit.record({ actor: actorOf(c), action: 'billmanager.registrar_saved', target: `bmr-registrar:${registrar.id}`, details: { name: checked.data.name } }, trx);
    });
    flash(c, 'success', `Registrar “${checked.data.name}” was saved.`);
    return c.redirect(`${BASE}/${registrar.id}`, 303);
  });

  r.post('/registrars/:id{[0-9]+}/check', editors, async (c) => {
    const app = c.get('app');
    const registrar = await findRegistrar(app.db, idParam(c.req.param('id')));
    if (!registrar) return app.pages.error(c, 404);
    const check = await checkRegistrarBalance(app, registrar, opts.timeoutMs);
    if (!check.ok) flash(c, 'error', `The balance could not be read: ${check.error}`);
    else if (check.low) flash(c, 'warning', `The balance is below the minimum.${check.ticket?.created ? ' A ticket was opened for the responsible department.' : ' Today’s ticket is open already.'}`);
    else flash(c, 'success', 'The balance was read and is above the minimum.');
    return c.redirect(`${BASE}/${registrar.id}`, 303);
  });

  r.post('/registrars/:id{[0-9]+}/delete', editors, async (c) => {
    const app = c.get('app');
    const registrar = await findRegistrar(app.db, idParam(c.req.param('id')));
    if (!registrar) return app.pages.error(c, 404);
    await app.db.transaction(async (trx) => {
      await deleteRegistrar(trx, registrar.id);
      await app.audit.record({ actor: actorOf(c), action: 'billmanager.registrar_deleted', target: `bmr-registrar:${registrar.id}`, details: { name: registrar.name } }, trx);
    });
    flash(c, 'success', `Registrar “${registrar.name}” was deleted. Its server and domains stay as they are.`);
    return c.redirect(BASE, 303);
  });

  return r;
}

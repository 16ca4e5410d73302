// The registrar "BILLmanager" (seed 001): a server, a name, Send errors, Restart operations and the
// minimum balance checked once a day — lower, and the responsible department gets one ticket that day.
import type { Knex } from 'knex';
import type { AppServices, FormValues, TrellisEvents } from '../../../core/plugins/api.ts';
import { convert, formatMoney, MoneyError } from '../../../core/money/money.ts';
import { checkbox, parsePriceInput, text, type Checked } from '../../../core/billing/catalog/inputs.ts';
import { getRates } from '../../../core/billing/catalog/currencies.ts';
import { listCurrencies } from '../../../core/billing/catalog/store.ts';
import { getServer, type ProcessingServer } from '../../../core/processing/servers.ts';
import { OPERATION_LABELS, type OperationKind } from '../../../core/processing/types.ts';
import { MODULE_NAME } from '../processing/module.ts';
import { nameTaken, recordBalance, registrarsOfServer, type Registrar, type RegistrarFields } from '../store/registrars.ts';
import { runwayForecast, type Runway } from './runway.ts';
import { upstreamOf } from './upstream-access.ts';

type Q = Knex | Knex.Transaction;

/** Checks the whole registrar form before anything is saved; errors are keyed by field. */
export async function validateRegistrar(db: Q, values: FormValues, existingId?: number): Promise<Checked<RegistrarFields>> {
  const errors: Record<string, string> = {};
  const name = text(values, 'name');
  if (!name) errors.name = 'Enter the registrar’s name';
  else if (name.length > 200) errors.name = 'Use at most 200 characters';
  else if (await nameTaken(db, name, existingId)) errors.name = 'Another registrar has this name';

  const serverRaw = text(values, 'server_id');
  const server = /^\d{1,9}$/.test(serverRaw) ? await getServer(db, Number(serverRaw)) : undefined;
  if (!server || server.module !== MODULE_NAME) errors.server_id = 'Choose a server with the module BILLmanager (set it up under Processing → Servers first)';
  else if (server.item_type !== 'domain') errors.server_id = `Server “${server.name}” provides ${server.item_type}; a registrar needs the server that provides domain names`;

  const code = text(values, 'min_balance_currency');
  const currency = (await listCurrencies(db)).find((c) => c.code === code);
  if (!currency) errors.min_balance_currency = 'Choose the currency of the upstream balance from the list';
  let minBalance = 0;
  const raw = text(values, 'min_balance');
  if (raw === '') errors.min_balance = 'Enter the minimum balance (0 to never be warned)';
  else if (/^-/.test(raw)) errors.min_balance = 'The minimum balance cannot be negative';
  else if (currency) {
    const parsed = parsePriceInput(raw, currency);
    if (!parsed.ok) errors.min_balance = parsed.error.replace('Prices', 'Amounts');
    else minBalance = parsed.amount ?? 0;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, data: { name, serverId: server!.id, sendErrors: checkbox(values, 'send_errors'), restartOperations: checkbox(values, 'restart_operations'), minBalance, minBalanceCurrency: code } };
}

/** The minimum in the balance's currency (core exchange rates), or null when a rate is missing. */
async function minimumIn(db: Q, registrar: Registrar, currency: string): Promise<number | null> {
  if (registrar.minBalanceCurrency === currency) return registrar.minBalance;
  try {
    return convert({ amount: registrar.minBalance, currency: registrar.minBalanceCurrency }, currency, await getRates(db)).amount;
  } catch (err) {
    if (err instanceof MoneyError) return null;
    throw err;
  }
}

export type BalanceCheck =
  | { ok: true; balance: { amount: number; currency: string }; minimum: number | null; low: boolean; ticket: { id: number; created: boolean } | null; runway: Runway }
  | { ok: false; error: string; ticket: { id: number; created: boolean } | null };

type App = Pick<AppServices, 'db' | 'processing' | 'log' | 'clock' | 'tickets'>;

/**
 * Reads the upstream balance and compares it with the minimum. Lower: a ticket for the server's
 * responsible department, at most one per registrar and day (the dedupe key holds the day, so a
 * second run, a second process or "Check now" the same day finds the first). A check that fails
 * opens a ticket too when Send errors is on, also once a day.
 */
export async function checkRegistrarBalance(app: App, registrar: Registrar, timeoutMs: number): Promise<BalanceCheck> {
  const now = app.clock.now();
  const at = now.toISOString();
  const today = at.slice(0, 10);
  const server = await getServer(app.db, registrar.serverId);
  if (!server) return { ok: false, error: `Server #${registrar.serverId} no longer exists`, ticket: null };
  let balance: { amount: number; currency: string };
  try {
    const b = await (await upstreamOf(app, server, timeoutMs)).balance();
    balance = { amount: b.amount, currency: b.currency };
  } catch (err) {
    const error = (err as Error).message;
    await recordBalance(app.db, registrar.id, { error, at });
    const ticket = registrar.sendErrors
      ? await app.tickets.openSystemTicket({
          dedupeKey: `bmr.balance-check:${registrar.id}:${today}`,
          departmentId: server.department_id,
          subject: `Registrar “${registrar.name}”: the upstream balance could not be checked`,
          body: `The daily balance check of registrar “${registrar.name}” (server “${server.name}”) failed:\n\n${error}\n\nCheck the server's connection: /admin/processing/servers/${server.id}`,
          priority: 'normal',
        })
      : null;
    return { ok: false, error, ticket };
  }
  await recordBalance(app.db, registrar.id, { ...balance, at });
  const minimum = await minimumIn(app.db, registrar, balance.currency);
  const runway = await runwayForecast(app.db, server, balance, today);
  const low = minimum !== null && balance.amount < minimum;
  let ticket: { id: number; created: boolean } | null = null;
  if (low) {
    ticket = await app.tickets.openSystemTicket({
      dedupeKey: `bmr.balance-low:${registrar.id}:${today}`,
      departmentId: server.department_id,
      subject: `Registrar “${registrar.name}”: upstream balance ${formatMoney(balance)} is below the minimum`,
      body: lowBalanceBody(registrar, server, balance, minimum!, runway),
      priority: 'high',
    });
  }
  return { ok: true, balance, minimum, low, ticket, runway };
}

function lowBalanceBody(registrar: Registrar, server: ProcessingServer, balance: { amount: number; currency: string }, minimum: number, runway: Runway): string {
  const lines = [
    `The balance of the reseller account behind registrar “${registrar.name}” (server “${server.name}”) is ${formatMoney(balance)}, below the minimum of ${formatMoney({ amount: minimum, currency: balance.currency })}.`,
    '',
    `Renewals due in the next 30 days cost ${formatMoney({ amount: runway.total, currency: balance.currency })} at the upstream.`,
    runway.runsOutOn ? `At this balance the money runs out on ${runway.runsOutOn}: renewals from then on fail.` : 'The balance covers the renewals of the next 30 days.',
    '',
    'Top up the account at the upstream BILLmanager, otherwise new orders and renewals there fail. This ticket is opened at most once a day.',
    `Registrar: /admin/billmanager-reseller/registrars/${registrar.id}`,
  ];
  return lines.join('\n');
}

/**
 * Restart operations (seed 001): operations of services on the registrar's server that failed in
 * the last week are queued again once a day, unless one of the same kind is already queued. An
 * operation that keeps failing is thus retried daily until it works or staff complete it.
 */
export async function restartFailedOperations(app: Pick<AppServices, 'db' | 'processing' | 'clock'>, registrar: Registrar): Promise<number> {
  const since = new Date(app.clock.now().getTime() - 7 * 86_400_000).toISOString();
  const failed = (await app.db('core_service_operations as o')
    .join('core_services as s', 's.id', 'o.service_id')
    .where({ 'o.status': 'failed', 's.processing_server_id': registrar.serverId })
    .where('o.finished_at', '>=', since)
    .whereNotExists(function newer() {
      this.from('core_service_operations as n').whereRaw('n.service_id = o.service_id and n.op = o.op and n.id > o.id');
    })
    .select('o.id', 'o.service_id', 'o.op', 'o.payload')) as { id: number; service_id: number; op: OperationKind; payload: string }[];
  let queued = 0;
  for (const op of failed) {
    let payload: Record<string, unknown> = {};
    try {
      payload = JSON.parse(op.payload) as Record<string, unknown>;
    } catch {
      // The payload was written by the framework; an unreadable one restarts without it.
    }
    await app.processing.enqueue(app.db, { serviceId: Number(op.service_id), op: op.op, payload, actor: { type: 'system', label: `Registrar “${registrar.name}”: restart operations` } });
    queued++;
  }
  return queued;
}

/**
 * Send errors (seed 001): a failed operation of a service on a registrar's server opens a ticket for
 * the server's department even when the server's own Notify about errors is off. The dedupe key is
 * the framework's own, so with both switches on there is still one ticket per operation.
 */
export function sendErrorsListener(services: () => Pick<AppServices, 'db' | 'tickets'>) {
  return async function onOperation(e: TrellisEvents['service.operation']): Promise<void> {
    if (e.status !== 'failed') return;
    const app = services();
    const op = (await app.db('core_service_operations').where({ id: e.operationId }).first('server_id', 'attempts')) as { server_id: number | null; attempts: number } | undefined;
    if (!op?.server_id) return;
    const registrars = (await registrarsOfServer(app.db, Number(op.server_id))).filter((r) => r.sendErrors);
    if (registrars.length === 0) return;
    const server = await getServer(app.db, Number(op.server_id));
    if (!server || server.notify_errors) return;
    const svc = (await app.db('core_services').where({ id: e.serviceId }).first('label')) as { label: string } | undefined;
    const what = `${OPERATION_LABELS[e.op as OperationKind] ?? e.op} of service #${e.serviceId}${svc?.label ? ` (${svc.label})` : ''}`;
    await app.tickets.openSystemTicket({
      dedupeKey: `processing.op:${e.operationId}`,
      departmentId: server.department_id,
      serviceId: e.serviceId,
      subject: `${what} failed at registrar “${registrars[0]!.name}”`,
      body: `${what} failed on server “${server.name}”:\n\n${e.error ?? 'no message'}\n\nFix the cause, then restart the operation: /admin/processing/operations/${e.operationId}`,
      priority: 'high',
    });
  };
}

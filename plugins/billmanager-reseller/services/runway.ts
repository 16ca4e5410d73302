// The runway forecast (beyond BILLmanager): renewals due at the upstream in the next 30 days, each at
// its upstream cost, drawn from the account's balance in date order — the day the money runs out.
import type { Knex } from 'knex';
import { convert, MoneyError } from '../../../core/money/money.ts';
import { addDays } from '../../../core/billing/services/periods.ts';
import { getRates } from '../../../core/billing/catalog/currencies.ts';
import type { ProcessingServer } from '../../../core/processing/servers.ts';
import { MODULE_NAME } from '../processing/module.ts';

export const RUNWAY_DAYS = 30;
/** Statuses whose services renew: the upstream draws their renewal from the balance. */
const RENEWING = ['active', 'pending_renewal'];

export interface RunwayItem {
  serviceId: number;
  label: string;
  expiresOn: string;
  /** Minor units of the balance's currency; null when the upstream cost is not known. */
  cost: number | null;
  /** The balance left after this renewal (null after an unknown cost). */
  after: number | null;
}

export interface Runway {
  balance: { amount: number; currency: string };
  from: string;
  until: string;
  items: RunwayItem[];
  total: number;
  /** The first day a renewal cannot be paid: the balance runs out; null when it lasts the 30 days. */
  runsOutOn: string | null;
  /** What is missing to pay every renewal in the window (0 when nothing is). */
  shortfall: number;
  /** Renewals without a known upstream cost (not imported plans, or a currency without a rate). */
  unknownCosts: number;
}

/**
 * Renewals of the services the upstream account provides (every BILLmanager server with the same
 * URL and user: they share one balance), due from `today` for RUNWAY_DAYS, that auto-renew.
 */
export async function runwayForecast(db: Knex, server: ProcessingServer, balance: { amount: number; currency: string }, today: string): Promise<Runway> {
  const until = addDays(today, RUNWAY_DAYS);
  const rows = (await db('core_services as s')
    .join('core_processing_servers as ps', 'ps.id', 's.processing_server_id')
    .leftJoin('bmr_tariff_periods as tp', 'tp.period_id', 's.period_id')
    .leftJoin('bmr_tariffs as t', 't.id', 'tp.tariff_id')
    .where({ 'ps.module': MODULE_NAME, 'ps.url': server.url, 'ps.username': server.username, 's.auto_renew': true })
    .whereIn('s.status', RENEWING)
    .where('s.expires_on', '>=', today)
    .where('s.expires_on', '<', until)
    .orderBy('s.expires_on')
    .orderBy('s.id')
    .select('s.id', 's.label', 's.expires_on', 'tp.cost', 't.currency')) as { id: number; label: string; expires_on: string; cost: number | string | null; currency: string | null }[];
  const rates = await getRates(db);
  let left = balance.amount;
  let known = true;
  let total = 0;
  let unknownCosts = 0;
  let runsOutOn: string | null = null;
  const items: RunwayItem[] = rows.map((r) => {
    let cost: number | null = null;
    if (r.cost !== null && r.currency) {
      try {
        cost = convert({ amount: Number(r.cost), currency: r.currency }, balance.currency, rates).amount;
      } catch (err) {
        if (!(err instanceof MoneyError)) throw err;
      }
    }
    if (cost === null) {
      unknownCosts++;
      known = false;
      return { serviceId: Number(r.id), label: r.label, expiresOn: r.expires_on, cost, after: null };
    }
    total += cost;
    left -= cost;
    if (left < 0 && runsOutOn === null) runsOutOn = r.expires_on;
    return { serviceId: Number(r.id), label: r.label, expiresOn: r.expires_on, cost, after: known ? left : null };
  });
  return { balance, from: today, until, items, total, runsOutOn, shortfall: Math.max(0, total - balance.amount), unknownCosts };
}

// An imported plan as the operator tunes it (seed 001 "Setting prices"): its name, which periods are
// sold, the operator's price per period and currency beside the upstream cost converted with the
// core exchange rates, and the margin that leaves.
import type { Knex } from 'knex';
import { convert, toDecimalString } from '../../../core/money/money.ts';
import { describePeriod } from '../../../core/billing/services/periods.ts';
import { listCurrencies, listPeriodPrices, listPeriods, findPackage, listAddons, replacePeriodPrices, updatePackage, updatePeriod, type Currency, type Package, type Period } from '../../../core/billing/catalog/store.ts';
import { checkbox, parsePriceInput, text, type Checked } from '../../../core/billing/catalog/inputs.ts';
import type { FormValues } from '../../../core/plugins/api.ts';
import { findTariff, listTariffPeriods, type TariffRow } from '../store/tariffs.ts';
import { OS_ADDON } from './import-plans.ts';

type Q = Knex | Knex.Transaction;

export interface PlanPeriod {
  period: Period;
  label: string;
  /** The upstream period code and cost (minor units of the tariff's currency); null when the operator added the period. */
  code: number | null;
  cost: number | null;
  /** The upstream cost in each active currency; null when a rate is missing. */
  converted: Record<string, number | null>;
  /** The operator's price in each active currency; null when not sold in it. */
  prices: Record<string, number | null>;
}

export interface Plan {
  tariff: TariffRow;
  pkg: Package;
  currencies: Currency[];
  periods: PlanPeriod[];
  /** The upstream's currency is in the catalog, so costs convert. */
  rateKnown: boolean;
}

export const priceKey = (periodId: number, code: string) => `price.${periodId}.${code}`;
export const sellKey = (periodId: number) => `sell.${periodId}`;

/** Margin of a price over the converted upstream cost: amount and per cent of the price (one decimal). */
export function marginOf(price: number | null, cost: number | null): { amount: number; percent: number | null } | null {
  if (price === null || cost === null) return null;
  const amount = price - cost;
  return { amount, percent: price === 0 ? null : Math.round((amount * 1000) / price) / 10 };
}

export async function loadPlan(db: Q, tariffId: number): Promise<Plan | null> {
  const tariff = await findTariff(db, tariffId);
  if (!tariff) return null;
  const pkg = await findPackage(db, tariff.packageId);
  if (!pkg) return null;
  const currencies = await listCurrencies(db, { activeOnly: true });
  const all = await listCurrencies(db);
  const rates = Object.fromEntries(all.map((c) => [c.code, { rateToBase: c.rateToBase, minorUnits: c.minorUnits }]));
  const rateKnown = Boolean(rates[tariff.currency]);
  const upstream = new Map((await listTariffPeriods(db, tariff.id)).filter((p) => p.periodId !== null).map((p) => [p.periodId!, p]));
  const periods = await listPeriods(db, [pkg.id]);
  const prices = await listPeriodPrices(db, periods.map((p) => p.id));
  return {
    tariff,
    pkg,
    currencies,
    rateKnown,
    periods: periods.map((period) => {
      const up = upstream.get(period.id);
      const cost = up?.cost ?? null;
      return {
        period,
        label: describePeriod(period.kind, period.length),
        code: up?.code ?? null,
        cost,
        converted: Object.fromEntries(currencies.map((c) => [c.code, cost !== null && rateKnown ? convert({ amount: cost, currency: tariff.currency }, c.code, rates).amount : null])),
        prices: Object.fromEntries(currencies.map((c) => [c.code, prices.find((p) => p.periodId === period.id && p.currency === c.code)?.price ?? null])),
      };
    }),
  };
}

export interface PlanInput {
  name: string;
  description: string;
  active: boolean;
  periods: { periodId: number; sold: boolean; prices: { currency: string; price: number }[] }[];
}

/** The form's values as the plan holds them now (the first time the page is shown). */
export function planFormValues(plan: Plan): FormValues {
  const values: FormValues = { name: plan.pkg.name, description: plan.pkg.description, active: plan.pkg.active ? '1' : '' };
  for (const p of plan.periods) {
    if (p.period.active) values[sellKey(p.period.id)] = '1';
    for (const c of plan.currencies) {
      const price = p.prices[c.code];
      if (price !== null && price !== undefined) values[priceKey(p.period.id, c.code)] = toDecimalString(price, c.minorUnits);
    }
  }
  return values;
}

/**
 * Checks the whole form before anything is saved: a name; for every period that is sold, a price
 * in the base currency (others may stay blank: not sold in that currency); amounts that parse;
 * an active plan sells at least one period.
 */
export function validatePlan(values: FormValues, plan: Plan): Checked<PlanInput> {
  const errors: Record<string, string> = {};
  const name = text(values, 'name');
  if (!name) errors.name = 'Enter the name clients see';
  else if (name.length > 200) errors.name = 'Use at most 200 characters';
  const description = text(values, 'description');
  if (description.length > 5000) errors.description = 'Use at most 5,000 characters';
  const base = plan.currencies.find((c) => c.isBase);
  if (!base) errors._form = 'The base currency is inactive; check Catalog → Currencies.';
  const active = checkbox(values, 'active');
  const periods: PlanInput['periods'] = [];
  for (const p of plan.periods) {
    const sold = checkbox(values, sellKey(p.period.id));
    const prices: { currency: string; price: number }[] = [];
    for (const c of plan.currencies) {
      const key = priceKey(p.period.id, c.code);
      const parsed = parsePriceInput(text(values, key), c);
      if (!parsed.ok) errors[key] = parsed.error;
      else if (parsed.amount !== null) prices.push({ currency: c.code, price: parsed.amount });
      else if (sold && c.isBase) errors[key] = `Enter a price in ${c.code} for ${p.label.toLowerCase()}, or stop selling this period`;
    }
    periods.push({ periodId: p.period.id, sold, prices });
  }
  if (active && !periods.some((p) => p.sold)) errors.active = 'Sell at least one period, or leave the plan switched off';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, data: { name, description, active, periods } };
}

/** Writes a validated form: name, description, on/off, each period's status and prices; OS choices stay free. */
export async function savePlan(trx: Knex.Transaction, plan: Plan, input: PlanInput, at: string): Promise<void> {
  await updatePackage(trx, plan.pkg.id, { ...plan.pkg, name: input.name, description: input.description, active: input.active }, at);
  const codes = plan.currencies.map((c) => c.code);
  for (const p of input.periods) {
    const period = plan.periods.find((x) => x.period.id === p.periodId)!.period;
    await updatePeriod(trx, period.id, { kind: period.kind, length: period.length, active: p.sold, position: period.position });
    await replacePeriodPrices(trx, period.id, codes, p.prices.map((x) => ({ currency: x.currency, price: x.price, setupFee: 0 })));
  }
  await freeOsChoices(trx, plan.pkg.id);
}

/**
 * The OS template is a required choice at no charge: an enum add-on is offered only where its
 * items have a price, so every item gets a zero price for every priced period and currency.
 */
async function freeOsChoices(trx: Knex.Transaction, packageId: number): Promise<void> {
  const addon = (await listAddons(trx, packageId)).find((a) => a.internalName === OS_ADDON && a.kind === 'enum' && a.enumerationId !== null);
  if (!addon) return;
  const items = (await trx('core_enumeration_items').where({ enumeration_id: addon.enumerationId }).pluck('id')) as number[];
  const priced = (await trx('core_package_prices as pp').join('core_package_periods as p', 'p.id', 'pp.period_id').where('p.package_id', packageId).select('pp.period_id', 'pp.currency')) as { period_id: number; currency: string }[];
  const rows = priced.flatMap((pp) => items.map((item) => ({ addon_id: addon.id, period_id: pp.period_id, currency: pp.currency, enum_item_id: item, price: 0 })));
  for (let i = 0; i < rows.length; i += 90) await trx('core_addon_prices').insert(rows.slice(i, i + 90)).onConflict(['addon_id', 'period_id', 'currency', 'enum_item_id']).ignore();
}

// The end of a trial: a trial service that auto-renews moves onto its package's first paid period
// before the renewal run bills it, so the next invoice is for real money instead of another free
// trial. A package with no paid period in the service's currency has nothing to convert to: the
// trial simply ends and the expiry pass expires the service.
import type { Knex } from 'knex';
import { getOffer, priceAddons } from '../catalog/offer.ts';
import { describePeriod, type PeriodKind } from '../services/periods.ts';
import { formatMoney } from '../../money/money.ts';

interface TrialRow {
  id: number;
  package_id: number;
  currency: string;
  status: string;
}

/** The period a trial of `packageId` becomes: the first active paid period (by position) priced in `currency`. */
export async function paidPeriodAfterTrial(db: Knex | Knex.Transaction, packageId: number, currency: string): Promise<number | null> {
  const row = (await db('core_package_periods as p')
    .join('core_package_prices as pr', 'pr.period_id', 'p.id')
    .where('p.package_id', packageId)
    .andWhere('p.active', true)
    .whereIn('p.kind', ['days', 'months'])
    .andWhere('pr.currency', currency)
    .orderBy([{ column: 'p.position' }, { column: 'p.id' }])
    .first('p.id')) as { id: number } | undefined;
  return row?.id ?? null;
}

/**
 * Converts the due trials (status active, auto-renew on, trial ending by `horizon`) to their paid
 * period: period, price with add-ons priced for that period, and a line in the service history.
 * Returns how many were converted. Idempotent: a converted service is no longer a trial.
 */
export async function convertDueTrials(db: Knex, input: { horizon: string; at: string }): Promise<number> {
  const trials = (await db('core_services')
    .where({ period_kind: 'trial', auto_renew: true })
    .whereIn('status', ['active'])
    .andWhere('expires_on', '<=', input.horizon)
    .orderBy('id')
    .select('id', 'package_id', 'currency', 'status')) as TrialRow[];
  let converted = 0;
  for (const t of trials) {
    const periodId = await paidPeriodAfterTrial(db, t.package_id, t.currency);
    if (periodId === null) continue;
    // Staff may have retired the package since the order: the service keeps going on its old terms.
    const offer = await getOffer(db, { packageId: t.package_id, periodId, currency: t.currency }, { includeInactive: true });
    if (!offer) continue;
    const chosen = Object.fromEntries(
      ((await db('core_service_addons as sa').join('core_addons as a', 'a.id', 'sa.addon_id').where('sa.service_id', t.id).select('a.internal_name', 'sa.value')) as { internal_name: string; value: string }[]).map(
        (r) => [r.internal_name, r.value],
      ),
    );
    const addons = priceAddons(offer, chosen);
    // An add-on not sold with the paid period is kept free rather than blocking the renewal.
    const priceOf = new Map(addons.lines.map((l) => [l.addonId, l.price]));
    const price = offer.price + addons.lines.reduce((a, l) => a + l.price, 0);
    await db.transaction(async (trx) => {
      const changed = await trx('core_services')
        .where({ id: t.id, period_kind: 'trial' })
        .update({ period_id: periodId, period_kind: offer.period.kind, period_length: offer.period.length, price, updated_at: input.at });
      if (changed !== 1) return;
      for (const [addonId, p] of priceOf) await trx('core_service_addons').where({ service_id: t.id, addon_id: addonId }).update({ price: p });
      await trx('core_service_history').insert({
        service_id: t.id, at: input.at, from_status: t.status, to_status: t.status, actor_type: 'system', actor_id: null, actor_label: 'billing',
        reason: `Trial ends: continues on ${describePeriod(offer.period.kind as PeriodKind, offer.period.length)} at ${formatMoney({ amount: price, currency: t.currency })}`,
      });
      converted++;
    });
  }
  return converted;
}

// Watching imported tariffs upstream: a changed cost, an added or dropped period, a new currency or a
// tariff withdrawn is noticed once (a fingerprint of the new state), told to the operator as a ticket
// and a notice on the admin pages, and applied to the recorded costs only when the operator accepts.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AppServices } from '../../../core/plugins/api.ts';
import { formatMoney } from '../../../core/money/money.ts';
import { insertPeriod, updatePeriod, findPeriod } from '../../../core/billing/catalog/store.ts';
import type { ProcessingServer } from '../../../core/processing/servers.ts';
import type { UpstreamTariff } from '../upstream/billmanager.ts';
import { termOfCode } from '../upstream/periods.ts';
import { deleteTariffPeriod, listTariffPeriods, listTariffsOfServer, markTariffChecked, updateTariffSnapshot, upsertTariffPeriod, type TariffRow, type TariffSnapshot } from '../store/tariffs.ts';
import { recordChange, resolveChange, setChangeTicket, type PriceChangeRow } from '../store/price-changes.ts';
import { snapshotOf } from './import-plans.ts';
import { periodCodeLabel } from './period-labels.ts';

/** The state of a tariff a change compares: its currency and periods with costs, or gone. */
export interface TariffState {
  name: string;
  currency: string;
  periods: { code: number; cost: number }[];
  removed?: boolean;
}

function stateOf(t: { name: string; currency: string; snapshot: TariffSnapshot }): TariffState {
  return { name: t.name, currency: t.currency, periods: [...t.snapshot.periods].sort((a, b) => a.code - b.code) };
}

function sameState(a: TariffState, b: TariffState): boolean {
  return a.currency === b.currency && Boolean(a.removed) === Boolean(b.removed) && JSON.stringify(a.periods) === JSON.stringify(b.periods);
}

export function fingerprintOf(s: TariffState): string {
  return crypto.createHash('sha256').update(JSON.stringify({ c: s.currency, p: s.periods, r: Boolean(s.removed) })).digest('hex');
}

/** The differences in words, one line each ("1 month: 5.00 EUR → 6.00 EUR"). */
export function describeChange(before: TariffState, after: TariffState): string[] {
  if (after.removed) return ['The upstream no longer offers this tariff: new orders and renewals of it will fail there.'];
  const lines: string[] = [];
  if (before.currency !== after.currency) lines.push(`Currency: ${before.currency} → ${after.currency}`);
  const codes = [...new Set([...before.periods, ...after.periods].map((p) => p.code))].sort((a, b) => a - b);
  for (const code of codes) {
    const b = before.periods.find((p) => p.code === code);
    const a = after.periods.find((p) => p.code === code);
    const label = periodCodeLabel(code);
    if (b && !a) lines.push(`${label}: no longer offered (was ${formatMoney({ amount: b.cost, currency: before.currency })})`);
    else if (!b && a) lines.push(`${label}: new, ${formatMoney({ amount: a.cost, currency: after.currency })}`);
    else if (a && b && (a.cost !== b.cost || before.currency !== after.currency)) lines.push(`${label}: ${formatMoney({ amount: b.cost, currency: before.currency })} → ${formatMoney({ amount: a.cost, currency: after.currency })}`);
  }
  return lines;
}

type App = Pick<AppServices, 'db' | 'tickets' | 'clock'>;

/**
 * Compares one server's imported tariffs with its price list now. Each difference from the accepted
 * state is recorded once; a new one opens a ticket for the server's responsible department.
 * Returns how many new changes were noticed.
 */
export async function watchServerPrices(app: App, server: ProcessingServer, priceList: UpstreamTariff[]): Promise<number> {
  const at = app.clock.now().toISOString();
  let noticed = 0;
  for (const tariff of await listTariffsOfServer(app.db, server.id)) {
    const upstream = priceList.find((t) => t.id === tariff.upstreamId);
    const before = stateOf({ name: tariff.upstreamName, currency: tariff.currency, snapshot: tariff.snapshot });
    const after: TariffState = upstream ? stateOf({ name: upstream.name, currency: upstream.currency, snapshot: snapshotOf(upstream) }) : { ...before, periods: [], removed: true };
    await app.db.transaction(async (trx) => {
      await markTariffChecked(trx, tariff.id, at);
      if (sameState(before, after)) return;
      const changeId = await recordChange(trx, { tariffId: tariff.id, fingerprint: fingerprintOf(after), details: { before, after, snapshot: upstream ? snapshotOf(upstream) : null }, at });
      if (changeId === null) return;
      noticed++;
      const pkg = (await trx('core_packages').where({ id: tariff.packageId }).first('name')) as { name: string } | undefined;
      const ticket = await app.tickets.openSystemTicket(
        {
          dedupeKey: `bmr.price-change:${changeId}`,
          departmentId: server.department_id,
          subject: `Upstream ${after.removed ? 'withdrew' : 'changed the prices of'} “${pkg?.name ?? tariff.upstreamName}”`,
          body: [
            `The upstream BILLmanager (server “${server.name}”) changed tariff “${tariff.upstreamName}” (#${tariff.upstreamId}), sold as “${pkg?.name ?? '?'}”:`,
            '',
            ...describeChange(before, after).map((l) => `- ${l}`),
            '',
            'Check your prices and margins, then accept or dismiss the change: /admin/billmanager-reseller/changes',
          ].join('\n'),
          priority: 'normal',
        },
        trx,
      );
      await setChangeTicket(trx, changeId, ticket.id);
    });
  }
  return noticed;
}

/**
 * Accepting a change makes it the recorded state: costs are updated, a new upstream period becomes
 * a local period switched off (price it, then sell it), a dropped one stops being sold.
 */
export async function acceptChange(trx: Knex.Transaction, change: PriceChangeRow, tariff: TariffRow, by: string, at: string): Promise<boolean> {
  if (!(await resolveChange(trx, change.id, 'accepted', by, at))) return false;
  const details = change.details as { after?: TariffState; snapshot?: TariffSnapshot | null };
  const after = details.after;
  if (!after) return true;
  const recorded = await listTariffPeriods(trx, tariff.id);
  for (const p of recorded) {
    const now = after.periods.find((x) => x.code === p.code);
    if (now) {
      await upsertTariffPeriod(trx, { tariffId: tariff.id, periodId: p.periodId, code: p.code, cost: now.cost });
      continue;
    }
    if (p.periodId !== null) {
      const period = await findPeriod(trx, tariff.packageId, p.periodId);
      if (period) await updatePeriod(trx, period.id, { kind: period.kind, length: period.length, active: false, position: period.position });
    }
    await deleteTariffPeriod(trx, tariff.id, p.code);
  }
  for (const p of after.periods) {
    if (recorded.some((r) => r.code === p.code)) continue;
    const term = termOfCode(p.code);
    if (!term) continue;
    const existing = (await trx('core_package_periods').where({ package_id: tariff.packageId, kind: term.kind, length: term.length }).first('id')) as { id: number } | undefined;
    const periodId = existing ? Number(existing.id) : await insertPeriod(trx, { packageId: tariff.packageId, kind: term.kind, length: term.length, active: false, position: 100 });
    await upsertTariffPeriod(trx, { tariffId: tariff.id, periodId, code: p.code, cost: p.cost });
  }
  const snapshot = details.snapshot ?? { ...tariff.snapshot, periods: after.periods };
  await updateTariffSnapshot(trx, tariff.id, snapshot, after.name || tariff.upstreamName, after.currency);
  return true;
}

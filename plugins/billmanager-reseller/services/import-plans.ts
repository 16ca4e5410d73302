// "Import rate plans" (seed 001): upstream tariffs from pricelist.export become local packages with the
// upstream's periods; the upstream cost of each period is recorded. Names and prices come after.
import type { Knex } from 'knex';
import type { ProcessingServer } from '../../../core/processing/servers.ts';
import { findItemType, insertAddon, insertEnumeration, insertEnumerationItem, insertPackage, insertPeriod, setPackageServers } from '../../../core/billing/catalog/store.ts';
import type { UpstreamTariff } from '../upstream/billmanager.ts';
import { UPSTREAM_ITEMTYPES } from '../upstream/billmanager.ts';
import { termOfCode } from '../upstream/periods.ts';
import { insertTariff, listTariffsOfServer, upsertTariffPeriod, type TariffSnapshot } from '../store/tariffs.ts';

/** The internal name of the add-on that carries the OS template (sent as `ostempl`). */
export const OS_ADDON = 'ostempl';

export interface TariffChoice extends UpstreamTariff {
  /** Imported already (the local package), or null. */
  packageId: number | null;
  /** Why it cannot be imported to this server, or null. */
  blocker: string | null;
}

export function snapshotOf(t: UpstreamTariff): TariffSnapshot {
  return { periods: [...t.periods].sort((a, b) => a.code - b.code), os: [...t.os], addons: t.addons.map((a) => ({ ...a })) };
}

/** The tariffs of the upstream price list as the import page offers them to this server. */
export async function tariffChoices(db: Knex, server: ProcessingServer, tariffs: UpstreamTariff[]): Promise<TariffChoice[]> {
  const imported = new Map((await listTariffsOfServer(db, server.id)).map((t) => [t.upstreamId, t.packageId]));
  const wanted = UPSTREAM_ITEMTYPES[server.item_type];
  return tariffs.map((t) => {
    let blocker: string | null = null;
    if (t.itemtype !== wanted) blocker = `Sells ${t.itemtype || 'something else'}; this server provides ${server.item_type}.`;
    else if (t.periods.every((p) => termOfCode(p.code) === null)) blocker = 'Has no period Trellis can sell.';
    else if (t.itemtype === 'domain' && !t.tld) blocker = 'The upstream does not say which zone it registers.';
    return { ...t, packageId: imported.get(t.id) ?? null, blocker };
  });
}

export interface ImportResult {
  imported: { upstreamId: string; packageId: number; name: string }[];
}

/**
 * Creates, in the caller's transaction, one inactive package per chosen tariff: the upstream's
 * name, item type and periods (no prices yet), the OS templates as a required choice, the server
 * as the one that provides it, and the upstream costs in bmr_tariff_periods.
 */
export async function importTariffs(trx: Knex.Transaction, server: ProcessingServer, chosen: TariffChoice[], at: string): Promise<ImportResult> {
  const itemType = await findItemType(trx, server.item_type);
  if (!itemType) throw new Error(`Item type '${server.item_type}' of server ${server.name} does not exist`);
  const imported: ImportResult['imported'] = [];
  for (const t of chosen) {
    const packageId = await insertPackage(
      trx,
      {
        name: t.name.slice(0, 200),
        internalName: `bmr-${server.id}-${t.id}`,
        itemType: itemType.id,
        billingType: 'period',
        description: '',
        agreement: '',
        // Not orderable until the operator has set prices (the plan's page switches it on).
        active: false,
        position: 100,
      },
      at,
    );
    await setPackageServers(trx, packageId, [server.id]);
    const tariffId = await insertTariff(trx, { serverId: server.id, packageId, upstreamId: t.id, upstreamItemtype: t.itemtype, upstreamName: t.name, tld: t.tld, currency: t.currency, snapshot: snapshotOf(t), importedAt: at });
    let position = 0;
    for (const p of snapshotOf(t).periods) {
      const term = termOfCode(p.code);
      if (!term) continue;
      const periodId = await insertPeriod(trx, { packageId, kind: term.kind, length: term.length, active: true, position: position++ });
      await upsertTariffPeriod(trx, { tariffId, periodId, code: p.code, cost: p.cost });
    }
    if (t.os.length) {
      const enumerationId = await insertEnumeration(trx, { name: `Operating systems of ${t.name}`.slice(0, 200), internalName: `bmr-os-${server.id}-${t.id}` });
      for (const [i, os] of t.os.entries()) await insertEnumerationItem(trx, { enumerationId, name: os, internalName: os, position: i });
      await insertAddon(trx, packageId, { name: 'Operating system', internalName: OS_ADDON, kind: 'enum', enumerationId, min: 0, max: null, step: 1, included: 0, unit: '', defaultValue: t.os[0]!, required: true, active: true, position: 0 });
    }
    imported.push({ upstreamId: t.id, packageId, name: t.name });
  }
  return { imported };
}

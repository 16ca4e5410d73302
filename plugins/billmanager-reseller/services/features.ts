// What is resold (seed 001 "Enabling support of service": Settings → Features): the plugin's switches,
// kept in its settings, which also switch core's item types on and off at once.
import type { AppServices } from '../../../core/plugins/api.ts';
import { findItemType, updateItemTypeFlags } from '../../../core/billing/catalog/store.ts';
import { MODULE_NAME } from '../processing/module.ts';
import { billmanagerSettings, type BillmanagerSettings } from '../settings.ts';

export const RESOLD_KINDS = [
  { key: 'resellDomains', itemType: 'domain', label: 'Domain names' },
  { key: 'resellVds', itemType: 'vds', label: 'Virtual servers' },
  { key: 'resellDedicated', itemType: 'dedicated', label: 'Dedicated servers' },
  { key: 'resellHosting', itemType: 'hosting', label: 'Web hosting' },
] as const;

export type FeatureKey = (typeof RESOLD_KINDS)[number]['key'];
export type Features = Record<FeatureKey, boolean>;

type App = Pick<AppServices, 'settings' | 'plugins' | 'db'>;

function optionsOf(app: App, name: string): Partial<BillmanagerSettings> {
  return (app.plugins.plugin(name)?.options ?? {}) as Partial<BillmanagerSettings>;
}

/** The switches as saved now (not as this process booted with): pages and jobs obey them at once. */
export async function currentFeatures(app: App, name: string): Promise<Features> {
  const r = await app.settings.resolvePluginSettings(name, billmanagerSettings as never, optionsOf(app, name));
  const s = (r.ok ? r.value : billmanagerSettings.defaults) as BillmanagerSettings;
  return Object.fromEntries(RESOLD_KINDS.map((k) => [k.key, Boolean(s[k.key])])) as Features;
}

export async function isResold(app: App, name: string, itemType: string): Promise<boolean> {
  const kind = RESOLD_KINDS.find((k) => k.itemType === itemType);
  return kind ? (await currentFeatures(app, name))[kind.key] : false;
}

/**
 * Saves the switches in the plugin's settings and applies them to the item types: a resold kind is
 * switched on; a kind no longer resold is switched off, unless a server of another module still
 * provides it (then another plugin sells it, and its switch is not ours to turn off).
 */
export async function saveFeatures(app: App, name: string, features: Features): Promise<{ switchedOff: string[]; keptOn: string[] }> {
  // The store keeps only the keys given: the other saved settings go along unchanged.
  const others = await app.settings.savedPluginValues(name, billmanagerSettings as never);
  const saved = await app.settings.savePluginSettings(name, billmanagerSettings as never, optionsOf(app, name), { ...others, ...features });
  if (!saved.ok) throw new Error(`The plugin's settings could not be saved: ${Object.values(saved.errors).join('; ')}`);
  const switchedOff: string[] = [];
  const keptOn: string[] = [];
  await app.db.transaction(async (trx) => {
    for (const k of RESOLD_KINDS) {
      const type = await findItemType(trx, k.itemType);
      if (!type) continue;
      if (features[k.key]) {
        if (!type.enabled) await updateItemTypeFlags(trx, k.itemType, { enabled: true });
        continue;
      }
      const other = await trx('core_processing_servers').where({ item_type: k.itemType }).whereNot({ module: MODULE_NAME }).first('id');
      if (other) keptOn.push(type.name);
      else if (type.enabled) {
        await updateItemTypeFlags(trx, k.itemType, { enabled: false });
        switchedOff.push(type.name);
      }
    }
  });
  return { switchedOff, keptOn };
}

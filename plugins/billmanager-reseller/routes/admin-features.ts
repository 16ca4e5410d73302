// Admin: what is resold (seed 001 "Enabling support of service"): the plugin's switches, which also
// switch core's item types, so a kind that is not resold cannot be put in the catalog or ordered.
import { createRouter, flash, readFormValues, renderView } from '../../../core/plugins/api.ts';
import { requireRole } from '../../../core/http/guards.ts';
import { listItemTypes } from '../../../core/billing/catalog/store.ts';
import { currentFeatures, RESOLD_KINDS, saveFeatures, type Features } from '../services/features.ts';
import { actorOf } from './shared.ts';

const PLUGIN = 'billmanager-reseller';

export function featureRoutes() {
  const r = createRouter();

  r.get('/features', async (c) => {
    const app = c.get('app');
    const features = await currentFeatures(app, PLUGIN);
    const types = new Map((await listItemTypes(app.db)).map((t) => [t.id, t]));
    const kinds = RESOLD_KINDS.map((k) => ({ ...k, on: features[k.key], itemTypeOn: types.get(k.itemType)?.enabled ?? false }));
    return renderView(c, '@billmanager-reseller/admin/features', { kinds, values: Object.fromEntries(kinds.map((k) => [k.key, k.on ? '1' : ''])) }, { title: 'What is resold' });
  });

  r.post('/features', requireRole('admin'), async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const features = Object.fromEntries(RESOLD_KINDS.map((k) => [k.key, ['1', 'on'].includes(String(values[k.key] ?? ''))])) as Features;
    const result = await saveFeatures(app, PLUGIN, features);
    await app.audit.record({ actor: actorOf(c), action: 'billmanager.features_saved', target: `plugin:${PLUGIN}`, details: { ...features } });
    const notes = [
      result.switchedOff.length ? ` Switched off: ${result.switchedOff.join(', ')}.` : '',
      result.keptOn.length ? ` Left on because another module's server provides them: ${result.keptOn.join(', ')}.` : '',
    ].join('');
    flash(c, 'success', `Saved.${notes}`);
    return c.redirect('/admin/billmanager-reseller/features', 303);
  });
  return r;
}

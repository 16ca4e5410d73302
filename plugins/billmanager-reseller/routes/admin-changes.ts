// Admin: upstream price changes noticed by the price watch, to accept (recorded costs follow) or dismiss.
import { createRouter, flash, renderView } from '../../../core/plugins/api.ts';
import { requireRole } from '../../../core/http/guards.ts';
import { acceptChange, describeChange, type TariffState } from '../services/price-watch.ts';
import { findChange, listChanges, resolveChange } from '../store/price-changes.ts';
import { findTariff } from '../store/tariffs.ts';
import { actorOf, idParam } from './shared.ts';

const BASE = '/admin/billmanager-reseller/changes';

export function changeRoutes() {
  const r = createRouter();
  const editors = requireRole('admin');

  r.get('/changes', async (c) => {
    const db = c.get('app').db;
    const describe = (ch: { details: { before: unknown; after: unknown } }) => describeChange(ch.details.before as TariffState, ch.details.after as TariffState);
    const open = (await listChanges(db, { status: 'open' })).map((ch) => ({ ...ch, lines: describe(ch) }));
    const resolved = (await listChanges(db, { limit: 60 })).filter((ch) => ch.status !== 'open').slice(0, 30).map((ch) => ({ ...ch, lines: describe(ch) }));
    return renderView(c, '@billmanager-reseller/admin/changes', { open, resolved }, { title: 'Upstream price changes' });
  });

  r.post('/changes/:id{[0-9]+}/:action{accept|dismiss}', editors, async (c) => {
    const app = c.get('app');
    const change = await findChange(app.db, idParam(c.req.param('id')));
    if (!change) return app.pages.error(c, 404);
    const tariff = await findTariff(app.db, change.tariffId);
    if (!tariff) return app.pages.error(c, 404);
    const action = c.req.param('action') as 'accept' | 'dismiss';
    const actor = actorOf(c);
    const at = app.clock.now().toISOString();
    const done = await app.db.transaction(async (trx) => {
      const ok = action === 'accept' ? await acceptChange(trx, change, tariff, actor.label, at) : await resolveChange(trx, change.id, 'dismissed', actor.label, at);
      if (ok) await app.audit.record({ actor, action: `billmanager.price_change_${action === 'accept' ? 'accepted' : 'dismissed'}`, target: `package:${tariff.packageId}`, details: { change: change.id } }, trx);
      return ok;
    });
    if (!done) flash(c, 'error', 'This change was settled already.');
    else if (action === 'accept') flash(c, 'success', 'The new upstream costs are recorded. New periods were added switched off: price them on the plan’s page.');
    else flash(c, 'success', 'The change was dismissed; the recorded costs stay as they were.');
    return c.redirect(action === 'accept' ? `/admin/billmanager-reseller/plans/${tariff.id}` : BASE, 303);
  });

  return r;
}

// Admin page of service kinds (item types): the feature switches that turn whole kinds of service on and off.
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../../http/env.ts';
import { renderView } from '../../../http/render.ts';
import { flash } from '../../../http/flash.ts';
import { buildTable } from '../../../http/table.ts';
import { findItemType, itemTypesQuery, toItemType, updateItemTypeFlags, type ItemTypeRow } from '../store.ts';
import { CATALOG_BASE, audit, canEdit, notFound } from './shared.ts';

export function itemTypeRoutes(r: Hono<AppEnv>): void {
  const base = `${CATALOG_BASE}/item-types`;

  r.get('/item-types', async (c) => {
    const table = await buildTable<ItemTypeRow & { isEnabled: boolean; isNeedsParent: boolean }>(
      c,
      {
        id: 'item-types-table',
        defaultSort: 'position',
        columns: [
          { key: 'name', label: 'Service kind', sortBy: 'name' },
          { key: 'id', label: 'Id' },
          { key: 'owner', label: 'Provided by' },
          { key: 'needs_parent', label: 'Server required', value: (t) => (t.isNeedsParent ? 'Yes: ordered as an add-on of a server' : 'No') },
          { key: 'enabled', label: 'Sold', value: (t) => (t.isEnabled ? 'On' : 'Off'), badge: (t) => (t.isEnabled ? 'ok' : 'failed') },
          { key: 'position', label: 'Order', sortBy: 'position', align: 'right' },
          ...(canEdit(c) ? [{ key: 'actions', label: 'Actions', partial: '/pages/admin/catalog/item-type-actions' }] : []),
        ],
      },
      itemTypesQuery(c.get('app').db).select('id', 'name', 'owner', 'enabled', 'needs_parent', 'position'),
    );
    table.rows = table.rows.map((row) => ({ ...row, isEnabled: toItemType(row).enabled, isNeedsParent: toItemType(row).needsParent }));
    return renderView(c, 'pages/admin/catalog/item-types', { table, canEdit: canEdit(c) }, { title: 'Service kinds' });
  });

  const toggle = (path: string, flag: 'enabled' | 'needsParent', value: boolean) =>
    r.post(`/item-types/:id/${path}`, async (c: Context<AppEnv>) => {
      const app = c.get('app');
      const type = await findItemType(app.db, c.req.param('id') ?? '');
      if (!type) return notFound(c, 'This service kind');
      await app.db.transaction(async (trx) => {
        await updateItemTypeFlags(trx, type.id, { [flag]: value });
        const action = flag === 'enabled' ? (value ? 'item_type_enabled' : 'item_type_disabled') : value ? 'item_type_needs_parent' : 'item_type_standalone';
        await audit(c, trx, action, `item_type:${type.id}`);
      });
      const messages = {
        'enabled:true': `${type.name} are sold again: their active packages can be ordered.`,
        'enabled:false': `${type.name} are switched off: none of their packages can be ordered; existing services keep running.`,
        'needsParent:true': `${type.name} now need a server: they are ordered as add-ons of another service.`,
        'needsParent:false': `${type.name} can be ordered on their own.`,
      } as const;
      flash(c, 'success', messages[`${flag}:${value}`]);
      return c.redirect(base, 303);
    });
  toggle('enable', 'enabled', true);
  toggle('disable', 'enabled', false);
  toggle('require-server', 'needsParent', true);
  toggle('standalone', 'needsParent', false);
}

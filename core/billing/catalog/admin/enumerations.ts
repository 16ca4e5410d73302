// Admin pages of enumerations and their items (e.g. the OS list offered with dedicated servers).
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../../http/env.ts';
import { renderView } from '../../../http/render.ts';
import { readFormValues, type FormValues } from '../../../http/forms.ts';
import { flash } from '../../../http/flash.ts';
import { buildTable } from '../../../http/table.ts';
import { UNIQUE_INTERNAL_NAME, moveEnumerationItem, nextPosition, validateEnumeration, validateEnumerationItem } from '../enumerations.ts';
import {
  addonsUsingEnumeration,
  deleteEnumeration,
  deleteEnumerationItem,
  enumerationsQuery,
  findEnumeration,
  findEnumerationItem,
  insertEnumeration,
  insertEnumerationItem,
  isUniqueViolation,
  listEnumerationItems,
  updateEnumeration,
  updateEnumerationItem,
  type Enumeration,
  type EnumerationItem,
} from '../store.ts';
import { CATALOG_BASE, adminOnly, audit, canEdit, idParam, notFound } from './shared.ts';

interface EnumerationListRow {
  id: number;
  name: string;
  internal_name: string;
}

export function enumerationRoutes(r: Hono<AppEnv>): void {
  const base = `${CATALOG_BASE}/enumerations`;

  const listPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const table = await buildTable<EnumerationListRow>(
      c,
      {
        id: 'enumerations-table',
        defaultSort: 'name',
        empty: 'No enumerations yet. Create one for choices like the operating system of a server.',
        columns: [
          { key: 'name', label: 'Name', sortBy: 'name', href: (e) => `${base}/${e.id}` },
          { key: 'internal_name', label: 'Internal name', sortBy: 'internal_name' },
        ],
      },
      enumerationsQuery(c.get('app').db).select('id', 'name', 'internal_name'),
    );
    return renderView(c, 'pages/admin/catalog/enumerations', { table, values, errors, canEdit: canEdit(c) }, { title: 'Enumerations', status });
  };

  r.get('/enumerations', (c) => listPage(c, {}, {}));

  r.post('/enumerations', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const checked = await validateEnumeration(app.db, values);
    if (!checked.ok) return listPage(c, values, checked.errors, 400);
    let id: number;
    try {
      id = await app.db.transaction(async (trx) => {
        const newId = await insertEnumeration(trx, checked.data);
        await audit(c, trx, 'enumeration_created', `enumeration:${newId}`, { internalName: checked.data.internalName });
        return newId;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return listPage(c, values, { internal_name: UNIQUE_INTERNAL_NAME }, 409);
      throw err;
    }
    flash(c, 'success', `Enumeration “${checked.data.name}” was created. Add its items now.`);
    return c.redirect(`${base}/${id}`, 303);
  });

  const load = async (c: Context<AppEnv>) => {
    const id = idParam(c, 'id');
    return id ? findEnumeration(c.get('app').db, id) : null;
  };

  const page = async (c: Context<AppEnv>, e: Enumeration, item: { values?: FormValues; errors?: Record<string, string> } = {}, status: 200 | 400 | 409 = 200) => {
    const db = c.get('app').db;
    const [items, usedBy] = await Promise.all([listEnumerationItems(db, [e.id]), addonsUsingEnumeration(db, e.id)]);
    return renderView(
      c,
      'pages/admin/catalog/enumeration',
      { enumeration: e, items, usedBy, canEdit: canEdit(c), base, itemValues: item.values ?? {}, itemErrors: item.errors ?? {} },
      { title: e.name, status },
    );
  };

  const editPage = (c: Context<AppEnv>, e: Enumeration, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) =>
    renderView(c, 'pages/admin/catalog/enumeration-form', { enumeration: e, values, errors, base }, { title: `Rename ${e.name}`, status });

  r.get('/enumerations/:id', async (c) => {
    const e = await load(c);
    if (!e) return notFound(c, 'This enumeration');
    return page(c, e);
  });

  r.get('/enumerations/:id/edit', adminOnly, async (c) => {
    const e = await load(c);
    if (!e) return notFound(c, 'This enumeration');
    return editPage(c, e, { name: e.name, internal_name: e.internalName }, {});
  });

  r.post('/enumerations/:id', async (c) => {
    const app = c.get('app');
    const e = await load(c);
    if (!e) return notFound(c, 'This enumeration');
    const values = await readFormValues(c);
    const checked = await validateEnumeration(app.db, values, e.id);
    if (!checked.ok) return editPage(c, e, values, checked.errors, 400);
    try {
      await app.db.transaction(async (trx) => {
        await updateEnumeration(trx, e.id, checked.data);
        await audit(c, trx, 'enumeration_updated', `enumeration:${e.id}`, { internalName: checked.data.internalName, previousInternalName: e.internalName });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return editPage(c, e, values, { internal_name: UNIQUE_INTERNAL_NAME }, 409);
      throw err;
    }
    flash(c, 'success', `Enumeration “${checked.data.name}” was saved.`);
    return c.redirect(`${base}/${e.id}`, 303);
  });

  r.post('/enumerations/:id/delete', async (c) => {
    const app = c.get('app');
    const e = await load(c);
    if (!e) return notFound(c, 'This enumeration');
    const usedBy = await addonsUsingEnumeration(app.db, e.id);
    if (usedBy.length) {
      flash(c, 'error', `“${e.name}” is used by the add-on${usedBy.length === 1 ? '' : 's'} ${usedBy.map((a) => `“${a.name}” of ${a.packageName}`).join(', ')}; delete ${usedBy.length === 1 ? 'that add-on' : 'those add-ons'} first.`);
      return c.redirect(`${base}/${e.id}`, 303);
    }
    await app.db.transaction(async (trx) => {
      await deleteEnumeration(trx, e.id);
      await audit(c, trx, 'enumeration_deleted', `enumeration:${e.id}`, { internalName: e.internalName });
    });
    flash(c, 'success', `Enumeration “${e.name}” was deleted with its items.`);
    return c.redirect(base, 303);
  });

  r.post('/enumerations/:id/items', async (c) => {
    const app = c.get('app');
    const e = await load(c);
    if (!e) return notFound(c, 'This enumeration');
    const values = await readFormValues(c);
    const checked = await validateEnumerationItem(app.db, e.id, values);
    if (!checked.ok) return page(c, e, { values, errors: checked.errors }, 400);
    const items = await listEnumerationItems(app.db, [e.id]);
    try {
      await app.db.transaction(async (trx) => {
        const id = await insertEnumerationItem(trx, { enumerationId: e.id, ...checked.data, position: nextPosition(items) });
        await audit(c, trx, 'enumeration_item_added', `enumeration:${e.id}`, { itemId: id, internalName: checked.data.internalName });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return page(c, e, { values, errors: { internal_name: `${UNIQUE_INTERNAL_NAME} within the enumeration` } }, 409);
      throw err;
    }
    flash(c, 'success', `“${checked.data.name}” was added to ${e.name}. Add-ons using this enumeration need a price for it before it can be chosen.`);
    return c.redirect(`${base}/${e.id}#items`, 303);
  });

  const loadItem = async (c: Context<AppEnv>): Promise<{ e: Enumeration | null; item: EnumerationItem | null }> => {
    const e = await load(c);
    const itemId = idParam(c, 'itemId');
    return { e, item: e && itemId ? await findEnumerationItem(c.get('app').db, e.id, itemId) : null };
  };

  const itemForm = (c: Context<AppEnv>, e: Enumeration, item: EnumerationItem, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) =>
    renderView(c, 'pages/admin/catalog/enumeration-item-form', { enumeration: e, item, values, errors, base }, { title: `Edit ${item.name}`, status });

  r.get('/enumerations/:id/items/:itemId/edit', adminOnly, async (c) => {
    const { e, item } = await loadItem(c);
    if (!e || !item) return notFound(c, 'This item');
    return itemForm(c, e, item, { name: item.name, internal_name: item.internalName }, {});
  });

  r.post('/enumerations/:id/items/:itemId', async (c) => {
    const app = c.get('app');
    const { e, item } = await loadItem(c);
    if (!e || !item) return notFound(c, 'This item');
    const values = await readFormValues(c);
    const checked = await validateEnumerationItem(app.db, e.id, values, item.id);
    if (!checked.ok) return itemForm(c, e, item, values, checked.errors, 400);
    try {
      await app.db.transaction(async (trx) => {
        await updateEnumerationItem(trx, item.id, checked.data);
        await audit(c, trx, 'enumeration_item_updated', `enumeration:${e.id}`, { itemId: item.id, internalName: checked.data.internalName, previousInternalName: item.internalName });
      });
    } catch (err) {
      if (isUniqueViolation(err)) return itemForm(c, e, item, values, { internal_name: `${UNIQUE_INTERNAL_NAME} within the enumeration` }, 409);
      throw err;
    }
    flash(c, 'success', `“${checked.data.name}” was saved.`);
    return c.redirect(`${base}/${e.id}#items`, 303);
  });

  for (const direction of ['up', 'down'] as const) {
    r.post(`/enumerations/:id/items/:itemId/${direction}`, async (c) => {
      const app = c.get('app');
      const { e, item } = await loadItem(c);
      if (!e || !item) return notFound(c, 'This item');
      await app.db.transaction(async (trx) => {
        if (await moveEnumerationItem(trx, e.id, item.id, direction)) await audit(c, trx, 'enumeration_item_moved', `enumeration:${e.id}`, { itemId: item.id, direction });
      });
      return c.redirect(`${base}/${e.id}#items`, 303);
    });
  }

  r.post('/enumerations/:id/items/:itemId/delete', async (c) => {
    const app = c.get('app');
    const { e, item } = await loadItem(c);
    if (!e || !item) return notFound(c, 'This item');
    await app.db.transaction(async (trx) => {
      await deleteEnumerationItem(trx, e.id, item.id);
      await audit(c, trx, 'enumeration_item_deleted', `enumeration:${e.id}`, { itemId: item.id, internalName: item.internalName });
    });
    flash(c, 'success', `“${item.name}” was removed from ${e.name}, with its add-on prices. Services that have it keep it.`);
    return c.redirect(`${base}/${e.id}#items`, 303);
  });
}

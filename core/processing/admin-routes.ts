// Processing admin pages: processing servers (seed 001 form, check connection, fetch configuration) and operations.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.ts';
import type { MenuRegistry } from '../menu/menu.ts';
import { renderView } from '../http/render.ts';
import { readFormValues, validateForm, type FormValues } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { buildTable } from '../http/table.ts';
import { clientIp } from '../http/session.ts';
import { requireRole } from '../http/guards.ts';
import { openDeep } from './sealed-values.ts';
import { zodFieldErrors } from '../settings/store.ts';
import { iso } from '../db/time.ts';
import { STATUS_LABELS, isServiceStatus } from '../billing/services/status.ts';
import {
  activeServiceCounts,
  getServer,
  saveServer,
  looseServerForm,
  serverFormSchema,
  serverListQuery,
  urlFromName,
  validateServer,
  type ProcessingServer,
  type ServerInput,
} from './servers.ts';
import { OPERATION_FILTERS, getOperationView, operationListQuery, operationsForServer, parseJson, type OperationFilter, type OperationView } from './operations.ts';
import { OPERATION_LABELS, type ManualField } from './types.ts';
import { OperationStateError } from './service.ts';

/** Badge style of an operation status. */
export function operationBadge(status: string): string {
  return status === 'done' ? 'ok' : status === 'failed' ? 'failed' : status === 'manual' ? 'warning' : 'pending';
}

function operationLabel(op: string): string {
  return OPERATION_LABELS[op as keyof typeof OPERATION_LABELS] ?? op;
}

function serviceStatusLabel(s: string | null): string {
  return s && isServiceStatus(s) ? STATUS_LABELS[s] : (s ?? '—');
}

function pretty(raw: string | null): string {
  if (!raw) return '';
  const v = parseJson(raw);
  return Object.keys(v).length ? JSON.stringify(v, null, 2) : '';
}

function actorOf(c: Context<AppEnv>) {
  const me = c.var.user!;
  return { id: me.id, label: me.email, ip: clientIp(c) };
}

const SERVER_DEFAULTS: FormValues = { use_for_new_orders: '1', allow_prolong: '1', allow_set_param: '1', notify_errors: '1' };

function serverValues(s: ProcessingServer): FormValues {
  const yes = (b: boolean) => (b ? '1' : '');
  return {
    name: s.name,
    module: s.module,
    item_type: s.item_type,
    url: s.url,
    username: s.username,
    department_id: s.department_id === null ? '' : String(s.department_id),
    max_clients: s.max_clients === null ? '' : String(s.max_clients),
    use_for_new_orders: yes(s.use_for_new_orders),
    allow_prolong: yes(s.allow_prolong),
    allow_set_param: yes(s.allow_set_param),
    notify_errors: yes(s.notify_errors),
  };
}

const mayAct = (c: Context<AppEnv>) => ['admin', 'support'].includes(c.var.user?.role ?? '');

export function processingAdminRoutes(menu: MenuRegistry): Hono<AppEnv> {
  menu.add({ area: 'admin', section: 'processing', id: 'processing-operations', label: 'Operations', href: '/admin/processing/operations', order: 10, roles: ['admin', 'support', 'billing'] });
  menu.add({ area: 'admin', section: 'processing', id: 'processing-servers', label: 'Processing servers', href: '/admin/processing/servers', order: 20, roles: ['admin'] });

  const r = new Hono<AppEnv>();
  // Servers hold upstream credentials: administrators only. Operations: administrators and support
  // act on them; billing staff may read them (why is a paid service not active yet?) but not act.
  r.use('/servers', requireRole('admin'));
  r.use('/servers/*', requireRole('admin'));
  const operationsGuard = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const roles = c.req.method === 'GET' || c.req.method === 'HEAD' ? ['admin', 'support', 'billing'] : ['admin', 'support'];
    return requireRole(...roles)(c, next);
  };
  r.use('/operations', operationsGuard);
  r.use('/operations/*', operationsGuard);

  r.get('/', (c) => c.redirect('/admin/processing/operations', 303));

  // -------------------------------------------------------------------------------------------
  // Servers

  const formOptions = async (c: Context<AppEnv>) => {
    const app = c.var.app;
    const itemTypes = (await app.db('core_item_types').orderBy('position').select('id', 'name')) as { id: string; name: string }[];
    const departments = await app.tickets.departments();
    return {
      moduleOptions: [{ value: '', label: 'Choose a module…' }, ...app.processing.modules().map((m) => ({ value: m.name, label: m.title }))],
      itemTypeOptions: [{ value: '', label: 'Choose an item type…' }, ...itemTypes.map((t) => ({ value: t.id, label: t.name }))],
      departmentOptions: [{ value: '', label: '— nobody —' }, ...departments.map((d) => ({ value: String(d.id), label: d.name }))],
    };
  };

  /** The field rules (zod) and the database rules together, so every error shows at once. */
  const checkServerForm = async (c: Context<AppEnv>, id?: number): Promise<{ input?: ServerInput; values: FormValues; errors: Record<string, string>; status: 400 | 409 }> => {
    const app = c.var.app;
    const form = await validateForm(c, serverFormSchema);
    const checked = await validateServer(app.db, app.processing, form.ok ? form.data : looseServerForm(form.values), id);
    const errors = { ...checked.errors, ...(form.ok ? {} : form.errors) };
    const status = checked.conflict ? 409 : 400;
    if (!form.ok || !checked.input) return { values: form.values, errors, status };
    return { input: checked.input, values: form.values, errors, status };
  };

  r.get('/servers', async (c) => {
    const app = c.var.app;
    const counts = new Map<number, number>();
    const titles = new Map(app.processing.modules().map((m) => [m.name, m.title]));
    type Row = { id: number; name: string; module: string; item_type: string; item_type_name: string | null; url: string; max_clients: number | null; use_for_new_orders: unknown; check_ok: unknown; checked_at: string | null; department_name: string | null };
    const yes = (v: unknown) => v === true || v === 1;
    const table = await buildTable<Row>(
      c,
      {
        id: 'servers-table',
        defaultSort: 'name',
        tieBreaker: 's.id',
        empty: 'No processing servers yet. Add one to provide services automatically; without one, staff carry out every operation by hand.',
        columns: [
          { key: 'name', label: 'Name', sortBy: 's.name', href: (s) => `/admin/processing/servers/${s.id}` },
          { key: 'module', label: 'Module', sortBy: 's.module', value: (s) => titles.get(s.module) ?? `${s.module} (not available)` },
          { key: 'item_type', label: 'Item type', sortBy: 's.item_type', value: (s) => s.item_type_name ?? s.item_type },
          { key: 'url', label: 'URL', value: (s) => s.url.replace(/^https?:\/\//, '').replace(/\/$/, '') },
          { key: 'department_name', label: 'Department', value: (s) => s.department_name ?? '—' },
          { key: 'clients', label: 'Services', align: 'right', value: (s) => `${counts.get(s.id) ?? 0}${s.max_clients === null ? '' : ` / ${s.max_clients}`}` },
          { key: 'new_orders', label: 'New orders', value: (s) => (yes(s.use_for_new_orders) ? 'yes' : 'no'), badge: (s) => (yes(s.use_for_new_orders) ? 'ok' : null) },
          {
            key: 'check',
            label: 'Connection',
            value: (s) => (s.check_ok === null ? '—' : yes(s.check_ok) ? 'OK' : 'failed'),
            badge: (s) => (s.check_ok === null ? null : yes(s.check_ok) ? 'ok' : 'failed'),
          },
        ],
      },
      serverListQuery(app.db),
    );
    for (const [id, n] of await activeServiceCounts(app.db, table.rows.map((s) => s.id))) counts.set(id, n);
    return renderView(c, 'pages/admin/processing/servers', { table }, { title: 'Processing servers' });
  });

  const newPage = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) =>
    renderView(c, 'pages/admin/processing/server-new', { values, errors, ...(await formOptions(c)), urlPreview: urlFromName(String(values.name ?? '')) }, { title: 'Add a processing server', status });

  r.get('/servers/new', (c) => newPage(c, SERVER_DEFAULTS, {}));

  /** The URL a blank URL field becomes, shown live as the name is typed (htmx); without JS the hint says the rule. */
  r.get('/servers/url-hint', (c) => {
    const url = urlFromName(c.req.query('name') ?? '');
    return renderView(c, 'pages/admin/processing/url-hint', { url }, { layout: false });
  });

  r.post('/servers', async (c) => {
    const app = c.var.app;
    const checked = await checkServerForm(c);
    if (!checked.input) return newPage(c, checked.values, checked.errors, checked.status);
    const id = await saveServer(app.db, checked.input, { seal: (p) => app.secrets.encrypt(p), now: iso(app.clock.now()) });
    const me = actorOf(c);
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'processing.server_created', target: `server:${id}`, ip: me.ip, details: { name: checked.input.name, module: checked.input.module, itemType: checked.input.itemType } });
    flash(c, 'success', `Processing server “${checked.input.name}” was added. Check its connection${app.processing.module(checked.input.module)?.getServerConfig ? ' and fetch its configuration' : ''} below.`);
    return c.redirect(`/admin/processing/servers/${id}`, 303);
  });

  const serverPage = async (c: Context<AppEnv>, server: ProcessingServer, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.var.app;
    const module = app.processing.module(server.module);
    const used = (await activeServiceCounts(app.db, [server.id])).get(server.id) ?? 0;
    const operations = await operationsForServer(app.db, server.id, { limit: 20 });
    const department = server.department_id ? await app.tickets.department(server.department_id) : undefined;
    const itemType = (await app.db('core_item_types').where({ id: server.item_type }).first('name')) as { name: string } | undefined;
    return renderView(
      c,
      'pages/admin/processing/server',
      {
        server,
        module,
        moduleTitle: module?.title ?? `${server.module} (not available: is its plugin enabled?)`,
        itemTypeName: itemType?.name ?? server.item_type,
        department,
        used,
        operations,
        canCheck: Boolean(module?.checkConnection),
        canFetch: Boolean(module?.getServerConfig),
        values,
        errors,
        ...(await formOptions(c)),
        urlPreview: urlFromName(String(values.name ?? '')),
      },
      { title: server.name, status },
    );
  };

  const loadServer = async (c: Context<AppEnv>) => {
    const id = Number(c.req.param('id'));
    return Number.isInteger(id) ? getServer(c.var.app.db, id) : undefined;
  };

  r.get('/servers/:id{[0-9]+}', async (c) => {
    const server = await loadServer(c);
    if (!server) return c.var.app.pages.error(c, 404, 'There is no such processing server.');
    return serverPage(c, server, serverValues(server), {});
  });

  r.post('/servers/:id{[0-9]+}', async (c) => {
    const app = c.var.app;
    const server = await loadServer(c);
    if (!server) return app.pages.error(c, 404, 'There is no such processing server.');
    const checked = await checkServerForm(c, server.id);
    if (!checked.input) return serverPage(c, server, checked.values, checked.errors, checked.status);
    await saveServer(app.db, checked.input, { seal: (p) => app.secrets.encrypt(p), now: iso(app.clock.now()), id: server.id });
    const me = actorOf(c);
    await app.audit.record({
      actor: { type: 'staff', id: me.id, label: me.label },
      action: 'processing.server_updated',
      target: `server:${server.id}`,
      ip: me.ip,
      details: { name: checked.input.name, passwordChanged: checked.input.password !== '' },
    });
    flash(c, 'success', `Processing server “${checked.input.name}” was saved.`);
    return c.redirect(`/admin/processing/servers/${server.id}`, 303);
  });

  r.post('/servers/:id{[0-9]+}/check', async (c) => {
    const app = c.var.app;
    const server = await loadServer(c);
    if (!server) return app.pages.error(c, 404, 'There is no such processing server.');
    const result = await app.processing.checkConnection(server.id);
    const me = actorOf(c);
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'processing.server_checked', target: `server:${server.id}`, ip: me.ip, details: { ok: result.ok } });
    if (!result.checked) flash(c, 'warning', result.message);
    else flash(c, result.ok ? 'success' : 'error', `${result.ok ? 'Connection OK' : 'Connection failed'}: ${result.message || (result.ok ? 'the server answered.' : 'no reason given.')}`);
    return c.redirect(`/admin/processing/servers/${server.id}`, 303);
  });

  r.post('/servers/:id{[0-9]+}/config', async (c) => {
    const app = c.var.app;
    const server = await loadServer(c);
    if (!server) return app.pages.error(c, 404, 'There is no such processing server.');
    try {
      const config = await app.processing.fetchConfiguration(server.id);
      const n = config.presets?.length ?? 0;
      flash(c, 'success', `Configuration fetched: ${n} preset${n === 1 ? '' : 's'}${config.enumerations ? `, ${Object.keys(config.enumerations).length} list(s)` : ''}.`);
      const me = actorOf(c);
      await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'processing.server_config_fetched', target: `server:${server.id}`, ip: me.ip, details: { presets: n } });
    } catch (err) {
      flash(c, 'error', `The configuration could not be fetched: ${err instanceof Error ? err.message : String(err)}`);
    }
    return c.redirect(`/admin/processing/servers/${server.id}`, 303);
  });

  r.post('/servers/:id{[0-9]+}/delete', async (c) => {
    const app = c.var.app;
    const server = await loadServer(c);
    if (!server) return app.pages.error(c, 404, 'There is no such processing server.');
    const used = (await activeServiceCounts(app.db, [server.id])).get(server.id) ?? 0;
    if (used > 0) {
      flash(c, 'error', `“${server.name}” still provides ${used} service${used === 1 ? '' : 's'} that ${used === 1 ? 'is' : 'are'} not cancelled; move or cancel ${used === 1 ? 'it' : 'them'} first.`);
      return c.redirect(`/admin/processing/servers/${server.id}`, 303);
    }
    await app.db('core_processing_servers').where({ id: server.id }).delete();
    const me = actorOf(c);
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.label }, action: 'processing.server_deleted', target: `server:${server.id}`, ip: me.ip, details: { name: server.name } });
    flash(c, 'success', `Processing server “${server.name}” was deleted.`);
    return c.redirect('/admin/processing/servers', 303);
  });

  // -------------------------------------------------------------------------------------------
  // Operations

  r.get('/operations', async (c) => {
    const app = c.var.app;
    const asked = c.req.query('status');
    const filter: OperationFilter = OPERATION_FILTERS.some((f) => f.value === asked) ? (asked as OperationFilter) : 'attention';
    const table = await buildTable<OperationView>(
      c,
      {
        id: 'operations-table',
        defaultSort: 'created',
        defaultDir: 'desc',
        tieBreaker: 'o.id',
        empty: filter === 'attention' ? 'Nothing waits for a person: no failed or manual operations.' : 'No operations with this status.',
        columns: [
          { key: 'op', label: 'Operation', value: (o) => `#${o.id} ${operationLabel(o.op)}`, href: (o) => `/admin/processing/operations/${o.id}` },
          { key: 'service', label: 'Service', value: (o) => `#${o.service_id} ${o.service_label ?? ''} · ${serviceStatusLabel(o.service_status)}` },
          { key: 'server', label: 'Server', value: (o) => o.server_name ?? '— none —' },
          { key: 'status', label: 'Status', value: (o) => o.status, badge: (o) => operationBadge(o.status) },
          { key: 'attempts', label: 'Attempts', align: 'right', value: (o) => `${o.attempts} / ${o.max_attempts}` },
          { key: 'created', label: 'Queued', sortBy: 'o.created_at', value: (o) => o.created_at.replace('T', ' ').slice(0, 16) },
          ...(filter === 'pending'
            ? [{ key: 'next', label: 'Next attempt', sortBy: 'o.next_attempt_at', value: (o: OperationView) => (o.next_attempt_at ?? '').replace('T', ' ').slice(0, 16) }]
            : []),
          {
            key: 'error',
            label: filter === 'manual' ? 'Waiting for' : filter === 'attention' ? 'Error, or what it waits for' : 'Last error',
            value: (o: OperationView) => {
              const text = o.status === 'manual' ? String(parseJson(o.result).waiting ?? '') : (o.last_error ?? '');
              return text.length > 140 ? `${text.slice(0, 140)}…` : text;
            },
          },
        ],
      },
      operationListQuery(app.db, filter),
    );
    return renderView(c, 'pages/admin/processing/operations', { table, filter, filters: OPERATION_FILTERS }, { title: 'Operations' });
  });

  const operationPage = async (c: Context<AppEnv>, op: OperationView, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.var.app;
    const fields = app.processing.manualFieldsFor(op);
    const ticket = op.ticket_id ? await app.tickets.get(op.ticket_id) : undefined;
    return renderView(
      c,
      'pages/admin/processing/operation',
      {
        op,
        label: operationLabel(op.op),
        badge: operationBadge(op.status),
        serviceStatus: serviceStatusLabel(op.service_status),
        // Staff carrying out a manual change need the transfer code or password in clear.
        payload: pretty(JSON.stringify(openDeep(app.secrets, parseJson(op.payload)))),
        result: pretty(op.result),
        waiting: op.status === 'manual' ? String(parseJson(op.result).waiting ?? '') : '',
        ticket,
        fields,
        canRestart: mayAct(c) && (op.status === 'failed' || op.status === 'manual'),
        canComplete: mayAct(c) && (op.status === 'failed' || op.status === 'manual'),
        isAdmin: c.var.user?.role === 'admin',
        values,
        errors,
      },
      { title: `Operation #${op.id}`, status },
    );
  };

  const loadOperation = async (c: Context<AppEnv>) => {
    const id = Number(c.req.param('id'));
    return Number.isInteger(id) ? getOperationView(c.var.app.db, id) : undefined;
  };

  r.get('/operations/:id{[0-9]+}', async (c) => {
    const op = await loadOperation(c);
    if (!op) return c.var.app.pages.error(c, 404, 'There is no such operation.');
    return operationPage(c, op, {}, {});
  });

  r.post('/operations/:id{[0-9]+}/restart', async (c) => {
    const app = c.var.app;
    const op = await loadOperation(c);
    if (!op) return app.pages.error(c, 404, 'There is no such operation.');
    try {
      await app.processing.restart(op.id, actorOf(c));
      flash(c, 'success', `Operation #${op.id} (${operationLabel(op.op)}) will run again within a few seconds.`);
    } catch (err) {
      if (!(err instanceof OperationStateError)) throw err;
      flash(c, 'error', err.message);
    }
    return c.redirect(`/admin/processing/operations/${op.id}`, 303);
  });

  r.post('/operations/:id{[0-9]+}/complete', async (c) => {
    const app = c.var.app;
    const op = await loadOperation(c);
    if (!op) return app.pages.error(c, 404, 'There is no such operation.');
    const fields: ManualField[] = app.processing.manualFieldsFor(op);
    const shape: Record<string, z.ZodType> = {};
    for (const f of fields) {
      shape[f.name] = f.required ? z.string().trim().min(1, `Enter the ${f.label.toLowerCase()}`).max(200, 'Use at most 200 characters') : z.string().trim().max(200, 'Use at most 200 characters').default('');
    }
    shape.staff_note = z.string().trim().max(2000, 'Use at most 2000 characters').default('');
    const values = await readFormValues(c);
    const parsed = z.object(shape).safeParse(values);
    if (!parsed.success) return operationPage(c, op, values, zodFieldErrors(parsed.error), 400);
    const data = parsed.data as Record<string, string>;
    try {
      await app.processing.completeManually(op.id, { values: data, note: data.staff_note }, actorOf(c));
    } catch (err) {
      if (!(err instanceof OperationStateError)) throw err;
      return operationPage(c, op, values, { _form: err.message }, 409);
    }
    flash(c, 'success', `Operation #${op.id} (${operationLabel(op.op)}) is complete; the service was updated.`);
    return c.redirect(`/admin/processing/operations/${op.id}`, 303);
  });

  return r;
}

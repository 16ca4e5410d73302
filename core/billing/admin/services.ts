// Service pages: the list (filter by status, kind, server, client), the service page and staff actions.
// Actions that reach the upstream system (suspend, resume, terminate) queue a processing operation:
// the status changes only when the module (or staff, for manual ones) completes it.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { renderView } from '../../http/render.ts';
import { readFormValues, type FormValues } from '../../http/forms.ts';
import { flash } from '../../http/flash.ts';
import { buildTable } from '../../http/table.ts';
import { requireRole } from '../../http/guards.ts';
import { iso } from '../../db/time.ts';
import { getBillingSettings } from '../settings.ts';
import { describePeriod, isDay } from '../services/periods.ts';
import { INVOICING_RULES, SERVICE_STATUSES, STATUS_LABELS, SUSPENDED, canTransition, isServiceStatus, isTerminal, type ServiceStatus } from '../services/status.ts';
import { TransitionError, transitionService } from '../services/transition.ts';
import { OPERATION_LABELS, type OperationKind } from '../../processing/types.ts';
import {
  BILLING_BASE,
  BILLING_EDIT_ROLES,
  INVOICE_STATUS_LABELS,
  audit,
  canEdit,
  clientName,
  idParam,
  idValue,
  invoiceBadge,
  moneyFormatter,
  serviceBadge,
  staffActor,
  str,
} from './shared.ts';
import {
  childServices,
  getService,
  invoicesOfService,
  namesForServices,
  openOperations,
  openOrderInvoicesOfService,
  serviceAddons,
  serviceHistory,
  serviceListQuery,
  type ServiceListRow,
  type ServiceRow,
} from './store.ts';
import { updateServiceField } from '../services/terms.ts';
import { cancelRequestOfService } from '../client-area/services.ts';

const BASE = `${BILLING_BASE}/services`;

/** Statuses a service has been provisioned in: the upstream system knows it. */
const PROVISIONED: readonly ServiceStatus[] = ['active', 'suspended_staff', 'suspended_nonpayment', 'suspended_client', 'pending_renewal', 'expired', 'failed'];

/** What a staff action on the service page may do now, by the service's status. */
export function serviceActions(status: ServiceStatus) {
  return {
    suspend: (status === 'active' || status === 'pending_renewal') && canTransition(status, 'suspended_staff'),
    resume: SUSPENDED.includes(status),
    terminate: PROVISIONED.includes(status) && canTransition(status, 'cancelled'),
    cancelOrder: status === 'pending',
    fraud: canTransition(status, 'fraud'),
    autoRenew: !isTerminal(status) && status !== 'expired',
    expiry: !isTerminal(status),
  };
}

/** "Suspension requested — …": what staff read after asking for an operation. */
const REQUESTED: Partial<Record<OperationKind, string>> = {
  suspend: 'Suspension requested — the status changes when the processing module confirms.',
  resume: 'Resumption requested — the status changes when the processing module confirms.',
  close: 'Termination requested — the service is cancelled when the processing module confirms.',
};

export function serviceRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  const editors = requireRole(...BILLING_EDIT_ROLES);

  /* ---------- list ---------- */

  r.get('/', async (c) => {
    const app = c.get('app');
    const q = c.req.query();
    const status = isServiceStatus(q.status ?? '') ? (q.status as ServiceStatus) : undefined;
    const itemTypes = (await app.db('core_item_types').orderBy('position').select('id', 'name')) as { id: string; name: string }[];
    const itemType = itemTypes.some((t) => t.id === q.type) ? q.type : undefined;
    const servers = (await app.db('core_processing_servers').orderBy('name').limit(500).select('id', 'name')) as { id: number; name: string }[];
    const serverId = idValue(q.server) ?? undefined;
    const clientId = idValue(q.client) ?? undefined;
    const client = clientId ? ((await app.db('core_clients').where({ id: clientId }).first('id', 'kind', 'name', 'company')) as { id: number; kind: string; name: string; company: string } | undefined) : undefined;
    const filtered = Boolean(status || itemType || serverId || clientId);
    const { money } = await moneyFormatter(app.db);
    const typeName = new Map(itemTypes.map((t) => [t.id, t.name]));
    const href = (row: ServiceListRow) => `${BASE}/${row.id}`;
    const table = await buildTable<ServiceListRow>(
      c,
      {
        id: 'services-table',
        caption: client ? `Services of ${clientName(client)}` : undefined,
        empty: filtered ? 'No services match these filters.' : 'No services yet. Place an order under Billing → New order.',
        defaultSort: 'id',
        defaultDir: 'desc',
        tieBreaker: 's.id',
        columns: [
          { key: 'id', label: '#', sortBy: 's.id', href, align: 'right' },
          { key: 'label', label: 'Service', href, value: (s) => `${s.package_name}${s.label ? ` (${s.label})` : ''}` },
          { key: 'client_label', label: 'Client', href: (s) => `/admin/clients/${s.client_id}` },
          { key: 'item_type', label: 'Kind', sortBy: 's.item_type', value: (s) => typeName.get(s.item_type) ?? s.item_type },
          { key: 'status', label: 'Status', sortBy: 's.status', value: (s) => STATUS_LABELS[s.status] ?? s.status, badge: (s) => serviceBadge(s.status) },
          // Unfiltered, only (status, expires_on) could order by expiry, and not alone: sortable once a filter narrows the list.
          { key: 'expires_on', label: 'Expires', ...(filtered ? { sortBy: 's.expires_on' } : {}), value: (s) => s.expires_on ?? '—' },
          { key: 'price', label: 'Price', align: 'right', value: (s) => `${money(s.price, s.currency)} / ${describePeriod(s.period_kind, s.period_length)}` },
          { key: 'server_name', label: 'Server', value: (s) => s.server_name ?? '—' },
        ],
      },
      serviceListQuery(app.db, { status, itemType, serverId, clientId }),
    );
    table.rows = await namesForServices(app.db, table.rows);
    return renderView(
      c,
      'pages/admin/billing/services',
      {
        table,
        filters: { status: status ?? '', type: itemType ?? '', server: serverId ? String(serverId) : '', client: clientId ? String(clientId) : '' },
        client: client ? { id: client.id, name: clientName(client) } : null,
        statusOptions: SERVICE_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
        typeOptions: itemTypes.map((t) => ({ value: t.id, label: t.name })),
        serverOptions: servers.map((s) => ({ value: String(s.id), label: s.name })),
        sort: q.sort ?? '',
        dir: q.dir ?? '',
        filtered,
        canEdit: canEdit(c),
      },
      { title: 'Services' },
    );
  });

  /* ---------- the service page ---------- */

  const servicePage = async (c: Context<AppEnv>, svc: ServiceRow, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.get('app');
    const [client, pkg, itemType, server, parent, children, addons, history, invoices, pending, settings, fmt] = await Promise.all([
      app.db('core_clients').where({ id: svc.client_id }).first('id', 'kind', 'name', 'company', 'currency', 'status') as Promise<{ id: number; kind: string; name: string; company: string; currency: string; status: string } | undefined>,
      app.db('core_packages').where({ id: svc.package_id }).first('id', 'name', 'internal_name') as Promise<{ id: number; name: string; internal_name: string } | undefined>,
      app.db('core_item_types').where({ id: svc.item_type }).first('name') as Promise<{ name: string } | undefined>,
      svc.processing_server_id ? (app.db('core_processing_servers').where({ id: svc.processing_server_id }).first('id', 'name', 'module') as Promise<{ id: number; name: string; module: string } | undefined>) : Promise.resolve(undefined),
      svc.parent_id ? getService(app.db, svc.parent_id) : Promise.resolve(undefined),
      childServices(app.db, svc.id),
      serviceAddons(app.db, svc.id),
      serviceHistory(app.db, svc.id),
      invoicesOfService(app.db, svc.id),
      openOperations(app.db, svc.id),
      getBillingSettings(app.settings),
      moneyFormatter(app.db),
    ]);
    let params: [string, string][] = [];
    try {
      const p = JSON.parse(svc.params || '{}') as Record<string, unknown>;
      params = Object.entries(p).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
    } catch {
      params = [['(unreadable)', svc.params]];
    }
    const st = svc.status;
    const suspended = SUSPENDED.includes(st);
    const rule = INVOICING_RULES[st] ?? '';
    const operations = await app.slots.render('admin.service.detail', { serviceId: svc.id });
    const cancelRequest = await cancelRequestOfService(app.db, svc.id);
    const isAdmin = c.get('user')?.role === 'admin';
    // The operations pages are for admin and support staff (core/processing/admin-routes.ts).
    const canSeeOperations = ['admin', 'support'].includes(c.get('user')?.role ?? '');
    const name = `${pkg?.name ?? `Package #${svc.package_id}`}${svc.label ? ` (${svc.label})` : ''}`;
    return renderView(
      c,
      'pages/admin/billing/service',
      {
        svc,
        name,
        client: client ? { id: client.id, name: clientName(client), status: client.status } : null,
        pkg,
        itemTypeName: itemType?.name ?? svc.item_type,
        server,
        isAdmin,
        canSeeOperations,
        parent,
        children,
        addons,
        params,
        history,
        invoices,
        pending: pending.map((o) => ({ ...o, label: OPERATION_LABELS[o.op as OperationKind] ?? o.op })),
        period: describePeriod(svc.period_kind, Number(svc.period_length)),
        price: fmt.money(svc.price, svc.currency),
        money: fmt.money,
        statusLabel: STATUS_LABELS[st] ?? st,
        statusLabels: STATUS_LABELS,
        badge: serviceBadge(st),
        serviceBadge,
        invoiceBadge,
        invoiceStatusLabels: INVOICE_STATUS_LABELS,
        rule,
        ruleNow: suspended ? (settings.invoiceSuspended ? 'This panel invoices suspended services (Billing settings), so it is invoiced.' : 'This panel does not invoice suspended services (Billing settings), so it is not invoiced now.') : '',
        autoRenew: svc.auto_renew === true || svc.auto_renew === 1,
        cancelRequest,
        actions: canEdit(c) && Object.values(serviceActions(st)).some(Boolean) ? serviceActions(st) : null,
        values: { expires_on: svc.expires_on ?? '', reason: '', ...values },
        errors,
        operations,
        base: BASE,
      },
      { title: `Service #${svc.id} · ${name}`, status },
    );
  };

  const load = async (c: Context<AppEnv>): Promise<ServiceRow | undefined> => {
    const id = idParam(c);
    return id ? getService(c.get('app').db, id) : undefined;
  };
  const notFound = (c: Context<AppEnv>) => c.get('app').pages.error(c, 404, 'There is no service with this number.');
  const back = (c: Context<AppEnv>, id: number) => c.redirect(`${BASE}/${id}`, 303);
  const now = (c: Context<AppEnv>) => iso(c.get('app').clock.now());

  r.get('/:id{[0-9]+}', async (c) => {
    const svc = await load(c);
    return svc ? servicePage(c, svc, {}, {}) : notFound(c);
  });

  /* ---------- actions that go through a processing operation ---------- */

  const requestOperation = (op: 'suspend' | 'resume' | 'close', allowed: (s: ServiceStatus) => boolean, refusal: (s: ServiceStatus) => string) =>
    async function requestOperationRoute(c: Context<AppEnv>) {
      const app = c.get('app');
      const svc = await load(c);
      if (!svc) return notFound(c);
      const values = await readFormValues(c);
      const reason = str(values.reason).trim();
      if (reason.length > 300) return servicePage(c, svc, values, { reason: 'Use at most 300 characters' }, 400);
      if (!allowed(svc.status)) {
        flash(c, 'error', refusal(svc.status));
        return back(c, svc.id);
      }
      const payload: Record<string, unknown> =
        op === 'suspend' ? { status: 'suspended_staff', ...(reason ? { reason } : {}) } : reason ? { reason } : {};
      const me = staffActor(c);
      const opId = await app.db.transaction(async (trx) => {
        const id = await app.processing.enqueue(trx, { serviceId: svc.id, op, payload, actor: me });
        await audit(c, `service_${op}_requested`, `service:${svc.id}`, { operation: id, ...(reason ? { reason } : {}) }, trx);
        return id;
      });
      flash(c, 'success', `${REQUESTED[op]!} (Operation #${opId}.)`);
      return back(c, svc.id);
    };

  const label = (s: ServiceStatus) => (STATUS_LABELS[s] ?? s).toLowerCase();
  r.post('/:id{[0-9]+}/suspend', editors, requestOperation('suspend', (s) => serviceActions(s).suspend, (s) => `A service that is ${label(s)} cannot be suspended by staff.`));
  r.post('/:id{[0-9]+}/resume', editors, requestOperation('resume', (s) => serviceActions(s).resume, (s) => `Only a suspended service can be resumed; this one is ${label(s)}.`));
  r.post('/:id{[0-9]+}/terminate', editors, requestOperation('close', (s) => serviceActions(s).terminate, (s) => `A service that is ${label(s)} cannot be terminated${s === 'pending' ? ': cancel the order instead' : ''}.`));

  /* ---------- actions on the billing record itself ---------- */

  r.post('/:id{[0-9]+}/cancel-order', editors, async (c) => {
    const app = c.get('app');
    const svc = await load(c);
    if (!svc) return notFound(c);
    if (svc.status !== 'pending') {
      flash(c, 'error', `Only a pending order can be cancelled; this service is ${label(svc.status)}.`);
      return back(c, svc.id);
    }
    const me = staffActor(c);
    const open = await openOrderInvoicesOfService(app.db, svc.id);
    const paidSome = open.find((i) => Number(i.amount_paid) > 0);
    if (paidSome) {
      const { money } = await moneyFormatter(app.db);
      flash(c, 'error', `Invoice ${paidSome.number} has received ${money(paidSome.amount_paid, paidSome.currency)}: refund the payment first, then cancel the order.`);
      return back(c, svc.id);
    }
    const cancelled: string[] = [];
    for (const inv of open) {
      if (await app.billing.cancelInvoice({ invoiceId: inv.id, actor: me })) cancelled.push(inv.number);
    }
    // The invoice's cancellation cancels its pending services; one without an open invoice is cancelled here.
    const after = await getService(app.db, svc.id);
    if (after?.status === 'pending') {
      await app.db.transaction((trx) => transitionService(trx, { serviceId: svc.id, to: 'cancelled', actor: me, reason: 'Order cancelled by staff', at: now(c) }));
    }
    await audit(c, 'order_cancelled', `service:${svc.id}`, { invoices: cancelled });
    flash(c, 'success', `The order was cancelled${cancelled.length ? `, and invoice ${cancelled.join(', ')} with it` : ''}.`);
    return back(c, svc.id);
  });

  r.post('/:id{[0-9]+}/fraud', editors, async (c) => {
    const app = c.get('app');
    const svc = await load(c);
    if (!svc) return notFound(c);
    if (!serviceActions(svc.status).fraud) {
      flash(c, 'error', `A service that is ${label(svc.status)} cannot be marked as fraudulent.`);
      return back(c, svc.id);
    }
    const me = staffActor(c);
    const at = now(c);
    const wasProvisioned = PROVISIONED.includes(svc.status) && !SUSPENDED.includes(svc.status);
    try {
      await app.db.transaction(async (trx) => {
        await transitionService(trx, { serviceId: svc.id, to: 'fraud', actor: me, reason: 'Marked as fraudulent by staff', at });
        // The upstream keeps serving what it was told to: stop it there too.
        if (wasProvisioned) await app.processing.enqueue(trx, { serviceId: svc.id, op: 'suspend', payload: { status: 'suspended_staff', reason: 'Marked as fraudulent' }, actor: me });
        await audit(c, 'service_marked_fraud', `service:${svc.id}`, { from: svc.status }, trx);
      });
    } catch (err) {
      if (!(err instanceof TransitionError)) throw err;
      flash(c, 'error', 'The service changed while you were looking at it; check its status and try again.');
      return back(c, svc.id);
    }
    const cancelled: string[] = [];
    for (const inv of await openOrderInvoicesOfService(app.db, svc.id)) {
      if (await app.billing.cancelInvoice({ invoiceId: inv.id, actor: me })) cancelled.push(inv.number);
    }
    flash(c, 'success', `Service #${svc.id} is marked as fraudulent${wasProvisioned ? '; suspension on its server was requested' : ''}${cancelled.length ? `; invoice ${cancelled.join(', ')} was cancelled` : ''}.`);
    return back(c, svc.id);
  });

  r.post('/:id{[0-9]+}/auto-renew', editors, async (c) => {
    const app = c.get('app');
    const svc = await load(c);
    if (!svc) return notFound(c);
    if (!serviceActions(svc.status).autoRenew) {
      flash(c, 'error', `Auto-renew cannot be changed on a service that is ${label(svc.status)}.`);
      return back(c, svc.id);
    }
    const values = await readFormValues(c);
    const on = str(values.auto_renew) === '1';
    await app.db.transaction(async (trx) => {
      await updateServiceField(trx, { serviceId: svc.id, fields: { auto_renew: on }, actor: staffActor(c), reason: `Auto-renew turned ${on ? 'on' : 'off'}`, at: now(c) });
      await audit(c, 'service_auto_renew', `service:${svc.id}`, { autoRenew: on }, trx);
    });
    flash(c, 'success', on ? 'Auto-renew is on: renewal invoices are issued before the service expires.' : 'Auto-renew is off: no renewal invoice is issued; the service ends at its expiry date.');
    return back(c, svc.id);
  });

  r.post('/:id{[0-9]+}/expiry', editors, async (c) => {
    const app = c.get('app');
    const svc = await load(c);
    if (!svc) return notFound(c);
    const values = await readFormValues(c);
    const raw = str(values.expires_on).trim();
    if (!serviceActions(svc.status).expiry) return servicePage(c, svc, values, { expires_on: `The expiry date of a service that is ${label(svc.status)} cannot be changed` }, 409);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return servicePage(c, svc, values, { expires_on: 'Enter the date as YYYY-MM-DD' }, 400);
    if (!isDay(raw)) return servicePage(c, svc, values, { expires_on: 'This is not a date of the calendar' }, 400);
    if (raw === svc.expires_on) {
      flash(c, 'info', 'The expiry date is unchanged.');
      return back(c, svc.id);
    }
    await app.db.transaction(async (trx) => {
      await updateServiceField(trx, { serviceId: svc.id, fields: { expires_on: raw }, actor: staffActor(c), reason: `Expiry date changed from ${svc.expires_on ?? 'none'} to ${raw}`, at: now(c) });
      await audit(c, 'service_expiry_changed', `service:${svc.id}`, { from: svc.expires_on, to: raw }, trx);
    });
    flash(c, 'success', `The service now expires on ${raw}. Renewal invoices follow the new date; the upstream system is not told.`);
    return back(c, svc.id);
  });

  return r;
}

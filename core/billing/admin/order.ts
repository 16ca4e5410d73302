// New order (staff order for a client): choose the client and a package orderable in its currency
// (a GET step that works without JavaScript; htmx swaps the parts live), then the period, add-ons,
// label, parameters and an optional first-invoice discount; placing it shows the new invoice.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { renderView } from '../../http/render.ts';
import { readFormValues, type FormValues } from '../../http/forms.ts';
import { flash } from '../../http/flash.ts';
import { requireRole } from '../../http/guards.ts';
import { parseAmount } from '../../money/money.ts';
import { getOffer, listOrderablePackages, priceAddons, type Offer, type OfferAddon, type OrderablePackage } from '../catalog/index.ts';
import { findItemType } from '../catalog/store.ts';
import { OrderError } from '../orders/place-order.ts';
import { describePeriod } from '../services/periods.ts';
import { STATUS_LABELS } from '../services/status.ts';
import { BILLING_BASE, BILLING_EDIT_ROLES, clientName, idValue, moneyFormatter, staffActor, str, type MoneyText } from './shared.ts';
import { activeClientOptions, parentCandidates } from './store.ts';

const BASE = `${BILLING_BASE}/order`;
/** More active clients than this, and the select lists the first ones by name (the client page has its own "New order"). */
export const CLIENT_SELECT_LIMIT = 500;
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,39}$/;

type ClientLite = { id: number; kind: string; name: string; company: string; currency: string; status: string };

/** How an add-on is asked for on the form: select (enumeration), checkbox (logic), number. */
export interface AddonField {
  name: string;
  label: string;
  kind: 'enum' | 'logic' | 'number';
  required: boolean;
  hint: string;
  options?: { value: string; label: string }[];
  min?: number;
  max?: number | null;
  step?: number;
}

/** Form fields for an offer's add-ons, with their prices for its period and currency. Pure. */
export function addonFields(offer: Offer, money: MoneyText): AddonField[] {
  const plus = (amount: number | undefined) => (amount === undefined ? 'not sold' : amount === 0 ? 'included' : `+${money(amount, offer.currency)}`);
  return offer.addons.map((a: OfferAddon): AddonField => {
    const name = `addon.${a.internalName}`;
    switch (a.kind) {
      case 'enum':
        return {
          name,
          label: a.name,
          kind: 'enum',
          required: a.required,
          hint: a.required ? '' : a.defaultValue ? `Left at the default, ${a.items?.find((i) => i.internalName === a.defaultValue)?.name ?? a.defaultValue}, unless you choose another.` : '',
          options: [
            ...(!a.required && !a.defaultValue ? [{ value: '', label: '— none —' }] : []),
            ...(a.required && !a.defaultValue ? [{ value: '', label: 'Choose…' }] : []),
            ...(a.items ?? []).map((i) => ({ value: i.internalName, label: `${i.name} (${plus(a.prices[i.internalName])})` })),
          ],
        };
      case 'logic':
        return { name, label: `${a.name} (${plus(a.prices.yes)})`, kind: 'logic', required: false, hint: '' };
      case 'number': {
        const unit = a.unit || 'units';
        const per = a.prices.unit === undefined ? `no more than ${a.included} ${unit} can be ordered` : `${money(a.prices.unit, offer.currency)} per ${a.unit || 'unit'}${a.included ? ` beyond the ${a.included} included` : ''}`;
        const range = `${a.min}${a.max === null ? ' or more' : `–${a.max}`}${a.step > 1 ? `, in steps of ${a.step}` : ''}`;
        return { name, label: `${a.name}${a.unit ? ` (${a.unit})` : ''}`, kind: 'number', required: a.required, hint: `${range}; ${per}.`, min: a.min, max: a.max, step: a.step };
      }
    }
  });
}

/** "name=value" lines into params; errors name the line. */
export function parseParamLines(text: string): { ok: true; params: Record<string, string> } | { ok: false; error: string } {
  const params: Record<string, string> = {};
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length > 30) return { ok: false, error: 'Use at most 30 parameters' };
  for (const line of lines) {
    const i = line.indexOf('=');
    const key = i === -1 ? line : line.slice(0, i).trim();
    const value = i === -1 ? '' : line.slice(i + 1).trim();
    if (i === -1 || !PARAM_NAME.test(key)) return { ok: false, error: `Write each parameter as name=value (letters, digits, . _ -); “${line.slice(0, 40)}” is not` };
    if (value.length > 500) return { ok: false, error: `The value of “${key}” is longer than 500 characters` };
    params[key] = value;
  }
  return { ok: true, params };
}

export function orderRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole(...BILLING_EDIT_ROLES));

  const page = async (c: Context<AppEnv>, sel: { clientId: number | null; packageId: number | null; periodId: number | null }, values: FormValues, errors: Record<string, string>, status: 200 | 400 | 409 = 200) => {
    const app = c.get('app');
    const fmt = await moneyFormatter(app.db);
    const clients = await activeClientOptions(app.db, CLIENT_SELECT_LIMIT + 1);
    const client = sel.clientId ? ((await app.db('core_clients').where({ id: sel.clientId }).first('id', 'kind', 'name', 'company', 'currency', 'status')) as ClientLite | undefined) : undefined;
    const clientOptions = clients.slice(0, CLIENT_SELECT_LIMIT).map((o) => ({ value: String(o.id), label: o.label }));
    if (client && !clientOptions.some((o) => o.value === String(client.id))) clientOptions.unshift({ value: String(client.id), label: `${clientName(client)} · #${client.id} · ${client.currency}${client.status === 'active' ? '' : ` (${client.status})`}` });

    let packages: OrderablePackage[] = [];
    let pkg: OrderablePackage | undefined;
    let offer: Offer | null = null;
    let needsParent = false;
    let parents: { value: string; label: string }[] = [];
    if (client) {
      packages = await listOrderablePackages(app.db, { currency: client.currency });
      pkg = packages.find((p) => p.id === sel.packageId);
      if (pkg) {
        const period = pkg.periods.find((p) => p.id === sel.periodId) ?? pkg.periods[0]!;
        offer = await getOffer(app.db, { packageId: pkg.id, periodId: period.id, currency: client.currency });
        needsParent = (await findItemType(app.db, pkg.itemType))?.needsParent ?? false;
        if (needsParent) {
          parents = (await parentCandidates(app.db, client.id)).map((s) => ({ value: String(s.id), label: `#${s.id} ${s.label || s.item_type} (${(STATUS_LABELS[s.status] ?? s.status).toLowerCase()})` }));
        }
      }
    }
    const periodOptions = (pkg?.periods ?? []).map((p) => ({
      value: String(p.id),
      label: `${describePeriod(p.kind, p.length)} — ${fmt.money(p.price, client!.currency)}${p.setupFee ? ` + ${fmt.money(p.setupFee, client!.currency)} setup` : ''}`,
    }));
    const addons = offer ? addonFields(offer, fmt.money) : [];
    const defaults: FormValues = {};
    for (const a of offer?.addons ?? []) defaults[`addon.${a.internalName}`] = a.defaultValue;
    return renderView(
      c,
      'pages/admin/billing/order',
      {
        base: BASE,
        client: client ? { id: client.id, name: clientName(client), currency: client.currency, active: client.status === 'active', status: client.status } : null,
        clientOptions: [{ value: '', label: 'Choose a client…' }, ...clientOptions],
        clientsTruncated: clients.length > CLIENT_SELECT_LIMIT,
        packageOptions: [{ value: '', label: 'Choose a package…' }, ...packages.map((p) => ({ value: String(p.id), label: `${p.name} (from ${fmt.money(Math.min(...p.periods.map((x) => x.price)), client!.currency)})` }))],
        noPackages: Boolean(client) && packages.length === 0,
        pkg: pkg ? { id: pkg.id, name: pkg.name, description: pkg.description, itemType: pkg.itemType } : null,
        periodOptions,
        periodName: offer ? describePeriod(offer.period.kind, offer.period.length) : '',
        addons,
        needsParent,
        parentOptions: [{ value: '', label: 'Choose the service it belongs to…' }, ...parents],
        values: {
          clientId: client ? String(client.id) : '',
          packageId: pkg ? String(pkg.id) : '',
          periodId: offer ? String(offer.period.id) : '',
          label: '',
          domain: '',
          params: '',
          discount: '',
          parentId: '',
          ...defaults,
          ...values,
        },
        errors,
      },
      { title: 'New order', status },
    );
  };

  r.get('/', async (c) => {
    const q = c.req.query();
    // Changing the period (htmx) asks again with the whole form, so the add-on choices survive it;
    // the form's own names (clientId, ...) are accepted beside the short ones of links.
    const kept: FormValues = {};
    for (const [k, v] of Object.entries(c.req.queries())) if (k.startsWith('addon.') && k.length < 120) kept[k] = v.at(-1) ?? '';
    return page(c, { clientId: idValue(q.client ?? q.clientId), packageId: idValue(q.package ?? q.packageId), periodId: idValue(q.period ?? q.periodId) }, kept, {});
  });

  r.post('/', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const clientId = idValue(values.clientId);
    const packageId = idValue(values.packageId);
    const periodId = idValue(values.periodId);
    const sel = { clientId, packageId, periodId };
    const errors: Record<string, string> = {};
    const client = clientId ? ((await app.db('core_clients').where({ id: clientId }).first('id', 'currency', 'status')) as Pick<ClientLite, 'id' | 'currency' | 'status'> | undefined) : undefined;
    if (!client) errors.clientId = 'Choose a client';
    const pkg = client ? (await listOrderablePackages(app.db, { currency: client.currency })).find((p) => p.id === packageId) : undefined;
    if (client && !pkg) errors.packageId = `Choose a package that can be ordered in ${client.currency}`;
    if (pkg && !str(values.periodId).trim()) errors.periodId = 'Choose a period';
    else if (pkg && !periodId) errors.periodId = 'Choose one of the periods listed';

    const addons: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (k.startsWith('addon.')) addons[k.slice('addon.'.length)] = str(v).trim();

    const label = str(values.label).trim();
    if (label.length > 255) errors.label = 'Use at most 255 characters';
    const domain = str(values.domain).trim();
    if (domain.length > 255) errors.domain = 'Use at most 255 characters';
    const parsedParams = parseParamLines(str(values.params));
    if (!parsedParams.ok) errors.params = parsedParams.error;

    const { minor, money } = await moneyFormatter(app.db);
    let discount: number | undefined;
    const discountText = str(values.discount).trim();
    if (discountText && client) {
      const n = parseAmount(discountText, minor(client.currency));
      if (n === null) errors.discount = `Enter an amount such as 5.00, with at most ${minor(client.currency)} decimals`;
      else if (n < 0) errors.discount = 'A discount must be zero or more';
      else discount = n;
    }

    let parentId: number | null = null;
    const parentText = str(values.parentId).trim();
    const needsParent = pkg ? ((await findItemType(app.db, pkg.itemType))?.needsParent ?? false) : false;
    if (parentText) {
      parentId = idValue(parentText);
      if (!parentId) errors.parentId = 'Choose a service from the list';
    } else if (needsParent) {
      errors.parentId = 'This kind of service is ordered for another service: choose which';
    }

    // A discount above the first invoice is a typo, not a gift: the invoice would be clamped silently.
    if (client && pkg && periodId && discount && !errors.periodId) {
      const offer = await getOffer(app.db, { packageId: pkg.id, periodId, currency: client.currency });
      const priced = offer ? priceAddons(offer, addons) : null;
      if (offer && priced?.ok) {
        const first = offer.price + offer.setupFee + priced.total;
        if (discount > first) errors.discount = `The discount cannot be more than the first invoice before tax, ${money(first, client.currency)}`;
      }
    }

    if (Object.keys(errors).length) return page(c, sel, values, errors, 400);
    const params: Record<string, unknown> = { ...(parsedParams.ok ? parsedParams.params : {}), ...(domain ? { domain } : {}) };
    try {
      const placed = await app.billing.placeOrder({
        clientId: client!.id,
        packageId: pkg!.id,
        periodId: periodId!,
        addons,
        label,
        params,
        parentId,
        ...(discount ? { discount } : {}),
        actor: staffActor(c),
      });
      flash(
        c,
        'success',
        placed.total === 0
          ? `Order placed: service #${placed.serviceId}. Invoice ${placed.invoiceNumber} comes to nothing and is paid, so the set-up operation was queued.`
          : `Order placed: service #${placed.serviceId} is pending until invoice ${placed.invoiceNumber} for ${money(placed.total, client!.currency)} is paid.`,
      );
      return c.redirect(`${BILLING_BASE}/invoices/${placed.invoiceId}`, 303);
    } catch (err) {
      if (!(err instanceof OrderError)) throw err;
      return page(c, sel, values, err.errors, 400);
    }
  });

  return r;
}

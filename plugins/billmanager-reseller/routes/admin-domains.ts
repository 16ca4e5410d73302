// Admin: ordering a domain for a client (seed 001 "Goods/Services → Order → Domain Names"): the same
// steps as the client's, with the client chosen first; the order is placed in their name.
import type { Context } from 'hono';
import { clientArea, createRouter, flash, readFormValues, renderView, type AppEnv, type FormValues } from '../../../core/plugins/api.ts';
import { checkAvailability, checkDetailsForm, checkNameForm, offerChoices, placeDomainOrder, zoneOffers, type ZoneOffer } from '../services/domain-order.ts';
import { importedZones } from '../store/tariffs.ts';
import { CONTACT_ROLES } from '../services/contacts.ts';
import { CONTACT_ROLE_LABELS } from './client.ts';
import { idParam } from './shared.ts';

const ACTION = '/admin/billmanager-reseller/domains/order';

async function clientOptions(c: Context<AppEnv>) {
  const rows = (await c.get('app').db('core_clients').where({ status: 'active' }).orderBy('name').orderBy('id').limit(500).select('id', 'name', 'email', 'currency')) as { id: number; name: string; email: string; currency: string }[];
  return rows.map((r) => ({ value: String(r.id), label: `${r.name} <${r.email}> · ${r.currency}`, currency: r.currency }));
}

/** Every zone on sale in some currency, for step one before the client's currency is known. */
async function anyZones(c: Context<AppEnv>): Promise<ZoneOffer[]> {
  const tlds = [...new Set((await importedZones(c.get('app').db)).map((z) => z.tld))];
  return tlds.map((tld) => ({ tld, packages: [] }));
}

export function adminDomainRoutes(opts: { timeoutMs: number }) {
  const r = createRouter();

  const page = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, step: Record<string, unknown>, status: 200 | 400 | 409 | 503 = 200) => {
    const clients = await clientOptions(c);
    return renderView(
      c,
      '@billmanager-reseller/client/order',
      {
        zones: await anyZones(c),
        values,
        errors,
        step,
        roles: CONTACT_ROLES.map((role) => ({ role, label: CONTACT_ROLE_LABELS[role] })),
        action: ACTION,
        cancel: '/admin/billmanager-reseller',
        backLabel: 'BILLmanager reselling',
        adminNav: true,
        clientSelect: { name: 'client', label: 'Client', type: 'select', options: [{ value: '', label: 'Choose the client' }, ...clients], required: true },
      },
      { title: 'Order a domain', status },
    );
  };

  /** The client (an active one) and the zones on sale in their currency; field errors otherwise. */
  const clientAndZones = async (c: Context<AppEnv>, values: FormValues) => {
    const id = idParam(String(values.client ?? ''));
    const client = Number.isNaN(id) ? undefined : ((await c.get('app').db('core_clients').where({ id, status: 'active' }).first('id', 'currency')) as { id: number; currency: string } | undefined);
    return client ? { client, zones: await zoneOffers(c.get('app').db, client.currency) } : null;
  };

  r.get('/domains/order', async (c) => {
    const app = c.get('app');
    const q = c.req.query();
    if (q.name === undefined) return page(c, { client: q.client ?? '', zone: (await anyZones(c))[0]?.tld ?? '' }, {}, {});
    const values: FormValues = { client: q.client ?? '', name: q.name ?? '', zone: q.zone ?? '' };
    const cz = await clientAndZones(c, values);
    const checked = checkNameForm(values, cz?.zones ?? []);
    const errors: Record<string, string> = checked.ok ? {} : { ...checked.errors };
    if (!cz) errors.client = 'Choose an active client from the list';
    else if (errors.zone && (await anyZones(c)).some((z) => z.tld === values.zone)) errors.zone = `Not on sale in the client’s currency (${cz.client.currency}): price it on the plan’s page`;
    if (!checked.ok || !cz) return page(c, values, errors, {}, 400);
    const availability = await checkAvailability(app, checked.value.zone, checked.value.fqdn, opts.timeoutMs);
    if (availability.status !== 'free') return page(c, values, {}, { check: checked.value, availability }, availability.status === 'busy' ? 409 : 503);
    const contacts = await clientArea.domainContactChoices(app.db, cz.client.id);
    const choices = offerChoices(c.get('t'), checked.value.zone, cz.client.currency);
    const withDefaults: FormValues = { ...values, offer: choices[0]?.value ?? '' };
    for (const role of CONTACT_ROLES) if (contacts[0]) withDefaults[`contact_${role}`] = String(contacts[0].id);
    return page(c, withDefaults, {}, { check: checked.value, availability, contacts, choices });
  });

  r.post('/domains/order', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const cz = await clientAndZones(c, values);
    if (!cz) return page(c, values, { client: 'Choose an active client from the list' }, {}, 400);
    const checked = checkNameForm(values, cz.zones);
    if (!checked.ok) return page(c, values, checked.errors, {}, 400);
    const contacts = await clientArea.domainContactChoices(app.db, cz.client.id);
    const step = { check: checked.value, availability: { status: 'free' }, contacts, choices: offerChoices(c.get('t'), checked.value.zone, cz.client.currency) };
    const details = checkDetailsForm(values, checked.value.zone, contacts);
    if (!details.ok) return page(c, values, details.errors, step, 400);
    const availability = await checkAvailability(app, checked.value.zone, checked.value.fqdn, opts.timeoutMs);
    if (availability.status !== 'free') return page(c, values, {}, { check: checked.value, availability }, availability.status === 'busy' ? 409 : 503);
    const user = c.get('user')!;
    const placed = await placeDomainOrder(app, { clientId: cz.client.id, fqdn: checked.value.fqdn, details: details.value, actor: { type: 'staff', id: user.id, label: user.email } });
    if (!placed.ok) return page(c, values, placed.errors, step, 400);
    flash(c, 'success', `Ordered ${checked.value.fqdn} for the client: invoice ${placed.invoiceNumber}. The domain is registered once it is paid.`);
    return c.redirect(`/admin/billing/services/${placed.serviceId}`, 303);
  });

  return r;
}

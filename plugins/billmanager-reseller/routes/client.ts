// Client pages (mounted at /client/billmanager-reseller): register a domain — name without zone, zone,
// availability, plan and period, contacts, name servers → invoice — and the client's domains with
// their name servers, registrar lock and autorenew. Every lookup is scoped by the client's id.
import type { Context } from 'hono';
import { buildTable, clientArea, createRouter, flash, readFormValues, renderView, type AppEnv, type FormValues, type Translate } from '../../../core/plugins/api.ts';
import { PaymentError } from '../../../core/billing/invoices/payments.ts';
import { STATUS_LABELS } from '../../../core/billing/services/status.ts';
import { checkAvailability, checkDetailsForm, checkNameForm, offerChoices, placeDomainOrder, zoneOffers, type ContactChoice, type NameCheck, type ZoneOffer } from '../services/domain-order.ts';
import { isResold } from '../services/features.ts';
import { CONTACT_ROLES } from '../services/contacts.ts';
import { clientDomainsQuery, findClientDomainOrder, orderInvoiceOf, type DomainOrderRow } from '../store/domains.ts';
import { serviceBadge } from './labels.ts';
import { idParam } from './shared.ts';

const BASE = '/client/billmanager-reseller';
const PLUGIN = 'billmanager-reseller';

export const CONTACT_ROLE_LABELS: Record<(typeof CONTACT_ROLES)[number], string> = {
  owner: 'Registrant (owner)',
  admin: 'Administrative contact',
  tech: 'Technical contact',
  bill: 'Billing contact',
};

function clientIdOf(c: Context<AppEnv>): number {
  const id = c.get('user')?.clientId;
  if (!id) throw new Error('client route reached without a client user');
  return id;
}

function translated(t: Translate, errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));
}

async function clientCurrency(c: Context<AppEnv>): Promise<string> {
  const row = (await c.get('app').db('core_clients').where({ id: clientIdOf(c) }).first('currency')) as { currency: string } | undefined;
  return row?.currency ?? '';
}

function userActor(c: Context<AppEnv>) {
  const user = c.get('user')!;
  return { userId: user.id, label: user.email };
}

export function clientRoutes(opts: { timeoutMs: number }) {
  const r = createRouter();

  r.get('/', (c) => c.redirect(`${BASE}/domains`, 303));

  r.get('/domains', async (c) => {
    const app = c.get('app');
    const t = c.get('t');
    type Row = { id: number; label: string; status: string; expires_on: string | null; package_name: string };
    const table = await buildTable<Row>(
      c,
      {
        id: 'bmr-domains',
        defaultSort: 'domain',
        tieBreaker: 's.id',
        empty: t('You have no domains here yet.'),
        columns: [
          { key: 'domain', label: t('Domain'), sortBy: 's.label', value: (r) => r.label, href: (r) => `${BASE}/domains/${r.id}` },
          { key: 'plan', label: t('Rate plan'), value: (r) => r.package_name },
          { key: 'status', label: t('Status'), sortBy: 's.status', value: (r) => t(STATUS_LABELS[r.status as keyof typeof STATUS_LABELS] ?? r.status), badge: (r) => serviceBadge(r.status) },
          { key: 'expires', label: t('Expires'), sortBy: 's.expires_on', value: (r) => r.expires_on ?? '—' },
        ],
      },
      clientDomainsQuery(app.db, clientIdOf(c)),
    );
    return renderView(c, `@${PLUGIN}/client/domains`, { table, canOrder: await isResold(app, PLUGIN, 'domain') }, { title: t('Domains') });
  });

  type Step = { check?: NameCheck; availability?: Awaited<ReturnType<typeof checkAvailability>>; contacts?: ContactChoice[]; choices?: { value: string; label: string }[] };
  const orderPage = async (c: Context<AppEnv>, zones: ZoneOffer[], values: FormValues, errors: Record<string, string>, step: Step, status: 200 | 400 | 409 | 503 = 200) => {
    const t = c.get('t');
    return renderView(
      c,
      `@${PLUGIN}/client/order`,
      { zones, values, errors: translated(t, errors), step, roles: CONTACT_ROLES.map((r) => ({ role: r, label: t(CONTACT_ROLE_LABELS[r]) })), action: `${BASE}/domains/order`, cancel: `${BASE}/domains` },
      { title: t('Register a domain'), status },
    );
  };

  /** Step one and the availability check, by GET: no state changes, so it works as a plain form. */
  r.get('/domains/order', async (c) => {
    const app = c.get('app');
    if (!(await isResold(app, PLUGIN, 'domain'))) return app.pages.error(c, 404, c.get('t')('Domain names are not sold at the moment.'));
    const zones = await zoneOffers(app.db, await clientCurrency(c));
    const query = c.req.query();
    if (query.name === undefined && query.zone === undefined) return orderPage(c, zones, { zone: zones[0]?.tld ?? '' }, {}, {});
    const values: FormValues = { name: query.name ?? '', zone: query.zone ?? '' };
    const checked = checkNameForm(values, zones);
    if (!checked.ok) return orderPage(c, zones, values, checked.errors, {}, 400);
    const availability = await checkAvailability(app, checked.value.zone, checked.value.fqdn, opts.timeoutMs);
    if (availability.status !== 'free') return orderPage(c, zones, values, {}, { check: checked.value, availability }, availability.status === 'busy' ? 409 : 503);
    const contacts = await clientArea.domainContactChoices(app.db, clientIdOf(c));
    const primary = contacts[0]?.id;
    const withDefaults: FormValues = { ...values, offer: offerChoices(c.get('t'), checked.value.zone, await clientCurrency(c))[0]?.value ?? '' };
    for (const role of CONTACT_ROLES) if (primary) withDefaults[`contact_${role}`] = String(primary);
    return orderPage(c, zones, withDefaults, {}, { check: checked.value, availability, contacts, choices: offerChoices(c.get('t'), checked.value.zone, await clientCurrency(c)) });
  });

  r.post('/domains/order', async (c) => {
    const app = c.get('app');
    if (!(await isResold(app, PLUGIN, 'domain'))) return app.pages.error(c, 404, c.get('t')('Domain names are not sold at the moment.'));
    const clientId = clientIdOf(c);
    const currency = await clientCurrency(c);
    const zones = await zoneOffers(app.db, currency);
    const values = await readFormValues(c);
    const checked = checkNameForm(values, zones);
    if (!checked.ok) return orderPage(c, zones, values, checked.errors, {}, 400);
    const contacts = await clientArea.domainContactChoices(app.db, clientId);
    const step: Step = { check: checked.value, availability: { status: 'free' }, contacts, choices: offerChoices(c.get('t'), checked.value.zone, currency) };
    const details = checkDetailsForm(values, checked.value.zone, contacts);
    if (!details.ok) return orderPage(c, zones, values, details.errors, step, 400);
    // Checked again: somebody may have registered it since the first page.
    const availability = await checkAvailability(app, checked.value.zone, checked.value.fqdn, opts.timeoutMs);
    if (availability.status !== 'free') return orderPage(c, zones, values, {}, { check: checked.value, availability }, availability.status === 'busy' ? 409 : 503);
    const user = c.get('user')!;
    const placed = await placeDomainOrder(app, { clientId, fqdn: checked.value.fqdn, details: details.value, actor: { type: 'client', id: user.id, label: user.email } });
    if (!placed.ok) return orderPage(c, zones, values, placed.errors, step, 400);
    flash(c, 'success', c.get('t')('Invoice {number} was created for {domain}. The domain is registered once it is paid.', { number: placed.invoiceNumber, domain: checked.value.fqdn }));
    return c.redirect(`${BASE}/domains/${placed.serviceId}`, 303);
  });

  const domainPage = async (c: Context<AppEnv>, d: DomainOrderRow, values: FormValues = {}, errors: Record<string, string> = {}, status: 200 | 400 | 409 = 200) => {
    const app = c.get('app');
    const t = c.get('t');
    const clientId = clientIdOf(c);
    const invoice = await orderInvoiceOf(app.db, clientId, d.id);
    const client = (await app.db('core_clients').where({ id: clientId }).first('balance', 'currency')) as { balance: number | string; currency: string };
    const domain = await clientArea.findClientDomain(app.db, clientId, d.id);
    const changes = await clientArea.domainChanges(app.db, d.id);
    const ns = domain?.settings.nameservers ?? [];
    const shown: FormValues = { ...Object.fromEntries([0, 1, 2, 3].map((i) => [`ns.${i}`, ns[i] ?? ''])), ...values };
    return renderView(
      c,
      `@${PLUGIN}/client/domain`,
      {
        d,
        domain,
        invoice,
        credit: Number(client.balance),
        creditCurrency: client.currency,
        changes,
        values: shown,
        errors: translated(t, errors),
        statusLabel: t(STATUS_LABELS[d.status as keyof typeof STATUS_LABELS] ?? d.status),
        badge: serviceBadge(d.status),
        portal: app.plugins.isEnabled('client-portal'),
        base: `${BASE}/domains/${d.id}`,
      },
      { title: d.label, status },
    );
  };

  const withDomain = (handler: (c: Context<AppEnv>, d: DomainOrderRow) => Promise<Response>) => async (c: Context<AppEnv>) => {
    const d = await findClientDomainOrder(c.get('app').db, clientIdOf(c), idParam(c.req.param('id')));
    // Another client's domain is not theirs to know about: 404, not 403.
    if (!d) return c.get('app').pages.error(c, 404);
    return handler(c, d);
  };

  r.get('/domains/:id{[0-9]+}', withDomain((c, d) => domainPage(c, d)));

  r.post(
    '/domains/:id{[0-9]+}/pay',
    withDomain(async (c, d) => {
      const app = c.get('app');
      const t = c.get('t');
      const clientId = clientIdOf(c);
      const invoice = await orderInvoiceOf(app.db, clientId, d.id);
      if (!invoice || invoice.status !== 'unpaid') {
        flash(c, 'error', t('This order has nothing left to pay.'));
        return c.redirect(`${BASE}/domains/${d.id}`, 303);
      }
      try {
        const paid = await app.billing.payFromCredit({ invoiceId: invoice.id, clientId, actor: c.get('user')!.email });
        flash(c, paid.paid ? 'success' : 'warning', paid.paid ? t('Invoice {number} was paid from your credit. Registration has started.', { number: invoice.number }) : t('Your credit covered part of invoice {number}; pay the rest to start the registration.', { number: invoice.number }));
      } catch (err) {
        if (!(err instanceof PaymentError)) throw err;
        flash(c, 'error', t('The invoice could not be paid from your credit: {reason}', { reason: err.message }));
      }
      return c.redirect(`${BASE}/domains/${d.id}`, 303);
    }),
  );

  const change = (kind: 'nameservers' | 'lock' | 'autorenew', read: (values: FormValues) => { ok: true; changes: Record<string, unknown>; autoRenew?: boolean } | { ok: false; errors: Record<string, string> }) =>
    withDomain(async (c, d) => {
      const app = c.get('app');
      const t = c.get('t');
      const values = await readFormValues(c);
      const parsed = read(values);
      if (!parsed.ok) return domainPage(c, d, values, parsed.errors, 400);
      const result = await clientArea.requestDomainChange(app, { clientId: clientIdOf(c), serviceId: d.id, kind, changes: parsed.changes, actor: userActor(c), ...(parsed.autoRenew !== undefined ? { autoRenew: parsed.autoRenew } : {}) });
      if (!result.ok) {
        if (result.reason === 'not_found') return app.pages.error(c, 404);
        const message =
          result.reason === 'not_editable' ? 'This domain cannot be changed while it is {status}.' : result.reason === 'same_kind_pending' ? 'An earlier change of this setting is still on its way to the registrar; try again when it is done.' : 'The registrar is busy with another change of this domain; try again in a minute.';
        flash(c, 'error', t(message, { status: t(STATUS_LABELS[d.status as keyof typeof STATUS_LABELS] ?? d.status).toLowerCase() }));
        return c.redirect(`${BASE}/domains/${d.id}`, 303);
      }
      flash(c, 'success', t('The change was sent to the registrar. It shows here once the registrar has made it.'));
      return c.redirect(`${BASE}/domains/${d.id}`, 303);
    });

  r.post(
    '/domains/:id{[0-9]+}/nameservers',
    change('nameservers', (values) => {
      const raw = [0, 1, 2, 3].map((i) => String(values[`ns.${i}`] ?? '').trim());
      const parsed = clientArea.parseNameservers(raw);
      return parsed.ok ? { ok: true, changes: { nameservers: parsed.value } } : { ok: false, errors: parsed.errors };
    }),
  );
  r.post('/domains/:id{[0-9]+}/lock', change('lock', (values) => ({ ok: true, changes: { registrar_lock: values.lock === 'on' ? 'on' : 'off' } })));
  r.post(
    '/domains/:id{[0-9]+}/autorenew',
    change('autorenew', (values) => {
      const on = values.autorenew === 'on';
      return { ok: true, changes: { autorenew: on ? 'on' : 'off' }, autoRenew: on };
    }),
  );

  return r;
}

// Domains (seed 003, Managing Domains): every domain from every package, and per domain the registrar
// functions — Edit Contact Info, Edit DNS Settings, Registrar Lock, Autorenew, Domain Password. Each
// change is queued for the domain's processing module; the pages show its progress (htmx polls it).
import type { Context } from 'hono';
import { buildTable, clientArea, createRouter, flash, readFormValues, type AppEnv, type FormValues } from '../../../core/plugins/api.ts';
import type { PortalSection } from './section.ts';
import { clientIdOf, renderPortal } from './render.ts';
import { AREA_ROLES, areaGuard } from './permissions.ts';

type Ctx = Context<AppEnv>;
type Domain = clientArea.ClientDomain;
type Kind = clientArea.DomainChangeKind;
type Role = clientArea.DomainContactRole;
type Errors = Record<string, string>;

const BASE = '/client/domains';
const ROLES = clientArea.DOMAIN_CONTACT_ROLES;
const FIELDS = clientArea.DOMAIN_CONTACT_FIELDS;

/** The domain pages, each one function of the guide. */
const TABS = [
  { id: 'overview', path: '', label: 'Overview' },
  { id: 'contacts', path: '/contacts', label: 'Contact Info' },
  { id: 'dns', path: '/dns', label: 'DNS Settings' },
  { id: 'lock', path: '/lock', label: 'Registrar Lock' },
  { id: 'autorenew', path: '/autorenew', label: 'Autorenew' },
  { id: 'password', path: '/password', label: 'Domain Password' },
] as const;
type Tab = (typeof TABS)[number]['id'];

/** Which changes each page shows the progress of. */
const KINDS_OF_TAB: Record<Tab, readonly Kind[]> = {
  overview: clientArea.DOMAIN_CHANGE_KINDS,
  contacts: ['contacts'],
  dns: ['nameservers', 'dns_records'],
  lock: ['lock'],
  autorenew: ['autorenew'],
  password: ['password'],
};

/* ---------- progress of a change ---------- */

export interface ChangeLine {
  kind: Kind;
  label: string;
  state: 'pending' | 'running' | 'manual' | 'done' | 'failed';
  stateLabel: string;
  badge: string;
  text: string;
  /** When it settled (done or failed). */
  at: string | null;
  /** htmx polls while the change is on its way: quickly while a module works on it, slowly while staff do. */
  poll: '3s' | '30s' | null;
  pollUrl: string;
}

function changeLine(d: Domain, kind: Kind, change: clientArea.DomainChange | undefined): ChangeLine | null {
  if (!change) return null;
  const common = { kind, label: clientArea.DOMAIN_CHANGE_LABELS[kind], at: change.finishedAt, pollUrl: `${BASE}/${d.id}/changes/${kind}?watch=${change.operationId}` };
  switch (change.status) {
    case 'pending':
      return { ...common, state: 'pending', stateLabel: 'Queued', badge: 'pending', poll: '3s', text: change.retrying ? 'The registrar did not answer; it will be tried again automatically.' : 'It will be sent to the registrar in a moment.' };
    case 'running':
      return { ...common, state: 'running', stateLabel: 'In progress', badge: 'pending', poll: '3s', text: 'It is being sent to the registrar now.' };
    case 'manual':
      return { ...common, state: 'manual', stateLabel: 'Waiting for staff', badge: 'warning', poll: '30s', text: 'Our staff will carry this change out by hand; this page shows when they have.' };
    case 'done':
      return { ...common, state: 'done', stateLabel: 'Done', badge: 'ok', poll: null, text: 'Changed on {date}.' };
    case 'failed':
      return { ...common, state: 'failed', stateLabel: 'Failed', badge: 'failed', poll: null, text: 'The change could not be made. Check the values and try again, or contact support.' };
  }
}

function changeLines(d: Domain, changes: Partial<Record<Kind, clientArea.DomainChange>>, kinds: readonly Kind[]): Partial<Record<Kind, ChangeLine>> {
  const out: Partial<Record<Kind, ChangeLine>> = {};
  for (const k of kinds) {
    const line = changeLine(d, k, changes[k]);
    if (line) out[k] = line;
  }
  return out;
}

/** Whether a change of this kind is still on its way (its form waits until it settles). */
function unsettled(changes: Partial<Record<Kind, clientArea.DomainChange>>, kind: Kind): boolean {
  const c = changes[kind];
  return Boolean(c && !c.settled);
}

/* ---------- form helpers ---------- */

function list(v: FormValues[string] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function one(v: FormValues[string] | undefined): string {
  return Array.isArray(v) ? (v[v.length - 1] ?? '') : (v ?? '');
}

function rowIndex(v: FormValues[string] | undefined, length: number): number | null {
  const n = Number.parseInt(one(v), 10);
  return Number.isInteger(n) && n >= 0 && n < length ? n : null;
}

/** Field errors in the reader's language (core gives them in English, the catalog's keys). */
function translated(c: Ctx, errors: Errors): Errors {
  const t = c.get('t');
  return Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, t(v)]));
}

function actorOf(c: Ctx): clientArea.DomainActor {
  const user = c.get('user')!;
  return { userId: user.id, label: user.email };
}

/** Stable JSON, so "nothing changed" does not depend on key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}

/* ---------- what the forms hold ---------- */

interface ContactForm {
  source: string;
  fields: Record<clientArea.DomainContactField, string>;
}

function emptyContact(): Record<clientArea.DomainContactField, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, ''])) as Record<clientArea.DomainContactField, string>;
}

function storedContactForm(d: Domain, primaryId: number | null): Record<Role, ContactForm> {
  const out = {} as Record<Role, ContactForm>;
  for (const role of ROLES) {
    const stored = d.settings.contacts[role];
    const fields = emptyContact();
    if (stored) for (const f of FIELDS) fields[f] = stored[f];
    // Registries want all four; with nothing on record the registrant starts as the primary contact and the others as the registrant.
    const source = stored ? '' : role === 'owner' ? (primaryId ? `contact:${primaryId}` : '') : 'owner';
    out[role] = { source, fields };
  }
  return out;
}

function postedContactForm(v: FormValues): Record<Role, ContactForm> {
  const out = {} as Record<Role, ContactForm>;
  for (const role of ROLES) {
    const fields = emptyContact();
    for (const f of FIELDS) fields[f] = one(v[`${role}_${f}`]);
    out[role] = { source: one(v[`${role}_source`]), fields };
  }
  return out;
}

interface RecordRow {
  type: string;
  name: string;
  value: string;
  priority: string;
}

function storedRecordRows(d: Domain): RecordRow[] {
  return d.settings.records.map((r) => ({ type: r.type, name: r.name, value: r.value, priority: r.priority === undefined ? '' : String(r.priority) }));
}

function postedRecordRows(v: FormValues): RecordRow[] {
  const types = list(v.rr_type);
  const names = list(v.rr_name);
  const values = list(v.rr_value);
  const priorities = list(v.rr_priority);
  return types.map((type, i) => ({ type, name: names[i] ?? '', value: values[i] ?? '', priority: priorities[i] ?? '' }));
}

/** Name server inputs: what is on record, at least the two registries require. */
function storedNameservers(d: Domain): string[] {
  const ns = [...d.settings.nameservers];
  while (ns.length < clientArea.MIN_NAMESERVERS) ns.push('');
  return ns;
}

/* ---------- the routes ---------- */

interface PageState {
  values?: Record<string, unknown>;
  errors?: Errors;
  status?: 200 | 400 | 409;
  extra?: Record<string, unknown>;
}

export const domainsSection: PortalSection = {
  mount: '/domains',
  menu: [{ area: 'client', section: 'services', id: 'domains', label: 'Domains', href: '/domains', order: 20, roles: AREA_ROLES.technical }],
  routes() {
    const r = createRouter();
    r.use('*', areaGuard('technical'));

    const notFound = (c: Ctx) => c.get('app').pages.error(c, 404);
    const load = async (c: Ctx): Promise<Domain | null> => clientArea.findClientDomain(c.get('app').db, clientIdOf(c), Number(c.req.param('id')));
    const urlOf = (d: Domain, tab: Tab) => `${BASE}/${d.id}${TABS.find((x) => x.id === tab)!.path}`;

    /** Renders one of the domain pages with its header, tabs and the progress of its changes. */
    const page = async (c: Ctx, d: Domain, tab: Tab, view: string, state: PageState = {}) => {
      const changes = await clientArea.domainChanges(c.get('app').db, d.id);
      const t = c.get('t');
      const label = TABS.find((x) => x.id === tab)!.label;
      const errors = translated(c, state.errors ?? {});
      return renderPortal(
        c,
        `client/${view}`,
        {
          d,
          tab,
          tabs: TABS,
          lines: changeLines(d, changes, KINDS_OF_TAB[tab]),
          busy: Object.fromEntries(clientArea.DOMAIN_CHANGE_KINDS.map((k) => [k, unsettled(changes, k)])),
          values: state.values ?? {},
          errors,
          ...state.extra,
        },
        { title: tab === 'overview' ? d.domain : `${t(label)} · ${d.domain}`, ...(state.status ? { status: state.status } : {}) },
      );
    };

    /**
     * Queues the change. On success: a message and back to `back`. On refusal: the reason, either as
     * a message after a redirect (buttons) or as the form's error (`form` re-renders what was typed).
     */
    const submit = async (c: Ctx, d: Domain, kind: Kind, changes: Record<string, unknown>, back: string, form?: (message: string) => Promise<Response> | Response, autoRenew?: boolean) => {
      const app = c.get('app');
      const t = c.get('t');
      const result = await clientArea.requestDomainChange(app, { clientId: clientIdOf(c), serviceId: d.id, kind, changes, actor: actorOf(c), ...(autoRenew !== undefined ? { autoRenew } : {}) });
      if (result.ok) {
        flash(c, 'success', t('{what}: your change has been requested. Its progress is shown on this page.', { what: t(clientArea.DOMAIN_CHANGE_LABELS[kind]) }));
        return c.redirect(back, 303);
      }
      if (result.reason === 'not_found') return notFound(c);
      const message =
        result.reason === 'not_editable'
          ? t('This domain is “{status}”: its settings cannot be changed now.', { status: t(clientArea.STATUS_LABELS[result.status] ?? result.status) })
          : result.reason === 'same_kind_pending'
            ? t('{what}: an earlier change is still on its way. You can change this again once it is done.', { what: t(clientArea.DOMAIN_CHANGE_LABELS[kind]) })
            : t('Another change to this domain is being sent to the registrar right now. Try again in a few seconds.');
      if (form) return form(message);
      flash(c, 'error', message);
      return c.redirect(back, 303);
    };

    const unchanged = (c: Ctx, back: string) => {
      flash(c, 'info', c.get('t')('Nothing changed: these are the settings on record.'));
      return c.redirect(back, 303);
    };

    /* ----- the list ----- */

    r.get('/', async (c) => {
      const app = c.get('app');
      const t = c.get('t');
      const q = c.req.query();
      const status: clientArea.ClientDomainStatusFilter = q.status === 'all' || (clientArea.SERVICE_STATUSES as readonly string[]).includes(q.status ?? '') ? (q.status as clientArea.ClientDomainStatusFilter) : 'current';
      const search = (q.q ?? '').trim().slice(0, 100);
      const filtered = Boolean(search) || status !== 'current';
      const table = await buildTable<Record<string, unknown>>(
        c,
        {
          id: 'domains-table',
          empty: filtered ? t('No domains match this filter.') : t('You have no domains yet.'),
          defaultSort: 'domain',
          columns: [
            { key: 'domain', label: t('Domain'), sortBy: 'domain' },
            { key: 'package', label: t('Package'), sortBy: 'package_name' },
            { key: 'status', label: t('Status'), sortBy: 'status' },
            { key: 'expires_on', label: t('Expires'), sortBy: 'expires_sort' },
            { key: 'auto_renew', label: t('Autorenew') },
            { key: 'lock', label: t('Registrar lock') },
          ],
        },
        clientArea.clientDomainListQuery(app.db, clientIdOf(c), { q: search, status }),
      );
      const rows = clientArea.describeClientDomainRows(table.rows);
      return renderPortal(
        c,
        'client/domains',
        {
          table: { ...table, rows },
          filters: { q: search, status },
          filtered,
          statusOptions: [
            { value: 'current', label: t('Current domains') },
            { value: 'all', label: t('All, including cancelled') },
            ...clientArea.SERVICE_STATUSES.map((s) => ({ value: s, label: t(clientArea.STATUS_LABELS[s]) })),
          ],
        },
        { title: t('Domains') },
      );
    });

    /* ----- overview ----- */

    r.get('/:id{[0-9]+}', async (c) => {
      const d = await load(c);
      return d ? page(c, d, 'overview', 'domain') : notFound(c);
    });

    /** The progress line alone, for htmx's polling; a settled change reloads the page to show the new values. */
    r.get('/:id{[0-9]+}/changes/:kind', async (c) => {
      const d = await load(c);
      const kind = c.req.param('kind');
      if (!d || !clientArea.isDomainChangeKind(kind)) return notFound(c);
      const change = (await clientArea.domainChanges(c.get('app').db, d.id))[kind];
      const watched = Number(c.req.query('watch'));
      if (change?.settled && change.operationId === watched && c.req.header('hx-request') === 'true') c.header('HX-Refresh', 'true');
      c.header('Cache-Control', 'no-store');
      return renderPortal(c, 'client/domain-change', { line: changeLine(d, kind, change) }, { title: `${c.get('t')(clientArea.DOMAIN_CHANGE_LABELS[kind])} · ${d.domain}` });
    });

    /* ----- Edit Contact Info ----- */

    const contactsPage = async (c: Ctx, d: Domain, form: Record<Role, ContactForm> | null, errors: Errors = {}, status?: 200 | 400 | 409, formError: string | null = null) => {
      const choices = await clientArea.domainContactChoices(c.get('app').db, clientIdOf(c));
      const primary = choices[0]?.id ?? null;
      return page(c, d, 'contacts', 'domain-contacts', {
        errors,
        ...(status ? { status } : {}),
        extra: {
          form: form ?? storedContactForm(d, primary),
          choices: choices.map((ch) => ({ id: ch.id, label: ch.label })),
          sourceNames: Object.fromEntries(choices.map((ch) => [ch.id, ch.label])),
          roles: ROLES,
          roleLabels: clientArea.DOMAIN_CONTACT_ROLE_LABELS,
          countries: clientArea.domainCountryOptions(c.get('t').lang),
          formError,
        },
      });
    };

    r.get('/:id{[0-9]+}/contacts', async (c) => {
      const d = await load(c);
      return d ? contactsPage(c, d, null) : notFound(c);
    });

    r.post('/:id{[0-9]+}/contacts', async (c) => {
      const d = await load(c);
      if (!d) return notFound(c);
      const v = await readFormValues(c);
      const form = postedContactForm(v);
      const choices = await clientArea.domainContactChoices(c.get('app').db, clientIdOf(c));
      const choiceOf = (source: string) => (source.startsWith('contact:') ? choices.find((ch) => ch.id === Number(source.slice(8))) : undefined);

      // "Copy into the fields": the chosen contact's details, to edit before saving.
      const fill = one(v.fill) as Role;
      if ((ROLES as readonly string[]).includes(fill)) {
        const source = form[fill].source;
        const owner = form.owner;
        const copied = source === 'owner' && fill !== 'owner' ? (choiceOf(owner.source)?.contact ?? owner.fields) : choiceOf(source)?.contact;
        const errors: Errors = {};
        if (copied) form[fill] = { source: '', fields: { ...emptyContact(), ...Object.fromEntries(FIELDS.map((f) => [f, copied[f]])) } };
        else errors[`${fill}_source`] = 'Choose one of your contacts, or the Registrant, to copy';
        return contactsPage(c, d, form, errors);
      }

      const errors: Errors = {};
      const contacts: Partial<Record<Role, clientArea.DomainContact>> = {};
      for (const role of ROLES) {
        const source = form[role].source;
        if (source === 'owner' && role !== 'owner') continue;
        let input = form[role].fields;
        let sourceId: number | null = null;
        if (source !== '') {
          const choice = choiceOf(source);
          if (!choice) {
            errors[`${role}_source`] = 'Choose one of your contacts, or enter the details';
            continue;
          }
          input = { ...choice.contact };
          sourceId = choice.id;
        }
        const parsed = clientArea.parseDomainContact(input);
        if (parsed.ok) contacts[role] = { ...parsed.value, source_contact_id: sourceId };
        else {
          for (const [f, msg] of Object.entries(parsed.errors)) errors[`${role}_${f}`] = msg;
          // A contact whose details a registrar would refuse: show them in the fields to correct.
          if (sourceId !== null) {
            form[role] = { source: '', fields: input };
            errors[`${role}_source`] = 'This contact’s details need correcting for the registrar: they are copied below';
          }
        }
      }
      if (Object.keys(errors).length) return contactsPage(c, d, form, errors, 400);
      for (const role of ROLES) if (!contacts[role]) contacts[role] = { ...contacts.owner!, source_contact_id: contacts.owner!.source_contact_id ?? null };
      const changes = Object.fromEntries(ROLES.map((role) => [`contact_${role}`, contacts[role]]));
      const stored = Object.fromEntries(ROLES.map((role) => [`contact_${role}`, d.settings.contacts[role] ? { ...d.settings.contacts[role], source_contact_id: d.settings.contacts[role]!.source_contact_id ?? null } : null]));
      if (canonical(changes) === canonical(stored)) return unchanged(c, urlOf(d, 'contacts'));
      return submit(c, d, 'contacts', changes, urlOf(d, 'contacts'), (message) => contactsPage(c, d, form, {}, 409, message));
    });

    /* ----- Edit DNS Settings ----- */

    const dnsPage = (c: Ctx, d: Domain, state: { ns?: string[]; rows?: RecordRow[]; errors?: Errors; status?: 200 | 400 | 409; focus?: string; formError?: { ns?: string; rr?: string } } = {}) =>
      page(c, d, 'dns', 'domain-dns', {
        errors: state.errors ?? {},
        ...(state.status ? { status: state.status } : {}),
        extra: {
          nameservers: state.ns ?? storedNameservers(d),
          records: state.rows ?? storedRecordRows(d),
          recordTypes: clientArea.DNS_RECORD_TYPES,
          minNs: clientArea.MIN_NAMESERVERS,
          maxNs: clientArea.MAX_NAMESERVERS,
          maxRecords: clientArea.MAX_DNS_RECORDS,
          focus: state.focus ?? null,
          formError: state.formError ?? {},
        },
      });

    r.get('/:id{[0-9]+}/dns', async (c) => {
      const d = await load(c);
      return d ? dnsPage(c, d) : notFound(c);
    });

    r.post('/:id{[0-9]+}/dns/nameservers', async (c) => {
      const d = await load(c);
      if (!d) return notFound(c);
      const v = await readFormValues(c);
      const ns = list(v.ns).map((s) => s.slice(0, 300));
      // Adding or removing a row posts the form back without saving, so it works without JavaScript.
      if (v.add_ns !== undefined) {
        if (ns.length < clientArea.MAX_NAMESERVERS) ns.push('');
        return dnsPage(c, d, { ns, focus: `f-ns-${ns.length - 1}` });
      }
      const remove = rowIndex(v.remove_ns, ns.length);
      if (remove !== null) {
        ns.splice(remove, 1);
        while (ns.length < clientArea.MIN_NAMESERVERS) ns.push('');
        return dnsPage(c, d, { ns });
      }
      const parsed = clientArea.parseNameservers(ns);
      if (!parsed.ok) return dnsPage(c, d, { ns, errors: parsed.errors, status: 400 });
      if (canonical(parsed.value) === canonical(d.settings.nameservers)) return unchanged(c, urlOf(d, 'dns'));
      return submit(c, d, 'nameservers', { nameservers: parsed.value }, urlOf(d, 'dns'), (message) => dnsPage(c, d, { ns, status: 409, formError: { ns: message } }));
    });

    r.post('/:id{[0-9]+}/dns/records', async (c) => {
      const d = await load(c);
      if (!d) return notFound(c);
      if (!d.settings.dnsHosted) {
        flash(c, 'error', c.get('t')('The DNS records of this domain are kept where its name servers point, not here.'));
        return c.redirect(urlOf(d, 'dns'), 303);
      }
      const v = await readFormValues(c);
      const rows = postedRecordRows(v).slice(0, clientArea.MAX_DNS_RECORDS + 1);
      if (v.add_rr !== undefined) {
        if (rows.length < clientArea.MAX_DNS_RECORDS) rows.push({ type: 'A', name: '', value: '', priority: '' });
        return dnsPage(c, d, { rows, focus: `f-rr-${rows.length - 1}-name` });
      }
      const remove = rowIndex(v.remove_rr, rows.length);
      if (remove !== null) {
        rows.splice(remove, 1);
        return dnsPage(c, d, { rows });
      }
      const parsed = clientArea.parseDnsRecords(rows, d.domain);
      if (!parsed.ok) return dnsPage(c, d, { rows, errors: parsed.errors, status: 400 });
      if (canonical(parsed.value) === canonical(d.settings.records)) return unchanged(c, urlOf(d, 'dns'));
      return submit(c, d, 'dns_records', { dns_records: parsed.value }, urlOf(d, 'dns'), (message) => dnsPage(c, d, { rows, status: 409, formError: { rr: message } }));
    });

    /* ----- Registrar Lock ----- */

    r.get('/:id{[0-9]+}/lock', async (c) => {
      const d = await load(c);
      return d ? page(c, d, 'lock', 'domain-lock') : notFound(c);
    });

    r.post('/:id{[0-9]+}/lock', async (c) => {
      const d = await load(c);
      if (!d) return notFound(c);
      const v = await readFormValues(c);
      const back = one(v.back) === 'overview' ? urlOf(d, 'overview') : urlOf(d, 'lock');
      const lock = one(v.lock);
      if (lock !== '1' && lock !== '0') {
        flash(c, 'error', c.get('t')('Choose whether the domain is locked.'));
        return c.redirect(back, 303);
      }
      const on = lock === '1';
      if (d.settings.lock === on) return unchanged(c, back);
      return submit(c, d, 'lock', { registrar_lock: clientArea.domainSwitch(on) }, back);
    });

    /* ----- Autorenew ----- */

    const autorenewPage = async (c: Ctx, d: Domain, values: Record<string, unknown> = {}, errors: Errors = {}, status?: 200 | 400 | 409, formError: string | null = null) => {
      const days = d.settings.autorenewDays ?? (await clientArea.defaultAutorenewDays(c.get('app')));
      return page(c, d, 'autorenew', 'domain-autorenew', { values: { autorenew: d.auto_renew ? '1' : '0', days: String(days), ...values }, errors, ...(status ? { status } : {}), extra: { maxDays: clientArea.MAX_AUTORENEW_DAYS, formError } });
    };

    r.get('/:id{[0-9]+}/autorenew', async (c) => {
      const d = await load(c);
      return d ? autorenewPage(c, d) : notFound(c);
    });

    r.post('/:id{[0-9]+}/autorenew', async (c) => {
      const d = await load(c);
      if (!d) return notFound(c);
      const v = await readFormValues(c);
      const back = one(v.back) === 'overview' ? urlOf(d, 'overview') : urlOf(d, 'autorenew');
      // The overview's one-click switch sends no days: the rule on record (or the default) stays.
      const days = v.days === undefined ? String(d.settings.autorenewDays ?? (await clientArea.defaultAutorenewDays(c.get('app')))) : one(v.days);
      const parsed = clientArea.parseAutorenew({ autorenew: one(v.autorenew), days });
      if (!parsed.ok) return autorenewPage(c, d, { autorenew: one(v.autorenew), days }, parsed.errors, 400);
      const { on, days: n } = parsed.value;
      if (on === d.auto_renew && n === d.settings.autorenewDays) return unchanged(c, back);
      const changes = { autorenew: clientArea.domainSwitch(on), autorenew_days: n };
      return submit(c, d, 'autorenew', changes, back, one(v.back) === 'overview' ? undefined : (message) => autorenewPage(c, d, { autorenew: on ? '1' : '0', days }, {}, 409, message), on);
    });

    /* ----- Domain Password ----- */

    const passwordPage = (c: Ctx, d: Domain, state: { revealed?: { code: string | null }; value?: string; errors?: Errors; status?: 200 | 400 | 409; formError?: string } = {}) => {
      // The transfer code may be on this page: never keep it in a cache or the browser's history.
      c.header('Cache-Control', 'no-store');
      return page(c, d, 'password', 'domain-password', {
        values: { auth_code: state.value ?? '' },
        errors: state.errors ?? {},
        ...(state.status ? { status: state.status } : {}),
        extra: { revealed: state.revealed ?? null, symbols: clientArea.AUTH_CODE_SYMBOLS, formError: state.formError ?? null },
      });
    };

    r.get('/:id{[0-9]+}/password', async (c) => {
      const d = await load(c);
      return d ? passwordPage(c, d) : notFound(c);
    });

    r.post('/:id{[0-9]+}/password/show', async (c) => {
      const d = await load(c);
      if (!d) return notFound(c);
      const shown = await clientArea.revealDomainAuthCode(c.get('app'), { clientId: clientIdOf(c), serviceId: d.id, actor: actorOf(c) });
      if (!shown.ok) return notFound(c);
      return passwordPage(c, d, { revealed: { code: shown.code } });
    });

    r.post('/:id{[0-9]+}/password', async (c) => {
      const d = await load(c);
      if (!d) return notFound(c);
      const v = await readFormValues(c);
      if (v.suggest !== undefined) return passwordPage(c, d, { value: clientArea.generateDomainAuthCode() });
      const value = one(v.auth_code).slice(0, 100);
      const parsed = clientArea.parseAuthCode(value);
      if (!parsed.ok) return passwordPage(c, d, { value, errors: parsed.errors, status: 400 });
      return submit(c, d, 'password', { auth_code: parsed.value }, urlOf(d, 'password'), (message) => passwordPage(c, d, { value, status: 409, formError: message }));
    });

    return r;
  },
  ru: {
    Services: 'Услуги',
    Domains: 'Домены',
    Domain: 'Домен',
    Package: 'Пакет',
    Status: 'Статус',
    Expires: 'Истекает',
    Autorenew: 'Автопродление',
    'Registrar lock': 'Блокировка',
    Yes: 'Да',
    No: 'Нет',
    'Autorenew is on': 'Автопродление включено',
    'Autorenew is off': 'Автопродление выключено',
    Locked: 'Включена',
    Unlocked: 'Выключена',
    'Not known': 'Неизвестно',
    'Not known yet': 'Пока неизвестно',
    'Comes with': 'Входит в',
    'All domains that come with your packages. Open a domain to edit its contacts, DNS, registrar lock, autorenew and domain password.':
      'Все домены из ваших пакетов. Откройте домен, чтобы изменить контакты, DNS, блокировку, автопродление и пароль домена.',
    'Domain name': 'Имя домена',
    Show: 'Показать',
    Filter: 'Найти',
    'Clear the filter': 'Сбросить фильтр',
    'Current domains': 'Текущие домены',
    'All, including cancelled': 'Все, включая отменённые',
    'No domains match this filter.': 'Доменов, подходящих под фильтр, нет.',
    'You have no domains yet.': 'У вас пока нет доменов.',
    Pages: 'Страницы',
    'Page {page} of {pages} · {total} in all': 'Страница {page} из {pages} · всего {total}',
    Previous: 'Назад',
    Next: 'Далее',

    Overview: 'Обзор',
    'Contact Info': 'Контакты',
    'DNS Settings': 'Настройки DNS',
    'Edit DNS Settings': 'Изменить настройки DNS',
    'Registrar Lock': 'Блокировка',
    'Domain Password': 'Пароль домена',
    'Domain functions': 'Управление доменом',
    'This domain is “{status}”: its settings cannot be changed now.': 'Статус домена — «{status}»: сейчас его настройки изменить нельзя.',
    'Some details need correcting: see the fields marked below.': 'Некоторые данные нужно исправить: см. отмеченные ниже поля.',
    'Name servers': 'DNS-серверы',
    'DNS hosting': 'Обслуживание DNS',
    'Our DNS servers serve this domain': 'На наших DNS-серверах',
    'Elsewhere, where its name servers point': 'На DNS-серверах, указанных для домена',
    'None on record': 'Не указаны',
    'Turn autorenew off': 'Выключить автопродление',
    'Turn autorenew on': 'Включить автопродление',
    'Lock the domain': 'Включить блокировку',
    'Unlock the domain': 'Снять блокировку',
    'a change is on its way': 'изменение выполняется',
    Changes: 'Изменения',
    'You have not changed this domain’s settings here yet.': 'Вы ещё не меняли здесь настройки этого домена.',
    'Our staff carry out changes to this domain by hand, so they can take a little while.': 'Изменения этого домена наши сотрудники вносят вручную, поэтому на это может уйти некоторое время.',
    'Manage this domain': 'Управление доменом',
    'Registrant, Administrative, Technical and Auxiliary Billing contact information you give here will show in the WHOIS output for this name.':
      'Данные администратора, административного, технического и финансового контактов, указанные здесь, будут видны в WHOIS для этого домена.',
    'Change the name servers of the domain and, if we host its DNS, its records.': 'Смена DNS-серверов домена и, если DNS обслуживаем мы, его DNS-записей.',
    'Change Registrar Lock Setting': 'Изменить блокировку у регистратора',
    'Lock your domain with a special status code to prevent unauthorised, unwanted or accidental changes to the domain name.':
      'Специальный статус у регистратора защищает домен от несанкционированных, нежелательных и случайных изменений.',
    'Change Autorenew Setting': 'Изменить автопродление',
    'Choose whether and when the domain is renewed automatically.': 'Продлевать ли домен автоматически и когда.',
    'Change Domain Password': 'Сменить пароль домена',
    'The domain password stops random transfers of domain names and allows only the holder of the password to transfer it.':
      'Пароль домена защищает от случайного переноса: перенести домен может только тот, кто знает пароль.',

    Queued: 'В очереди',
    'In progress': 'Выполняется',
    'Waiting for staff': 'Ждёт сотрудника',
    Done: 'Выполнено',
    'It will be sent to the registrar in a moment.': 'Через несколько секунд оно будет отправлено регистратору.',
    'The registrar did not answer; it will be tried again automatically.': 'Регистратор не ответил; попытка будет повторена автоматически.',
    'It is being sent to the registrar now.': 'Изменение отправляется регистратору.',
    'Our staff will carry this change out by hand; this page shows when they have.': 'Это изменение наши сотрудники внесут вручную; когда они закончат, это будет видно на этой странице.',
    'Changed on {date}.': 'Изменено {date}.',
    'The change could not be made. Check the values and try again, or contact support.': 'Изменение внести не удалось. Проверьте значения и попробуйте ещё раз или обратитесь в поддержку.',
    'Contact info': 'Контактные данные',
    'DNS records': 'DNS-записи',
    'Domain password': 'Пароль домена',
    '{what}: your change has been requested. Its progress is shown on this page.': '{what}: изменение отправлено. Ход его выполнения виден на этой странице.',
    '{what}: an earlier change is still on its way. You can change this again once it is done.': '{what}: предыдущее изменение ещё не выполнено. Изменить снова можно будет, когда оно завершится.',
    'Another change to this domain is being sent to the registrar right now. Try again in a few seconds.': 'Сейчас регистратору отправляется другое изменение этого домена. Попробуйте ещё раз через несколько секунд.',
    'Nothing changed: these are the settings on record.': 'Ничего не изменилось: эти настройки уже действуют.',

    'Registrant, Administrative, Technical and Auxiliary Billing contact information you give on this page will show in the WHOIS output for this name. Make sure to provide complete and accurate information.':
      'Данные администратора, административного, технического и финансового контактов, указанные на этой странице, будут видны в WHOIS для этого домена. Укажите полные и точные сведения.',
    'For each contact, use one of your contacts as it is on record, the Registrant again, or the fields. “Copy into the fields” copies the chosen details so you can change them before saving.':
      'Для каждого контакта выберите один из ваших контактов (его данные будут взяты как есть), данные администратора домена или заполните поля. Кнопка «Скопировать в поля» переносит выбранные данные в поля, чтобы их можно было изменить перед сохранением.',
    Registrant: 'Администратор домена',
    'Administrative contact': 'Административный контакт',
    'Technical contact': 'Технический контакт',
    'Auxiliary Billing contact': 'Финансовый контакт',
    'Details from': 'Источник данных',
    'The fields below': 'Поля ниже',
    'Same as the Registrant': 'Как у администратора домена',
    'My contact {name}': 'Мой контакт {name}',
    'Copy into the fields': 'Скопировать в поля',
    'On record: copied from your contact {name}.': 'Сейчас указаны данные, скопированные из вашего контакта {name}.',
    'First Name': 'Имя',
    'Last Name': 'Фамилия',
    Company: 'Компания',
    'E-mail': 'Эл. почта',
    'Address': 'Адрес',
    'Address 2': 'Адрес, строка 2',
    City: 'Город',
    State: 'Регион',
    Zip: 'Индекс',
    Country: 'Страна',
    'Choose a country': 'Выберите страну',
    Phone: 'Телефон',
    Fax: 'Факс',
    'As +CC.NNNN, for example +7.4951234567': 'В виде +КС.НОМЕР, например +7.4951234567',
    'As +CC.NNNN, if you have one': 'В виде +КС.НОМЕР, если есть',
    'Save contact info': 'Сохранить контакты',
    Save: 'Сохранить',
    Cancel: 'Отмена',
    'You can change the contacts again once the change on its way is done.': 'Изменить контакты снова можно будет, когда текущее изменение завершится.',
    'Choose one of your contacts, or enter the details': 'Выберите один из ваших контактов или заполните поля',
    'Choose one of your contacts, or the Registrant, to copy': 'Выберите, чьи данные скопировать: один из ваших контактов или администратора домена',
    'This contact’s details need correcting for the registrar: they are copied below': 'Данные этого контакта нужно поправить для регистратора: они скопированы в поля ниже',

    'The servers that answer for your domain on the Internet: at least two, at most thirteen. A change can take up to 48 hours to reach every network.':
      'Серверы, которые отвечают за ваш домен в интернете: не меньше двух и не больше тринадцати. Изменение может распространяться по сети до 48 часов.',
    'Name server {n}': 'DNS-сервер {n}',
    'Remove name server {n}': 'Удалить DNS-сервер {n}',
    Remove: 'Удалить',
    'Add a name server': 'Добавить DNS-сервер',
    'Save name servers': 'Сохранить DNS-серверы',
    'You can change the name servers again once the change on its way is done.': 'Изменить DNS-серверы снова можно будет, когда текущее изменение завершится.',
    'We do not host the DNS of this domain: its records are kept wherever its name servers point.': 'DNS этого домена обслуживаем не мы: его записи хранятся на указанных для него DNS-серверах.',
    'The records cannot be changed while the domain is in this status.': 'Пока у домена такой статус, записи изменить нельзя.',
    'Our DNS servers serve this domain. Use @ for the domain itself; MX records need a priority (lower is tried first).':
      'Домен обслуживают наши DNS-серверы. Для самого домена укажите @; у MX-записей должен быть приоритет (чем меньше число, тем раньше используется сервер).',
    Type: 'Тип',
    Name: 'Имя',
    Value: 'Значение',
    'Priority (MX)': 'Приоритет (MX)',
    'No records yet. Add one below.': 'Записей пока нет. Добавьте первую ниже.',
    'Type of record {n}': 'Тип записи {n}',
    'Name of record {n}': 'Имя записи {n}',
    'Value of record {n}': 'Значение записи {n}',
    'Priority of record {n}': 'Приоритет записи {n}',
    'Remove record {n}': 'Удалить запись {n}',
    'Add a record': 'Добавить запись',
    'Save DNS records': 'Сохранить DNS-записи',
    'You can change the records again once the change on its way is done.': 'Изменить записи снова можно будет, когда текущее изменение завершится.',
    'The DNS records of this domain are kept where its name servers point, not here.': 'DNS-записи этого домена хранятся на его DNS-серверах, а не у нас.',

    'Lock your domain with a special status code to prevent unauthorised, unwanted or accidental changes to the domain name. While it is locked, the domain cannot be transferred to another registrar.':
      'Специальный статус у регистратора защищает домен от несанкционированных, нежелательных и случайных изменений. Пока блокировка включена, домен нельзя перенести к другому регистратору.',
    'We do not know yet whether the domain is locked.': 'Пока неизвестно, включена ли блокировка.',
    'The domain is locked at the registrar.': 'Домен заблокирован у регистратора.',
    'The domain is not locked: it can be transferred away with its domain password.': 'Блокировка снята: домен можно перенести к другому регистратору, зная его пароль.',
    'You can change the lock again once the change on its way is done.': 'Изменить блокировку снова можно будет, когда текущее изменение завершится.',
    'Choose whether the domain is locked.': 'Укажите, включить ли блокировку.',

    'With autorenew on, you receive a renewal invoice in good time and the domain is renewed once it is paid. With it off, the domain expires unless you renew it yourself.':
      'Когда автопродление включено, счёт на продление приходит заранее, и домен продлевается после оплаты. Когда выключено, домен истечёт, если вы не продлите его сами.',
    'The domain will be renewed before {date}.': 'Домен будет продлён до {date}.',
    'The domain expires on {date}.': 'Срок регистрации домена истекает {date}.',
    'Renew automatically': 'Продлевать автоматически',
    'On: renew the domain before it expires': 'Да: продлевать домен до окончания срока',
    'Off: let it expire unless I renew it': 'Нет: продлевать только вручную',
    'Renew this many days before the expiry date': 'За сколько дней до окончания срока продлевать',
    'When the registrar should renew it: from 1 to {max} days before it expires.': 'Когда регистратору продлевать домен: от 1 до {max} дней до окончания срока.',
    'Save autorenew setting': 'Сохранить',
    'You can change autorenew again once the change on its way is done.': 'Изменить автопродление снова можно будет, когда текущее изменение завершится.',

    'The domain password stops random transfers of domain names and allows only the holder of the password to transfer it. The new registrar asks for it when the domain is transferred.':
      'Пароль домена защищает от случайного переноса: перенести домен может только тот, кто знает пароль. Его запрашивает новый регистратор при переносе.',
    'Keep it secret: whoever has it can transfer the domain away.': 'Никому его не сообщайте: зная пароль, домен можно перенести.',
    'No domain password is on record for this domain. You can set one below.': 'Пароль для этого домена не задан. Задать его можно ниже.',
    'Show the domain password': 'Показать пароль домена',
    'For your security it is shown only when you ask.': 'В целях безопасности пароль показывается только по запросу.',
    'Change the domain password': 'Сменить пароль домена',
    'New domain password': 'Новый пароль домена',
    '8 to 32 characters: Latin letters, digits and these symbols: {symbols}. Include at least one letter, one digit and one symbol.':
      'От 8 до 32 символов: латинские буквы, цифры и символы {symbols}. Нужны хотя бы одна буква, одна цифра и один символ.',
    'Suggest a strong password': 'Предложить надёжный пароль',
    'You can change the password again once the change on its way is done.': 'Сменить пароль снова можно будет, когда текущее изменение завершится.',

    'Enter a host name, like ns1.example.com': 'Введите имя хоста, например ns1.example.com',
    'Enter a host name, like mail.example.com': 'Введите имя хоста, например mail.example.com',
    'This name server is listed twice': 'Этот DNS-сервер указан дважды',
    'Enter at least two name servers: registries require two': 'Укажите не меньше двух DNS-серверов: этого требуют регистратуры',
    'Enter at most 13 name servers': 'Укажите не больше 13 DNS-серверов',
    'Choose a record type from the list': 'Выберите тип записи из списка',
    'Use @ for the domain itself, or a name like www or mail': 'Укажите @ для самого домена или имя вроде www или mail',
    'Enter an IPv4 address, like 192.0.2.10': 'Введите IPv4-адрес, например 192.0.2.10',
    'Enter an IPv6 address, like 2001:db8::10': 'Введите IPv6-адрес, например 2001:db8::10',
    'Enter the text': 'Введите текст',
    'Use at most 2048 characters': 'Не больше 2048 символов',
    'Use one line of text without control characters': 'Одна строка текста без управляющих символов',
    'Enter the priority: a whole number from 0 to 65535 (lower is tried first)': 'Укажите приоритет: целое число от 0 до 65535 (чем меньше, тем раньше используется)',
    'The domain itself cannot have a CNAME record: use an A or AAAA record': 'У самого домена не может быть CNAME-записи: используйте запись A или AAAA',
    'This record is listed twice': 'Эта запись указана дважды',
    'A CNAME record cannot share its name with other records': 'У CNAME-записи не может быть общего имени с другими записями',
    'Enter at most 100 records': 'Не больше 100 записей',
    'This is too long': 'Слишком длинное значение',
    'Enter the first name': 'Введите имя',
    'Enter the last name': 'Введите фамилию',
    'Enter an e-mail address': 'Введите адрес эл. почты',
    'Enter a valid e-mail address, like name@example.com': 'Введите правильный адрес эл. почты, например name@example.com',
    'Enter the street address': 'Введите адрес',
    'Enter the city': 'Введите город',
    'Use only letters, digits, spaces and hyphens in a postal code': 'В индексе допустимы только буквы, цифры, пробелы и дефисы',
    'Choose a country from the list': 'Выберите страну из списка',
    'Enter a phone number': 'Введите номер телефона',
    'Enter the number as +CC.NNNN: a plus, the country code, a dot and the number, e.g. +7.4951234567':
      'Введите номер в виде +КС.НОМЕР: плюс, код страны, точка и номер, например +7.4951234567',
    'Enter the new domain password': 'Введите новый пароль домена',
    'Use 8 to 32 characters': 'От 8 до 32 символов',
    'Use Latin letters, digits and the symbols shown below only': 'Только латинские буквы, цифры и символы, перечисленные ниже',
    'Include at least one letter, one digit and one symbol': 'Нужны хотя бы одна буква, одна цифра и один символ',
    'Choose on or off': 'Выберите «да» или «нет»',
    'Enter a number of days from 1 to 90': 'Укажите число дней от 1 до 90',
  },
};

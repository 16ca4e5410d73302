// Client admin pages (clients, contacts, login users): list and search, new client, the client page, status changes.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { MenuRegistry } from '../../menu/menu.ts';
import { renderView, type RenderOptions } from '../../http/render.ts';
import { validateForm, type FormValues } from '../../http/forms.ts';
import { flash } from '../../http/flash.ts';
import { buildTable } from '../../http/table.ts';
import { requireRole } from '../../http/guards.ts';
import { clientIp } from '../../http/session.ts';
import { formatMoney } from '../../money/money.ts';
import { countryName } from '../../i18n/countries.ts';
import { clientDisplayName, createClient, setClientStatus, updateClientDetails } from './clients.ts';
import { addContact, contactName, makePrimaryContact, removeContact, removeContactLogin, updateContactDetails } from './contacts.ts';
import { resetClientUserPassword, setClientUserStatus } from './logins.ts';
import { usersWithTwoFactor } from '../../auth/two-factor.ts';
import { resetTwoFactorByStaff } from '../../auth/account-security.ts';
import { clientEditSchema, contactFormSchema, newClientFormSchema, passwordResetSchema } from './schemas.ts';
import { DEFAULT_EMAIL_ACTIONS, EMAIL_ACTION_LABELS, KIND_LABELS, LANGUAGE_LABELS, LOGIN_ROLE_LABELS, OPTIONS, STATUS_LABELS } from './labels.ts';
import type { ClientDeps, FieldErrors } from './outcome.ts';
import { contactValues, countyVisible, toggledActions } from './contact-form.ts';
import {
  CLIENT_STATUSES,
  activeCurrencies,
  clientListQuery,
  countLedger,
  findClient,
  findClientUser,
  findContact,
  hasInvoicesOrServices,
  ledgerQuery,
  listClientUsers,
  listContacts,
  minorUnitsByCurrency,
  recentLedger,
  type ClientRow,
  type ClientStatus,
  type ContactRow,
  type LedgerRow,
} from './store.ts';

declare module '../../events/bus.ts' {
  interface TrellisEvents {
    'client.created': { clientId: number };
    'client.status_changed': { clientId: number; from: ClientStatus; to: ClientStatus };
  }
}

/** Every staff role may look; admin and billing change clients; support may also change contacts and logins. */
export const CLIENT_VIEW_ROLES = ['admin', 'billing', 'support'];
export const CLIENT_EDIT_ROLES = ['admin', 'billing'];
export const CONTACT_EDIT_ROLES = ['admin', 'billing', 'support'];

const BASE = '/admin/clients';
const RECENT_LEDGER = 10;

type ClientListRow = Pick<ClientRow, 'id' | 'kind' | 'name' | 'company' | 'email' | 'country' | 'currency' | 'status' | 'balance' | 'created_at'>;

const statusBadge = (s: string) => (s === 'active' ? 'ok' : s === 'suspended' ? 'warning' : 'failed');

function deps(c: Context<AppEnv>): ClientDeps {
  const me = c.var.user!;
  return { clock: c.var.app.clock, actor: { type: 'staff', id: me.id, label: me.email, ip: clientIp(c) } };
}

function can(c: Context<AppEnv>) {
  const role = c.var.user?.role ?? '';
  return { edit: CLIENT_EDIT_ROLES.includes(role), contacts: CONTACT_EDIT_ROLES.includes(role) };
}

async function moneyFormatter(c: Context<AppEnv>) {
  const minor = await minorUnitsByCurrency(c.var.app.db);
  return (amount: number, currency: string) => formatMoney({ amount: Number(amount), currency }, minor[currency] ?? 2);
}

function view(c: Context<AppEnv>, name: string, data: Record<string, unknown>, opts: RenderOptions): Response {
  return renderView(c, `pages/admin/clients/${name}`, { options: OPTIONS, can: can(c), base: BASE, ...data }, opts);
}

async function currencyOptions(c: Context<AppEnv>, keep?: string) {
  const rows = await activeCurrencies(c.var.app.db);
  const opts = rows.map((r) => ({ value: r.code, label: `${r.code} — ${r.name}` }));
  if (keep && !opts.some((o) => o.value === keep)) opts.unshift({ value: keep, label: `${keep} (no longer active)` });
  return opts;
}

function clientValues(client: ClientRow): FormValues {
  return {
    kind: client.kind, name: client.name, company: client.company, country: client.country, currency: client.currency,
    language: client.language, taxExempt: client.tax_exempt ? '1' : '', vatNumber: client.vat_number, notes: client.notes ?? '',
  };
}

export function clientAdminRoutes(menu: MenuRegistry): Hono<AppEnv> {
  menu.add({ area: 'admin', section: 'clients', id: 'clients', label: 'Clients', href: BASE, order: 10, roles: CLIENT_VIEW_ROLES });

  const r = new Hono<AppEnv>();
  r.use('*', requireRole(...CLIENT_VIEW_ROLES));
  const editors = requireRole(...CLIENT_EDIT_ROLES);
  const contactEditors = requireRole(...CONTACT_EDIT_ROLES);

  /* ---------- list ---------- */

  r.get('/', async (c) => {
    const q = c.req.query();
    const status = (CLIENT_STATUSES as readonly string[]).includes(q.status ?? '') ? (q.status as ClientStatus) : undefined;
    const search = (q.q ?? '').trim().slice(0, 200);
    const money = await moneyFormatter(c);
    const href = (row: ClientListRow) => `${BASE}/${row.id}`;
    const table = await buildTable<ClientListRow>(
      c,
      {
        id: 'clients-table',
        caption: search || status ? `Clients${search ? ` matching “${search}”` : ''}${status ? ` · ${STATUS_LABELS[status].toLowerCase()}` : ''}` : undefined,
        empty: search || status ? 'No clients match. Search looks at the start of words in names, companies and e-mail addresses.' : 'No clients yet.',
        // Newest first. Not by id: on SQLite that plan reads the table itself, which the plan checks cannot tell from a full scan.
        defaultSort: 'created_at',
        defaultDir: 'desc',
        columns: [
          { key: 'id', label: '#', href, align: 'right' },
          { key: 'name', label: 'Name', sortBy: 'name', href, value: (row) => clientDisplayName(row) },
          { key: 'company', label: 'Company', sortBy: 'company' },
          { key: 'email', label: 'E-mail', sortBy: 'email' },
          { key: 'country', label: 'Country', value: (row) => countryName(row.country) },
          { key: 'status', label: 'Status', sortBy: 'status', value: (row) => STATUS_LABELS[row.status] ?? row.status, badge: (row) => statusBadge(row.status) },
          { key: 'balance', label: 'Credit', sortBy: 'balance', align: 'right', value: (row) => money(row.balance, row.currency) },
          { key: 'created_at', label: 'Created', sortBy: 'created_at', value: (row) => row.created_at.slice(0, 10) },
        ],
      },
      clientListQuery(c.var.app.db, { search, status }),
    );
    return view(c, 'list', { table, search, status: status ?? '', sort: q.sort ?? '', dir: q.dir ?? '' }, { title: 'Clients' });
  });

  /** The county field alone, for htmx when State or Country changes. */
  r.get('/county-field', (c) => {
    const values: FormValues = { state: c.req.query('state') ?? '', country: c.req.query('country') ?? '', county: c.req.query('county') ?? '' };
    return view(c, 'county-field', { values, errors: {}, countyVisible: countyVisible(values, {}), fragment: true }, { layout: false });
  });

  /* ---------- new client ---------- */

  const newPage = async (c: Context<AppEnv>, values: FormValues, errors: FieldErrors, status: 200 | 400 = 200) =>
    view(c, 'new', { values, errors, currencies: await currencyOptions(c), countyVisible: countyVisible(values, errors), action: `${BASE}/new` }, { title: 'New client', status });

  r.get('/new', editors, async (c) => {
    const currencies = await activeCurrencies(c.var.app.db);
    return newPage(c, { kind: 'person', currency: currencies[0]?.code ?? '', language: 'en', emailFormat: 'html', emailActions: DEFAULT_EMAIL_ACTIONS, permissions: 'all' }, {});
  });

  r.post('/new', editors, async (c) => {
    const form = await validateForm(c, newClientFormSchema);
    if (form.values.toggleAll !== undefined) return newPage(c, toggledActions(form.values), {});
    if (!form.ok) return newPage(c, form.values, form.errors, 400);
    const d = form.data;
    const result = await createClient(
      c.var.app.db,
      {
        client: { kind: d.kind, company: d.company, country: d.country, currency: d.currency, language: d.language, taxExempt: d.taxExempt, vatNumber: d.vatNumber, notes: d.notes },
        contact: d,
        login: d.loginEmail || d.password ? { loginEmail: d.loginEmail, password: d.password, confirm: d.confirm } : null,
      },
      deps(c),
    );
    if (!result.ok) return newPage(c, form.values, result.errors, 400);
    await c.var.app.events.emit('client.created', { clientId: result.value.clientId });
    flash(c, 'success', `Client #${result.value.clientId} was created${result.value.userId ? ' with a login for its primary contact' : ''}.`);
    return c.redirect(`${BASE}/${result.value.clientId}`, 303);
  });

  /* ---------- the client page ---------- */

  const loadClient = async (c: Context<AppEnv>) => findClient(c.var.app.db, Number(c.req.param('id')));

  r.get('/:id{[0-9]+}', async (c) => {
    const app = c.var.app;
    const client = await loadClient(c);
    if (!client) return app.pages.error(c, 404, 'There is no client with this number.');
    const [contacts, users, ledger, ledgerCount, money] = await Promise.all([
      listContacts(app.db, client.id),
      listClientUsers(app.db, client.id),
      recentLedger(app.db, client.id, RECENT_LEDGER),
      countLedger(app.db, client.id),
      moneyFormatter(c),
    ]);
    const loginOf = new Map(users.map((u) => [u.id, u]));
    const withTwoFactor = await usersWithTwoFactor(app.db, users.map((u) => u.id));
    const extra = await app.slots.render('admin.client.detail', { clientId: client.id });
    return view(
      c,
      'detail',
      {
        client, displayName: clientDisplayName(client), contacts, users, ledger, ledgerCount, extra,
        loginOf: (id: number | null) => (id === null ? undefined : loginOf.get(id)),
        hasTwoFactor: (id: number) => withTwoFactor.has(id),
        money, countryName, contactName,
        labels: { kind: KIND_LABELS, status: STATUS_LABELS, language: LANGUAGE_LABELS, permissions: LOGIN_ROLE_LABELS, emailActions: EMAIL_ACTION_LABELS },
        statusBadge,
      },
      { title: clientDisplayName(client) },
    );
  });

  r.get('/:id{[0-9]+}/ledger', async (c) => {
    const app = c.var.app;
    const client = await loadClient(c);
    if (!client) return app.pages.error(c, 404, 'There is no client with this number.');
    const money = await moneyFormatter(c);
    const table = await buildTable<LedgerRow>(
      c,
      {
        id: 'ledger-table',
        empty: 'No credit movements yet.',
        defaultSort: 'at',
        defaultDir: 'desc',
        columns: [
          { key: 'at', label: 'Date', sortBy: 'id', value: (row) => row.at.replace('T', ' ').slice(0, 16) },
          { key: 'kind', label: 'Kind', value: (row) => row.kind.replace(/_/g, ' ') },
          { key: 'amount', label: 'Amount', align: 'right', value: (row) => money(row.amount, row.currency) },
          { key: 'balance_after', label: 'Balance after', align: 'right', value: (row) => money(row.balance_after, row.currency) },
          { key: 'invoice_id', label: 'Invoice', value: (row) => (row.invoice_id ? `#${row.invoice_id}` : '') },
          { key: 'note', label: 'Note' },
          { key: 'actor', label: 'By' },
        ],
      },
      ledgerQuery(app.db, client.id),
    );
    return view(c, 'ledger', { client, displayName: clientDisplayName(client), table, balance: money(client.balance, client.currency) }, { title: `Credit · ${clientDisplayName(client)}` });
  });

  /* ---------- edit and status ---------- */

  const editPage = async (c: Context<AppEnv>, client: ClientRow, values: FormValues, errors: FieldErrors, status: 200 | 400 = 200) => {
    const used = await hasInvoicesOrServices(c.var.app.db, client.id);
    const currencyLocked = used.invoices ? 'it has invoices' : used.services ? 'it has services' : client.balance !== 0 ? 'its credit balance is not zero' : '';
    return view(c, 'edit', { client, displayName: clientDisplayName(client), values, errors, currencies: await currencyOptions(c, client.currency), currencyLocked }, { title: `Edit ${clientDisplayName(client)}`, status });
  };

  r.get('/:id{[0-9]+}/edit', editors, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.var.app.pages.error(c, 404, 'There is no client with this number.');
    return editPage(c, client, clientValues(client), {});
  });

  r.post('/:id{[0-9]+}/edit', editors, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.var.app.pages.error(c, 404, 'There is no client with this number.');
    const form = await validateForm(c, clientEditSchema);
    if (!form.ok) return editPage(c, client, form.values, form.errors, 400);
    const result = await updateClientDetails(c.var.app.db, client.id, form.data, deps(c));
    if (!result.ok) return editPage(c, client, form.values, result.errors, 400);
    flash(c, 'success', result.value.changed.length ? 'The client was saved.' : 'Nothing changed.');
    return c.redirect(`${BASE}/${client.id}`, 303);
  });

  const statusRoute = (path: string, to: ClientStatus, done: string) =>
    r.post(`/:id{[0-9]+}/${path}`, editors, async (c) => {
      const client = await loadClient(c);
      if (!client) return c.var.app.pages.error(c, 404, 'There is no client with this number.');
      const result = await setClientStatus(c.var.app.db, client.id, to, deps(c));
      if (!result.ok) flash(c, 'error', result.errors._form ?? 'The status could not change.');
      else {
        await c.var.app.events.emit('client.status_changed', { clientId: client.id, from: result.value.from, to });
        flash(c, 'success', `${clientDisplayName(client)} ${done}.`);
      }
      return c.redirect(`${BASE}/${client.id}`, 303);
    });
  statusRoute('suspend', 'suspended', 'is suspended');
  statusRoute('close', 'closed', 'is closed');
  statusRoute('reactivate', 'active', 'is active again');

  /* ---------- contacts ---------- */

  const contactPage = async (c: Context<AppEnv>, client: ClientRow, contact: ContactRow | null, values: FormValues, errors: FieldErrors, status: 200 | 400 = 200) => {
    const login = contact?.user_id ? await findClientUser(c.var.app.db, client.id, contact.user_id) : undefined;
    const action = contact ? `${BASE}/${client.id}/contacts/${contact.id}` : `${BASE}/${client.id}/contacts/new`;
    const title = contact ? `Contact ${contactName(contact)}` : 'New contact';
    return view(c, 'contact', { client, displayName: clientDisplayName(client), contact, login, values, errors, action, countyVisible: countyVisible(values, errors) }, { title, status });
  };

  const loadContact = async (c: Context<AppEnv>, client: ClientRow) => findContact(c.var.app.db, client.id, Number(c.req.param('contactId')));

  r.get('/:id{[0-9]+}/contacts/new', contactEditors, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.var.app.pages.error(c, 404, 'There is no client with this number.');
    return contactPage(c, client, null, { company: client.company, country: client.country, language: client.language, emailFormat: 'html', emailActions: DEFAULT_EMAIL_ACTIONS, permissions: 'all' }, {});
  });

  r.post('/:id{[0-9]+}/contacts/new', contactEditors, async (c) => {
    const client = await loadClient(c);
    if (!client) return c.var.app.pages.error(c, 404, 'There is no client with this number.');
    const form = await validateForm(c, contactFormSchema);
    if (form.values.toggleAll !== undefined) return contactPage(c, client, null, toggledActions(form.values), {});
    if (!form.ok) return contactPage(c, client, null, form.values, form.errors, 400);
    const d = form.data;
    const result = await addContact(c.var.app.db, client.id, { contact: d, login: { loginEmail: d.loginEmail, password: d.password, confirm: d.confirm } }, deps(c));
    if (!result.ok) return contactPage(c, client, null, form.values, result.errors, 400);
    flash(c, 'success', `Contact ${d.firstName} ${d.lastName} was added${result.value.userId ? ' with a login' : ''}.`);
    return c.redirect(`${BASE}/${client.id}#contacts`, 303);
  });

  r.get('/:id{[0-9]+}/contacts/:contactId{[0-9]+}', contactEditors, async (c) => {
    const client = await loadClient(c);
    const contact = client && (await loadContact(c, client));
    if (!client || !contact) return c.var.app.pages.error(c, 404, 'There is no such contact.');
    const login = contact.user_id ? await findClientUser(c.var.app.db, client.id, contact.user_id) : undefined;
    return contactPage(c, client, contact, contactValues(contact, login?.email ?? ''), {});
  });

  r.post('/:id{[0-9]+}/contacts/:contactId{[0-9]+}', contactEditors, async (c) => {
    const client = await loadClient(c);
    const contact = client && (await loadContact(c, client));
    if (!client || !contact) return c.var.app.pages.error(c, 404, 'There is no such contact.');
    const form = await validateForm(c, contactFormSchema);
    if (form.values.toggleAll !== undefined) return contactPage(c, client, contact, toggledActions(form.values), {});
    if (!form.ok) return contactPage(c, client, contact, form.values, form.errors, 400);
    const d = form.data;
    const result = await updateContactDetails(c.var.app.db, client.id, contact.id, { contact: d, login: { loginEmail: d.loginEmail, password: d.password, confirm: d.confirm } }, deps(c));
    if (!result.ok) return contactPage(c, client, contact, form.values, result.errors, 400);
    const v = result.value;
    const extra = v.loginCreated ? ' A login was created.' : v.passwordChanged ? ` The login has a new password; ${v.endedSessions} session(s) were signed out.` : '';
    flash(c, 'success', `Contact ${d.firstName} ${d.lastName} was saved.${extra}`);
    return c.redirect(`${BASE}/${client.id}#contacts`, 303);
  });

  const contactAction = (path: string, run: (c: Context<AppEnv>, clientId: number, contactId: number) => Promise<{ ok: boolean; errors?: FieldErrors }>, done: string) =>
    r.post(`/:id{[0-9]+}/contacts/:contactId{[0-9]+}/${path}`, contactEditors, async (c) => {
      const client = await loadClient(c);
      const contact = client && (await loadContact(c, client));
      if (!client || !contact) return c.var.app.pages.error(c, 404, 'There is no such contact.');
      const result = await run(c, client.id, contact.id);
      if (result.ok) flash(c, 'success', `${contactName(contact)}: ${done}.`);
      else flash(c, 'error', result.errors?._form ?? 'That did not work.');
      return c.redirect(`${BASE}/${client.id}#contacts`, 303);
    });
  contactAction('delete', (c, clientId, contactId) => removeContact(c.var.app.db, clientId, contactId, deps(c)), 'the contact was deleted');
  contactAction('primary', (c, clientId, contactId) => makePrimaryContact(c.var.app.db, clientId, contactId, deps(c)), 'now the primary contact');
  contactAction('login/remove', (c, clientId, contactId) => removeContactLogin(c.var.app.db, clientId, contactId, deps(c)), 'the login was removed and signed out');

  /* ---------- login users ---------- */

  const loadUser = async (c: Context<AppEnv>, client: ClientRow) => findClientUser(c.var.app.db, client.id, Number(c.req.param('userId')));

  const passwordPage = (c: Context<AppEnv>, client: ClientRow, login: NonNullable<Awaited<ReturnType<typeof loadUser>>>, errors: FieldErrors, status: 200 | 400 = 200) =>
    view(c, 'user-password', { client, displayName: clientDisplayName(client), login, values: {}, errors, action: `${BASE}/${client.id}/users/${login.id}/password` }, { title: `New password for ${login.email}`, status });

  r.get('/:id{[0-9]+}/users/:userId{[0-9]+}/password', contactEditors, async (c) => {
    const client = await loadClient(c);
    const login = client && (await loadUser(c, client));
    if (!client || !login) return c.var.app.pages.error(c, 404, 'There is no such login.');
    return passwordPage(c, client, login, {});
  });

  r.post('/:id{[0-9]+}/users/:userId{[0-9]+}/password', contactEditors, async (c) => {
    const client = await loadClient(c);
    const login = client && (await loadUser(c, client));
    if (!client || !login) return c.var.app.pages.error(c, 404, 'There is no such login.');
    const form = await validateForm(c, passwordResetSchema);
    if (!form.ok) return passwordPage(c, client, login, form.errors, 400);
    const result = await resetClientUserPassword(c.var.app.db, client.id, login.id, form.data, deps(c));
    if (!result.ok) return passwordPage(c, client, login, result.errors, 400);
    flash(c, 'success', `${login.email} has a new password; ${result.value.endedSessions} session(s) were signed out.`);
    return c.redirect(`${BASE}/${client.id}#logins`, 303);
  });

  const userStatusRoute = (path: string, to: 'active' | 'suspended', done: string) =>
    r.post(`/:id{[0-9]+}/users/:userId{[0-9]+}/${path}`, contactEditors, async (c) => {
      const client = await loadClient(c);
      const login = client && (await loadUser(c, client));
      if (!client || !login) return c.var.app.pages.error(c, 404, 'There is no such login.');
      const result = await setClientUserStatus(c.var.app.db, client.id, login.id, to, deps(c));
      if (result.ok) flash(c, 'success', `${login.email} ${done}.`);
      else flash(c, 'error', result.errors._form ?? 'That did not work.');
      return c.redirect(`${BASE}/${client.id}#logins`, 303);
    });
  // The client lost the phone and the recovery codes: staff turn two-step sign-in off (audited).
  r.post('/:id{[0-9]+}/users/:userId{[0-9]+}/two-factor/reset', contactEditors, async (c) => {
    const client = await loadClient(c);
    const login = client && (await loadUser(c, client));
    if (!client || !login) return c.var.app.pages.error(c, 404, 'There is no such login.');
    const me = c.var.user!;
    const removed = await resetTwoFactorByStaff(c.var.app, { id: me.id, email: me.email, ip: clientIp(c) }, { userId: login.id, email: login.email, clientId: client.id });
    flash(c, removed ? 'success' : 'info', removed ? `Two-step sign-in is off for ${login.email}; they sign in with the password alone and can set it up again.` : `${login.email} does not use two-step sign-in.`);
    return c.redirect(`${BASE}/${client.id}#logins`, 303);
  });

  userStatusRoute('suspend', 'suspended', 'is suspended and was signed out everywhere');
  userStatusRoute('activate', 'active', 'can sign in again');

  return r;
}

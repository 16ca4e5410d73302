// Staff pages for billing accounts (mounted at /admin/billing-accounts) and the section on the client page.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { AppServices } from '../../services.ts';
import { renderView } from '../../http/render.ts';
import { readFormValues, type FormValues } from '../../http/forms.ts';
import { flash } from '../../http/flash.ts';
import { requireRole } from '../../http/guards.ts';
import { clientIp } from '../../http/session.ts';
import {
  ACCOUNT_TYPES,
  ACCOUNT_TYPE_LABELS,
  BANK_ACCOUNT_KINDS,
  BANK_ACCOUNT_KIND_LABELS,
  CARD_TYPES,
  CARD_TYPE_LABELS,
  isAccountType,
  type AccountType,
} from './schemas.ts';
import {
  createBillingAccount,
  deleteBillingAccount,
  describeAccount,
  editFormValues,
  updateBillingAccount,
  type AccountActor,
  type AccountDeps,
  type FieldErrors,
} from './accounts.ts';
import { accountFormModel, keptValues } from './form.ts';
import { accountSummaries } from './summary.ts';
import { accountServiceIds, clientExists, getAccountById, listAccounts, payableServices, type BillingAccountRow } from './store.ts';

export const ACCOUNTS_BASE = '/admin/billing-accounts';
export const ACCOUNT_EDIT_ROLES = ['admin', 'billing'];

const clientPage = (clientId: number) => `/admin/clients/${clientId}#billing-accounts`;

function deps(app: AppServices): AccountDeps {
  return { db: app.db, clock: app.clock, secrets: app.secrets, settings: app.settings, audit: app.audit };
}

function actorOf(c: Context<AppEnv>): AccountActor {
  const u = c.var.user!;
  return { type: 'staff', id: u.id, label: u.email, ip: clientIp(c) };
}

function clientName(c: { name: string; company: string; kind: string }): string {
  return c.kind === 'company' && c.company ? c.company : c.name || c.company || 'Client';
}

/** How titles and messages name each type: "New eCheck account", "The wire transfer account was added". */
export const ACCOUNT_TYPE_NOUNS: Record<AccountType, string> = { card: 'credit card', echeck: 'eCheck', bank_draft: 'bank draft', wire: 'wire transfer', manual: 'manual payment', third_party: 'third-party gateway' };

/** Data of the client page's "Billing accounts" section (rendered through the admin.client.detail slot). */
export async function accountSectionData(app: AppServices, clientId: number): Promise<Record<string, unknown>> {
  const accounts = await accountSummaries(app, clientId);
  return {
    clientId,
    base: ACCOUNTS_BASE,
    accounts: accounts.map((a) => ({
      id: a.id,
      shownAs: a.shownAs,
      type: ACCOUNT_TYPE_LABELS[a.type],
      label: a.label,
      expiry: a.expiry,
      expired: a.expired,
      isDefault: a.isDefault,
      protected: a.protected,
      paysFor: a.paysFor.map((s) => `#${s.id} ${s.label || s.packageName}`),
    })),
  };
}

export function billingAccountAdminRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole(...ACCOUNT_EDIT_ROLES));

  const formPage = async (
    c: Context<AppEnv>,
    input: { clientId: number; type: AccountType; account?: BillingAccountRow; values: FormValues; errors: FieldErrors; typedLast4?: string | null; status?: 200 | 400 },
  ) => {
    const app = c.var.app;
    const client = (await clientExists(app.db, input.clientId))!;
    const model = await accountFormModel(app, { clientId: input.clientId, type: input.type, account: input.account });
    const account = model.account;
    const title = account ? `Edit ${account.shownAs}` : `New ${ACCOUNT_TYPE_NOUNS[input.type]} account`;
    return renderView(
      c,
      'pages/admin/accounts/form',
      {
        client: { id: input.clientId, name: clientName(client) },
        type: input.type,
        typeLabel: ACCOUNT_TYPE_LABELS[input.type],
        typeNoun: ACCOUNT_TYPE_NOUNS[input.type],
        isCard: model.isCard,
        isBank: model.isBank,
        account,
        keep: model.keep,
        action: account ? `${ACCOUNTS_BASE}/${account.id}/edit` : `${ACCOUNTS_BASE}/client/${input.clientId}/new/${input.type}`,
        values: input.values,
        errors: input.errors,
        typedLast4: input.typedLast4 ?? null,
        passphraseMode: model.passphraseMode,
        cardTypes: [{ value: '', label: 'Choose…' }, ...CARD_TYPES.map((t) => ({ value: t, label: CARD_TYPE_LABELS[t] }))],
        accountKinds: [{ value: '', label: 'Choose…' }, ...BANK_ACCOUNT_KINDS.map((t) => ({ value: t, label: BANK_ACCOUNT_KIND_LABELS[t] }))],
        contacts: [{ value: '', label: '— none —' }, ...model.contacts.map((ct) => ({ value: String(ct.id), label: `${ct.name}${ct.isPrimary ? ' (primary)' : ''} — ${ct.email}` }))],
        services: model.services.map((s) => ({
          id: s.id,
          label: `#${s.id} ${s.label || s.packageName}`,
          status: s.status.replace(/_/g, ' '),
          paidBy: s.paidBy,
        })),
      },
      { title, status: input.status ?? 200 },
    );
  };

  const clientIdOf = (c: Context<AppEnv>) => Number(c.req.param('clientId'));

  r.get('/client/:clientId{[0-9]+}/new', async (c) => {
    const app = c.var.app;
    const client = await clientExists(app.db, clientIdOf(c));
    if (!client) return app.pages.error(c, 404, 'There is no client with this number.');
    return renderView(
      c,
      'pages/admin/accounts/choose-type',
      { client: { id: client.id, name: clientName(client) }, types: ACCOUNT_TYPES.map((t) => ({ value: t, label: ACCOUNT_TYPE_LABELS[t], href: `${ACCOUNTS_BASE}/client/${client.id}/new/${t}` })) },
      { title: 'New billing account' },
    );
  });

  r.get('/client/:clientId{[0-9]+}/new/:type', async (c) => {
    const app = c.var.app;
    const type = c.req.param('type');
    const clientId = clientIdOf(c);
    if (!isAccountType(type) || !(await clientExists(app.db, clientId))) return app.pages.error(c, 404);
    const first = (await listAccounts(app.db, clientId)).length === 0;
    return formPage(c, { clientId, type, values: { isDefault: first ? '1' : '' }, errors: {} });
  });

  r.post('/client/:clientId{[0-9]+}/new/:type', async (c) => {
    const app = c.var.app;
    const type = c.req.param('type');
    const clientId = clientIdOf(c);
    if (!isAccountType(type) || !(await clientExists(app.db, clientId))) return app.pages.error(c, 404);
    const values = await readFormValues(c);
    const result = await createBillingAccount(deps(app), { clientId, type, values, actor: actorOf(c) });
    if (!result.ok) {
      const kept = keptValues(values);
      return formPage(c, { clientId, type, values: kept.values, errors: result.errors, typedLast4: kept.typedLast4, status: 400 });
    }
    flash(c, 'success', `The ${ACCOUNT_TYPE_NOUNS[type]} account was added.`);
    return c.redirect(clientPage(clientId), 303);
  });

  const loadAccount = async (c: Context<AppEnv>) => {
    const id = Number(c.req.param('id'));
    return Number.isSafeInteger(id) ? getAccountById(c.var.app.db, id) : undefined;
  };

  r.get('/:id{[0-9]+}/edit', async (c) => {
    const app = c.var.app;
    const account = await loadAccount(c);
    if (!account) return app.pages.error(c, 404, 'There is no billing account with this number.');
    const values = await editFormValues({ db: app.db, secrets: app.secrets }, account, await accountServiceIds(app.db, account.id));
    return formPage(c, { clientId: account.client_id, type: account.type, account, values, errors: {} });
  });

  r.post('/:id{[0-9]+}/edit', async (c) => {
    const app = c.var.app;
    const account = await loadAccount(c);
    if (!account) return app.pages.error(c, 404, 'There is no billing account with this number.');
    const values = await readFormValues(c);
    const result = await updateBillingAccount(deps(app), { clientId: account.client_id, accountId: account.id, values, actor: actorOf(c) });
    if (!result.ok) {
      const kept = keptValues(values);
      return formPage(c, { clientId: account.client_id, type: account.type, account, values: kept.values, errors: result.errors, typedLast4: kept.typedLast4, status: 400 });
    }
    flash(c, 'success', 'The billing account was saved.');
    return c.redirect(clientPage(account.client_id), 303);
  });

  r.get('/:id{[0-9]+}/delete', async (c) => {
    const app = c.var.app;
    const account = await loadAccount(c);
    if (!account) return app.pages.error(c, 404, 'There is no billing account with this number.');
    const client = (await clientExists(app.db, account.client_id))!;
    const services = (await payableServices(app.db, account.client_id)).filter((s) => s.billing_account_id === account.id);
    return renderView(
      c,
      'pages/admin/accounts/delete',
      { account: { id: account.id, shownAs: describeAccount(account), label: account.label, isDefault: account.is_default }, client: { id: client.id, name: clientName(client) }, services: services.map((s) => `#${s.id} ${s.label || s.package_name}`), back: clientPage(client.id) },
      { title: `Delete ${describeAccount(account)}` },
    );
  });

  r.post('/:id{[0-9]+}/delete', async (c) => {
    const app = c.var.app;
    const account = await loadAccount(c);
    if (!account) return app.pages.error(c, 404, 'There is no billing account with this number.');
    await deleteBillingAccount(deps(app), { clientId: account.client_id, accountId: account.id, actor: actorOf(c) });
    flash(c, 'success', `${describeAccount(account)} was deleted.`);
    return c.redirect(clientPage(account.client_id), 303);
  });

  return r;
}

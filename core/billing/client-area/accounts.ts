// The client's billing accounts (seed 003 "Adding Billing Accounts"): list, add, edit, remove, make
// default. Every lookup is scoped by the client id, and the packages an account may pay for are the
// client's own; the domain rules (validation, sealing, pass-phrase, audit) are core/billing/accounts'.
import type { Context } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import type { FormValues } from '../../http/forms.ts';
import type { Translate } from '../../i18n/i18n.ts';
import type { AppServices } from '../../services.ts';
import { clientIp } from '../../http/session.ts';
import {
  ACCOUNT_TYPE_LABELS,
  CARD_TYPE_LABELS,
  accountFormModel,
  accountServiceIds,
  accountSummaries,
  createBillingAccount,
  deleteBillingAccount,
  editFormValues,
  getAccount,
  isBankType,
  makeDefaultAccount,
  updateBillingAccount,
  type AccountActor,
  type AccountFormModel,
  type AccountSummary,
  type AccountType,
  type BillingAccountRow,
  type CardType,
  type Outcome,
} from '../accounts/index.ts';

export {
  ACCOUNT_MESSAGES,
  ACCOUNT_TYPES,
  ACCOUNT_TYPE_LABELS,
  ADD_FIELD,
  BANK_ACCOUNT_KINDS,
  BANK_ACCOUNT_KIND_LABELS,
  CARD_TYPES,
  CARD_TYPE_LABELS,
  MOVE_FIELD,
  REMOVE_FIELD,
  billableLists,
  isAccountType,
  keptValues,
  movedServices,
  type AccountFormModel,
  type AccountFormService,
  type AccountSummary,
  type AccountType,
  type BillingAccountRow,
} from '../accounts/index.ts';

type AccountApp = Pick<AppServices, 'db' | 'clock' | 'secrets' | 'settings' | 'audit'>;

/** Who acts in the portal, for the audit log: the signed-in client user and the request's address. */
export function portalActor(c: Context<AppEnv>): AccountActor {
  const user = c.get('user');
  return { type: 'client', id: user?.id ?? null, label: user?.email ?? '', ip: clientIp(c) };
}

/**
 * How the portal names an account, in the reader's language: "Visa •••• 4242", "eCheck · First Bank •••• 6789",
 * "Manual payment". Never more than the last four digits.
 */
export function billingAccountTitle(a: { type: AccountType; cardType: string | null; last4: string | null; bankName: string | null }, t: Translate): string {
  if (a.type === 'card') return `${CARD_TYPE_LABELS[a.cardType as CardType] ?? t('Card')} •••• ${a.last4 ?? '????'}`;
  if (isBankType(a.type)) return `${t(ACCOUNT_TYPE_LABELS[a.type])} · ${a.bankName || t('bank')} •••• ${a.last4 ?? '????'}`;
  return t(ACCOUNT_TYPE_LABELS[a.type] ?? a.type);
}

/** The same for a stored row. */
export function billingAccountRowTitle(row: BillingAccountRow, t: Translate): string {
  return billingAccountTitle({ type: row.type, cardType: row.card_type, last4: row.last4, bankName: row.bank_name }, t);
}

/** The client's accounts, default first; with `contactId`, only that contact's. */
export async function clientBillingAccounts(app: AccountApp, clientId: number, opts: { contactId?: number } = {}): Promise<AccountSummary[]> {
  const all = await accountSummaries(app, clientId);
  return opts.contactId === undefined ? all : all.filter((a) => a.contactId === opts.contactId);
}

/** One account of the client, or undefined (another client's id is never found). */
export async function clientBillingAccount(app: Pick<AppServices, 'db'>, clientId: number, accountId: number): Promise<BillingAccountRow | undefined> {
  return Number.isSafeInteger(accountId) ? getAccount(app.db, clientId, accountId) : undefined;
}

/** What the add and edit forms need besides the typed values: the client's packages, contacts, pass-phrase mode. */
export async function billingAccountForm(app: AccountApp, clientId: number, type: AccountType, account?: BillingAccountRow): Promise<AccountFormModel> {
  return accountFormModel(app, { clientId, type, account });
}

/** A new account's form: the first account becomes the default; opened from a contact, it is that contact's. */
export async function newBillingAccountValues(app: AccountApp, clientId: number, opts: { contactId?: number } = {}): Promise<FormValues> {
  const first = (await accountSummaries(app, clientId)).length === 0;
  return { isDefault: first ? '1' : '', contactId: opts.contactId ? String(opts.contactId) : '' };
}

/** An edit form at first: clear fields and readable sealed ones; numbers and CVV never come back. */
export async function editBillingAccountValues(app: AccountApp, account: BillingAccountRow): Promise<FormValues> {
  return editFormValues(app, account, await accountServiceIds(app.db, account.id));
}

export async function addClientBillingAccount(app: AccountApp, input: { clientId: number; type: AccountType; values: FormValues; actor: AccountActor }): Promise<Outcome<{ accountId: number }>> {
  return createBillingAccount(app, input);
}

export async function saveClientBillingAccount(app: AccountApp, input: { clientId: number; accountId: number; values: FormValues; actor: AccountActor }): Promise<Outcome<{ accountId: number }>> {
  return updateBillingAccount(app, input);
}

/** Removes the client's account; false when it is not the client's. Its packages are left without a payment method. */
export async function removeClientBillingAccount(app: AccountApp, input: { clientId: number; accountId: number; actor: AccountActor }): Promise<boolean> {
  return deleteBillingAccount(app, input);
}

export async function makeClientBillingAccountDefault(app: AccountApp, input: { clientId: number; accountId: number; actor: AccountActor }): Promise<boolean> {
  return makeDefaultAccount(app, input);
}

// Billing accounts (payment methods): create, edit, delete, default per client, which services each pays for,
// card and bank details sealed and shown masked. CVV is never stored; nothing secret reaches the audit log.
import type { Knex } from 'knex';
import type { Clock } from '../../clock.ts';
import type { SecretBox } from '../../secrets/crypto.ts';
import type { SettingsStore } from '../../settings/store.ts';
import type { AuditLog } from '../../audit/audit.ts';
import { iso } from '../../db/time.ts';
import {
  ACCOUNT_MESSAGES,
  ACCOUNT_TYPE_LABELS,
  CARD_TYPE_LABELS,
  SEALED_BANK_FIELDS,
  SEALED_CARD_FIELDS,
  SECRET_FIELDS,
  isBankType,
  parseBillingAccountForm,
  type AccountType,
  type BillingAccountEditInput,
  type CardType,
} from './schemas.ts';
import { needsPassphrase, sealAccountData, SealedDataError, unsealAccountData, type SealedBank, type SealedCard, type SealedData } from './sealing.ts';
import { getAccountSettings } from './settings.ts';
import {
  clientContacts,
  clientExists,
  clientServiceIds,
  countAccounts,
  deleteAccount,
  getAccount,
  insertAccount,
  listAccounts,
  replaceAccountServices,
  setDefaultAccount,
  updateAccount,
  type BillingAccountColumns,
  type BillingAccountRow,
} from './store.ts';

export interface AccountDeps {
  db: Knex;
  clock: Clock;
  secrets: SecretBox;
  settings: SettingsStore;
  audit: AuditLog;
}

export interface AccountActor {
  type: 'staff' | 'client' | 'system';
  id?: number | null;
  /** E-mail of the staff or client user. */
  label?: string;
  ip?: string | null;
}

export type FieldErrors = Record<string, string>;
export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const fail = <T>(errors: FieldErrors): Outcome<T> => ({ ok: false, errors });

/** "Visa •••• 4242", "eCheck · First Bank •••• 6789", "Manual payment": never more than four digits. */
export function describeAccount(row: Pick<BillingAccountRow, 'type' | 'card_type' | 'last4' | 'bank_name' | 'label'>): string {
  if (row.type === 'card') return `${CARD_TYPE_LABELS[row.card_type as CardType] ?? 'Card'} •••• ${row.last4 ?? '????'}`;
  if (isBankType(row.type)) return `${ACCOUNT_TYPE_LABELS[row.type]} · ${row.bank_name ?? 'bank'} •••• ${row.last4 ?? '????'}`;
  return ACCOUNT_TYPE_LABELS[row.type] ?? row.type;
}

/** "12/2027" for a card, null otherwise. */
export function accountExpiry(row: Pick<BillingAccountRow, 'card_exp_month' | 'card_exp_year'>): string | null {
  return row.card_exp_month && row.card_exp_year ? `${row.card_exp_month}/${row.card_exp_year}` : null;
}

/** True when a card's expiry month is over at `now`. */
export function isExpired(row: Pick<BillingAccountRow, 'card_exp_month' | 'card_exp_year'>, now: Date): boolean {
  if (!row.card_exp_month || !row.card_exp_year) return false;
  return Number(row.card_exp_year) * 100 + Number(row.card_exp_month) < now.getUTCFullYear() * 100 + now.getUTCMonth() + 1;
}

function sealedFieldsOf(type: AccountType): readonly string[] {
  return type === 'card' ? SEALED_CARD_FIELDS : isBankType(type) ? SEALED_BANK_FIELDS : [];
}

function hasSealedData(type: AccountType): boolean {
  return sealedFieldsOf(type).length > 0;
}

/** The sealed part of the form's data (after merging with what was stored). */
function sealedFrom(type: AccountType, clientId: number, d: BillingAccountEditInput): SealedData | null {
  if (type === 'card') {
    return { kind: 'card', clientId, nameOnCard: d.nameOnCard ?? '', number: d.cardNumber ?? '', issueNumber: d.issueNumber ?? '', startDate: d.startDate ?? '' } satisfies SealedCard;
  }
  if (isBankType(type)) {
    return {
      kind: 'bank', clientId, bankState: d.bankState ?? '', accountKind: d.accountKind ?? 'checking', routingNumber: d.routingNumber ?? '', accountNumber: d.accountNumber ?? '',
      licenseNumber: d.licenseNumber ?? '', licenseState: d.licenseState ?? '', dateOfBirth: d.dateOfBirth ?? '',
    } satisfies SealedBank;
  }
  return null;
}

/** Form field values of stored sealed data (for merging an edit). */
function formFieldsOf(data: SealedData): Record<string, string> {
  if (data.kind === 'card') return { nameOnCard: data.nameOnCard, cardNumber: data.number, issueNumber: data.issueNumber, startDate: data.startDate };
  return {
    bankState: data.bankState, accountKind: data.accountKind, routingNumber: data.routingNumber, accountNumber: data.accountNumber,
    licenseNumber: data.licenseNumber, licenseState: data.licenseState, dateOfBirth: data.dateOfBirth,
  };
}

function clearColumns(type: AccountType, d: BillingAccountEditInput): Pick<BillingAccountColumns, 'card_type' | 'last4' | 'card_exp_month' | 'card_exp_year' | 'bank_name'> {
  if (type === 'card') return { card_type: d.cardType ?? null, last4: d.cardNumber ? d.cardNumber.slice(-4) : null, card_exp_month: d.expMonth ?? null, card_exp_year: d.expYear ?? null, bank_name: null };
  if (isBankType(type)) return { card_type: null, last4: d.accountNumber ? d.accountNumber.slice(-4) : null, card_exp_month: null, card_exp_year: null, bank_name: d.bankName ?? null };
  return { card_type: null, last4: null, card_exp_month: null, card_exp_year: null, bank_name: null };
}

async function checkOwnership(db: Knex | Knex.Transaction, clientId: number, d: BillingAccountEditInput): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const owned = await clientServiceIds(db, clientId, d.serviceIds);
  const foreign = d.serviceIds.filter((id) => !owned.has(id));
  if (foreign.length) errors.serviceIds = `Service #${foreign[0]} does not belong to this client`;
  if (d.contactId !== null && !(await clientContacts(db, clientId)).some((c) => c.id === d.contactId)) errors.contactId = 'Choose one of this client’s contacts';
  return errors;
}

async function auditAccount(deps: AccountDeps, trx: Knex.Transaction, actor: AccountActor, action: string, clientId: number, details: Record<string, unknown>): Promise<void> {
  await deps.audit.record({ actor: { type: actor.type, id: actor.id ?? null, label: actor.label ?? '' }, action, target: `client:${clientId}`, ip: actor.ip ?? null, details }, trx);
}

/**
 * Adds a billing account from form values. Validation, the client's own services and contacts,
 * and (when the operator turned it on) the pass-phrase are checked before anything is written.
 */
export async function createBillingAccount(
  deps: AccountDeps,
  input: { clientId: number; type: AccountType; values: Record<string, unknown>; actor: AccountActor },
): Promise<Outcome<{ accountId: number }>> {
  if (!(await clientExists(deps.db, input.clientId))) return fail({ _form: `Client #${input.clientId} does not exist` });
  const settings = await getAccountSettings(deps.settings);
  const parsed = parseBillingAccountForm(input.type, input.values, { now: deps.clock.now() });
  const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
  const usesPassphrase = settings.passphrase && hasSealedData(input.type);
  if (usesPassphrase && !String(input.values.passphrase ?? '') && !errors.passphrase) errors.passphrase = ACCOUNT_MESSAGES.passphraseRequired;
  if (!parsed.ok || Object.keys(errors).length) return fail(errors);
  const d = parsed.data;
  const ownership = await checkOwnership(deps.db, input.clientId, d);
  if (Object.keys(ownership).length) return fail(ownership);

  const data = sealedFrom(input.type, input.clientId, d);
  // scrypt takes a moment: derive before the write transaction, never inside it.
  const sealed = data ? await sealAccountData(deps.secrets, data, usesPassphrase ? d.passphrase : undefined) : null;
  const at = iso(deps.clock.now());
  const accountId = await deps.db.transaction(async (trx) => {
    const first = (await countAccounts(trx, input.clientId)) === 0;
    const id = await insertAccount(
      trx,
      { client_id: input.clientId, contact_id: d.contactId, type: input.type, label: d.label, ...clearColumns(input.type, d), sealed, is_default: false },
      at,
    );
    await replaceAccountServices(trx, id, d.serviceIds);
    if (first || d.isDefault) await setDefaultAccount(trx, input.clientId, id, at);
    const row = (await getAccount(trx, input.clientId, id))!;
    await auditAccount(deps, trx, input.actor, 'billing.account_added', input.clientId, { account: id, type: input.type, shown_as: describeAccount(row), services: d.serviceIds, passphrase: Boolean(usesPassphrase) });
    return id;
  });
  return { ok: true, value: { accountId } };
}

/** Which fields an edit of `row` may leave empty to keep them: secrets always, all sealed ones when a pass-phrase guards them. */
export function keptFieldsFor(deps: Pick<AccountDeps, 'secrets'>, row: BillingAccountRow): string[] {
  if (!hasSealedData(row.type)) return [];
  const guarded = row.sealed ? needsPassphrase(deps.secrets, row.sealed) : false;
  return guarded ? [...new Set([...SECRET_FIELDS, ...sealedFieldsOf(row.type)])] : [...SECRET_FIELDS];
}

/**
 * Changes an account from form values. Secret fields left empty keep their stored values; when a
 * pass-phrase guards the details, changing any of them needs the pass-phrase.
 */
export async function updateBillingAccount(
  deps: AccountDeps,
  input: { clientId: number; accountId: number; values: Record<string, unknown>; actor: AccountActor },
): Promise<Outcome<{ accountId: number }>> {
  const row = await getAccount(deps.db, input.clientId, input.accountId);
  if (!row) return fail({ _form: 'This billing account does not exist' });
  const settings = await getAccountSettings(deps.settings);
  const keep = keptFieldsFor(deps, row);
  const parsed = parseBillingAccountForm(row.type, input.values, { now: deps.clock.now(), keep });
  if (!parsed.ok) return fail(parsed.errors);
  const d = parsed.data;
  const ownership = await checkOwnership(deps.db, input.clientId, d);
  if (Object.keys(ownership).length) return fail(ownership);

  let sealed = row.sealed;
  let protectedNow = false;
  if (hasSealedData(row.type)) {
    const guarded = row.sealed ? needsPassphrase(deps.secrets, row.sealed) : false;
    const given = d as unknown as Record<string, unknown>;
    // Sealed fields typed into the form; for a guarded account every sealed field may stay empty.
    const typed = sealedFieldsOf(row.type).filter((f) => given[f] !== undefined && keep.includes(f));
    const passphrase = d.passphrase || undefined;
    if (guarded && typed.length && !passphrase) return fail({ passphrase: 'Enter the client’s encryption pass-phrase to change the protected details' });
    let stored: Record<string, string> = {};
    if (row.sealed && (!guarded || passphrase)) {
      try {
        stored = formFieldsOf(await unsealAccountData(deps.secrets, row.sealed, { clientId: input.clientId, passphrase: guarded ? passphrase : undefined }));
      } catch (err) {
        if (err instanceof SealedDataError && err.code === 'passphrase_wrong') return fail({ passphrase: err.message });
        if (!(err instanceof SealedDataError && err.code === 'corrupt')) throw err;
      }
    }
    protectedNow = guarded || (settings.passphrase && Boolean(passphrase));
    // A guarded account whose details were not touched keeps its sealed data as it is.
    const reseal = !guarded || typed.length > 0;
    if (reseal) {
      for (const f of sealedFieldsOf(row.type)) if (given[f] === undefined) given[f] = stored[f];
      const missing = (['cardNumber', 'routingNumber', 'accountNumber'] as const).find((f) => sealedFieldsOf(row.type).includes(f) && !given[f]);
      if (missing) return fail({ [missing]: 'Enter the number again: the stored details could not be read' });
      sealed = await sealAccountData(deps.secrets, sealedFrom(row.type, input.clientId, d)!, protectedNow ? passphrase : undefined);
    }
  }
  const clear = clearColumns(row.type, d);
  if (!clear.last4) clear.last4 = row.last4;
  const at = iso(deps.clock.now());
  await deps.db.transaction(async (trx) => {
    await updateAccount(trx, row.id, { contact_id: d.contactId, label: d.label, ...clear, sealed }, at);
    await replaceAccountServices(trx, row.id, d.serviceIds);
    if (d.isDefault && !row.is_default) await setDefaultAccount(trx, input.clientId, row.id, at);
    if (!d.isDefault && row.is_default) await setDefaultAccount(trx, input.clientId, null, at);
    const after = (await getAccount(trx, input.clientId, row.id))!;
    await auditAccount(deps, trx, input.actor, 'billing.account_changed', input.clientId, { account: row.id, shown_as: describeAccount(after), services: d.serviceIds, default: d.isDefault, passphrase: protectedNow });
  });
  return { ok: true, value: { accountId: row.id } };
}

/** Deletes an account; if it was the default, the client's oldest remaining account becomes the default. */
export async function deleteBillingAccount(deps: AccountDeps, input: { clientId: number; accountId: number; actor: AccountActor }): Promise<boolean> {
  const at = iso(deps.clock.now());
  return deps.db.transaction(async (trx) => {
    const row = await getAccount(trx, input.clientId, input.accountId);
    if (!row) return false;
    await deleteAccount(trx, row.id);
    if (row.is_default) {
      const next = (await listAccounts(trx, input.clientId))[0];
      if (next) await setDefaultAccount(trx, input.clientId, next.id, at);
    }
    await auditAccount(deps, trx, input.actor, 'billing.account_deleted', input.clientId, { account: row.id, shown_as: describeAccount(row) });
    return true;
  });
}

/** Makes an account the client's default one. */
export async function makeDefaultAccount(deps: AccountDeps, input: { clientId: number; accountId: number; actor: AccountActor }): Promise<boolean> {
  const at = iso(deps.clock.now());
  return deps.db.transaction(async (trx) => {
    const row = await getAccount(trx, input.clientId, input.accountId);
    if (!row) return false;
    await setDefaultAccount(trx, input.clientId, row.id, at);
    await auditAccount(deps, trx, input.actor, 'billing.account_default', input.clientId, { account: row.id, shown_as: describeAccount(row) });
    return true;
  });
}

/**
 * The full details of an account, for charging it. Needs the client's pass-phrase when one guards
 * them (SealedDataError 'passphrase_required' / 'passphrase_wrong' otherwise).
 */
export async function revealBillingAccount(deps: Pick<AccountDeps, 'db' | 'secrets'>, input: { clientId: number; accountId: number; passphrase?: string }): Promise<{ account: BillingAccountRow; data: SealedData | null } | undefined> {
  const account = await getAccount(deps.db, input.clientId, input.accountId);
  if (!account) return undefined;
  if (!account.sealed) return { account, data: null };
  return { account, data: await unsealAccountData(deps.secrets, account.sealed, { clientId: input.clientId, passphrase: input.passphrase }) };
}

/** Whether a pass-phrase guards this account's details. */
export function isPassphraseProtected(deps: Pick<AccountDeps, 'secrets'>, account: Pick<BillingAccountRow, 'sealed'>): boolean {
  return account.sealed ? needsPassphrase(deps.secrets, account.sealed) : false;
}

/**
 * What an edit form shows at first: the clear fields and, unless a pass-phrase guards them, the
 * non-secret sealed ones (name on card, bank state, ...). Numbers and CVV never come back.
 */
export async function editFormValues(deps: Pick<AccountDeps, 'db' | 'secrets'>, account: BillingAccountRow, serviceIds: number[]): Promise<Record<string, string | string[]>> {
  const values: Record<string, string | string[]> = {
    label: account.label,
    contactId: account.contact_id === null ? '' : String(account.contact_id),
    isDefault: account.is_default ? '1' : '',
    serviceIds: serviceIds.map(String),
  };
  if (account.type === 'card') Object.assign(values, { cardType: account.card_type ?? '', expMonth: account.card_exp_month ?? '', expYear: account.card_exp_year ?? '' });
  if (isBankType(account.type)) values.bankName = account.bank_name ?? '';
  if (account.sealed && !isPassphraseProtected(deps, account)) {
    try {
      const data = await unsealAccountData(deps.secrets, account.sealed, { clientId: account.client_id });
      const fields = formFieldsOf(data);
      for (const [k, v] of Object.entries(fields)) if (!(SECRET_FIELDS as readonly string[]).includes(k)) values[k] = v;
    } catch {
      // Unreadable details (a changed key): the form asks for them again.
    }
  }
  return values;
}

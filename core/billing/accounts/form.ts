// The billing-account form, shared by the staff pages and the client portal: what it may show again,
// which of the client's services it offers (and who pays for each now), and the no-JS package moves.
import type { FormValues } from '../../http/forms.ts';
import type { ServiceStatus } from '../services/status.ts';
import { describeAccount, isPassphraseProtected, keptFieldsFor, type AccountDeps } from './accounts.ts';
import { isBankType, normalizeCardNumber, type AccountType } from './schemas.ts';
import { getAccountSettings } from './settings.ts';
import { clientContacts, listAccounts, payableServices, type BillingAccountRow } from './store.ts';

/** Never shown again, even as typed a moment ago: the card number (only its last four digits), the CVV, the pass-phrase. */
export const NEVER_ECHOED: readonly string[] = ['cardNumber', 'cvv', 'passphrase'];

/** What a form shows again after an error or a round trip: everything typed except NEVER_ECHOED. */
export function keptValues(values: FormValues): { values: FormValues; typedLast4: string | null } {
  const out: FormValues = {};
  for (const [k, v] of Object.entries(values)) if (!NEVER_ECHOED.includes(k)) out[k] = v;
  const typed = typeof values.cardNumber === 'string' ? normalizeCardNumber(values.cardNumber) : '';
  return { values: out, typedLast4: /^\d{4,}$/.test(typed) ? typed.slice(-4) : null };
}

/** Services that are over: nobody pays for them any more, so forms offer them only while an account still does. */
const CLOSED_STATUSES: readonly ServiceStatus[] = ['cancelled', 'transferred', 'fraud', 'expired'];

export interface AccountFormService {
  id: number;
  packageName: string;
  /** The service's own label (domain, host name), '' if none. */
  label: string;
  status: ServiceStatus;
  closed: boolean;
  /** How the other account paying for it now is shown ("Visa •••• 4242"), null if none or this one. */
  paidBy: string | null;
  /** That other account's id. */
  paidById: number | null;
}

export interface AccountFormModel {
  type: AccountType;
  isCard: boolean;
  isBank: boolean;
  account: { id: number; shownAs: string; isProtected: boolean } | null;
  /** Fields an edit may leave empty to keep what is stored. */
  keep: string[];
  /** The operator asks for the client's pass-phrase on card and bank accounts. */
  passphraseMode: boolean;
  /** Whether the form has a pass-phrase field at all. */
  showPassphrase: boolean;
  contacts: { id: number; name: string; email: string; isPrimary: boolean }[];
  services: AccountFormService[];
}

/** Everything a billing-account form needs besides the typed values, for one client. */
export async function accountFormModel(
  deps: Pick<AccountDeps, 'db' | 'secrets' | 'settings'>,
  input: { clientId: number; type: AccountType; account?: BillingAccountRow },
): Promise<AccountFormModel> {
  const [services, contacts, settings, accounts] = await Promise.all([
    payableServices(deps.db, input.clientId),
    clientContacts(deps.db, input.clientId),
    getAccountSettings(deps.settings),
    listAccounts(deps.db, input.clientId),
  ]);
  const shownAs = new Map(accounts.map((a) => [a.id, describeAccount(a)]));
  const account = input.account;
  const isProtected = account ? isPassphraseProtected({ secrets: deps.secrets }, account) : false;
  const isCard = input.type === 'card';
  const isBank = isBankType(input.type);
  return {
    type: input.type,
    isCard,
    isBank,
    account: account ? { id: account.id, shownAs: describeAccount(account), isProtected } : null,
    keep: account ? keptFieldsFor({ secrets: deps.secrets }, account) : [],
    passphraseMode: settings.passphrase,
    showPassphrase: (isCard || isBank) && (settings.passphrase || isProtected),
    contacts: contacts.map((c) => ({ id: c.id, name: `${c.first_name} ${c.last_name}`.trim(), email: c.email, isPrimary: c.is_primary })),
    services: services.map((s) => ({
      id: s.id,
      packageName: s.package_name,
      label: s.label,
      status: s.status as ServiceStatus,
      closed: CLOSED_STATUSES.includes(s.status as ServiceStatus),
      paidBy: s.billing_account_id !== null && s.billing_account_id !== account?.id ? (shownAs.get(s.billing_account_id) ?? `#${s.billing_account_id}`) : null,
      paidById: s.billing_account_id !== null && s.billing_account_id !== account?.id ? s.billing_account_id : null,
    })),
  };
}

/* ---------- "Not Billable For" and "Billable For" without JavaScript ---------- */

/**
 * The two package lists of seed 003 are two multi-selects with "Add →" and "← Remove" submit buttons.
 * The packages the account pays for travel as hidden `serviceIds` fields; a move posts the whole form,
 * which comes back with the lists changed and nothing saved.
 */
export const MOVE_FIELD = 'move';
/** The packages highlighted in "Not Billable For". */
export const ADD_FIELD = 'addServiceIds';
/** The packages highlighted in "Billable For". */
export const REMOVE_FIELD = 'removeServiceIds';

const idsOf = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((x) => /^[1-9]\d{0,9}$/.test(x));

/** The form after an "Add →" or "← Remove" press, or null when the form was sent to be saved. */
export function movedServices(values: FormValues): FormValues | null {
  const move = values[MOVE_FIELD];
  if (move !== 'add' && move !== 'remove') return null;
  const current = idsOf(values.serviceIds);
  const next = move === 'add' ? [...new Set([...current, ...idsOf(values[ADD_FIELD])])] : current.filter((id) => !idsOf(values[REMOVE_FIELD]).includes(id));
  const out: FormValues = { ...values, serviceIds: next };
  delete out[MOVE_FIELD];
  delete out[ADD_FIELD];
  delete out[REMOVE_FIELD];
  return out;
}

/**
 * The services of the form split into the two lists: those the account pays for (as the form holds them)
 * and the others. Closed services are left out unless the account still pays for them.
 */
export function billableLists(services: readonly AccountFormService[], values: FormValues): { billable: AccountFormService[]; notBillable: AccountFormService[] } {
  const chosen = new Set(idsOf(values.serviceIds).map(Number));
  const billable = services.filter((s) => chosen.has(s.id));
  const notBillable = services.filter((s) => !chosen.has(s.id) && !s.closed);
  return { billable, notBillable };
}

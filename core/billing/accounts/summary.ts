// How billing accounts are listed (the staff client page, the client portal): masked, with expiry,
// default and pass-phrase marks, and the services each pays for. Never more than four digits.
import type { ServiceStatus } from '../services/status.ts';
import { accountExpiry, describeAccount, isExpired, isPassphraseProtected, type AccountDeps } from './accounts.ts';
import type { AccountType } from './schemas.ts';
import { listAccounts, payableServices } from './store.ts';

export interface AccountSummary {
  id: number;
  type: AccountType;
  /** "Visa •••• 4242", "eCheck · First Bank •••• 6789", "Manual payment". */
  shownAs: string;
  cardType: string | null;
  last4: string | null;
  bankName: string | null;
  label: string;
  contactId: number | null;
  /** "MM/YYYY" for a card, null otherwise. */
  expiry: string | null;
  expired: boolean;
  isDefault: boolean;
  /** The details need the client's pass-phrase. */
  protected: boolean;
  paysFor: { id: number; packageName: string; label: string; status: ServiceStatus }[];
}

/** The client's accounts, default first, as lists show them. */
export async function accountSummaries(deps: Pick<AccountDeps, 'db' | 'clock' | 'secrets'>, clientId: number): Promise<AccountSummary[]> {
  const [accounts, services] = await Promise.all([listAccounts(deps.db, clientId), payableServices(deps.db, clientId)]);
  const now = deps.clock.now();
  return accounts.map((a) => ({
    id: a.id,
    type: a.type,
    shownAs: describeAccount(a),
    cardType: a.card_type,
    last4: a.last4,
    bankName: a.bank_name,
    label: a.label,
    contactId: a.contact_id,
    expiry: accountExpiry(a),
    expired: isExpired(a, now),
    isDefault: a.is_default,
    protected: isPassphraseProtected({ secrets: deps.secrets }, a),
    paysFor: services.filter((s) => s.billing_account_id === a.id).map((s) => ({ id: s.id, packageName: s.package_name, label: s.label, status: s.status as ServiceStatus })),
  }));
}

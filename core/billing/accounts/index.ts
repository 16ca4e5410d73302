// Billing accounts (payment methods of seed 003): the public face for the admin pages, the client portal and payments.
export * from './schemas.ts';
export {
  accountExpiry,
  createBillingAccount,
  deleteBillingAccount,
  describeAccount,
  editFormValues,
  isExpired,
  isPassphraseProtected,
  keptFieldsFor,
  makeDefaultAccount,
  revealBillingAccount,
  updateBillingAccount,
  type AccountActor,
  type AccountDeps,
  type FieldErrors,
  type Outcome,
} from './accounts.ts';
export { SealedDataError, type SealedBank, type SealedCard, type SealedData } from './sealing.ts';
export { ACCOUNT_SETTINGS_KEY, getAccountSettings, type AccountSettings } from './settings.ts';
export { accountPayingFor, accountServiceIds, defaultAccount, getAccount, listAccounts, payableServices, type BillingAccountRow, type PayableServiceRow } from './store.ts';
export { ADD_FIELD, MOVE_FIELD, NEVER_ECHOED, REMOVE_FIELD, accountFormModel, billableLists, keptValues, movedServices, type AccountFormModel, type AccountFormService } from './form.ts';
export { accountSummaries, type AccountSummary } from './summary.ts';

// Upgrades and downgrades of a service's package or add-ons (seed 003, Managing Packages): the prorated
// price of a change, its preview, and confirming and applying it.
export { prorate, invoiceAmounts } from './proration.ts';
export type { Proration, ProrationInput, ProrationItem, ProratedItem, ProrationBasis, ProrationRefusal } from './proration.ts';
export { loadServiceForChange, changeBlocker, currentPeriod, packageOptions, previewPackageChange, previewAddonChange, adjustableAddons } from './preview.ts';
export type { ChangePreview, ChangeContext, PreviewResult, PackageOption, FormAddon, ServiceForChange, CurrentAddon, PreviewAddon, Message } from './preview.ts';
export { confirmChange, applyPaidUpgrade, cancelAwaitingUpgrade, UpgradeError } from './apply.ts';
export type { ConfirmDeps, ConfirmResult } from './apply.ts';
export { findAwaitingUpgrade, upgradesOfService, resultAddons } from './store.ts';
export type { UpgradeRow, UpgradeStatus, UpgradeKind, ResultAddon } from './store.ts';

// The catalog's public face for ordering, invoicing and plugins: offers, rates, taxes, item types.
export { getOffer, priceAddons, listOrderablePackages, findPackageByInternalName } from './offer.ts';
export type { Offer, OfferAddon, OfferQuery, AddonLine, AddonPricing, OrderablePackage, OrderablePeriod } from './offer.ts';
export { getRates, getCurrency, parseRate, formatRate } from './currencies.ts';
export type { Currency } from './currencies.ts';
export { getCatalogSettings, saveCatalogSettings, findTaxRate, splitTax, parsePercent, formatPercent, CATALOG_SETTINGS_KEY } from './taxes.ts';
export type { CatalogSettings, TaxRate } from './taxes.ts';
export { registerItemType } from './item-types.ts';
export type { ItemType, ItemTypeRegistration } from './item-types.ts';
export type { Package, Period, Addon, AddonKind, BillingType } from './store.ts';

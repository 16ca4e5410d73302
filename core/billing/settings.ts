// Billing and automation settings (core_settings 'billing.settings'), validated, with sensible defaults.
import { z } from 'zod';
import type { SettingsStore } from '../settings/store.ts';

export const billingSettingsSchema = z.object({
  invoicePrefix: z.string().trim().max(10, 'Use at most 10 characters').regex(/^[A-Za-z0-9-]*$/, 'Letters, digits and hyphens only'),
  paymentTermsDays: z.number().int().min(0, 'Cannot be negative').max(365),
  renewalLeadDays: z.number().int().min(0, 'Cannot be negative').max(120),
  reminderBeforeDueDays: z.number().int().min(0).max(60),
  overdueReminderDays: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]),
  suspendAfterDays: z.number().int().min(0).max(365),
  suspendOnWeekends: z.boolean(),
  /** YYYY-MM-DD days on which nothing is suspended. */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD')),
  terminateAfterDays: z.number().int().min(1).max(3650),
  cancelInvoicesAfterDays: z.number().int().min(1).max(3650),
  invoiceSuspended: z.boolean(),
  autoRenewFromCredit: z.boolean(),
});

export type BillingSettings = z.infer<typeof billingSettingsSchema>;

export const DEFAULT_BILLING_SETTINGS: BillingSettings = {
  invoicePrefix: 'INV-',
  paymentTermsDays: 7,
  renewalLeadDays: 14,
  reminderBeforeDueDays: 3,
  overdueReminderDays: [1, 7, 14],
  suspendAfterDays: 7,
  suspendOnWeekends: true,
  holidays: [],
  terminateAfterDays: 30,
  cancelInvoicesAfterDays: 60,
  invoiceSuspended: false,
  autoRenewFromCredit: true,
};

export const BILLING_SETTINGS_KEY = 'billing.settings';

export async function getBillingSettings(settings: SettingsStore): Promise<BillingSettings> {
  const saved = (await settings.get<Partial<BillingSettings>>(BILLING_SETTINGS_KEY)) ?? {};
  const parsed = billingSettingsSchema.safeParse({ ...DEFAULT_BILLING_SETTINGS, ...saved });
  return parsed.success ? parsed.data : DEFAULT_BILLING_SETTINGS;
}

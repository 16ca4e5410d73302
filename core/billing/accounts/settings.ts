// Billing-account settings (core_settings 'billing.accounts'): whether card and bank details also need the client's pass-phrase.
import { z } from 'zod';
import type { SettingsStore } from '../../settings/store.ts';

export const ACCOUNT_SETTINGS_KEY = 'billing.accounts';

export const accountSettingsSchema = z.object({
  /**
   * When on, card and bank details are additionally encrypted under a key derived from a
   * pass-phrase the client chooses: staff cannot read them, and a stored card can be charged only
   * while the client supplies the pass-phrase (so no unattended auto-renewal from such a card).
   */
  passphrase: z.boolean(),
});

export type AccountSettings = z.infer<typeof accountSettingsSchema>;

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = { passphrase: false };

export async function getAccountSettings(settings: SettingsStore): Promise<AccountSettings> {
  const saved = (await settings.get<Partial<AccountSettings>>(ACCOUNT_SETTINGS_KEY)) ?? {};
  const parsed = accountSettingsSchema.safeParse({ ...DEFAULT_ACCOUNT_SETTINGS, ...saved });
  return parsed.success ? parsed.data : DEFAULT_ACCOUNT_SETTINGS;
}

// Gateway settings in core_settings: 'payments.test' (enabled, url, secret sealed) and 'payments.bank' (enabled, instructions).
import { z } from 'zod';
import type { SecretBox } from '../../secrets/crypto.ts';
import type { SettingsStore } from '../../settings/store.ts';
import { isHttpUrl } from '../../views/helpers.ts';
import { checkTemplateText } from '../../views/logicless.ts';

export const TEST_GATEWAY_SETTINGS_KEY = 'payments.test';
export const BANK_GATEWAY_SETTINGS_KEY = 'payments.bank';
export const ATTEMPT_SETTINGS_KEY = 'payments.attempts';

/** A payment attempt still waiting for its gateway after this long is marked expired (hourly job). */
export const DEFAULT_ATTEMPT_EXPIRY_HOURS = 24;
export const MAX_ATTEMPT_EXPIRY_HOURS = 720;

export interface AttemptSettings {
  expireAfterHours: number;
}

export async function getAttemptSettings(settings: SettingsStore): Promise<AttemptSettings> {
  const saved = (await settings.get<Partial<AttemptSettings>>(ATTEMPT_SETTINGS_KEY)) ?? {};
  const h = saved.expireAfterHours;
  return { expireAfterHours: typeof h === 'number' && Number.isInteger(h) && h >= 1 && h <= MAX_ATTEMPT_EXPIRY_HOURS ? h : DEFAULT_ATTEMPT_EXPIRY_HOURS };
}

export async function saveAttemptSettings(settings: SettingsStore, input: AttemptSettings): Promise<void> {
  await settings.set(ATTEMPT_SETTINGS_KEY, { expireAfterHours: input.expireAfterHours });
}

export interface TestGatewaySettings {
  enabled: boolean;
  /** Base URL of the hosted page, e.g. http://127.0.0.1:4010. */
  url: string;
  /** The shared HMAC secret, decrypted; '' means none (the gateway then refuses everything). */
  secret: string;
}

export interface BankGatewaySettings {
  enabled: boolean;
  /** A logic-less template: {{amount}}, {{reference}}, {{invoices}}, {{client}}. */
  instructions: string;
}

export const DEFAULT_BANK_INSTRUCTIONS = `Please transfer {{amount}} to our bank account:

Bank: (your bank's name)
Account holder: (your company)
IBAN: (your IBAN)
BIC/SWIFT: (your BIC)

Payment reference: {{reference}} (invoices {{invoices}})
Your invoices are marked paid when the money arrives.`;

interface StoredTest {
  enabled?: boolean;
  url?: string;
  /** SecretBox-sealed. */
  secret?: string;
}

export async function getTestGatewaySettings(settings: SettingsStore, secrets: SecretBox): Promise<TestGatewaySettings> {
  const saved = (await settings.get<StoredTest>(TEST_GATEWAY_SETTINGS_KEY)) ?? {};
  let secret = '';
  if (saved.secret) {
    try {
      secret = secrets.decrypt(saved.secret);
    } catch {
      secret = ''; // a changed key: the gateway refuses until the secret is entered again
    }
  }
  return { enabled: saved.enabled === true, url: typeof saved.url === 'string' ? saved.url : '', secret };
}

/** `secret` undefined keeps the stored one; '' removes it. */
export async function saveTestGatewaySettings(settings: SettingsStore, secrets: SecretBox, input: { enabled: boolean; url: string; secret?: string }): Promise<void> {
  const saved = (await settings.get<StoredTest>(TEST_GATEWAY_SETTINGS_KEY)) ?? {};
  const secret = input.secret === undefined ? (saved.secret ?? '') : input.secret ? secrets.encrypt(input.secret) : '';
  await settings.set(TEST_GATEWAY_SETTINGS_KEY, { enabled: input.enabled, url: input.url.replace(/\/+$/, ''), secret });
}

export async function getBankGatewaySettings(settings: SettingsStore): Promise<BankGatewaySettings> {
  const saved = (await settings.get<Partial<BankGatewaySettings>>(BANK_GATEWAY_SETTINGS_KEY)) ?? {};
  return { enabled: saved.enabled === true, instructions: typeof saved.instructions === 'string' && saved.instructions ? saved.instructions : DEFAULT_BANK_INSTRUCTIONS };
}

export async function saveBankGatewaySettings(settings: SettingsStore, input: BankGatewaySettings): Promise<void> {
  await settings.set(BANK_GATEWAY_SETTINGS_KEY, { enabled: input.enabled, instructions: input.instructions });
}

const orEmpty = (v: unknown) => (v === undefined || v === null ? '' : Array.isArray(v) ? (v[0] ?? '') : v);
const checkbox = z.preprocess((v) => {
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return s === true || s === '1' || s === 'on' || s === 'true';
}, z.boolean());

/** The settings page's form; `hasSecret` says whether a secret is stored (a blank field keeps it). */
export function gatewaySettingsFormSchema(opts: { hasSecret: boolean }) {
  return z
    .object({
      testEnabled: checkbox,
      testUrl: z.preprocess((v) => String(orEmpty(v)).trim(), z.string().max(300, 'Use at most 300 characters').refine((s) => s === '' || isHttpUrl(s), 'Enter an http(s) address, e.g. http://127.0.0.1:4010')),
      testSecret: z.preprocess((v) => String(orEmpty(v)).trim(), z.string().max(200, 'Use at most 200 characters').refine((s) => s === '' || s.length >= 16, 'Use at least 16 characters for the shared secret')),
      bankEnabled: checkbox,
      bankInstructions: z.preprocess(
        (v) => String(orEmpty(v)).replace(/\r\n/g, '\n').trim(),
        z.string().max(5000, 'Use at most 5000 characters').superRefine((s, ctx) => {
          const problem = s ? checkTemplateText(s) : null;
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      ),
      accountsPassphrase: checkbox,
      attemptsExpireHours: z.preprocess(
        (v) => String(orEmpty(v)).trim(),
        z
          .string()
          .regex(/^\d{0,6}$/, 'Enter a whole number of hours')
          .transform((s) => (s === '' ? DEFAULT_ATTEMPT_EXPIRY_HOURS : Number(s)))
          .refine((n) => n >= 1 && n <= MAX_ATTEMPT_EXPIRY_HOURS, `Enter between 1 and ${MAX_ATTEMPT_EXPIRY_HOURS} hours (30 days)`),
      ),
    })
    .superRefine((v, ctx) => {
      if (v.testEnabled && !v.testUrl) ctx.addIssue({ code: 'custom', path: ['testUrl'], message: 'Enter the test gateway’s address to turn it on' });
      if (v.testEnabled && !v.testSecret && !opts.hasSecret) ctx.addIssue({ code: 'custom', path: ['testSecret'], message: 'Enter the shared secret the test gateway was started with' });
      if (v.bankEnabled && !v.bankInstructions) ctx.addIssue({ code: 'custom', path: ['bankInstructions'], message: 'Enter the instructions clients see' });
    });
}

// Billing settings page: the automation settings (billingSettingsSchema) and the operator's invoice header.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../http/env.ts';
import type { FormValues } from '../../http/forms.ts';
import { readFormValues } from '../../http/forms.ts';
import { renderView } from '../../http/render.ts';
import { flash } from '../../http/flash.ts';
import { requireRole } from '../../http/guards.ts';
import { zodFieldErrors, type SettingsStore } from '../../settings/store.ts';
import { BILLING_SETTINGS_KEY, billingSettingsSchema, getBillingSettings, type BillingSettings } from '../settings.ts';
import { isDay } from '../services/periods.ts';
import { BILLING_BASE, BILLING_EDIT_ROLES, audit, str } from './shared.ts';

/** core_settings key of the operator's name and address printed on invoices. */
export const INVOICE_HEADER_KEY = 'billing.invoice_header';

export const invoiceHeaderSchema = z.object({
  companyName: z.string().trim().max(200, 'Use at most 200 characters'),
  /** One line each: street, city, country ... */
  addressLines: z.array(z.string().trim().max(200, 'Use at most 200 characters per line')).max(8, 'Use at most 8 lines'),
  taxId: z.string().trim().max(60, 'Use at most 60 characters'),
  /** Printed under the totals: bank details, payment instructions. */
  footer: z.string().trim().max(1000, 'Use at most 1000 characters'),
});

export type InvoiceHeader = z.infer<typeof invoiceHeaderSchema>;

export const DEFAULT_INVOICE_HEADER: InvoiceHeader = { companyName: '', addressLines: [], taxId: '', footer: '' };

export async function getInvoiceHeader(settings: SettingsStore): Promise<InvoiceHeader> {
  const saved = (await settings.get<Partial<InvoiceHeader>>(INVOICE_HEADER_KEY)) ?? {};
  const parsed = invoiceHeaderSchema.safeParse({ ...DEFAULT_INVOICE_HEADER, ...saved });
  return parsed.success ? parsed.data : DEFAULT_INVOICE_HEADER;
}

/** A whole number typed into a form field, within the domain schema's range, with a message a person can act on. */
function wholeNumber(min: number, max: number, unit = 'days') {
  return z.preprocess(
    (v) => str(v as string | string[] | undefined).trim(),
    z
      .string()
      .min(1, 'Enter a number')
      .regex(/^-?\d{1,6}$/, 'Enter a whole number')
      .transform(Number)
      .refine((n) => n >= min, min === 0 ? 'Cannot be negative' : `At least ${min} ${unit === 'days' && min === 1 ? 'day' : unit}`)
      .refine((n) => n <= max, `At most ${max} ${unit}`),
  );
}

const checkbox = z.preprocess((v) => ['1', 'on', 'true'].includes(str(v as string | string[] | undefined)), z.boolean());

/**
 * The form as typed: text fields that become the billingSettingsSchema shape (overdue days as three
 * fields, holidays one per line) plus the invoice header. Ranges match billingSettingsSchema, which
 * checks the result once more before it is saved.
 */
export const settingsFormSchema = z
  .object({
    invoicePrefix: z.preprocess(
      (v) => str(v as string | string[] | undefined).trim(),
      z.string().max(10, 'Use at most 10 characters').regex(/^[A-Za-z0-9-]*$/, 'Letters, digits and hyphens only'),
    ),
    paymentTermsDays: wholeNumber(0, 365),
    renewalLeadDays: wholeNumber(0, 120),
    reminderBeforeDueDays: wholeNumber(0, 60),
    overdue1: wholeNumber(1, 3650),
    overdue2: wholeNumber(1, 3650),
    overdue3: wholeNumber(1, 3650),
    suspendAfterDays: wholeNumber(0, 365),
    suspendOnWeekends: checkbox,
    holidays: z.preprocess(
      (v) => str(v as string | string[] | undefined),
      z.string().transform((text, ctx) => {
        const days = [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean))];
        const bad = days.find((d) => !isDay(d));
        if (bad) {
          ctx.addIssue({ code: 'custom', message: `“${bad.slice(0, 40)}” is not a date: write one day per line as YYYY-MM-DD` });
          return z.NEVER;
        }
        if (days.length > 400) {
          ctx.addIssue({ code: 'custom', message: 'List at most 400 days' });
          return z.NEVER;
        }
        return days.sort();
      }),
    ),
    terminateAfterDays: wholeNumber(1, 3650),
    cancelInvoicesAfterDays: wholeNumber(1, 3650),
    invoiceSuspended: checkbox,
    autoRenewFromCredit: checkbox,
    companyName: z.preprocess((v) => str(v as string | string[] | undefined), invoiceHeaderSchema.shape.companyName),
    addressLines: z.preprocess(
      (v) => str(v as string | string[] | undefined).split(/\r?\n/).map((l) => l.trim()).filter(Boolean),
      invoiceHeaderSchema.shape.addressLines,
    ),
    taxId: z.preprocess((v) => str(v as string | string[] | undefined), invoiceHeaderSchema.shape.taxId),
    footer: z.preprocess((v) => str(v as string | string[] | undefined), invoiceHeaderSchema.shape.footer),
  })
  .superRefine((v, ctx) => {
    if (v.overdue2 <= v.overdue1) ctx.addIssue({ code: 'custom', path: ['overdue2'], message: 'Send the 2nd notice after the 1st' });
    if (v.overdue3 <= v.overdue2) ctx.addIssue({ code: 'custom', path: ['overdue3'], message: 'Send the 3rd notice after the 2nd' });
    if (v.terminateAfterDays <= v.suspendAfterDays) ctx.addIssue({ code: 'custom', path: ['terminateAfterDays'], message: 'Terminate later than you suspend' });
  });

/** Where an error of billingSettingsSchema belongs on the form. */
function fieldOf(path: string): string {
  const m = /^overdueReminderDays\.(\d)$/.exec(path);
  return m ? `overdue${Number(m[1]) + 1}` : path.split('.')[0]!;
}

function formValues(s: BillingSettings, header: InvoiceHeader): FormValues {
  const yes = (b: boolean) => (b ? '1' : '');
  return {
    invoicePrefix: s.invoicePrefix,
    paymentTermsDays: String(s.paymentTermsDays),
    renewalLeadDays: String(s.renewalLeadDays),
    reminderBeforeDueDays: String(s.reminderBeforeDueDays),
    overdue1: String(s.overdueReminderDays[0]),
    overdue2: String(s.overdueReminderDays[1]),
    overdue3: String(s.overdueReminderDays[2]),
    suspendAfterDays: String(s.suspendAfterDays),
    suspendOnWeekends: yes(s.suspendOnWeekends),
    holidays: s.holidays.join('\n'),
    terminateAfterDays: String(s.terminateAfterDays),
    cancelInvoicesAfterDays: String(s.cancelInvoicesAfterDays),
    invoiceSuspended: yes(s.invoiceSuspended),
    autoRenewFromCredit: yes(s.autoRenewFromCredit),
    companyName: header.companyName,
    addressLines: header.addressLines.join('\n'),
    taxId: header.taxId,
    footer: header.footer,
  };
}

export function settingsRoutes(): Hono<AppEnv> {
  const r = new Hono<AppEnv>();
  r.use('*', requireRole(...BILLING_EDIT_ROLES));

  const page = (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) =>
    renderView(c, 'pages/admin/billing/settings', { values, errors, action: `${BILLING_BASE}/settings` }, { title: 'Billing settings', status });

  r.get('/', async (c) => {
    const app = c.get('app');
    return page(c, formValues(await getBillingSettings(app.settings), await getInvoiceHeader(app.settings)), {});
  });

  r.post('/', async (c) => {
    const app = c.get('app');
    const values = await readFormValues(c);
    const parsed = settingsFormSchema.safeParse(values);
    if (!parsed.success) return page(c, values, zodFieldErrors(parsed.error), 400);
    const d = parsed.data;
    const candidate: BillingSettings = {
      invoicePrefix: d.invoicePrefix,
      paymentTermsDays: d.paymentTermsDays,
      renewalLeadDays: d.renewalLeadDays,
      reminderBeforeDueDays: d.reminderBeforeDueDays,
      overdueReminderDays: [d.overdue1, d.overdue2, d.overdue3],
      suspendAfterDays: d.suspendAfterDays,
      suspendOnWeekends: d.suspendOnWeekends,
      holidays: d.holidays,
      terminateAfterDays: d.terminateAfterDays,
      cancelInvoicesAfterDays: d.cancelInvoicesAfterDays,
      invoiceSuspended: d.invoiceSuspended,
      autoRenewFromCredit: d.autoRenewFromCredit,
    };
    // The domain's schema has the last word: what it refuses is never saved.
    const checked = billingSettingsSchema.safeParse(candidate);
    if (!checked.success) {
      const errors: Record<string, string> = {};
      for (const issue of checked.error.issues) errors[fieldOf(issue.path.join('.'))] ??= issue.message;
      return page(c, values, errors, 400);
    }
    const header: InvoiceHeader = { companyName: d.companyName, addressLines: d.addressLines, taxId: d.taxId, footer: d.footer };
    const before = await getBillingSettings(app.settings);
    await app.db.transaction(async (trx) => {
      await app.settings.set(BILLING_SETTINGS_KEY, checked.data, trx);
      await app.settings.set(INVOICE_HEADER_KEY, header, trx);
      const changed = Object.fromEntries(
        (Object.keys(checked.data) as (keyof BillingSettings)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(checked.data[k])).map((k) => [k, checked.data[k]]),
      );
      await audit(c, 'settings_saved', 'settings:billing', { changed }, trx);
    });
    flash(c, 'success', 'Billing settings were saved. Renewal and dunning runs use them from their next run on.');
    return c.redirect(`${BILLING_BASE}/settings`, 303);
  });

  return r;
}

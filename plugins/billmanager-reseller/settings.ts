// Settings of the BILLmanager reseller plugin: what is resold (seed 001 "Features") and upstream timing.
import { z } from 'zod';

export const billmanagerSettingsSchema = z.object({
  resellDomains: z.boolean(),
  resellVds: z.boolean(),
  resellDedicated: z.boolean(),
  resellHosting: z.boolean(),
  requestTimeoutSeconds: z.number().int('Enter whole seconds').min(1, 'At least 1 second').max(300, 'At most 300 seconds'),
});

export type BillmanagerSettings = z.infer<typeof billmanagerSettingsSchema>;

export const billmanagerSettings = {
  schema: billmanagerSettingsSchema,
  defaults: { resellDomains: true, resellVds: true, resellDedicated: true, resellHosting: false, requestTimeoutSeconds: 30 } satisfies BillmanagerSettings,
  labels: {
    resellDomains: { label: 'Resell domain names', hint: 'Switch item types on and off at once on the plugin’s Features page.' },
    resellVds: { label: 'Resell virtual servers' },
    resellDedicated: { label: 'Resell dedicated servers' },
    resellHosting: { label: 'Resell web hosting' },
    requestTimeoutSeconds: { label: 'Upstream request timeout (seconds)', hint: 'How long one call to the upstream BILLmanager may take.' },
  },
};

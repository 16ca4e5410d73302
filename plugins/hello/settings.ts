// Settings of the hello plugin: what a third party copies to give operators a settings page.
import { z } from 'zod';

export const helloSettingsSchema = z.object({
  greeting: z.string().trim().min(1, 'Enter a greeting').max(100),
  maxGreetingsShown: z.number().int().min(1, 'Show at least 1').max(500),
  /** A secret, to show how secrets are sealed at rest and never echoed back. */
  webhookToken: z.string().optional(),
});

export type HelloSettings = z.infer<typeof helloSettingsSchema>;

export const helloSettings = {
  schema: helloSettingsSchema,
  defaults: { greeting: 'Hello', maxGreetingsShown: 50 } satisfies Partial<HelloSettings>,
  secret: ['webhookToken' as const],
  labels: {
    greeting: { label: 'Greeting', hint: 'Shown in front of every name.' },
    maxGreetingsShown: { label: 'Greetings per page' },
    webhookToken: { label: 'Webhook token', hint: 'Stored encrypted.' },
  },
};

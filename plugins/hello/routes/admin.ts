// Admin routes of the hello plugin (mounted at /admin/hello): a table and a validated form.
import { z } from 'zod';
import { createRouter, type PluginContext } from '../../../core/plugins/api.ts';
import { renderView } from '../../../core/http/render.ts';
import { validateForm, type FormValues } from '../../../core/http/forms.ts';
import { flash } from '../../../core/http/flash.ts';
import { buildTable } from '../../../core/http/table.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../../../core/http/env.ts';
import { GreetingStore, type GreetingRow } from '../store/greetings.ts';
import type { HelloSettings } from '../settings.ts';

const greetSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name to greet')
    .max(100, 'Use at most 100 characters')
    .regex(/^[\p{L}\p{N} .'-]+$/u, 'Use letters, digits, spaces, dots, apostrophes and hyphens only'),
});

export function helloAdminRoutes(ctx: PluginContext<HelloSettings>) {
  const store = new GreetingStore(ctx.db);
  const r = createRouter();

  const page = async (c: Context<AppEnv>, values: FormValues, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const table = await buildTable<GreetingRow>(
      c,
      {
        id: 'greetings',
        defaultSort: 'created',
        defaultDir: 'desc',
        pageSize: ctx.settings.maxGreetingsShown,
        empty: 'Nobody has been greeted yet.',
        columns: [
          { key: 'name', label: 'Name', sortBy: 'name', value: (g) => `${ctx.settings.greeting}, ${g.name}!` },
          { key: 'created', label: 'When', sortBy: 'created_at', value: (g) => g.created_at.replace('T', ' ').slice(0, 16) },
        ],
      },
      store.listQuery(),
    );
    return renderView(c, '@hello/admin/index', { table, values, errors }, { title: 'Hello', status });
  };

  r.get('/', (c) => page(c, {}, {}));
  r.post('/', async (c) => {
    const form = await validateForm(c, greetSchema);
    if (!form.ok) return page(c, form.values, form.errors, 400);
    await store.add(form.data.name, ctx.clock.now().toISOString(), c.get('user')?.id ?? null);
    flash(c, 'success', `${ctx.settings.greeting}, ${form.data.name}!`);
    return c.redirect('/admin/hello', 303);
  });
  return r;
}

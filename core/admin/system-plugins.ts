// System → Plugins: the boot report (state, phase, code, reason) and each plugin's settings page.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { readFormValues, type FormValues } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { clientIp } from '../http/session.ts';
import { coerceSettingsInput, settingsFields } from '../settings/form.ts';
import { PLUGIN_API_VERSION } from '../plugins/api.ts';

export function systemPluginRoutes() {
  const r = new Hono<AppEnv>();

  r.get('/', (c) => {
    const report = c.get('app').plugins.report();
    return renderView(c, 'pages/admin/plugins', { report, apiVersion: PLUGIN_API_VERSION, configPath: c.get('app').config.configPath }, { title: 'Plugins' });
  });

  const settingsPage = async (c: Context<AppEnv>, name: string, values: FormValues | null, errors: Record<string, string>, status: 200 | 400 = 200) => {
    const app = c.get('app');
    const plugin = app.plugins.plugin(name);
    if (!plugin?.settings) return app.pages.error(c, 404, `Plugin '${name}' has no settings.`);
    const def = plugin.settings;
    const fields = settingsFields(def.schema, def.secret ?? [], def.labels ?? {});
    // Show what is saved (what the next start will use), not only what this process runs with.
    const saved = await app.settings.resolvePluginSettings(name, def as never, plugin.options ?? {});
    const running = app.plugins.settingsOf(name) ?? {};
    const current = saved.ok ? saved.value : running;
    const pendingRestart = saved.ok && JSON.stringify(saved.value) !== JSON.stringify(running);
    const shown: Record<string, unknown> = values ?? Object.fromEntries(fields.filter((f) => !f.secret).map((f) => [f.name, current[f.name] === undefined ? '' : String(current[f.name])]));
    const secretSet = Object.fromEntries(fields.filter((f) => f.secret).map((f) => [f.name, Boolean(current[f.name])]));
    return renderView(c, 'pages/admin/plugin-settings', { plugin: plugin.meta, fields, values: shown, errors, secretSet, pendingRestart }, { title: `Settings: ${name}`, status });
  };

  r.get('/:name/settings', (c) => settingsPage(c, c.req.param('name'), null, {}));

  r.post('/:name/settings', async (c) => {
    const app = c.get('app');
    const name = c.req.param('name');
    const plugin = app.plugins.plugin(name);
    if (!plugin?.settings) return app.pages.error(c, 404, `Plugin '${name}' has no settings.`);
    const def = plugin.settings;
    const fields = settingsFields(def.schema, def.secret ?? [], def.labels ?? {});
    const values = await readFormValues(c);
    const result = await app.settings.savePluginSettings(name, def as never, plugin.options ?? {}, coerceSettingsInput(fields, values));
    if (!result.ok) return settingsPage(c, name, values, result.errors, 400);
    const me = c.get('user')!;
    await app.audit.record({ actor: { type: 'staff', id: me.id, label: me.email }, action: 'settings.saved', target: `plugin:${name}`, ip: clientIp(c), details: { fields: Object.keys(values).filter((k) => !(def.secret ?? []).includes(k as never)) } });
    flash(c, 'success', `Settings of ${name} were saved. They take effect when Trellis restarts.`);
    return c.redirect(`/admin/system/plugins/${encodeURIComponent(name)}/settings`, 303);
  });
  return r;
}

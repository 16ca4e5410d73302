// plugin.config.ts: which plugins the operator enables, and how each entry is turned into a plugin.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { ConfiguredPlugin, PluginDefinition } from './api.ts';

/** A plugin object, a module specifier (npm package or path), [specifier, options], or a falsy value (ignored). */
// Any settings type: register(ctx) is contravariant in it, so no narrower type admits every plugin.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPlugin = ConfiguredPlugin<any> | PluginDefinition<any>;

export type PluginConfigEntry =
  | AnyPlugin
  | string
  | [string, Record<string, unknown>]
  | false
  | null
  | undefined
  | 0
  | '';

export interface TrellisPluginConfig {
  plugins: PluginConfigEntry[];
}

/** Identity function for types; lets `env.X && plugin()` entries through and ignores them when falsy. */
export function defineConfig(config: TrellisPluginConfig): TrellisPluginConfig {
  return config;
}

/** One entry after falsy ones are dropped: either an object already, or something to import. */
export type PendingPlugin =
  | { kind: 'object'; source: string; plugin: ConfiguredPlugin }
  | { kind: 'module'; source: string; specifier: string; options: Record<string, unknown> };

export function normalizeEntries(config: TrellisPluginConfig): PendingPlugin[] {
  const out: PendingPlugin[] = [];
  config.plugins.forEach((entry, i) => {
    if (!entry) return;
    if (typeof entry === 'string') out.push({ kind: 'module', source: entry, specifier: entry, options: {} });
    else if (Array.isArray(entry)) out.push({ kind: 'module', source: entry[0], specifier: entry[0], options: entry[1] ?? {} });
    else out.push({ kind: 'object', source: `plugin.config.ts entry #${i + 1}`, plugin: entry as ConfiguredPlugin });
  });
  return out;
}

/**
 * Imports a module entry: paths resolve against the config file's folder, bare names as npm
 * packages from there. The default export is a plugin, or a factory called with the options.
 */
export async function importPluginModule(specifier: string, options: Record<string, unknown>, configDir: string): Promise<ConfiguredPlugin> {
  let url: string;
  if (specifier.startsWith('.') || path.isAbsolute(specifier)) {
    url = pathToFileURL(path.resolve(configDir, specifier)).href;
  } else {
    const req = createRequire(path.join(configDir, 'plugin.config.ts'));
    url = pathToFileURL(req.resolve(specifier)).href;
  }
  const mod = (await import(url)) as { default?: unknown };
  const exported = mod.default;
  const plugin = typeof exported === 'function' ? (exported as (o: unknown) => unknown)(options) : exported;
  if (!plugin || typeof plugin !== 'object') throw new Error(`'${specifier}' has no default export that is a plugin`);
  const p = plugin as ConfiguredPlugin;
  return typeof exported === 'function' ? p : { ...p, options: { ...(p.options ?? {}), ...options } };
}

export async function loadPluginConfig(configPath: string): Promise<TrellisPluginConfig> {
  const mod = (await import(pathToFileURL(configPath).href)) as { default?: TrellisPluginConfig };
  if (!mod.default || !Array.isArray(mod.default.plugins)) {
    throw new Error(`${configPath} must export default defineConfig({ plugins: [...] })`);
  }
  return mod.default;
}

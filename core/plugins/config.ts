// plugin.config.ts: which plugins the operator enables, and how each entry is turned into a plugin.
import fs from 'node:fs';
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
    url = pathToFileURL(resolvePackage(specifier, configDir)).href;
  }
  const mod = (await import(url)) as { default?: unknown };
  const exported = mod.default;
  const plugin = typeof exported === 'function' ? (exported as (o: unknown) => unknown)(options) : exported;
  if (!plugin || typeof plugin !== 'object') throw new Error(`'${specifier}' has no default export that is a plugin`);
  const p = plugin as ConfiguredPlugin;
  // A factory that keeps the options to itself still gets them applied as settings (defaults ← options ← saved);
  // one that returns its own `options` has said what they are.
  if (typeof exported === 'function') return p.options === undefined ? { ...p, options } : p;
  return { ...p, options: { ...(p.options ?? {}), ...options } };
}

/**
 * Finds the file a bare specifier names, from the config's folder, as import() would. require.resolve
 * alone matches the "require" export condition: it refuses an ESM-only package
 * (`"exports": { "import": "./index.js" }`) and picks the CommonJS build of a dual one, whose default
 * export is then the whole `module.exports`. So a package's "exports" are read here with the
 * conditions import() uses; a package without "exports" resolves through "main" as before.
 */
function resolvePackage(specifier: string, configDir: string): string {
  const req = createRequire(path.join(configDir, 'plugin.config.ts'));
  const parts = specifier.split('/');
  const nameParts = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameParts).join('/');
  const subpath = ['.', ...parts.slice(nameParts)].join('/');
  for (const dir of req.resolve.paths(specifier) ?? []) {
    const pkgFile = path.join(dir, name, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    const exp = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { exports?: unknown }).exports;
    if (exp === undefined || exp === null) break;
    const isSubpathMap = typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'));
    const target = pickExportTarget(isSubpathMap ? (exp as Record<string, unknown>)[subpath] : subpath === '.' ? exp : undefined);
    if (!target) throw new Error(`Package '${name}' does not export '${subpath}' for import; see "exports" in ${pkgFile}`);
    return path.join(dir, name, target);
  }
  return req.resolve(specifier);
}

const IMPORT_CONDITIONS = new Set(['import', 'node', 'default']);

/** The first target whose condition import() would match, in the order the package lists them. */
function pickExportTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = pickExportTarget(v);
      if (t) return t;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [condition, v] of Object.entries(value)) {
      if (!IMPORT_CONDITIONS.has(condition)) continue;
      const t = pickExportTarget(v);
      if (t) return t;
    }
  }
  return undefined;
}

export async function loadPluginConfig(configPath: string): Promise<TrellisPluginConfig> {
  const mod = (await import(pathToFileURL(configPath).href)) as { default?: TrellisPluginConfig };
  if (!mod.default || !Array.isArray(mod.default.plugins)) {
    throw new Error(`${configPath} must export default defineConfig({ plugins: [...] })`);
  }
  return mod.default;
}

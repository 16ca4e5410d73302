// plugin.config.ts entries: falsy ones skipped, paths and npm packages imported, factories given their options.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPluginModule, loadPluginConfig, normalizeEntries } from './config.ts';
import { definePlugin } from './api.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const plugin = (name: string) => definePlugin({ meta: { name, version: '1.0.0', apiVersion: '^1.0.0' }, register() {} });

describe('normalizeEntries', () => {
  it('skips falsy entries and keeps the order of the rest', () => {
    const a = plugin('a');
    const out = normalizeEntries({ plugins: [false, a, null, 'trellis-plugin-x', undefined, 0, '', ['./local.ts', { k: 1 }]] });
    expect(out).toEqual([
      { kind: 'object', source: 'plugin.config.ts entry #2', plugin: a },
      { kind: 'module', source: 'trellis-plugin-x', specifier: 'trellis-plugin-x', options: {} },
      { kind: 'module', source: './local.ts', specifier: './local.ts', options: { k: 1 } },
    ]);
  });
});

describe('importPluginModule', () => {
  let dir: string;

  /** Writes a fake installed package into <dir>/node_modules/<name>. */
  function installPackage(name: string, pkg: Record<string, unknown>, files: Record<string, string>): void {
    const root = path.join(dir, 'node_modules', name);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...pkg }));
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    }
  }
  const pluginSource = (name: string) =>
    `export default { meta: { name: '${name}', version: '1.0.0', apiVersion: '^1.0.0' }, options: { fromModule: true }, register() {} };\n`;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-config-'));
    fs.writeFileSync(path.join(dir, 'plugin.config.ts'), '// only its folder matters\n');
    installPackage('trellis-plugin-main', { type: 'module', main: 'lib/main.js' }, { 'lib/main.js': pluginSource('via-main') });
    installPackage('trellis-plugin-string-exports', { type: 'module', exports: './dist/index.js' }, { 'dist/index.js': pluginSource('via-string-exports') });
    installPackage(
      'trellis-plugin-esm-only',
      { type: 'module', exports: { '.': { types: './index.d.ts', import: './esm/index.js' }, './extra': { import: './esm/extra.js' } } },
      { 'esm/index.js': pluginSource('esm-only'), 'esm/extra.js': pluginSource('esm-only-extra') },
    );
    installPackage('@acme/trellis-plugin-scoped', { type: 'module', exports: { import: './index.js' } }, { 'index.js': pluginSource('scoped') });
    installPackage('trellis-plugin-dual', { exports: { '.': { require: './index.cjs', import: './index.mjs' } } }, { 'index.cjs': 'module.exports = { default: null };\n', 'index.mjs': pluginSource('dual-esm') });
    installPackage('trellis-plugin-no-default', { type: 'module', main: 'index.js' }, { 'index.js': 'export const notAPlugin = 1;\n' });
    installPackage(
      'trellis-plugin-factory',
      { type: 'module', main: 'index.js' },
      {
        'index.js': `export default function factory(options) {
  return { meta: { name: 'factory', version: '1.0.0', apiVersion: '^1.0.0' }, register() {}, seen: options };
}\n`,
      },
    );
    installPackage(
      'trellis-plugin-factory-own-options',
      { type: 'module', main: 'index.js' },
      {
        'index.js': `export default function factory(options) {
  return { meta: { name: 'factory-own', version: '1.0.0', apiVersion: '^1.0.0' }, register() {}, options: { renamed: options.old } };
}\n`,
      },
    );
    fs.mkdirSync(path.join(dir, 'local'));
    fs.writeFileSync(path.join(dir, 'local', 'plugin.js'), pluginSource('local'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['trellis-plugin-main', 'via-main'],
    ['trellis-plugin-string-exports', 'via-string-exports'],
    ['trellis-plugin-esm-only', 'esm-only'],
    ['trellis-plugin-esm-only/extra', 'esm-only-extra'],
    ['@acme/trellis-plugin-scoped', 'scoped'],
    ['trellis-plugin-dual', 'dual-esm'],
  ])('imports the npm package %s from the config folder', async (specifier, name) => {
    const p = await importPluginModule(specifier, {}, dir);
    expect(p.meta.name).toBe(name);
  });

  it("resolves a relative path against the config's folder, not the working directory", async () => {
    expect((await importPluginModule('./local/plugin.js', {}, dir)).meta.name).toBe('local');
    expect((await importPluginModule(path.join(dir, 'local/plugin.js'), {}, REPO_ROOT)).meta.name).toBe('local');
  });

  it('merges the config options over the options of a plugin object', async () => {
    const p = await importPluginModule('trellis-plugin-main', { extra: 2 }, dir);
    expect(p.options).toEqual({ fromModule: true, extra: 2 });
  });

  it('calls a factory with the options, and applies them as settings options unless it returns its own', async () => {
    const p = (await importPluginModule('trellis-plugin-factory', { greeting: 'Hi' }, dir)) as unknown as { seen: unknown; options: unknown };
    expect(p.seen).toEqual({ greeting: 'Hi' });
    expect(p.options).toEqual({ greeting: 'Hi' });
    const own = await importPluginModule('trellis-plugin-factory-own-options', { old: 'x' }, dir);
    expect(own.options).toEqual({ renamed: 'x' });
  });

  it('refuses a module whose default export is not a plugin', async () => {
    await expect(importPluginModule('trellis-plugin-no-default', {}, dir)).rejects.toThrow(/no default export that is a plugin/);
  });

  it('fails with the resolver error when the package is not installed', async () => {
    await expect(importPluginModule('trellis-plugin-absent', {}, dir)).rejects.toThrow(/Cannot find module 'trellis-plugin-absent'/);
    await expect(importPluginModule('trellis-plugin-esm-only/missing', {}, dir)).rejects.toThrow(/Package 'trellis-plugin-esm-only' does not export '.\/missing' for import/);
  });
});

describe('loadPluginConfig', () => {
  it('reads the default export of a config file', async () => {
    const config = await loadPluginConfig(path.join(REPO_ROOT, 'test/fixtures/configs/broken.config.ts'));
    expect(normalizeEntries(config).length).toBeGreaterThan(10);
  });

  it('refuses a file that does not export { plugins: [...] }', async () => {
    await expect(loadPluginConfig(path.join(REPO_ROOT, 'test/fixtures/plugins/_shared/register-everything.ts'))).rejects.toThrow(/must export default defineConfig/);
  });
});

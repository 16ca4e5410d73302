// One eta instance for core views (views/) and plugin views ('@<plugin>/<path>', preloaded by name).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { helpers, type Helpers } from './helpers.ts';

export const CORE_VIEWS_DIR = fileURLToPath(new URL('../../views/', import.meta.url));

/** Eta with our helpers reachable as `h` in every template, partials included. */
class TrellisEta extends Eta {
  h: Helpers = helpers;
}

export class ViewRenderer {
  readonly #eta: TrellisEta;
  readonly #namespaces = new Set<string>();

  constructor(opts: { viewsDir?: string; cache?: boolean } = {}) {
    this.#eta = new TrellisEta({
      views: opts.viewsDir ?? CORE_VIEWS_DIR,
      cache: opts.cache ?? true,
      autoEscape: true,
      functionHeader: 'const h = this.h;',
    });
  }

  /**
   * Compiles every .eta file under `dir` as '@<namespace>/<relative path without .eta>'.
   * Plugin views are compiled at boot, so a syntax error disables the plugin instead of a page.
   */
  loadNamespace(namespace: string, dir: string | URL): number {
    const root = typeof dir === 'string' ? dir : fileURLToPath(dir);
    if (!fs.existsSync(root)) return 0;
    let count = 0;
    const walk = (d: string) => {
      for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.eta')) {
          const rel = path.relative(root, full).replace(/\\/g, '/').replace(/\.eta$/, '');
          this.#eta.loadTemplate(`@${namespace}/${rel}`, fs.readFileSync(full, 'utf8'));
          count++;
        }
      }
    };
    walk(root);
    this.#namespaces.add(namespace);
    return count;
  }

  hasNamespace(namespace: string): boolean {
    return this.#namespaces.has(namespace);
  }

  render(view: string, data: object): string {
    return this.#eta.render(view, data);
  }
}

// Menu entries registered by core and plugins, grouped by area and section for the layouts.
export type MenuArea = 'admin' | 'client';

export interface MenuEntry {
  area: MenuArea;
  /** Group heading, e.g. 'services', 'billing', 'system'. */
  section: string;
  id: string;
  label: string;
  /** Absolute path ("/admin/system/jobs"); plugins pass a path relative to their mount and the host resolves it. */
  href: string;
  order?: number;
  /** Staff roles allowed to see it; absent means every staff user (or every client user). */
  roles?: string[];
}

export interface MenuSection {
  id: string;
  label: string;
  entries: (MenuEntry & { owner: string })[];
}

const SECTION_LABELS: Record<string, string> = {
  dashboard: 'Dashboard',
  clients: 'Clients',
  billing: 'Billing',
  services: 'Services',
  catalog: 'Catalog',
  processing: 'Processing',
  support: 'Support',
  account: 'Account',
  system: 'System',
};
const SECTION_ORDER = ['dashboard', 'clients', 'billing', 'services', 'catalog', 'processing', 'support', 'account', 'system'];

export class MenuRegistry {
  readonly #entries: (MenuEntry & { owner: string })[] = [];

  add(entry: MenuEntry, owner = 'core'): void {
    if (this.#entries.some((e) => e.area === entry.area && e.owner === owner && e.id === entry.id)) {
      throw new Error(`Menu entry '${owner}:${entry.id}' is already registered`);
    }
    this.#entries.push({ ...entry, owner });
  }

  entries(owner?: string): readonly (MenuEntry & { owner: string })[] {
    return owner ? this.#entries.filter((e) => e.owner === owner) : this.#entries;
  }

  /** Sections in a stable order, filtered by the viewer's role. */
  sections(area: MenuArea, role: string | null, isEnabled: (owner: string) => boolean = () => true): MenuSection[] {
    const visible = this.#entries.filter(
      (e) => e.area === area && isEnabled(e.owner) && (!e.roles || (role !== null && e.roles.includes(role))),
    );
    const bySection = new Map<string, (MenuEntry & { owner: string })[]>();
    for (const e of visible) bySection.set(e.section, [...(bySection.get(e.section) ?? []), e]);
    const rank = (s: string) => {
      const i = SECTION_ORDER.indexOf(s);
      return i === -1 ? SECTION_ORDER.length : i;
    };
    return [...bySection.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([id, list]) => ({
        id,
        label: SECTION_LABELS[id] ?? id.charAt(0).toUpperCase() + id.slice(1),
        entries: list.sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.label.localeCompare(b.label)),
      }));
  }
}

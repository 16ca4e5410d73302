// UI slots: named places in core pages where plugins add HTML (rendered in registration order).
import type { Logger } from '../log.ts';
import type { SlotRenderer } from './api.ts';

export class SlotRegistry {
  readonly #slots = new Map<string, { owner: string; render: SlotRenderer }[]>();
  constructor(private readonly log: Logger, private readonly isEnabled: (owner: string) => boolean = () => true) {}

  add(name: string, owner: string, render: SlotRenderer): void {
    this.#slots.set(name, [...(this.#slots.get(name) ?? []), { owner, render }]);
  }

  /** Concatenated HTML of every enabled owner; a failing renderer is logged and skipped. */
  async render(name: string, data: Record<string, unknown>): Promise<string> {
    let html = '';
    for (const { owner, render } of this.#slots.get(name) ?? []) {
      if (!this.isEnabled(owner)) continue;
      try {
        html += await render(data);
      } catch (err) {
        this.log.error('slot renderer failed', { slot: name, plugin: owner, err });
      }
    }
    return html;
  }

  count(owner?: string): number {
    let n = 0;
    for (const list of this.#slots.values()) n += owner ? list.filter((s) => s.owner === owner).length : list.length;
    return n;
  }
}

// core_settings: JSON values by key; plugin settings merged defaults ← config options ← saved, secrets sealed.
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Clock } from '../clock.ts';
import { iso } from '../db/time.ts';
import type { SecretBox } from '../secrets/crypto.ts';

export interface SettingsShape {
  schema: z.ZodType<Record<string, unknown>>;
  defaults?: Record<string, unknown>;
  secret?: string[];
}

export type SettingsResult = { ok: true; value: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

export function zodFieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_form';
    if (!errors[key]) errors[key] = issue.message;
  }
  return errors;
}

export class SettingsStore {
  constructor(private readonly deps: { db: Knex; clock: Clock; secrets: SecretBox }) {}

  /** Pass `trx` when called inside a transaction: on SQLite the pool's one connection is the transaction's. */
  async get<T>(key: string, trx?: Knex.Transaction): Promise<T | undefined> {
    const row = (await (trx ?? this.deps.db)('core_settings').where({ key }).first()) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set(key: string, value: unknown, trx?: Knex.Transaction): Promise<void> {
    const db = trx ?? this.deps.db;
    const row = { key, value: JSON.stringify(value), updated_at: iso(this.deps.clock.now()) };
    await db('core_settings').insert(row).onConflict('key').merge(['value', 'updated_at']);
  }

  async delete(key: string): Promise<void> {
    await this.deps.db('core_settings').where({ key }).delete();
  }

  static pluginKey(name: string): string {
    return `plugin.${name}`;
  }

  /** The saved values of a plugin with secrets decrypted (no defaults, no validation). */
  async savedPluginValues(name: string, shape: SettingsShape): Promise<Record<string, unknown>> {
    const saved = (await this.get<Record<string, unknown>>(SettingsStore.pluginKey(name))) ?? {};
    for (const field of shape.secret ?? []) {
      const v = saved[field];
      if (typeof v === 'string' && v) saved[field] = this.deps.secrets.decrypt(v);
    }
    return saved;
  }

  /** defaults ← options from plugin.config.ts ← values saved in the admin UI, validated by the schema. */
  async resolvePluginSettings(name: string, shape: SettingsShape, options: Record<string, unknown> = {}): Promise<SettingsResult> {
    const saved = await this.savedPluginValues(name, shape);
    const merged = { ...(shape.defaults ?? {}), ...options, ...saved };
    const parsed = shape.schema.safeParse(merged);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: zodFieldErrors(parsed.error) };
  }

  /**
   * Validates input from the settings page and saves it. A secret field left blank keeps the stored
   * value (the page never echoes secrets back). Returns the field errors, or the saved values.
   */
  async savePluginSettings(name: string, shape: SettingsShape, options: Record<string, unknown>, input: Record<string, unknown>): Promise<SettingsResult> {
    const saved = await this.savedPluginValues(name, shape);
    const next: Record<string, unknown> = { ...input };
    for (const field of shape.secret ?? []) {
      if (next[field] === '' || next[field] === undefined) {
        if (saved[field] !== undefined) next[field] = saved[field];
        else delete next[field];
      }
    }
    const merged = { ...(shape.defaults ?? {}), ...options, ...next };
    const parsed = shape.schema.safeParse(merged);
    if (!parsed.success) return { ok: false, errors: zodFieldErrors(parsed.error) };
    const toStore: Record<string, unknown> = {};
    for (const key of Object.keys(next)) toStore[key] = (parsed.data as Record<string, unknown>)[key];
    for (const field of shape.secret ?? []) {
      const v = toStore[field];
      if (typeof v === 'string' && v) toStore[field] = this.deps.secrets.encrypt(v);
    }
    await this.set(SettingsStore.pluginKey(name), toStore);
    return { ok: true, value: parsed.data };
  }
}

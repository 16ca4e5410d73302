// Turns a plugin's zod settings schema into form fields, and posted strings back into typed values.
import { z } from 'zod';

export interface SettingsField {
  name: string;
  label: string;
  hint?: string;
  type: 'text' | 'number' | 'checkbox' | 'select' | 'password' | 'url' | 'email';
  options?: { value: string; label: string }[];
  secret: boolean;
  required: boolean;
}

type Def = { type: string; innerType?: z.ZodType; checks?: { _zod: { def: { format?: string } } }[]; entries?: Record<string, string> };
const defOf = (t: z.ZodType): Def => (t as unknown as { _zod: { def: Def } })._zod.def;

/** Strips optional/default/nullable wrappers; returns the inner type and whether a value is needed. */
function unwrap(t: z.ZodType): { inner: z.ZodType; required: boolean } {
  let inner = t;
  let required = true;
  for (let d = defOf(inner); ['optional', 'default', 'nullable', 'prefault'].includes(d.type) && d.innerType; d = defOf(inner)) {
    required = false;
    inner = d.innerType;
  }
  return { inner, required };
}

function humanize(key: string): string {
  const spaced = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

export function settingsFields(
  schema: z.ZodType,
  secret: string[] = [],
  labels: Record<string, { label: string; hint?: string } | undefined> = {},
): SettingsField[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, t]) => {
    const { inner, required } = unwrap(t);
    const d = defOf(inner);
    const isSecret = secret.includes(name);
    let type: SettingsField['type'] = 'text';
    let options: SettingsField['options'];
    if (isSecret) type = 'password';
    else if (d.type === 'number' || d.type === 'int') type = 'number';
    else if (d.type === 'boolean') type = 'checkbox';
    else if (d.type === 'enum') {
      type = 'select';
      options = Object.values(d.entries ?? {}).map((v) => ({ value: v, label: v }));
    } else if (d.type === 'string') {
      const format = d.checks?.map((c) => c._zod.def.format).find(Boolean);
      if (format === 'url') type = 'url';
      if (format === 'email') type = 'email';
    }
    const label = labels[name];
    return { name, label: label?.label ?? humanize(name), hint: label?.hint, type, options, secret: isSecret, required };
  });
}

/** Converts posted strings to the types the schema expects (numbers, checkboxes); blanks become absent. */
export function coerceSettingsInput(fields: SettingsField[], values: Record<string, string | string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = values[f.name];
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (f.type === 'checkbox') out[f.name] = v === '1' || v === 'on' || v === 'true';
    else if (v === undefined || v === '') {
      if (f.secret) out[f.name] = '';
    } else if (f.type === 'number') out[f.name] = Number(v);
    else out[f.name] = v;
  }
  return out;
}

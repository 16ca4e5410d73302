// Form handling: validate a posted form with zod and hand back field errors plus what was typed.
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from './env.ts';
import { CSRF_FIELD } from './csrf.ts';
import { zodFieldErrors } from '../settings/store.ts';

export type FormValues = Record<string, string | string[]>;

export type FormResult<T> =
  | { ok: true; data: T; values: FormValues }
  | { ok: false; errors: Record<string, string>; values: FormValues };

/** Reads the body as a form; repeated fields (multi-selects, checkboxes) become arrays. */
export async function readFormValues(c: Context<AppEnv>): Promise<FormValues> {
  const body = await c.req.parseBody({ all: true });
  const values: FormValues = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === CSRF_FIELD) continue;
    if (Array.isArray(v)) values[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') values[k] = v;
  }
  return values;
}

export async function validateForm<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<FormResult<z.output<S>>> {
  const values = await readFormValues(c);
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data, values };
  return { ok: false, errors: zodFieldErrors(parsed.error), values };
}

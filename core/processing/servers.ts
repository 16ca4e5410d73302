// Processing servers: their store, the form rules of seeds 001/002, presets, and choosing one for an order.
import { z } from 'zod';
import type { Knex } from 'knex';
import { bool } from '../db/time.ts';
import { isHttpUrl } from '../views/helpers.ts';
import { SERVICE_STATUSES, isTerminal } from '../billing/services/status.ts';
import type { ProcessingModule, ServerConfig } from './types.ts';

type Q = Knex | Knex.Transaction;

/** What the registry offers the functions here; ProcessingService is one. */
export interface ModuleLookup {
  module(name: string): ProcessingModule | undefined;
}

/** A processing server as pages and callers see it: the sealed password stays in the database. */
export interface ProcessingServer {
  id: number;
  name: string;
  module: string;
  item_type: string;
  url: string;
  username: string;
  hasPassword: boolean;
  department_id: number | null;
  max_clients: number | null;
  use_for_new_orders: boolean;
  allow_prolong: boolean;
  allow_set_param: boolean;
  notify_errors: boolean;
  config: ServerConfig;
  config_fetched_at: string | null;
  checked_at: string | null;
  check_ok: boolean | null;
  check_message: string | null;
  created_at: string;
  updated_at: string;
}

interface ServerDbRow extends Omit<ProcessingServer, 'hasPassword' | 'config'> {
  password_sealed: string | null;
  config: string;
}

/** Statuses that hold a place on a server (max clients counts them). */
export const NON_TERMINAL_STATUSES = SERVICE_STATUSES.filter((s) => !isTerminal(s));

export function parseServerConfig(raw: unknown): ServerConfig {
  if (typeof raw !== 'string' || raw === '') return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as ServerConfig) : {};
  } catch {
    return {};
  }
}

function toServer(r: ServerDbRow): ProcessingServer {
  const { password_sealed, config, ...rest } = r;
  return {
    ...rest,
    id: Number(r.id),
    department_id: r.department_id === null ? null : Number(r.department_id),
    max_clients: r.max_clients === null ? null : Number(r.max_clients),
    use_for_new_orders: bool(r.use_for_new_orders),
    allow_prolong: bool(r.allow_prolong),
    allow_set_param: bool(r.allow_set_param),
    notify_errors: bool(r.notify_errors),
    check_ok: r.check_ok === null ? null : bool(r.check_ok),
    hasPassword: Boolean(password_sealed),
    config: parseServerConfig(config),
  };
}

export async function getServer(db: Q, id: number): Promise<ProcessingServer | undefined> {
  const row = (await db('core_processing_servers').where({ id }).first()) as ServerDbRow | undefined;
  return row ? toServer(row) : undefined;
}

/** The sealed password of a server (for ProcessingService to open); never for pages. */
export async function sealedPassword(db: Q, id: number): Promise<string | null> {
  const row = (await db('core_processing_servers').where({ id }).first('password_sealed')) as { password_sealed: string | null } | undefined;
  return row?.password_sealed ?? null;
}

export async function listServers(db: Q): Promise<ProcessingServer[]> {
  return ((await db('core_processing_servers').orderBy('name')) as ServerDbRow[]).map(toServer);
}

/** The query behind the servers page (with the department's name), unsorted. */
export function serverListQuery(db: Q) {
  return db('core_processing_servers as s').select(
    's.id',
    's.name',
    's.module',
    's.item_type',
    's.url',
    's.username',
    's.max_clients',
    's.use_for_new_orders',
    's.check_ok',
    's.checked_at',
    db('core_departments as d').select('d.name').where('d.id', db.ref('s.department_id')).as('department_name'),
    db('core_item_types as it').select('it.name').where('it.id', db.ref('s.item_type')).as('item_type_name'),
  );
}

/** Services that hold a place on each server (not cancelled, transferred or fraud). */
export async function activeServiceCounts(db: Q, serverIds: number[]): Promise<Map<number, number>> {
  if (serverIds.length === 0) return new Map();
  const rows = (await db('core_services')
    .select('processing_server_id')
    .count({ n: '*' })
    .whereIn('processing_server_id', serverIds)
    .whereIn('status', NON_TERMINAL_STATUSES)
    .groupBy('processing_server_id')) as { processing_server_id: number; n: number | string }[];
  return new Map(rows.map((r) => [Number(r.processing_server_id), Number(r.n)]));
}

/** The presets the server offered when its configuration was last fetched ("Preset HPCorei5"). */
export async function serverPresets(db: Q, serverId: number): Promise<{ internalName: string; name: string }[]> {
  const server = await getServer(db, serverId);
  return server?.config.presets ?? [];
}

/**
 * The server a new order of `packageId` should go to: among the servers the package allows
 * (core_package_servers), or every server of the item type when the package lists none, those
 * marked "Use for new orders" and below their maximum clients (counting services that are not
 * cancelled, transferred or fraud); the least loaded wins, then the oldest. Null when none fits.
 * Two orders at the same moment may both take the last place: the limit is a guide, not a lock.
 */
export async function chooseServer(db: Q, input: { itemType: string; packageId: number }): Promise<ProcessingServer | null> {
  const allowed = ((await db('core_package_servers').where({ package_id: input.packageId }).select('server_id')) as { server_id: number }[]).map((r) => Number(r.server_id));
  const q = db('core_processing_servers').where({ item_type: input.itemType, use_for_new_orders: true });
  if (allowed.length) q.whereIn('id', allowed);
  const candidates = ((await q.orderBy('id')) as ServerDbRow[]).map(toServer);
  if (candidates.length === 0) return null;
  const counts = await activeServiceCounts(db, candidates.map((s) => s.id));
  let best: { server: ProcessingServer; n: number } | null = null;
  for (const server of candidates) {
    const n = counts.get(server.id) ?? 0;
    if (server.max_clients !== null && n >= server.max_clients) continue;
    if (!best || n < best.n) best = { server, n };
  }
  return best?.server ?? null;
}

/**
 * Seed 002/004: a package served by a module that `requiresPreset` must use one of the server's
 * presets as its internal name. Returns what is wrong, for the package form, or null when fine.
 */
export async function validatePackageInternalName(db: Q, input: { internalName: string; serverIds: number[] }, modules: ModuleLookup): Promise<string | null> {
  for (const serverId of input.serverIds) {
    const server = await getServer(db, serverId);
    if (!server) return `Processing server #${serverId} does not exist.`;
    const module = modules.module(server.module);
    if (!module?.requiresPreset) continue;
    const presets = server.config.presets ?? [];
    if (presets.length === 0) {
      return `Server “${server.name}” (${module.title}) needs the package's internal name to be one of its presets, and it has none yet: press “Fetch configuration” on the server's page first.`;
    }
    if (!presets.some((p) => p.internalName === input.internalName)) {
      const list = presets.slice(0, 10).map((p) => p.internalName).join(', ');
      return `“${input.internalName}” is not a preset of server “${server.name}”. Use one of its presets as the internal name: ${list}${presets.length > 10 ? ', …' : ''}.`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The server form (seed 001): fields, rules, saving

const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (Array.isArray(v) ? v.at(-1) : v))
  .transform((v) => v === '1' || v === 'on' || v === 'true');

export const serverFormSchema = z.object({
  name: z.string().trim().min(1, 'Enter a name, such as the host name of the control panel').max(200, 'Use at most 200 characters'),
  module: z.string().trim().min(1, 'Choose the processing module (the kind of control panel)'),
  item_type: z.string().trim().min(1, 'Choose the item type this server provides'),
  url: z.string().trim().max(500, 'Use at most 500 characters').default(''),
  username: z.string().trim().max(200, 'Use at most 200 characters').default(''),
  password: z.string().max(500, 'Use at most 500 characters').default(''),
  department_id: z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^\d{1,9}$/.test(v), 'Choose a department from the list'),
  max_clients: z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || (/^\d{1,9}$/.test(v) && Number(v) >= 1), 'Enter a whole number of at least 1, or leave it blank for no limit'),
  use_for_new_orders: checkbox,
  allow_prolong: checkbox,
  allow_set_param: checkbox,
  notify_errors: checkbox,
});

export type ServerForm = z.output<typeof serverFormSchema>;

/**
 * The posted values as a ServerForm without the field rules, so the database rules can run
 * even when a field is wrong: the operator sees every problem at once.
 */
export function looseServerForm(values: Record<string, string | string[]>): ServerForm {
  const text = (k: string) => {
    const v = values[k];
    return (Array.isArray(v) ? (v.at(-1) ?? '') : (v ?? '')).trim();
  };
  const box = (k: string) => ['1', 'on', 'true'].includes(text(k));
  return {
    name: text('name'),
    module: text('module'),
    item_type: text('item_type'),
    url: text('url'),
    username: text('username'),
    password: '',
    department_id: /^\d{1,9}$/.test(text('department_id')) ? text('department_id') : '',
    max_clients: '',
    use_for_new_orders: box('use_for_new_orders'),
    allow_prolong: box('allow_prolong'),
    allow_set_param: box('allow_set_param'),
    notify_errors: box('notify_errors'),
  };
}

/** Seed 001: "specify server name as my.ru-tld.ru, URL on control panel will be filled automatically". */
export function urlFromName(name: string): string | null {
  const host = name.trim();
  if (!/^[a-z0-9.-]+(:\d{1,5})?$/i.test(host) || !host.includes('.')) return null;
  const url = `https://${host}/`;
  return isHttpUrl(url) ? new URL(url).href : null;
}

export interface ServerInput {
  name: string;
  module: string;
  itemType: string;
  url: string;
  username: string;
  /** Empty: keep the stored password (or none for a new server). */
  password: string;
  departmentId: number | null;
  maxClients: number | null;
  useForNewOrders: boolean;
  allowProlong: boolean;
  allowSetParam: boolean;
  notifyErrors: boolean;
}

/**
 * The rules that need the registry and the database, as field errors (empty when the input is
 * fine). `input` comes from serverFormSchema; `existingId` is the server being edited.
 */
export async function validateServer(db: Q, modules: ModuleLookup, form: ServerForm, existingId?: number): Promise<{ errors: Record<string, string>; input?: ServerInput; conflict: boolean }> {
  const errors: Record<string, string> = {};
  let conflict = false;
  const module = modules.module(form.module);
  if (!module) errors.module = `There is no processing module '${form.module}'; choose one from the list.`;
  const itemType = (await db('core_item_types').where({ id: form.item_type }).first('id', 'name')) as { id: string; name: string } | undefined;
  if (!itemType) errors.item_type = 'Choose an item type from the list.';
  else if (module?.itemTypes && !module.itemTypes.includes(itemType.id)) {
    const names = ((await db('core_item_types').whereIn('id', module.itemTypes).orderBy('position').select('name')) as { name: string }[]).map((r) => r.name);
    errors.item_type = `The module “${module.title}” cannot provide ${itemType.name}; it provides ${names.length ? names.join(', ') : module.itemTypes.join(', ')}.`;
  }

  let url = form.url;
  if (url === '') {
    const derived = urlFromName(form.name);
    if (derived) url = derived;
    else errors.url = `Enter the control panel's address: “${form.name}” is not a host name, so it cannot be made from the name.`;
  } else if (!isHttpUrl(url)) {
    errors.url = 'Enter an address that starts with http:// or https://, such as https://my.example.com/';
  } else {
    url = new URL(url).href;
  }

  const departmentId = form.department_id === '' ? null : Number(form.department_id);
  if (departmentId !== null && !(await db('core_departments').where({ id: departmentId }).first('id'))) errors.department_id = 'Choose a department from the list.';

  const sameName = db('core_processing_servers').where({ name: form.name }).first('id');
  if (existingId !== undefined) sameName.whereNot('id', existingId);
  if (await sameName) {
    errors.name = 'Another processing server has this name; give each server its own name.';
    conflict = true;
  }

  if (itemType && !errors.url) {
    // Seed 002: a single server cannot process different types of services, so a DSmanager that
    // provides dedicated servers and colocation is added twice, once per type, with the same URL
    // and login. The same login twice for the same type is a duplicate: its services would be
    // split between two entries that are one upstream account.
    const clashQ = db('core_processing_servers')
      .where({ url, username: form.username, item_type: itemType.id })
      .first('name');
    if (existingId !== undefined) clashQ.whereNot('id', existingId);
    const clash = (await clashQ) as { name: string } | undefined;
    if (clash) {
      errors.item_type = `Server “${clash.name}” already provides ${itemType.name} from this URL with this user. Use that server (raise its maximum of clients if needed) instead of adding it twice.`;
      conflict = true;
    }
  }

  if (existingId !== undefined && itemType) {
    // Services already provided here stay of their type: changing it would strand them.
    const other = (await db('core_services')
      .where({ processing_server_id: existingId })
      .whereIn('status', NON_TERMINAL_STATUSES)
      .whereNot('item_type', itemType.id)
      .first('item_type')) as { item_type: string } | undefined;
    if (other) errors.item_type = `Services of type '${other.item_type}' are provided by this server; move them to another server before changing its item type.`;
  }

  if (Object.keys(errors).length) return { errors, conflict };
  return {
    errors,
    conflict,
    input: {
      name: form.name,
      module: form.module,
      itemType: form.item_type,
      url,
      username: form.username,
      password: form.password,
      departmentId,
      maxClients: form.max_clients === '' ? null : Number(form.max_clients),
      useForNewOrders: form.use_for_new_orders,
      allowProlong: form.allow_prolong,
      allowSetParam: form.allow_set_param,
      notifyErrors: form.notify_errors,
    },
  };
}

/** Inserts or updates a server; the password is sealed by `seal`, and a blank one keeps what is stored. */
export async function saveServer(db: Q, input: ServerInput, opts: { seal: (plain: string) => string; now: string; id?: number }): Promise<number> {
  const fields: Record<string, unknown> = {
    name: input.name,
    module: input.module,
    item_type: input.itemType,
    url: input.url,
    username: input.username,
    department_id: input.departmentId,
    max_clients: input.maxClients,
    use_for_new_orders: input.useForNewOrders,
    allow_prolong: input.allowProlong,
    allow_set_param: input.allowSetParam,
    notify_errors: input.notifyErrors,
    updated_at: opts.now,
  };
  if (input.password !== '') fields.password_sealed = opts.seal(input.password);
  if (opts.id !== undefined) {
    await db('core_processing_servers').where({ id: opts.id }).update(fields);
    return opts.id;
  }
  const [row] = await db('core_processing_servers').insert({ ...fields, created_at: opts.now }).returning('id');
  return Number(typeof row === 'object' ? (row as { id: number }).id : row);
}

export async function recordCheck(db: Q, id: number, result: { ok: boolean; message: string; at: string }): Promise<void> {
  await db('core_processing_servers').where({ id }).update({ checked_at: result.at, check_ok: result.ok, check_message: result.message.slice(0, 2000) });
}

export async function recordConfig(db: Q, id: number, config: ServerConfig, at: string): Promise<void> {
  await db('core_processing_servers').where({ id }).update({ config: JSON.stringify(config), config_fetched_at: at });
}

// Reading the `doc` envelope of an ISPsystem JSON reply (PROTOCOLS §1.2–§1.4): the XML tree mapped
// mechanically to JSON, read leniently because panels differ in what they collapse into arrays.
import type { IspErrorInfo, IspErrorParam } from './errors.ts';

/** One element as the JSON mapping gives it: `$` its text, `$x` its attribute x, other keys its children. */
export type IspNode = { readonly [key: string]: unknown };

/** The `doc` element of a reply. */
export type IspDoc = IspNode;

export function isNode(x: unknown): x is IspNode {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * A child as a list, whatever the panel sent: one element collapses to an object under `out=json`
 * on some versions ([I]), several are an array, none is absent.
 */
export function asList(x: unknown): IspNode[] {
  if (x === undefined || x === null) return [];
  const items = Array.isArray(x) ? x : [x];
  // A bare string where an element was expected is not in any observed reply, but costs nothing to accept.
  return items.flatMap((item): IspNode[] => (isNode(item) ? [item] : typeof item === 'string' ? [{ $: item }] : []));
}

/** The first child called `name`. */
export function child(node: unknown, name: string): IspNode | undefined {
  return isNode(node) ? asList(node[name])[0] : undefined;
}

/** An attribute (`$name` in JSON) of the element, or of the first one when it is repeated. */
export function attr(x: unknown, name: string): string | undefined {
  const node = asList(x)[0];
  const v = node?.[`$${name}`];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The value of an element: `$orig` (the raw value) when the panel sent both it and a display text,
 * else the text; an empty element gives ''. Undefined when the element is absent.
 */
export function textOf(x: unknown): string | undefined {
  const node = asList(x)[0];
  if (!node) return undefined;
  const orig = node.$orig;
  if (typeof orig === 'string') return orig;
  const text = node.$;
  return typeof text === 'string' ? text : '';
}

/** The display text (`$`), for showing to people; textOf gives the value to compare and store. */
export function displayOf(x: unknown): string | undefined {
  const node = asList(x)[0];
  if (!node) return undefined;
  return typeof node.$ === 'string' ? node.$ : '';
}

const OFF = new Set(['off', 'no', 'false']);

/**
 * A boolean column: list flags are empty elements (present = true, absent = false) and form
 * checkboxes are "on"/"off"; both read right here.
 */
export function isSet(value: unknown): boolean {
  const text = typeof value === 'string' ? value : textOf(value);
  return text !== undefined && !OFF.has(text.trim().toLowerCase());
}

/** Reads a JSON reply body's root; null when it is not `{"doc": {...}}`. */
export function readEnvelope(body: unknown): IspDoc | null {
  if (!isNode(body)) return null;
  return isNode(body.doc) ? body.doc : null;
}

/**
 * A child of `doc`, or of the `doc` nested inside it: some BILLmanager replies (`service.prolong`,
 * `domain.ns`) put their result one level down (`doc.doc.newexpiredate`), so clients look in both.
 */
export function docField(doc: IspDoc, name: string): unknown {
  if (doc[name] !== undefined) return doc[name];
  return child(doc, 'doc')?.[name];
}

/** The error in a reply, or null when the reply is not an error. */
export function readError(doc: IspDoc): IspErrorInfo | null {
  const error = asList(docField(doc, 'error'))[0];
  if (!error) return null;
  const params: IspErrorParam[] = asList(error.param).map((p) => ({
    name: attr(p, 'name') ?? '',
    ...(attr(p, 'type') !== undefined ? { type: attr(p, 'type') } : {}),
    // The XML helper of ISPsystem's modules puts the object into a `msg` attribute too; the text is the value.
    value: displayOf(p) || attr(p, 'msg') || '',
  }));
  const byName = (n: string) => params.find((p) => p.name === n)?.value;
  const object = attr(error, 'object') ?? byName('object') ?? '';
  const value = byName('value');
  const raw = textOf(error.msg) || textOf(error.detail) || displayOf(error) || undefined;
  return {
    type: attr(error, 'type') ?? '',
    object,
    ...(value !== undefined ? { value } : {}),
    params,
    ...(raw ? { text: fillPlaceholders(raw, params, object) } : {}),
  };
}

/** `msg`/`detail` may say `__object__` or `__value__`, to be filled from the params (PROTOCOLS §1.3). */
function fillPlaceholders(text: string, params: IspErrorParam[], object: string): string {
  return text.replace(/__([A-Za-z0-9_]+?)__/g, (whole, name: string) => {
    if (name === 'object' && object) return object;
    return params.find((p) => p.name === name)?.value ?? whole;
  });
}

/** One row of a list: column name → value (`$orig` preferred; an empty-element flag is ''). */
export type IspRow = Record<string, string>;

export interface IspPaging {
  /** Rows per page (`p_cnt`). */
  pageSize?: number;
  /** 1-based page number (`p_num`). */
  page?: number;
  /** Rows in the whole list (`p_elems`). */
  total?: number;
  sort?: string;
  order?: string;
}

export interface IspList {
  rows: IspRow[];
  /** Null when the reply carried no paging fields. */
  paging: IspPaging | null;
}

/** Plain string records from the element's children; repeated children give their first value. */
function recordOf(node: IspNode): IspRow {
  const row: IspRow = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('$')) continue;
    const text = textOf(value);
    if (text !== undefined) row[key] = text;
  }
  return row;
}

function numberOf(x: unknown): number | undefined {
  const text = textOf(x);
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** A list reply (`func=X`): the `elem` rows and the paging. */
export function readList(doc: IspDoc): IspList {
  const rows = asList(docField(doc, 'elem')).map(recordOf);
  const paging: IspPaging = {};
  const pageSize = numberOf(doc.p_cnt);
  const page = numberOf(doc.p_num);
  const total = numberOf(doc.p_elems);
  if (pageSize !== undefined) paging.pageSize = pageSize;
  if (page !== undefined) paging.page = page;
  if (total !== undefined) paging.total = total;
  if (textOf(doc.p_sort)) paging.sort = textOf(doc.p_sort);
  if (textOf(doc.p_order)) paging.order = textOf(doc.p_order);
  return { rows, paging: Object.keys(paging).length ? paging : null };
}

export interface IspOption {
  key: string;
  label: string;
}

export interface IspForm {
  /** Field name → value (`$orig` preferred). */
  fields: Record<string, string>;
  /** Select options by field name, from `slist`. */
  slists: Record<string, IspOption[]>;
}

/** Children of `doc` that belong to the panel's UI or the envelope, never to a form's fields. */
const NOT_FIELDS = new Set(['tparams', 'metadata', 'toolbar', 'slist', 'saved_filters', 'customizer', 'messages', 'doc', 'ok', 'error', 'elem', 'page', 'p_cnt', 'p_num', 'p_elems', 'p_sort', 'p_order']);

/**
 * A form reply (`X.edit` without `sok`): one child per field plus `slist` options
 * (`{"$name":"f","val":[{"$key":"k","$":"label"}]}`; the exact slist JSON is [I], so `msg` items
 * as in processing-module XML are read too).
 */
export function readForm(doc: IspDoc): IspForm {
  const fields: Record<string, string> = {};
  const inner = child(doc, 'doc');
  for (const source of inner ? [inner, doc] : [doc]) {
    for (const [key, value] of Object.entries(source)) {
      if (key.startsWith('$') || NOT_FIELDS.has(key)) continue;
      const text = textOf(value);
      if (text !== undefined) fields[key] = text;
    }
  }
  const slists: Record<string, IspOption[]> = {};
  for (const list of [...asList(inner?.slist), ...asList(doc.slist)]) {
    const name = attr(list, 'name');
    if (!name) continue;
    slists[name] = [...asList(list.val), ...asList(list.msg)].map((v) => {
      const label = displayOf(v) ?? '';
      return { key: attr(v, 'key') ?? label, label };
    });
  }
  return { fields, slists };
}

/** Whether the reply says `ok` (a saved form, a group operation). */
export function readOk(doc: IspDoc): boolean {
  return docField(doc, 'ok') !== undefined;
}

/**
 * The id of a created object (`<id>42</id>` after `sok=ok` without `elid`); some functions name it
 * otherwise (DCImanager `iplist.edit` answers `<ip>`), hence `name`.
 */
export function readId(doc: IspDoc, name = 'id'): string | undefined {
  const id = textOf(docField(doc, name));
  return id ? id : undefined;
}

/**
 * The session of a `func=auth` reply: `out=json` puts the id in the text, `out=sjson` in the `id`
 * attribute; panels differ, so either is taken.
 */
export function readAuth(doc: IspDoc): { session: string; level?: string } | undefined {
  const auth = child(doc, 'auth');
  if (!auth) return undefined;
  const session = attr(auth, 'id') || displayOf(auth);
  if (!session) return undefined;
  const level = attr(auth, 'level');
  return level ? { session, level } : { session };
}

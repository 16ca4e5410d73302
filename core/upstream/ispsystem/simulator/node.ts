// The reply tree of the simulator: one XML-like tree per reply, written as XML or JSON like the real panel.

/** An element: name, attributes, text, children. */
export interface SimNode {
  name: string;
  attrs: Record<string, string>;
  text?: string;
  children: SimNode[];
  /** Written as a JSON array even when it is the only child of its name (as `sjson` does for lists). */
  array?: boolean;
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function isXmlName(name: string): boolean {
  return XML_NAME.test(name) && !/^xml/i.test(name);
}

/**
 * Builds an element; string children become its text.
 *
 * @example
 * el('auth', { id: sid, level: '16' }, sid)   // <auth id="…" level="16">…</auth>
 * el('elem', null, el('id', null, '1'), el('poweron'))
 */
export function el(name: string, attrs?: Record<string, string | number> | null, ...children: (SimNode | string | number | null | undefined | false)[]): SimNode {
  // A name that is not an XML name would make the XML reply unreadable; fail where the tree is built.
  if (!isXmlName(name)) throw new TypeError(`'${name}' cannot be an element name`);
  const node: SimNode = { name, attrs: {}, children: [] };
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (!isXmlName(k)) throw new TypeError(`'${k}' cannot be an attribute name`);
    node.attrs[k] = String(v);
  }
  let text = '';
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (typeof c === 'object') node.children.push(c);
    else text += String(c);
  }
  if (text) node.text = text;
  return node;
}

/**
 * A list value: a string, `true` for a flag (an empty element; `false`/undefined leave it out),
 * or a raw value with a display text (`$orig` and `$`).
 */
export type SimValue = string | number | boolean | undefined | null | { orig: string; display: string };

function valueNode(name: string, value: SimValue): SimNode | null {
  if (value === undefined || value === null || value === false) return null;
  if (value === true) return el(name);
  if (typeof value === 'object') return el(name, { orig: value.orig }, value.display);
  return el(name, null, String(value));
}

/** Field elements from a record, skipping absent values. */
export function fieldNodes(values: Record<string, SimValue>): SimNode[] {
  return Object.entries(values).flatMap(([k, v]) => valueNode(k, v) ?? []);
}

/**
 * A list reply: one `elem` per row and the paging fields. Honors `p_cnt`/`p_num` when the request
 * gives them (their use as request parameters is [I]).
 */
export function listReply(rows: Record<string, SimValue>[], paging: { p_cnt?: string; p_num?: string } = {}): SimNode[] {
  const size = Math.max(1, Number(paging.p_cnt) || 1000);
  const page = Math.max(1, Number(paging.p_num) || 1);
  const shown = rows.slice((page - 1) * size, page * size);
  return [
    ...shown.map((row) => el('elem', null, ...fieldNodes(row))),
    el('p_cnt', null, size),
    el('p_num', null, page),
    el('p_elems', null, rows.length),
  ];
}

/** A form reply: one element per field plus `slist` select options ([I] for their exact shape). */
export function formReply(fields: Record<string, SimValue>, slists: Record<string, { key: string; label: string }[]> = {}): SimNode[] {
  return [
    ...fieldNodes(fields),
    ...Object.entries(slists).map(([name, options]) => el('slist', { name }, ...options.map((o) => el('val', { key: o.key }, o.label)))),
  ];
}

/** `<ok/>`: a saved form or a group operation. */
export function okReply(): SimNode[] {
  return [el('ok')];
}

/** `<id>…</id>`: the object a `sok=ok` without `elid` created. */
export function idReply(id: string | number, name = 'id'): SimNode[] {
  return [el(name, null, String(id))];
}

/** The result inside a second `doc`, as BILLmanager answers `service.prolong` and `domain.ns`. */
export function nestedDocReply(...children: SimNode[]): SimNode[] {
  return [el('doc', null, ...children)];
}

// Writes a reply tree as XML or as JSON (`out=json` / `out=sjson`) with the mechanical mapping of
// PROTOCOLS §1.2, so both formats come from one tree as they do in the real panel.
import type { SimNode } from './node.ts';

export type OutFormat = 'xml' | 'json' | 'sjson';

/**
 * Children written as arrays even when alone. `sjson` was observed doing it for `elem`, `page` and
 * `slist`; whether `json` collapses a single child is [I], and §1.2 asks the simulator to keep `elem`
 * an array there too. Anything else becomes an array only when repeated (or when a node asks).
 */
const ALWAYS_ARRAY: Record<'json' | 'sjson', ReadonlySet<string>> = {
  json: new Set(['elem']),
  sjson: new Set(['elem', 'page', 'slist']),
};

/** The JSON value of one element: `$` text, `$x` attributes, children by name; `{}` when it has none. */
export function jsonValueOf(node: SimNode, format: 'json' | 'sjson' = 'json'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node.attrs)) out[`$${k}`] = v;
  if (node.text !== undefined) out.$ = node.text;
  const groups = new Map<string, SimNode[]>();
  for (const c of node.children) {
    const group = groups.get(c.name);
    if (group) group.push(c);
    else groups.set(c.name, [c]);
  }
  for (const [name, group] of groups) {
    const asArray = group.length > 1 || ALWAYS_ARRAY[format].has(name) || group.some((c) => c.array);
    out[name] = asArray ? group.map((c) => jsonValueOf(c, format)) : jsonValueOf(group[0]!, format);
  }
  return out;
}

export function toJson(root: SimNode, format: 'json' | 'sjson' = 'json'): string {
  return JSON.stringify({ [root.name]: jsonValueOf(root, format) });
}

// XML 1.0 cannot carry these characters at all, not even escaped.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function escapeText(s: string): string {
  // \r is escaped because a parser turns a literal one into \n.
  return s.replace(NOT_XML_CHAR, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function escapeAttr(s: string): string {
  // Line breaks and tabs are escaped so attribute normalisation does not turn them into spaces.
  return escapeText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function writeXml(node: SimNode): string {
  const attrs = Object.entries(node.attrs).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  if (node.text === undefined && node.children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${node.text !== undefined ? escapeText(node.text) : ''}${node.children.map(writeXml).join('')}</${node.name}>`;
}

export function toXml(root: SimNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${writeXml(root)}\n`;
}

// A strict little XML reader for tests: it throws on anything not well-formed, so the simulator's XML
// output can be checked and the spec's XML examples turned into reply trees.
import type { SimNode } from '../../../core/upstream/ispsystem/simulator/index.ts';

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`'<' inside text or attribute near ${at}`);
  return raw.replace(/&([^;]*);?/g, (whole, ent: string) => {
    if (!whole.endsWith(';')) throw new Error(`unterminated entity near ${at}`);
    if (ent in ENTITIES) return ENTITIES[ent]!;
    const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ent);
    if (!m) throw new Error(`unknown entity &${ent}; near ${at}`);
    return String.fromCodePoint(m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : Number(m[1]));
  });
}

export function parseXml(xml: string): SimNode {
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0];
      i += ws.length;
      if (xml.startsWith('<?', i)) {
        const end = xml.indexOf('?>', i);
        if (end < 0) throw new Error('unterminated processing instruction');
        i = end + 2;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new Error('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  const element = (): SimNode => {
    if (xml[i] !== '<') throw new Error(`expected '<' at ${i}`);
    i++;
    const name = NAME.exec(xml.slice(i))?.[0];
    if (!name) throw new Error(`bad element name at ${i}`);
    i += name.length;
    const node: SimNode = { name, attrs: {}, children: [] };
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0];
      i += ws.length;
      if (xml.startsWith('/>', i)) {
        i += 2;
        return node;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      if (!ws) throw new Error(`expected whitespace before attribute at ${i}`);
      const attr = NAME.exec(xml.slice(i))?.[0];
      if (!attr) throw new Error(`bad attribute name at ${i}`);
      i += attr.length;
      const m = /^\s*=\s*(["'])/.exec(xml.slice(i));
      if (!m) throw new Error(`attribute ${attr} without a quoted value at ${i}`);
      i += m[0].length;
      const end = xml.indexOf(m[1]!, i);
      if (end < 0) throw new Error(`unterminated attribute ${attr}`);
      if (attr in node.attrs) throw new Error(`duplicate attribute ${attr}`);
      node.attrs[attr] = decode(xml.slice(i, end), i);
      i = end + 1;
    }
    let text = '';
    for (;;) {
      if (i >= xml.length) throw new Error(`element <${name}> is not closed`);
      if (xml.startsWith('</', i)) {
        i += 2;
        if (!xml.startsWith(name, i)) throw new Error(`</${xml.slice(i, i + name.length)}> closes <${name}> at ${i}`);
        i += name.length;
        const m = /^\s*>/.exec(xml.slice(i));
        if (!m) throw new Error(`bad closing tag at ${i}`);
        i += m[0].length;
        break;
      }
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new Error('unterminated comment');
        i = end + 3;
      } else if (xml[i] === '<') {
        node.children.push(element());
      } else {
        const end = xml.indexOf('<', i);
        const stop = end < 0 ? xml.length : end;
        text += decode(xml.slice(i, stop), i);
        i = stop;
      }
    }
    if (node.children.length === 0 || text.trim()) {
      if (text) node.text = node.children.length ? text.trim() : text;
    }
    return node;
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== xml.length) throw new Error(`content after the root element at ${i}`);
  return root;
}

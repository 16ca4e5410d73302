// The simulator writes one reply tree as XML or JSON by the §1.2 mapping: the spec's own examples
// come out as quoted, and the XML is well-formed whatever the values hold.
import { describe, expect, it } from 'vitest';
import { el, errorNode, formReply, jsonValueOf, listReply, SimError, toJson, toXml, type SimNode } from '../../../core/upstream/ispsystem/simulator/index.ts';
import * as F from './fixtures.ts';
import { parseXml } from './xml.ts';

const tparams = (fields: Record<string, string>) => el('tparams', null, ...Object.entries(fields).map(([k, v]) => el(k, null, v)));

describe('the JSON mapping', () => {
  it('writes the group-operation example of §1.2 as quoted', () => {
    const doc = el('doc', { lang: 'en', func: 'user.suspend', binary: '/ispmgr' }, el('ok'), el('saved_filters'), tparams({ elid: 'user0', func: 'user.suspend', out: 'sjson' }));
    expect(JSON.parse(toJson(doc, 'sjson'))).toEqual(JSON.parse(F.GROUP_OK_SJSON));
  });

  it('writes the webdomain list example: $orig with display text, empty-element flag, paging', () => {
    const doc = el(
      'doc',
      null,
      ...listReply([{ active: 'on', id: '1', name: 'testsite.ru', owner: 'user0', ipaddr: '192.168.0.1', database: { orig: 'db_not_assigned', display: 'Notused' }, ssl_issued_success: true, install_in_progress: false }], { p_cnt: '1000' }),
      el('p_order', null, 'asc'),
      el('p_sort', null, 'name'),
      tparams({ func: 'webdomain', out: 'sjson' }),
    );
    const expected = JSON.parse(F.WEBDOMAIN_LIST_SJSON) as { doc: Record<string, unknown> };
    delete expected.doc.metadata;
    expected.doc.p_elems = { $: '1' };
    expect(JSON.parse(toJson(doc, 'sjson'))).toEqual(expected);
  });

  it('writes the real auth error of §1.3 as quoted', () => {
    const err = new SimError('auth', 'badpassword', { value: 'remote_addr: [85.140.114.49]', msg: 'Invalid username or password ' });
    expect(JSON.parse(toJson(el('doc', null, errorNode(err, 'en'))))).toEqual(JSON.parse(F.AUTH_ERROR_JSON));
  });

  it('writes the session reply with the id as both attribute and text', () => {
    expect(JSON.parse(toJson(el('doc', null, el('auth', { id: 'ID', level: 16 }, 'ID'))))).toEqual(JSON.parse(F.AUTH_BOTH));
  });

  it('keeps elem an array when alone; other lone children are objects under json, slist and page arrays under sjson', () => {
    const doc = el('doc', null, el('elem', null, el('id', null, '1')), el('page', null, 'p'), ...formReply({}, { os: [{ key: 'k', label: 'l' }] }));
    expect(JSON.parse(toJson(doc, 'json'))).toEqual({ doc: { elem: [{ id: { $: '1' } }], page: { $: 'p' }, slist: { $name: 'os', val: { $key: 'k', $: 'l' } } } });
    expect(JSON.parse(toJson(doc, 'sjson'))).toEqual({ doc: { elem: [{ id: { $: '1' } }], page: [{ $: 'p' }], slist: [{ $name: 'os', val: { $key: 'k', $: 'l' } }] } });
    const forced: SimNode = { ...el('balance', null, '1 EUR'), array: true };
    expect(jsonValueOf(el('elem', null, forced))).toEqual({ balance: [{ $: '1 EUR' }] });
  });

  it('groups repeated siblings into one array in document order', () => {
    const doc = el('doc', null, el('a', null, '1'), el('b'), el('a', null, '2'));
    expect(toJson(doc)).toBe('{"doc":{"a":[{"$":"1"},{"$":"2"}],"b":{}}}');
  });
});

describe('the XML writer', () => {
  it('writes the §1.2 list envelope that reads back as the same tree', () => {
    const tree = parseXml(F.LIST_XML);
    expect(parseXml(toXml(tree))).toEqual(tree);
    expect(toXml(el('doc', null, el('ok')))).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<doc><ok/></doc>\n');
  });

  it('escapes markup, quotes and line breaks so values survive a strict parser', () => {
    const nasty = `a & b < c > d "e" 'f'\nline\r\ttab ünï 🙂`;
    const tree = el('doc', { note: nasty }, el('msg', null, nasty), el('empty'));
    const back = parseXml(toXml(tree));
    expect(back.attrs.note).toBe(nasty);
    expect(back.children[0]!.text).toBe(nasty);
    expect(back.children[1]).toEqual({ name: 'empty', attrs: {}, children: [] });
  });

  it('drops characters XML cannot carry instead of writing an unreadable document', () => {
    const back = parseXml(toXml(el('doc', null, el('v', null, 'a\u0000b\u0007c\uFFFEd'))));
    expect(back.children[0]!.text).toBe('abcd');
  });

  it('refuses element and attribute names XML cannot carry', () => {
    expect(() => el('1abc')).toThrow(TypeError);
    expect(() => el('a b')).toThrow(TypeError);
    expect(() => el('ok', { 'bad name': 'x' })).toThrow(TypeError);
  });

  it('the test parser itself rejects what is not well-formed', () => {
    expect(() => parseXml('<doc><a></doc>')).toThrow();
    expect(() => parseXml('<doc>a & b</doc>')).toThrow();
    expect(() => parseXml('<doc a="1" a="2"/>')).toThrow();
    expect(() => parseXml('<doc/><doc/>')).toThrow();
    expect(() => parseXml('<doc>')).toThrow();
  });
});

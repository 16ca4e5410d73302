// Reading the reply shapes quoted in PROTOCOLS §1–§2: lists, forms, ok, ids, nested doc, errors,
// single vs repeated elements, empty-element flags and `$orig`.
import { describe, expect, it } from 'vitest';
import {
  apiErrorFrom,
  asList,
  attr,
  child,
  displayOf,
  IspApiError,
  IspAuthError,
  IspExistsError,
  IspMissedError,
  IspValueError,
  IspAccessError,
  isSet,
  readAuth,
  readEnvelope,
  readError,
  readForm,
  readId,
  readList,
  readOk,
  textOf,
  type IspDoc,
} from '../../../core/upstream/ispsystem/index.ts';
import { jsonValueOf } from '../../../core/upstream/ispsystem/simulator/index.ts';
import * as F from './fixtures.ts';
import { parseXml } from './xml.ts';

function doc(json: string): IspDoc {
  const d = readEnvelope(JSON.parse(json));
  if (!d) throw new Error('not an envelope');
  return d;
}

/** An XML example of the spec, mapped to the JSON envelope by the simulator's §1.2 mapping. */
function docFromXml(xml: string): IspDoc {
  return doc(JSON.stringify({ doc: jsonValueOf(parseXml(xml)) }));
}

describe('the envelope', () => {
  it('is the object under "doc", and nothing else is', () => {
    expect(readEnvelope(JSON.parse(F.GROUP_OK_SJSON))).toMatchObject({ $func: 'user.suspend' });
    expect(readEnvelope({ elem: [] })).toBeNull();
    expect(readEnvelope({ doc: 'x' })).toBeNull();
    expect(readEnvelope(null)).toBeNull();
    expect(readEnvelope([{ doc: {} }])).toBeNull();
  });

  it('reads a successful group operation as ok, and a list as not ok', () => {
    expect(readOk(doc(F.GROUP_OK_SJSON))).toBe(true);
    expect(readError(doc(F.GROUP_OK_SJSON))).toBeNull();
    expect(readOk(doc(F.WEBDOMAIN_LIST_SJSON))).toBe(false);
  });
});

describe('single and repeated elements', () => {
  it('asList gives an array for an array, a single object, a stray string and nothing', () => {
    expect(asList([{ $: 'a' }, { $: 'b' }])).toEqual([{ $: 'a' }, { $: 'b' }]);
    expect(asList({ $: 'a' })).toEqual([{ $: 'a' }]);
    expect(asList('a')).toEqual([{ $: 'a' }]);
    expect(asList(undefined)).toEqual([]);
    expect(asList(null)).toEqual([]);
    expect(asList(7)).toEqual([]);
  });

  it('reads a list whose only row came as an object the same as one sent as an array', () => {
    const single = readList(doc(F.SERVER_LIST_SINGLE_JSON));
    expect(single.rows).toEqual([{ id: '12', hostname: 'free.ds', poweron: '', disabled: '' }]);
    const asArray = readList(doc(F.SERVER_LIST_SINGLE_JSON.replace('"elem":{', '"elem":[{').replace('}}}}', '}}]}}')));
    expect(asArray.rows).toEqual(single.rows);
  });

  it('takes the first of a repeated column (dashboard.info balance) and the nested pricelist arrays', () => {
    expect(readList(doc(F.DASHBOARD_SJSON)).rows).toEqual([{ balance: '123.45 RUB' }]);
    const pricelist = asList(doc(F.PRICELIST_JSON).pricelist);
    expect(pricelist).toHaveLength(1);
    const p = pricelist[0]!;
    expect(textOf(p.id)).toBe('2187');
    expect(attr(child(p.price, 'period'), 'cost')).toBe('10.00');
    const ram = asList(p.addon)[0]!;
    expect(textOf(ram.intname)).toBe('ram');
    const [empty, withItems] = asList(ram.enumeration);
    expect(empty).toEqual({});
    expect(asList(withItems!.enumerationitem).map((i) => textOf(i.id))).toEqual(['81']);
    expect(asList(asList(p.itemtypeparam)[0]!.itemtypeparamvalue).map((v) => textOf(v.intname))).toEqual(['Debian-12']);
  });
});

describe('a list reply', () => {
  const list = readList(doc(F.WEBDOMAIN_LIST_SJSON));

  it('gives each elem as a record of strings, $orig preferred over the display text', () => {
    expect(list.rows).toEqual([{ active: 'on', id: '1', name: 'testsite.ru', owner: 'user0', ipaddr: '192.168.0.1', database: 'db_not_assigned', ssl_issued_success: '' }]);
    expect(displayOf(asList(doc(F.WEBDOMAIN_LIST_SJSON).elem)[0]!.database)).toBe('Notused');
  });

  it('reads the paging fields as numbers', () => {
    expect(list.paging).toEqual({ pageSize: 1000, page: 1, total: 5, sort: 'name', order: 'asc' });
    expect(readList(doc(F.DASHBOARD_SJSON)).paging).toBeNull();
  });

  it('treats an empty element as a set flag and an absent one as unset; "off" is unset', () => {
    const [row] = list.rows;
    expect(isSet(row!.ssl_issued_success)).toBe(true);
    expect(isSet(row!.install_in_progress)).toBe(false);
    expect(isSet(row!.active)).toBe(true);
    expect(isSet('off')).toBe(false);
    expect(isSet({})).toBe(true);
    expect(isSet(undefined)).toBe(false);
  });

  it('reads the list example of the XML envelope through the JSON mapping', () => {
    expect(readList(docFromXml(F.LIST_XML)).rows).toEqual([{ id: '1', name: 'user0', level: '16' }]);
  });
});

describe('a form reply', () => {
  it('gives the fields, without the envelope parts, and the select options', () => {
    const form = readForm(doc(F.FORM_WITH_SLIST_JSON));
    expect(form.fields).toEqual({ ostemplate: 'Debian-12', notes: '', poweron: 'on' });
    expect(form.slists).toEqual({ ostemplate: [{ key: 'Debian-12', label: 'Debian 12' }, { key: 'Ubuntu-24.04', label: 'Ubuntu 24.04' }] });
  });

  it('reads the processing-module slist form (msg items) as well', () => {
    const form = readForm(doc('{"doc":{"slist":{"$name":"x","msg":[{"$key":"k","$":"v"}]}}}'));
    expect(form.slists).toEqual({ x: [{ key: 'k', label: 'v' }] });
  });
});

describe('the nested doc quirk', () => {
  it('finds service.prolong newexpiredate and domain.ns ns0 one level down', () => {
    const prolong = doc(F.PROLONG_NESTED_JSON);
    expect(readForm(prolong).fields).toEqual({ newexpiredate: '2027-03-01' });
    expect(readId(prolong, 'newexpiredate')).toBe('2027-03-01');
    expect(readForm(doc(F.DOMAIN_NS_NESTED_JSON)).fields).toMatchObject({ ns0: 'ns1.example.net', ns1: 'ns2.example.net' });
  });

  it('prefers the outer value when both levels carry a field', () => {
    expect(readForm(doc('{"doc":{"a":{"$":"outer"},"doc":{"a":{"$":"inner"},"b":{"$":"only inner"}}}}')).fields).toEqual({ a: 'outer', b: 'only inner' });
  });
});

describe('an id reply', () => {
  it('gives the id of the created object, or undefined', () => {
    expect(readId(docFromXml(F.CREATED_ID_XML))).toBe('42');
    expect(readId(doc(F.GROUP_OK_SJSON))).toBeUndefined();
    expect(readId(docFromXml('<doc><ip>10.0.0.5</ip></doc>'), 'ip')).toBe('10.0.0.5');
  });
});

describe('an auth reply', () => {
  it('gives the session from the text (json), the id attribute (sjson) or both', () => {
    expect(readAuth(doc(F.AUTH_JSON))).toEqual({ session: '4f1a9c' });
    expect(readAuth(doc(F.AUTH_SJSON))).toEqual({ session: '4f1a9c' });
    expect(readAuth(doc(F.AUTH_BOTH))).toEqual({ session: 'ID', level: '16' });
    expect(readAuth(doc('{"doc":{"auth":{}}}'))).toBeUndefined();
  });
});

describe('an error reply', () => {
  it('reads the real auth failure: type, object, value and params, the message from msg', () => {
    expect(readError(doc(F.AUTH_ERROR_JSON))).toEqual({
      type: 'auth',
      object: 'badpassword',
      value: 'remote_addr: [85.140.114.49]',
      params: [
        { name: 'object', type: 'msg', value: 'badpassword' },
        { name: 'value', value: 'remote_addr: [85.140.114.49]' },
      ],
      text: 'Invalid username or password ',
    });
  });

  it('reads the XML error of the module helper through the JSON mapping', () => {
    const info = readError(docFromXml(F.ERROR_XML))!;
    expect(info).toMatchObject({ type: 'exists', object: 'user', value: 'u1', text: 'Human readable text' });
    expect(info.params.map((p) => p.name)).toEqual(['object', 'value', 'desc']);
  });

  it('fills __object__ and __value__ placeholders from the params, and falls back to detail', () => {
    const d = doc('{"doc":{"error":{"$type":"exists","$object":"user","detail":{"$":"User __value__ exists (__object__, __nope__)"},"param":{"$name":"value","$":"u1"}}}}');
    expect(readError(d)?.text).toBe('User u1 exists (user, __nope__)');
  });

  it('maps each type to its class, with the panel message in the Error message', () => {
    const of = (type: string) => apiErrorFrom({ type, object: 'o', params: [], text: 'Said.' }, 'user.edit', 'Panel');
    expect(of('auth')).toBeInstanceOf(IspAuthError);
    expect(of('invalid_login_or_passwd')).toBeInstanceOf(IspAuthError);
    expect(of('exists')).toBeInstanceOf(IspExistsError);
    expect(of('exist')).toBeInstanceOf(IspExistsError);
    expect(of('missed')).toBeInstanceOf(IspMissedError);
    expect(of('notfound')).toBeInstanceOf(IspMissedError);
    expect(of('value')).toBeInstanceOf(IspValueError);
    expect(of('access')).toBeInstanceOf(IspAccessError);
    const other = of('query');
    expect(other.constructor).toBe(IspApiError);
    expect(other).toMatchObject({ type: 'query', object: 'o', func: 'user.edit', retryable: false, outcomeUnknown: false, name: 'IspApiError' });
    expect(other.message).toBe('Panel refused user.edit (query o): Said.');
    expect(of('auth').message).toBe('Panel refused user.edit (auth o): Said. Check the user name and password of the server.');
  });
});

// The real client against the simulator base: authinfo and session auth (expiry, one re-login, never
// a loop), login keys, each error type, forms with and without sok, nested replies, GET and POST, XML.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  IspAccessError,
  IspAuthError,
  IspClient,
  IspExistsError,
  IspMissedError,
  IspValueError,
  readForm,
  readEnvelope,
  readAuth,
  readError,
} from '../../../core/upstream/ispsystem/index.ts';
import { el, formReply, idReply, nestedDocReply, okReply, SimError, type SimRequest } from '../../../core/upstream/ispsystem/simulator/index.ts';
import { ADMIN, USER, rejectionOf, startSim } from './helpers.ts';
import { parseXml } from './xml.ts';

describe('authinfo', () => {
  it('reads a list with user:password on every call, by POST and by GET', async () => {
    const t = await startSim();
    for (const method of ['POST', 'GET'] as const) {
      const list = await t.client({ method }).list('user');
      expect(list.rows).toEqual([{ id: '1', name: 'user0' }, { id: '2', name: 'user1' }]);
      expect(list.paging).toMatchObject({ total: 2, page: 1 });
    }
    expect(t.sim.calls('user').map((r) => [r.method, r.user, r.params.authinfo, r.params.out, r.params.lang])).toEqual([
      ['POST', 'admin', '[redacted]', 'json', 'en'],
      ['GET', 'admin', '[redacted]', 'json', 'en'],
    ]);
    expect(t.sim.calls('auth')).toEqual([]);
  });

  it('fails with IspAuthError on a wrong password, and does not repeat the call', async () => {
    const t = await startSim();
    const err = await rejectionOf(t.client({ password: 'wrong' }).list('user'));
    expect(err).toBeInstanceOf(IspAuthError);
    expect(err).toMatchObject({ type: 'auth', object: 'badpassword', func: 'user', retryable: false });
    expect(err.message).toContain('Check the user name and password');
    expect(t.sim.calls('user')).toHaveLength(1);
  });
});

describe('session auth', () => {
  it('logs in once with func=auth and sends the session id afterwards', async () => {
    const t = await startSim();
    const client = t.client({ auth: 'session' });
    await client.list('user');
    await client.list('user');
    expect(t.sim.calls('auth')).toHaveLength(1);
    expect(t.sim.calls('auth')[0]!.params).toMatchObject({ username: 'admin', password: '[redacted]' });
    expect(t.sim.calls('user').map((r) => [r.user, r.params.auth, r.params.authinfo])).toEqual([
      ['admin', '[redacted]', undefined],
      ['admin', '[redacted]', undefined],
    ]);
  });

  it('shares one login between calls made at the same time', async () => {
    const t = await startSim();
    const client = t.client({ auth: 'session' });
    await Promise.all([client.list('user'), client.list('user'), client.list('user')]);
    expect(t.sim.calls('auth')).toHaveLength(1);
    expect(t.sim.accounts.sessionCount).toBe(1);
  });

  it('logs in again once when the session expired after an hour idle, and the call succeeds', async () => {
    const t = await startSim();
    const client = t.client({ auth: 'session' });
    await client.list('user');
    t.clock.advance(59 * 60_000);
    await client.list('user');
    expect(t.sim.calls('auth')).toHaveLength(1);
    t.clock.advance(60 * 60_000);
    const list = await client.list('user');
    expect(list.rows).toHaveLength(2);
    expect(t.sim.calls('auth')).toHaveLength(2);
    expect(t.sim.calls('user').map((r) => r.error)).toEqual([undefined, undefined, 'auth', undefined]);
  });

  it('gives up with IspAuthError when the panel keeps refusing: one re-login, no loop', async () => {
    const t = await startSim();
    const client = t.client({ auth: 'session' });
    t.sim.faults.set('user', { kind: 'auth' });
    const err = await rejectionOf(client.list('user'));
    expect(err).toBeInstanceOf(IspAuthError);
    expect(t.sim.calls('user')).toHaveLength(2);
    expect(t.sim.calls('auth')).toHaveLength(2);
  });

  it('re-sends a write after an expired session (the panel ran nothing), once', async () => {
    const t = await startSim();
    let saved = 0;
    t.sim.form('user.edit', { view: () => formReply({ name: '' }), save: () => idReply(++saved + 10) });
    const client = t.client({ auth: 'session' });
    await client.list('user');
    t.sim.accounts.dropSessions();
    expect(await client.save('user.edit', { name: 'u9' })).toMatchObject({ id: '11', ok: false });
    expect(saved).toBe(1);
  });

  it('does not call the function at all when the login itself is refused', async () => {
    const t = await startSim();
    const err = await rejectionOf(t.client({ auth: 'session', password: 'wrong' }).list('user'));
    expect(err).toBeInstanceOf(IspAuthError);
    expect((err as IspAuthError).func).toBe('auth');
    expect(t.sim.calls('user')).toHaveLength(0);
  });

  it('binds a session to the address that opened it', async () => {
    const t = await startSim();
    const login = await fetch(`${t.running.url}?func=auth&out=json&username=${USER.username}&password=${USER.password}`);
    const session = readAuth(readEnvelope(await login.json())!)!.session;
    const from = (localAddress: string) =>
      new Promise<string>((resolve, reject) => {
        http.get(`${t.running.url}?func=user&out=json&auth=${session}`, { localAddress }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
    expect(readError(readEnvelope(JSON.parse(await from('127.0.0.2')))!)?.type).toBe('auth');
    expect(readError(readEnvelope(JSON.parse(await from('127.0.0.1')))!)).toBeNull();
  });
});

describe('login keys (session.newkey)', () => {
  it('creates a one-time link that signs the user in once', async () => {
    const t = await startSim();
    const { key, url } = await t.client().createLoginKey(USER.username);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    const link = new URL(url);
    expect(Object.fromEntries(link.searchParams)).toEqual({ func: 'auth', username: USER.username, key, checkcookie: 'no' });
    link.searchParams.set('out', 'json');
    const first = readEnvelope(await (await fetch(link)).json())!;
    expect(readAuth(first)).toMatchObject({ level: '16' });
    const again = readEnvelope(await (await fetch(link)).json())!;
    expect(readError(again)).toMatchObject({ type: 'auth', object: 'badkey' });
    expect(t.sim.calls('session.newkey')[0]!.params.key).toBe('[redacted]');
  });

  it('is refused to an ordinary user (IspAccessError) and for an unknown user (IspMissedError)', async () => {
    const t = await startSim();
    expect(await rejectionOf(t.client(USER).createLoginKey('admin'))).toBeInstanceOf(IspAccessError);
    const missed = await rejectionOf(t.client().createLoginKey('nobody'));
    expect(missed).toBeInstanceOf(IspMissedError);
    expect(missed).toMatchObject({ object: 'user', value: 'nobody' });
  });
});

describe('errors from the panel', () => {
  it('maps exists, missed, value and access to their classes with type, object and value', async () => {
    const t = await startSim();
    t.sim.func('user.edit', (req) => {
      throw new SimError('exists', 'user', { value: req.params.name ?? '', msg: "User '__value__' already exists" });
    });
    t.sim.func('domain.info', () => {
      throw new SimError('missed', 'remote_domain', { value: 'example.org' });
    });
    t.sim.func('vds.order.param', () => {
      throw new SimError('value', 'period', { value: '7', params: { desc: 'bad period' } });
    });
    t.sim.func('pricelist.sync', () => undefined, { minLevel: 28 });
    const client = t.client();
    const exists = await rejectionOf(client.save('user.edit', { name: 'u1' }));
    expect(exists).toBeInstanceOf(IspExistsError);
    expect(exists).toMatchObject({ type: 'exists', object: 'user', value: 'u1', upstreamMessage: "User 'u1' already exists" });
    expect(exists.message).toMatch(/refused user\.edit \(exists user\): User 'u1' already exists\.$/);
    expect(await rejectionOf(client.call('domain.info'))).toMatchObject({ constructor: IspMissedError, object: 'remote_domain', value: 'example.org' });
    const value = await rejectionOf(client.save('vds.order.param', { period: 7 }));
    expect(value).toBeInstanceOf(IspValueError);
    expect((value as IspValueError).params).toContainEqual({ name: 'desc', value: 'bad period' });
    expect(await rejectionOf(t.client(USER).call('pricelist.sync'))).toBeInstanceOf(IspAccessError);
  });

  it('answers an unknown function with missed/func, after checking the credentials', async () => {
    const t = await startSim();
    expect(await rejectionOf(t.client().call('no.such.func'))).toMatchObject({ constructor: IspMissedError, object: 'func', value: 'no.such.func' });
    expect(await rejectionOf(t.client({ password: 'x' }).call('no.such.func'))).toBeInstanceOf(IspAuthError);
  });

  it('lets a public function answer without credentials, and refuses the others', async () => {
    const t = await startSim();
    t.sim.func('pricelist.export', () => [el('pricelist', null, el('id', null, '2187'))], { public: true });
    const open = readEnvelope(await (await fetch(`${t.running.url}?func=pricelist.export&out=json`)).json())!;
    expect(readError(open)).toBeNull();
    const closed = readEnvelope(await (await fetch(`${t.running.url}?func=user&out=json`)).json())!;
    expect(readError(closed)?.type).toBe('auth');
  });
});

describe('forms and replies', () => {
  function licenses(t: Awaited<ReturnType<typeof startSim>>) {
    const store = new Map<string, { licname: string; ip: string; autoprolong: string }>([['7', { licname: 'a.lic', ip: '10.0.0.1', autoprolong: 'off' }]]);
    const seen: SimRequest[] = [];
    t.sim.form('soft.edit', {
      view: (req) => {
        const lic = store.get(req.elid ?? '');
        if (!lic) throw new SimError('missed', 'elid', { value: req.elid ?? '' });
        return formReply({ ...lic, status: { orig: '2', display: 'Active' } }, { period: [{ key: '1', label: '1 month' }, { key: '12', label: '1 year' }] });
      },
      save: (req) => {
        seen.push(req);
        store.set(req.elid ?? '', { licname: req.params.licname ?? '', ip: req.params.ip ?? '', autoprolong: req.params.autoprolong ?? '' });
        return okReply();
      },
    });
    return { store, seen };
  }

  it('reads a form without sok (nothing saved) and saves it with sok=ok', async () => {
    const t = await startSim();
    const { store, seen } = licenses(t);
    const client = t.client();
    const form = await client.form('soft.edit', {}, { elid: 7 });
    expect(form.fields).toEqual({ licname: 'a.lic', ip: '10.0.0.1', autoprolong: 'off', status: '2' });
    expect(form.slists.period).toEqual([{ key: '1', label: '1 month' }, { key: '12', label: '1 year' }]);
    expect(seen).toHaveLength(0);
    const saved = await client.save('soft.edit', { licname: 'b.lic', ip: '10.0.0.2', autoprolong: true, remoteid: null }, { elid: 7 });
    expect(saved).toMatchObject({ ok: true });
    expect(saved.id).toBeUndefined();
    expect(store.get('7')).toEqual({ licname: 'b.lic', ip: '10.0.0.2', autoprolong: 'on' });
    expect(seen[0]!.params).not.toHaveProperty('remoteid');
    expect(seen[0]!.sok).toBe(true);
  });

  it('returns the id of a created object', async () => {
    const t = await startSim();
    t.sim.func('soft.order.param', (req) => (req.sok ? idReply(4242) : formReply({ period: '1' })));
    expect(await t.client().save('soft.order.param', { pricelist: 3541, period: 1, skipbasket: true })).toMatchObject({ id: '4242' });
  });

  it('reads the nested doc of service.prolong', async () => {
    const t = await startSim();
    t.sim.func('service.prolong', () => nestedDocReply(el('newexpiredate', null, '2027-05-01')));
    const { doc } = await t.client().save('service.prolong', { period: 12 }, { elid: 7 });
    expect(readForm(doc).fields.newexpiredate).toBe('2027-05-01');
  });

  it('sends several ids as one group operation (elid=1, 2) and plid for nested lists', async () => {
    const t = await startSim();
    let got: SimRequest | undefined;
    t.sim.func('iplist.delete', (req) => {
      got = req;
    });
    await t.client().call('iplist.delete', {}, { elid: [1, 2], plid: 'srv9' });
    expect(got).toMatchObject({ elid: '1, 2', elids: ['1', '2'], plid: 'srv9', sok: false });
  });

  it('refuses parameters the client sets itself', async () => {
    const t = await startSim();
    await expect(t.client().call('user', { authinfo: 'x:y' })).rejects.toThrow(TypeError);
    await expect(t.client().call('user', { out: 'xml' })).rejects.toThrow(TypeError);
  });

  it('reads sjson replies as well', async () => {
    const t = await startSim();
    const client = t.client({ out: 'sjson', auth: 'session' });
    expect((await client.list('user')).rows).toHaveLength(2);
    expect(t.sim.calls('user')[0]!.params.out).toBe('sjson');
  });

  it('refuses URLs that carry credentials or are not http(s)', () => {
    expect(() => new IspClient({ url: 'https://a:b@panel.example:1500/billmgr', ...ADMIN })).toThrow(/not inside the URL/);
    expect(() => new IspClient({ url: 'ftp://panel.example/billmgr', ...ADMIN })).toThrow(TypeError);
  });
});

describe('the XML output of the simulator', () => {
  it('is well-formed for a list, a form, an error and a session reply', async () => {
    const t = await startSim();
    t.sim.func('note.edit', () => formReply({ note: `<b>"5 > 3" & 'x'</b>` }));
    const get = async (query: string) => {
      const res = await fetch(`${t.running.url}?${query}`);
      expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
      return parseXml(await res.text());
    };
    const authinfo = `authinfo=${encodeURIComponent(`${ADMIN.username}:${ADMIN.password}`)}`;
    const list = await get(`func=user&${authinfo}`);
    expect(list.attrs).toMatchObject({ func: 'user', lang: 'en', binary: '/billmgr' });
    expect(list.children.filter((c) => c.name === 'elem')).toHaveLength(2);
    const form = await get(`func=note.edit&out=xml&${authinfo}`);
    expect(form.children.find((c) => c.name === 'note')?.text).toBe(`<b>"5 > 3" & 'x'</b>`);
    const error = await get('func=user&authinfo=admin:wrong');
    expect(error.children[0]).toMatchObject({ name: 'error', attrs: { type: 'auth', object: 'badpassword', lang: 'en' } });
    const auth = await get(`func=auth&username=admin&password=${encodeURIComponent(ADMIN.password)}`);
    expect(auth.children[0]!.name).toBe('auth');
    expect(auth.children[0]!.attrs.id).toBe(auth.children[0]!.text);
    const tparams = list.children.find((c) => c.name === 'tparams')!;
    expect(tparams.children.map((c) => c.name)).toEqual(['func']);
  });
});

// The base of every ISPsystem simulator: a real HTTP server on loopback speaking PROTOCOLS §1
// (form in, `doc` envelope out as XML, json or sjson), with sessions, login keys and fault injection.
// Plugins register the functions their upstream has; the protocol around them lives here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../../clock.ts';
import type { Logger } from '../../../log.ts';
import { isSecretParam, redactParams } from '../redact.ts';
import { LEVEL_ADMIN, SimAccounts, type SimUser } from './accounts.ts';
import { SimFaults, type SimFault, type SimFaultKind } from './faults.ts';
import { el, isXmlName, okReply, type SimNode } from './node.ts';
import { toJson, toXml, type OutFormat } from './serialize.ts';
import { errorNode, SimError } from './sim-error.ts';

/** A call as a simulated function sees it. */
export interface SimRequest {
  func: string;
  /** Every field sent (query and form body) except the credentials `authinfo` and `auth`. */
  params: Record<string, string>;
  /** `elid`, and the ids of a group operation (`elid=1, 2`). */
  elid: string | undefined;
  elids: string[];
  plid: string | undefined;
  /** `sok` was sent: save the form instead of showing it. */
  sok: boolean;
  /** The authenticated account; null for a public function called without credentials. */
  user: SimUser | null;
  lang: string;
  out: OutFormat;
  method: string;
  /** The path called (`/billmgr`, `/manager/billmgr`). */
  path: string;
  ip: string;
  now: Date;
}

/** What a function answers: the children of `doc` (undefined answers `<ok/>`), or throws a SimError. */
export type SimHandler = (req: SimRequest) => SimNode | SimNode[] | void | Promise<SimNode | SimNode[] | void>;

export interface SimFuncOptions {
  /** Callable without credentials (`pricelist.export` on some installs). */
  public?: boolean;
  /** The lowest access level allowed; lower ones get an `access` error ([I]). */
  minLevel?: number;
}

/** One request as tests see it: secrets replaced by `[redacted]`. */
export interface SimLogEntry {
  at: Date;
  method: string;
  path: string;
  func: string;
  params: Record<string, string>;
  /** Who was authenticated, if anyone. */
  user?: string;
  fault?: SimFaultKind;
  /** The error type answered, if any. */
  error?: string;
}

export interface IspSimulatorOptions {
  users?: { username: string; password: string; level?: number }[];
  /** Drives session expiry (default the system clock). */
  clock?: Clock;
  /** Idle time after which a session expires (default 1 hour, PROTOCOLS §1.1). */
  sessionIdleMs?: number;
  /** Language when the request names none (default `en`). */
  lang?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The manager path the returned `url` points to (default `billmgr`); every path is answered. */
  mgr?: string;
  log?: Logger;
}

export interface RunningSimulator {
  /** Base URL for the client, e.g. `http://127.0.0.1:40123/billmgr`. */
  url: string;
  origin: string;
  /** Stops listening and drops every connection, including requests held by a timeout fault. */
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const FORMATS = new Set<string>(['xml', 'json', 'sjson']);

/**
 * A simulated ISPsystem panel.
 *
 * @example
 * const sim = new IspSimulator({ users: [{ username: 'reseller', password: 'secret' }] });
 * sim.func('pricelist.export', () => [el('pricelist', null, el('id', null, '2187'))]);
 * sim.form('soft.edit', { view: (req) => formReply({ licname: 'a' }), save: (req) => okReply() });
 * const { url, close } = await sim.start();
 */
export class IspSimulator {
  readonly faults = new SimFaults();
  readonly requests: SimLogEntry[] = [];
  readonly accounts: SimAccounts;
  readonly #funcs = new Map<string, { handler: SimHandler; opts: SimFuncOptions }>();
  readonly #opts: IspSimulatorOptions;
  readonly #clock: Clock;
  /** Aborted by close(), so latency faults stop waiting. */
  #closing = new AbortController();

  constructor(opts: IspSimulatorOptions = {}) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.accounts = new SimAccounts(this.#clock, opts.sessionIdleMs ?? 3_600_000);
    for (const u of opts.users ?? []) this.accounts.add(u);
    this.func('session.newkey', (req) => this.#newKey(req), { minLevel: LEVEL_ADMIN });
  }

  /** Registers (or replaces) a function. */
  func(name: string, handler: SimHandler, opts: SimFuncOptions = {}): this {
    if (name === 'auth') throw new TypeError("'auth' is the simulator's own function");
    this.#funcs.set(name, { handler, opts });
    return this;
  }

  /** A form function: without `sok` it shows the form (`view`), with `sok` it saves (`save`). */
  form(name: string, parts: { view: SimHandler; save: SimHandler }, opts: SimFuncOptions = {}): this {
    return this.func(name, (req) => (req.sok ? parts.save(req) : parts.view(req)), opts);
  }

  /** Requests for one function, oldest first. */
  calls(func: string): SimLogEntry[] {
    return this.requests.filter((r) => r.func === func);
  }

  async start(): Promise<RunningSimulator> {
    const server = http.createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.#opts.log?.error('ispsystem simulator failed', { err });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('simulator error');
      });
    });
    const host = this.#opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    this.#closing = new AbortController();
    const closing = this.#closing;
    return {
      url: `${origin}/${this.#opts.mgr ?? 'billmgr'}`,
      origin,
      close: () =>
        new Promise<void>((resolve) => {
          closing.abort();
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    };
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const fields = new URLSearchParams(url.search);
    if (req.method === 'POST') {
      const body = await readBody(req);
      if (body === null) return plain(res, 413, 'request too large');
      for (const [k, v] of new URLSearchParams(body)) fields.set(k, v);
    } else if (req.method !== 'GET') {
      return plain(res, 405, 'GET or POST');
    }
    const func = fields.get('func') ?? '';
    const outParam = fields.get('out') ?? 'xml';
    const out = (FORMATS.has(outParam) ? outParam : 'xml') as OutFormat;
    const lang = fields.get('lang') || this.#opts.lang || 'en';
    const entry: SimLogEntry = { at: this.#clock.now(), method: req.method, path: url.pathname, func, params: redactParams(fields) };
    this.requests.push(entry);
    const reply = (children: SimNode[]) => this.#write(res, url.pathname, func, lang, out, fields, children);
    const refuse = (err: SimError) => {
      entry.error = err.type;
      reply([errorNode(err, lang)]);
    };

    const fault = this.faults.take(func);
    if (fault) entry.fault = fault.kind;
    if (fault?.kind === 'latency') await this.#wait(fault.ms);
    if (fault && !('after' in fault && fault.after) && this.#breaks(fault, res, out)) return;
    if (fault?.kind === 'auth') return refuse(new SimError('auth', 'badpassword'));
    if (fault?.kind === 'error') return refuse(fault.error);

    const ip = req.socket.remoteAddress ?? '';
    if (func === 'auth') return this.#login(fields, ip, reply, refuse, entry);

    const auth = this.#authenticate(fields, ip);
    if (auth instanceof SimError) return refuse(auth);
    const fn = this.#funcs.get(func);
    if (!auth && !fn?.opts.public) return refuse(new SimError('auth', 'badpassword'));
    if (auth) entry.user = auth.username;
    // [I] §8: the answer of a real panel to an unknown function is not documented.
    if (!fn) return refuse(new SimError('missed', 'func', { value: func, msg: `Unknown function '${func}'` }));
    if (auth && fn.opts.minLevel !== undefined && auth.level < fn.opts.minLevel) return refuse(new SimError('access', func));

    const params = Object.fromEntries([...fields].filter(([k]) => k !== 'authinfo' && k !== 'auth'));
    const elid = fields.get('elid') ?? undefined;
    let children: SimNode[];
    try {
      const result = await fn.handler({
        func,
        params,
        elid,
        elids: elid ? elid.split(',').map((s) => s.trim()).filter(Boolean) : [],
        plid: fields.get('plid') ?? undefined,
        sok: Boolean(fields.get('sok')),
        user: auth ?? null,
        lang,
        out,
        method: req.method,
        path: url.pathname,
        ip,
        now: this.#clock.now(),
      });
      children = result === undefined ? okReply() : Array.isArray(result) ? result : [result];
    } catch (err) {
      if (err instanceof SimError) return refuse(err);
      throw err;
    }
    if (fault && this.#breaks(fault, res, out)) return;
    reply(children);
  }

  /** Carries out a fault that replaces the reply; true when it did. */
  #breaks(fault: SimFault, res: http.ServerResponse, out: OutFormat): boolean {
    switch (fault.kind) {
      case 'timeout':
        // Never answer: the request stays open until the client gives up or close() drops it.
        return true;
      case 'http500':
        plain(res, 500, 'Internal Server Error');
        return true;
      case 'malformed':
        res.writeHead(200, { 'content-type': contentType(out) });
        res.end(fault.body ?? (out === 'xml' ? '<?xml version="1.0"?>\n<doc><elem><id>1</id>' : '{"doc":{"elem":[{"id":{"$":"1"}'));
        return true;
      default:
        return false;
    }
  }

  #wait(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#closing.signal }).catch(() => undefined);
  }

  #authenticate(fields: URLSearchParams, ip: string): SimUser | SimError | undefined {
    const authinfo = fields.get('authinfo');
    if (authinfo !== null) return this.accounts.byAuthinfo(authinfo) ?? new SimError('auth', 'badpassword');
    const session = fields.get('auth');
    // [I] the error a real panel gives for an expired session is not documented; type `auth` is what clients test for.
    if (session !== null) return this.accounts.bySession(session, ip) ?? new SimError('auth', 'badsession', { msg: 'Session expired or invalid; log in again' });
    return undefined;
  }

  /** `func=auth` with username and password, or username and a key from `session.newkey` (PROTOCOLS §1.1). */
  #login(fields: URLSearchParams, ip: string, reply: (c: SimNode[]) => void, refuse: (e: SimError) => void, entry: SimLogEntry): void {
    const username = fields.get('username') ?? '';
    const key = fields.get('key');
    const user = key !== null ? this.accounts.useKey(username, key) : this.accounts.byPassword(username, fields.get('password') ?? '');
    if (!user) return refuse(new SimError('auth', key !== null ? 'badkey' : 'badpassword'));
    entry.user = user.username;
    const id = this.accounts.open(user, ip);
    // Both shapes at once: `out=json` readers take the text, `out=sjson` readers the id attribute.
    reply([el('auth', { id, level: user.level }, id)]);
  }

  #newKey(req: SimRequest): SimNode[] {
    const username = req.params.username ?? '';
    const key = req.params.key ?? '';
    if (!this.accounts.user(username)) throw new SimError('missed', 'user', { value: username });
    if (!key) throw new SimError('value', 'key');
    this.accounts.addKey(username, key);
    return okReply();
  }

  #write(res: http.ServerResponse, path: string, func: string, lang: string, out: OutFormat, fields: URLSearchParams, children: SimNode[]): void {
    // Every reply echoes the request in `tparams` (§1.2); credentials are left out, not echoed back.
    const tparams = el('tparams', null, ...[...fields].filter(([k]) => isXmlName(k) && !isSecretParam(k)).map(([k, v]) => el(k, null, v)));
    const doc = el('doc', { lang, func, binary: path }, ...children, tparams);
    res.writeHead(200, { 'content-type': contentType(out), 'cache-control': 'no-store' });
    res.end(out === 'xml' ? toXml(doc) : toJson(doc, out));
  }
}

function contentType(out: OutFormat): string {
  return out === 'xml' ? 'text/xml; charset=UTF-8' : 'application/json; charset=UTF-8';
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8' });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

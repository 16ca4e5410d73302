// The HTTP client of the ISPsystem API (COREmanager family: BILLmanager, ISPmanager, DCImanager/DSmanager,
// VMmanager), PROTOCOLS §1: form fields in, the JSON `doc` envelope out, errors typed.
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log.ts';
import { readAuth, readError, readForm, readId, readList, readOk, type IspDoc, type IspForm, type IspList } from './envelope.ts';
import { apiErrorFrom, IspError, IspProtocolError, type IspApiError, type IspErrorInfo } from './errors.ts';
import { isReadOnlyCall } from './idempotency.ts';
import { describeUrl, isSecretParam, redactParams, scrubSecrets } from './redact.ts';
import { exchange } from './transport.ts';

export interface IspClientOptions {
  /** The panel's address including the manager: `https://host:1500/billmgr`, `https://api.ispsystem.com/manager/billmgr`. */
  url: string | URL;
  username: string;
  password: string;
  /**
   * `authinfo` (default) sends user:password with every call; `session` logs in once with
   * `func=auth` and sends the session id, logging in again once when the panel says it expired.
   */
  auth?: 'authinfo' | 'session';
  /** POST (default) keeps credentials out of the panel's access log; the API takes GET the same way. */
  method?: 'GET' | 'POST';
  /** Language of the panel's messages (default `en`, so errors read the same on every install). */
  lang?: string;
  out?: 'json' | 'sjson';
  /** How long one request may take (default 30 s). */
  timeoutMs?: number;
  /** Repeats of read-only calls after a timeout, 5xx or dropped connection. Writes are never repeated here. */
  retry?: { attempts?: number; backoffMs?: number };
  log?: Logger;
  /** Names the panel in messages (default "ISPsystem panel at <url>"). */
  label?: string;
}

export type IspParamValue = string | number | boolean | null | undefined;
export type IspParams = Record<string, IspParamValue>;

export interface IspCallOptions {
  /** Element id; several ids become a group operation (`elid=1, 2`). */
  elid?: string | number | readonly (string | number)[];
  /** Parent list id for nested lists. */
  plid?: string | number;
  /** Submit the form (`sok=ok`): save or create instead of reading the form. */
  sok?: boolean;
  /**
   * Whether the call may be repeated after a lost reply. `false` marks a write the client cannot
   * recognise by its name; `true` clears an action verb (`server.poweron`). Saves and orders are
   * never repeated automatically.
   */
  idempotent?: boolean;
  timeoutMs?: number;
  /** Aborts the call (the operation queue's timeout); the abort reason is thrown as is. */
  signal?: AbortSignal;
}

export interface IspSaveResult {
  /** The new object's id, when the panel created one. */
  id?: string;
  /** Whether the reply said `ok`. */
  ok: boolean;
  doc: IspDoc;
}

/** Parameters the client sets itself; a caller passing them would change what is authenticated or parsed. */
const RESERVED = new Set(['func', 'out', 'authinfo', 'auth']);

/**
 * A client of one ISPsystem panel account.
 *
 * @example
 * const isp = new IspClient({ url: 'https://my.example.net:1500/billmgr', username: 'reseller', password });
 * const { rows } = await isp.list('vds');
 * const { id } = await isp.save('vds.order.param', { pricelist: 42, period: 1, remoteid: serviceId });
 */
export class IspClient {
  readonly url: URL;
  readonly #username: string;
  readonly #password: string;
  readonly #auth: 'authinfo' | 'session';
  readonly #method: 'GET' | 'POST';
  readonly #lang: string;
  readonly #out: 'json' | 'sjson';
  readonly #timeoutMs: number;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #log: Logger | undefined;
  readonly #target: string;
  #session: string | undefined;
  #login: Promise<string> | undefined;

  constructor(opts: IspClientOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`An ISPsystem panel URL starts with https:// (got ${url.protocol})`);
    if (url.username || url.password) throw new TypeError('Give the panel credentials as username and password, not inside the URL');
    url.search = '';
    url.hash = '';
    this.url = url;
    this.#username = opts.username;
    this.#password = opts.password;
    this.#auth = opts.auth ?? 'authinfo';
    this.#method = opts.method ?? 'POST';
    this.#lang = opts.lang ?? 'en';
    this.#out = opts.out ?? 'json';
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#attempts = Math.max(1, opts.retry?.attempts ?? 2);
    this.#backoffMs = opts.retry?.backoffMs ?? 250;
    this.#log = opts.log;
    this.#target = opts.label ?? `ISPsystem panel at ${describeUrl(url)}`;
  }

  /** Calls a function and returns its `doc`; an error envelope is thrown as the matching IspApiError. */
  async call(func: string, params: IspParams = {}, opts: IspCallOptions = {}): Promise<IspDoc> {
    const doc = await this.#authorized(func, params, opts);
    const error = readError(doc);
    if (error) throw this.#apiError(error, func, params);
    return doc;
  }

  /** A list function (`func=vds`): rows of strings and the paging. */
  async list(func: string, params: IspParams = {}, opts: Omit<IspCallOptions, 'sok'> = {}): Promise<IspList> {
    return readList(await this.call(func, params, { ...opts, sok: false }));
  }

  /** A form without submitting it (`soft.edit&elid=7`): the current values and select options. */
  async form(func: string, params: IspParams = {}, opts: Omit<IspCallOptions, 'sok'> = {}): Promise<IspForm> {
    return readForm(await this.call(func, params, { ...opts, sok: false }));
  }

  /** Submits a form (`sok=ok`): saves with `elid`, creates without. Never repeated automatically. */
  async save(func: string, params: IspParams = {}, opts: Omit<IspCallOptions, 'sok'> = {}): Promise<IspSaveResult> {
    const doc = await this.call(func, params, { ...opts, sok: true });
    const id = readId(doc);
    return { ...(id !== undefined ? { id } : {}), ok: readOk(doc), doc };
  }

  /**
   * A one-time login link for `username` (PROTOCOLS §1.1 key-based SSO): registers a random key with
   * `session.newkey` using this client's (admin) credentials. The link is a credential: hand it to
   * the browser, never log it.
   */
  async createLoginKey(username: string, opts: Pick<IspCallOptions, 'timeoutMs' | 'signal'> = {}): Promise<{ key: string; url: string }> {
    const key = crypto.randomBytes(16).toString('hex');
    await this.call('session.newkey', { username, key }, opts);
    const url = new URL(this.url);
    url.search = new URLSearchParams({ func: 'auth', username, key, checkcookie: 'no' }).toString();
    return { key, url: url.toString() };
  }

  /** Forgets the session, so the next call logs in again. */
  logout(): void {
    this.#session = undefined;
  }

  async #authorized(func: string, params: IspParams, opts: IspCallOptions): Promise<IspDoc> {
    if (this.#auth === 'authinfo') return this.#send(func, this.#fields(func, params, opts, { authinfo: `${this.#username}:${this.#password}` }), opts);
    const session = await this.#currentSession(opts);
    const doc = await this.#send(func, this.#fields(func, params, opts, { auth: session }), opts);
    if (readError(doc)?.type !== 'auth') return doc;
    // The session expired (an hour idle, a panel restart, another IP). An auth error means the panel
    // ran nothing, so even a write may be sent again; exactly once, so bad credentials cannot loop.
    if (this.#session === session) this.#session = undefined;
    const fresh = await this.#currentSession(opts);
    this.#log?.info('ispsystem session expired, logged in again', { upstream: this.#target, func });
    return this.#send(func, this.#fields(func, params, opts, { auth: fresh }), opts);
  }

  #currentSession(opts: IspCallOptions): Promise<string> {
    if (this.#session) return Promise.resolve(this.#session);
    // Calls made while a login is under way share it instead of opening one session each.
    this.#login ??= this.#logIn(opts).finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #logIn(opts: IspCallOptions): Promise<string> {
    const form = this.#fields('auth', { username: this.#username, password: this.#password }, { timeoutMs: opts.timeoutMs }, {});
    const doc = await this.#send('auth', form, { timeoutMs: opts.timeoutMs, signal: opts.signal, idempotent: true });
    const error = readError(doc);
    if (error) throw this.#apiError(error, 'auth', {});
    const auth = readAuth(doc);
    if (!auth) throw new IspProtocolError(`${this.#target} answered auth without a session id.`, { func: 'auth', retryable: false });
    this.#session = auth.session;
    return auth.session;
  }

  #fields(func: string, params: IspParams, opts: IspCallOptions, credentials: Record<string, string>): URLSearchParams {
    const form = new URLSearchParams({ func, out: this.#out, lang: this.#lang });
    if (opts.elid !== undefined) form.set('elid', Array.isArray(opts.elid) ? opts.elid.join(', ') : String(opts.elid));
    if (opts.plid !== undefined) form.set('plid', String(opts.plid));
    for (const [name, value] of Object.entries(params)) {
      if (RESERVED.has(name)) throw new TypeError(`The client sets '${name}' itself; do not pass it as a parameter of ${func}`);
      if (value === undefined || value === null) continue;
      // ISPsystem checkboxes are "on"/"off".
      form.set(name, typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value));
    }
    if (opts.sok) form.set('sok', 'ok');
    for (const [name, value] of Object.entries(credentials)) form.set(name, value);
    return form;
  }

  async #send(func: string, form: URLSearchParams, opts: IspCallOptions): Promise<IspDoc> {
    const readOnly = isReadOnlyCall(func, form, opts.idempotent);
    const attempts = readOnly ? this.#attempts : 1;
    const secrets = this.#secretsOf(form);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const doc = await exchange({
          url: this.url,
          method: this.#method,
          params: form,
          func,
          readOnly,
          timeoutMs: opts.timeoutMs ?? this.#timeoutMs,
          ...(opts.signal ? { signal: opts.signal } : {}),
          secrets,
          target: this.#target,
        });
        this.#log?.debug('ispsystem call', { upstream: this.#target, func, params: redactParams(form), attempt, ms: Math.round(performance.now() - started), error: readError(doc)?.type });
        return doc;
      } catch (err) {
        const again = err instanceof IspError && err.retryable && attempt < attempts;
        const message = scrubSecrets(err instanceof Error ? err.message : String(err), secrets);
        this.#log?.[again ? 'warn' : 'debug']('ispsystem call failed', { upstream: this.#target, func, params: redactParams(form), attempt, ms: Math.round(performance.now() - started), error: message, retrying: again });
        if (!again) throw err;
        await sleep(this.#backoffMs * attempt, undefined, opts.signal ? { signal: opts.signal } : {}).catch((abort: unknown) => {
          throw opts.signal?.reason ?? abort;
        });
      }
    }
  }

  #secretsOf(form: URLSearchParams): string[] {
    const secrets = new Set([this.#password, `${this.#username}:${this.#password}`]);
    if (this.#session) secrets.add(this.#session);
    for (const [name, value] of form) if (isSecretParam(name)) secrets.add(value);
    return [...secrets];
  }

  /** The panel may quote what it refused (a weak new password), so every secret sent is scrubbed from the error. */
  #apiError(info: IspErrorInfo, func: string, params: IspParams): IspApiError {
    const secrets = [this.#password, `${this.#username}:${this.#password}`, ...(this.#session ? [this.#session] : [])];
    for (const [name, value] of Object.entries(params)) if (isSecretParam(name) && value !== null && value !== undefined) secrets.push(String(value));
    const clean = (s: string) => scrubSecrets(s, secrets);
    return apiErrorFrom(
      { ...info, object: clean(info.object), ...(info.value !== undefined ? { value: clean(info.value) } : {}), params: info.params.map((p) => ({ ...p, value: clean(p.value) })), ...(info.text !== undefined ? { text: clean(info.text) } : {}) },
      func,
      this.#target,
    );
  }
}

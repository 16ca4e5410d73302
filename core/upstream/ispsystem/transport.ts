// One HTTP exchange with an ISPsystem panel: send the form, wait at most timeoutMs, return the `doc`
// or throw a transport error that says whether repeating the request is safe.
import { readEnvelope, type IspDoc } from './envelope.ts';
import { IspConnectionError, IspHttpError, IspProtocolError, IspTimeoutError } from './errors.ts';
import { scrubSecrets } from './redact.ts';

export interface Exchange {
  url: URL;
  method: 'GET' | 'POST';
  params: URLSearchParams;
  func: string;
  /** Whether the call only reads: decides if a lost reply makes the outcome unknown. */
  readOnly: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Values to scrub from anything that ends up in an error. */
  secrets: string[];
  /** Names the panel in messages, e.g. "ISPsystem panel at https://host:1500/billmgr". */
  target: string;
}

/** Connection failures that prove the request never reached the panel. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
const TLS = /CERT|SELF_SIGNED|TLS|SSL|UNABLE_TO_VERIFY/;

export async function exchange(x: Exchange): Promise<IspDoc> {
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(), x.timeoutMs);
  const signal = x.signal ? AbortSignal.any([timer.signal, x.signal]) : timer.signal;
  const lost = { func: x.func, retryable: x.readOnly, outcomeUnknown: !x.readOnly };
  const scrub = (text: string) => scrubSecrets(text, x.secrets);
  let status: number;
  let body: string;
  try {
    const url = new URL(x.url);
    const init: RequestInit = { method: x.method, signal, redirect: 'manual', headers: { accept: 'application/json' } };
    if (x.method === 'GET') url.search = x.params.toString();
    else init.body = x.params;
    const res = await fetch(url, init);
    status = res.status;
    body = await res.text();
  } catch (err) {
    if (x.signal?.aborted) throw x.signal.reason;
    if (timer.signal.aborted) {
      throw new IspTimeoutError(`${x.target} did not answer ${x.func} within ${x.timeoutMs} ms${x.readOnly ? '' : '; it may have carried it out, check before repeating'}.`, lost, x.timeoutMs);
    }
    const code = systemCode(err);
    if (code && TLS.test(code)) {
      throw new IspConnectionError(`${x.target}: its TLS certificate is not trusted (${code}). Give the panel a trusted certificate, or add its CA with NODE_EXTRA_CA_CERTS.`, { func: x.func, retryable: false }, code);
    }
    const notSent = code !== undefined && NOT_SENT.has(code);
    const why = scrub(code ?? (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)));
    throw new IspConnectionError(
      `${x.target}: the connection for ${x.func} failed (${why}).${notSent ? ' Check the URL and that the panel is running.' : ''}`,
      notSent ? { func: x.func, retryable: true } : lost,
      code,
    );
  } finally {
    clearTimeout(timeout);
  }
  if (status < 200 || status > 299) {
    // 408/429 and 5xx are the panel or its proxy being busy; other statuses will not change by waiting.
    const temporary = status >= 500 || status === 408 || status === 429;
    const moved = status >= 300 && status < 400 ? ' The URL redirects: enter the address it points to.' : '';
    throw new IspHttpError(`${x.target} answered ${x.func} with HTTP ${status}.${moved}`, temporary ? lost : { func: x.func, retryable: false }, status);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const doc = readEnvelope(parsed);
  if (!doc) {
    throw new IspProtocolError(`${x.target} answered ${x.func} with something that is not an ISPsystem JSON reply (${preview(scrub(body))}). Is the URL that of the panel, e.g. https://host:1500/billmgr?`, lost);
  }
  return doc;
}

function systemCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function preview(body: string): string {
  if (!body.trim()) return 'an empty body';
  const flat = body.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return `starts with "${flat.length > 60 ? `${flat.slice(0, 60)}…` : flat}"`;
}

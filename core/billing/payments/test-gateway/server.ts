// The test gateway: a hosted payment page on loopback (Approve / Decline / Error) that posts a signed
// callback to the panel, plus POST /charge for stored cards. Run it alone with
//   node --import tsx core/billing/payments/test-gateway/server.ts --port 4010 --secret <shared secret>
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatMoney } from '../../../money/money.ts';
import {
  DECLINED_CARD,
  ERROR_CARD,
  PAY_PARAMS,
  SIGNATURE_HEADER,
  signBody,
  verifyBody,
  verifyParams,
  type CallbackBody,
  type ChargeRequest,
  type ChargeResponse,
  type PayParams,
} from './protocol.ts';

export interface TestGatewayOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Shared with the panel's settings; an empty secret makes the gateway refuse everything. */
  secret: string;
  /** Overrides the callback URL the panel signed into the payment link (a panel behind another address). */
  panelCallbackUrl?: string;
  /** One line per payment event (main() prints them). */
  log?: (line: string) => void;
}

/** A callback the gateway sent, with the panel's answer: tests replay and forge these. */
export interface SentCallback {
  url: string;
  body: string;
  signature: string;
  status: number | null;
  error?: string;
}

export interface TestGateway {
  url: string;
  callbacks: SentCallback[];
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const CALLBACK_TRIES = 3;

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; background: #eef1f5; line-height: 1.5; }
body { margin: 0; }
header { background: #0f3d3e; color: #fff; padding: .75rem 1.25rem; font-weight: 700; letter-spacing: .02em; }
header span { font-weight: 400; opacity: .85; margin-left: .5rem; font-size: .9rem; }
main { max-width: 30rem; margin: 2rem auto; background: #fff; border: 1px solid #cfd6de; border-radius: 8px; padding: 1.5rem; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0 0 1.25rem; align-items: baseline; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
.amount { font-size: 1.6rem; font-weight: 700; }
.buttons { display: flex; gap: .6rem; flex-wrap: wrap; }
button { font: inherit; padding: .55rem 1.1rem; border-radius: 6px; border: 1px solid #8a939e; background: #fff; cursor: pointer; }
button.approve { background: #166534; border-color: #166534; color: #fff; }
button.decline { border-color: #991b1b; color: #991b1b; }
button:focus-visible, a:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.note { color: #555e69; font-size: .875rem; margin-top: 1.25rem; }
@media (max-width: 480px) { main { margin: 1rem; } dl { grid-template-columns: 1fr; gap: 0; } dd { margin-bottom: .5rem; } }
.error { background: #fde2e2; color: #7f1d1d; border: 1px solid #fca5a5; padding: .75rem 1rem; border-radius: 6px; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Test gateway</title><link rel="stylesheet" href="/style.css"></head>
<body><header>Test gateway<span>simulated card payments, nothing is charged</span></header><main>${body}</main></body></html>`;
}

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

function send(res: http.ServerResponse, status: number, html: string, extraFormAction: string[] = []): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // Chromium applies form-action to the redirect after our POST too: the shop's origin must be listed.
    'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${extraFormAction.join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
  });
  res.end(html);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown, secret: string): void {
  const body = JSON.stringify(value);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (secret) headers[SIGNATURE_HEADER.toLowerCase()] = signBody(secret, body);
  res.writeHead(status, headers);
  res.end(body);
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

function payParamsFrom(get: (k: string) => string | null): PayParams {
  return Object.fromEntries(PAY_PARAMS.map((k) => [k, get(k) ?? ''])) as PayParams;
}

/** Checks a payment link's parameters; returns what is wrong, or null. */
function checkPayParams(secret: string, p: PayParams, sig: string | null): string | null {
  if (!secret) return 'This test gateway has no shared secret configured, so it accepts no payments.';
  if (!verifyParams(secret, p, sig ?? undefined)) return 'This payment link is not signed by the shop (bad or missing signature). Go back to the shop and start the payment again.';
  if (!/^[1-9]\d{0,15}$/.test(p.amount) || !Number.isSafeInteger(Number(p.amount))) return 'The amount in this payment link is not valid.';
  if (!/^[A-Z]{3}$/.test(p.currency)) return 'The currency in this payment link is not valid.';
  if (!originOf(p.return) || !originOf(p.callback)) return 'The return or callback address in this payment link is not valid.';
  return null;
}

function chargeOutcome(number: string): Pick<CallbackBody, 'outcome' | 'code' | 'message'> {
  if (number === DECLINED_CARD) return { outcome: 'declined', code: 'card_declined', message: 'The card was declined' };
  if (number === ERROR_CARD) return { outcome: 'error', code: 'processing_error', message: 'The card processor failed' };
  return { outcome: 'approved', code: 'approved', message: 'Approved' };
}

export async function startTestGateway(opts: TestGatewayOptions): Promise<TestGateway> {
  const secret = opts.secret ?? '';
  const log = opts.log ?? (() => {});
  const callbacks: SentCallback[] = [];
  /** Approved payments by attempt: pressing Approve twice (or a retried charge) charges once. */
  const approved = new Map<string, CallbackBody>();

  async function postCallback(url: string, body: CallbackBody): Promise<SentCallback> {
    const raw = JSON.stringify(body);
    const record: SentCallback = { url, body: raw, signature: signBody(secret, raw), status: null };
    for (let attempt = 1; attempt <= CALLBACK_TRIES; attempt++) {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: record.signature }, body: raw, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        record.status = res.status;
        delete record.error;
        if (res.status < 500) break;
      } catch (err) {
        record.error = (err as Error).message;
      }
      if (attempt < CALLBACK_TRIES) await new Promise((r) => setTimeout(r, 100 * attempt));
    }
    callbacks.push(record);
    log(`callback ${body.outcome} for ${body.attempt} → ${record.status ?? record.error}`);
    return record;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (req.method === 'GET' && url.pathname === '/style.css') {
      res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' });
      res.end(CSS);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/favicon.ico') {
      res.writeHead(204, { 'cache-control': 'max-age=86400' });
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/') {
      send(res, 200, page('Ready', `<h1>Test gateway</h1><p>${secret ? 'Ready: payment links signed with the shared secret are accepted.' : 'No shared secret is configured: every payment is refused.'}</p>`));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/pay') {
      const p = payParamsFrom((k) => url.searchParams.get(k));
      const sig = url.searchParams.get('sig');
      const problem = checkPayParams(secret, p, sig);
      if (problem) {
        send(res, secret ? 403 : 503, page('Payment refused', `<h1>Payment refused</h1><p class="error" role="alert">${esc(problem)}</p>`));
        return;
      }
      const amount = formatMoney({ amount: Number(p.amount), currency: p.currency });
      const hidden = [...PAY_PARAMS.map((k) => [k, p[k]] as const), ['sig', sig ?? ''] as const].map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
      const shop = originOf(p.return)!;
      send(
        res,
        200,
        page(
          `Pay ${amount}`,
          `<h1>Pay the shop</h1>
<dl><dt>Amount</dt><dd class="amount">${esc(amount)}</dd><dt>Shop</dt><dd>${esc(shop)}</dd><dt>Order reference</dt><dd><code>${esc(p.attempt)}</code></dd></dl>
<form method="post" action="/pay">${hidden}
<div class="buttons">
<button type="submit" name="outcome" value="approved" class="approve">Approve</button>
<button type="submit" name="outcome" value="declined" class="decline">Decline</button>
<button type="submit" name="outcome" value="error">Error</button>
</div></form>
<p class="note">Choose what the card network answers. The gateway tells the shop server-to-server, then sends you back to it.</p>`,
        ),
        [shop],
      );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/pay') {
      const raw = await readBody(req);
      const form = new URLSearchParams(raw ?? '');
      const p = payParamsFrom((k) => form.get(k));
      const problem = raw === null ? 'The form is too large.' : checkPayParams(secret, p, form.get('sig'));
      const outcome = form.get('outcome');
      if (problem || (outcome !== 'approved' && outcome !== 'declined' && outcome !== 'error')) {
        send(res, problem && !secret ? 503 : 403, page('Payment refused', `<h1>Payment refused</h1><p class="error" role="alert">${esc(problem ?? 'Choose Approve, Decline or Error.')}</p>`));
        return;
      }
      let body = approved.get(p.attempt);
      if (!body) {
        body = {
          attempt: p.attempt,
          outcome,
          transaction: `tg_${crypto.randomBytes(9).toString('hex')}`,
          amount: outcome === 'approved' ? Number(p.amount) : 0,
          currency: p.currency,
          code: outcome === 'approved' ? 'approved' : outcome === 'declined' ? 'card_declined' : 'processing_error',
          message: outcome === 'approved' ? 'Approved' : outcome === 'declined' ? 'The card was declined' : 'The card processor failed',
        };
        if (outcome === 'approved') approved.set(p.attempt, body);
      }
      const sent = await postCallback(opts.panelCallbackUrl ?? p.callback, body);
      const shop = originOf(p.return)!;
      if (sent.status !== null && sent.status >= 200 && sent.status < 300) {
        res.writeHead(303, { location: p.return, 'cache-control': 'no-store' });
        res.end();
        return;
      }
      send(
        res,
        502,
        page('Shop did not confirm', `<h1>The shop did not confirm</h1><p class="error" role="alert">The shop answered the payment notice with ${esc(sent.status ?? sent.error ?? 'nothing')}. Nothing was charged twice; tell the shop the order reference <code>${esc(p.attempt)}</code>.</p><p><a href="${esc(p.return)}">Return to the shop</a></p>`),
        [shop],
      );
      return;
    }
    if (req.method === 'POST' && url.pathname === '/charge') {
      const raw = await readBody(req);
      const sig = req.headers[SIGNATURE_HEADER.toLowerCase()];
      if (raw === null || !verifyBody(secret, raw, typeof sig === 'string' ? sig : undefined)) {
        sendJson(res, 403, { error: secret ? 'bad signature' : 'no shared secret configured' }, '');
        return;
      }
      let reqBody: ChargeRequest;
      try {
        reqBody = JSON.parse(raw) as ChargeRequest;
      } catch {
        sendJson(res, 400, { error: 'malformed JSON' }, secret);
        return;
      }
      if (typeof reqBody.attempt !== 'string' || !Number.isSafeInteger(reqBody.amount) || reqBody.amount <= 0 || !/^[A-Z]{3}$/.test(String(reqBody.currency)) || typeof reqBody.card?.number !== 'string') {
        sendJson(res, 400, { error: 'attempt, amount, currency and card.number are required' }, secret);
        return;
      }
      const previous = approved.get(reqBody.attempt);
      if (previous) {
        sendJson(res, 200, previous, secret);
        return;
      }
      const decided = chargeOutcome(reqBody.card.number);
      const reply: ChargeResponse = {
        attempt: reqBody.attempt,
        ...decided,
        transaction: `tg_${crypto.randomBytes(9).toString('hex')}`,
        amount: decided.outcome === 'approved' ? reqBody.amount : 0,
        currency: reqBody.currency,
      };
      if (reply.outcome === 'approved') approved.set(reqBody.attempt, reply);
      log(`charge ${reply.outcome} for ${reply.attempt} (card ending ${reqBody.card.number.slice(-4)})`);
      sendJson(res, 200, reply, secret);
      return;
    }
    send(res, 404, page('Not found', '<h1>Not found</h1>'));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`request failed: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, page('Error', '<h1>Gateway error</h1>'));
      else res.end();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    callbacks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i !== -1) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

/** Command line: --port (4010), --host (127.0.0.1), --secret (or TRELLIS_TEST_GATEWAY_SECRET), --callback (optional). */
export async function main(argv: string[] = process.argv.slice(2)): Promise<TestGateway | null> {
  const secret = argValue(argv, 'secret') ?? process.env.TRELLIS_TEST_GATEWAY_SECRET ?? '';
  if (!secret) {
    process.stderr.write('The test gateway needs the shared secret: --secret <secret> or TRELLIS_TEST_GATEWAY_SECRET (the same as in Admin → Payment gateways).\n');
    process.exitCode = 2;
    return null;
  }
  const port = Number(argValue(argv, 'port') ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, got ${argValue(argv, 'port')}\n`);
    process.exitCode = 2;
    return null;
  }
  const gateway = await startTestGateway({
    port,
    host: argValue(argv, 'host') ?? '127.0.0.1',
    secret,
    panelCallbackUrl: argValue(argv, 'callback'),
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(`Test gateway listening at ${gateway.url} (enter this URL and the secret in Admin → Payment gateways)\n`);
  const stop = () => void gateway.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return gateway;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) void main();

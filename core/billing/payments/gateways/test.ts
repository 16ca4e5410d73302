// The panel's side of the test gateway: signed payment links, verified callbacks, stored-card charges.
import { z } from 'zod';
import type { SecretBox } from '../../../secrets/crypto.ts';
import type { SettingsStore } from '../../../settings/store.ts';
import { GatewayUnavailableError, type CallbackRequest, type GatewayOutcome, type PaymentAttempt, type PaymentGateway, type StartContext, type StartResult, type StoredCard } from '../gateway.ts';
import { getTestGatewaySettings, type TestGatewaySettings } from '../settings.ts';
import { SIGNATURE_HEADER, signBody, signParams, verifyBody, type ChargeRequest, type PayParams } from '../test-gateway/protocol.ts';

const outcomeBody = z.object({
  attempt: z.string().min(1).max(40),
  outcome: z.enum(['approved', 'declined', 'error']),
  transaction: z.string().min(1).max(100),
  amount: z.number().int().min(0).refine(Number.isSafeInteger),
  currency: z.string().regex(/^[A-Z]{3}$/),
  code: z.string().max(40),
  message: z.string().max(300).default(''),
});

function toOutcome(b: z.infer<typeof outcomeBody>): GatewayOutcome {
  return { attemptId: b.attempt, outcome: b.outcome, gatewayTxId: b.transaction, amount: b.amount, currency: b.currency, statusCode: b.code, raw: { ...b } };
}

export class TestGatewayClient implements PaymentGateway {
  readonly id = 'test';
  readonly title = 'Test gateway';
  readonly method = 'Credit Card';
  readonly offline = false;

  constructor(private readonly deps: { settings: SettingsStore; secrets: SecretBox; timeoutMs?: number }) {}

  config(): Promise<TestGatewaySettings> {
    return getTestGatewaySettings(this.deps.settings, this.deps.secrets);
  }

  async isReady(): Promise<boolean> {
    const c = await this.config();
    return c.enabled && Boolean(c.url) && Boolean(c.secret);
  }

  async origin(): Promise<string | null> {
    const c = await this.config();
    try {
      return c.url ? new URL(c.url).origin : null;
    } catch {
      return null;
    }
  }

  async #readyConfig(): Promise<TestGatewaySettings> {
    const c = await this.config();
    if (!c.enabled) throw new GatewayUnavailableError('The test gateway is turned off. An administrator can turn it on in Payment gateways.');
    if (!c.secret) throw new GatewayUnavailableError('The test gateway has no shared secret, so it takes no payments. An administrator enters it in Payment gateways.');
    if (!c.url) throw new GatewayUnavailableError('The test gateway has no address. An administrator enters it in Payment gateways.');
    return c;
  }

  async start(attempt: PaymentAttempt, ctx: StartContext): Promise<StartResult> {
    const c = await this.#readyConfig();
    const params: PayParams = { attempt: attempt.id, amount: String(attempt.amount), currency: attempt.currency, return: ctx.returnUrl, callback: ctx.callbackUrl };
    const qs = new URLSearchParams({ ...params, sig: signParams(c.secret, params) });
    return { kind: 'redirect', url: `${c.url}/pay?${qs.toString()}` };
  }

  async verifyCallback(request: CallbackRequest): Promise<GatewayOutcome | null> {
    // Even a gateway turned off verifies: a payment started before still completes. Without a secret, nothing does.
    const c = await this.config();
    if (!verifyBody(c.secret, request.body, request.header(SIGNATURE_HEADER))) return null;
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      return null;
    }
    const parsed = outcomeBody.safeParse(json);
    return parsed.success ? toOutcome(parsed.data) : null;
  }

  async chargeStored(card: StoredCard, attempt: PaymentAttempt): Promise<GatewayOutcome> {
    const c = await this.#readyConfig();
    const request: ChargeRequest = {
      attempt: attempt.id,
      amount: attempt.amount,
      currency: attempt.currency,
      card: { number: card.card.number, expMonth: card.expMonth, expYear: card.expYear, name: card.card.nameOnCard, ...(card.cvv ? { cvv: card.cvv } : {}) },
    };
    const body = JSON.stringify(request);
    const failed = (code: string, message: string): GatewayOutcome => ({ attemptId: attempt.id, outcome: 'error', gatewayTxId: '', amount: 0, currency: attempt.currency, statusCode: code, raw: { code, message } });
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${c.url}/charge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(c.secret, body) },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 15_000),
      });
      text = await res.text();
    } catch (err) {
      return failed('gateway_unreachable', `The test gateway at ${c.url} did not answer: ${(err as Error).message}`);
    }
    if (!verifyBody(c.secret, text, res.headers.get(SIGNATURE_HEADER) ?? undefined)) {
      return failed(res.status === 403 ? 'gateway_refused' : 'unverified_reply', `The test gateway answered ${res.status} without a valid signature`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return failed('malformed_reply', 'The test gateway answered with malformed JSON');
    }
    const parsed = outcomeBody.safeParse(json);
    if (!parsed.success || parsed.data.attempt !== attempt.id) return failed('malformed_reply', `The test gateway answered ${res.status} with an unexpected body`);
    return toOutcome(parsed.data);
  }
}

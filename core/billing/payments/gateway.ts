// The payment-gateway contract: start a payment (hosted page or offline instructions), charge a stored card, verify a callback.
import type { SealedCard } from '../accounts/sealing.ts';

/** A payment the client started: one or several invoices of one client, in one currency. */
export interface PaymentAttempt {
  /** Random; sent to the gateway as the order reference. */
  id: string;
  clientId: number;
  invoiceIds: number[];
  gateway: string;
  /** Minor units of `currency`: the sum due on the invoices when the payment started. */
  amount: number;
  currency: string;
  status: AttemptStatus;
  createdAt: string;
  completedAt: string | null;
}

export type AttemptStatus = 'started' | 'approved' | 'declined' | 'error' | 'expired';

/** What the client does next: go to the gateway's hosted page, or follow offline instructions. */
export type StartResult =
  | { kind: 'redirect'; url: string }
  | { kind: 'instructions'; title: string; /** Plain text (rendered logic-less from the operator's template); escape it when showing it. */ text: string };

/** What a gateway says happened to an attempt, once its signature was verified. */
export interface GatewayOutcome {
  attemptId: string;
  outcome: 'approved' | 'declined' | 'error';
  /** The gateway's own id of the charge; with the invoice id it is the transaction's external id. */
  gatewayTxId: string;
  /** What the gateway charged, in minor units (0 for declines and errors). */
  amount: number;
  currency: string;
  /** The gateway's code for the outcome ('approved', 'card_declined', 'processing_error', ...). */
  statusCode: string;
  /** What the gateway sent, kept on the transaction for disputes (never card numbers). */
  raw: Record<string, unknown>;
}

/** A callback as the route received it: the raw body (signatures cover bytes, not parsed JSON) and the headers. */
export interface CallbackRequest {
  body: string;
  header(name: string): string | undefined;
}

export interface StartContext {
  /** Where the gateway sends the client back (has ?attempt=<id>). */
  returnUrl: string;
  /** Where the gateway posts its signed outcome: <public URL>/payments/callback/<gateway id>. */
  callbackUrl: string;
  /** The invoices' numbers, for references and instructions. */
  invoiceNumbers: string[];
}

/** A stored card as a gateway that can charge it receives it (CVV only when a form just asked for it). */
export interface StoredCard {
  /** null: a card typed into a payment form for this one charge and not saved. */
  accountId: number | null;
  card: SealedCard;
  expMonth: string;
  expYear: string;
  cvv?: string;
}

export interface PaymentGateway {
  /** 'test', 'bank': the transactions' `gateway` column and the callback path /payments/callback/<id>. */
  readonly id: string;
  /** Shown to people: "Test gateway", "Bank transfer". */
  readonly title: string;
  /** The transactions' `method` column: what the client sees ("Credit Card", "Bank transfer"). */
  readonly method: string;
  /** True when payments happen outside the panel and staff record them (bank transfer). */
  readonly offline: boolean;
  /** Whether the operator turned it on and it is configured; a gateway with an empty secret is not. */
  isReady(): Promise<boolean>;
  /** The origin of the hosted page, for the CSP's form-action (null for offline gateways). */
  origin(): Promise<string | null>;
  /** Where to send the client for `attempt`, or what to tell them. Throws GatewayUnavailableError when not ready. */
  start(attempt: PaymentAttempt, ctx: StartContext): Promise<StartResult>;
  /** Charges a stored card server-to-server; only gateways that can. */
  chargeStored?(card: StoredCard, attempt: PaymentAttempt): Promise<GatewayOutcome>;
  /** The verified outcome, or null when the signature is missing or wrong (or the gateway has no secret). */
  verifyCallback(request: CallbackRequest): Promise<GatewayOutcome | null>;
}

export class GatewayUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayUnavailableError';
  }
}

// The manual / bank-transfer gateway: offline. It shows the operator's instructions; staff record the payment when money arrives.
import type { SettingsStore } from '../../../settings/store.ts';
import { formatMoney } from '../../../money/money.ts';
import { renderTemplateText } from '../../../views/logicless.ts';
import { GatewayUnavailableError, type GatewayOutcome, type PaymentAttempt, type PaymentGateway, type StartContext, type StartResult } from '../gateway.ts';
import { getBankGatewaySettings } from '../settings.ts';

export class BankTransferGateway implements PaymentGateway {
  readonly id = 'bank';
  readonly title = 'Bank transfer';
  readonly method = 'Bank transfer';
  readonly offline = true;

  constructor(private readonly deps: { settings: SettingsStore; minorUnits?: (currency: string) => Promise<number> }) {}

  async isReady(): Promise<boolean> {
    return (await getBankGatewaySettings(this.deps.settings)).enabled;
  }

  async origin(): Promise<string | null> {
    return null;
  }

  async start(attempt: PaymentAttempt, ctx: StartContext): Promise<StartResult> {
    const s = await getBankGatewaySettings(this.deps.settings);
    if (!s.enabled) throw new GatewayUnavailableError('Paying by bank transfer is turned off. An administrator can turn it on in Payment gateways.');
    const minor = this.deps.minorUnits ? await this.deps.minorUnits(attempt.currency) : undefined;
    // Plain text: the page escapes it. Operator-written text never runs as a template language.
    const text = renderTemplateText(
      s.instructions,
      { amount: formatMoney({ amount: attempt.amount, currency: attempt.currency }, minor), reference: attempt.id, invoices: ctx.invoiceNumbers.join(', '), client: String(attempt.clientId) },
      'text',
    );
    return { kind: 'instructions', title: 'Pay by bank transfer', text };
  }

  /** Nobody calls back for a bank transfer: every callback is refused. */
  async verifyCallback(): Promise<GatewayOutcome | null> {
    return null;
  }
}

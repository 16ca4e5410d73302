// Payments: gateways behind one interface, payment attempts, signed callbacks, staff record / refund pages.
export * from './gateway.ts';
export { PaymentService, PaymentServiceError, attemptIdForKey, type ChargeResult, type PaymentActor, type PaymentDeps, type SettleResult, type StartedPayment, type CallbackResult } from './service.ts';
export { setupPayments, paymentsOf } from './setup.ts';
export { TestGatewayClient } from './gateways/test.ts';
export { BankTransferGateway } from './gateways/bank.ts';
export {
  BANK_GATEWAY_SETTINGS_KEY,
  TEST_GATEWAY_SETTINGS_KEY,
  getBankGatewaySettings,
  getTestGatewaySettings,
  saveBankGatewaySettings,
  saveTestGatewaySettings,
  type BankGatewaySettings,
  type TestGatewaySettings,
} from './settings.ts';
export { MANUAL_METHODS, PAYMENTS_ADMIN_BASE, checkFormKey, makeFormKey } from './admin-routes.ts';

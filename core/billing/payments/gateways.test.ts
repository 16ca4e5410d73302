// Gateways in isolation: the test gateway's signatures, the bank-transfer instructions, one-time form keys.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { ManualClock } from '../../clock.ts';
import { createSecretBox } from '../../secrets/crypto.ts';
import { SettingsStore } from '../../settings/store.ts';
import { ViewRenderer } from '../../views/renderer.ts';
import { BankTransferGateway } from './gateways/bank.ts';
import { TestGatewayClient } from './gateways/test.ts';
import type { PaymentAttempt } from './gateway.ts';
import { saveBankGatewaySettings, saveTestGatewaySettings } from './settings.ts';
import { SIGNATURE_HEADER, signBody, signParams, verifyBody, verifyParams, type PayParams } from './test-gateway/protocol.ts';
import { checkFormKey, makeFormKey } from './admin-routes.ts';

const secrets = createSecretBox(Buffer.alloc(32, 3));
const params: PayParams = { attempt: 'pa_abc', amount: '1999', currency: 'USD', return: 'http://127.0.0.1:3000/payments/return?attempt=pa_abc', callback: 'http://127.0.0.1:3000/payments/callback/test' };
const attempt: PaymentAttempt = { id: 'pa_abc', clientId: 7, invoiceIds: [1, 2], gateway: 'bank', amount: 123456, currency: 'EUR', status: 'started', createdAt: '2026-03-02T09:00:00.000Z', completedAt: null };

describe('the test gateway protocol', () => {
  it('signs the payment link so that changing any parameter breaks the signature', () => {
    const sig = signParams('s3cret-s3cret-s3cret', params);
    expect(verifyParams('s3cret-s3cret-s3cret', params, sig)).toBe(true);
    for (const key of Object.keys(params) as (keyof PayParams)[]) expect(verifyParams('s3cret-s3cret-s3cret', { ...params, [key]: `${params[key]}0` }, sig), key).toBe(false);
    expect(verifyParams('another-secret-here', params, sig)).toBe(false);
  });

  it('signs nothing and verifies nothing with an empty secret', () => {
    expect(() => signParams('', params)).toThrow(/no shared secret/);
    expect(() => signBody('', '{}')).toThrow(/no shared secret/);
    expect(verifyBody('', '{}', '')).toBe(false);
    expect(verifyParams('', params, 'anything')).toBe(false);
  });
});

describe('gateways', () => {
  let t: TestDb;
  let settings: SettingsStore;
  beforeEach(async () => {
    t = await createMigratedTestDb();
    settings = new SettingsStore({ db: t.db, clock: new ManualClock('2026-03-02T09:00:00Z'), secrets });
  });
  afterEach(async () => {
    await t.destroy();
  });

  it('the test gateway accepts only callbacks signed with its secret, and well-formed ones', async () => {
    const gw = new TestGatewayClient({ settings, secrets });
    const body = JSON.stringify({ attempt: 'pa_abc', outcome: 'approved', transaction: 'tg_1', amount: 1999, currency: 'USD', code: 'approved', message: 'ok' });
    const req = (b: string, sig?: string) => ({ body: b, header: (n: string) => (n === SIGNATURE_HEADER && sig ? sig : undefined) });
    expect(await gw.verifyCallback(req(body, signBody('shared-secret-0123456789', body)))).toBeNull(); // no secret stored yet
    await saveTestGatewaySettings(settings, secrets, { enabled: false, url: 'http://127.0.0.1:4010', secret: 'shared-secret-0123456789' });
    expect(await gw.isReady()).toBe(false);
    expect(await gw.verifyCallback(req(body))).toBeNull();
    expect(await gw.verifyCallback(req(body, signBody('wrong-secret-0123456789', body)))).toBeNull();
    expect(await gw.verifyCallback(req(body, signBody('shared-secret-0123456789', body)))).toMatchObject({ attemptId: 'pa_abc', outcome: 'approved', gatewayTxId: 'tg_1', amount: 1999 });
    const malformed = JSON.stringify({ attempt: 'pa_abc', outcome: 'paid', amount: -1 });
    expect(await gw.verifyCallback(req(malformed, signBody('shared-secret-0123456789', malformed)))).toBeNull();
    await expect(gw.start({ ...attempt, gateway: 'test' }, { returnUrl: params.return, callbackUrl: params.callback, invoiceNumbers: [] })).rejects.toThrow(/turned off/);
  });

  it('the bank transfer shows the operator’s instructions as text, never as markup or code', async () => {
    const gw = new BankTransferGateway({ settings });
    await expect(gw.start(attempt, { returnUrl: '', callbackUrl: '', invoiceNumbers: ['INV-000001'] })).rejects.toThrow(/turned off/);
    await saveBankGatewaySettings(settings, { enabled: true, instructions: 'Send {{amount}} to IBAN DE00 1234 <script>alert(1)</script>\nReference: {{reference}} for {{invoices}}' });
    const r = await gw.start(attempt, { returnUrl: '', callbackUrl: '', invoiceNumbers: ['INV-000001', 'INV-000002'] });
    expect(r).toEqual({ kind: 'instructions', title: 'Pay by bank transfer', text: 'Send 1,234.56 EUR to IBAN DE00 1234 <script>alert(1)</script>\nReference: pa_abc for INV-000001, INV-000002' });
    const html = new ViewRenderer().render('pages/admin/payments/instructions', { ...(r as { title: string; text: string }), reference: attempt.id });
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(await gw.verifyCallback()).toBeNull();
  });
});

describe('one-time form keys', () => {
  it('are bound to their purpose and subject and cannot be made up', () => {
    const key = makeFormKey(secrets, 'refund', '12');
    expect(checkFormKey(secrets, 'refund', '12', key)).toBe(true);
    expect(checkFormKey(secrets, 'refund', '13', key)).toBe(false);
    expect(checkFormKey(secrets, 'record', '12', key)).toBe(false);
    expect(checkFormKey(secrets, 'refund', '12', `${key.split('.')[0]}.forged`)).toBe(false);
    expect(makeFormKey(secrets, 'refund', '12')).not.toBe(key);
  });
});

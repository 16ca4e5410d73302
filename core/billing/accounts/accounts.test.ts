// Billing accounts: card and bank details sealed and masked, CVV never stored, pass-phrase mode, services, default account.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMigratedTestDb, type TestDb } from '../../../test/helpers/db.ts';
import { insertClient, insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { ManualClock } from '../../clock.ts';
import { createSecretBox } from '../../secrets/crypto.ts';
import { SettingsStore } from '../../settings/store.ts';
import { AuditLog } from '../../audit/audit.ts';
import { createBillingAccount, deleteBillingAccount, describeAccount, editFormValues, revealBillingAccount, updateBillingAccount, type AccountDeps } from './accounts.ts';
import { ACCOUNT_SETTINGS_KEY } from './settings.ts';
import { SealedDataError } from './sealing.ts';
import { accountServiceIds, getAccount, listAccounts } from './store.ts';

let t: TestDb;
let deps: AccountDeps;
const staff = { type: 'staff' as const, id: 1, label: 'admin@example.test' };
const CARD = '4242424242424242';
const card = (over: Record<string, unknown> = {}) => ({ nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: '4242 4242 4242 4242', expMonth: '12', expYear: '2027', ...over });
const bank = (over: Record<string, unknown> = {}) => ({ bankName: 'First Bank', bankState: 'TX', accountKind: 'checking', routingNumber: '111000025', accountNumber: '000123456789', licenseNumber: 'D7654321', licenseState: 'TX', dateOfBirth: '01/31/1980', ...over });

beforeEach(async () => {
  t = await createMigratedTestDb();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const secrets = createSecretBox(Buffer.alloc(32, 7));
  deps = { db: t.db, clock, secrets, settings: new SettingsStore({ db: t.db, clock, secrets }), audit: new AuditLog({ db: t.db, clock }) };
});
afterEach(async () => {
  await t.destroy();
});

async function addCard(clientId: number, values: Record<string, unknown> = card()) {
  const r = await createBillingAccount(deps, { clientId, type: 'card', values, actor: staff });
  if (!r.ok) throw new Error(`card not added: ${JSON.stringify(r.errors)}`);
  return r.value.accountId;
}

async function rowText(table: string, where: Record<string, unknown>): Promise<string> {
  return JSON.stringify(await t.db(table).where(where));
}

describe('billing accounts', () => {
  it('store the card number only encrypted and show it masked as "Visa •••• 4242"', async () => {
    const c = await insertClient(t.db);
    const id = await addCard(c);
    const row = (await getAccount(t.db, c, id))!;
    expect(row.sealed).toMatch(/^v1:/);
    expect(await rowText('core_billing_accounts', { id })).not.toContain(CARD);
    expect(row).toMatchObject({ type: 'card', card_type: 'visa', last4: '4242', card_exp_month: '12', card_exp_year: '2027', is_default: true });
    expect(describeAccount(row)).toBe('Visa •••• 4242');
    const revealed = await revealBillingAccount(deps, { clientId: c, accountId: id });
    expect(revealed?.data).toMatchObject({ kind: 'card', number: CARD, nameOnCard: 'Ada Lovelace' });
    // Nothing secret reaches the audit log either.
    expect(await rowText('core_audit_log', {})).not.toContain(CARD);
    expect(await rowText('core_audit_log', {})).toContain('Visa •••• 4242');
  });

  it('never store the CVV: not in any column of the row, not in the sealed data, not in the audit log', async () => {
    const c = await insertClient(t.db);
    const id = await addCard(c, card({ cvv: '9184' }));
    const row = (await t.db('core_billing_accounts').where({ id }).first()) as Record<string, unknown>;
    for (const [column, value] of Object.entries(row)) {
      if (column === 'sealed') continue;
      expect(String(value), column).not.toContain('9184');
    }
    const sealedPlain = deps.secrets.decrypt(String(row.sealed));
    expect(sealedPlain).not.toContain('9184');
    expect(sealedPlain.toLowerCase()).not.toContain('cvv');
    expect(await rowText('core_audit_log', {})).not.toContain('9184');
  });

  it('seal bank details and keep only the bank name and last four digits in clear', async () => {
    const c = await insertClient(t.db);
    const r = await createBillingAccount(deps, { clientId: c, type: 'echeck', values: bank(), actor: staff });
    expect(r.ok).toBe(true);
    const row = (await listAccounts(t.db, c))[0]!;
    expect(describeAccount(row)).toBe('eCheck · First Bank •••• 6789');
    const text = await rowText('core_billing_accounts', { id: row.id });
    for (const secret of ['111000025', '000123456789', 'D7654321', '01/31/1980']) expect(text).not.toContain(secret);
    const revealed = await revealBillingAccount(deps, { clientId: c, accountId: row.id });
    expect(revealed?.data).toMatchObject({ kind: 'bank', routingNumber: '111000025', accountNumber: '000123456789', licenseNumber: 'D7654321', dateOfBirth: '01/31/1980' });
  });

  it('refuse bad input field by field and save nothing', async () => {
    const c = await insertClient(t.db);
    const r = await createBillingAccount(deps, { clientId: c, type: 'card', values: card({ cardNumber: '4242424242424241', expMonth: '1' }), actor: staff });
    expect(r).toEqual({ ok: false, errors: { cardNumber: 'This card number is not valid', expMonth: 'Enter the month as two digits, e.g. 01' } });
    expect(await listAccounts(t.db, c)).toEqual([]);
    expect(await t.db('core_audit_log').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('keep the stored number when an edit leaves it empty, and replace it when one is typed', async () => {
    const c = await insertClient(t.db);
    const id = await addCard(c);
    const edit = await updateBillingAccount(deps, { clientId: c, accountId: id, values: card({ cardNumber: '', label: 'Office card', expYear: '2029' }), actor: staff });
    expect(edit.ok).toBe(true);
    expect((await revealBillingAccount(deps, { clientId: c, accountId: id }))?.data).toMatchObject({ number: CARD });
    expect(await getAccount(t.db, c, id)).toMatchObject({ label: 'Office card', card_exp_year: '2029', last4: '4242' });
    await updateBillingAccount(deps, { clientId: c, accountId: id, values: card({ cardNumber: '5555 5555 5555 4444', cardType: 'mastercard' }), actor: staff });
    expect(describeAccount((await getAccount(t.db, c, id))!)).toBe('MasterCard •••• 4444');
    // The edit form shows the name again but never the number.
    const values = await editFormValues(deps, (await getAccount(t.db, c, id))!, []);
    expect(values.nameOnCard).toBe('Ada Lovelace');
    expect(JSON.stringify(values)).not.toContain('5555555555554444');
  });

  it('refuse sealed data copied onto another client’s account', async () => {
    const a = await insertClient(t.db);
    const b = await insertClient(t.db);
    const idA = await addCard(a);
    const idB = await addCard(b, card({ cardNumber: '5555555555554444', cardType: 'mastercard' }));
    const sealedA = (await getAccount(t.db, a, idA))!.sealed;
    await t.db('core_billing_accounts').where({ id: idB }).update({ sealed: sealedA });
    await expect(revealBillingAccount(deps, { clientId: b, accountId: idB })).rejects.toMatchObject({ code: 'foreign' });
    expect(await revealBillingAccount(deps, { clientId: b, accountId: idA })).toBeUndefined();
  });
});

describe('the encryption pass-phrase', () => {
  beforeEach(async () => {
    await deps.settings.set(ACCOUNT_SETTINGS_KEY, { passphrase: true });
  });

  it('is required for card and bank accounts when the operator turns it on, but not for manual ones', async () => {
    const c = await insertClient(t.db);
    const r = await createBillingAccount(deps, { clientId: c, type: 'card', values: card(), actor: staff });
    expect(r).toEqual({ ok: false, errors: { passphrase: 'Enter the encryption pass-phrase' } });
    const short = await createBillingAccount(deps, { clientId: c, type: 'card', values: card({ passphrase: 'short' }), actor: staff });
    expect(short).toEqual({ ok: false, errors: { passphrase: 'Use at least 8 characters for the pass-phrase' } });
    expect((await createBillingAccount(deps, { clientId: c, type: 'manual', values: {}, actor: staff })).ok).toBe(true);
  });

  it('keeps staff from reading the details without it, and opens them with it', async () => {
    const c = await insertClient(t.db);
    const id = await addCard(c, card({ passphrase: 'correct horse battery' }));
    await expect(revealBillingAccount(deps, { clientId: c, accountId: id })).rejects.toBeInstanceOf(SealedDataError);
    await expect(revealBillingAccount(deps, { clientId: c, accountId: id })).rejects.toMatchObject({ code: 'passphrase_required' });
    await expect(revealBillingAccount(deps, { clientId: c, accountId: id, passphrase: 'wrong horse battery' })).rejects.toMatchObject({ code: 'passphrase_wrong' });
    expect((await revealBillingAccount(deps, { clientId: c, accountId: id, passphrase: 'correct horse battery' }))?.data).toMatchObject({ number: CARD, nameOnCard: 'Ada Lovelace' });
    // The panel's own key alone opens only the outer layer: the card number is not inside it in clear.
    const outer = deps.secrets.decrypt((await getAccount(t.db, c, id))!.sealed!);
    expect(outer).not.toContain(CARD);
    expect(outer).not.toContain('Ada Lovelace');
    expect(outer).toContain('"salt"');
    // An edit form cannot show what it cannot read.
    expect((await editFormValues(deps, (await getAccount(t.db, c, id))!, [])).nameOnCard).toBeUndefined();
  });

  it('lets staff change the clear fields without it, but the protected details only with it', async () => {
    const c = await insertClient(t.db);
    const id = await addCard(c, card({ passphrase: 'correct horse battery' }));
    const clearOnly = await updateBillingAccount(deps, { clientId: c, accountId: id, values: { cardType: 'visa', expMonth: '11', expYear: '2028', label: 'Renamed' }, actor: staff });
    expect(clearOnly.ok).toBe(true);
    expect(await getAccount(t.db, c, id)).toMatchObject({ label: 'Renamed', card_exp_month: '11', last4: '4242' });
    const noPass = await updateBillingAccount(deps, { clientId: c, accountId: id, values: { cardType: 'visa', expMonth: '11', expYear: '2028', cardNumber: '4000000000000002' }, actor: staff });
    expect(noPass.ok ? {} : noPass.errors).toHaveProperty('passphrase');
    const wrong = await updateBillingAccount(deps, { clientId: c, accountId: id, values: { cardType: 'visa', expMonth: '11', expYear: '2028', cardNumber: '4000000000000002', passphrase: 'wrong horse battery' }, actor: staff });
    expect(wrong.ok ? {} : wrong.errors).toEqual({ passphrase: 'The encryption pass-phrase is not correct.' });
    const right = await updateBillingAccount(deps, { clientId: c, accountId: id, values: { cardType: 'visa', expMonth: '11', expYear: '2028', cardNumber: '4000000000000002', passphrase: 'correct horse battery' }, actor: staff });
    expect(right.ok).toBe(true);
    expect((await revealBillingAccount(deps, { clientId: c, accountId: id, passphrase: 'correct horse battery' }))?.data).toMatchObject({ number: '4000000000000002', nameOnCard: 'Ada Lovelace' });
    expect((await getAccount(t.db, c, id))!.last4).toBe('0002');
  });
});

describe('which services an account pays for', () => {
  it('takes only the client’s own services, and moves a service from the account that paid for it', async () => {
    const c = await insertClient(t.db);
    const other = await insertClient(t.db);
    const { packageId } = await insertPackage(t.db);
    const s1 = await insertService(t.db, { clientId: c, packageId });
    const s2 = await insertService(t.db, { clientId: c, packageId });
    const foreign = await insertService(t.db, { clientId: other, packageId });
    const refused = await createBillingAccount(deps, { clientId: c, type: 'manual', values: { serviceIds: [String(s1), String(foreign)] }, actor: staff });
    expect(refused).toEqual({ ok: false, errors: { serviceIds: `Service #${foreign} does not belong to this client` } });
    expect(await listAccounts(t.db, c)).toEqual([]);

    const a = await addCard(c, card({ serviceIds: [String(s1), String(s2)] }));
    expect(await accountServiceIds(t.db, a)).toEqual([s1, s2]);
    const r = await createBillingAccount(deps, { clientId: c, type: 'manual', values: { serviceIds: String(s2) }, actor: staff });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(await accountServiceIds(t.db, a)).toEqual([s1]);
    expect(await accountServiceIds(t.db, r.value.accountId)).toEqual([s2]);
  });

  it('keeps exactly one default account per client', async () => {
    const c = await insertClient(t.db);
    const first = await addCard(c);
    const second = await createBillingAccount(deps, { clientId: c, type: 'manual', values: { isDefault: '1' }, actor: staff });
    if (!second.ok) throw new Error(JSON.stringify(second.errors));
    const defaults = () => listAccounts(t.db, c).then((l) => l.filter((x) => x.is_default).map((x) => x.id));
    expect(await defaults()).toEqual([second.value.accountId]);
    expect(await deleteBillingAccount(deps, { clientId: c, accountId: second.value.accountId, actor: staff })).toBe(true);
    expect(await defaults()).toEqual([first]);
    expect(await deleteBillingAccount(deps, { clientId: c + 1000, accountId: first, actor: staff })).toBe(false);
  });
});

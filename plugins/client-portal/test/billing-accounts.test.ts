// Billing accounts in the portal (seed 003 "Adding Billing Accounts"): the type first, then its fields;
// field errors beside the fields with everything else kept (never the card number); the two package lists
// without JavaScript; masked numbers; edit keeps what is left blank; remove with a warning; scoping; Russian.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import type { PageResult } from '../../../test/helpers/app.ts';
import { insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { createBillingAccount, revealBillingAccount, ACCOUNT_MESSAGES, ACCOUNT_TYPE_LABELS, BANK_ACCOUNT_KIND_LABELS } from '../../../core/billing/accounts/index.ts';
import { billingAccountsSection } from '../routes/billing-accounts.ts';

let f: PortalFixture;
let services: { vps: number; web: number; mail: number; theirs: number };
const db = () => f.t.services.db;
const BASE = '/client/billing-accounts';
const CARD = '4111111111111111';

beforeAll(async () => {
  f = await portalApp();
  const { packageId: vps } = await insertPackage(db(), { name: 'VPS S' });
  const { packageId: hosting } = await insertPackage(db(), { name: 'Web Hosting' });
  services = {
    vps: await insertService(db(), { clientId: f.clientId, packageId: vps, label: 'vps1.example.test' }),
    web: await insertService(db(), { clientId: f.clientId, packageId: hosting, label: 'ada.example.test' }),
    mail: await insertService(db(), { clientId: f.clientId, packageId: hosting, label: 'mail.example.test', status: 'suspended_nonpayment' }),
    theirs: await insertService(db(), { clientId: f.otherClientId, packageId: vps, label: 'theirs.example.test' }),
  };
});
afterAll(async () => {
  await f.t.destroy();
});

const accountsOf = (clientId: number) => db()('core_billing_accounts').where({ client_id: clientId }).orderBy('id');
const errorOf = (page: PageResult, name: string) => page.$(`#f-${name}`).closest('.field').find('.field-error').text();
const bank = { bankName: 'First Bank', bankState: 'TX', accountKind: 'checking', routingNumber: '111000025', accountNumber: '000123456789', licenseNumber: 'D7654321', licenseState: 'TX', dateOfBirth: '01/31/1980' };

describe('a new billing account', () => {
  it('starts with the type, then asks the guide\'s fields for that type only', async () => {
    const chooser = await f.client.get(`${BASE}/new`);
    expect(chooser.status).toBe(200);
    const links = chooser.$('.account-types a.button').map((_, a) => chooser.$(a).attr('href')).get();
    expect(links).toEqual(['card', 'echeck', 'bank_draft', 'wire', 'manual', 'third_party'].map((t) => `${BASE}/new/${t}`));

    const card = await f.client.get(`${BASE}/new/card`);
    const names = (page: typeof card) => page.$('form.portal-account-form input[name], form.portal-account-form select[name]').map((_, e) => page.$(e).attr('name')).get();
    expect(names(card)).toEqual(expect.arrayContaining(['nameOnCard', 'cardType', 'cardNumber', 'expMonth', 'expYear', 'issueNumber', 'startDate', 'addServiceIds', 'removeServiceIds']));
    expect(names(card)).not.toContain('routingNumber');
    expect(card.$('label[for="f-expMonth"]').text()).toContain('Expiry Month');

    const echeck = await f.client.get(`${BASE}/new/echeck`);
    expect(names(echeck)).toEqual(expect.arrayContaining(['bankName', 'bankState', 'accountKind', 'routingNumber', 'accountNumber', 'licenseNumber', 'licenseState', 'dateOfBirth']));
    expect(names(echeck)).not.toContain('cardNumber');

    const manual = await f.client.get(`${BASE}/new/manual`);
    expect(names(manual)).not.toContain('cardNumber');
    expect(names(manual)).not.toContain('bankName');
    expect(manual.$('form.portal-account-form').text()).toContain('needs no details from you');
    expect(manual.$('#f-passphrase')).toHaveLength(0);

    expect((await f.client.get(`${BASE}/new/bitcoin`)).status).toBe(404);
    expect((await f.client.post(`${BASE}/new/bitcoin`, {})).status).toBe(404);
  });

  it('shows a bad card number, a one-digit month and a three-digit year beside their fields, keeps the rest and never the number', async () => {
    const res = await f.client.post(`${BASE}/new/card`, { label: 'Office card', nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: '4111 1111 1111 1112', expMonth: '1', expYear: '202', serviceIds: String(services.vps) });
    expect(res.status).toBe(400);
    expect(errorOf(res, 'cardNumber')).toBe(ACCOUNT_MESSAGES.cardNumberInvalid);
    expect(errorOf(res, 'expMonth')).toBe(ACCOUNT_MESSAGES.expMonth);
    expect(errorOf(res, 'expYear')).toBe(ACCOUNT_MESSAGES.expYear);
    expect(res.$('#f-nameOnCard').attr('value')).toBe('Ada Lovelace');
    expect(res.$('#f-label').attr('value')).toBe('Office card');
    expect(res.$('#f-cardType option[selected]').attr('value')).toBe('visa');
    expect(res.$('#f-expMonth').attr('value')).toBe('1');
    expect(res.$(`input[type=hidden][name=serviceIds][value="${services.vps}"]`)).toHaveLength(1);
    expect(res.$('#f-cardNumber').attr('value')).toBe('');
    expect(res.$('#f-cardNumber-hint').text()).toMatch(/ending in 1112\. For your safety it is not shown again/);
    expect(res.html).not.toContain('4111 1111 1111 1112');
    expect(res.html).not.toContain('4111111111111112');
    expect(await accountsOf(f.clientId)).toEqual([]);
  });

  it('refuses an expired card, an eight-digit or mistyped routing number, an unknown state and a birth date to come', async () => {
    const expired = await f.client.post(`${BASE}/new/card`, { nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: CARD, expMonth: '02', expYear: '2026' });
    expect(errorOf(expired, 'expMonth')).toBe(ACCOUNT_MESSAGES.expired);

    const short = await f.client.post(`${BASE}/new/echeck`, { ...bank, routingNumber: '11100002', licenseState: 'XX', dateOfBirth: '01/31/2030' });
    expect(short.status).toBe(400);
    expect(errorOf(short, 'routingNumber')).toBe('A routing number has 9 digits');
    expect(errorOf(short, 'licenseState')).toBe(ACCOUNT_MESSAGES.licenseStateUnknown);
    expect(errorOf(short, 'dateOfBirth')).toBe(ACCOUNT_MESSAGES.dateOfBirthFuture);
    expect(short.$('#f-bankName').attr('value')).toBe('First Bank');
    expect(short.$('#f-accountKind option[selected]').attr('value')).toBe('checking');

    const checksum = await f.client.post(`${BASE}/new/wire`, { ...bank, routingNumber: '111000026' });
    expect(errorOf(checksum, 'routingNumber')).toBe(ACCOUNT_MESSAGES.routingNumberChecksum);
    expect(await accountsOf(f.clientId)).toEqual([]);
  });

  it('adds a bank account for two packages through the two lists, without JavaScript', async () => {
    await f.client.get(`${BASE}/new/echeck`);
    // "Add →" with two packages highlighted: the form comes back with them under "Billable For", nothing saved.
    const added = await f.client.post(`${BASE}/new/echeck`, { ...bank, label: 'Main bank', move: 'add', addServiceIds: [String(services.vps), String(services.web), String(services.mail)] });
    expect(added.status).toBe(200);
    const billable = (page: typeof added) => page.$('#f-removeServiceIds option').map((_, o) => page.$(o).attr('value')).get();
    const notBillable = (page: typeof added) => page.$('#f-addServiceIds option').map((_, o) => page.$(o).attr('value')).get();
    expect(billable(added)).toEqual([services.vps, services.web, services.mail].map(String));
    expect(notBillable(added)).toEqual([]);
    expect(added.$('#f-removeServiceIds').text()).toContain('Web Hosting (mail.example.test) — Suspended for non-payment');
    expect(added.$('#f-bankName').attr('value')).toBe('First Bank');
    expect(added.$('#f-routingNumber').attr('value')).toBe('111000025');
    expect(added.$('.field-error')).toHaveLength(0);
    expect(await accountsOf(f.clientId)).toEqual([]);

    // "← Remove" one of them again.
    const hidden = added.$('input[type=hidden][name=serviceIds]').map((_, i) => added.$(i).attr('value')!).get();
    const removed = await f.client.post(`${BASE}/new/echeck`, { ...bank, label: 'Main bank', serviceIds: hidden, move: 'remove', removeServiceIds: String(services.mail) });
    expect(billable(removed)).toEqual([services.vps, services.web].map(String));
    expect(notBillable(removed)).toEqual([String(services.mail)]);
    expect(removed.$(`option[value="${services.theirs}"]`)).toHaveLength(0);

    // With htmx the same press answers with the form, of which the page swaps only the lists.
    const swapped = await f.client.post(`${BASE}/new/echeck`, { ...bank, serviceIds: hidden, move: 'remove', removeServiceIds: String(services.mail) }, { headers: { 'hx-request': 'true' } });
    expect(swapped.html).not.toContain('<html');
    expect(swapped.$('#pays-for #f-removeServiceIds option')).toHaveLength(2);

    const saved = await f.client.post(`${BASE}/new/echeck`, { ...bank, label: 'Main bank', serviceIds: [String(services.vps), String(services.web)] });
    expect(saved.status).toBe(303);
    expect(saved.res.headers.get('location')).toBe(BASE);
    const [row] = await accountsOf(f.clientId);
    expect(row).toMatchObject({ type: 'echeck', bank_name: 'First Bank', last4: '6789', label: 'Main bank' });
    const paid = (await db()('core_billing_account_services').where({ billing_account_id: row.id }).orderBy('service_id')).map((r: { service_id: number }) => Number(r.service_id));
    expect(paid).toEqual([services.vps, services.web]);

    const list = await f.client.get(BASE);
    expect(list.$('.flash-success').text()).toContain('The billing account was added.');
    const tr = list.$('table.billing-accounts tbody tr');
    expect(tr).toHaveLength(1);
    expect(tr.find('th').text()).toContain('eCheck · First Bank •••• 6789');
    expect(tr.text()).toContain('VPS S (vps1.example.test)');
    expect(tr.text()).toContain('Web Hosting (ada.example.test)');
    expect(tr.find('.badge-ok').text()).toBe('Default');
    expect(list.html).not.toContain('000123456789');
    expect(list.html).not.toContain('111000025');
  });

  it('refuses another client\'s package in the list and links nothing', async () => {
    const res = await f.client.post(`${BASE}/new/manual`, { serviceIds: [String(services.theirs)] });
    expect(res.status).toBe(400);
    expect(res.$('#f-serviceIds-error').text()).toMatch(/does not belong/);
    expect(await db()('core_billing_account_services').where({ service_id: services.theirs })).toEqual([]);
  });
});

describe('a stored card', () => {
  let cardId: number;

  it('is shown masked, and its number is on no page and in no log', async () => {
    const saved = await f.client.post(`${BASE}/new/card`, { nameOnCard: 'Ada Lovelace', cardType: 'visa', cardNumber: '4111-1111-1111-1111', expMonth: '09', expYear: '2028', issueNumber: '2', startDate: '01/2024', serviceIds: String(services.mail) });
    expect(saved.status).toBe(303);
    cardId = Number((await accountsOf(f.clientId)).find((a: { type: string }) => a.type === 'card').id);
    const list = await f.client.get(BASE);
    const row = list.$('table.billing-accounts tbody tr').filter((_, tr) => list.$(tr).text().includes('Visa'));
    expect(row.find('th .masked').text()).toBe('Visa •••• 1111');
    expect(row.text()).toContain('09/2028');
    expect(row.text()).toContain('Web Hosting (mail.example.test)');
    // The card took the suspended service over from the bank account.
    expect(list.$('table.billing-accounts tbody tr').filter((_, tr) => list.$(tr).text().includes('eCheck')).text()).not.toContain('mail.example.test');

    const edit = await f.client.get(`${BASE}/${cardId}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.$('#f-cardNumber').attr('value')).toBe('');
    expect(edit.$('#f-cardNumber-hint').text()).toContain('Stored: Visa •••• 1111. Leave empty to keep it');
    expect(edit.$('#f-nameOnCard').attr('value')).toBe('Ada Lovelace');
    for (const page of [list, edit, await f.client.get(`${BASE}/${cardId}/remove`)]) expect(page.html).not.toMatch(/4111.?1111.?1111.?1111/);
    expect(f.t.logLines.join('\n')).not.toMatch(/4111.?1111.?1111.?1111/);
    const audit = JSON.stringify(await db()('core_audit_log').select('details'));
    expect(audit).toContain('Visa •••• 1111');
    expect(audit).not.toContain(CARD);
  });

  it('keeps the number when the edit leaves it blank, and stores a new expiry', async () => {
    const res = await f.client.post(`${BASE}/${cardId}/edit`, { nameOnCard: 'Ada King', cardType: 'visa', cardNumber: '', expMonth: '10', expYear: '2029', serviceIds: String(services.mail), label: 'Travel card' });
    expect(res.status).toBe(303);
    const revealed = await revealBillingAccount(f.t.services, { clientId: f.clientId, accountId: cardId });
    expect(revealed?.data).toMatchObject({ kind: 'card', number: CARD, nameOnCard: 'Ada King' });
    expect(revealed?.account).toMatchObject({ card_exp_month: '10', card_exp_year: '2029', last4: '1111', label: 'Travel card' });
  });

  it('makes an account the default one', async () => {
    const res = await f.client.post(`${BASE}/${cardId}/default`);
    expect(res.status).toBe(303);
    const rows = await accountsOf(f.clientId);
    expect(rows.filter((a: { is_default: unknown }) => Boolean(a.is_default)).map((a: { id: number }) => Number(a.id))).toEqual([cardId]);
  });

  it('asks before removing and warns which packages are left without a payment method', async () => {
    const confirm = await f.client.get(`${BASE}/${cardId}/remove`);
    expect(confirm.$('h1').text()).toBe('Remove Visa •••• 1111?');
    expect(confirm.$('.flash-warning').text()).toContain('will have no payment method');
    expect(confirm.$('.flash-warning li').text()).toBe('Web Hosting (mail.example.test)');
    expect(confirm.html).toContain('This is your default account');
    const res = await f.client.post(`${BASE}/${cardId}/remove`);
    expect(res.status).toBe(303);
    expect(await db()('core_billing_accounts').where({ id: cardId })).toEqual([]);
    expect(await db()('core_billing_account_services').where({ service_id: services.mail })).toEqual([]);
    // The other account becomes the default again.
    expect((await accountsOf(f.clientId)).map((a: { is_default: unknown }) => Boolean(a.is_default))).toEqual([true]);
    expect((await f.client.get(BASE)).$('.flash-success').text()).toContain('Visa •••• 1111 was removed.');
  });
});

describe('the encryption pass-phrase', () => {
  it('is asked for card and bank accounts when the operator turned it on', async () => {
    await f.t.services.settings.set('billing.accounts', { passphrase: true });
    try {
      const form = await f.client.get(`${BASE}/new/card`);
      expect(form.$('#f-passphrase').attr('type')).toBe('password');
      const missing = await f.client.post(`${BASE}/new/card`, { nameOnCard: 'Ada', cardType: 'visa', cardNumber: CARD, expMonth: '09', expYear: '2028', passphrase: '' });
      expect(errorOf(missing, 'passphrase')).toBe(ACCOUNT_MESSAGES.passphraseRequired);
      const ok = await f.client.post(`${BASE}/new/card`, { nameOnCard: 'Ada', cardType: 'visa', cardNumber: CARD, expMonth: '09', expYear: '2028', passphrase: 'my long secret' });
      expect(ok.status).toBe(303);
      const list = await f.client.get(BASE);
      expect(list.html).not.toContain('my long secret');
      expect(list.$('table.billing-accounts .badge-pending').text()).toBe('pass-phrase');
    } finally {
      await f.t.services.settings.set('billing.accounts', { passphrase: false });
    }
  });
});

describe('another client\'s accounts', () => {
  it('answer 404 on every route, read or write, and stay as they were', async () => {
    const theirs = await createBillingAccount(f.t.services, { clientId: f.otherClientId, type: 'manual', values: { label: 'Their manual' }, actor: { type: 'system', label: 'test' } });
    if (!theirs.ok) throw new Error(JSON.stringify(theirs.errors));
    const id = theirs.value.accountId;
    for (const path of [`${BASE}/${id}/edit`, `${BASE}/${id}/remove`]) {
      const res = await f.client.get(path);
      expect(res.status, path).toBe(404);
      expect(res.html).not.toContain('Their manual');
    }
    for (const path of [`${BASE}/${id}/edit`, `${BASE}/${id}/remove`, `${BASE}/${id}/default`]) expect((await f.client.post(path, { label: 'Mine now', move: 'add' })).status, path).toBe(404);
    const [theirContact] = await db()('core_contacts').insert({ client_id: f.otherClientId, is_primary: true, first_name: 'Their', last_name: 'Contact', email: 'their@example.test', country: 'US', created_at: '2026-03-02T09:00:00.000Z', updated_at: '2026-03-02T09:00:00.000Z' }).returning('id');
    const contactId = typeof theirContact === 'object' ? theirContact.id : theirContact;
    expect((await f.client.get(`${BASE}?contact=${contactId}`)).status).toBe(404);
    expect(await db()('core_billing_accounts').where({ id }).first()).toMatchObject({ label: 'Their manual', client_id: f.otherClientId });
  });

  it('cannot be reached without the CSRF token: 403, nothing saved', async () => {
    const before = (await accountsOf(f.clientId)).length;
    const res = await f.client.post(`${BASE}/new/manual`, { label: 'No token' }, { csrf: null });
    expect(res.status).toBe(403);
    expect(await accountsOf(f.clientId)).toHaveLength(before);
  });
});

describe('in Russian', () => {
  it('speaks Russian, errors included', async () => {
    await f.client.post('/language', { lang: 'ru', next: BASE });
    try {
      const list = await f.client.get(BASE);
      expect(list.$('h1').text()).toBe('Способы оплаты');
      expect(list.$('nav.side-nav a[href="/client/billing-accounts"]').text()).toBe('Способы оплаты');
      const res = await f.client.post(`${BASE}/new/card`, { nameOnCard: 'Ada', cardType: 'visa', cardNumber: '4111111111111112', expMonth: '1', expYear: '2028' });
      expect(res.$('h1').text()).toBe('Новый способ оплаты: Банковская карта');
      // The wording of shared messages is whichever section's catalog loads last: check it is Russian.
      expect(errorOf(res, 'cardNumber')).toMatch(/номер.? карты/);
      expect(errorOf(res, 'expMonth')).toBe('Введите месяц двумя цифрами, например 01');
      expect(res.$('#f-cardNumber-hint').text()).toContain('оканчивающийся на 1112');
      expect(res.$('label[for="f-removeServiceIds"]').text()).toBe('Оплачивает');
    } finally {
      await f.client.post('/language', { lang: 'en', next: BASE });
    }
  });

  it('has a translation of every text of the section', () => {
    const i18n = f.t.services.i18n;
    const files = [new URL('../routes/billing-accounts.ts', import.meta.url), ...['billing-accounts', 'billing-account-type', 'billing-account-form', 'billing-account-remove'].map((v) => new URL(`../views/client/${v}.eta`, import.meta.url))];
    const literals = files.flatMap((u) => [...fs.readFileSync(u, 'utf8').matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]!.replace(/\\'/g, "'")));
    const labels = [...Object.values(ACCOUNT_TYPE_LABELS), ...Object.values(BANK_ACCOUNT_KIND_LABELS), ...Object.values(ACCOUNT_MESSAGES)];
    const missing = [...new Set([...literals, ...labels])].filter((k) => !i18n.has('ru', k));
    expect(missing).toEqual([]);
    expect(Object.keys(billingAccountsSection.ru).length).toBeGreaterThan(100);
  });
});

// Upgrade / Downgrade in the portal: the prorated preview, confirm → upgrade invoice → payment → the
// service on its new package with a "change parameters" operation queued; a downgrade to credit; an
// add-on adjustment; a price that moved since the preview; and the books balancing afterwards.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type Agent, type PageResult, type TestApp } from '../../../test/helpers/app.ts';
import { insertClient } from '../../../test/billing/ledger-fixtures.ts';
import { ManualClock } from '../../../core/clock.ts';
import { insertBasicService, insertUpgradeCatalog, type UpgradeCatalog } from '../../../core/billing/upgrades/test-fixtures.ts';
import clientPortal from '../index.ts';

let t: TestApp;
let client: Agent;
let clientId: number;
let catalog: UpgradeCatalog;
const ids = { upgrade: 0, downgrade: 0, addons: 0, stale: 0 };
/** The pages a reader looks at, written out for a look in a browser (TRELLIS_PAGES_DIR=/tmp/pages). */
const PAGES_DIR = process.env.TRELLIS_PAGES_DIR;

beforeAll(async () => {
  t = await createTestApp({ plugins: [clientPortal()], clock: new ManualClock('2026-03-15T09:00:00Z') });
  const db = t.services.db;
  clientId = await insertClient(db, { name: 'Ada Lovelace' });
  await t.createUser('client', 'ada@example.test', { clientId });
  client = t.agent();
  await client.login('client', 'ada@example.test');
  catalog = await insertUpgradeCatalog(db);
  ids.upgrade = await insertBasicService(db, catalog, { clientId, label: 'up.example.test' });
  ids.downgrade = await insertBasicService(db, catalog, { clientId, label: 'down.example.test' });
  ids.addons = await insertBasicService(db, catalog, { clientId, label: 'addons.example.test' });
  ids.stale = await insertBasicService(db, catalog, { clientId, label: 'stale.example.test' });
});
afterAll(async () => {
  await t.destroy();
});

type Node = { type: string; data?: string; children?: Node[] };
function words(page: PageResult, selector: string): string {
  const out: string[] = [];
  const walk = (n: Node): void => {
    if (n.type === 'text') out.push(n.data ?? '');
    else n.children?.forEach(walk);
  };
  page.$(selector).each((_, el) => {
    walk(el as unknown as Node);
  });
  return out.join(' ').replace(/\s+/g, ' ').trim();
}

function keep(name: string, page: PageResult): void {
  if (PAGES_DIR) {
    fs.mkdirSync(PAGES_DIR, { recursive: true });
    fs.writeFileSync(`${PAGES_DIR}/${name}.html`, page.html);
  }
}

/** The hidden fields of the preview's Confirm form, as the browser would send them. */
function confirmFields(page: PageResult): Record<string, string> {
  const out: Record<string, string> = {};
  page.$('form.confirm-change input[type="hidden"]').each((_, el) => {
    const name = page.$(el).attr('name')!;
    if (name !== '_csrf') out[name] = page.$(el).attr('value') ?? '';
  });
  return out;
}

async function operations(serviceId: number) {
  return (await t.services.db('core_service_operations').where({ service_id: serviceId }).orderBy('id').select('op', 'status', 'payload')) as { op: string; status: string; payload: string }[];
}

describe('Perform Upgrade', () => {
  it('previews the prorated price on the server before anything changes', async () => {
    const manage = await client.get(`/client/packages/${ids.upgrade}`);
    keep('package', manage);
    const form = manage.$('#upgrade .upgrade-packages form').first();
    expect(form.attr('method')).toBe('get');
    expect(form.attr('action')).toBe(`/client/packages/${ids.upgrade}/upgrade`);
    const page = await client.get(`/client/packages/${ids.upgrade}/upgrade?to=${catalog.premium.packageId}`);
    keep('upgrade-preview', page);
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Perform Upgrade');
    expect(words(page, '#change-preview > p').startsWith('17 of the 31 days of your current period are left, from 2026-03-15 to 2026-03-31.')).toBe(true);
    expect(words(page, '.upgrade-lines tbody tr')).toBe('Basic → Premium 10.00 USD 25.00 USD -5.48 USD 13.71 USD 8.23 USD');
    expect(words(page, '.upgrade-lines .total-row')).toBe('To pay 8.23 USD');
    expect(words(page, '.change-after')).toContain('Price per period after the change 25.00 USD (now 10.00 USD)');
    expect(words(page, '.change-after')).toContain('Add-ons after the change Extra IPv4: 1 IP Backups: No');
    expect(confirmFields(page)).toEqual({ to: String(catalog.premium.packageId), expected_total: '823', expected_price: '2500' });
    expect(page.$('form.confirm-change').attr('method')).toBe('post');
    // Nothing changed yet.
    expect(await t.services.db('core_services').where({ id: ids.upgrade }).first('package_id')).toEqual({ package_id: catalog.basic.packageId });
  });

  it('confirming issues an upgrade invoice; paying it moves the service and queues the change upstream', async () => {
    const preview = await client.get(`/client/packages/${ids.upgrade}/upgrade?to=${catalog.premium.packageId}`);
    const res = await client.post(`/client/packages/${ids.upgrade}/upgrade`, confirmFields(preview));
    expect(res.status).toBe(303);
    expect(res.res.headers.get('location')).toBe(`/client/packages/${ids.upgrade}#upgrade`);
    const db = t.services.db;
    const invoice = await db('core_invoices').where({ client_id: clientId, kind: 'upgrade' }).first();
    expect(invoice).toMatchObject({ status: 'unpaid', total: 823, currency: 'USD' });

    const page = await client.get(`/client/packages/${ids.upgrade}`);
    keep('package-awaiting', page);
    expect(page.$('.flash-success').text()).toContain(`Invoice ${invoice.number} for 8.23 USD was issued. The change is made as soon as it is paid.`);
    expect(words(page, '.package-notice')).toContain(`Your change to Premium is waiting for payment of invoice ${invoice.number} (8.23 USD).`);
    expect(page.$('#upgrade a.button.primary').attr('href')).toBe(`/client/invoices/${invoice.id}/pay`);
    expect(page.$('#upgrade .upgrade-packages')).toHaveLength(0);
    // An e-mail about the new invoice is in the outbox.
    expect(await db('core_outbox').where('subject', 'like', `%${invoice.number}%`).first('id')).toBeTruthy();

    await t.services.billing.recordPayment({ invoiceId: invoice.id, amount: 823, currency: 'USD', gateway: 'test', externalId: 'pay-upgrade-1', method: 'Credit Card' });
    expect(await db('core_services').where({ id: ids.upgrade }).first('package_id', 'price')).toEqual({ package_id: catalog.premium.packageId, price: 2500 });
    const ops = await operations(ids.upgrade);
    expect(ops.map((o) => [o.op, o.status])).toEqual([['set_param', 'pending']]);
    expect(JSON.parse(ops[0]!.payload)).toMatchObject({ changes: {}, upgrade: { kind: 'package', toPackage: expect.stringMatching(/^premium-/) } });

    const after = await client.get(`/client/packages/${ids.upgrade}`);
    expect(words(after, 'h1')).toBe('Premium (up.example.test) Active');
    expect(words(after, 'section[aria-labelledby="details-h"]')).toContain('Price 25.00 USD');
    // From Premium, Basic is the way back.
    expect(words(after, '#upgrade .upgrade-packages tbody')).toContain('Basic');
  });
});

describe('Perform Downgrade', () => {
  it('credits the unused difference to the balance at once', async () => {
    const preview = await client.get(`/client/packages/${ids.downgrade}/upgrade?to=${catalog.lite.packageId}`);
    keep('downgrade-preview', preview);
    expect(preview.$('h1').text()).toBe('Perform Downgrade');
    expect(words(preview, '.upgrade-lines tbody tr')).toBe('Basic → Lite 10.00 USD 6.00 USD -5.48 USD 3.29 USD -2.19 USD');
    expect(words(preview, '.upgrade-lines .total-row')).toBe('To your credit balance 2.19 USD');
    expect(words(preview, 'form.confirm-change p')).toBe('2.19 USD goes to your credit balance, and the change is made at once.');
    const res = await client.post(`/client/packages/${ids.downgrade}/upgrade`, confirmFields(preview));
    expect(res.status).toBe(303);
    const db = t.services.db;
    expect(await db('core_clients').where({ id: clientId }).first('balance')).toEqual({ balance: 219 });
    expect(await db('core_services').where({ id: ids.downgrade }).first('package_id', 'price')).toEqual({ package_id: catalog.lite.packageId, price: 600 });
    expect((await operations(ids.downgrade)).map((o) => o.op)).toEqual(['set_param']);
    const page = await client.get(`/client/packages/${ids.downgrade}`);
    expect(page.$('.flash-success').text()).toContain('Done: 2.19 USD was added to your credit balance, and the server is being updated.');
  });
});

describe('Adjust Add-ons', () => {
  it('shows the add-ons with their values and prices, and previews a change without JavaScript', async () => {
    const manage = await client.get(`/client/packages/${ids.addons}`);
    const form = manage.$('form.addons-form');
    expect(form.attr('method')).toBe('get');
    expect(manage.$('label[for="f-addon-ipv4"]').text()).toContain('Extra IPv4');
    expect(manage.$('#f-addon-ipv4').attr('value')).toBe('1');
    expect(manage.$('#f-addon-ipv4-hint').text()).toBe('1 included; each one more: 3.00 USD per period. Allowed: 1 to 8.');
    expect(manage.$('#f-addon-os option').map((_, o) => manage.$(o).text()).get()).toEqual(['Debian 12 — free', 'Windows Server 2022 — 15.00 USD per period']);
    expect(manage.$('#f-addon-backup option[selected]').attr('value')).toBe('0');

    const bad = await client.get(`/client/packages/${ids.addons}/addons?addon.ipv4=12&addon.backup=1&addon.os=debian12`);
    expect(bad.status).toBe(400);
    expect(bad.$('#f-addon-ipv4-error').text()).toBe('Enter a whole number from 1 to 8, in steps of 1');
    expect(bad.$('#f-addon-ipv4').attr('value')).toBe('12');
    expect(bad.$('form.confirm-change')).toHaveLength(0);

    const page = await client.get(`/client/packages/${ids.addons}/addons?addon.ipv4=3&addon.backup=1&addon.os=debian12`);
    keep('addons-preview', page);
    expect(page.status).toBe(200);
    expect(words(page, '.upgrade-lines tbody')).toBe('Extra IPv4: 1 IP → 3 IP 0.00 USD 6.00 USD 0.00 USD 3.29 USD 3.29 USD Backups: No → Yes 0.00 USD 5.00 USD 0.00 USD 2.74 USD 2.74 USD');
    expect(words(page, '.upgrade-lines .total-row')).toBe('To pay 6.03 USD');
    expect(confirmFields(page)).toEqual({ 'addon.ipv4': '3', 'addon.backup': '1', 'addon.os': 'debian12', expected_total: '603', expected_price: '2100' });
  });

  it('htmx updates the preview on the Manage page in place', async () => {
    const fragment = await client.get(`/client/packages/${ids.addons}/addons?addon.ipv4=2&addon.backup=0&addon.os=debian12`, { 'hx-request': 'true' });
    expect(fragment.status).toBe(200);
    expect(fragment.html).not.toContain('<html');
    expect(words(fragment, '#change-preview .total-row')).toBe('To pay 1.65 USD'); // 300 × 17/31 = 164.5 → 165
    const invalid = await client.get(`/client/packages/${ids.addons}/addons?addon.ipv4=0`, { 'hx-request': 'true' });
    expect(invalid.status).toBe(200); // htmx swaps 2xx only: the errors must reach the page
    expect(words(invalid, '#change-preview [role="alert"]')).toContain('Extra IPv4: Enter a whole number from 1 to 8, in steps of 1');
  });

  it('confirming bills the add-ons only; paying applies them', async () => {
    const preview = await client.get(`/client/packages/${ids.addons}/addons?addon.ipv4=3&addon.backup=1&addon.os=debian12`);
    const res = await client.post(`/client/packages/${ids.addons}/addons`, confirmFields(preview));
    expect(res.status).toBe(303);
    const db = t.services.db;
    const invoice = await db('core_invoices').where({ client_id: clientId, kind: 'upgrade', status: 'unpaid' }).first();
    expect(invoice.total).toBe(603);
    const lines = await db('core_invoice_lines').where({ invoice_id: invoice.id }).orderBy('position').select('kind', 'amount', 'description');
    expect(lines.map((l: { kind: string; amount: number }) => [l.kind, l.amount])).toEqual([['addon', 329], ['addon', 274]]);
    expect(lines[0].description).toBe('Add-on change: Extra IPv4: 1 IP → 3 IP (2026-03-15 – 2026-03-31, 17 of 31 days)');
    await t.services.billing.recordPayment({ invoiceId: invoice.id, amount: 603, currency: 'USD', gateway: 'test', externalId: 'pay-addons-1', method: 'Credit Card' });
    expect(await db('core_services').where({ id: ids.addons }).first('package_id', 'price')).toEqual({ package_id: catalog.basic.packageId, price: 2100 });
    const page = await client.get(`/client/packages/${ids.addons}`);
    expect(words(page, 'section[aria-labelledby="setup-h"]')).toContain('Extra IPv4 3 IP 6.00 USD Backups Yes 5.00 USD');
  });
});

describe('a price that moved since the preview', () => {
  it('is not charged: the new calculation is shown to confirm again', async () => {
    const preview = await client.get(`/client/packages/${ids.stale}/upgrade?to=${catalog.premium.packageId}`);
    const fields = confirmFields(preview);
    t.clock.advance(24 * 3600_000); // a day later: 16 days left
    await client.login('client', 'ada@example.test');
    const res = await client.post(`/client/packages/${ids.stale}/upgrade`, fields);
    expect(res.status).toBe(409);
    expect(res.$('[role="alert"]').text()).toContain('The price changed since you looked at it');
    expect(words(res, '.upgrade-lines .total-row')).toBe('To pay 7.74 USD'); // 2500 × 16/31 − 1000 × 16/31 = 1290 − 516
    expect(await t.services.db('core_service_upgrades').where({ service_id: ids.stale })).toEqual([]);
    const again = await client.post(`/client/packages/${ids.stale}/upgrade`, confirmFields(res));
    expect(again.status).toBe(303);
    const awaiting = await t.services.db('core_service_upgrades').where({ service_id: ids.stale }).first('status', 'total', 'days_left');
    expect(awaiting).toEqual({ status: 'awaiting_payment', total: 774, days_left: 16 });
    // The client changes their mind: the invoice is cancelled with the change.
    const withdrawn = await client.post(`/client/packages/${ids.stale}/change/withdraw`);
    expect(withdrawn.status).toBe(303);
    expect((await t.services.db('core_service_upgrades').where({ service_id: ids.stale }).first('status')).status).toBe('cancelled');
  });
});

describe('the books', () => {
  it('still balance after an upgrade, a downgrade and an add-on change', async () => {
    const db = t.services.db;
    const invoices = (await db('core_invoices').select()) as { id: number; status: string; subtotal: number; discount: number; tax: number; total: number; amount_paid: number; amount_refunded: number; tax_inclusive: unknown }[];
    const lines = (await db('core_invoice_lines').select('invoice_id', 'amount', 'quantity', 'unit_price')) as { invoice_id: number; amount: number; quantity: number; unit_price: number }[];
    const txs = (await db('core_transactions').select()) as { invoice_id: number | null; gateway: string; status: string; amount: number }[];
    const clients = (await db('core_clients').select('id', 'balance')) as { id: number; balance: number }[];
    const ledger = (await db('core_credit_ledger').orderBy('id').select()) as { client_id: number; amount: number; balance_after: number; kind: string }[];
    const upgrades = (await db('core_service_upgrades').select('status', 'total', 'invoice_id')) as { status: string; total: number; invoice_id: number | null }[];
    const sum = (xs: number[]) => xs.reduce((a, b) => a + Number(b), 0);

    for (const inv of invoices) {
      const mine = lines.filter((l) => l.invoice_id === inv.id);
      expect(sum(mine.map((l) => l.amount))).toBe(inv.subtotal);
      for (const l of mine) expect(l.amount).toBe(l.quantity * l.unit_price);
      expect(inv.total).toBe(inv.subtotal - inv.discount + (inv.tax_inclusive === true || inv.tax_inclusive === 1 ? 0 : inv.tax));
      const received = sum(txs.filter((x) => x.invoice_id === inv.id && x.status === 'approved').map((x) => x.amount));
      expect(received, `invoice #${inv.id}`).toBe(inv.amount_paid - inv.amount_refunded);
    }
    // Each applied change with an invoice was paid in full; each credited change is in the ledger.
    for (const u of upgrades.filter((x) => x.status === 'applied' && x.invoice_id)) expect(invoices.find((i) => i.id === u.invoice_id)).toMatchObject({ status: 'paid', amount_paid: u.total });
    const credited = sum(ledger.filter((l) => l.kind === 'upgrade_credit').map((l) => l.amount));
    expect(credited).toBe(-sum(upgrades.filter((u) => u.status === 'applied' && u.total < 0).map((u) => u.total)));
    expect(credited).toBe(219);
    // Money in = what invoices kept + what sits on balances − what changes gave back from earlier payments.
    const payments = sum(txs.filter((x) => x.status === 'approved' && x.gateway !== 'credit').map((x) => x.amount));
    expect(payments).toBe(823 + 603);
    expect(payments).toBe(sum(invoices.map((i) => i.amount_paid - i.amount_refunded)) + sum(clients.map((c) => c.balance)) - credited);
    for (const c of clients) {
      const mine = ledger.filter((l) => l.client_id === c.id);
      expect(sum(mine.map((l) => l.amount))).toBe(Number(c.balance));
      if (mine.length) expect(Number(mine.at(-1)!.balance_after)).toBe(Number(c.balance));
    }
  });
});

describe('in Russian', () => {
  it('the preview speaks Russian', async () => {
    await client.post('/language', { lang: 'ru', next: '/client/packages' });
    const page = await client.get(`/client/packages/${ids.addons}/addons?addon.ipv4=4&addon.backup=1&addon.os=debian12`);
    keep('addons-preview-ru', page);
    expect(page.$('h1').text()).toBe('Изменить дополнения');
    expect(page.$('#preview-h').text()).toBe('Стоимость изменения');
    expect(words(page, '.upgrade-lines thead')).toBe('Что меняется Сейчас, за период Будет, за период Возврат за неиспользованные дни Начисление за оставшиеся дни Разница');
    expect(page.$('form.confirm-change button').text()).toBe('Подтвердить изменение дополнений');
    await client.post('/language', { lang: 'en', next: '/client/packages' });
  });
});

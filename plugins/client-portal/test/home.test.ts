// The portal home: balance, amount due, attention list, recent invoices and the dunning timeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalApp, type PortalFixture } from './helpers.ts';
import { insertPackage, insertService } from '../../../test/billing/ledger-fixtures.ts';
import { createInvoice } from '../../../core/billing/invoices/create.ts';

let f: PortalFixture;
beforeAll(async () => {
  f = await portalApp();
});
afterAll(async () => {
  await f.t.destroy();
});

async function invoiceFor(clientId: number, serviceId: number, amount: number, dueOn: string) {
  return f.t.services.db.transaction((trx) =>
    createInvoice(trx, { clientId, currency: 'USD', kind: 'renewal', lines: [{ kind: 'renewal', serviceId, description: 'Renewal', unitPrice: amount }], at: '2026-02-20T09:00:00.000Z', enteredOn: '2026-02-20', dueOn, taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-' }),
  );
}

describe('portal home', () => {
  it('greets an empty account with nothing due', async () => {
    const page = await f.client.get('/client');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Welcome, Ada Lovelace');
    expect(page.$('#due-h').parent().text()).toMatch(/Nothing is due/);
    expect(page.$('.dunning-list')).toHaveLength(0);
    // The portal's menu, not core's fallback entries.
    expect(page.$('nav.side-nav a').map((_, a) => page.$(a).attr('href')).get()).toContain('/client');
  });

  it('shows what is owed, the services that need attention and when an overdue invoice suspends them', async () => {
    const { packageId } = await insertPackage(f.t.services.db, { name: 'VPS S' });
    const svc = await insertService(f.t.services.db, { clientId: f.clientId, packageId, label: 'web1', status: 'pending_renewal', expiresOn: '2026-03-05' });
    const inv = await invoiceFor(f.clientId, svc, 1500, '2026-02-27');
    await invoiceFor(f.otherClientId, svc, 999, '2026-02-27'); // another client's: never shown
    const page = await f.client.get('/client');
    expect(page.$('#due-h').parent().find('.big-number').text()).toBe('15.00 USD');
    expect(page.$('#due-h').parent().text()).toMatch(/1 unpaid invoice/);
    expect(page.$('a[href="/client/invoices/pay"]').text()).toBe('Pay all outstanding');
    const attention = page.$('#attention-h').parent().find('tbody tr');
    expect(attention).toHaveLength(1);
    expect(attention.text()).toMatch(/VPS S \(web1\)/);
    expect(attention.text()).toMatch(/Pending renewal/);
    const dunning = page.$('.dunning-list li');
    expect(dunning).toHaveLength(1);
    expect(dunning.text()).toContain(`Invoice ${inv.number} was due on 2026-02-27.`);
    // Default dunning: suspension 7 days after the due date (a Friday), closing 30 days after it.
    expect(dunning.text()).toMatch(/VPS S \(web1\) will be suspended on 2026-03-06/);
    expect(dunning.text()).toMatch(/will be closed on 2026-03-29/);
    expect(page.html).not.toContain('9.99');
  });

  it('speaks Russian when the client chose it', async () => {
    await f.client.post('/language', { lang: 'ru', next: '/client' });
    const page = await f.client.get('/client');
    expect(page.$('html').attr('lang')).toBe('ru');
    expect(page.$('h1').text()).toBe('Добро пожаловать, Ada Lovelace');
    expect(page.$('#due-h').parent().text()).toMatch(/1 неоплаченный счёт/);
    expect(page.$('a[href="/client/invoices/pay"]').text()).toBe('Оплатить все счета');
    // An invoice's status in its own words (a service would be «Отменена», an invoice «Отменён»).
    expect(page.$('#recent-h').parent().find('.badge').first().text()).toBe('Не оплачен');
    await f.client.post('/language', { lang: 'en', next: '/client' });
  });
});

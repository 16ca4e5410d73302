// Issue 5 end to end in Chromium, with JavaScript on (htmx) and off (plain HTML): the operator adds the
// upstream BILLmanager as a processing server, imports its .ru domain plan and puts it on sale at a
// dollar price; a client checks a taken name ("Busy"), orders a free one, pays the invoice on the test
// gateway's hosted page, and sees the domain active once the queue and the checkevent job have run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DESKTOP, launchBrowser, navigate, screenshot, text, watchPage, type PageWatch } from './browser.ts';
import { CLIENT, OPERATOR, startResellerPanel, type ResellerPanel } from './reseller-panel.ts';

const ORDER = '/client/billmanager-reseller/domains/order';
const DOMAIN = { label: 'lovelace-engines', zone: 'ru', fqdn: 'lovelace-engines.ru' };
const NAME_SERVERS = ['ns1.lovelace-engines.example', 'ns2.lovelace-engines.example'];

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe.each([
  { js: true, mode: 'JavaScript on', tag: 'js' },
  { js: false, mode: 'JavaScript off', tag: 'nojs' },
])('BILLmanager reselling with $mode', ({ js, tag }) => {
  let panel: ResellerPanel;
  const contexts: BrowserContext[] = [];
  /** The operator's browser and the client's: two contexts, two sessions. */
  let staff: Page;
  let client: Page;
  const watches: { who: string; watch: PageWatch }[] = [];
  const ids = { server: 0, plan: 0, service: 0, invoice: 0 };

  const path = (page: Page) => new URL(page.url()).pathname;
  const heading = (page: Page) => text(page.getByRole('heading', { level: 1 }));
  const flash = (page: Page) => text(page.locator('#flash'));
  const shot = (page: Page, name: string) => screenshot(page, `reseller-${name}-${tag}`);
  const card = (page: Page, title: string) => page.locator('.card').filter({ has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
  const submit = (page: Page, name: string) => navigate(page, () => page.getByRole('button', { name, exact: true }).click());

  async function openPage(who: string): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled: js, viewport: DESKTOP, baseURL: panel.url });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    const page = await context.newPage();
    watches.push({ who, watch: await watchPage(page) });
    return page;
  }

  async function signIn(page: Page, loginPath: string, who: { email: string; password: string }): Promise<void> {
    await page.goto(loginPath);
    await page.locator('#f-email').fill(who.email);
    await page.locator('#f-password').fill(who.password);
    await submit(page, 'Sign in');
  }

  beforeAll(async () => {
    panel = await startResellerPanel();
    staff = await openPage('operator');
    client = await openPage('client');
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await panel?.close();
  });

  it('the operator signs in and adds the upstream as a processing server, whose connection checks out', async () => {
    await signIn(staff, '/admin/login', OPERATOR);
    expect(path(staff)).toBe('/admin');
    await staff.goto('/admin/processing/servers/new');
    await staff.locator('#f-module').selectOption('billmanager');
    await staff.locator('#f-item_type').selectOption('domain');
    await staff.locator('#f-name').fill('billmanager-domains.example.test');
    await staff.locator('#f-url').fill(panel.upstreamUrl);
    await staff.locator('#f-username').fill(panel.upstream.reseller.username);
    await staff.locator('#f-password').fill(panel.upstream.reseller.password);
    await staff.locator('#f-department_id').selectOption(String(panel.departmentId));
    await submit(staff, 'Add server');
    ids.server = Number(/^\/admin\/processing\/servers\/(\d+)$/.exec(path(staff))?.[1]);
    expect(ids.server).toBeGreaterThan(0);
    await submit(staff, 'Check connection');
    expect(await flash(staff)).toMatch(/^Connection OK/);
  });

  it('imports the .ru domain plan from the upstream’s price list', async () => {
    await staff.goto(`/admin/billmanager-reseller/import?server=${ids.server}`);
    expect(await heading(staff)).toBe('Import rate plans');
    const ru = staff.locator('tbody tr').filter({ hasText: 'Domain .ru' });
    expect(await text(ru)).toMatch(/\.ru\s+1 year: 590\.00 RUB\s+New/);
    await shot(staff, 'import');
    await staff.getByLabel('Import Domain .ru', { exact: true }).check();
    await submit(staff, 'Import the chosen tariffs');
    expect(path(staff)).toBe('/admin/billmanager-reseller/plans');
    expect(await flash(staff)).toContain('Imported 1 plan (switched off)');
    const row = staff.locator('#bmr-plans tbody tr').filter({ hasText: 'Domain .ru' });
    expect(await text(row)).toMatch(/Switched off/);
    await navigate(staff, () => row.getByRole('link', { name: 'Domain .ru' }).click());
    ids.plan = Number(/\/plans\/(\d+)$/.exec(path(staff))?.[1]);
    expect(ids.plan).toBeGreaterThan(0);
  });

  it('sets a dollar price for a year, puts the plan on sale and sees the saved price with its margin', async () => {
    expect(await heading(staff)).toBe('Domain .ru');
    // 590.00 RUB at 0.011 USD a rouble.
    expect(await text(staff.locator('.bmr-prices tbody tr').first())).toMatch(/1 year\s+590\.00 RUB.*cost 6\.49 USD/);
    await staff.locator('#f-name').fill('Domain .ru (Lovelace Hosting)');
    await staff.getByLabel('On sale (clients can order it)').check();
    await staff.getByLabel('Sell 1 year', { exact: true }).check();
    await staff.getByLabel('Price of 1 year in USD', { exact: true }).fill('14.99');
    await shot(staff, 'plan-price');
    await submit(staff, 'Save plan');
    expect(path(staff)).toBe(`/admin/billmanager-reseller/plans/${ids.plan}`);
    expect(await flash(staff)).toBe('“Domain .ru (Lovelace Hosting)” was saved and is on sale.');
    expect(await staff.getByLabel('Price of 1 year in USD', { exact: true }).inputValue()).toBe('14.99');
    expect(await staff.getByLabel('Sell 1 year', { exact: true }).isChecked()).toBe(true);
    expect(await text(staff.locator('.bmr-prices tbody tr').first())).toMatch(/cost 6\.49 USD · margin 8\.50 USD \(56\.7%\)/);
    expect(await text(staff.locator('.badge').filter({ hasText: /On sale|Switched off/ }))).toBe('On sale');
    await shot(staff, 'plan-saved');
  });

  it('the client finds a taken name “Busy” and cannot go on with it', async () => {
    await signIn(client, '/login', CLIENT);
    expect(path(client)).toBe('/client');
    await navigate(client, () => client.getByRole('link', { name: 'Register a domain' }).first().click());
    expect(path(client)).toBe(ORDER);
    expect(await client.locator('#f-zone option').allTextContents()).toEqual(['.ru']);
    await client.locator('#f-name').fill('yandex');
    await client.locator('#f-zone').selectOption('ru');
    await submit(client, 'Check availability');
    expect(await text(client.locator('.bmr-availability'))).toBe('Busy yandex.ru is already registered by someone else. Try another name or zone.');
    expect(await client.getByRole('button', { name: 'Order and get the invoice' }).count()).toBe(0);
    await shot(client, 'order-busy');
  });

  it('orders a free name: plan and period, contacts, name servers → the invoice', async () => {
    await client.locator('#f-name').fill(DOMAIN.label);
    await client.locator('#f-zone').selectOption(DOMAIN.zone);
    await submit(client, 'Check availability');
    expect(new URL(client.url()).search).toBe(`?name=${DOMAIN.label}&zone=${DOMAIN.zone}`);
    expect(await text(client.locator('.bmr-availability'))).toBe(`Free ${DOMAIN.fqdn} can be registered.`);
    expect(await client.locator('#f-offer option').allTextContents()).toEqual(['Domain .ru (Lovelace Hosting) — 1 year — 14.99 USD']);
    for (const role of ['owner', 'admin', 'tech', 'bill']) {
      expect(await client.locator(`#f-contact_${role} option:checked`).textContent()).toBe(`Ada Lovelace <${CLIENT.email}>`);
    }
    await client.getByLabel('Name server 1', { exact: true }).fill(NAME_SERVERS[0]!);
    await client.getByLabel('Name server 2', { exact: true }).fill(NAME_SERVERS[1]!);
    await shot(client, 'order');
    await submit(client, 'Order and get the invoice');
    ids.service = Number(/^\/client\/billmanager-reseller\/domains\/(\d+)$/.exec(path(client))?.[1]);
    expect(ids.service).toBeGreaterThan(0);
    expect(await flash(client)).toMatch(new RegExp(`^Invoice INV-\\d+ was created for ${DOMAIN.fqdn.replace('.', '\\.')}\\. The domain is registered once it is paid\\.$`));
    expect(await heading(client)).toBe(DOMAIN.fqdn);
    expect(await text(client.locator('.bmr-head .badge'))).toBe('Pending');
    expect(await text(card(client, 'Invoice'))).toMatch(/Amount\s*14\.99 USD\s*Status\s*Unpaid/);
  });

  it('pays the invoice on the test gateway’s hosted page', async () => {
    await navigate(client, () => client.getByRole('link', { name: 'Pay another way' }).click());
    ids.invoice = Number(/^\/client\/invoices\/(\d+)$/.exec(path(client))?.[1]);
    expect(ids.invoice).toBeGreaterThan(0);
    expect(await text(client.locator('#main'))).toContain(DOMAIN.fqdn);
    await navigate(client, () => client.getByRole('link', { name: 'Pay Now' }).first().click());
    await client.getByLabel('Test gateway').check();
    await navigate(client, () => client.getByRole('button', { name: 'Confirm Payment' }).click());
    // The gateway's own page, on its own origin.
    expect(new URL(client.url()).origin).toBe(new URL(panel.gateway.url).origin);
    expect(await text(client.locator('body'))).toContain('14.99');
    await navigate(client, () => client.getByRole('button', { name: 'Approve' }).click());
    expect(new URL(client.url()).origin).toBe(panel.url);
    await client.goto(`/client/invoices/${ids.invoice}`);
    expect(await text(client.locator('#main'))).toMatch(/Paid/);
    const tx = client.locator('#main table').filter({ hasText: 'Transaction ID' });
    expect(await text(tx)).toMatch(/14\.99 USD/);
  });

  it('registers the domain upstream and shows it Active after the checkevent job', async () => {
    await client.goto(`/client/billmanager-reseller/domains/${ids.service}`);
    expect(await text(client.locator('.bmr-head .badge'))).toBe('Work in progress');
    expect(await text(card(client, 'Invoice'))).toMatch(/Status\s*Paid/);

    // The queue sends the order; the upstream takes its tariff's set-up minutes on the shared clock.
    await panel.runOperations();
    const orders = panel.upstream.calls('domain.order.api');
    expect(orders).toHaveLength(1);
    expect(orders[0]!.params).toMatchObject({ domain: DOMAIN.fqdn, pricelist: '301', period: '12', action: 'register', ns0: NAME_SERVERS[0], ns1: NAME_SERVERS[1], owner_email: CLIENT.email });
    await client.reload();
    expect(await text(client.locator('.bmr-head .badge'))).toBe('Work in progress');
    expect(await text(card(client, 'Registration'))).toContain('The registrar is registering the domain.');

    panel.clock.advance(5 * 60_000);
    const counts = await panel.runJob('checkevent');
    expect(counts['services changed']).toBe(1);
    // The queued open finds the domain open at its next try and completes without ordering again.
    panel.clock.advance(60_000);
    await panel.runOperations();
    expect(panel.upstream.calls('domain.order.api')).toHaveLength(1);
    const ops = (await panel.t.services.db('core_service_operations').where({ service_id: ids.service }).select('op', 'status')) as { op: string; status: string }[];
    expect(ops).toEqual([{ op: 'open', status: 'done' }]);

    await client.reload();
    expect(await text(client.locator('.bmr-head .badge'))).toBe('Active');
    expect(await text(card(client, 'Registration'))).toMatch(/Expires\s*2027-03-02/);
    expect(await client.getByLabel('Name server 1', { exact: true }).inputValue()).toBe(NAME_SERVERS[0]);
    await shot(client, 'domain-active');

    await navigate(client, () => client.locator('.breadcrumbs').getByRole('link', { name: 'Domains' }).click());
    expect(path(client)).toBe('/client/billmanager-reseller/domains');
    expect(await text(client.locator('#bmr-domains tbody tr').filter({ hasText: DOMAIN.fqdn }))).toMatch(/Active\s*2027-03-02/);

    // The portal's domain pages show the same service.
    await client.goto('/client/domains');
    const row = client.locator('#main table tbody tr').filter({ hasText: DOMAIN.fqdn });
    expect(await text(row)).toMatch(/Active/);
    await navigate(client, () => row.getByRole('link', { name: DOMAIN.fqdn }).click());
    expect(path(client)).toBe(`/client/domains/${ids.service}`);
    expect(await heading(client)).toBe(`${DOMAIN.fqdn} Active`);
    await shot(client, 'portal-domain-active');
  });

  it('the operator sees the service active with the upstream’s id', async () => {
    await staff.goto(`/admin/billing/services/${ids.service}`);
    expect(await heading(staff)).toBe(`Domain .ru (Lovelace Hosting) (${DOMAIN.fqdn}) Active`);
    // The upstream's service id came with its event.
    expect(await text(staff.locator('#prov-h + dl'))).toContain('1001');
  });

  it('raised no CSP violation, page error or server error on the way', () => {
    for (const { who, watch } of watches) {
      if (watch.consoleErrors.length) console.info(`[${tag} ${who}] console errors (not failures by themselves):\n  ${watch.consoleErrors.join('\n  ')}`);
      expect({ who, csp: [...watch.cspViolations, ...watch.cspDetails], errors: watch.pageErrors }).toEqual({ who, csp: [], errors: [] });
    }
    const serverErrors = panel.t.logLines.filter((l) => /"level":"error"/.test(l));
    expect(serverErrors).toEqual([]);
  });
});

// The client portal in a real browser, with JavaScript on (htmx) and off (plain HTML): sign in, the
// home page, invoices sorted and paid, a package upgraded, contacts and billing accounts, a domain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DESKTOP, PHONE, launchBrowser, navigate, screenshot, text, watchPage, type PageWatch } from './browser.ts';
import { CLIENT, startPortalPanel, type PortalPanel } from './portal-panel.ts';

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
])('client portal with $mode', ({ js, tag }) => {
  let panel: PortalPanel;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;

  const heading = () => text(page.getByRole('heading', { level: 1 }));
  const path = () => new URL(page.url()).pathname;
  const shot = (name: string, viewport = DESKTOP) => screenshot(page, `portal-${name}-${tag}`, viewport);
  const submit = (name: string) => navigate(page, () => page.getByRole('button', { name, exact: true }).click());

  beforeAll(async () => {
    panel = await startPortalPanel();
    context = await browser.newContext({ javaScriptEnabled: js, viewport: DESKTOP, baseURL: panel.url });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    watch = await watchPage(page);
  });
  afterAll(async () => {
    await context?.close();
    await panel?.close();
  });

  it('signs the client in and shows the home page', async () => {
    await page.goto('/login');
    await page.locator('#f-email').fill(CLIENT.email);
    await page.locator('#f-password').fill(CLIENT.password);
    await submit('Sign in');
    expect(path()).toBe('/client');
    expect(await heading()).toBe(`Welcome, ${CLIENT.name}`);
    expect(await text(page.locator('#due-h').locator('..').locator('.big-number'))).toBe('156.00 USD');
    await shot('home');
    await shot('home-phone', PHONE);
  });

  /** Waits until the invoice table's first row shows `amount` (an htmx swap with JavaScript, a page load without). */
  const firstRowShows = (amount: string) => page.locator('#main table tbody tr').first().filter({ hasText: amount }).waitFor();
  const invoiceNumber = (i: number) => `INV-${String(i).padStart(6, '0')}`;

  it('sorts the invoices by amount with a link (htmx swaps only the table)', async () => {
    await page.goto('/client/invoices');
    expect(await heading()).toBe('Invoices');
    await shot('invoice-list');
    const loadsBefore = watch.requests.filter((r) => r.type === 'document').length;
    await page.locator('#main thead').getByRole('link', { name: /Amount/ }).click();
    await firstRowShows('15.00 USD');
    const rows = await page.locator('#main table tbody tr').allTextContents();
    expect(rows.map((r) => /(\d+\.\d\d) USD/.exec(r)?.[1])).toEqual(['15.00', '42.00', '99.00']);
    const fullLoads = watch.requests.filter((r) => r.type === 'document').length - loadsBefore;
    expect(fullLoads).toBe(js ? 0 : 1);
  });

  it('opens an invoice and pays it on the test gateway’s page', async () => {
    await navigate(page, () => page.getByRole('link', { name: invoiceNumber(2), exact: true }).click());
    expect(await heading()).toContain(invoiceNumber(2));
    await shot('invoice-detail');
    await navigate(page, () => page.getByRole('link', { name: 'Pay Now' }).first().click());
    await page.getByLabel('Test gateway').check();
    await navigate(page, () => page.getByRole('button', { name: 'Confirm Payment' }).click());
    // The gateway's hosted page, on its own origin.
    expect(new URL(page.url()).origin).toBe(new URL(panel.gateway.url).origin);
    await navigate(page, () => page.getByRole('button', { name: 'Approve' }).click());
    expect(new URL(page.url()).origin).toBe(panel.url);
    await page.goto(`/client/invoices/${panel.invoices[1]}`);
    expect(await text(page.locator('#main'))).toMatch(/Paid/);
    const tx = page.locator('#main table').filter({ hasText: 'Transaction ID' });
    expect(await tx.locator('tbody tr').count()).toBe(1);
    expect(await text(tx)).toMatch(/15\.00 USD/);
  });

  it('pays another invoice with a new card, saved as a billing account shown masked', async () => {
    await page.goto(`/client/invoices/${panel.invoices[0]}/pay`);
    await page.getByLabel('New Billing Account Information').check();
    await page.locator('#f-nameOnCard').fill('Grace Hopper');
    await page.locator('#f-cardType').selectOption({ index: 1 });
    await page.locator('#f-cardNumber').fill('4111111111111111');
    await page.locator('#f-expMonth').fill('12');
    await page.locator('#f-expYear').fill('2030');
    await page.locator('#f-cvv').fill('123');
    await page.locator('#f-saveCard').check();
    await navigate(page, () => page.getByRole('button', { name: 'Confirm Payment' }).click());
    expect(await text(page.locator('#main'))).toMatch(/approved|paid/i);
    await page.goto(`/client/invoices/${panel.invoices[0]}`);
    expect(await text(page.locator('#main'))).toMatch(/Paid/);
    await page.goto('/client/billing-accounts');
    const list = await text(page.locator('#main'));
    expect(list).toMatch(/1111/);
    expect(list).not.toMatch(/4111111111111111/);
  });

  it('upgrades a package after seeing the prorated price', async () => {
    await page.goto(`/client/packages/${panel.services.vps}`);
    await shot('package-manage');
    await navigate(page, () => page.getByRole('button', { name: 'Perform Upgrade: VPS Large' }).click());
    const calculation = await text(page.locator('#main'));
    await shot('upgrade-preview');
    // 18 of the period's 28 days (20 Feb – 20 Mar) left: credit 10.00 × 18/28 = 6.43, charge 30.00 × 18/28 = 19.29.
    expect(calculation).toMatch(/VPS Large/);
    expect(calculation).toContain('6.43 USD');
    expect(calculation).toContain('19.29 USD');
    expect(calculation).toContain('12.86 USD');
    await navigate(page, () => page.getByRole('button', { name: 'Confirm the upgrade' }).click());
    expect(await text(page.locator('.flash-success'))).toMatch(/Invoice INV-\d+ for 12\.86 USD was issued/);
  });

  it('adds a contact with a US state and sees the County field', async () => {
    await page.goto('/client/contacts/new');
    await page.locator('#f-firstName').fill('Alan');
    await page.locator('#f-lastName').fill('Turing');
    await page.locator('#f-email').fill('alan@example.test');
    await page.locator('#f-country').selectOption('US');
    await page.locator('#f-state').fill('NY');
    await page.locator('#f-state').dispatchEvent('change');
    // With JavaScript htmx brings the field in; without it the field is there, marked for US states only.
    await page.locator('#f-county').waitFor({ state: 'visible' });
    await page.locator('#f-county').fill('Kings');
    await navigate(page, () => page.getByRole('button', { name: 'Save Contact' }).last().click());
    expect(await text(page.locator('#main'))).toMatch(/Alan Turing/);
  });

  it('adds a bank billing account for two packages (Not Billable For → Billable For)', async () => {
    await page.goto('/client/billing-accounts/new/echeck');
    await page.locator('#f-bankName').fill('First Test Bank');
    await page.locator('#f-accountKind').selectOption('checking');
    await page.locator('#f-routingNumber').fill('011000015');
    await page.locator('#f-accountNumber').fill('000123456789');
    await shot('billing-account-form');
    const options = page.locator('#f-addServiceIds option');
    const labels = await options.allTextContents();
    const chosen = labels.filter((l) => /VPS|Web Hosting/.test(l)).slice(0, 2);
    expect(chosen).toHaveLength(2);
    await page.locator('#f-addServiceIds').selectOption(chosen.map((label) => ({ label })));
    const add = page.getByRole('button', { name: 'Add →' });
    if (js) {
      await add.click();
      await page.locator('#f-removeServiceIds option').nth(1).waitFor();
    } else {
      await navigate(page, () => add.click());
    }
    // What was typed survives the round trip (the account number is a stored secret field: typed again if cleared).
    expect(await page.locator('#f-bankName').inputValue()).toBe('First Test Bank');
    if (!(await page.locator('#f-accountNumber').inputValue())) await page.locator('#f-accountNumber').fill('000123456789');
    if (!(await page.locator('#f-routingNumber').inputValue())) await page.locator('#f-routingNumber').fill('011000015');
    expect(await page.locator('#f-removeServiceIds option').count()).toBe(2);
    await navigate(page, () => page.getByRole('button', { name: 'Save Billing Account' }).last().click());
    expect(path()).toBe('/client/billing-accounts');
    const row = page.locator('#main table tbody tr').filter({ hasText: /eCheck/ });
    expect(await row.count()).toBe(1);
    expect(await text(row)).toMatch(/6789/);
  });

  it('turns autorenew off on a domain', async () => {
    await page.goto(`/client/domains/${panel.services.domain}`);
    await navigate(page, () => page.getByRole('button', { name: 'Turn autorenew off' }).click());
    expect(await text(page.locator('.domain-details'))).toMatch(/Autorenew\s*No/);
    const service = await panel.t.services.db('core_services').where({ id: panel.services.domain }).first('auto_renew');
    expect(Boolean(service.auto_renew)).toBe(false);
  });

  it('raised no CSP violation or page error on the way', () => {
    expect(watch.cspViolations).toEqual([]);
    expect(watch.cspDetails).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });
});

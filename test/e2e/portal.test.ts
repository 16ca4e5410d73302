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

  it('raised no CSP violation or page error on the way', () => {
    expect(watch.cspViolations).toEqual([]);
    expect(watch.cspDetails).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
  });
});

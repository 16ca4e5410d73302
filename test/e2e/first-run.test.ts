// First run in a real browser, with JavaScript on (htmx) and off (plain HTML): setup, menu, a form, a table, sign-out, sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type StartedServer } from './server.ts';
import { DESKTOP, PHONE, launchBrowser, navigate, screenshot, text, watchPage, type PageWatch } from './browser.ts';

const ADMIN = { name: 'Ada Admin', email: 'ada@example.test', password: 'correct horse battery staple' };

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
])('first run with $mode', ({ js, tag }) => {
  let server: StartedServer;
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;

  const heading = () => text(page.getByRole('heading', { level: 1 }));
  const path = () => new URL(page.url()).pathname;
  const flashText = () => text(page.locator('#flash'));
  const nav = () => page.getByRole('navigation', { name: 'Main menu' });
  const greetingRows = () => page.locator('#greetings tbody tr').allTextContents().then((rows) => rows.map((r) => r.replace(/\s+/g, ' ').trim()));
  // A field by its visible label; required fields add an asterisk to the label text.
  const input = (label: string) => page.getByLabel(new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\*?$`));
  // The whole field block (label, input, hint, error) around that input.
  const field = (label: string) => page.locator('.field', { has: input(label) });
  const shot = (name: string, viewport = DESKTOP) => screenshot(page, `${name}-${tag}`, viewport);

  beforeAll(async () => {
    server = await startServer();
    context = await browser.newContext({ javaScriptEnabled: js, viewport: DESKTOP, baseURL: server.url });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    watch = await watchPage(page);
  });
  afterAll(async () => {
    await context?.close();
    await server?.stop();
  });

  it('creates the first administrator through the one-time setup link', async () => {
    const res = await page.goto(server.setupUrl);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await heading()).toBe('Set up Trellis');

    await input('Your name').fill(ADMIN.name);
    await input('E-mail address').fill(ADMIN.email);
    await input('Password').fill(ADMIN.password);
    await input('Repeat the password').fill(ADMIN.password + ' typo');
    await navigate(page, () => page.getByRole('button', { name: 'Create administrator' }).click());

    expect(path()).toBe('/setup');
    expect(await text(field('Repeat the password').locator('.field-error'))).toBe('The two passwords do not match');
    expect(await input('Repeat the password').getAttribute('aria-invalid')).toBe('true');
    expect(await input('Your name').inputValue()).toBe(ADMIN.name);
    expect(await input('E-mail address').inputValue()).toBe(ADMIN.email);
    expect(await input('Password').inputValue()).toBe('');
    expect(await page.locator('.field-error').count()).toBe(1);
    await shot('setup-error');

    await input('Password').fill(ADMIN.password);
    await input('Repeat the password').fill(ADMIN.password);
    await navigate(page, () => page.getByRole('button', { name: 'Create administrator' }).click());

    expect(path()).toBe('/admin');
    expect(await heading()).toBe('Dashboard');
    expect(await flashText()).toContain('Your administrator account is ready.');
    expect(await text(page.locator('.topbar-user'))).toContain(ADMIN.name);
    if (js) expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');
    await shot('dashboard');
    await shot('dashboard-phone', PHONE);
  });

  it('moves around through the menu', async () => {
    for (const [label, url, h1] of [
      ['Plugins', '/admin/system/plugins', 'Plugins'],
      ['Jobs', '/admin/system/jobs', 'Jobs'],
      ['Hello', '/admin/hello', 'Hello'],
      ['Dashboard', '/admin', 'Dashboard'],
    ] as const) {
      await navigate(page, () => nav().getByRole('link', { name: label, exact: true }).click());
      expect(path()).toBe(url);
      expect(await heading()).toBe(h1);
      expect(await nav().locator('a[aria-current="page"]').textContent()).toBe(label);
      if (label === 'Plugins') {
        expect(await text(page.locator('tr[data-plugin="hello"]'))).toContain('enabled');
        await shot('plugins');
      }
      if (label === 'Jobs') expect(await page.locator('tr[data-job="hello.prune"]').count()).toBe(1);
    }
  });

  it('shows a field error on the hello form, then greets', async () => {
    await navigate(page, () => nav().getByRole('link', { name: 'Hello', exact: true }).click());
    expect(await text(page.locator('#greetings tbody'))).toBe('Nobody has been greeted yet.');

    await navigate(page, () => page.getByRole('button', { name: 'Greet' }).click());
    expect(path()).toBe('/admin/hello');
    expect(await text(field('Name').locator('.field-error'))).toBe('Enter a name to greet');
    expect(await input('Name').getAttribute('aria-invalid')).toBe('true');
    expect(await text(page.locator('.card .flash-error'))).toBe('Please correct the fields marked below.');
    await shot('hello-error');

    for (const name of ['Ada', 'Zoe']) {
      await input('Name').fill(name);
      await navigate(page, () => page.getByRole('button', { name: 'Greet' }).click());
      expect(path()).toBe('/admin/hello');
      expect(await flashText()).toBe(`Hello, ${name}!`);
      expect(await page.locator('.field-error').count()).toBe(0);
    }
    // Newest first by default.
    const rows = await greetingRows();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^Hello, Zoe! \d{4}-\d\d-\d\d \d\d:\d\d$/);
    expect(rows[1]).toMatch(/^Hello, Ada! /);
    expect(await text(page.locator('#greetings .page-info'))).toBe('Page 1 of 1 · 2 in all');
  });

  it(js ? 'sorts the table by Name with an htmx swap that pushes the URL' : 'sorts the table by Name with a plain link', async () => {
    if (js) await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1));
    watch.requests.length = 0;
    const nameHeader = page.locator('#greetings thead th', { hasText: 'Name' });
    expect(await nameHeader.getAttribute('aria-sort')).toBe('none');

    if (js) {
      const swapped = page.waitForResponse((r) => r.url().includes('sort=name') && r.request().headers()['hx-request'] === 'true');
      await nameHeader.getByRole('link').click();
      const res = await swapped;
      expect(res.status()).toBe(200);
      await page.waitForURL((u) => u.searchParams.get('sort') === 'name');
      await page.locator('#greetings thead th[aria-sort="ascending"]', { hasText: 'Name' }).waitFor();
    } else {
      await navigate(page, () => nameHeader.getByRole('link').click());
    }

    const url = new URL(page.url());
    expect(url.pathname).toBe('/admin/hello');
    expect(url.searchParams.get('sort')).toBe('name');
    expect(url.searchParams.get('dir')).toBe('asc');
    expect(await page.locator('#greetings thead th', { hasText: 'Name' }).getAttribute('aria-sort')).toBe('ascending');
    const rows = await greetingRows();
    expect(rows[0]).toMatch(/^Hello, Ada! /);
    expect(rows[1]).toMatch(/^Hello, Zoe! /);
    expect(await page.locator('#greetings').count()).toBe(1);
    expect(await heading()).toBe('Hello');

    const documents = watch.requests.filter((r) => r.type === 'document');
    const xhrs = watch.requests.filter((r) => r.type === 'xhr' || r.type === 'fetch');
    if (js) {
      // htmx fetched the table and swapped only it: no document load, and page state survived.
      expect(documents).toEqual([]);
      expect(xhrs.map((r) => new URL(r.url).search)).toEqual(['?sort=name&dir=asc']);
      expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    } else {
      expect(documents.map((r) => new URL(r.url).search)).toEqual(['?sort=name&dir=asc']);
      expect(xhrs).toEqual([]);
    }
    await shot('hello-sorted');
    await shot('hello-sorted-phone', PHONE);

    // Back goes to the unsorted table (htmx restores history from the server; without JS the browser reloads).
    await page.goBack();
    await page.waitForURL((u) => u.pathname === '/admin/hello' && !u.search);
    await page.locator('#greetings thead th[aria-sort="descending"]', { hasText: 'When' }).waitFor();
    const back = await greetingRows();
    expect(back[0]).toMatch(/^Hello, Zoe! /);
    expect(await heading()).toBe('Hello');
    // The whole page came back once: no layout nested inside the layout.
    for (const sel of ['#greetings', 'header.topbar', 'nav.side-nav', 'h1', '#flash']) expect(await page.locator(sel).count(), sel).toBe(1);
  });

  it('runs a job now from System → Jobs', async () => {
    await navigate(page, () => nav().getByRole('link', { name: 'Jobs', exact: true }).click());
    const row = page.locator('tr[data-job="hello.prune"]');
    await navigate(page, () => row.getByRole('button', { name: 'Run now' }).click());
    expect(path()).toBe('/admin/system/jobs');
    expect(await flashText()).toBe('hello.prune will run within a few seconds.');
    await shot('jobs');
    await shot('jobs-phone', PHONE);
  });

  it('signs out, refuses a wrong password, then signs in again', async () => {
    await navigate(page, () => page.locator('.topbar').getByRole('button', { name: 'Sign out' }).click());
    expect(path()).toBe('/admin/login');
    expect(await heading()).toBe('Staff sign-in');
    expect(await flashText()).toBe('You have signed out.');
    await shot('login');

    // The admin area now sends us to sign in, and back to where we wanted to go after it.
    await page.goto('/admin/system/plugins');
    expect(path()).toBe('/admin/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/system/plugins');
    expect(await flashText()).toBe('');

    await input('E-mail address').fill(ADMIN.email);
    await input('Password').fill('not the password');
    await navigate(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(path()).toBe('/admin/login');
    expect(await text(page.locator('.card [role="alert"]'))).toBe('The e-mail address or password is not correct.');
    expect(await input('E-mail address').inputValue()).toBe(ADMIN.email);
    expect(await input('Password').inputValue()).toBe('');
    await shot('login-error');

    await input('Password').fill(ADMIN.password);
    await navigate(page, () => page.getByRole('button', { name: 'Sign in' }).click());
    expect(path()).toBe('/admin/system/plugins');
    expect(await heading()).toBe('Plugins');

    await page.goto('/admin/login');
    expect(path()).toBe('/admin');
    expect(await heading()).toBe('Dashboard');
  });

  it('saw no CSP violation, page error or server error on any page', async () => {
    if (watch.consoleErrors.length) console.info(`[${tag}] console errors (not failures by themselves):\n  ${watch.consoleErrors.join('\n  ')}`);
    expect([...watch.cspViolations, ...watch.cspDetails]).toEqual([]);
    expect(watch.pageErrors).toEqual([]);
    expect(server.errorLogs()).toEqual([]);
  });

  it.runIf(js)('would notice a CSP violation (self-check of the watcher)', async () => {
    const p = await context.newPage();
    const w = await watchPage(p);
    await p.goto('/admin');
    await p.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
    });
    await expect.poll(() => w.cspViolations.length).toBeGreaterThan(0);
    await expect.poll(() => w.cspDetails.join('\n')).toContain('"directive":"script-src-elem"');
    expect(await p.evaluate(() => (window as unknown as { __inline?: number }).__inline)).toBeUndefined();
    await p.close();
  });
});

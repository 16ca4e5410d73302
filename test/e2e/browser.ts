// Debian's Chromium through playwright-core, plus a watcher that records CSP violations and page errors.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from './server.ts';

export const CHROMIUM_PATH = process.env.TRELLIS_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Running as root needs --no-sandbox; the rest keeps Chromium from calling home on a closed network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PageWatch {
  /** Console errors about the Content-Security-Policy (blocked inline script/style, eval, foreign origins). */
  cspViolations: string[];
  /** With JavaScript on: the securitypolicyviolation events, with the directive and the script position that caused them. */
  cspDetails: string[];
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** Every console error, for the report (a 400 page also logs "Failed to load resource"). */
  consoleErrors: string[];
  /** Requests by resource type since the last reset: tells a full page load from an htmx swap. */
  requests: { type: string; method: string; url: string }[];
}

const CSP_EVENT_PREFIX = 'trellis-e2e securitypolicyviolation ';

export async function watchPage(page: Page): Promise<PageWatch> {
  const w: PageWatch = { cspViolations: [], cspDetails: [], pageErrors: [], consoleErrors: [], requests: [] };
  // Runs in the page only when JavaScript is on; the console message alone does not say what caused it.
  await page.addInitScript((prefix) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.info(prefix + JSON.stringify({ directive: e.violatedDirective, blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`, sample: e.sample }));
    });
  }, CSP_EVENT_PREFIX);
  page.on('console', (msg) => {
    const text = msg.text();
    if (text.startsWith(CSP_EVENT_PREFIX)) {
      w.cspDetails.push(`${page.url()}: ${text.slice(CSP_EVENT_PREFIX.length)}`);
      return;
    }
    const where = `${page.url()}: ${text}${msg.location().url && msg.location().url !== page.url() ? ` (${msg.location().url})` : ''}`;
    if (/Content[- ]Security[- ]Policy/i.test(text)) w.cspViolations.push(where);
    if (msg.type() === 'error') w.consoleErrors.push(where);
  });
  page.on('pageerror', (err) => w.pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('request', (req) => w.requests.push({ type: req.resourceType(), method: req.method(), url: req.url() }));
  return w;
}

/** Runs `action` (a click that submits a form or follows a link) and waits until the next page has loaded. */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

export async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export async function screenshot(page: Page, name: string, viewport: { width: number; height: number } = DESKTOP): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  const before = page.viewportSize();
  if (before?.width !== viewport.width || before.height !== viewport.height) await page.setViewportSize(viewport);
  // caret: 'initial', because hiding the caret leaves style="" on every input, and htmx's settle step
  // then copies that attribute with setAttribute('style'), which our CSP rightly blocks.
  await page.screenshot({ path: file, fullPage: true, caret: 'initial' });
  if (before && (before.width !== viewport.width || before.height !== viewport.height)) await page.setViewportSize(before);
  return file;
}

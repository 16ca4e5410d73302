// A real panel on a loopback port (createTestApp served by @hono/node-server) and the test gateway beside it.
import type { Knex } from 'knex';
import * as cheerio from 'cheerio';
import { serve } from '@hono/node-server';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { createInvoice } from '../../core/billing/invoices/create.ts';
import { paymentsOf, setupPayments } from '../../core/billing/payments/setup.ts';
import type { PaymentService } from '../../core/billing/payments/service.ts';
import { saveTestGatewaySettings } from '../../core/billing/payments/settings.ts';
import { startTestGateway, type TestGateway } from '../../core/billing/payments/test-gateway/server.ts';
import { freePort } from '../helpers/process.ts';
import type { PluginConfigEntry } from '../../core/plugins/config.ts';

export const GATEWAY_SECRET = 'test-gateway-shared-secret-0123456789';


export interface LivePanel {
  t: TestApp;
  url: string;
  payments: PaymentService;
  gateway: TestGateway;
  close(): Promise<void>;
}

/** The panel app, mounted with payments, listening on loopback; the test gateway configured and running. */
export async function startLivePanel(opts: { gatewaySecret?: string; panelSecret?: string; plugins?: PluginConfigEntry[] } = {}): Promise<LivePanel> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t = await createTestApp({ env: { TRELLIS_PUBLIC_URL: url }, ...(opts.plugins ? { plugins: opts.plugins } : {}) });
  // Until createApp calls setupPayments itself, the test mounts it (before the first request).
  const payments = paymentsOf(t.services) ?? (await setupPayments(t.app, t.services));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: t.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const gateway = await startTestGateway({ port: 0, host: '127.0.0.1', secret: opts.gatewaySecret ?? GATEWAY_SECRET });
  await saveTestGatewaySettings(t.services.settings, t.services.secrets, { enabled: true, url: gateway.url, secret: opts.panelSecret ?? GATEWAY_SECRET });
  await payments.refreshFormActionOrigins();
  return {
    t,
    url,
    payments,
    gateway,
    async close() {
      await gateway.close();
      await new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await t.destroy();
    },
  };
}

export async function makeInvoice(db: Knex, clientId: number, amount: number, currency = 'USD'): Promise<{ id: number; number: string; total: number }> {
  const created = await db.transaction((trx) =>
    createInvoice(trx, { clientId, kind: 'manual', currency, enteredOn: '2026-03-02', dueOn: '2026-03-09', lines: [{ kind: 'manual', description: 'Hosting', unitPrice: amount }], taxRateBp: 0, taxInclusive: false, numberPrefix: 'INV-', at: '2026-03-02T09:00:00.000Z' }),
  );
  return { id: created.id, number: created.number, total: created.total };
}

/**
 * What a browser does on the hosted page: load the signed link, then press a button. Returns the
 * gateway's answer to the press (a 303 to the shop when the shop confirmed the callback).
 */
export async function payOnHostedPage(link: string, outcome: 'approved' | 'declined' | 'error'): Promise<{ page: Response; html: string; press: Response }> {
  const page = await fetch(link);
  const html = await page.text();
  const $ = cheerio.load(html);
  const form = $('form[method="post"]');
  const body = new URLSearchParams();
  form.find('input[type="hidden"]').each((_, el) => void body.append($(el).attr('name')!, $(el).attr('value') ?? ''));
  const button = form.find(`button[name="outcome"][value="${outcome}"]`);
  if (!button.length) throw new Error(`no ${outcome} button on the hosted page (status ${page.status}): ${html.slice(0, 300)}`);
  body.append('outcome', outcome);
  const press = await fetch(new URL(form.attr('action')!, link), { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
  return { page, html, press };
}

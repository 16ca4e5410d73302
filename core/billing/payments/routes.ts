// Public payment routes: the gateways' signed callbacks (POST /payments/callback/:gateway, CSRF-exempt,
// verified by signature instead) and the page a client returns to (GET /payments/return?attempt=…).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.ts';
import { renderView } from '../../http/render.ts';
import { formatMoney } from '../../money/money.ts';
import type { PaymentService } from './service.ts';

const MAX_CALLBACK_BYTES = 64 * 1024;

export function paymentPublicRoutes(payments: PaymentService): Hono<AppEnv> {
  const r = new Hono<AppEnv>();

  r.post('/callback/:gateway', async (c) => {
    if (Number(c.req.header('content-length') ?? 0) > MAX_CALLBACK_BYTES) return c.json({ ok: false, error: 'too large' }, 413);
    const body = await c.req.text();
    if (body.length > MAX_CALLBACK_BYTES) return c.json({ ok: false, error: 'too large' }, 413);
    const res = await payments.handleCallback(c.req.param('gateway'), { body, header: (name) => c.req.header(name) });
    c.header('Cache-Control', 'no-store');
    if (res.status === 403) return c.json({ ok: false, error: 'signature missing or wrong' }, 403);
    if (res.status === 404) return c.json({ ok: false, error: 'unknown payment attempt' }, 404);
    if (res.status === 500) return c.json({ ok: false, error: 'try again later' }, 500);
    return c.json({ ok: true, result: res.result?.kind ?? 'ok' }, 200);
  });

  /** Shows an attempt's result to its own client; anyone else (other clients, staff, visitors) gets 404. */
  r.get('/return', async (c) => {
    const app = c.var.app;
    const user = c.var.user;
    const id = c.req.query('attempt') ?? '';
    if (!user || user.kind !== 'client' || !user.clientId || !/^pa_[A-Za-z0-9_-]{1,37}$/.test(id)) return app.pages.error(c, 404);
    const attempt = await payments.getClientAttempt(user.clientId, id);
    if (!attempt) return app.pages.error(c, 404);
    const numbers = await payments.invoiceNumbers(attempt.invoiceIds);
    const minor = await payments.minorUnits(attempt.currency);
    c.header('Cache-Control', 'no-store');
    return renderView(
      c,
      'pages/admin/payments/return',
      {
        attempt: { id: attempt.id, status: attempt.status, amount: formatMoney({ amount: attempt.amount, currency: attempt.currency }, minor), gateway: payments.gateway(attempt.gateway)?.title ?? attempt.gateway },
        invoices: attempt.invoiceIds.map((i) => ({ id: i, number: numbers.get(i) ?? `#${i}` })),
      },
      { title: 'Payment', layout: 'client' },
    );
  });

  return r;
}

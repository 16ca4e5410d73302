// System → Outbox: every e-mail Trellis produced, held (no SMTP), queued, sent or failed.
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { buildTable } from '../http/table.ts';
import type { OutboxRow } from '../mail/mailer.ts';

export function systemOutboxRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => {
    const app = c.get('app');
    const status = c.req.query('status');
    const query = app.db('core_outbox').select('id', 'created_at', 'to', 'subject', 'status', 'attempts', 'sent_at', 'error');
    if (status && ['held', 'queued', 'sent', 'failed'].includes(status)) query.where({ status });
    const table = await buildTable<OutboxRow>(
      c,
      {
        id: 'outbox-table',
        defaultSort: 'created',
        defaultDir: 'desc',
        empty: 'No messages.',
        columns: [
          { key: 'created', label: 'Created', sortBy: 'created_at', value: (m) => m.created_at.replace('T', ' ').slice(0, 16) },
          { key: 'to', label: 'To' },
          { key: 'subject', label: 'Subject', href: (m) => `/admin/system/outbox/${m.id}` },
          { key: 'status', label: 'Status', badge: (m) => (m.status === 'sent' ? 'ok' : m.status === 'failed' ? 'failed' : 'pending') },
          { key: 'attempts', label: 'Attempts', align: 'right' },
        ],
      },
      query,
    );
    return renderView(c, 'pages/admin/outbox', { table, status: status ?? '', smtp: app.mail.hasSmtp }, { title: 'Outbox' });
  });

  r.get('/:id', async (c) => {
    const app = c.get('app');
    const id = Number(c.req.param('id'));
    const message = Number.isInteger(id) ? await app.mail.get(id) : undefined;
    if (!message) return app.pages.error(c, 404);
    return renderView(c, 'pages/admin/outbox-message', { message }, { title: message.subject });
  });
  return r;
}

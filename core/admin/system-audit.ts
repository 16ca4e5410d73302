// System → Audit log: staff actions and security events, newest first, filterable by kind.
import { Hono } from 'hono';
import type { AppEnv } from '../http/env.ts';
import { renderView } from '../http/render.ts';
import { buildTable } from '../http/table.ts';
import type { AuditRow } from '../audit/audit.ts';

export const AUDIT_FILTERS = [
  { value: '', label: 'Everything' },
  { value: 'auth.', label: 'Sign-in and sessions' },
  { value: 'staff.', label: 'Staff users' },
  { value: 'settings.', label: 'Settings' },
  { value: 'jobs.', label: 'Jobs' },
  { value: 'setup.', label: 'Setup' },
];

export function systemAuditRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => {
    const app = c.get('app');
    const action = AUDIT_FILTERS.some((f) => f.value === c.req.query('action')) ? c.req.query('action') : '';
    const table = await buildTable<AuditRow>(
      c,
      {
        id: 'audit-table',
        defaultSort: 'at',
        defaultDir: 'desc',
        pageSize: 50,
        empty: 'No events recorded.',
        columns: [
          { key: 'at', label: 'When', sortBy: 'at', value: (e) => e.at.replace('T', ' ').slice(0, 19) },
          { key: 'actor', label: 'Who', value: (e) => `${e.actor_label || '—'} (${e.actor_type})` },
          { key: 'action', label: 'What' },
          { key: 'target', label: 'On' },
          { key: 'ip', label: 'From' },
          { key: 'details', label: 'Details', value: (e) => e.details ?? '' },
        ],
      },
      app.audit.listQuery({ action: action || undefined }),
    );
    return renderView(c, 'pages/admin/audit', { table, action, filters: AUDIT_FILTERS }, { title: 'Audit log' });
  });
  return r;
}

// The floor: the client's invoice list (its first page, and a deep page after a keyset cursor) from
// node:http, the same eta templates and raw better-sqlite3 statements prepared once; no framework, no
// knex, no middleware chain. It still does the work the page cannot do without: resolve the session
// cookie, compute the CSRF token, check the cursor's signature, count and read the rows and what is
// owed, render, and send the same headers. It serves only the two pages the bench measures.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Eta } from 'eta';
import { helpers, type Helpers } from '../../core/views/helpers.ts';
import { createSecretBox, loadMasterKey } from '../../core/secrets/crypto.ts';
import { decodeCursor, encodeCursor, type CursorScope } from '../../core/http/table.ts';
import { I18n } from '../../core/i18n/i18n.ts';
import { invoiceStatusOptions, invoiceTableSpec, INVOICE_PAGE_SIZE } from '../../plugins/client-portal/routes/invoice-list.ts';
import { REPO_ROOT } from '../lib/child.ts';
import { SECURITY_HEADERS, cookie, send } from '../lib/floor-http.ts';

const env = process.env;
const dataDir = env.TRELLIS_DATA_DIR!;
const port = Number(env.PORT ?? 0);
const host = env.HOST ?? '127.0.0.1';
const PAGE_PATH = '/client/invoices';

// --- templates: one eta configured like core/views/renderer.ts, with the portal's view under its namespace.
class FloorEta extends Eta {
  h: Helpers = helpers;
}
const eta = new FloorEta({ views: path.join(REPO_ROOT, 'views'), cache: true, autoEscape: true, functionHeader: 'const h = this.h;' });
eta.loadTemplate('@client-portal/client/invoice-list', fs.readFileSync(path.join(REPO_ROOT, 'plugins/client-portal/views/client/invoice-list.eta'), 'utf8'));

// The client menu as the panel builds it (written by setup.ts: writeClientMenu); English, as the bench client reads.
const MENU = JSON.parse(fs.readFileSync(env.BENCH_MENU_FILE!, 'utf8')) as { id: string; label: string; entries: { label: string; href: string }[] }[];
const t = new I18n().translator('en');
// The panel's own key and derivation, so the CSRF token and the cursors are the panel's bytes.
const secrets = createSecretBox(loadMasterKey({ envKey: env.TRELLIS_SECRET_KEY, dataDir }));
const statusOptions = invoiceStatusOptions(t);
/** The columns depend on the day (overdue marks); built once a day, not per request. */
let columnsOf: { day: string; spec: ReturnType<typeof invoiceTableSpec>; columns: unknown[] } | null = null;
function specFor(today: string) {
  if (columnsOf?.day !== today) {
    const spec = invoiceTableSpec(t, { today, filtered: false });
    columnsOf = { day: today, spec, columns: spec.columns.map((col) => ({ ...col, sortable: Boolean(col.sortBy) })) };
  }
  return columnsOf;
}

// --- database: the same file and pragmas as core/db/knex.ts, statements prepared once.
const db = new Database(path.join(dataDir, 'trellis.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const sessionStmt = db.prepare(
  `select s.id, s.expires_at, s.last_seen_at, u.id as user_id, u.kind, u.email, u.name, u.role, u.client_id, u.status, u.language
     from core_sessions s join core_users u on u.id = s.user_id where s.id = ?`,
);
const COLUMNS = 'id, number, status, currency, total, amount_paid, entered_on, due_on';
const firstStmt = db.prepare(`select ${COLUMNS} from core_invoices where client_id = ? and status <> 'draft' order by entered_on desc, id desc limit ?`);
const afterStmt = db.prepare(`select ${COLUMNS} from core_invoices where client_id = ? and status <> 'draft' and (entered_on, id) < (?, ?) order by entered_on desc, id desc limit ?`);
const countStmt = db.prepare(`select count(*) as n from (select id from core_invoices where client_id = ? and status <> 'draft' limit ?)`);
const outstandingStmt = db.prepare(
  `select currency, sum(total - amount_paid) as amount, count(*) as count from core_invoices
    where client_id = ? and status in ('unpaid', 'collections') and total > amount_paid group by currency order by currency`,
);
interface SessionJoin {
  id: string;
  expires_at: string;
  last_seen_at: string;
  user_id: number;
  kind: 'staff' | 'client';
  email: string;
  name: string;
  role: string | null;
  client_id: number | null;
  status: string;
  language: string;
}
interface InvoiceRow {
  id: number;
  number: string;
  status: string;
  currency: string;
  total: number;
  amount_paid: number;
  entered_on: string;
  due_on: string;
}

function invoiceList(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const token = cookie(req.headers.cookie, 'trellis_session');
  const s = token && token.length <= 100 ? (sessionStmt.get(crypto.createHash('sha256').update(token).digest('hex')) as SessionJoin | undefined) : undefined;
  const now = Date.now();
  if (!s || Date.parse(s.expires_at) <= now || now - Date.parse(s.last_seen_at) > 12 * 3600_000 || s.status !== 'active' || s.kind !== 'client' || !s.client_id) {
    res.writeHead(303, { ...SECURITY_HEADERS, location: `/login?next=${encodeURIComponent(url.pathname)}` });
    res.end();
    return;
  }
  const user = { id: s.user_id, kind: s.kind, email: s.email, name: s.name, role: s.role, clientId: s.client_id, language: s.language };
  const csrf = secrets.mac('csrf', `session:${s.id}`);
  const query = Object.fromEntries(url.searchParams);
  if (Object.keys(query).some((k) => k !== 'after')) return send(res, 404, 'The floor serves the first page and pages after a cursor only.');

  const today = new Date(now).toISOString().slice(0, 10);
  const { spec, columns } = specFor(today);
  const scope: CursorScope = { table: spec.id, sort: 'entered_on', dir: 'desc' };
  const after = decodeCursor(secrets, query.after, scope);
  const got = (after ? afterStmt.all(s.client_id, after.value, after.id, INVOICE_PAGE_SIZE + 1) : firstStmt.all(s.client_id, INVOICE_PAGE_SIZE + 1)) as InvoiceRow[];
  const rows = got.slice(0, INVOICE_PAGE_SIZE);
  const cap = spec.keyset!.countUpTo!;
  const n = (countStmt.get(s.client_id, cap + 1) as { n: number }).n;
  const outstanding = outstandingStmt.all(s.client_id) as { currency: string; amount: number; count: number }[];
  const cursorOf = (r: InvoiceRow) => encodeCursor(secrets, scope, r.entered_on, r.id);
  const table = {
    id: spec.id, caption: spec.caption, empty: spec.empty, columns, rows, sort: 'entered_on', dir: 'desc', page: 1, pages: 1,
    total: Math.min(n, cap), baseUrl: url.pathname, query,
    keyset: { before: after && rows.length ? cursorOf(rows[0]!) : null, after: got.length > INVOICE_PAGE_SIZE ? cursorOf(rows[rows.length - 1]!) : null, counted: n > cap ? 'more' : 'exact' },
  };

  const base = { title: t('Invoices'), user, t, lang: 'en', csrf, csrfField: '_csrf', flash: [], path: url.pathname, query };
  const data = { ...base, table, outstanding, status: '', statusOptions };
  const body = eta.render('@client-portal/client/invoice-list', data);
  const html = eta.render('layouts/client', { ...data, body, menu: MENU, appName: 'Trellis' });
  send(res, 200, html, { 'cache-control': 'no-store', vary: 'HX-Request' });
}

const server = http.createServer((req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://floor');
    if (req.method === 'GET' && url.pathname === PAGE_PATH) return invoiceList(req, res, url);
    send(res, 404, 'Not found');
  } catch (err) {
    process.stderr.write(`floor: ${(err as Error).stack}\n`);
    if (!res.headersSent) send(res, 500, 'Internal error');
    else res.destroy();
  }
});
server.listen(port, host, () => {
  const addr = server.address();
  process.stderr.write(`Floor is running at http://${host}:${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
const stop = () =>
  server.close(() => {
    db.close();
    process.exit(0);
  });
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

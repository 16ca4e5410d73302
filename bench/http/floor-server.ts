// The floor: the same /admin/hello page from node:http, the same eta templates and raw better-sqlite3 prepared
// statements; no framework, no knex, no middleware chain. It still does the work the page cannot do without:
// resolve the session cookie, compute the CSRF token, count and read the rows, render, send the same headers.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Eta } from 'eta';
import { helpers, type Helpers } from '../../core/views/helpers.ts';
import { REPO_ROOT } from '../lib/child.ts';
import { SECURITY_HEADERS, cookie, send } from '../lib/floor-http.ts';
import { I18n } from '../../core/i18n/i18n.ts';

const env = process.env;
const dataDir = env.TRELLIS_DATA_DIR!;
const port = Number(env.PORT ?? 0);
const host = env.HOST ?? '127.0.0.1';
const pageSize = Number(env.BENCH_PAGE_SIZE ?? 50);
const GREETING = 'Hello'; // the hello plugin's default greeting; the bench config does not change it

// --- templates: one eta configured like core/views/renderer.ts, with the hello view under its namespace.
class FloorEta extends Eta {
  h: Helpers = helpers;
}
const eta = new FloorEta({ views: path.join(REPO_ROOT, 'views'), cache: true, autoEscape: true, functionHeader: 'const h = this.h;' });
eta.loadTemplate('@hello/admin/index', fs.readFileSync(path.join(REPO_ROOT, 'plugins/hello/views/admin/index.eta'), 'utf8'));

// The admin menu as the panel builds it for an administrator (written by setup.ts: writeAdminMenu).
const MENU = JSON.parse(fs.readFileSync(env.BENCH_MENU_FILE!, 'utf8')) as { id: string; label: string; entries: { label: string; href: string }[] }[];

interface GreetingRow {
  id: number;
  name: string;
  created_at: string;
  created_by: number | null;
}
const COLUMNS = [
  { key: 'name', label: 'Name', sortBy: 'name', sortable: true, value: (g: GreetingRow) => `${GREETING}, ${g.name}!` },
  { key: 'created', label: 'When', sortBy: 'created_at', sortable: true, value: (g: GreetingRow) => g.created_at.replace('T', ' ').slice(0, 16) },
];

// --- database: the same file and pragmas as core/db/knex.ts, statements prepared once.
const db = new Database(path.join(dataDir, 'trellis.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
const sessionStmt = db.prepare(
  `select s.id, s.expires_at, s.last_seen_at, u.id as user_id, u.kind, u.email, u.name, u.role, u.client_id, u.status
     from core_sessions s join core_users u on u.id = s.user_id where s.id = ?`,
);
const countStmt = db.prepare('select count(*) as n from hello_greetings');
const rowStmts = new Map<string, Database.Statement>();
for (const col of COLUMNS) {
  for (const dir of ['asc', 'desc']) {
    rowStmts.set(`${col.key}:${dir}`, db.prepare(`select id, name, created_at, created_by from hello_greetings order by ${col.sortBy} ${dir}, id ${dir} limit ? offset ?`));
  }
}
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
}

// --- CSRF token: an HMAC bound to the session, as core/http/session.ts does (the key differs; the cost does not).
const csrfKey = crypto.hkdfSync('sha256', Buffer.from(env.TRELLIS_SECRET_KEY ?? crypto.randomBytes(32).toString('hex'), 'hex'), Buffer.alloc(0), 'floor:csrf', 32);

function adminHello(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const token = cookie(req.headers.cookie, 'trellis_session');
  const s = token && token.length <= 100 ? (sessionStmt.get(crypto.createHash('sha256').update(token).digest('hex')) as SessionJoin | undefined) : undefined;
  const now = Date.now();
  if (!s || Date.parse(s.expires_at) <= now || now - Date.parse(s.last_seen_at) > 12 * 3600_000 || s.status !== 'active' || s.kind !== 'staff') {
    res.writeHead(303, { ...SECURITY_HEADERS, location: `/admin/login?next=${encodeURIComponent(url.pathname)}` });
    res.end();
    return;
  }
  const user = { id: s.user_id, kind: s.kind, email: s.email, name: s.name, role: s.role, clientId: s.client_id };
  const csrf = crypto.createHmac('sha256', Buffer.from(csrfKey)).update(`session:${s.id}`).digest('base64url');

  const query = Object.fromEntries(url.searchParams);
  const sort = query.sort === 'name' || query.sort === 'created' ? query.sort : 'created';
  const dir = query.dir === 'asc' || query.dir === 'desc' ? query.dir : 'desc';
  const total = (countStmt.get() as { n: number }).n;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(pages, Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1));
  const rows = rowStmts.get(`${sort}:${dir}`)!.all(pageSize, (page - 1) * pageSize) as GreetingRow[];
  const table = { id: 'greetings', caption: undefined, empty: 'Nobody has been greeted yet.', columns: COLUMNS, rows, sort, dir, page, pages, total, baseUrl: url.pathname, query };

  const base = { title: 'Hello', user, csrf, csrfField: '_csrf', flash: [], path: url.pathname, query, t: english, lang: 'en' };
  const body = eta.render('@hello/admin/index', { ...base, table, values: {}, errors: {} });
  const html = eta.render('layouts/admin', { ...base, table, values: {}, errors: {}, body, menu: MENU, appName: 'Trellis' });
  send(res, 200, html, { 'cache-control': 'no-store', vary: 'HX-Request' });
}

// The panel translates every label; the floor does the same lookup (English: the text itself).
const english = new I18n().translator('en');

const server = http.createServer((req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://floor');
    if (req.method === 'GET' && url.pathname === '/admin/hello') return adminHello(req, res, url);
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
const stop = () => server.close(() => {
  db.close();
  process.exit(0);
});
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

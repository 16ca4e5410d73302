// The operator commands around the demo: `trellis demo:seed` (fill the configured, empty panel) and
// `trellis demo` / `npm run demo` (a fresh ./data-demo, seeded, served in sandbox mode).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type TrellisConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createApp } from '../app.ts';
import { startServer } from '../server.ts';
import { DEFAULT_DEMO_CLIENTS, DemoSeedError, seedDemo, type DemoSummary } from './seed.ts';

/** Default folder of `npm run demo`; TRELLIS_DEMO_DIR moves it. */
export const DEMO_DATA_DIR = './data-demo';
/** The file that marks a folder as made by `npm run demo`, so wiping it never deletes anything else. */
const MARKER = '.trellis-demo';

function clientsOption(args: string[]): number {
  const { values } = parseArgs({ args, options: { clients: { type: 'string' } }, allowPositionals: false });
  if (values.clients === undefined) return DEFAULT_DEMO_CLIENTS;
  const n = Number(values.clients);
  if (!Number.isSafeInteger(n) || n < 0 || n > 100_000) throw new DemoSeedError('--clients must be a whole number from 0 to 100000');
  return n;
}

/** What to print after seeding: counts and the logins. */
export function describeSeed(s: DemoSummary, url?: string): string {
  const statuses = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `Demo data: ${s.clients} clients, ${s.services} services, ${s.invoices} invoices, ${s.transactions} transactions, ${s.emails} e-mails (held in the outbox), history ${s.from} … ${s.to}, seeded in ${(s.ms / 1000).toFixed(1)} s.`,
    `  services: ${statuses(s.serviceStatuses)}`,
    `  invoices: ${statuses(s.invoiceStatuses)}`,
    '',
    'Sign in:',
    ...s.logins.staff.map((l) => `  staff  ${url ? `${url}/admin/login ` : ''} ${l.email} / ${l.password}  (${l.role})`),
    `  client ${url ? `${url}/login       ` : ''} ${s.logins.client.email} / ${s.logins.client.password}`,
  ].join('\n');
}

async function seedWith(config: TrellisConfig, clients: number): Promise<DemoSummary> {
  const log = createLogger({ level: process.env.TRELLIS_LOG_LEVEL ? config.logLevel : 'warn', sink: (l) => process.stderr.write(l + '\n') });
  const t = await createApp({ config, log });
  try {
    return await seedDemo(t.services, { clients, log: (line) => process.stderr.write(line + '\n') });
  } finally {
    await t.close();
  }
}

/** `trellis demo:seed [--clients N]`: seeds the panel TRELLIS_DATA_DIR / DATABASE_URL point at, if it is empty. */
export async function demoSeedCommand(args: string[]): Promise<number> {
  const clients = clientsOption(args);
  const summary = await seedWith(loadConfig(), clients);
  process.stdout.write(describeSeed(summary) + '\n');
  return 0;
}

/** Empties `dir` if it was made by `npm run demo` (or is empty), and marks it as a demo folder. */
export function freshDemoDir(dir: string): void {
  const abs = path.resolve(dir);
  if (fs.existsSync(abs)) {
    const entries = fs.readdirSync(abs);
    if (entries.length && !entries.includes(MARKER)) {
      throw new DemoSeedError(`${abs} exists and was not made by \`npm run demo\`; refusing to delete it. Set TRELLIS_DEMO_DIR to another folder.`);
    }
    fs.rmSync(abs, { recursive: true, force: true });
  }
  fs.mkdirSync(abs, { recursive: true });
  fs.writeFileSync(path.join(abs, MARKER), 'Made by `npm run demo`: wiped and seeded again on every run.\n');
}

/**
 * `trellis demo [--clients N]` (`npm run demo`): wipes and seeds ./data-demo (always SQLite, whatever
 * DATABASE_URL says), then serves it in sandbox mode so the clock can be moved forward from
 * System → Sandbox. Prints the URL and the logins; runs until interrupted.
 */
export async function demoCommand(args: string[]): Promise<number> {
  const clients = clientsOption(args);
  const dir = path.resolve(process.env.TRELLIS_DEMO_DIR || DEMO_DATA_DIR);
  freshDemoDir(dir);
  const config = loadConfig({ ...process.env, TRELLIS_DATA_DIR: dir, TRELLIS_SANDBOX: '1', DATABASE_URL: '' });
  process.stderr.write(`demo: seeding ${dir} with ${clients} clients…\n`);
  const summary = await seedWith(config, clients);
  // The BILLmanager reseller plugin's simulated upstream, wired to the seeded panel (plugins/billmanager-reseller/simulator/demo.ts).
  const upstream = await import('../../plugins/billmanager-reseller/simulator/demo.ts').then((m) => m.startDemoUpstream(config)).catch((err: unknown) => ({ lines: [`No upstream BILLmanager: ${(err as Error).message}`], close: async () => {} }));
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const running = await startServer(config, log);
  process.stdout.write(`\n${describeSeed(summary, running.url)}\n\n${upstream.lines.join('\n')}\n\nSandbox mode: move the clock forward under System → Sandbox to watch renewals, reminders and suspensions.\nPress Ctrl+C to stop; the next \`npm run demo\` starts from a fresh ${path.relative(process.cwd(), dir) || dir}.\n`);
  const shutdown = async () => {
    await upstream.close();
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  return new Promise<number>(() => {});
}

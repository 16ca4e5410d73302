// `npx trellis <command>`: serve, migrate, admin:create, plugins, jobs, jobs:run. Errors: one line, exit 1.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { createApp } from '../app.ts';
import { startServer } from '../server.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { STAFF_ROLES } from '../auth/users.ts';

const USAGE = `Usage: trellis <command> [options]

Commands:
  serve                              start the panel (HTTP server and background jobs)
  migrate                            apply core and plugin migrations, then exit
  admin:create --email E --password P [--name N] [--role admin|billing|support]
                                     create a staff user
  plugins                            show which plugins started and why others did not
  jobs                               list background jobs with their last and next runs
  jobs:run <id>                      run one job now in this process and print the outcome
  demo:seed [--clients N]            fill an empty panel with demo data (catalog, staff, clients, 13 months of billing)
  demo [--clients N]                 wipe and seed ./data-demo, then serve it in sandbox mode (npm run demo)
  simulate test-gateway --secret S [--port 4010]
                                     run the test payment gateway (a hosted payment page on loopback)
  simulate billmanager [--port 1500] [--user U --password P] [--balance N]
                                     run a simulated upstream BILLmanager (plugin billmanager-reseller)

Configuration comes from the environment (PORT, HOST, TRELLIS_DATA_DIR, DATABASE_URL, ...); see README.md.`;

class CliError extends Error {}

async function withApp<T>(fn: (t: Awaited<ReturnType<typeof createApp>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Logs go to stderr so the command's own output on stdout stays clean.
  const log = createLogger({ level: process.env.TRELLIS_LOG_LEVEL ? config.logLevel : 'warn', sink: (l) => process.stderr.write(l + '\n') });
  const t = await createApp({ config, log });
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
    case undefined: {
      const config = loadConfig();
      const log = createLogger({ level: config.logLevel });
      const running = await startServer(config, log);
      const shutdown = async (signal: string) => {
        log.info('shutting down', { signal });
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      return new Promise<number>(() => {});
    }
    case 'migrate':
      return withApp(async (t) => {
        const failed = t.plugins.filter((p) => p.state === 'failed');
        process.stdout.write(`Core and ${t.plugins.length - failed.length} plugin(s) migrated.\n`);
        for (const f of failed) process.stdout.write(`plugin ${f.name} failed: ${f.code}: ${f.message}\n`);
        return failed.some((f) => f.phase === 'migrations') ? 1 : 0;
      });
    case 'admin:create': {
      const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } } });
      if (!values.email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values.email)) throw new CliError('admin:create needs --email with a valid e-mail address');
      if (!values.password || values.password.length < MIN_PASSWORD_LENGTH) throw new CliError(`admin:create needs --password of at least ${MIN_PASSWORD_LENGTH} characters`);
      const role = values.role ?? 'admin';
      if (!(STAFF_ROLES as readonly string[]).includes(role)) throw new CliError(`--role must be one of: ${STAFF_ROLES.join(', ')}`);
      return withApp(async (t) => {
        if (await t.services.users.findByEmail('staff', values.email!)) throw new CliError(`A staff user ${values.email} already exists`);
        const id = await t.services.users.create({ kind: 'staff', email: values.email!, name: values.name ?? values.email!.split('@')[0]!, role, passwordHash: await hashPassword(values.password!) });
        await t.services.audit.record({ actor: { type: 'system', label: 'cli' }, action: 'staff.created', target: `user:${id}`, details: { email: values.email, role } });
        process.stdout.write(`Created ${role} ${values.email} (id ${id}).\n`);
        return 0;
      });
    }
    case 'plugins':
      return withApp(async (t) => {
        if (!t.plugins.length) process.stdout.write('No plugins are enabled in the plugin config.\n');
        for (const p of t.plugins) {
          process.stdout.write(`${pad(p.name, 28)} ${pad(p.version || '-', 9)} ${pad(p.state, 8)} ${p.code ? `${p.phase}: ${p.code}: ${p.message}` : `jobs: ${p.jobs.join(', ') || 'none'}`}\n`);
        }
        return t.plugins.some((p) => p.state === 'failed') ? 2 : 0;
      });
    case 'jobs':
      return withApp(async (t) => {
        for (const j of await t.services.jobs.list()) {
          process.stdout.write(`${pad(j.id, 32)} ${pad(j.lastStatus ?? 'never run', 10)} last: ${pad(j.lastRunAt ?? '-', 25)} next: ${j.nextRunAt ?? '-'}\n`);
        }
        return 0;
      });
    case 'jobs:run': {
      const id = rest[0];
      if (!id) throw new CliError('jobs:run needs a job id; `trellis jobs` lists them');
      return withApp(async (t) => {
        if (!t.services.jobs.has(id)) throw new CliError(`There is no job '${id}'; \`trellis jobs\` lists them`);
        const run = await t.services.jobs.runOnce(id, 'cli');
        process.stdout.write(`${id}: ${run.status}${run.error ? `: ${run.error}` : ''}${run.counts && Object.keys(run.counts).length ? ` ${JSON.stringify(run.counts)}` : ''}\n`);
        return run.status === 'ok' ? 0 : 1;
      });
    }
    case 'demo:seed':
      return (await import('../demo/cli.ts')).demoSeedCommand(rest);
    case 'demo':
      return (await import('../demo/cli.ts')).demoCommand(rest);
    case 'simulate': {
      const [what, ...args] = rest;
      if (what === 'billmanager') {
        const { main: billmanagerMain } = await import('../../plugins/billmanager-reseller/simulator/cli.ts');
        const sim = await billmanagerMain(args);
        if (!sim) return Number(process.exitCode ?? 2);
        return new Promise<number>(() => {});
      }
      if (what !== 'test-gateway') throw new CliError(`Unknown simulator '${what ?? ''}'. Available: test-gateway, billmanager`);
      const { main: gatewayMain } = await import('../billing/payments/test-gateway/server.ts');
      const gateway = await gatewayMain(args);
      if (!gateway) return Number(process.exitCode ?? 2);
      return new Promise<number>(() => {});
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw new CliError(`Unknown command '${command}'. Run 'trellis help' for the list.`);
  }
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('core/cli/main.ts');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`trellis: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

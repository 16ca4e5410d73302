// Starts the HTTP server and the job loop for `npm start` / `trellis serve`, and stops both cleanly.
import { serve, type ServerType } from '@hono/node-server';
import { createApp, type TrellisApp } from './app.ts';
import type { TrellisConfig } from './config.ts';
import type { Logger } from './log.ts';
import { issueSetupToken } from './auth/setup-token.ts';

export interface RunningServer {
  trellis: TrellisApp;
  server: ServerType;
  url: string;
  stop(): Promise<void>;
}

export async function startServer(config: TrellisConfig, log: Logger, opts: { jobs?: boolean } = {}): Promise<RunningServer> {
  const trellis = await createApp({ config, log });
  const { services } = trellis;
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: trellis.app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  if (opts.jobs !== false) services.jobs.start();

  const enabled = trellis.plugins.filter((p) => p.state === 'enabled').length;
  const failed = trellis.plugins.filter((p) => p.state === 'failed');
  log.info('trellis listening', { url, db: config.databaseUrl.startsWith('postgres') ? 'postgresql' : 'sqlite', plugins: enabled, failedPlugins: failed.map((p) => `${p.name}:${p.code}`) });
  const lines = [`Trellis is running at ${url}`, `  staff: ${url}/admin   clients: ${url}/login`];
  if ((await services.users.countStaff()) === 0) {
    const token = await issueSetupToken(services.settings, services.clock);
    const base = config.publicUrl.startsWith('http://127.0.0.1') || config.publicUrl.startsWith('http://localhost') ? url : config.publicUrl;
    lines.push('', 'No staff user exists yet. Open this one-time link to create the first administrator:', `  ${base}/setup?token=${token}`, '(valid for 24 hours; restart to get a new one)');
  }
  for (const f of failed) lines.push(`  ! plugin ${f.name} is disabled: ${f.code}: ${f.message}`);
  process.stderr.write(lines.join('\n') + '\n');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await trellis.close();
    })());
  return { trellis, server, url, stop };
}

// `npx trellis simulate billmanager [--port 1500] [--host 127.0.0.1] [--user U --password P] [--balance 10000]`:
// the upstream BILLmanager on its own, for rehearsals and for any ISPsystem API client.
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { parseAmount } from '../../../core/money/money.ts';
import { BillmanagerSimulator, DEFAULT_RESELLER } from './index.ts';

export async function main(argv: string[]): Promise<BillmanagerSimulator | null> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, balance: { type: 'string' } } }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 2;
    return null;
  }
  const port = Number(values.port ?? 1500);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number, got ${values.port}\n`);
    process.exitCode = 2;
    return null;
  }
  const balance = values.balance === undefined ? undefined : parseAmount(values.balance, 2);
  if (balance === null || (balance !== undefined && balance < 0)) {
    process.stderr.write(`--balance must be an amount in roubles such as 10000 or 2500.50, got ${values.balance}\n`);
    process.exitCode = 2;
    return null;
  }
  const reseller = { username: values.user ?? DEFAULT_RESELLER.username, password: values.password ?? DEFAULT_RESELLER.password };
  const admin = { username: 'admin', password: crypto.randomBytes(9).toString('base64url') };
  const sim = new BillmanagerSimulator({ reseller, admin, port, host: values.host ?? '127.0.0.1', ...(balance !== undefined ? { balance } : {}) });
  const running = await sim.start();
  process.stdout.write(
    [
      `BILLmanager simulator listening at ${running.url}`,
      `  reseller account (Customer level): ${reseller.username} / ${reseller.password}`,
      `  balance: ${sim.state.balanceText()}`,
      `  simulator admin (controls: func=simulator.whois state=up|down, func=simulator.balance amount=N): ${admin.username} / ${admin.password}`,
      `In Trellis, add a processing server with the module "BILLmanager", the URL above, and the reseller account.`,
      '',
    ].join('\n'),
  );
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return sim;
}

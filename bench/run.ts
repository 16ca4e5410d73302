// `npm run bench -- <name> [options]`: runs one benchmark from the registry below; `npm run bench` lists them.
import type { Bench } from './lib/bench.ts';

// Loaded lazily, so one bench's dependencies never slow down or break another. Add a bench here.
const BENCHES: Record<string, { description: string; load: () => Promise<Bench> }> = {
  http: {
    description: 'an admin page (session, layout, menu, 50-row table) on the full stack vs a node:http floor',
    load: async () => (await import('./http/index.ts')).httpBench,
  },
  billing: {
    description: 'renewal invoices for 100,000 due services: runRenewals vs raw better-sqlite3 prepared statements',
    load: async () => (await import('./billing/index.ts')).billingBench,
  },
  portal: {
    description: "the client portal's invoice list (first and a deep keyset page of 5,000 among 1,000,000 invoices) on the full stack vs a node:http floor",
    load: async () => (await import('./portal/index.ts')).portalBench,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(BENCHES).map((n) => n.length));
  return [
    'Usage: npm run bench -- <name> [options]',
    '',
    'Benchmarks:',
    ...Object.entries(BENCHES).map(([name, b]) => `  ${name.padEnd(width)}  ${b.description}`),
    '',
    'Run `npm run bench -- <name> --help` for the options of one benchmark.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 1;
  }
  const entry = BENCHES[name];
  if (!entry) {
    process.stderr.write(`bench: there is no benchmark '${name}'.\n\n${usage()}\n`);
    return 1;
  }
  return (await entry.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);

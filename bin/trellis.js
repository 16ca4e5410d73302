#!/usr/bin/env node
// `npx trellis`: registers tsx so the TypeScript sources run directly, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import(new URL('../core/cli/main.ts', import.meta.url).href);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`trellis: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

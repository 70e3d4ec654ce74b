#!/usr/bin/env node
// The backstop-sim command line; the code lives in dist/src/cli.js (built by `npm run build`).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('backstop-sim: not built yet; run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv);

#!/usr/bin/env node
// The backstop-sim command line; the code lives in dist/src/cli.js (built by `npm run build`).
import { existsSync } from 'node:fs';

// a reader that stops early (`| head`) or a closed stdout ends the command quietly with exit 0, as
// Unix tools do; the files a command writes are written before anything is printed
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code === 'EPIPE' || e.code === 'EBADF' || e.code === 'ERR_STREAM_DESTROYED') process.exit(0);
    throw e;
  });

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('backstop-sim: not built yet; run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv);

#!/usr/bin/env node
// The backstop-sim command line; the code lives in dist/src/cli.js (built by `npm run build`).
import { existsSync } from 'node:fs';

// A reader that stops early (`| head`) or a closed stdout is no error: the command goes on (the files it
// writes are written before anything is printed) and exits with its own code, printing nothing more. A
// closed stderr likewise only ends what can be said. Any other failure to write stdout (a full disk) is.
const closed = (e) => e.code === 'EPIPE' || e.code === 'EBADF' || e.code === 'ERR_STREAM_DESTROYED';
process.stderr.on('error', () => {});
process.stdout.on('error', (e) => {
  if (closed(e)) return;
  process.stderr.write(`backstop-sim: cannot write to stdout: ${e.code ?? ''} ${e.message}\n`);
  process.exitCode = 1;
});

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('backstop-sim: not built yet; run `npm run build` (or `npm ci`) first\n');
  process.exit(2);
}
const { main } = await import(cli.href);
const code = await main(process.argv);
process.exitCode = Math.max(code, Number(process.exitCode ?? 0));

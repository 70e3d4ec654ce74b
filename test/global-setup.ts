/** Vitest's global setup: says once, before the files run, when the browser tests will be skipped. */
import { skipNotice } from './chromium.js';

export default function setup(): void {
  const notice = skipNotice();
  if (notice) process.stderr.write(`\n${notice}\n\n`);
}

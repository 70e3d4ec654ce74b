/**
 * The headless Chromium of the report tests (driven by playwright-core; nothing is downloaded).
 *
 * Found at `BACKSTOP_CHROMIUM` when set (an explicit setting is used or reported missing, never replaced),
 * else on the usual paths and on PATH. Where none is found the browser tests are skipped with one line
 * saying how to enable them; with `CI` set (`CI=true`, as CI services set it) a missing browser fails them.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

const USUAL = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];
const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const executable = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** Where the Chromium is, or why there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path?: string; missing?: string } {
  const set = env.BACKSTOP_CHROMIUM;
  if (set)
    return executable(set) ? { path: set } : { missing: `BACKSTOP_CHROMIUM=${set} is not an executable` };
  for (const p of USUAL) if (existsSync(p) && executable(p)) return { path: p };
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const name of ON_PATH) if (executable(join(dir, name))) return { path: join(dir, name) };
  return { missing: `no Chromium at ${USUAL[0]}, the usual paths or on PATH` };
}

/** True in CI (`CI` set, not false or 0): there a missing browser or tool fails the tests instead of skipping them. */
export const inCI = (env: NodeJS.ProcessEnv = process.env) =>
  Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';

const found = findChromium();
/** True where a Chromium was found. */
export const browserFound = found.path !== undefined;
const skip = !found.path && !inCI();
const HOW = 'install one (Debian: apt-get install -y chromium) or set BACKSTOP_CHROMIUM=/path/to/chromium';

/** The one line `npm test` prints (vitest's global setup) where the browser tests are skipped, else null. */
export function skipNotice(): string | null {
  return skip ? `browser tests skipped: ${found.missing}; ${HOW}` : null;
}

/** `describe` of tests that need the browser: skipped where there is none (outside CI). */
export const describeBrowser = (name: string, fn: () => void) =>
  describe.skipIf(skip)(skip ? `${name} (skipped: no Chromium; ${HOW})` : name, fn);
/** `it` of a test that needs the browser: skipped where there is none (outside CI). */
export const itBrowser = (name: string, fn: () => Promise<void>) =>
  it.skipIf(skip)(skip ? `${name} (skipped: no Chromium; ${HOW})` : name, fn);

/** Launches the headless Chromium; throws, saying how to get one, where there is none. */
export async function launchChromium(): Promise<Browser> {
  if (!found.path) throw new Error(`the browser tests need a Chromium: ${found.missing}; ${HOW}`);
  return chromium.launch({
    executablePath: found.path,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

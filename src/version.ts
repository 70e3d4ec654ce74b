/**
 * This package's version, from the nearest package.json named `backstop-sim` above this module (in the
 * repository, `dist/`, or an installed copy alike). Read once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** This package's version (`unknown` when no package.json of it is found). */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'backstop-sim' && typeof pkg.version === 'string') return (cached = pkg.version);
      } catch {
        // not a package.json we can read: keep looking up
      }
    }
    dir = dirname(dir);
  }
  return cached;
}

/** Schema metadata of a result file: the package version, the experiment and the table (static text only). */
export function resultFileMeta(experiment: string | null, table: string): Map<string, string> {
  const m = new Map([['backstop-sim:version', packageVersion()]]);
  if (experiment) m.set('backstop-sim:experiment', experiment);
  m.set('backstop-sim:table', table);
  return m;
}

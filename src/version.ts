/**
 * This package on disk: its root (the nearest directory above this module whose package.json is named
 * `backstop-sim`: the repository, `dist/`'s parent, or an installed copy, which has no `src/`) and its
 * version. Small and dependency-free, so the analysis and the runner can both import it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: { dir: string; version: string } | null | undefined;

function findRoot(): { dir: string; version: string } | null {
  if (root !== undefined) return root;
  root = null;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'backstop-sim') {
          root = { dir, version: typeof pkg.version === 'string' ? pkg.version : 'unknown' };
          return root;
        }
      } catch {
        // an unreadable package.json: keep looking up
      }
    }
    dir = dirname(dir);
  }
  return root;
}

/** Root of this package (the directory of its package.json). */
export function packageRoot(): string {
  const r = findRoot();
  if (!r) throw new Error('backstop-sim: cannot find the package root');
  return r.dir;
}

/** This package's version (`unknown` when no package.json of it is found). */
export function packageVersion(): string {
  return findRoot()?.version ?? 'unknown';
}

/** Schema metadata of a result file: the package version, the experiment and the table (static text only). */
export function resultFileMeta(experiment: string | null, table: string): Map<string, string> {
  const m = new Map([['backstop-sim:version', packageVersion()]]);
  if (experiment) m.set('backstop-sim:experiment', experiment);
  m.set('backstop-sim:table', table);
  return m;
}

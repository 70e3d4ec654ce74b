/**
 * Loads user modules (experiments, strategies, price models) written in TypeScript or JavaScript, from
 * anywhere on disk, in the main thread and in worker threads alike. jiti transpiles TypeScript on the fly
 * (no build step for users); `import ... from 'backstop-sim'` in such a file resolves to this very package,
 * wherever the file lives, and is imported natively so that it shares this process's registries.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { createJiti as CreateJiti } from 'jiti';
import { BackstopInputError } from './errors.js';

const here = fileURLToPath(import.meta.url);
/** This package's entry module: dist/src/index.js when built, src/index.ts under the test runner. */
const selfEntry = resolve(here, '..', here.endsWith('.ts') ? 'index.ts' : 'index.js');

let jiti: ReturnType<typeof CreateJiti> | undefined;
/**
 * jiti, loaded on first use (a run of JSON or JavaScript experiments never loads it) and through `require`:
 * imported as an ES module, its 190 KB CommonJS bundle would be scanned for exports in every worker thread.
 */
function loader() {
  if (!jiti) {
    const { createJiti } = createRequire(import.meta.url)('jiti') as { createJiti: typeof CreateJiti };
    jiti = createJiti(import.meta.url, {
      alias: { 'backstop-sim': selfEntry },
      interopDefault: true,
      moduleCache: true,
      fsCache: false,
    });
  }
  return jiti;
}

/** Whether `e` is Node's failure to find the package `name` (imported by a module, not installed beside it). */
function isMissing(e: unknown, name: string): boolean {
  const err = e as { code?: unknown; message?: unknown } | null;
  return (
    err?.code === 'ERR_MODULE_NOT_FOUND' &&
    typeof err.message === 'string' &&
    err.message.includes(`Cannot find package '${name}'`)
  );
}

/**
 * Imports the module at `path` (relative paths against `baseDir`) and returns its namespace. `.js`/`.mjs`
 * files are imported natively (through jiti, as `.ts`/`.mts` files always are, when they import
 * `backstop-sim` from a place where it is not installed).
 *
 * @throws BackstopInputError when the file does not exist or fails to load
 */
export async function loadModule(path: string, baseDir = process.cwd()): Promise<Record<string, unknown>> {
  const abs = isAbsolute(path) ? path : resolve(baseDir, path);
  if (!existsSync(abs))
    throw new BackstopInputError(
      [{ path, message: `file not found (looked for ${abs})` }],
      'cannot load module',
    );
  try {
    if (/\.(m|c)?js$/.test(abs)) {
      try {
        return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
      } catch (e) {
        // a JavaScript plug-in outside any project that has backstop-sim installed: resolved like a .ts one
        if (!(isMissing(e, 'backstop-sim') && /\.m?js$/.test(abs))) throw e;
      }
    }
    return (await loader().import(abs)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof BackstopInputError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new BackstopInputError(
      [{ path, message: `failed to load: ${msg.split('\n')[0]}` }],
      'cannot load module',
    );
  }
}

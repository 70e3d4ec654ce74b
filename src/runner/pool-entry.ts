/**
 * What piscina loads for a runner pool: the CommonJS shim built from `esm-entry.cts` as its file, and the
 * ES-module worker the shim imports, passed as `workerData.entry`. The compiled files in dist/ are used
 * also when this module runs from its TypeScript source (tests).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../experiment/resolve.js';

/** Piscina's `filename` and `workerData` for the worker module `worker` (a file of dist/src/runner/). */
export function poolEntry(worker: 'worker.js'): {
  filename: string;
  workerData: { entry: string };
} {
  const here = fileURLToPath(import.meta.url);
  const dir = here.endsWith('.js') ? dirname(here) : join(packageRoot(), 'dist', 'src', 'runner');
  return {
    filename: join(dir, 'esm-entry.cjs'),
    workerData: { entry: pathToFileURL(join(dir, worker)).href },
  };
}

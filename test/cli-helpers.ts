import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The built command line (the `pretest` script builds it). */
export const BIN = join(ROOT, 'bin', 'backstop-sim.js');
/** Test fixtures. */
export const FIX = join(ROOT, 'test', 'fixtures');

/** Runs the CLI to completion. */
export function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory. */
export function tmp(prefix = 'backstop-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Reads an Arrow IPC file with apache-arrow. */
export function readArrow(path: string) {
  return tableFromIPC(readFileSync(path));
}

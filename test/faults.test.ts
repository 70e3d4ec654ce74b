/**
 * Faults, through the built command line: a worker running out of memory, SIGINT/SIGTERM, repeated
 * kill -9 with torn and corrupt parts, a full or read-only output directory. (A worker that exits, a single
 * kill -9 with a truncated part, and bad input are in runner.test.ts and cli.test.ts.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, FIX, ROOT, readArrow, tmp } from './cli-helpers.js';

const FAULTS = join(FIX, 'faults.json');
const ARGS = ['run', FAULTS, '--workers', '2', '--quiet'];
const RUNS = 120;
const parts = (out: string) => {
  const d = join(out, '.parts');
  return existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.part')) : [];
};
const same = (a: string, b: string) => expect(readFileSync(a).equals(readFileSync(b))).toBe(true);

/** Starts a batch and resolves once at least `n` parts exist (or the child exits). */
async function startUntil(out: string, n: number, extra: string[] = []) {
  const child = spawn(process.execPath, [BIN, ...ARGS, '--out', out, ...extra], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  let done = false;
  exited.then(() => (done = true));
  const t0 = Date.now();
  while (!done && parts(out).length < n && Date.now() - t0 < 60_000)
    await new Promise((r) => setTimeout(r, 5));
  return { child: child as ChildProcess, exited, stderr: () => stderr };
}

let full: string;
beforeAll(() => {
  full = tmp();
  const r = cli([...ARGS, '--out', full]);
  expect(r.code, r.stderr).toBe(0);
});

describe('a worker that runs out of memory', () => {
  it('is replaced, its run retried once and recorded as failed; the batch finishes (exit 1)', () => {
    const out = tmp();
    const r = cli(['run', join(FIX, 'oom.experiment.ts'), '--out', out, '--workers', '2', '--quiet'], {
      env: { BACKSTOP_WORKER_MEMORY_MB: '64' },
    });
    expect(r.code, r.stderr).toBe(1);
    const t = readArrow(join(out, 'runs.arrow'));
    expect(t.numRows).toBe(3);
    let failed = 0;
    for (const row of t) {
      if (row.status === 'failed') {
        failed++;
        expect(row.error).toMatch(/^worker crashed: .*memory limit.*\(retried once\)$/);
      } else expect(Number.isFinite(row.shortfall)).toBe(true);
    }
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(3);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toMatchObject({ failed });
  });
});

describe('SIGINT and SIGTERM', () => {
  for (const [sig, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${sig}: stops taking runs, keeps the finished ones, exits ${code}; --resume completes it`, async () => {
      const out = tmp();
      const { child, exited, stderr } = await startUntil(out, 10);
      child.kill(sig);
      const e = await exited;
      expect(e.code, stderr()).toBe(code);
      expect(stderr()).toMatch(new RegExp(`${sig}: stopping after the runs in flight`));
      expect(stderr()).toMatch(/interrupted: \d+ of 120 runs done .*--resume/);
      const kept = parts(out).length;
      expect(kept).toBeGreaterThanOrEqual(10);
      expect(kept).toBeLessThan(RUNS);
      expect(existsSync(join(out, 'runs.arrow'))).toBe(false);
      expect(existsSync(join(out, '.parts', 'plan.json'))).toBe(true);
      const r = cli([...ARGS, '--out', out, '--resume']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`resuming: ${kept} of 120 runs already done`));
      same(join(full, 'runs.arrow'), join(out, 'runs.arrow'));
    });
  }
});

describe('the same stop delivered twice', () => {
  // scancel and preemption signal every process of a Slurm job, and deploy/slurm-array.sh forwards its TERM
  // too: a second TERM within a second is the same stop, not "quit now" (which would drop the runs in flight)
  it('two SIGTERMs at once stop as one: the runs in flight are kept, exit 143, resumable', async () => {
    const out = tmp();
    const { child, exited, stderr } = await startUntil(out, 10);
    child.kill('SIGTERM');
    child.kill('SIGTERM');
    const e = await exited;
    expect(e.code, stderr()).toBe(143);
    expect(stderr()).toMatch(/interrupted: \d+ of 120 runs done .*--resume/);
    const r = cli([...ARGS, '--out', out, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    same(join(full, 'runs.arrow'), join(out, 'runs.arrow'));
  });
});

describe('kill -9 at random moments', () => {
  it('three kills at different points, a torn and a corrupt part: --resume loses and duplicates nothing', async () => {
    const out = tmp();
    const seen: number[] = [];
    for (const at of [8, 40, 80]) {
      // a random moment past each progress point
      const { child, exited } = await startUntil(out, at + Math.floor(Math.random() * 10), ['--resume']);
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      seen.push(parts(out).length);
    }
    expect(seen[0]).toBeLessThan(seen[2]);
    expect(seen[2]).toBeLessThan(RUNS);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(false);
    // a torn part (as after a power cut) and one with a flipped byte (bit rot): both are run again
    const names = parts(out).sort();
    truncateSync(join(out, '.parts', names[0]), 40);
    const bad = join(out, '.parts', names[1]);
    const bytes = readFileSync(bad);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(bad, bytes);
    const r = cli([...ARGS, '--out', out, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`resuming: ${names.length - 2} of 120 runs already done`));
    same(join(full, 'runs.arrow'), join(out, 'runs.arrow'));
    const ids = readArrow(join(out, 'runs.arrow')).getChild('run_id')!.toArray() as Int32Array;
    expect([...ids]).toEqual(Array.from({ length: RUNS }, (_, i) => i));
  });
});

describe('an output directory that cannot be written', () => {
  it('full (ENOSPC injected after 5 parts): a clear error, exit 1, earlier results untouched; --resume finishes', () => {
    const out = tmp();
    expect(cli([...ARGS, '--out', out]).code).toBe(0);
    const before = readFileSync(join(out, 'runs.arrow'));
    const manifest = readFileSync(join(out, 'manifest.json'));
    // a fresh (non-resumed) run into the same directory hits a full disk
    const r = cli([...ARGS, '--out', out], { env: { BACKSTOP_TEST_FAULT: 'ENOSPC:5' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/cannot write to .*ENOSPC.*5 finished chunk\(s\) are kept .*--resume/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(readFileSync(join(out, 'runs.arrow')).equals(before)).toBe(true);
    expect(readFileSync(join(out, 'manifest.json')).equals(manifest)).toBe(true);
    expect(parts(out)).toHaveLength(5);
    expect(readdirSync(join(out, '.parts')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = cli([...ARGS, '--out', out, '--resume']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming: 5 of 120 runs already done/);
    same(join(full, 'runs.arrow'), join(out, 'runs.arrow'));
  });

  it('read-only: a clear error naming the directory, exit 2, nothing changed', () => {
    const out = tmp();
    expect(cli([...ARGS, '--out', out, '--runs', '4']).code).toBe(0);
    const listing = readdirSync(out).sort();
    const bytes = readFileSync(join(out, 'runs.arrow'));
    const mtime = statSync(join(out, 'runs.arrow')).mtimeMs;
    // chmod where permissions bind; as root (who ignores them) the EROFS of a read-only mount is injected
    const root = process.getuid?.() === 0;
    if (!root) chmodSync(out, 0o555);
    try {
      const r = cli([...ARGS, '--out', out, '--runs', '4'], {
        env: root ? { BACKSTOP_TEST_FAULT: 'EROFS' } : {},
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`--out ${out}: not writable \\((EACCES|EROFS) in ${out}\\)`));
    } finally {
      if (!root) chmodSync(out, 0o755);
    }
    expect(readdirSync(out).sort()).toEqual(listing);
    expect(readFileSync(join(out, 'runs.arrow')).equals(bytes)).toBe(true);
    expect(statSync(join(out, 'runs.arrow')).mtimeMs).toBe(mtime);
  });
});

/**
 * The workers' heap cap follows the task's memory limit (issue 17): on a 512 GB node with Slurm
 * `--mem=8G` and 16 workers the cap from the node's memory (24 GB each) let the cgroup kill the whole
 * task instead of one run being recorded as failed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLimit, workerHeapMb } from '../src/runner/memory.js';
import { cli, FIX, tmp } from './cli-helpers.js';

const GB = 2 ** 30;
const NODE = 512 * GB;
const UNCONSTRAINED = 2 ** 64; // what Node 20's process.constrainedMemory() reports without a limit

describe('worker heap cap', () => {
  it('follows a cgroup limit (Slurm --mem=8G on a 512 GB node, 16 workers: 3/4 of 8 GB / 16)', () => {
    const src = { env: {}, constrained: 8 * GB, total: NODE };
    expect(memoryLimit(src)).toEqual({ bytes: 8 * GB, source: 'the cgroup memory limit' });
    expect(workerHeapMb(16, src)).toBe((0.75 * 8 * 1024) / 16);
  });

  it("is the machine's memory without a limit (2^64 or 0) or with a limit above it", () => {
    for (const constrained of [UNCONSTRAINED, 0, 2 * NODE]) {
      const src = { env: {}, constrained, total: NODE };
      expect(memoryLimit(src).bytes).toBe(NODE);
      expect(workerHeapMb(16, src)).toBe((0.75 * 512 * 1024) / 16);
    }
  });

  it('uses SLURM_MEM_PER_NODE (MB) when no cgroup limit is seen', () => {
    const src = { env: { SLURM_MEM_PER_NODE: '4096' }, constrained: UNCONSTRAINED, total: NODE };
    expect(memoryLimit(src)).toEqual({ bytes: 4 * GB, source: 'SLURM_MEM_PER_NODE' });
    expect(workerHeapMb(4, src)).toBe(768);
  });

  it('uses SLURM_MEM_PER_CPU × the task CPUs (--mem-per-cpu)', () => {
    const src = {
      env: { SLURM_MEM_PER_CPU: '1024', SLURM_CPUS_PER_TASK: '8' },
      constrained: UNCONSTRAINED,
      total: NODE,
    };
    expect(memoryLimit(src).bytes).toBe(8 * GB);
    expect(workerHeapMb(8, src)).toBe(768);
  });

  it('BACKSTOP_WORKER_MEMORY_MB wins; the floor is 256 MB', () => {
    expect(
      workerHeapMb(16, { env: { BACKSTOP_WORKER_MEMORY_MB: '1000' }, constrained: GB, total: NODE }),
    ).toBe(1000);
    expect(workerHeapMb(64, { env: {}, constrained: GB, total: NODE })).toBe(256);
  });

  it('a bad BACKSTOP_WORKER_MEMORY_MB is bad input: exit 2, named, nothing written', () => {
    expect(() => workerHeapMb(1, { env: { BACKSTOP_WORKER_MEMORY_MB: '8G' } })).toThrow(
      /BACKSTOP_WORKER_MEMORY_MB: must be an integer of MB, at least 64 \(got "8G"\)/,
    );
    // 4 MB was accepted, and the pool itself died with an unhandled ERR_WORKER_OUT_OF_MEMORY
    expect(() => workerHeapMb(1, { env: { BACKSTOP_WORKER_MEMORY_MB: '4' } })).toThrow(/at least 64/);
    const out = join(tmp(), 'out');
    const r = cli(['run', join(FIX, 'sweep.json'), '--out', out], {
      env: { BACKSTOP_WORKER_MEMORY_MB: '-5' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BACKSTOP_WORKER_MEMORY_MB/);
    expect(existsSync(out)).toBe(false);
  });
});

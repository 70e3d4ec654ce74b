/**
 * The heap cap of each worker thread. A run that allocates without end must kill its worker (the run is
 * recorded as failed), not the task: on a cluster the task's memory is the cgroup's (Slurm `--mem`, a pod's
 * `resources.limits.memory`), not the node's, and the kernel kills the whole task at that limit.
 */
import { totalmem } from 'node:os';
import { BackstopInputError } from '../errors.js';

/** What the memory limit is read from (the process's by default; tests pass their own). */
export interface MemorySources {
  env?: NodeJS.ProcessEnv;
  /** `process.constrainedMemory()`: the cgroup (v1 or v2) limit in bytes; 0, undefined or ≥ 2^53 when none. */
  constrained?: number;
  /** `os.totalmem()` in bytes. */
  total?: number;
}

/** Share of the memory limit given to the workers' heaps together; the rest is the main thread's and V8's. */
export const WORKER_HEAP_SHARE = 0.75;
/** The smallest heap a worker gets by default (MB): below it ordinary runs would fail. */
export const MIN_WORKER_HEAP_MB = 256;
/** The smallest `BACKSTOP_WORKER_MEMORY_MB` (MB): below it a worker cannot even start, and the pool fails. */
export const MIN_SET_HEAP_MB = 64;

/**
 * The memory this process may use, in bytes, and where that came from: the cgroup limit when one is set
 * below the machine's memory, else Slurm's `SLURM_MEM_PER_NODE` (MB) or `SLURM_MEM_PER_CPU` × CPUs of the task
 * when set, else the machine's memory.
 */
export function memoryLimit(src: MemorySources = {}): { bytes: number; source: string } {
  const env = src.env ?? process.env;
  const total = src.total ?? totalmem();
  const constrained = src.constrained ?? process.constrainedMemory?.() ?? 0;
  // Node 20 reports an unconstrained cgroup as 2^64
  if (Number.isFinite(constrained) && constrained > 0 && constrained < total)
    return { bytes: constrained, source: 'the cgroup memory limit' };
  const slurm = Number(env.SLURM_MEM_PER_NODE);
  if (Number.isFinite(slurm) && slurm > 0 && slurm * 2 ** 20 < total)
    return { bytes: slurm * 2 ** 20, source: 'SLURM_MEM_PER_NODE' };
  // --mem-per-cpu: per CPU of the task
  const perCpu = Number(env.SLURM_MEM_PER_CPU);
  const cpus = Number(env.SLURM_CPUS_PER_TASK || env.SLURM_CPUS_ON_NODE || 1);
  if (
    Number.isFinite(perCpu) &&
    perCpu > 0 &&
    Number.isFinite(cpus) &&
    cpus >= 1 &&
    perCpu * cpus * 2 ** 20 < total
  )
    return { bytes: perCpu * cpus * 2 ** 20, source: 'SLURM_MEM_PER_CPU × SLURM_CPUS_PER_TASK' };
  return { bytes: total, source: "the machine's memory" };
}

/**
 * `BACKSTOP_WORKER_MEMORY_MB` (a worker's heap cap in MB) when set, else undefined.
 * @throws BackstopInputError when it is set to anything but a positive integer
 */
export function envWorkerHeapMb(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const set = env.BACKSTOP_WORKER_MEMORY_MB;
  if (set === undefined || set === '') return undefined;
  const n = Number(set);
  if (!/^\d+$/.test(set.trim()) || !Number.isSafeInteger(n) || n < MIN_SET_HEAP_MB)
    throw new BackstopInputError(
      [
        {
          path: 'BACKSTOP_WORKER_MEMORY_MB',
          message: `must be an integer of MB, at least ${MIN_SET_HEAP_MB} (got ${JSON.stringify(set)})`,
        },
      ],
      'invalid environment',
    );
  return n;
}

/**
 * Heap cap of each of `threads` workers in MB: `BACKSTOP_WORKER_MEMORY_MB` when set, else 3/4 of
 * {@link memoryLimit} shared among the workers, at least 256.
 */
export function workerHeapMb(threads: number, src: MemorySources = {}): number {
  const set = envWorkerHeapMb(src.env ?? process.env);
  if (set !== undefined) return set;
  const { bytes } = memoryLimit(src);
  return Math.max(
    MIN_WORKER_HEAP_MB,
    Math.floor((WORKER_HEAP_SHARE * bytes) / 2 ** 20 / Math.max(1, threads)),
  );
}

/**
 * A {@link GameDriver} on a piscina pool: the runs of every profile are cut into slices and simulated on
 * all cores. Each run depends only on its config and seed, so the results are identical to the
 * in-process driver's, whatever the worker count.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { GameDriver, ProfileRun } from '../analysis/game-run.js';
import type { ProfileTask } from './game-worker.js';
import { poolEntry } from './pool-entry.js';
import { Progress, type ProgressMode } from './progress.js';

/** Options of {@link poolDriver}. */
export interface PoolDriverOptions {
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Progress display on stderr (default: none). */
  progress?: ProgressMode;
}

/**
 * A game driver that runs profiles on a pool of worker threads (created per `run` call and destroyed after
 * it). Runs are sliced so that every worker gets several tasks; a slice whose worker dies is recorded as
 * failed runs with the message.
 */
export function poolDriver(opts: PoolDriverOptions = {}): GameDriver {
  const workers = opts.workers ?? availableParallelism();
  if (!(Number.isInteger(workers) && workers >= 1))
    throw new Error(`workers must be a positive integer (got ${workers})`);
  return {
    async run(jobs) {
      const total = jobs.reduce((s, j) => s + j.seeds.length, 0);
      const results: ProfileRun[][] = jobs.map((j) => new Array(j.seeds.length));
      if (total === 0) return results;
      // about 8 slices per worker, never more runs than a profile has
      const slice = Math.max(1, Math.ceil(total / (8 * workers)));
      const tasks: { job: number; offset: number; task: ProfileTask }[] = [];
      jobs.forEach((j, job) => {
        for (let o = 0; o < j.seeds.length; o += slice)
          tasks.push({
            job,
            offset: o,
            task: { config: j.config, seeds: j.seeds.slice(o, o + slice), baseDir: j.baseDir },
          });
      });
      const threads = Math.min(workers, tasks.length);
      const pool = new Piscina({
        ...poolEntry('game-worker.js'),
        minThreads: threads,
        maxThreads: threads,
        idleTimeout: 60_000,
      });
      const progress = new Progress(total, 0, opts.progress ?? 'none');
      try {
        await Promise.all(
          tasks.map(async ({ job, offset, task }) => {
            let runs: ProfileRun[];
            try {
              runs = (await pool.run(task)) as ProfileRun[];
            } catch (e) {
              const msg = `worker crashed: ${e instanceof Error ? e.message : String(e)}`;
              runs = task.seeds.map(() => ({ error: msg }));
            }
            runs.forEach((r, k) => {
              results[job][offset + k] = r;
            });
            progress.add(runs.length, runs.filter((r) => 'error' in r).length);
          }),
        );
      } finally {
        await pool.destroy();
        progress.finish();
      }
      return results;
    },
  };
}

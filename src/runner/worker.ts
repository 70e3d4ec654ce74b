/**
 * The piscina worker. It is handed the main thread's resolved batch (its plan and every point's config) in
 * `workerData`, never the experiment to resolve again (a TS experiment whose seed or sweep is computed when
 * it loads would resolve differently in each thread). It loads the experiment's modules only for what
 * they register (strategies, price models), checks that the plan's hash holds for the files it sees (an
 * experiment, module or price file edited since the batch started is refused), runs a chunk of
 * consecutive runs and moves back one packed buffer.
 */
import { statSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { move } from 'piscina';
import '../builtins.js';
import { freezeConfig } from '../config/freeze.js';
import { loadConfigModules } from '../config/modules.js';
import type { SimConfig } from '../config/schema.js';
import { gameRoles, rolePayoff, seedPoint } from '../experiment/game.js';
import { loadExperimentFile } from '../experiment/resolve.js';
import { deriveRunSeed } from '../rng.js';
import { simulateParsed } from '../simulate.js';
import { packageVersion } from '../version.js';
import { ChunkCollector } from './pack.js';
import {
  changedInputs,
  codeDigest,
  digestFiles,
  inputFiles,
  ownColumns,
  type Plan,
  planHash,
} from './plan.js';

/** What a batch's workers are given once (in `workerData.batch`). */
export interface WorkerBatch {
  plan: Plan;
  /** The resolved config of each point. */
  configs: SimConfig[];
  /** The experiment file's folder (relative paths in its configs resolve against it). */
  baseDir: string;
  /** The plug-in modules its base config lists. */
  strategies: string[];
}

/**
 * One task: runs `start .. start+count-1` (global run indices, point-major). `watch`, when given, is shared
 * memory the worker writes before each run (`[0]` its run index, `[1]` `Date.now()` at its start), so that
 * the main thread can stop a run past its time limit.
 */
export interface ChunkTask {
  start: number;
  count: number;
  watch?: SharedArrayBuffer;
}

/** Prefix of the error a worker throws when the plan does not hold for what it sees (never retried). */
export const PLAN_MISMATCH = 'plan mismatch:';

let ready: Promise<WorkerBatch> | undefined;

async function prepare(batch: WorkerBatch): Promise<WorkerBatch> {
  const { plan } = batch;
  // what the experiment and its modules register (strategies, price models) must exist in this thread too
  if (!plan.file.endsWith('.json')) await loadExperimentFile(plan.file);
  await loadConfigModules({ strategies: batch.strategies }, batch.baseDir, 'base.');
  const named = inputFiles({
    file: plan.file,
    baseDir: batch.baseDir,
    strategies: batch.strategies,
    configs: batch.configs,
  });
  const inputs = digestFiles(named);
  const changed = changedInputs(plan.inputs, inputs);
  if (changed.length > 0)
    throw new Error(
      `${PLAN_MISMATCH} ${changed.join(', ')} changed since the batch started (its contents differ from the plan's)`,
    );
  if (codeDigest() !== plan.code)
    throw new Error(`${PLAN_MISMATCH} the package's code changed since the batch started (a rebuild?)`);
  if (planHash({ ...plan, inputs, version: packageVersion(), code: codeDigest() }) !== plan.hash)
    throw new Error(`${PLAN_MISMATCH} the plan this worker was sent does not match its hash`);
  files = [...named];
  stamps = files.map(([, f]) => stamp(f));
  return batch;
}

/** A file's size and modification time (or `missing`): what a cheap check before each task compares. */
function stamp(f: string): string {
  try {
    const st = statSync(f);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
let files: [string, string][] = [];
let stamps: string[] = [];

/** Throws when an input file changed since the worker checked its contents (size or modification time). */
function checkStamps(): void {
  const changed = files.filter(([, f], i) => stamp(f) !== stamps[i]).map(([k]) => k);
  if (changed.length > 0)
    throw new Error(`${PLAN_MISMATCH} ${changed.join(', ')} changed while the batch ran`);
}

/** Runs one chunk of the batch in `workerData.batch`. */
export async function runChunkPacked(task: ChunkTask, batch: WorkerBatch): Promise<Uint8Array> {
  const { plan, configs, baseDir } = batch;
  // the thread's runs share these configs: frozen, a plug-in's write fails its run instead of the next ones
  for (const c of configs) freezeConfig(c);
  // a game batch's runs add their roles' payoffs per agent; its profiles share their mechanism point's seeds
  const roles = gameRoles(plan.game);
  // then each payer's own who-paid column and each stage's own metric (0 where the point's config does not
  // list its stage)
  const own = ownColumns(plan);
  const out = new ChunkCollector(task.start, own.length + roles.length);
  const { series, events, seriesRuns } = plan.record;
  const watch = task.watch ? new Float64Array(task.watch) : undefined;
  for (let g = task.start; g < task.start + task.count; g++) {
    const point = Math.floor(g / plan.runs);
    const run = g % plan.runs;
    const seed = deriveRunSeed(plan.seed, seedPoint(plan.game, point), run, plan.crn);
    if (watch) {
      watch[0] = g;
      watch[1] = Date.now();
    }
    try {
      const sampled = seriesRuns === 0 || run < seriesRuns;
      // configs were validated when the experiment was resolved
      const r = simulateParsed(configs[point], {
        seed,
        series: sampled ? series : 0,
        events,
        baseDir,
      });
      const extra = [
        ...own.map((c) => r.metrics[c] ?? 0),
        ...roles.map((role) => rolePayoff(r.groups, role)),
      ];
      out.add({ seed, metrics: r.metrics, extra, series: r.series, events: r.events });
    } catch (e) {
      out.add({ seed, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out.pack();
}

export default async function runChunk(task: ChunkTask): Promise<unknown> {
  ready ??= prepare((workerData as { batch: WorkerBatch }).batch);
  const batch = await ready;
  checkStamps();
  return move(await runChunkPacked(task, batch));
}

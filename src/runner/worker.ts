/**
 * The piscina worker: loads the experiment file itself (so strategies and price models it registers exist
 * in this thread too), runs a chunk of consecutive runs and moves back one packed buffer.
 */
import { move } from 'piscina';
import '../index.js';
import { gameRoles, rolePayoff, seedPoint } from '../experiment/game.js';
import { type ExperimentSpec, type ResolvedExperiment, resolveExperiment } from '../experiment/resolve.js';
import { deriveRunSeed } from '../rng.js';
import { simulateParsed } from '../simulate.js';
import { ChunkCollector } from './pack.js';

/** One task: runs `start .. start+count-1` (global run indices, point-major) of the experiment. */
export interface ChunkTask {
  spec: ExperimentSpec;
  start: number;
  count: number;
}

const experiments = new Map<string, Promise<ResolvedExperiment>>();

/** Runs one chunk; also usable in-process (the runner's fallback for a run that crashes its worker). */
export async function runChunkPacked(task: ChunkTask): Promise<Uint8Array> {
  const key = JSON.stringify(task.spec);
  let p = experiments.get(key);
  if (!p) {
    p = resolveExperiment(task.spec);
    experiments.set(key, p);
  }
  const exp = await p;
  // a game batch's runs add their roles' payoffs per agent; its profiles share their mechanism point's seeds
  const roles = gameRoles(exp.gameBatch);
  const out = new ChunkCollector(task.start, roles.length);
  const { series, events, seriesRuns } = exp.record;
  for (let g = task.start; g < task.start + task.count; g++) {
    const point = Math.floor(g / exp.runs);
    const run = g % exp.runs;
    const seed = deriveRunSeed(exp.seed, seedPoint(exp.gameBatch, point), run, exp.crn);
    try {
      const sampled = seriesRuns === 0 || run < seriesRuns;
      // configs were validated when the experiment was resolved
      const r = simulateParsed(exp.configs[point], {
        seed,
        series: sampled ? series : 0,
        events,
        baseDir: exp.baseDir,
      });
      const extra = roles.map((role) => rolePayoff(r.groups, role));
      out.add({ seed, metrics: r.metrics, extra, series: r.series, events: r.events });
    } catch (e) {
      out.add({ seed, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out.pack();
}

export default async function runChunk(task: ChunkTask): Promise<unknown> {
  return move(await runChunkPacked(task));
}

/**
 * Runs an experiment's preset in-process for the direction tests of `experiments/*.ts`: the resolved sweep
 * points (or a chosen subset), `runs` runs each, seeds derived as the runner derives them (common random
 * numbers: run i has the same seed at every point), so two points can be compared run by run.
 */
import { resolve } from 'node:path';
import { lossOf } from '../scripts/docs/loss.js';
import {
  deriveRunSeed,
  pairedDifference,
  type RunMetrics,
  resolveExperiment,
  type SimConfig,
  type SimulateResult,
  simulate,
} from '../src/index.js';

/** The metrics of every run of one sweep point, in run order. */
export interface PointRuns {
  point: Record<string, unknown>;
  runs: RunMetrics[];
  /** Per run, the logged events (when the experiment records them). */
  events: NonNullable<SimulateResult['events']>[];
  /** The resolved config of the point. */
  config: SimConfig;
}

/** Runs `experiments/<name>.ts` at `preset`: every point for which `keep` is true, `runs` runs each. */
export async function runPreset(
  name: string,
  opts: { preset?: string; runs?: number; keep?: (point: Record<string, unknown>) => boolean } = {},
): Promise<PointRuns[]> {
  const file = resolve(import.meta.dirname, '../experiments', `${name}.ts`);
  const e = await resolveExperiment({ file, overrides: { preset: opts.preset ?? 'small' } });
  const runs = opts.runs ?? e.runs;
  const out: PointRuns[] = [];
  e.points.forEach((point, p) => {
    if (opts.keep && !opts.keep(point)) return;
    const metrics: RunMetrics[] = [];
    const events: PointRuns['events'] = [];
    for (let r = 0; r < runs; r++) {
      const seed = deriveRunSeed(e.seed, p, r, e.crn);
      const res = simulate(e.configs[p], { seed, baseDir: e.baseDir, events: e.record.events });
      metrics.push(res.metrics);
      if (res.events) events.push(res.events);
    }
    out.push({ point, runs: metrics, events, config: e.configs[p] });
  });
  return out;
}

/**
 * Paired difference f(a) − f(b) over runs matched by run index (common random numbers): its mean, standard
 * error, and the 95% t-interval [low, high] = mean ∓ t(0.975, n − 1)·se. A direction holds when the whole
 * interval is on one side of zero.
 */
export function paired(a: PointRuns, b: PointRuns, f: (m: RunMetrics) => number) {
  return pairedValues(a.runs.map(f), b.runs.map(f));
}

/** {@link paired} over per-run values already computed (element i of both lists is run i). */
export function pairedValues(a: number[], b: number[]) {
  const keys = a.map((_, i) => i);
  const d = pairedDifference(
    a,
    keys,
    b,
    b.map((_, i) => i),
  );
  return { mean: d.estimate, se: d.se, low: d.low, high: d.high, n: d.pairs };
}

/**
 * Deficit of a run: its loss, shortfall no backstop absorbed plus losses still open at the end (USD), from
 * the one loss helper the docs use (`socialized_loss + unpaid + open_deficit`).
 */
export const deficit: (m: RunMetrics) => number = lossOf;

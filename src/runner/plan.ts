/**
 * The plan of a batch: everything that determines its results (resolved base config, sweep points, runs,
 * seeds, what is recorded, the chunking), hashed. Written as `.parts/plan.json` next to the parts, so that
 * `--resume` and `merge` only ever combine parts of the same plan, and `merge` needs no experiment file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimConfig } from '../config/schema.js';
import type { GamePlan } from '../experiment/game.js';
import type { FieldType, ResolvedExperiment } from '../experiment/resolve.js';
import type { SweepPoint } from '../experiment/sweep.js';

/** A batch's plan. */
export interface Plan {
  format: 1;
  /** sha256 of the fields that determine the results. */
  hash: string;
  name: string;
  description: string;
  file: string;
  preset: string | null;
  base: SimConfig;
  sweep: { kind: string; fields: string[]; fieldTypes: FieldType[]; points: SweepPoint[] };
  runs: number;
  seed: number;
  crn: boolean;
  record: { series: number; events: boolean; seriesRuns: number };
  totalRuns: number;
  chunkRuns: number;
  chunks: number;
  version: string;
  /**
   * A game batch (`backstop-sim game`): its roles and candidates, profiles per mechanism point, the
   * mechanism's fields, the confidence level; absent for `run`. Its points are (mechanism point × profile)
   * pairs, and a run's seed comes from its mechanism point (`seedPoint`).
   */
  game?: GamePlan;
}

/**
 * Runs per chunk: enough that a task carries real work (pool overhead per task is tens of microseconds
 * against milliseconds per run), few enough that a batch has a few hundred tasks to balance and that a
 * resume loses little. Depends on the plan only, never on the worker count or the shard.
 */
export function chunkRunsFor(totalRuns: number): number {
  return Math.max(1, Math.min(100, Math.ceil(totalRuns / 256)));
}

/** Builds the plan of a resolved experiment. */
export function buildPlan(e: ResolvedExperiment, version: string): Plan {
  const totalRuns = e.runs * e.points.length;
  const chunkRuns = chunkRunsFor(totalRuns);
  const determining = {
    name: e.name,
    base: e.configs.length === 1 ? e.configs[0] : e.base,
    sweep: { kind: e.sweepKind, fields: e.fields, fieldTypes: e.fieldTypes, points: e.points },
    runs: e.runs,
    seed: e.seed,
    crn: e.crn,
    record: e.record,
    chunkRuns,
    // only a game batch has it, so the hash of a `run` plan is what it always was
    ...(e.gameBatch ? { game: e.gameBatch } : {}),
  };
  const hash = createHash('sha256').update(JSON.stringify(determining)).digest('hex');
  return {
    format: 1,
    hash,
    name: e.name,
    description: e.description,
    file: e.file,
    preset: e.preset,
    base: determining.base,
    sweep: determining.sweep,
    runs: e.runs,
    seed: e.seed,
    crn: e.crn,
    record: e.record,
    totalRuns,
    chunkRuns,
    chunks: Math.ceil(totalRuns / chunkRuns),
    version,
    ...(e.gameBatch ? { game: e.gameBatch } : {}),
  };
}

/** The chunk indices of shard `index` of `count` (round-robin, so every shard gets every sweep point). */
export function shardChunks(plan: Plan, shard: { index: number; count: number } | null): number[] {
  const out: number[] = [];
  for (let c = 0; c < plan.chunks; c++) if (!shard || c % shard.count === shard.index) out.push(c);
  return out;
}

/** First run and run count of chunk `c`. */
export function chunkRange(plan: Plan, c: number): { start: number; count: number } {
  const start = c * plan.chunkRuns;
  return { start, count: Math.min(plan.chunkRuns, plan.totalRuns - start) };
}

/** Reads `<dir>/plan.json`, or undefined. */
export function readPlan(dir: string): Plan | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as Plan;
  } catch {
    return undefined;
  }
}

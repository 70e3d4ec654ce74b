/**
 * The plan of a batch: everything that determines its results (resolved base config, sweep points, runs,
 * seeds, what is recorded, the chunking, the package version and the contents of every file the experiment
 * names: the experiment file itself, its plug-in modules, the price files its models read), hashed. Written as `.parts/plan.json` next to the parts, so that
 * `--resume` and `merge` only ever combine parts of the same plan, and `merge` needs no experiment file.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { SimConfig } from '../config/schema.js';
import type { GamePlan } from '../experiment/game.js';
import type { FieldType, ResolvedExperiment } from '../experiment/resolve.js';
import type { SweepPoint } from '../experiment/sweep.js';
import { getPriceModel } from '../market/price/registry.js';

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
   * sha256 of each file the results depend on, by what names it (`experiment <file name>`, `base.strategies
   * <path>`, `market.index <path>`): a changed file is a different plan.
   */
  inputs: Record<string, string>;
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

/** What names the input files of a batch: its experiment file, folder, plug-in modules and configs. */
export interface InputSources {
  file: string;
  baseDir: string;
  strategies: readonly string[];
  configs: readonly SimConfig[];
}

/** The plug-in module paths a config as written lists in `strategies`. */
export function strategyPaths(baseInput: Record<string, unknown>): string[] {
  const s = baseInput.strategies;
  return Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * sha256 of every file the results depend on (see {@link Plan.inputs}): keys name the file as the experiment
 * does, so that a moved directory keeps its plan.
 */
export function inputDigests(src: InputSources): Record<string, string> {
  const files = new Map<string, string>();
  files.set(`experiment ${basename(src.file)}`, src.file);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(src.baseDir, p));
  for (const p of src.strategies) files.set(`base.strategies ${p}`, abs(p));
  for (const c of src.configs) {
    const idx = c.market.index as { model: string } & Record<string, unknown>;
    const named = getPriceModel(idx.model)?.files?.(idx as never) ?? [];
    for (const f of named) files.set(`market.index ${f}`, abs(f));
  }
  const out: Record<string, string> = {};
  for (const [k, f] of files) out[k] = createHash('sha256').update(readFileSync(f)).digest('hex');
  return out;
}

/** The fields of a plan that determine its results. */
type Determining = Pick<
  Plan,
  'name' | 'base' | 'sweep' | 'runs' | 'seed' | 'crn' | 'record' | 'chunkRuns' | 'game' | 'version' | 'inputs'
>;

/** The hash of a plan's determining fields (recomputed by each worker from what it was sent). */
export function planHash(p: Determining): string {
  const d = {
    name: p.name,
    base: p.base,
    sweep: p.sweep,
    runs: p.runs,
    seed: p.seed,
    crn: p.crn,
    record: p.record,
    chunkRuns: p.chunkRuns,
    ...(p.game ? { game: p.game } : {}),
    version: p.version,
    inputs: p.inputs,
  };
  return createHash('sha256').update(JSON.stringify(d)).digest('hex');
}

/** Builds the plan of a resolved experiment (reading the files it names, for their digests). */
export function buildPlan(e: ResolvedExperiment, version: string): Plan {
  const totalRuns = e.runs * e.points.length;
  const chunkRuns = chunkRunsFor(totalRuns);
  const base = e.configs.length === 1 ? e.configs[0] : e.base;
  const sweep = { kind: e.sweepKind, fields: e.fields, fieldTypes: e.fieldTypes, points: e.points };
  const inputs = inputDigests({
    file: e.file,
    baseDir: e.baseDir,
    strategies: strategyPaths(e.baseInput),
    configs: e.configs,
  });
  const d: Determining = {
    name: e.name,
    base,
    sweep,
    runs: e.runs,
    seed: e.seed,
    crn: e.crn,
    record: e.record,
    chunkRuns,
    ...(e.gameBatch ? { game: e.gameBatch } : {}),
    version,
    inputs,
  };
  return {
    format: 1,
    hash: planHash(d),
    name: e.name,
    description: e.description,
    file: e.file,
    preset: e.preset,
    base,
    sweep,
    runs: e.runs,
    seed: e.seed,
    crn: e.crn,
    record: e.record,
    totalRuns,
    chunkRuns,
    chunks: Math.ceil(totalRuns / chunkRuns),
    version,
    inputs,
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

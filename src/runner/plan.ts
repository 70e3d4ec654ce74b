/**
 * The plan of a batch: everything that determines its results (resolved base config, sweep points, runs,
 * seeds, what is recorded, the chunking, the package version and the contents of every file the experiment
 * names: the experiment file itself, its plug-in modules, the price files its models read), hashed. Written as `.parts/plan.json` next to the parts, so that
 * `--resume` and `merge` only ever combine parts of the same plan, and `merge` needs no experiment file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { SimConfig } from '../config/schema.js';
import { type GamePlan, gameRoles } from '../experiment/game.js';
import { payoffColumn } from '../experiment/game-columns.js';
import type { FieldType, ResolvedExperiment } from '../experiment/resolve.js';
import type { SweepPoint } from '../experiment/sweep.js';
import { getPriceModel } from '../market/price/registry.js';
import type { MetricColumn } from '../metrics.js';
import { listDir, readRegularFile } from '../safe-fs.js';
import { packageRoot } from '../version.js';
import type { PayerColumn } from '../waterfall/payers.js';
import { batchColumns } from '../waterfall/stage.js';

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
  /** sha256 of the package's compiled code ({@link codeDigest}). */
  code: string;
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
  /**
   * The who-paid columns of their own (`StageDef.pays`) of the stages some point lists, in order of first
   * appearance: `runs.arrow` holds them after the fixed metrics (0 in a run whose config does not list the
   * stage). Absent when there are none.
   */
  payers?: Required<PayerColumn>[];
  /**
   * The metric columns of their own (`StageDef.metrics`) of the stages some point lists, in order of first
   * appearance: `runs.arrow` holds them after the payers' own columns (0 in a run whose config does not list
   * the stage). Absent when there are none.
   */
  metrics?: MetricColumn[];
}

/**
 * Names of the values each run of a plan carries after the fixed metrics, in column order: its payers' own
 * columns, its stages' own metric columns, then a game batch's payoff per role.
 */
export function extraColumns(plan: Pick<Plan, 'payers' | 'metrics' | 'game'>): string[] {
  return [...ownColumns(plan), ...gameRoles(plan.game).map(payoffColumn)];
}

/** The columns of their own a plan's stages add after the fixed metrics: who paid, then metrics. */
export function ownColumns(plan: Pick<Plan, 'payers' | 'metrics'>): string[] {
  return [...(plan.payers ?? []).map((c) => c.column), ...(plan.metrics ?? []).map((c) => c.column)];
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
  return digestFiles(inputFiles(src));
}

/** sha256 of each file of {@link inputFiles}, by key. */
export function digestFiles(files: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, f] of files) out[k] = createHash('sha256').update(readFileSync(f)).digest('hex');
  return out;
}

/** Relative import specifiers in a module's source (static and dynamic imports, re-exports, require). */
const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const SOURCE_EXT = /\.(?:[cm]?[jt]s|tsx?)$/;

/** The file a relative import `spec` from `from` loads, when it can be found (TypeScript's `.js` → `.ts` too). */
function resolveImport(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  const tries = [base];
  if (/\.[cm]?js$/.test(base)) tries.push(base.replace(/js$/, 'ts'));
  for (const e of ['.ts', '.mts', '.js', '.mjs', '.cts', '.cjs', '.json', '/index.ts', '/index.js'])
    tries.push(base + e);
  return tries.find((f) => existsSync(f) && statSync(f).isFile());
}

/**
 * The local files the modules `roots` import, directly or through each other (relative specifiers only, and
 * none of backstop-sim's own: packages are the installation's, recorded by their version): a plug-in's helper file changed between an
 * interrupted batch and its `--resume` changes the plan, so the two never mix in one runs.arrow.
 */
export function localImports(roots: readonly string[]): string[] {
  const seen = new Set(roots);
  const pkg = packageRoot() + sep;
  const out: string[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (!SOURCE_EXT.test(f)) continue;
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(IMPORT_RE)) {
      const g = resolveImport(f, m[1]);
      // the package's own files are its version's (recorded in the manifest)
      if (g === undefined || seen.has(g) || g.startsWith(pkg)) continue;
      seen.add(g);
      out.push(g);
      stack.push(g);
    }
  }
  return out.sort();
}

/** The files of {@link inputDigests}, by key, as absolute paths. */
export function inputFiles(src: InputSources): Map<string, string> {
  const files = new Map<string, string>();
  files.set(`experiment ${basename(src.file)}`, src.file);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(src.baseDir, p));
  for (const p of src.strategies) files.set(`base.strategies ${p}`, abs(p));
  // what the experiment and its modules import from their own folders (keyed relative to the experiment's)
  for (const f of localImports([src.file, ...src.strategies.map(abs)]))
    files.set(`import ${relative(src.baseDir, f)}`, f);
  for (const c of src.configs) {
    const idx = c.market.index as { model: string } & Record<string, unknown>;
    const named = getPriceModel(idx.model)?.files?.(idx as never) ?? [];
    for (const f of named) files.set(`market.index ${f}`, abs(f));
  }
  return files;
}

/** The keys of `a` and `b` whose digests differ (a file changed, or one named in only one of them). */
export function changedInputs(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]);
}

let code: string | undefined;
/**
 * sha256 of this package's compiled code (every `.js` file of `dist/src` and `dist/agents`, by path): a
 * rebuilt checkout with other code but the same version is another plan. Empty when there is no dist/.
 */
export function codeDigest(): string {
  if (code !== undefined) return code;
  const h = createHash('sha256');
  const root = packageRoot();
  const walk = (dir: string, rel: string) => {
    for (const n of listDir(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else if (n.endsWith('.js')) h.update(`${rel}${n}\0`).update(readFileSync(p)).update('\0');
    }
  };
  const found = ['src', 'agents'].filter((d) => existsSync(join(root, 'dist', d)));
  for (const d of found) walk(join(root, 'dist', d), `${d}/`);
  code = found.length > 0 ? h.digest('hex') : '';
  return code;
}

/** The fields of a plan that determine its results. */
type Determining = Pick<
  Plan,
  | 'name'
  | 'base'
  | 'sweep'
  | 'runs'
  | 'seed'
  | 'crn'
  | 'record'
  | 'chunkRuns'
  | 'game'
  | 'version'
  | 'code'
  | 'inputs'
  | 'payers'
  | 'metrics'
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
    ...(p.payers ? { payers: p.payers } : {}),
    ...(p.metrics ? { metrics: p.metrics } : {}),
    version: p.version,
    code: p.code,
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
  const { payers, metrics } = batchColumns(e.configs);
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
    ...(payers.length > 0 ? { payers } : {}),
    ...(metrics.length > 0 ? { metrics } : {}),
    version,
    code: codeDigest(),
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
    code: d.code,
    inputs,
    ...(e.gameBatch ? { game: e.gameBatch } : {}),
    ...(payers.length > 0 ? { payers } : {}),
    ...(metrics.length > 0 ? { metrics } : {}),
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

/**
 * Reads `<dir>/plan.json`; undefined when it is missing, not a regular file, not JSON or not a plan (a
 * damaged or edited file: its parts are then of a plan that cannot be told).
 */
export function readPlan(dir: string): Plan | undefined {
  let p: Partial<Plan>;
  try {
    p = JSON.parse(readRegularFile(join(dir, 'plan.json'))?.toString('utf8') ?? '') as Partial<Plan>;
  } catch {
    return undefined;
  }
  const int = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  const ok =
    p !== null &&
    typeof p === 'object' &&
    !Array.isArray(p) &&
    typeof p.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(p.hash) &&
    typeof p.name === 'string' &&
    Array.isArray(p.sweep?.points) &&
    int(p.runs) &&
    int(p.seed) &&
    int(p.totalRuns) &&
    int(p.chunks) &&
    int(p.chunkRuns) &&
    (p.chunkRuns as number) > 0 &&
    p.totalRuns === (p.runs as number) * p.sweep.points.length &&
    p.chunks === Math.ceil((p.totalRuns as number) / (p.chunkRuns as number)) &&
    typeof p.record === 'object' &&
    p.record !== null &&
    typeof p.inputs === 'object' &&
    p.inputs !== null &&
    (p.payers === undefined ||
      (Array.isArray(p.payers) &&
        p.payers.every(
          (c) =>
            c !== null &&
            typeof c === 'object' &&
            typeof c.column === 'string' &&
            /^[a-z][a-z0-9_]*$/.test(c.column) &&
            typeof c.label === 'string' &&
            typeof c.description === 'string',
        ))) &&
    (p.metrics === undefined ||
      (Array.isArray(p.metrics) &&
        p.metrics.every(
          (c) =>
            c !== null &&
            typeof c === 'object' &&
            typeof c.column === 'string' &&
            /^[a-z][a-z0-9_]*$/.test(c.column) &&
            typeof c.description === 'string' &&
            (c.min === undefined || typeof c.min === 'number') &&
            (c.max === undefined || typeof c.max === 'number'),
        )));
  return ok ? (p as Plan) : undefined;
}

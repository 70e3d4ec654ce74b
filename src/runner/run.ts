/**
 * The batch runner: a piscina pool runs chunks of runs; each finished chunk becomes a durable part file;
 * when every chunk of the batch (or of its shard) has a part, the result files are assembled from the parts
 * in run order. Resume re-runs only chunks without a valid part; merge assembles parts from several shard
 * directories. Results never depend on the worker count, the shard split or the completion order.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { RecordBatchReader } from 'apache-arrow';
import { Piscina } from 'piscina';
import { BackstopInputError } from '../errors.js';
import { listDir, notADirectory, readRegularFile, removeLeftovers, writeFileAtomic } from '../safe-fs.js';
import { packageVersion } from '../version.js';

export { packageVersion };

import { seedPoint } from '../experiment/game.js';
import {
  type ExperimentSpec,
  packageRoot,
  type ResolvedExperiment,
  resolveExperiment,
} from '../experiment/resolve.js';
import { METRIC_NAMES, type RunMetrics, SERIES } from '../metrics.js';
import { deriveRunSeed } from '../rng.js';
import { assemble, type RunCounts } from './assemble.js';
import { type DirLock, lockDir } from './lock.js';
import { envWorkerHeapMb, workerHeapMb } from './memory.js';
import { ChunkCollector, chunkHeader, type RunResult, unpackChunk } from './pack.js';
import { injectedFault, listParts, partName, partsDir, readPart, writePart } from './parts.js';
import {
  buildPlan,
  changedInputs,
  chunkRange,
  extraColumns,
  inputDigests,
  ownColumns,
  type Plan,
  readPlan,
  shardChunks,
  strategyPaths,
} from './plan.js';
import { poolEntry } from './pool-entry.js';
import { Progress, type ProgressMode } from './progress.js';
import { type ChunkTask, PLAN_MISMATCH, type WorkerBatch } from './worker.js';

/** A shard of a batch: `index` of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Options of {@link runBatch}. */
export interface BatchOptions {
  /** Output directory (default `results/<experiment name>`). */
  out?: string;
  /** Worker threads (default: one per core). */
  workers?: number;
  /** Run only this shard's share of the runs. */
  shard?: Shard | null;
  /** Keep valid parts of an interrupted batch in `out` and run only the missing runs. */
  resume?: boolean;
  /** Stop at the first failed run. */
  failFast?: boolean;
  /** Progress display (default: none). */
  progress?: ProgressMode;
  /** Where notes go (default: stderr). */
  log?: (line: string) => void;
  /** An already resolved experiment (skips resolving `spec` again in the main thread). */
  resolved?: ResolvedExperiment;
  /**
   * Stops the batch when aborted (the CLI aborts it on SIGINT/SIGTERM): no new runs are started, the runs
   * in flight finish and are written as parts, and the batch returns `interrupted` without result files,
   * resumable with `resume`.
   */
  signal?: AbortSignal;
  /**
   * Heap limit of each worker thread (MB): a runaway run is killed at it (and recorded as failed) instead
   * of taking the machine. Default: `BACKSTOP_WORKER_MEMORY_MB`, else 3/4 of the memory limit (the cgroup's,
   * i.e. Slurm `--mem` or the pod's limit, else the machine's) shared among the workers, at least 256
   * ({@link workerHeapMb}).
   */
  workerMemoryMb?: number;
  /** Replace the results (or the unfinished parts) of another plan in `out` (default: refuse, exit 2). */
  force?: boolean;
  /**
   * Wall-clock limit of one run, in seconds: a run past it is stopped (its worker replaced) and recorded as
   * failed ("timed out"), and the batch carries on. `auto` (the default): ten times the median run time
   * once eight runs have finished, at least 60 s; 600 s until then.
   */
  runTimeout?: number | 'auto';
  /**
   * Called with the result of a completed batch (not a stopped or interrupted one) while the output
   * directory is still locked: for files written next to the results (a game's equilibria).
   */
  onComplete?: (r: BatchResult) => void;
}

/** The output directory cannot be written (a full disk, a read-only mount): what was there is kept. */
export class OutputWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputWriteError';
  }
}

/** What a batch did. */
export interface BatchResult extends RunCounts {
  out: string;
  plan: Plan;
  /** Runs run now (the rest came from parts of an earlier, interrupted attempt). */
  ranRuns: number;
  /** Runs of this batch (its shard's share when sharded). */
  totalRuns: number;
  seconds: number;
  /**
   * Main-thread seconds spent writing results: part files during the batch, then assembling the Arrow
   * files and the manifest. Its share of `seconds` is the cost of writing results.
   */
  writeSeconds: number;
  /** True when `failFast` stopped the batch: no result files were written. */
  stopped: boolean;
  /** True when `signal` stopped the batch: finished runs are kept as parts; resume to complete it. */
  interrupted?: boolean;
}

/** What a manifest says of its batch (the fields the ownership check and resume read). */
interface ManifestHead {
  planHash?: string;
  experiment?: string;
  preset?: string | null;
  masterSeed?: number;
  runsPerPoint?: number;
  points?: number;
  totalRuns?: number;
  shard?: unknown;
  startedAt?: string;
  endedAt?: string;
  game?: unknown;
  version?: string;
  code?: string;
  inputs?: Record<string, string>;
  files?: string[];
  complete?: boolean;
  ok?: number;
  failed?: number;
  failures?: RunCounts['failures'];
}

function readManifestHead(out: string): ManifestHead | undefined {
  try {
    const m = JSON.parse(readRegularFile(join(out, 'manifest.json'))?.toString('utf8') ?? '');
    return m && typeof m === 'object' ? (m as ManifestHead) : undefined;
  } catch {
    return undefined;
  }
}

/** How another batch differs from `plan` (shard included), as `seed 11, not 7; …`. */
function differences(
  o: {
    name?: string;
    preset?: string | null;
    seed?: number;
    runs?: number;
    points?: number;
    game?: unknown;
    shard?: unknown;
    version?: string;
    code?: string;
    inputs?: Record<string, string>;
  },
  plan: Plan,
  shard: Shard | null,
): string {
  const d: string[] = [];
  if (o.version !== undefined && o.version !== plan.version)
    d.push(`written by backstop-sim ${o.version}, not ${plan.version}`);
  else if (o.code !== undefined && o.code !== plan.code)
    d.push('written by other code of backstop-sim (a rebuild)');
  if (o.inputs && typeof o.inputs === 'object') {
    const changed = changedInputs(o.inputs, plan.inputs);
    if (changed.length > 0) d.push(`changed since: ${changed.join(', ')}`);
  }
  const kind = (g: unknown) => (g ? 'game' : 'run');
  if (kind(o.game) !== kind(plan.game)) d.push(`written by ${kind(o.game)}, not ${kind(plan.game)}`);
  if (o.name !== undefined && o.name !== plan.name) d.push(`experiment ${o.name}, not ${plan.name}`);
  if (o.preset !== undefined && (o.preset ?? null) !== plan.preset)
    d.push(`preset ${o.preset ?? '(none)'}, not ${plan.preset ?? '(none)'}`);
  if (o.seed !== undefined && o.seed !== plan.seed) d.push(`seed ${o.seed}, not ${plan.seed}`);
  if (o.runs !== undefined && o.runs !== plan.runs) d.push(`${o.runs} runs per point, not ${plan.runs}`);
  if (o.points !== undefined && o.points !== plan.sweep.points.length)
    d.push(`${o.points} points, not ${plan.sweep.points.length}`);
  if (o.shard !== undefined && JSON.stringify(o.shard ?? null) !== JSON.stringify(shard))
    d.push(
      `shard ${o.shard ? JSON.stringify(o.shard) : '(whole batch)'}, not ${shard ? JSON.stringify(shard) : '(whole batch)'}`,
    );
  return d.length ? d.join('; ') : 'the config or its overrides differ';
}

/**
 * The files of a results directory that backstop-sim writes: the result and game files, their exports,
 * the manifest, and the report's page and figures (`report/index.html`, `report/figures/*.svg|png`).
 * Files of other names there (a user's notes, an analysis written with `analyze --out`, drafts in
 * `report/`) are not backstop-sim's to remove.
 */
function ownedFiles(out: string): string[] {
  const bases = ['runs', 'series', 'events', 'game'];
  const files = [
    ...bases.flatMap((b) => [`${b}.arrow`, `${b}.parquet`, `${b}.csv`]),
    'equilibria.json',
    'manifest.json',
  ];
  const found = files.filter((f) => existsSync(join(out, f)));
  const index = readRegularFile(join(out, 'report', 'index.html'));
  if (index) {
    found.push('report/index.html');
    // only the figures the report links (a user's own plots in report/figures/ stay)
    const linked = new Set(
      [...index.toString('utf8').matchAll(/href="figures\/([A-Za-z0-9._-]+\.(?:svg|png))"/g)].map(
        (m) => m[1],
      ),
    );
    for (const f of listDir(join(out, 'report', 'figures')))
      if (linked.has(f) && !f.startsWith('.')) found.push(`report/figures/${f}`);
  }
  return found;
}

/** Removes the files {@link ownedFiles} found (never following a link), then `report/` if left empty. */
function removeOwned(out: string): void {
  for (const f of ownedFiles(out))
    try {
      rmSync(join(out, f), { force: true });
    } catch {}
  for (const d of ['report/figures', 'report'])
    try {
      rmdirSync(join(out, d));
    } catch {}
}

/**
 * Refuses, unless `force`, to write into a directory that holds the results or the parts of a different
 * batch: another plan (another experiment, preset, override, seed, run count; `run` against `game`), or
 * another shard of it. They would be replaced or mixed. The same plan's own results may be rewritten (they
 * come out identical). With `force` the other batch's files are removed first, so that none of them
 * (a game's equilibria, an old events.arrow, stale exports or report) is taken for the new batch's.
 * @throws BackstopInputError naming the directory, what it holds and how it differs
 */
export function checkOwnResults(
  out: string,
  plan: Plan,
  shard: Shard | null,
  force: boolean | undefined,
  flag = '--out',
): void {
  const refuse = (what: string, how: string) => {
    throw new BackstopInputError(
      [
        {
          path: `${flag} ${out}`,
          message: `holds ${what} (${how}); give another ${flag}, or --force to replace them`,
        },
      ],
      'invalid option',
    );
  };
  const pdir = partsDir(out);
  const parts = readPlan(pdir);
  const m = readManifestHead(out);
  let foreign: string | null = null;
  let how = '';
  if (parts && parts.hash !== plan.hash) {
    foreign = `the parts of another plan (experiment ${parts.name}, ${parts.totalRuns} runs)`;
    how = differences(
      {
        name: parts.name,
        preset: parts.preset,
        seed: parts.seed,
        runs: parts.runs,
        points: parts.sweep.points.length,
        game: parts.game,
        version: parts.version,
        code: parts.code,
        inputs: parts.inputs,
      },
      plan,
      shard,
    );
  } else if (parts) {
    // the same plan's parts: another shard's chunks are not this batch's to drop or mix
    const mine = new Set(shardChunks(plan, shard));
    const theirs = listParts(pdir).filter((c) => !mine.has(c));
    if (theirs.length > 0) {
      foreign = `${theirs.length} finished chunk(s) of another shard of this plan (chunk ${theirs[0]})`;
      how = shard ? `this is shard ${shard.index}/${shard.count}` : 'this is the whole batch, not a shard';
    }
  }
  if (!foreign && !parts && listParts(pdir).length > 0) {
    foreign = `${listParts(pdir).length} part file(s) without a readable .parts/plan.json`;
    how = 'whose plan cannot be told';
  }
  if (
    !foreign &&
    m &&
    (m.planHash !== plan.hash || JSON.stringify(m.shard ?? null) !== JSON.stringify(shard))
  ) {
    foreign = `the results of another ${m.planHash === plan.hash ? 'shard of this plan' : 'plan'} (experiment ${m.experiment ?? '?'}, ${m.totalRuns ?? '?'} runs${m.endedAt ? `, written ${m.endedAt}` : ''})`;
    how = differences(
      {
        name: m.experiment,
        preset: m.preset,
        seed: m.masterSeed,
        runs: m.runsPerPoint,
        points: m.points,
        game: m.game,
        shard: m.shard ?? null,
        version: m.version,
        code: m.code,
        inputs: m.inputs,
      },
      plan,
      shard,
    );
  }
  if (!foreign && !m && !parts) {
    // results without a readable manifest (deleted, corrupt, or a game written by the library): not ours
    const owned = ownedFiles(out);
    const held = owned.filter((f) => f !== 'manifest.json');
    if (held.length === 0 && owned.length > 0) {
      foreign = 'a manifest.json that cannot be read (not a regular file, not JSON, or not an object)';
      how = 'whose plan cannot be told';
    } else if (held.length > 0) {
      foreign = `results without a readable manifest.json (${held.join(', ')})`;
      how = 'whose plan cannot be told';
    }
  }
  if (!foreign) return;
  if (!force) refuse(foreign, how);
  rmSync(pdir, { recursive: true, force: true });
  removeOwned(out);
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

/**
 * Checks, without creating anything, that `out` can be created (or is) a writable directory.
 * @throws BackstopInputError naming the directory and the problem
 */
export function checkOutDir(out: string, flag = '--out'): void {
  const fail = (message: string) => {
    throw new BackstopInputError([{ path: `${flag} ${out}`, message }], 'invalid option');
  };
  let dir = resolve(out);
  // names the file system would refuse (ENAMETOOLONG) are bad input, found before anything is created
  const long = dir.split(/[\\/]/).find((seg) => Buffer.byteLength(seg) > 255);
  if (long !== undefined)
    fail(`has a name of ${Buffer.byteLength(long)} bytes; allowed: at most 255 per name`);
  if (Buffer.byteLength(dir) > 4000) fail(`is ${Buffer.byteLength(dir)} bytes long; allowed: at most 4000`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) fail('exists and is not a directory');
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) fail('no existing parent directory');
    dir = up;
  }
  if (!statSync(dir).isDirectory()) fail(`${dir} is a file, not a directory`);
  // probe: the only reliable test (root ignores permission bits; read-only mounts do not)
  try {
    injectedFault('probe');
    rmdirSync(mkdtempSync(join(dir, '.backstop-probe-')));
  } catch (e) {
    fail(`not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message} in ${dir})`);
  }
}

/** Result files a plan produces. */
function resultFiles(plan: Plan): string[] {
  return [
    'runs.arrow',
    ...(plan.record.series > 0 ? ['series.arrow'] : []),
    ...(plan.record.events ? ['events.arrow'] : []),
  ];
}

interface ManifestExtra {
  shard: Shard | null;
  shards?: unknown[];
  startedAt: string;
  endedAt: string;
  counts: RunCounts;
  totalRuns: number;
}

function manifestText(plan: Plan, x: ManifestExtra): string {
  const m = {
    experiment: plan.name,
    description: plan.description,
    file: plan.file,
    preset: plan.preset,
    planHash: plan.hash,
    config: plan.base,
    sweep: plan.sweep,
    runsPerPoint: plan.runs,
    points: plan.sweep.points.length,
    totalRuns: x.totalRuns,
    masterSeed: plan.seed,
    crn: plan.crn,
    record: plan.record,
    chunkRuns: plan.chunkRuns,
    ...(plan.game ? { game: plan.game } : {}),
    shard: x.shard,
    ...(x.shards ? { shards: x.shards } : {}),
    files: resultFiles(plan),
    columns: {
      metrics: [...METRIC_NAMES, ...ownColumns(plan)],
      series: SERIES.map((s) => s[0]),
    },
    version: plan.version,
    code: plan.code,
    inputs: plan.inputs,
    gitCommit: gitCommit(),
    node: process.version,
    startedAt: x.startedAt,
    endedAt: x.endedAt,
    ok: x.counts.ok,
    failed: x.counts.failed,
    failures: x.counts.failures,
    complete: true,
  };
  return `${JSON.stringify(m, null, 2)}\n`;
}

/**
 * The field metadata of the first shard's runs.arrow that can be read: how the shard, which loaded the
 * experiment's plug-ins, described their swept parameters (merge loads none). Empty when none can be read.
 */
function shardFieldMeta(dirs: string[]): Map<string, Map<string, string>> {
  for (const d of dirs) {
    const bytes = readRegularFile(join(d, 'runs.arrow'));
    if (!bytes) continue;
    try {
      const reader = RecordBatchReader.from(bytes);
      reader.open();
      return new Map(reader.schema.fields.map((f) => [f.name, f.metadata]));
    } catch {
      // a damaged shard file: the next shard's
    }
  }
  return new Map();
}

/** Rebuilds a chunk from single-run chunks (after a worker crash). */
function combine(plan: Plan, start: number, parts: Uint8Array[]): Uint8Array {
  const X = extraColumns(plan).length;
  const out = new ChunkCollector(start, X);
  for (const p of parts) {
    const d = unpackChunk(p);
    const n = d.header.count;
    const errs = new Map(d.header.errors);
    for (let i = 0; i < n; i++) {
      const r: RunResult = { seed: d.seeds[i] };
      if (d.status[i] === 1) {
        r.metrics = Object.fromEntries(METRIC_NAMES.map((m, k) => [m, d.metrics[k * n + i]])) as RunMetrics;
        if ((d.header.extra ?? 0) === X) r.extra = Array.from({ length: X }, (_, x) => d.extra[x * n + i]);
      } else r.error = errs.get(i) ?? 'failed';
      if (d.seriesLen[i] > 0) {
        r.series = Object.fromEntries(
          SERIES.map(([s], k) => [s, d.series.slice(k * d.header.seriesRows, (k + 1) * d.header.seriesRows)]),
        );
      }
      if (d.header.events > 0) r.events = { ...d.ev };
      delete (r.events as { run?: unknown } | undefined)?.run;
      out.add(r);
    }
  }
  return out.pack();
}

/** A chunk of one failed run `g` with the error `message` (a worker crash, a time limit). */
function failedRun(plan: Plan, g: number, message: string): Uint8Array {
  // a part carries its stages' own columns and a game batch's payoff per role after the metrics
  const c = new ChunkCollector(g, extraColumns(plan).length);
  const point = Math.floor(g / plan.runs);
  c.add({
    seed: deriveRunSeed(plan.seed, seedPoint(plan.game, point), g % plan.runs, plan.crn),
    error: message,
  });
  return c.pack();
}

/** The error codes of a write that the disk or the mount refuses (not a bug). */
const WRITE_ERRORS = ['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT', 'EIO'];

/** Runs `f`; a failed write (full disk, read-only mount) becomes an {@link OutputWriteError}. */
function assembleOrFail<T>(out: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && WRITE_ERRORS.includes(code))
      throw new OutputWriteError(
        `cannot write the result files in ${out}: ${code} ${(e as Error).message}; the parts are kept: free space (or make it writable) and run again with --resume`,
      );
    throw e;
  }
}

/** Seconds a run may take under `runTimeout: 'auto'` until {@link AUTO_AFTER_RUNS} runs have finished. */
export const AUTO_FIRST_LIMIT_S = 600;
/** Runs to finish before `auto` sets the limit from their times. */
const AUTO_AFTER_RUNS = 8;
/** `auto`: this many times the median run time, but never below {@link AUTO_MIN_LIMIT_S}. */
const AUTO_FACTOR = 10;
const AUTO_MIN_LIMIT_S = 60;
/**
 * After SIGINT/SIGTERM the runs in flight get this long to finish (then they are cut, to run again on
 * resume): `BACKSTOP_STOP_GRACE_S` seconds, default 10 (Slurm sends SIGKILL 30 s after SIGTERM by default).
 * @throws BackstopInputError when the variable is not a number of seconds from 0 to 3600
 */
export function stopGraceS(): number {
  const v = process.env.BACKSTOP_STOP_GRACE_S;
  if (v === undefined || v === '') return 10;
  const n = Number(v);
  if (!(/^\d+(\.\d+)?$/.test(v.trim()) && n <= 3600))
    throw new BackstopInputError(
      [
        {
          path: 'BACKSTOP_STOP_GRACE_S',
          message: `must be seconds from 0 to 3600 (got ${JSON.stringify(v)})`,
        },
      ],
      'invalid environment',
    );
  return n;
}

/** Why a task was cut short. */
type Cut = { kind: 'timeout'; run: number; limitS: number } | { kind: 'stop' };

/**
 * Creates `dir` (with its missing parents) and returns a function that removes what it created, if still
 * empty: a refused batch leaves no directory behind.
 */
function makeDir(dir: string): () => void {
  const first = mkdirSync(dir, { recursive: true });
  return () => {
    if (!first) return;
    for (let d = dir; ; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        return;
      }
      if (d === first) return;
    }
  };
}

/**
 * Takes an output directory for a batch or merge of `plan`: creates it if need be, takes its lock, refuses
 * (unless `force`) another plan's results there ({@link checkOwnResults}) and removes what a killed process
 * left half-written (it held the lock, so no live process owns those). On refusal it leaves no lock and no
 * directory it created. `undo` releases the lock and removes the directory if this call created it and it
 * is empty.
 * @throws BackstopInputError when the directory is in use or holds another plan's results
 */
function takeDir(
  out: string,
  command: string,
  plan: Plan,
  shard: Shard | null,
  force: boolean | undefined,
): { lock: DirLock; undo: () => void } {
  const rmCreated = makeDir(out);
  let lock: DirLock;
  try {
    lock = lockDir(out, command);
  } catch (e) {
    rmCreated();
    throw e;
  }
  const undo = () => {
    lock.release();
    rmCreated();
  };
  try {
    checkOwnResults(out, plan, shard, force);
  } catch (e) {
    undo();
    throw e;
  }
  removeLeftovers(out);
  removeLeftovers(partsDir(out));
  return { lock, undo };
}

/** Refuses a `.parts` that is not a plain directory (a planted link would send every part elsewhere). */
function checkPartsDir(pdir: string): void {
  if (notADirectory(pdir))
    throw new BackstopInputError(
      [{ path: pdir, message: 'is not a directory (a link or a file); remove it' }],
      'invalid output directory',
    );
}

/**
 * Runs an experiment (or one shard of it) into an output directory. The directory is locked for the
 * batch's whole length ({@link lockDir}); each run has a wall-clock limit (`runTimeout`).
 *
 * @throws BackstopInputError for bad input, before anything is created or changed
 */
export async function runBatch(spec: ExperimentSpec, opts: BatchOptions = {}): Promise<BatchResult> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const exp = opts.resolved ?? (await resolveExperiment(spec));
  const plan = buildPlan(exp, packageVersion());
  const out = resolve(opts.out ?? join('results', exp.name));
  const shard = opts.shard ?? null;
  const cores = availableParallelism();
  const workers = opts.workers ?? cores;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= cores))
    throw new BackstopInputError(
      [
        {
          path: '--workers',
          message: `must be an integer from 1 to ${cores} (the cores available to this process; got ${workers})`,
        },
      ],
      'invalid option',
    );
  const rt = opts.runTimeout ?? 'auto';
  if (!(rt === 'auto' || (typeof rt === 'number' && Number.isFinite(rt) && rt > 0)))
    throw new BackstopInputError(
      [{ path: '--run-timeout', message: `must be a number of seconds > 0, or auto (got ${String(rt)})` }],
      'invalid option',
    );
  checkOutDir(out);
  envWorkerHeapMb(); // a bad BACKSTOP_WORKER_MEMORY_MB is bad input: found before anything is written
  const grace = stopGraceS();
  const pdir = partsDir(out);
  checkPartsDir(pdir);
  const { lock, undo } = takeDir(out, opts.resolved?.gameBatch ? 'game' : 'run', plan, shard, opts.force);
  try {
    return await runLocked(opts, {
      exp,
      plan,
      out,
      shard,
      workers,
      log,
      startedAt,
      t0,
      lock,
      rt,
      grace,
      undo,
    });
  } finally {
    lock.release();
  }
}

interface LockedBatch {
  exp: ResolvedExperiment;
  plan: Plan;
  out: string;
  shard: Shard | null;
  workers: number;
  log: (s: string) => void;
  startedAt: string;
  t0: number;
  lock: DirLock;
  rt: number | 'auto';
  grace: number;
  /** Removes the output directory if this batch created it and it is empty. */
  undo: () => void;
}

async function runLocked(opts: BatchOptions, b: LockedBatch): Promise<BatchResult> {
  const { exp, plan, out, shard, workers, log, startedAt, t0, lock } = b;
  let writeMs = 0;
  const pdir = partsDir(out);
  const mine = shardChunks(plan, shard);
  const shardRuns = mine.reduce((a, c) => a + chunkRange(plan, c).count, 0);

  // resume: keep the valid parts of the same plan
  const done = new Set<number>();
  if (opts.resume) {
    const old = readPlan(pdir);
    // a finished batch keeps no parts: nothing to do when its manifest matches and its files are there
    const m = old ? undefined : readManifestHead(out);
    const files = m && Array.isArray(m.files) ? m.files : resultFiles(plan);
    if (
      m &&
      m.planHash === plan.hash &&
      JSON.stringify(m.shard) === JSON.stringify(shard) &&
      m.complete &&
      files.every((f) => existsSync(join(out, f)))
    ) {
      log(`${out}: already complete (${m.ok} ok, ${m.failed} failed)`);
      const r: BatchResult = {
        out,
        plan,
        ok: m.ok ?? 0,
        failed: m.failed ?? 0,
        failures: m.failures ?? [],
        ranRuns: 0,
        totalRuns: shardRuns,
        seconds: 0,
        writeSeconds: 0,
        stopped: false,
      };
      opts.onComplete?.(r);
      return r;
    }
    if (old) {
      const mineSet = new Set(mine);
      for (const c of listParts(pdir)) if (mineSet.has(c) && readPart(pdir, plan, c)) done.add(c);
    }
  } else if (existsSync(pdir)) {
    const kept = listParts(pdir).length;
    if (kept > 0)
      log(`dropping ${kept} finished chunk(s) of an interrupted batch in ${pdir} (--resume keeps them)`);
    rmSync(pdir, { recursive: true, force: true });
  }
  const hadParts = existsSync(pdir);
  try {
    mkdirSync(pdir, { recursive: true });
    injectedFault('plan');
    writeFileAtomic(join(pdir, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
  } catch (e) {
    // a disk full (or read-only) from the start: nothing is left behind, and nothing has run
    const code = (e as NodeJS.ErrnoException).code;
    if (!code || !WRITE_ERRORS.includes(code)) throw e;
    if (!hadParts) rmSync(pdir, { recursive: true, force: true });
    b.undo();
    throw new BackstopInputError(
      [
        {
          path: `--out ${out}`,
          message: `cannot be written (${code}: ${(e as Error).message}); free space, or give another --out`,
        },
      ],
      'invalid option',
    );
  }

  const todo = mine.filter((c) => !done.has(c));
  const doneRuns = shardRuns - todo.reduce((a, c) => a + chunkRange(plan, c).count, 0);
  if (done.size > 0) log(`resuming: ${doneRuns} of ${shardRuns} runs already done`);
  // the lanes below keep 2 tasks per worker in flight: the first wave
  const lanes = Math.min(todo.length, 2 * workers);
  const progress = new Progress(shardRuns, doneRuns, opts.progress ?? 'none', { wave: lanes });
  let stopped = false;
  let firstFailure: string | undefined;
  let writeError: NodeJS.ErrnoException | undefined;
  let mismatch: string | undefined;
  /** Chunks this attempt wrote (dropped if a file changed while it ran: they may mix its versions). */
  const written: number[] = [];
  const halted = () =>
    stopped || writeError !== undefined || mismatch !== undefined || opts.signal?.aborted === true;

  if (todo.length > 0) {
    const threads = Math.min(workers, todo.length);
    const memory = opts.workerMemoryMb ?? workerHeapMb(threads);
    const batch: WorkerBatch = {
      plan,
      configs: exp.configs,
      baseDir: exp.baseDir,
      strategies: strategyPaths(exp.baseInput),
    };
    const pool = new Piscina({
      ...poolEntry('worker.js'),
      workerData: { ...poolEntry('worker.js').workerData, batch },
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // a runaway run (a strategy that allocates without end) kills its worker, not the machine
      resourceLimits: { maxOldGenerationSizeMb: memory },
    });
    // the run time limit: each task's worker writes its current run and start time to `watch`, and this
    // watchdog aborts a task (piscina then stops its worker and starts another) whose run is past its limit
    const runTimes: number[] = [];
    const limitS = (): number => {
      if (b.rt !== 'auto') return b.rt;
      if (runTimes.length < AUTO_AFTER_RUNS) return AUTO_FIRST_LIMIT_S;
      const sorted = [...runTimes].sort((x, y) => x - y);
      return Math.max(AUTO_MIN_LIMIT_S, AUTO_FACTOR * sorted[Math.floor(sorted.length / 2)]);
    };
    interface Flight {
      sab: SharedArrayBuffer;
      watch: Float64Array;
      ctl: AbortController;
      cut?: Cut;
    }
    const flights = new Set<Flight>();
    let stopAt: number | undefined;
    const watchdog = setInterval(
      () => {
        const now = Date.now();
        if (opts.signal?.aborted && stopAt === undefined) stopAt = now;
        const limit = limitS();
        for (const f of flights) {
          if (f.cut) continue;
          const began = f.watch[1];
          if (began > 0 && now - began > limit * 1000) {
            f.cut = { kind: 'timeout', run: f.watch[0], limitS: limit };
            f.ctl.abort();
          } else if (stopAt !== undefined && now - stopAt > b.grace * 1000) {
            f.cut = { kind: 'stop' };
            f.ctl.abort();
          }
        }
      },
      b.rt !== 'auto' && b.rt < 2 ? 50 : 250,
    );
    type Attempt = { body: Uint8Array } | { cut: Cut } | { crash: Error };
    const attempt = async (start: number, count: number): Promise<Attempt> => {
      const sab = new SharedArrayBuffer(16);
      const f: Flight = { sab, watch: new Float64Array(sab), ctl: new AbortController() };
      flights.add(f);
      const t = performance.now();
      try {
        const body = (await pool.run({ start, count, watch: f.sab } satisfies ChunkTask, {
          signal: f.ctl.signal,
        })) as Uint8Array;
        runTimes.push((performance.now() - t) / 1000 / count);
        return { body };
      } catch (e) {
        if (f.cut) return { cut: f.cut };
        const msg = (e as Error)?.message ?? String(e);
        if (msg.startsWith(PLAN_MISMATCH)) mismatch ??= msg.slice(PLAN_MISMATCH.length).trim();
        return { crash: e as Error };
      } finally {
        flights.delete(f);
      }
    };
    const timedOut = (g: number, limit: number) =>
      failedRun(plan, g, `timed out: still running after ${limit} s (--run-timeout)`);
    const onChunk = (c: number, body: Uint8Array) => {
      if (writeError) return;
      const w0 = performance.now();
      try {
        writePart(pdir, plan, c, body);
        written.push(c);
      } catch (e) {
        // a full disk or a read-only mount: stop feeding, keep the parts written so far
        writeError = e as NodeJS.ErrnoException;
        return;
      } finally {
        writeMs += performance.now() - w0;
      }
      lock.touch();
      const h = chunkHeader(body);
      progress.add(h.count, h.errors.length);
      if (h.errors.length > 0 && opts.failFast && !stopped) {
        stopped = true;
        const [i, msg] = h.errors[0];
        firstFailure = `run ${h.start + i} failed: ${msg}`;
      }
    };
    const doChunk = async (c: number) => {
      const { start, count } = chunkRange(plan, c);
      const first = await attempt(start, count);
      if (mismatch) return;
      let body: Uint8Array;
      if ('body' in first) body = first.body;
      else if ('cut' in first && first.cut.kind === 'stop')
        return; // run again on resume
      else {
        // a run timed out, or the worker died (piscina replaces it): run the chunk's runs one by one to
        // isolate the culprit; a run that timed out is recorded as such, not run again
        const singles: Uint8Array[] = [];
        for (let g = start; g < start + count; g++) {
          if ('cut' in first && first.cut.kind === 'timeout' && first.cut.run === g) {
            singles.push(timedOut(g, first.cut.limitS));
            continue;
          }
          const one = await attempt(g, 1);
          if (mismatch) return;
          if ('body' in one) singles.push(one.body);
          else if ('cut' in one && one.cut.kind === 'stop') return;
          else if ('cut' in one && one.cut.kind === 'timeout') singles.push(timedOut(g, one.cut.limitS));
          else if ('crash' in one)
            singles.push(failedRun(plan, g, `worker crashed: ${one.crash.message} (retried once)`));
        }
        body = combine(plan, start, singles);
      }
      onChunk(c, body);
    };
    // a few tasks in flight per worker keep every worker busy; stopping (fail-fast) only stops feeding
    let next = 0;
    const lane = async () => {
      while (!halted() && next < todo.length) await doChunk(todo[next++]);
    };
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      clearInterval(watchdog);
      await pool.destroy();
    }
  }
  progress.finish();
  if (!mismatch && !opts.signal?.aborted && !stopped) {
    // the workers check their files before each task; a file edited during a task is found here, before
    // any result is written from parts that may mix its versions
    let now: Record<string, string> = {};
    try {
      now = inputDigests({
        file: plan.file,
        baseDir: exp.baseDir,
        strategies: strategyPaths(exp.baseInput),
        configs: exp.configs,
      });
    } catch {}
    const changed = changedInputs(plan.inputs, now);
    if (changed.length > 0) mismatch = `${changed.join(', ')} changed while the batch ran`;
  }
  if (mismatch) {
    for (const c of written) rmSync(join(pdir, partName(c)), { force: true });
    throw new BackstopInputError(
      [
        {
          path: plan.file,
          message: `${mismatch}; the ${written.length} chunk(s) this attempt wrote are dropped (they may mix the file's versions), those of earlier attempts are kept in ${pdir}: undo the change and --resume, or run again with --force to start afresh`,
        },
      ],
      'the experiment changed during the batch',
    );
  }
  if (writeError) {
    const kept = listParts(pdir).length;
    throw new OutputWriteError(
      `cannot write to ${out}: ${writeError.code ?? ''} ${writeError.message}; ${kept} finished chunk(s) are kept in ${pdir} and the files already there are untouched: free space (or make it writable) and run again with --resume`,
    );
  }
  if (opts.signal?.aborted && !stopped) {
    // what is kept: the valid parts found at the start and those written now (not read again: a batch of
    // 100,000 parts would take tens of seconds to stop)
    const kept = doneRuns + written.reduce((a, c) => a + chunkRange(plan, c).count, 0);
    log(
      `interrupted: ${kept} of ${shardRuns} runs done and kept in ${pdir}; run again with --resume to finish`,
    );
    return {
      out,
      plan,
      ok: 0,
      failed: 0,
      failures: [],
      ranRuns: 0,
      totalRuns: shardRuns,
      seconds: (performance.now() - t0) / 1000,
      writeSeconds: writeMs / 1000,
      stopped: false,
      interrupted: true,
    };
  }
  if (stopped) {
    log(`stopped at the first failure (--fail-fast): ${firstFailure}`);
    const counts = { ok: 0, failed: 1, failures: [] };
    return {
      out,
      plan,
      ...counts,
      ranRuns: 0,
      totalRuns: shardRuns,
      seconds: (performance.now() - t0) / 1000,
      writeSeconds: writeMs / 1000,
      stopped,
    };
  }

  // assemble the result files from the parts, in run order (each written to a temporary name and renamed)
  const a0 = performance.now();
  const counts = assembleOrFail(out, () =>
    assemble(
      plan,
      mine,
      (c) => {
        const p = readPart(pdir, plan, c);
        if (!p) throw new Error(`part of chunk ${c} in ${pdir} is missing or corrupt`);
        lock.touch();
        return p;
      },
      out,
    ),
  );
  for (const f of ['runs.arrow', 'series.arrow', 'events.arrow'])
    if (!resultFiles(plan).includes(f)) rmSync(join(out, f), { force: true });
  writeFileAtomic(
    join(out, 'manifest.json'),
    manifestText(plan, { shard, startedAt, endedAt: new Date().toISOString(), counts, totalRuns: shardRuns }),
  );
  // a whole batch needs its parts no more; a shard keeps them for `merge`
  if (!shard) rmSync(pdir, { recursive: true, force: true });
  writeMs += performance.now() - a0;
  const r: BatchResult = {
    out,
    plan,
    ...counts,
    ranRuns: shardRuns - doneRuns,
    totalRuns: shardRuns,
    seconds: (performance.now() - t0) / 1000,
    writeSeconds: writeMs / 1000,
    stopped: false,
  };
  opts.onComplete?.(r);
  return r;
}

/**
 * Joins the part files of shard output directories into what one machine would have written.
 *
 * @throws BackstopInputError when a directory holds no shard parts, the shards are of different plans, or
 * runs are missing — before anything is created
 */
export function mergeShards(
  dirs: string[],
  outDir: string,
  opts: { force?: boolean; onComplete?: (r: BatchResult) => void } = {},
): BatchResult {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const out = resolve(outDir);
  const seen = new Map<string, string>();
  for (const d of dirs) {
    const real = existsSync(d) ? realpathSync(d) : resolve(d);
    if (seen.has(real))
      throw new BackstopInputError(
        [{ path: d, message: `is given twice (also as ${seen.get(real)})` }],
        'cannot merge',
      );
    seen.set(real, d);
  }
  const plans = dirs.map((d) => {
    const p = readPlan(partsDir(d));
    if (!p)
      throw new BackstopInputError(
        [{ path: d, message: 'holds no shard parts (.parts/plan.json); was it made by run --shard?' }],
        'cannot merge',
      );
    return p;
  });
  const plan = plans[0];
  plans.forEach((p, k) => {
    if (p.hash !== plan.hash)
      throw new BackstopInputError(
        [{ path: dirs[k], message: `is from a different plan than ${dirs[0]} (experiment ${p.name})` }],
        'cannot merge',
      );
  });
  const where = new Map<number, string>();
  const mineAll = shardChunks(plan, null);
  for (const d of dirs) {
    const pd = partsDir(d);
    for (const c of listParts(pd)) if (!where.has(c) && readPart(pd, plan, c)) where.set(c, pd);
  }
  const missing = mineAll.filter((c) => !where.has(c));
  if (missing.length > 0) {
    const runs = missing.reduce((a, c) => a + chunkRange(plan, c).count, 0);
    throw new BackstopInputError(
      [
        {
          path: dirs.join(' '),
          message: `${runs} of ${plan.totalRuns} runs are missing (${missing.length} chunks, first ${missing[0]}); is a shard missing or unfinished?`,
        },
      ],
      'cannot merge',
    );
  }
  checkOutDir(out);
  const known = shardFieldMeta(dirs);
  const { lock } = takeDir(out, 'merge', plan, null, opts.force);
  try {
    const counts = assemble(
      plan,
      mineAll,
      (c) => {
        lock.touch();
        return readPart(where.get(c)!, plan, c)!;
      },
      out,
      known,
    );
    const shards = dirs.map((d) => {
      const m = readManifestHead(d);
      return m
        ? {
            dir: resolve(d),
            shard: m.shard,
            startedAt: m.startedAt,
            endedAt: m.endedAt,
            ok: m.ok,
            failed: m.failed,
          }
        : { dir: resolve(d) };
    });
    writeFileAtomic(
      join(out, 'manifest.json'),
      manifestText(plan, {
        shard: null,
        shards,
        startedAt,
        endedAt: new Date().toISOString(),
        counts,
        totalRuns: plan.totalRuns,
      }),
    );
    const r: BatchResult = {
      out,
      plan,
      ...counts,
      ranRuns: 0,
      totalRuns: plan.totalRuns,
      seconds: (performance.now() - t0) / 1000,
      writeSeconds: (performance.now() - t0) / 1000, // merging is all reading and writing
      stopped: false,
    };
    opts.onComplete?.(r);
    return r;
  } finally {
    lock.release();
  }
}

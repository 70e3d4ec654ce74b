/**
 * Runs the command a doc block names and collects what its figures need: per sweep point the runs' metrics
 * (and events and series when the experiment records them), or for a game every profile's runs and the
 * equilibria. Two ways, with the same results (each run depends only on its config and seed):
 * - {@link collectInProcess}: `simulate` run after run in this thread, as the direction tests do. The
 *   small-preset figures are always collected this way, by the docs script and by the test alike.
 * - {@link collectWithRunner}: the runner a user's command uses (`runBatch` for `run`, `runGameBatch`
 *   for `game`), its files read back. The full figures are collected this way.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RecordBatchReader } from 'apache-arrow';
import { eventBatch } from '../../src/analysis/arrow-io.js';
import { type ExperimentOverrides, packageRoot } from '../../src/experiment/resolve.js';
import {
  deriveRunSeed,
  type EquilibriaFile,
  EVENT_KINDS,
  type EventColumns,
  type GameDriver,
  gameExperimentOf,
  gameSpec,
  inProcessDriver,
  METRIC_NAMES,
  type ProfileJob,
  type ProfileRun,
  type ResolvedExperiment,
  type RunMetrics,
  readArrowFile,
  resolveExperiment,
  runBatch,
  runGame,
  runGameBatch,
  SERIES,
  type SeriesName,
  type SimConfig,
  simulate,
} from '../../src/index.js';

/** A command of the command line, as a doc block states it: `backstop-sim <cmd> experiments/<name>.ts <args>`. */
export interface DocCommand {
  cmd: 'run' | 'game';
  /** Options, as typed (only --preset, --runs, --series and --events are understood). */
  args: string[];
  /** What the docs print instead of the command (e.g. `npm start`); it must run the same batch. */
  display?: string;
}

/** The command as a user types it in a clone of the repository. */
export function commandText(name: string, c: DocCommand): string {
  return c.display ?? ['node bin/backstop-sim.js', c.cmd, `experiments/${name}.ts`, ...c.args].join(' ');
}

/** The experiment overrides the command's options give (what the command line would pass on). */
export function commandOverrides(c: DocCommand): ExperimentOverrides {
  const { values } = parseArgs({
    args: c.args,
    strict: true,
    options: {
      preset: { type: 'string' },
      runs: { type: 'string' },
      series: { type: 'string' },
      events: { type: 'boolean' },
    },
  });
  const int = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`docs: ${flag} ${v} is not a non-negative integer`);
    return n;
  };
  const o: ExperimentOverrides = {};
  if (values.preset !== undefined) o.preset = values.preset;
  const runs = int(values.runs, '--runs');
  if (runs !== undefined) o.runs = runs;
  const series = int(values.series, '--series');
  if (series !== undefined) o.series = series;
  if (values.events) o.events = true;
  return o;
}

/** One run's results. */
export interface RunRecord {
  metrics: RunMetrics;
  /** Logged events (when the experiment or the command records them). */
  events?: EventColumns;
  /** Per-tick series every K ticks (when recorded for this run). */
  series?: Partial<Record<SeriesName, Float64Array>>;
}

/** The runs of one sweep point, in run order. */
export interface PointData {
  point: Record<string, unknown>;
  config: SimConfig;
  runs: RunRecord[];
}

/** What `backstop-sim run` gives. */
export interface RunData {
  kind: 'run';
  /** The command, as printed in the docs. */
  command: string;
  experiment: ResolvedExperiment;
  points: PointData[];
}

/** What `backstop-sim game` gives, with every run's metrics. */
export interface GameData {
  kind: 'game';
  command: string;
  experiment: ResolvedExperiment;
  /** What equilibria.json holds. */
  eq: EquilibriaFile;
  /** Metrics per sweep point, per profile (in `eq.points[p].profiles` order), per run. */
  runs: RunMetrics[][][];
}

/** Data of a command. */
export type DocData = RunData | GameData;

/** `experiments/<name>.ts` in this repository. */
export function experimentFile(name: string): string {
  return join(packageRoot(), 'experiments', `${name}.ts`);
}

async function resolved(name: string, c: DocCommand): Promise<ResolvedExperiment> {
  return resolveExperiment({ file: experimentFile(name), overrides: commandOverrides(c) });
}

/** A driver that keeps every run's metrics (runGame keeps only summaries); a run that failed throws. */
function recording(inner: GameDriver): { driver: GameDriver; jobs: ProfileJob[]; runs: ProfileRun[][] } {
  const rec = { jobs: [] as ProfileJob[], runs: [] as ProfileRun[][] };
  const driver: GameDriver = {
    async run(jobs) {
      const r = await inner.run(jobs);
      rec.jobs.push(...jobs);
      rec.runs.push(...r);
      return r;
    },
  };
  return { driver, ...rec };
}

async function collectGame(
  name: string,
  c: DocCommand,
  e: ResolvedExperiment,
  inner: GameDriver,
): Promise<GameData> {
  const rec = recording(inner);
  const eq = await runGame(gameExperimentOf(e), {
    driver: rec.driver,
    level: e.game!.level,
    baseDir: e.baseDir,
  });
  const runs: RunMetrics[][][] = eq.points.map((p) => p.profiles.map(() => []));
  rec.jobs.forEach((j, k) => {
    runs[j.pointId][j.profileId] = rec.runs[k].map((r, i) => {
      if ('error' in r)
        throw new Error(`docs: ${name}: run ${i} of ${j.pointId}/${j.profileId} failed: ${r.error}`);
      return r.metrics;
    });
  });
  return { kind: 'game', command: commandText(name, c), experiment: e, eq, runs };
}

/** `game` through the runner (`runGameBatch`, as `backstop-sim game` runs it), its files read back. */
async function collectGameBatch(
  name: string,
  c: DocCommand,
  e: ResolvedExperiment,
  opts: { out: string; workers?: number; log?: (line: string) => void },
): Promise<GameData> {
  const spec = gameSpec({ file: experimentFile(name), overrides: commandOverrides(c) });
  const b = await runGameBatch(spec, {
    out: opts.out,
    workers: opts.workers,
    progress: 'none',
    log: opts.log ?? (() => {}),
  });
  if (b.failed > 0 || b.stopped || !b.equilibria)
    throw new Error(`docs: ${name}: ${b.failed} run(s) failed (${b.failures[0]?.error ?? 'stopped'})`);
  // runs.arrow of a game batch: point k = sweep point × profiles + profile, run r of it at row k · runs + r
  const t = readArrowFile(join(opts.out, 'runs.arrow'));
  const eq = b.equilibria;
  const P = eq.points[0]?.profiles.length ?? 0;
  const runs = eq.points.map((_, p) =>
    eq.points[p].profiles.map((_, k) =>
      Array.from({ length: e.runs }, (_, r) => {
        const i = (p * P + k) * e.runs + r;
        const m = {} as RunMetrics;
        for (const x of METRIC_NAMES) m[x] = (t.columns[x] as Float64Array)[i];
        return m;
      }),
    ),
  );
  return { kind: 'game', command: commandText(name, c), experiment: e, eq, runs };
}

/** Runs the command in this thread, run after run (the small presets: the docs script and the test). */
export async function collectInProcess(name: string, c: DocCommand): Promise<DocData> {
  const e = await resolved(name, c);
  if (c.cmd === 'game') return collectGame(name, c, e, inProcessDriver);
  const { series, seriesRuns, events } = e.record;
  const points = e.points.map((point, p): PointData => {
    const runs: RunRecord[] = [];
    for (let r = 0; r < e.runs; r++) {
      // what a worker of the runner does for run r of point p
      const res = simulate(e.configs[p], {
        seed: deriveRunSeed(e.seed, p, r, e.crn),
        series: seriesRuns === 0 || r < seriesRuns ? series : 0,
        events,
        baseDir: e.baseDir,
      });
      runs.push({ metrics: res.metrics, events: res.events, series: res.series });
    }
    return { point, config: e.configs[p], runs };
  });
  return { kind: 'run', command: commandText(name, c), experiment: e, points };
}

/**
 * Runs the command through the runner into `out` (a results directory; `runs.arrow` etc., or `game.arrow`
 * and `equilibria.json`) on `workers` threads, and reads the results back.
 */
export async function collectWithRunner(
  name: string,
  c: DocCommand,
  opts: { out: string; workers?: number; log?: (line: string) => void; eventKinds?: readonly string[] },
): Promise<DocData> {
  const e = await resolved(name, c);
  if (c.cmd === 'game') return collectGameBatch(name, c, e, opts);
  const spec = { file: experimentFile(name), overrides: commandOverrides(c) };
  const b = await runBatch(spec, {
    out: opts.out,
    workers: opts.workers,
    resolved: e,
    progress: 'none',
    log: opts.log ?? (() => {}),
  });
  if (b.failed > 0 || b.stopped)
    throw new Error(`docs: ${name}: ${b.failed} run(s) failed (${b.failures[0]?.error ?? 'stopped'})`);
  const points = await readRuns(e, opts.out, opts.eventKinds);
  return { kind: 'run', command: commandText(name, c), experiment: e, points };
}

/**
 * Reads runs.arrow (and events.arrow, series.arrow) of a finished batch into points and runs; of the events,
 * only the `eventKinds` given (default: every kind).
 */
async function readRuns(
  e: ResolvedExperiment,
  dir: string,
  eventKinds?: readonly string[],
): Promise<PointData[]> {
  const t = readArrowFile(join(dir, 'runs.arrow'));
  const C = t.columns;
  const total = e.points.length * e.runs;
  if (t.rows !== total) throw new Error(`docs: ${dir}/runs.arrow has ${t.rows} rows, expected ${total}`);
  const records: RunRecord[] = [];
  for (let i = 0; i < t.rows; i++) {
    const m = {} as RunMetrics;
    for (const k of METRIC_NAMES) m[k] = (C[k] as Float64Array)[i];
    records.push({ metrics: m });
  }
  if (e.record.events) {
    const perRun = await readEvents(join(dir, 'events.arrow'), total, eventKinds);
    perRun.forEach((ev, i) => {
      records[i].events = ev;
    });
  }
  if (e.record.series > 0) {
    const s = readArrowFile(join(dir, 'series.arrow'));
    const run = s.columns.run_id as Float64Array;
    let j = 0;
    while (j < s.rows) {
      const i = run[j];
      const from = j;
      while (j < s.rows && run[j] === i) j++;
      const series: Partial<Record<SeriesName, Float64Array>> = {};
      for (const [n] of SERIES) series[n] = (s.columns[n] as Float64Array).slice(from, j);
      records[i].series = series;
    }
  }
  return e.points.map((point, p) => ({
    point,
    config: e.configs[p],
    runs: records.slice(p * e.runs, (p + 1) * e.runs),
  }));
}

/**
 * Reads events.arrow into one set of columns per run, keeping only the `keep` kinds (default: all). It can
 * hold tens of millions of rows (ADL pro-rata logs one event per winner per shortfall) and gigabytes, so it
 * streams the file record batch by record batch and reads the Arrow buffers directly (`eventBatch`): the kind strings are
 * matched as bytes, never decoded one by one.
 */
async function readEvents(path: string, runs: number, keep?: readonly string[]): Promise<EventColumns[]> {
  let cap = 1 << 16;
  let cols = grow(undefined, cap);
  const wanted = EVENT_KINDS.map((k) => !keep || keep.includes(k));
  let n = 0;
  let row = 0;
  const reader = await RecordBatchReader.from(createReadStream(path));
  for await (const b of reader) {
    const { numeric, kinds } = eventBatch(b, path);
    const run = numeric('run_id');
    const tick = numeric('tick');
    const account = numeric('account');
    const size = numeric('size');
    const price = numeric('price');
    const amount = numeric('amount');
    const position = numeric('position');
    const leverage = numeric('leverage');
    const pnl = numeric('pnl');
    for (let i = 0; i < b.numRows; i++) {
      const code = kinds[i];
      if (code < 0) throw new Error(`docs: ${path}: unknown event kind at row ${row + i}`);
      if (!wanted[code]) continue;
      if (n === cap) cols = grow(cols, (cap *= 2));
      cols.run[n] = run[i];
      cols.tick[n] = tick[i];
      cols.kind[n] = code;
      cols.account[n] = account[i];
      cols.size[n] = size[i];
      cols.price[n] = price[i];
      cols.amount[n] = amount[i];
      cols.position[n] = position[i];
      cols.leverage[n] = leverage[i];
      cols.pnl[n] = pnl[i];
      n++;
    }
    row += b.numRows;
  }
  // rows are in run_id order: one slice per run
  const out: EventColumns[] = [];
  let j = 0;
  for (let r = 0; r < runs; r++) {
    const from = j;
    while (j < n && cols.run[j] === r) j++;
    out.push({
      tick: cols.tick.slice(from, j),
      kind: cols.kind.slice(from, j),
      account: cols.account.slice(from, j),
      size: cols.size.slice(from, j),
      price: cols.price.slice(from, j),
      amount: cols.amount.slice(from, j),
      position: cols.position.slice(from, j),
      leverage: cols.leverage.slice(from, j),
      pnl: cols.pnl.slice(from, j),
    });
  }
  if (j !== n) throw new Error(`docs: ${path} is not in run order`);
  return out;
}

/** Event columns of one file, with their run ids. */
interface RunEventColumns extends EventColumns {
  run: Int32Array;
}

/** Event columns of room `cap`, holding what `from` held. */
function grow(from: RunEventColumns | undefined, cap: number): RunEventColumns {
  const cols: RunEventColumns = {
    run: new Int32Array(cap),
    tick: new Int32Array(cap),
    kind: new Int32Array(cap),
    account: new Int32Array(cap),
    size: new Float64Array(cap),
    price: new Float64Array(cap),
    amount: new Float64Array(cap),
    position: new Float64Array(cap),
    leverage: new Float64Array(cap),
    pnl: new Float64Array(cap),
  };
  if (from) for (const k of Object.keys(cols) as (keyof RunEventColumns)[]) cols[k].set(from[k] as never);
  return cols;
}

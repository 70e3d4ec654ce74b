/**
 * `analyze(dir)`: per sweep point (or per chosen fields) statistics of a runner output directory
 * (`runs.arrow` + `manifest.json`, the contract of the runner issue).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputValueIssues } from '../config/input-check.js';
import { simConfigSchema } from '../config/schema.js';
import { mixCounts } from '../engine/simulation.js';
import { gameColumnRole } from '../experiment/game-columns.js';
import { hasForbiddenKey, malformedPath, parsePath, setPath as setSegments } from '../experiment/paths.js';
import { SECONDS_PER_YEAR } from '../market/price/types.js';
import { fieldMeta, METRIC_NAMES, STAGE_METRIC_META_KEY } from '../metrics.js';
import { BUILTIN_PAYERS, PAYER_LOSS_META_KEY, PAYER_META_KEY } from '../waterfall/payers.js';
import { type AdlOutcomes, adlOutcomes } from './adl-outcomes.js';
import { type ColumnTable, checkArrowFile, readArrowFile, resultsFileError } from './arrow-io.js';
import {
  type ColumnSummary,
  clusteredWilson,
  type Interval,
  MEAN_INTERVAL_METHOD,
  type MeanInterval,
  meanInterval,
  PAIRED_DIFFERENCE_METHOD,
  PROBABILITY_INTERVAL_METHOD,
  pairedDifference,
  sortedCopy,
  summarize,
  type TailRisk,
  tailRisk,
} from './stats.js';

/** A value of a swept field. */
export type FieldValue = number | string | boolean | null;

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  /** Group runs by these columns (swept fields) instead of by sweep point. */
  by?: string[];
  /** Confidence level of every interval (0.95). */
  level?: number;
  /** Metrics compared between groups on common random numbers (default: loss, shortfall, insurance_fund_min, vault_return, pnl_liquidators, pnl_lps: those in the file). A metric not in runs.arrow is an error; `all`: every metric. */
  compare?: string[] | 'all';
  /** Groups are compared with the first group (default) or each with the one before it. */
  reference?: 'first' | 'previous';
}

/** A role's payoff against its outside option in one group. */
export interface RolePayoff {
  /** Role (config key, e.g. `liquidators`). */
  role: string;
  /** The runs.arrow column holding the role's PnL. */
  column: string;
  /** Agents in the role (from the config), null when the config is unknown. */
  agents: number | null;
  /** Mean expected outside option of the role (USD; from the config's capital × riskFreeRate × horizon), null when unknown. */
  outsideOption: number | null;
  /** Mean over runs of (role PnL − outside option), USD for the whole role, with its t-interval. */
  excess: MeanInterval;
  /** The same per agent (excess / agents), null when the agent count is unknown. */
  perAgent: Interval | null;
}

/** Statistics of one group of runs. */
export interface GroupAnalysis {
  /** The group's values of the grouping fields. */
  key: Record<string, FieldValue>;
  /** Printable label of the key (`field=value, …`; `all` without fields). */
  label: string;
  /** Sweep points (point_id) in the group. */
  points: number[];
  /** Runs in the group. */
  runs: number;
  /** Runs with status `ok`. */
  ok: number;
  /** Runs that failed. */
  failed: number;
  /** Every metric (`loss` = socialized_loss + unpaid + open_deficit first): mean with interval and quantiles, over ok runs. */
  metrics: Record<string, ColumnSummary>;
  /** Probability of insolvency (loss > 0) with its Wilson interval (on the effective sample size under common random numbers). */
  insolvency: Interval;
  /** Independent units behind the group's intervals: distinct seeds among its ok runs (runs that share a seed share random numbers). */
  clusters: number;
  /** VaR and ES of the loss at 95% and 99%. */
  risk: TailRisk[];
  /** Per role with agents: payoff against the outside option. */
  roles: RolePayoff[];
  /** Who ADL hit, from events.arrow (null without an events file, or when no run of the group had ADL). */
  adl: AdlOutcomes | null;
}

/** A paired comparison of one metric between two groups on common random numbers. */
export interface Comparison {
  /** The metric compared. */
  metric: string;
  /** Label of the group. */
  group: string;
  /** Label of the reference group. */
  reference: string;
  /** Mean of (group − reference) over matched runs, with its t-interval. */
  difference: MeanInterval;
}

/** The result of {@link analyze}. */
export interface Analysis {
  /** The directory analysed. */
  dir: string;
  /** Experiment name from the manifest, when present. */
  experiment: string | null;
  /** Swept fields (dotted config paths). */
  fields: string[];
  /** Whether the runs used common random numbers (run k of every point has one seed), from the manifest; null when unknown. */
  crn: boolean | null;
  /** Grouping fields ([] for one group; the swept fields when grouping by sweep point). */
  by: string[];
  /** Confidence level of the intervals. */
  level: number;
  /** Metric names summarised, `loss` first (with the who-paid columns of plug-in payers after the fixed metrics). */
  metrics: string[];
  /**
   * The who-paid columns of runs.arrow, in column order, each with its label in the who-paid figure: the
   * columns its field metadata marks (`payer`), or for a file written before they were marked the built-in
   * payers' columns it has.
   */
  payers: { column: string; label: string }[];
  /** The columns the venue's loss (`loss`) sums, in column order (see {@link lossTermsOf}). */
  lossTerms: string[];
  /** One entry per group, in order of first appearance. */
  groups: GroupAnalysis[];
  /** Paired comparisons between groups. */
  comparisons: Comparison[];
  /** How the intervals were computed, in words (for reports and captions). */
  methods: {
    /** Means of metrics and payoffs. */
    mean: string;
    /** The probability of insolvency. */
    probability: string;
    /** Paired comparisons. */
    comparison: string;
  };
}

/** Role → its PnL column in runs.arrow. */
export const ROLE_PNL_COLUMNS: Record<string, string> = {
  traders: 'pnl_traders',
  liquidators: 'pnl_liquidators',
  lps: 'pnl_lps',
  arbitrageurs: 'pnl_arbitrageurs',
  marketMakers: 'pnl_market_makers',
};

const DEFAULT_COMPARE = [
  'loss',
  'shortfall',
  'insurance_fund_min',
  'vault_return',
  'pnl_liquidators',
  'pnl_lps',
];

/** What analyze needs from manifest.json (every field optional: the file may be absent). */
export interface ManifestLike {
  experiment?: string;
  config?: Record<string, unknown>;
  sweep?: { fields?: string[]; points?: Record<string, FieldValue>[] };
  [k: string]: unknown;
}

/**
 * Reads `dir/manifest.json` when it exists.
 *
 * @throws BackstopInputError naming the file when it is not a JSON object (truncated, edited, not a manifest)
 */
export function readManifest(dir: string): ManifestLike | null {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return null;
  const m = readResultsJson(p);
  const sweep = (m as ManifestLike).sweep;
  const fields = sweep?.fields;
  if (
    (sweep !== undefined && (sweep === null || typeof sweep !== 'object')) ||
    (fields !== undefined && !(Array.isArray(fields) && fields.every((f) => typeof f === 'string')))
  )
    throw resultsFileError(p, 'sweep.fields must be a list of field names: not a manifest of backstop-sim');
  const bad = fields?.find((f) => hasForbiddenKey(f));
  if (bad !== undefined)
    throw resultsFileError(p, `sweep.fields holds ${JSON.stringify(bad)}, a reserved name: not a field`);
  return m as ManifestLike;
}

/** The Arrow files of a results directory that commands read (those present are checked by {@link checkResultsFiles}). */
export const RESULTS_ARROW_FILES = [
  'runs.arrow',
  'series.arrow',
  'events.arrow',
  'game.arrow',
  'analysis.arrow',
];

/**
 * Checks the files of a results directory a command is about to read, before it creates anything: each
 * Arrow file present (see `checkArrowFile`: readable footer and schema, a results file's columns) and, with
 * `json`, manifest.json and equilibria.json when present (valid JSON objects).
 *
 * @throws BackstopInputError naming the first file at fault
 */
export async function checkResultsFiles(dir: string, opts: { json?: boolean } = {}): Promise<void> {
  for (const f of RESULTS_ARROW_FILES) {
    const p = join(dir, f);
    if (existsSync(p)) await checkArrowFile(p);
  }
  if (opts.json === false) return;
  readManifest(dir);
  const eq = join(dir, 'equilibria.json');
  if (existsSync(eq)) readResultsJson(eq);
}

/**
 * Reads a JSON object from a results directory (manifest.json, equilibria.json), checked: valid JSON, an
 * object, no prototype keys, nested at most 100 levels.
 *
 * @throws BackstopInputError naming the file
 */
export function readResultsJson(path: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw resultsFileError(
      path,
      `is not valid JSON (${(e as Error).message.split('\n')[0]}): truncated or edited; write it again (run, merge or game)`,
    );
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw resultsFileError(path, 'is not a JSON object: not a results file of backstop-sim');
  const issues = inputValueIssues(v);
  if (issues.length > 0) throw resultsFileError(path, `${issues[0].path}: ${issues[0].message}`);
  return v as Record<string, unknown>;
}

/**
 * Sets a dotted path (`a.b[0].c`, `a.b.0.c` or `waterfall.stages[vault].c`) in a (deep-copied) plain object:
 * the experiment's own `setPath` (src/experiment/paths.ts) on the parsed path.
 *
 * @throws Error naming the path when it is malformed, reserved, or runs through a list element or a field
 *   the object does not have
 */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segments = parsePath(path.replace(/\.(\d+)(?=\.|$)/g, '[$1]'));
  if (!segments) throw new Error(`${path}: ${malformedPath(path)}`);
  const bad = setSegments(obj, segments, value);
  if (bad !== undefined) throw new Error(`${path}: ${bad}`);
}

/** Expected capital per agent of a capital distribution. */
function expectedCapital(c: {
  dist: string;
  value?: number;
  min?: number;
  max?: number;
  median?: number;
  sigma?: number;
}) {
  if (c.dist === 'fixed') return c.value ?? 0;
  if (c.dist === 'uniform') return ((c.min ?? 0) + (c.max ?? 0)) / 2;
  return (c.median ?? 0) * Math.exp(((c.sigma ?? 0) * (c.sigma ?? 0)) / 2);
}

/** Per role: agents and expected outside option (capital put in at the start × riskFreeRate × horizon). */
export function rolesOfConfig(
  config: unknown,
): Record<string, { agents: number; outsideOption: number }> | null {
  const parsed = simConfigSchema.safeParse(config ?? {});
  if (!parsed.success) return null;
  const cfg = parsed.data;
  const years = (cfg.ticks * cfg.dtSeconds) / SECONDS_PER_YEAR;
  const out: Record<string, { agents: number; outsideOption: number }> = {};
  for (const role of Object.keys(ROLE_PNL_COLUMNS)) {
    const r = cfg.agents[role as keyof typeof ROLE_PNL_COLUMNS & keyof typeof cfg.agents] as
      | {
          count: number;
          capital: Parameters<typeof expectedCapital>[0];
          mix: { count?: number; fraction?: number; capital?: Parameters<typeof expectedCapital>[0] }[];
        }
      | undefined;
    if (!r || typeof r !== 'object') continue;
    const counts = r.mix.length ? mixCounts(r.count, r.mix) : [];
    let agents = 0;
    let capital = 0;
    r.mix.forEach((m, i) => {
      agents += counts[i];
      capital += counts[i] * expectedCapital(m.capital ?? r.capital);
    });
    out[role] = { agents, outsideOption: capital * cfg.agents.riskFreeRate * years };
  }
  return out;
}

function deepCopy<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

/** Printable label of a group key. */
export function keyLabel(key: Record<string, FieldValue>): string {
  const ks = Object.keys(key);
  return ks.length ? ks.map((k) => `${k}=${key[k]}`).join(', ') : 'all';
}

function num(col: ColumnTable['columns'][string] | undefined, i: number): number {
  if (!col) return Number.NaN;
  const v = col[i];
  return typeof v === 'number' ? v : Number.NaN;
}

/**
 * The venue's loss per run: the `loss` column (socialized_loss + unpaid + open_deficit), or that sum for a
 * runs.arrow written before the column existed.
 */
export function lossColumn(C: ColumnTable['columns'], n: number): Float64Array {
  if (C.loss) return Float64Array.from({ length: n }, (_, i) => num(C.loss, i));
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) loss[i] = num(C.socialized_loss, i) + num(C.unpaid, i) + num(C.open_deficit, i);
  return loss;
}

/** The range a column's field metadata declares (`min`, `max`), if any. */
function metaBounds(meta: Record<string, string> | undefined): { min?: number; max?: number } | undefined {
  if (meta?.min === undefined && meta?.max === undefined) return undefined;
  return {
    ...(meta.min !== undefined ? { min: Number(meta.min) } : {}),
    ...(meta.max !== undefined ? { max: Number(meta.max) } : {}),
  };
}

/**
 * The columns the venue's loss sums in a runs.arrow table: the who-paid columns that count in it (their
 * field metadata says so), then what went unpaid and what is still open; without that metadata (a file
 * written before it), the built-in definition socialized_loss + unpaid + open_deficit.
 */
export function lossTermsOf(t: ColumnTable): string[] {
  const marked = t.names.filter((n) => t.meta?.[n]?.[PAYER_LOSS_META_KEY] === '1' && n in t.columns);
  return [...(marked.length > 0 ? marked : ['socialized_loss']), 'unpaid', 'open_deficit'];
}

/** The who-paid columns of a runs.arrow table (see {@link Analysis.payers}). */
export function payerColumnsOf(t: ColumnTable): { column: string; label: string }[] {
  const marked = t.names.flatMap((n) => {
    const label = t.meta?.[n]?.[PAYER_META_KEY];
    return label !== undefined && n in t.columns ? [{ column: n, label }] : [];
  });
  if (marked.length > 0) return marked;
  return Object.values(BUILTIN_PAYERS)
    .filter((c) => c.column in t.columns)
    .map((c) => ({ column: c.column, label: c.label }));
}

/**
 * Analyses a runner output directory: `runs.arrow` (required) and `manifest.json` (optional: experiment
 * name, swept fields, base config for the outside options).
 *
 * Groups are the sweep points (`point_id`), or the distinct values of the `by` columns. For each group:
 * the number of runs; every metric's mean with a t-interval and its p50/p95/p99 (over ok runs); the
 * probability of insolvency (loss = socialized_loss + unpaid + open_deficit > 0) with a Wilson interval; VaR and ES at 95% and
 * 99% of that loss; per role with agents, the mean of (PnL − outside option) with a t-interval. Paired
 * comparisons: for each compared metric, each group against the reference group, runs matched by `run`
 * index (and the values of swept fields not grouped by), mean difference with its t-interval.
 *
 * Common random numbers: runs with the same seed share their random numbers (with `crn`, every point's
 * run k has the same seed). A group that pools several sweep points holds several runs of one seed; they
 * are not independent, so every interval is cluster-robust over the seed, with the t quantile of G − 1
 * degrees of freedom for G distinct seeds (`methods` says so in words). A group of one sweep point has one
 * run per seed, and its intervals are the ordinary ones. Intervals of metrics with a bounded range (a loss
 * is never negative) stay inside it.
 *
 * @throws Error when runs.arrow is missing or a `by` field is not a swept field (or `point_id`)
 */
export function analyze(dir: string, opts: AnalyzeOptions = {}): Analysis {
  const level = opts.level ?? 0.95;
  if (!(typeof level === 'number' && level > 0 && level < 1))
    throw new Error(`--level ${level}: must be a probability between 0 and 1 (exclusive), e.g. 0.9 or 0.99`);
  if (opts.reference !== undefined && opts.reference !== 'first' && opts.reference !== 'previous')
    throw new Error(`--reference ${opts.reference}: must be first or previous`);
  const runsPath = join(dir, 'runs.arrow');
  if (!existsSync(runsPath)) throw new Error(`no runs.arrow in ${dir}`);
  const t = readArrowFile(runsPath);
  const manifest = readManifest(dir);
  const C = t.columns;
  const payers = payerColumnsOf(t);
  const metricCols = [
    ...METRIC_NAMES.filter((m) => m in C),
    ...payers.map((p) => p.column).filter((c) => !(METRIC_NAMES as readonly string[]).includes(c)),
    // the stages' own metrics (StageDef.metrics), which runs.arrow marks
    ...t.names.filter((n) => t.meta?.[n]?.[STAGE_METRIC_META_KEY] !== undefined && n in C),
  ];
  // swept fields: from the manifest, else the columns between `seed` and `status`
  let fields = manifest?.sweep?.fields?.filter((f) => f in C) ?? [];
  if (!manifest?.sweep?.fields) {
    const a = t.names.indexOf('seed');
    const b = t.names.indexOf('status');
    if (a >= 0 && b > a) fields = t.names.slice(a + 1, b);
  }
  // groups are values of swept fields (or the sweep point): a metric or the status is no grouping
  for (const f of opts.by ?? [])
    if (!(f in C) || !(fields.includes(f) || f === 'point_id'))
      throw new Error(
        `--by ${f}: ${f in C ? 'not a swept field' : 'no such column in runs.arrow'}; swept fields: ${fields.join(', ') || '(none)'} (or point_id)`,
      );
  const byPoint = opts.by === undefined;
  const by = opts.by ?? fields;
  const n = t.rows;
  const status = C.status as (string | null)[] | undefined;
  const isOk = (i: number) => !status || status[i] === 'ok';
  // the common-random-numbers unit of each run: its seed (equal across points under crn), else its index
  const unitCol = (C.seed ?? C.run) as ArrayLike<number> | undefined;
  const unitOf = (i: number) => (unitCol ? unitCol[i] : i);
  const loss = lossColumn(C, n);
  const cols: Record<string, ArrayLike<number>> = { loss };
  for (const m of metricCols) if (m !== 'loss') cols[m] = C[m] as Float64Array;
  const metrics = ['loss', ...metricCols.filter((m) => m !== 'loss')];

  // group rows
  const pointCol = C.point_id as Float64Array | undefined;
  const groupOf = new Map<string, number>();
  const groupRows: number[][] = [];
  const groupKeys: Record<string, FieldValue>[] = [];
  for (let i = 0; i < n; i++) {
    const key: Record<string, FieldValue> = {};
    for (const f of by) key[f] = (C[f][i] as FieldValue) ?? null;
    const id = byPoint && pointCol ? `p${pointCol[i]}` : JSON.stringify(by.map((f) => key[f]));
    let g = groupOf.get(id);
    if (g === undefined) {
      g = groupRows.length;
      groupOf.set(id, g);
      groupRows.push([]);
      groupKeys.push(key);
    }
    groupRows[g].push(i);
  }

  // outside options per sweep point, from the base config with the point's overrides (a game batch's
  // `game.<role>` fields are no config paths: its manifest's config already has the mix each run's role has)
  const configFields = fields.filter((f) => gameColumnRole(f) === undefined);
  const outsideCache = new Map<string, ReturnType<typeof rolesOfConfig>>();
  const rolesAt = (i: number) => {
    if (!manifest?.config) return null;
    const id = pointCol ? String(pointCol[i]) : '0';
    if (!outsideCache.has(id)) {
      const cfg = deepCopy(manifest.config);
      for (const f of configFields) setPath(cfg, f, C[f][i]);
      outsideCache.set(id, rolesOfConfig(cfg));
    }
    return outsideCache.get(id) ?? null;
  };

  const groups: GroupAnalysis[] = groupRows.map((rows, g) => {
    const okRows = rows.filter(isOk);
    const pick = (col: ArrayLike<number>) => Float64Array.from(okRows, (i) => col[i]);
    const clusters = Float64Array.from(okRows, unitOf);
    const ms: Record<string, ColumnSummary> = {};
    for (const m of metrics) {
      const meta: { min?: number; max?: number } | undefined = fieldMeta(m) ?? metaBounds(t.meta?.[m]);
      const v = pick(cols[m]);
      // the declared range bounds the interval, widened to what the column holds: a plug-in's own metric is
      // 0 in the runs of points that do not list its stage, whatever range it declares
      let lo = meta?.min;
      let hi = meta?.max;
      for (let k = 0; k < v.length; k++) {
        if (lo !== undefined && v[k] < lo) lo = v[k];
        if (hi !== undefined && v[k] > hi) hi = v[k];
      }
      ms[m] = summarize(v, level, { clusters, min: lo, max: hi });
    }
    const groupLoss = pick(loss);
    const sortedLoss = sortedCopy(groupLoss);
    const insolventRows: boolean[] = [];
    const insolventUnits: number[] = [];
    groupLoss.forEach((v, k) => {
      if (!Number.isFinite(v)) return;
      insolventRows.push(v > 0);
      insolventUnits.push(clusters[k]);
    });
    const roles: RolePayoff[] = [];
    for (const [role, column] of Object.entries(ROLE_PNL_COLUMNS)) {
      if (!(column in C)) continue;
      const pnl = C[column] as Float64Array;
      const known = okRows.length > 0 && rolesAt(okRows[0]) !== null;
      let agents = 0;
      let outside = 0;
      const excess = new Float64Array(okRows.length);
      okRows.forEach((i, k) => {
        const r = rolesAt(i)?.[role];
        agents += r?.agents ?? 0;
        outside += r?.outsideOption ?? 0;
        excess[k] = pnl[i] - (r?.outsideOption ?? 0);
      });
      const meanAgents = okRows.length ? agents / okRows.length : 0;
      if (known ? meanAgents === 0 : excess.every((v) => v === 0)) continue;
      const mi = meanInterval(excess, level, { clusters });
      roles.push({
        role,
        column,
        agents: known ? meanAgents : null,
        outsideOption: known ? outside / okRows.length : null,
        excess: mi,
        perAgent:
          known && meanAgents > 0
            ? {
                n: mi.n,
                estimate: mi.estimate / meanAgents,
                low: mi.low / meanAgents,
                high: mi.high / meanAgents,
              }
            : null,
      });
    }
    const points = pointCol ? [...new Set(rows.map((i) => pointCol[i]))] : [0];
    return {
      key: groupKeys[g],
      label: keyLabel(groupKeys[g]),
      points,
      runs: rows.length,
      ok: okRows.length,
      failed: rows.length - okRows.length,
      metrics: ms,
      insolvency: clusteredWilson(insolventRows, insolventUnits, level),
      clusters: new Set(clusters).size,
      risk: [tailRisk(sortedLoss, 0.95), tailRisk(sortedLoss, 0.99)],
      roles,
      adl: null as AdlOutcomes | null,
    };
  });

  // who ADL hit, when the runs recorded events
  const eventsPath = join(dir, 'events.arrow');
  const runIdCol = C.run_id as Float64Array | undefined;
  if (existsSync(eventsPath) && runIdCol) {
    let maxId = -1;
    for (let i = 0; i < n; i++) maxId = Math.max(maxId, runIdCol[i]);
    const groupOfRun = new Int32Array(maxId + 1).fill(-1);
    const dt = new Float64Array(maxId + 1).fill(Number.NaN);
    const unit = new Float64Array(maxId + 1).fill(Number.NaN);
    const baseDt = Number((manifest?.config as { dtSeconds?: unknown } | undefined)?.dtSeconds);
    const dtCol = 'dtSeconds' in C ? (C.dtSeconds as Float64Array) : undefined;
    groupRows.forEach((rows, g) => {
      for (const i of rows) {
        if (!isOk(i)) continue;
        groupOfRun[runIdCol[i]] = g;
        dt[runIdCol[i]] = dtCol ? dtCol[i] : baseDt;
        unit[runIdCol[i]] = unitOf(i);
      }
    });
    adlOutcomes(eventsPath, groupOfRun, dt, groups.length, level, unit).forEach((o, g) => {
      groups[g].adl = o;
    });
  }

  // paired comparisons: match by run index and the swept fields not grouped by
  const comparisons: Comparison[] = [];
  const runCol = C.run as Float64Array | undefined;
  const rest = fields.filter((f) => !by.includes(f));
  const pairKey = (i: number) => `${runCol ? runCol[i] : i}|${rest.map((f) => String(C[f][i])).join('|')}`;
  // asked-for metrics must exist; the default list keeps those this file has
  const asked = opts.compare === 'all' ? metrics : opts.compare;
  for (const m of asked ?? [])
    if (!(m in cols))
      throw new Error(
        `--compare ${m}: no such metric in runs.arrow; metrics: ${metrics.join(', ')} (or all)`,
      );
  const compare = asked ?? DEFAULT_COMPARE.filter((m) => m in cols);
  for (let g = 1; g < groups.length; g++) {
    const r = opts.reference === 'previous' ? g - 1 : 0;
    const a = groupRows[g].filter(isOk);
    const b = groupRows[r].filter(isOk);
    const ak = a.map(pairKey);
    const bk = b.map(pairKey);
    const au = a.map(unitOf);
    for (const m of compare) {
      const col = cols[m];
      const d = pairedDifference(
        a.map((i) => col[i]),
        ak,
        b.map((i) => col[i]),
        bk,
        level,
        au,
      );
      comparisons.push({ metric: m, group: groups[g].label, reference: groups[r].label, difference: d });
    }
  }

  return {
    dir,
    experiment: typeof manifest?.experiment === 'string' ? manifest.experiment : null,
    fields,
    crn: typeof manifest?.crn === 'boolean' ? manifest.crn : null,
    by,
    level,
    metrics,
    payers,
    lossTerms: lossTermsOf(t),
    groups,
    comparisons,
    methods: {
      mean: MEAN_INTERVAL_METHOD,
      probability: PROBABILITY_INTERVAL_METHOD,
      comparison: PAIRED_DIFFERENCE_METHOD,
    },
  };
}

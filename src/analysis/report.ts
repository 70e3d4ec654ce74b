/**
 * `report(dir)`: writes `dir/report/` — figures as SVG (Vega-Lite rendered in Node) and PNG (the SVG
 * rendered by resvg, for a paper), and an `index.html` that shows the figures inline, each with a caption
 * that says what was run, then a key of the swept fields and the tables, collapsed. Self-contained: no
 * scripts, no network, opens from the file system.
 *
 * Which figures, by design of the results:
 * - one point: histogram of the loss; tail; who paid; time series in hours;
 * - a sweep of few points (≤ 30): box plots of the loss per point; of more, box plots per value of each
 *   swept field (other fields pooled), never one panel per point;
 * - tail: every group when there are at most 6, else the best, median and worst point by mean loss;
 * - a grid of two fields: heatmaps of the mean loss and P(insolvency); of one or three and more fields
 *   (and zipped lists): the main effect of each field (others pooled) on the mean loss and P(insolvency),
 *   and for three or more the strongest two-field interaction of the mean loss as a heatmap — the pair
 *   whose interaction residual m(a,b) − m(a) − m(b) + m of the cell means of the loss has the largest range;
 * - a space-filling design (lhs, sobol): scatter of each point's mean against each field with a LOESS
 *   smoother, on a log axis where the design's range was log-scaled (detected from the points, see
 *   {@link logScaled});
 * - a game (equilibria.json): each role's payoff per strategy against the swept parameter, the venue's
 *   loss under each equilibrium against the best profile, the equilibrium map, and the CLI's tables.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BackstopInputError } from '../errors.js';
import { axisTitle } from '../metrics.js';
import { notADirectory, readRegularFile, writeFileAtomic } from '../safe-fs.js';
import { BUILTIN_PAYERS, UNPAID_SEGMENTS } from '../waterfall/payers.js';
import {
  type Analysis,
  analyze,
  checkResultsFiles,
  type FieldValue,
  lossColumn,
  readManifest,
  readResultsJson,
} from './analyze.js';
import { readArrowFile } from './arrow-io.js';
import { fieldKey, fieldTitle, shortNames } from './field-titles.js';
import {
  type BandRow,
  type Bin,
  boxFigure,
  equilibriumMapFigure,
  type FieldAxis,
  type Figure,
  heatmapFigure,
  histogramFigure,
  lossTailFigure,
  mainEffectsFigure,
  marginalBoxFigure,
  type PayoffRow,
  payoffFigure,
  pointsFigure,
  renderPng,
  renderSvg,
  scatterFigure,
  seriesFigure,
  type VenueLossRow,
  venueLossFigure,
  whoPaidFigure,
} from './figures.js';
import type { EquilibriaFile, PointEquilibria } from './game-run.js';
import { type CellTable, equilibriaTable, payoffTable } from './game-tables.js';
import { fmtNumber } from './render.js';

/** Options of {@link report}. */
export interface ReportOptions {
  /** Where to write (default `dir/report`). */
  out?: string;
  /** Sample runs drawn in the time-series figure (6). */
  sampleRuns?: number;
  /** Series drawn in the time-series figure (mark, insurance_fund, vault_equity, open_interest, when present). */
  series?: string[];
}

/** What {@link report} wrote. */
export interface ReportResult {
  /** The report directory. */
  dir: string;
  /** Path of index.html. */
  index: string;
  /** The figures written, as paths of their SVG files (each has a PNG beside it). */
  figures: string[];
}

/**
 * The segments of the who-paid bar, as [column, label]: the payers' columns runs.arrow marks (the built-in
 * payers and every plug-in payer's own, in column order), then what nobody paid and what is still open.
 */
function whoPaidSegments(a: Analysis): [string, string][] {
  // (an analysis made before the payers were listed: the built-in ones)
  return [...(a.payers ?? Object.values(BUILTIN_PAYERS)), ...UNPAID_SEGMENTS].map((p) => [p.column, p.label]);
}

/** Most groups drawn one by one (a box, a bar each); past this, per value of each swept field. */
const MAX_GROUPS = 30;
/** Most groups in the tail figure; past this, the best, median and worst point by mean loss. */
const MAX_TAIL_GROUPS = 6;
/** Most points of a zip sweep drawn one by one (its fields move together: pooling per field would confound them). */
const MAX_ZIP_GROUPS = 80;

/** What a caption says of the intervals it draws (the full methods are stated above the figures). */
function intervalsNote(a: Analysis): string {
  const pooled =
    a.crn === true
      ? 'where other swept fields are pooled, the runs that share a seed (common random numbers) are one cluster: cluster-robust standard errors, t on the number of seeds less one'
      : 'where other swept fields are pooled, the runs that share a seed are one cluster: cluster-robust standard errors, t on the number of seeds less one';
  return `${Math.round(a.level * 100)}% intervals; ${pooled}. A loss's interval is on the log scale, so it never goes below 0; P(insolvency) has a Wilson interval.`;
}

/** The interval methods, in words, from the analysis. */
function methodsText(a: Analysis): string {
  return `Intervals are ${Math.round(a.level * 100)}%. Means: ${a.methods.mean}. P(insolvency): ${a.methods.probability}. Paired differences: ${a.methods.comparison}. VaR is the lower empirical quantile of the loss; ES the mean of the worst (1 − α) share.`;
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function htmlTable(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A collapsed table: `<details>` with its title and row count in the summary. */
function details(title: string, t: CellTable, open = false, cls?: string): string {
  return `<details${cls ? ` class="${cls}"` : ''}${open ? ' open' : ''}><summary>${esc(title)} (${t.rows.length} row${t.rows.length === 1 ? '' : 's'})</summary>${htmlTable(t.head, t.rows)}</details>`;
}

const ci = (e: number, lo: number, hi: number) =>
  Number.isFinite(lo) ? `${fmtNumber(e)} [${fmtNumber(lo)}, ${fmtNumber(hi)}]` : fmtNumber(e);
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toPrecision(3)}%` : '–');

/** What a results directory's manifest says about the run, for captions and axes. */
interface RunInfo {
  experiment: string | null;
  preset: string | null;
  kind: string;
  points: number;
  runsPerPoint: number | null;
  seed: number | null;
  /** Whether the runs shared random numbers across points (analyze's `crn`: true only when the manifest says so). */
  crn: boolean;
  config: Record<string, unknown> | undefined;
  dtSeconds: number;
  ticks: number | null;
}

function runInfo(dir: string, a: Analysis): RunInfo {
  const m = readManifest(dir);
  const config = m?.config as Record<string, unknown> | undefined;
  return {
    experiment: a.experiment,
    preset: typeof m?.preset === 'string' ? m.preset : null,
    kind:
      typeof (m?.sweep as { kind?: unknown } | undefined)?.kind === 'string'
        ? String((m!.sweep as { kind: string }).kind)
        : a.fields.length
          ? 'grid'
          : 'none',
    points: m?.sweep?.points?.length ?? a.groups.length,
    runsPerPoint: typeof m?.runsPerPoint === 'number' ? m.runsPerPoint : null,
    seed: typeof m?.masterSeed === 'number' ? m.masterSeed : null,
    crn: a.crn === true,
    config,
    dtSeconds: typeof config?.dtSeconds === 'number' ? config.dtSeconds : 1,
    ticks: typeof config?.ticks === 'number' ? config.ticks : null,
  };
}

/** The caption's account of what was run. */
function runText(r: RunInfo): string {
  const parts = [
    `${r.experiment ?? 'results'}${r.preset ? ` (preset ${r.preset})` : ''}`,
    `${r.points} sweep point${r.points === 1 ? '' : 's'}${r.kind !== 'none' && r.points > 1 ? ` (${r.kind})` : ''}`,
    r.runsPerPoint !== null ? `${r.runsPerPoint} run${r.runsPerPoint === 1 ? '' : 's'} per point` : null,
    r.seed !== null ? `master seed ${r.seed}` : null,
    r.crn && r.points > 1 ? 'common random numbers across points' : null,
  ];
  return `${parts.filter(Boolean).join(', ')}.`;
}

/**
 * Whether a field of a space-filling design was drawn on a log-scaled range: positive, spanning at least
 * a factor 10, and spread more evenly in log than in linear terms (smaller Kolmogorov distance to the
 * uniform on [min, max]); the manifest records the points, not the ranges.
 */
export function logScaled(values: number[]): boolean {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length < 4 || xs[0] <= 0 || xs[xs.length - 1] / xs[0] < 10) return false;
  const ks = (ys: number[]) => {
    const lo = ys[0];
    const span = ys[ys.length - 1] - lo;
    let d = 0;
    ys.forEach((y, i) => {
      const u = (y - lo) / span;
      d = Math.max(d, Math.abs(u - i / (ys.length - 1)));
    });
    return d;
  };
  return ks(xs.map(Math.log)) < ks(xs);
}

/**
 * A swept value for display: numbers to 4 significant digits, large and small ones as `1e12`,
 * `3.255e-4` (integers below 1e6 exactly); strings and booleans as they are.
 */
export function fmtValue(v: FieldValue): string {
  if (typeof v !== 'number' || v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3)
    return v
      .toExponential(3)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/**
 * Display formats of each swept field's values: {@link fmtValue}, or the full value for a field where
 * rounding would make two of its values read the same.
 */
function valueFormats(
  fields: string[],
  keys: Record<string, FieldValue>[],
): Map<string, (v: FieldValue) => string> {
  const out = new Map<string, (v: FieldValue) => string>();
  for (const f of fields) {
    const vs = distinct(keys.map((k) => k[f]));
    const unique = new Set(vs.map(fmtValue)).size === vs.length;
    out.set(f, unique ? fmtValue : String);
  }
  return out;
}

/** Longest `name=value, …` label of a sweep point drawn as it is; longer ones are named P1, P2, … with a key. */
const MAX_LABEL = 40;

/**
 * Labels of the sweep points: short `name=value` pairs with rounded values, or, when any is longer than
 * {@link MAX_LABEL} characters, ids P1, P2, … (the key table of the sweep points maps them to the values).
 */
export function pointLabels(a: Analysis): { labels: string[]; ids: boolean } {
  const names = shortNames(a.fields);
  const fmt = valueFormats(
    a.fields,
    a.groups.map((g) => g.key),
  );
  const long = a.groups.map((g) => {
    const ks = Object.keys(g.key);
    return ks.length
      ? ks.map((k) => `${names.get(k) ?? k}=${(fmt.get(k) ?? String)(g.key[k])}`).join(', ')
      : 'all';
  });
  const ids = a.groups.length > 1 && long.some((l) => l.length > MAX_LABEL);
  return { labels: ids ? a.groups.map((_, j) => `P${j + 1}`) : long, ids };
}

/**
 * Whether every pair of the swept fields is crossed: each combination of their values present. A zip
 * sweep (fields moving together) is not; its fields' main effects are confounded.
 */
export function crossedDesign(fields: string[], keys: Record<string, FieldValue>[]): boolean {
  for (let p = 0; p < fields.length; p++)
    for (let q = p + 1; q < fields.length; q++) {
      const [fa, fb] = [fields[p], fields[q]];
      const na = distinct(keys.map((k) => k[fa])).length;
      const nb = distinct(keys.map((k) => k[fb])).length;
      if (distinct(keys.map((k) => JSON.stringify([k[fa], k[fb]]))).length !== na * nb) return false;
    }
  return true;
}

const distinct = <T>(xs: T[]) => [...new Set(xs)];
const sortValues = (vs: FieldValue[]) =>
  vs.every((v) => typeof v === 'number') ? [...vs].sort((a, b) => (a as number) - (b as number)) : vs;

/** The figures of a results directory (data read from runs.arrow, series.arrow and equilibria.json). */
export function reportFigures(dir: string, a: Analysis, opts: ReportOptions = {}): Figure[] {
  const info = runInfo(dir, a);
  const figs: Figure[] = [];
  const t = readArrowFile(join(dir, 'runs.arrow'));
  const C = t.columns;
  const status = C.status as (string | null)[] | undefined;
  const names = shortNames(a.fields);
  const axes: FieldAxis[] = a.fields.map((f) => {
    const vals = a.groups.map((g) => g.key[f]);
    const numeric = vals.every((v) => typeof v === 'number');
    return {
      key: f,
      title: fieldTitle(f, info.config, names.get(f)),
      numeric,
      log: numeric && (info.kind === 'lhs' || info.kind === 'sobol') && logScaled(vals as number[]),
    };
  });
  const keyOf = (i: number) => JSON.stringify(a.by.map((f) => C[f][i] ?? null));
  const groupIndex = new Map<string, number>();
  a.groups.forEach((g, j) => {
    groupIndex.set(JSON.stringify(a.by.map((f) => g.key[f] ?? null)), j);
  });
  const { labels, ids } = pointLabels(a);
  const fmt = valueFormats(
    a.fields,
    a.groups.map((g) => g.key),
  );
  const show = (f: string, v: unknown) => (fmt.get(f) ?? String)(v as FieldValue);
  const spaceFilling = info.kind === 'lhs' || info.kind === 'sobol';
  // fields that move together (zip), or any design where two fields are not crossed: no main effects,
  // no interaction; the metrics per sweep point instead
  const zipped =
    !spaceFilling &&
    a.fields.length > 1 &&
    (info.kind === 'zip' ||
      !crossedDesign(
        a.fields,
        a.groups.map((g) => g.key),
      ));
  const pointTitle = ids ? 'sweep point (key below)' : 'sweep point';
  const idNote =
    'sweep points named P1, P2, … (their values in the key of the sweep points, below the figures)';
  const groupOfRow = Int32Array.from({ length: t.rows }, (_, i) => groupIndex.get(keyOf(i)) ?? 0);
  const lossTitle = axisTitle('loss');

  // the loss of every ok run
  const lossOf = lossColumn(C, t.rows);
  const ok: number[] = [];
  for (let i = 0; i < t.rows; i++)
    if ((!status || status[i] === 'ok') && Number.isFinite(lossOf[i])) ok.push(i);

  // a space-filling design has a value per point: its points pooled by fifths of each field's values
  const binOf = new Map<string, (v: unknown) => { label: string; num: number }>();
  if (spaceFilling)
    for (const f of a.fields) {
      const vs = (a.groups.map((g) => g.key[f]).filter((v) => typeof v === 'number') as number[]).sort(
        (x, y) => x - y,
      );
      if (vs.length < a.groups.length) continue;
      const cuts = [1, 2, 3, 4].map((q) => vs[Math.floor((q * vs.length) / 5)]);
      const edges = [vs[0], ...cuts, vs[vs.length - 1]];
      binOf.set(f, (v) => {
        const k = Math.min(4, cuts.filter((c) => (v as number) >= c).length);
        return { label: `${fmtValue(edges[k])}–${fmtValue(edges[k + 1])}`, num: k };
      });
    }
  // distribution
  if (a.groups.length === 1) {
    const xs = ok.map((i) => lossOf[i]);
    const max = Math.max(0, ...xs);
    const nb = 40;
    const w = max > 0 ? max / nb : 1;
    const bins: Bin[] = Array.from({ length: max > 0 ? nb : 1 }, (_, k) => ({
      lo: k * w,
      hi: (k + 1) * w,
      count: 0,
    }));
    for (const x of xs) bins[Math.min(bins.length - 1, Math.max(0, Math.floor(x / w)))].count++;
    const h = histogramFigure(bins, lossTitle);
    const zeros = xs.filter((x) => x === 0).length;
    h.note = `${zeros} of ${xs.length} runs had no loss (the first bar holds them)`;
    figs.push(h);
  } else if (a.groups.length <= MAX_GROUPS || (zipped && a.groups.length <= MAX_ZIP_GROUPS)) {
    figs.push(
      boxFigure(
        ok.map((i) => ({ group: labels[groupOfRow[i]], loss: lossOf[i] })),
        lossTitle,
        pointTitle,
        labels,
      ),
    );
  } else {
    const rows = a.fields.flatMap((f) =>
      ok.map((i) => {
        const b = binOf.get(f)?.(C[f][i]);
        return {
          field: f,
          value: b ? b.label : show(f, C[f][i]),
          num: b ? b.num : Number(C[f][i]),
          loss: lossOf[i],
        };
      }),
    );
    const mb = marginalBoxFigure(rows, axes, lossTitle);
    if (binOf.size)
      mb.note = `each panel pools the sweep points in each fifth of that field's values (quintiles of the ${a.groups.length} points)`;
    figs.push(mb);
  }

  // tail: every group up to 6; past that, per value of the swept field (of at most 6 values) whose
  // values' mean losses differ most, other fields pooled; without such a field (a space-filling design),
  // the points with the least, the median and the largest mean loss
  const meanLoss = a.groups.map((g) => g.metrics.loss.estimate);
  let tailGroups: { label: string; rows: number[] }[] = a.groups.map((_, j) => ({
    label: labels[j],
    rows: ok.filter((i) => groupOfRow[i] === j),
  }));
  let tailNote: string | null = null;
  if (a.groups.length > MAX_TAIL_GROUPS) {
    let best: { f: string; range: number; values: string[] } | null = null;
    for (const f of zipped ? [] : a.fields) {
      const values = sortValues(distinct(a.groups.map((g) => g.key[f]))).map(String);
      if (values.length < 2 || values.length > MAX_TAIL_GROUPS) continue;
      const means = values.map((v) => {
        const rs = ok.filter((i) => String(C[f][i]) === v);
        return rs.reduce((x, i) => x + lossOf[i], 0) / Math.max(1, rs.length);
      });
      const range = Math.max(...means) - Math.min(...means);
      if (!best || range > best.range) best = { f, range, values };
    }
    if (best) {
      const { f, values } = best;
      const values0 = new Map(a.groups.map((g) => [String(g.key[f]), g.key[f]]));
      tailGroups = values.map((v) => ({
        label: `${names.get(f)}=${show(f, values0.get(v))}`,
        rows: ok.filter((i) => String(C[f][i]) === v),
      }));
      tailNote = `one line per value of ${names.get(f)}, the swept field whose values' mean losses differ most, other swept fields pooled`;
    } else {
      const order = a.groups.map((_, j) => j).sort((x, y) => meanLoss[x] - meanLoss[y]);
      const pick = [order[0], order[Math.floor((order.length - 1) / 2)], order[order.length - 1]];
      tailGroups = pick.map((j, k) => ({
        label: `${['least', 'median', 'largest'][k]} mean loss: ${labels[j]}`,
        rows: ok.filter((i) => groupOfRow[i] === j),
      }));
      tailNote = `the sweep points with the least, the median and the largest mean loss of ${a.groups.length}${zipped ? ' (the swept fields move together: no field is pooled over)' : ''}`;
    }
  }
  const tail: { group: string; loss: number; exceedance: number }[] = [];
  for (const { label, rows } of tailGroups) {
    const xs = rows.map((i) => lossOf[i]).sort((x, y) => x - y);
    const n = xs.length;
    for (let i = 0; i < n; i++)
      if (xs[i] > 0 && (i === n - 1 || xs[i + 1] !== xs[i])) {
        // P(L ≥ x_i) with ties: the share of runs at or above the first of equal values
        let k = i;
        while (k > 0 && xs[k - 1] === xs[i]) k--;
        tail.push({ group: label, loss: xs[i], exceedance: (n - k) / n });
      }
  }
  const tf = lossTailFigure(
    tail,
    lossTitle,
    a.groups.length <= 1
      ? 'group'
      : a.groups.length > MAX_TAIL_GROUPS && tailNote?.startsWith('one line')
        ? 'swept value'
        : 'sweep point',
  );
  if (tail.length === 0) tf.title += ' — no run had a loss';
  const lossless = tailGroups.filter((g) => !tail.some((r) => r.group === g.label)).map((g) => g.label);
  const notes = [
    tailNote,
    lossless.length && tail.length ? `not drawn, no run had a loss: ${lossless.join('; ')}` : null,
  ].filter(Boolean);
  if (notes.length) tf.note = notes.join('; ');
  figs.push(tf);

  // metrics against the swept fields
  const byField = new Map<string, Analysis>();
  const by1 = (f: string) => {
    if (!byField.has(f)) byField.set(f, analyze(dir, { by: [f], level: a.level, compare: [] }));
    return byField.get(f)!;
  };
  const insolvencyTitle = 'P(insolvency): share of runs with a loss';
  if (a.fields.length > 0 && spaceFilling) {
    const rows = (metric: (j: number) => { estimate: number; low: number; high: number }) =>
      a.groups.map((g, j) => {
        const m = metric(j);
        const r: Record<string, number> = { metric: m.estimate, low: m.low, high: m.high };
        // keyed f0, f1, …: Vega-Lite reads a dotted field name as a nested path
        a.fields.forEach((f, k) => {
          r[`f${k}`] = g.key[f] as number;
        });
        return r;
      });
    const numericAxes = axes.map((x, k) => ({ ...x, key: `f${k}` })).filter((x) => x.numeric);
    figs.push(
      scatterFigure(
        'scatter-loss',
        `mean ${lossTitle}`,
        rows((j) => a.groups[j].metrics.loss),
        numericAxes,
        true,
        [0, Number.POSITIVE_INFINITY],
      ),
    );
    figs.push(
      scatterFigure(
        'scatter-insolvency',
        insolvencyTitle,
        rows((j) => a.groups[j].insolvency),
        numericAxes,
        true,
        [0, 1],
      ),
    );
  } else if (zipped) {
    const per = (m: (j: number) => { estimate: number; low: number; high: number }) =>
      a.groups.map((_, j) => ({ group: labels[j], ...m(j) }));
    const zipNote = `the swept fields (${a.fields.map((f) => names.get(f)).join(', ')}) ${info.kind === 'zip' ? 'move together (a zip sweep)' : 'are not crossed (not every combination of two fields is present)'}, so none is varied on its own: the metric per sweep point, no main effects of a field and no interaction`;
    for (const [name, title, m] of [
      ['points-loss', `mean ${lossTitle}`, (j: number) => a.groups[j].metrics.loss],
      ['points-insolvency', insolvencyTitle, (j: number) => a.groups[j].insolvency],
    ] as const) {
      const f = pointsFigure(name, title, per(m), pointTitle, labels);
      f.note = zipNote;
      figs.push(f);
    }
  } else if (a.fields.length === 2 && info.kind === 'grid') {
    const [f1, f2] = a.fields;
    const order = (f: string) => sortValues(distinct(a.groups.map((g) => g.key[f]))).map((v) => show(f, v));
    const cells = (v: (j: number) => number, fmt: (x: number) => string) =>
      a.groups.map((g, j) => ({
        x: show(f1, g.key[f1]),
        y: show(f2, g.key[f2]),
        value: v(j),
        label: fmt(v(j)),
      }));
    const [x1, x2] = axes;
    figs.push(
      heatmapFigure(
        'heatmap-loss',
        `Mean ${lossTitle} over the grid`,
        cells((j) => meanLoss[j], fmtNumber),
        x1.title,
        x2.title,
        `mean ${lossTitle}`,
        {
          xOrder: order(f1),
          yOrder: order(f2),
        },
      ),
      heatmapFigure(
        'heatmap-insolvency',
        'Probability of insolvency over the grid',
        cells((j) => a.groups[j].insolvency.estimate, pct),
        x1.title,
        x2.title,
        'P(insolvency)',
        { percent: true, xOrder: order(f1), yOrder: order(f2) },
      ),
    );
  } else if (a.fields.length > 0) {
    const loss: BandRow[] = [];
    const ins: BandRow[] = [];
    for (const f of a.fields)
      for (const g of by1(f).groups) {
        const x = g.key[f] as number | string;
        const s = g.metrics.loss;
        loss.push({ field: f, x, estimate: s.estimate, low: s.low, high: s.high });
        ins.push({
          field: f,
          x,
          estimate: g.insolvency.estimate,
          low: g.insolvency.low,
          high: g.insolvency.high,
        });
      }
    figs.push(
      mainEffectsFigure('effects-loss', `mean ${lossTitle}`, loss, axes, true),
      mainEffectsFigure('effects-insolvency', insolvencyTitle, ins, axes, true),
    );
    const pair = a.fields.length >= 3 ? strongestInteraction(a.fields, C, ok, lossOf) : null;
    if (pair) {
      const [f1, f2] = pair.fields;
      const two = analyze(dir, { by: [f1, f2], level: a.level, compare: [] });
      const order = (f: string) =>
        sortValues(distinct(two.groups.map((g) => g.key[f]))).map((v) => show(f, v));
      const h = heatmapFigure(
        'interaction-loss',
        `Strongest two-field interaction: mean ${lossTitle} over ${names.get(f1)} × ${names.get(f2)} (other swept fields pooled)`,
        two.groups.map((g) => ({
          x: show(f1, g.key[f1]),
          y: show(f2, g.key[f2]),
          value: g.metrics.loss.estimate,
          label: fmtNumber(g.metrics.loss.estimate),
        })),
        axes[a.fields.indexOf(f1)].title,
        axes[a.fields.indexOf(f2)].title,
        `mean ${lossTitle}`,
        { xOrder: order(f1), yOrder: order(f2) },
      );
      h.note = `the pair whose interaction residual of the mean loss, m(a,b) − m(a) − m(b) + m, has the largest range (${fmtNumber(pair.range)} USD) of the ${pair.pairs} crossed pair${pair.pairs === 1 ? '' : 's'} (every combination of their values present)`;
      figs.push(h);
    }
  }

  // who paid
  const PAYERS = whoPaidSegments(a);
  const paid: {
    group: string;
    payer: string;
    amount: number;
    order: number;
    field?: string;
    num?: number;
  }[] = [];
  const many =
    a.groups.length > MAX_GROUPS && a.fields.length > 0 && !(zipped && a.groups.length <= MAX_ZIP_GROUPS);
  if (many) {
    for (const f of a.fields.filter((x) => binOf.has(x))) {
      // fifths of a space-filling design's field: the mean of each payer's column over their runs
      const bin = binOf.get(f)!;
      const bins = new Map<number, { label: string; rows: number[] }>();
      for (const i of ok) {
        const b = bin(C[f][i]);
        const e = bins.get(b.num) ?? { label: b.label, rows: [] };
        e.rows.push(i);
        bins.set(b.num, e);
      }
      for (const [num, { label, rows }] of [...bins].sort((x, y) => x[0] - y[0]))
        PAYERS.forEach(([m, payer], order) => {
          const col = C[m] as ArrayLike<number> | undefined;
          const mean = col ? rows.reduce((t, i) => t + (Number(col[i]) || 0), 0) / rows.length : 0;
          paid.push({ field: f, group: label, num, payer, amount: Math.max(0, mean), order });
        });
    }
    for (const f of a.fields.filter((x) => !binOf.has(x)))
      for (const g of by1(f).groups)
        PAYERS.forEach(([m, payer], order) => {
          paid.push({
            field: f,
            group: show(f, g.key[f]),
            num: Number(g.key[f]),
            payer,
            amount: Math.max(0, g.metrics[m]?.estimate ?? 0),
            order,
          });
        });
  } else
    a.groups.forEach((g, j) => {
      PAYERS.forEach(([m, payer], order) => {
        paid.push({ group: labels[j], payer, amount: Math.max(0, g.metrics[m]?.estimate ?? 0), order });
      });
    });
  const wp = whoPaidFigure(
    paid,
    a.groups.length > 1 ? pointTitle : 'group',
    many ? axes : undefined,
    PAYERS.map(([, label]) => label),
  );
  if (many && binOf.size) wp.note = "each panel pools the sweep points in each fifth of that field's values";
  if (a.groups.every((g) => !(g.metrics.shortfall.estimate > 0))) wp.title += ' — no shortfall in any run';
  figs.push(wp);

  // time series of sample runs, in hours
  const seriesPath = join(dir, 'series.arrow');
  if (existsSync(seriesPath)) {
    const s = readArrowFile(seriesPath);
    const want = (opts.series ?? ['mark', 'insurance_fund', 'vault_equity', 'open_interest']).filter(
      (c) => c in s.columns,
    );
    const runIds = s.columns.run_id as Float64Array;
    const ticks = s.columns.tick as Float64Array;
    const sample = [...new Set(runIds)].slice(0, opts.sampleRuns ?? 6);
    const keep = new Set(sample);
    const rows: { run: string; hours: number; series: string; value: number }[] = [];
    let lastTick = 0;
    for (let i = 0; i < s.rows; i++) {
      lastTick = Math.max(lastTick, ticks[i]);
      if (!keep.has(runIds[i])) continue;
      for (const c of want) {
        const v = (s.columns[c] as Float64Array)[i];
        if (Number.isFinite(v))
          rows.push({
            run: String(runIds[i]),
            hours: (ticks[i] * info.dtSeconds) / 3600,
            series: c,
            value: v,
          });
      }
    }
    const hours = ((info.ticks ?? lastTick) * info.dtSeconds) / 3600;
    if (rows.length) {
      const fig = seriesFigure(
        rows,
        want
          .filter((c) => rows.some((r) => r.series === c))
          .map((c) => ({ key: c, title: axisTitle(c, 'series') })),
        hours,
      );
      const recorded = new Set(runIds).size;
      const lo = Math.min(...sample);
      const hi = Math.max(...sample);
      fig.note = `the first ${sample.length} of the ${recorded} run${recorded === 1 ? '' : 's'} with series (run_id ${lo === hi ? lo : `${lo}–${hi}`}, in run_id order${a.fields.length ? ', so from the first sweep points' : ''})`;
      figs.push(fig);
    }
  }

  // the game of the same directory
  const eqPath = join(dir, 'equilibria.json');
  if (existsSync(eqPath))
    figs.push(...gameFigures(readResultsJson(eqPath) as unknown as EquilibriaFile, info.config));
  const run = runText(info);
  if (ids)
    for (const f of figs)
      if (
        f.name === 'loss-distribution' ||
        f.name.startsWith('points-') ||
        f.name === 'who-paid' ||
        (f.name === 'loss-tail' && !tailNote?.startsWith('one line'))
      )
        f.note = f.note ? `${f.note}; ${idNote}` : idNote;
  for (const f of figs)
    f.note = `${run}${f.note ? ` Shown: ${f.note}.` : ''}${/intervals/.test(f.title) ? ` ${intervalsNote(a)}` : ''}`;
  return figs;
}

/**
 * The two swept fields with the strongest interaction on the mean loss: for each pair, the cell means
 * m(a,b) of the loss pooled over the other fields, the residual m(a,b) − m(a) − m(b) + m, and its range
 * (max − min); the pair with the largest range, among the pairs that are crossed (every combination of
 * their values present: the residual of a pair that is not is confounded). Null when every range is 0.
 */
export function strongestInteraction(
  fields: string[],
  C: Record<string, ArrayLike<unknown>>,
  rows: number[],
  loss: Float64Array,
): { fields: [string, string]; range: number; pairs: number } | null {
  const mean = (key: (i: number) => string) => {
    const s = new Map<string, [number, number]>();
    for (const i of rows) {
      const k = key(i);
      const e = s.get(k) ?? [0, 0];
      e[0] += loss[i];
      e[1]++;
      s.set(k, e);
    }
    return new Map([...s].map(([k, [sum, n]]) => [k, sum / n]));
  };
  const grand = rows.reduce((s, i) => s + loss[i], 0) / Math.max(1, rows.length);
  let best: { fields: [string, string]; range: number } | null = null;
  let pairs = 0;
  for (let p = 0; p < fields.length; p++)
    for (let q = p + 1; q < fields.length; q++) {
      const [fa, fb] = [fields[p], fields[q]];
      const ma = mean((i) => String(C[fa][i]));
      const mb = mean((i) => String(C[fb][i]));
      const mab = mean((i) => JSON.stringify([C[fa][i], C[fb][i]]));
      if (mab.size !== ma.size * mb.size) continue;
      pairs++;
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const [k, m] of mab) {
        const [va, vb] = JSON.parse(k) as unknown[];
        const r = m - ma.get(String(va))! - mb.get(String(vb))! + grand;
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
      const range = hi - lo;
      if (range > 0 && (!best || range > best.range)) best = { fields: [fa, fb], range };
    }
  return best ? { ...best, pairs } : null;
}

/** x axis and panels of a game's figures: the first swept field on x, one panel per value of the others. */
function gameAxes(eq: EquilibriaFile, config?: unknown) {
  const names = shortNames(eq.fields);
  const [xf, ...rest] = eq.fields;
  const numeric = xf !== undefined && eq.points.every((p) => typeof p.point[xf] === 'number');
  const x: FieldAxis = xf
    ? { key: xf, title: fieldTitle(xf, config, names.get(xf)), numeric }
    : { key: 'point', title: 'sweep point', numeric: false };
  const xOf = (p: PointEquilibria) => (xf ? (p.point[xf] as number | string) : 'all');
  const panelOf = (p: PointEquilibria) =>
    rest.length ? rest.map((f) => `${names.get(f)}=${fmtValue(p.point[f] as FieldValue)}`).join(', ') : '';
  const panelTitle = rest.length ? rest.map((f) => fieldTitle(f, config, names.get(f))).join('; ') : null;
  return { x, xOf, panelOf, panelTitle };
}

/**
 * The figures of a game (equilibria.json): each role's payoff per strategy against the swept parameter,
 * the venue's loss under the equilibria against the best profile, and the equilibrium map.
 */
function gameFigures(eq: EquilibriaFile, config?: unknown): Figure[] {
  if (eq.points.length === 0) return [];
  const { x, xOf, panelOf, panelTitle } = gameAxes(eq, config);
  const pay: PayoffRow[] = [];
  for (const p of eq.points)
    for (const s of p.profiles)
      for (const role of eq.roles) {
        const m = s.payoffs[role];
        pay.push({
          role,
          strategy: s.profile[role],
          profile: s.label,
          against: eq.roles
            .filter((r) => r !== role)
            .map((r) => `${r}=${s.profile[r]}`)
            .join(', '),
          x: xOf(p),
          panel: panelOf(p),
          payoff: m.estimate,
          low: m.low,
          high: m.high,
        });
      }
  const loss: VenueLossRow[] = [];
  for (const p of eq.points) {
    const add = (kind: string, label: string) => {
      const s = p.profiles.find((q) => q.label === label);
      if (s)
        loss.push({
          x: xOf(p),
          panel: panelOf(p),
          kind,
          profile: label,
          loss: s.venue.loss.estimate,
          low: s.venue.loss.low,
          high: s.venue.loss.high,
        });
    };
    if (p.best) add('best profile for the venue', p.best);
    for (const e of p.pure) add('pure equilibrium', e);
    if (p.pure.length === 0 && p.mixed)
      loss.push({
        x: xOf(p),
        panel: panelOf(p),
        kind: 'mixed equilibrium (expected)',
        profile: 'mixed',
        loss: p.mixed.venue.loss,
        low: Number.NaN,
        high: Number.NaN,
      });
  }
  const panels = distinct(eq.points.map(panelOf));
  const xOrder = distinct(
    sortValues(eq.points.map((p) => (x.key === 'point' ? 'all' : p.point[x.key]))).map((v) =>
      fmtValue(v as FieldValue),
    ),
  );
  const map = eq.points.flatMap((p) =>
    p.profiles.map((s) => ({
      x: fmtValue(xOf(p)),
      panel: panelOf(p),
      profile: s.label,
      regret: s.regret,
      label: `${fmtNumber(s.regret)}${s.equilibrium ? ' NE' : ''}`,
      equilibrium: s.equilibrium,
    })),
  );
  const figs = [
    payoffFigure(pay, x, panelTitle, panels, eq.roles),
    venueLossFigure(loss, x, panelTitle, panels, `mean ${axisTitle('loss')}`),
    equilibriumMapFigure(map, x.title, panelTitle, panels, xOrder),
  ];
  const profiles = eq.points[0].profiles.length;
  const run = `${eq.experiment ?? 'game'}: ${eq.points.length} sweep point${eq.points.length === 1 ? '' : 's'} × ${profiles} profiles × ${eq.runs} runs per profile, master seed ${eq.seed}, common random numbers across profiles. Payoffs: PnL − outside option per agent; intervals as the game computes them (stated above the figures).`;
  for (const f of figs) f.note = `${run}${f.note ? ` Shown: ${f.note}.` : ''}`;
  return figs;
}

function summaryTables(a: Analysis): string {
  const parts: string[] = [];
  parts.push(
    details('Loss and insolvency per group', {
      head: [
        'group',
        'runs',
        'failed',
        'P(insolvency) [95% CI]',
        `mean ${axisTitle('loss')} [95% CI]`,
        'VaR95 (USD)',
        'ES95 (USD)',
        'VaR99 (USD)',
        'ES99 (USD)',
      ],
      rows: a.groups.map((g) => [
        g.label,
        String(g.ok),
        String(g.failed),
        `${pct(g.insolvency.estimate)} [${pct(g.insolvency.low)}, ${pct(g.insolvency.high)}]`,
        ci(g.metrics.loss.estimate, g.metrics.loss.low, g.metrics.loss.high),
        fmtNumber(g.risk[0].var),
        fmtNumber(g.risk[0].es),
        fmtNumber(g.risk[1].var),
        fmtNumber(g.risk[1].es),
      ]),
    }),
  );
  const roles = a.groups.flatMap((g) =>
    g.roles.map((r) => [
      g.label,
      r.role,
      r.agents === null ? '–' : fmtNumber(r.agents),
      r.outsideOption === null ? '–' : fmtNumber(r.outsideOption),
      ci(r.excess.estimate, r.excess.low, r.excess.high),
      r.perAgent ? ci(r.perAgent.estimate, r.perAgent.low, r.perAgent.high) : '–',
    ]),
  );
  if (roles.length)
    parts.push(
      details('Participation: PnL − outside option (USD)', {
        head: ['group', 'role', 'agents', 'outside option (USD)', 'whole role (USD)', 'per agent (USD)'],
        rows: roles,
      }),
    );
  if (a.comparisons.length)
    parts.push(
      details(
        a.crn === false
          ? 'Paired differences (runs matched by run index; no common random numbers)'
          : 'Paired differences on common random numbers',
        {
          head: ['metric', 'group', 'reference', 'pairs', 'mean difference [95% CI]'],
          rows: a.comparisons.map((c) => [
            axisTitle(c.metric),
            c.group,
            c.reference,
            String(c.difference.n),
            ci(c.difference.estimate, c.difference.low, c.difference.high),
          ]),
        },
      ),
    );
  return parts.join('\n');
}

/** The game's tables, as the CLI prints them. */
function gameTables(eq: EquilibriaFile): string {
  return [
    details('Equilibria per sweep point', equilibriaTable(eq), true),
    details('Payoffs per profile and role (PnL − outside option per agent, USD)', payoffTable(eq)),
  ].join('\n');
}

/**
 * Writes the report of a results directory: `report/figures/*.svg` and `*.png`, and `report/index.html`
 * (the figures inline with captions, then the key of the swept fields and the tables, collapsed). A
 * directory written by `game` alone (equilibria.json, no runs.arrow) gets the game's figures and tables.
 *
 * @throws Error when neither runs.arrow nor equilibria.json is there
 */
export async function report(dir: string, opts: ReportOptions = {}): Promise<ReportResult> {
  // damaged results files are bad input, found before anything is created
  await checkResultsFiles(dir);
  const eqPath = join(dir, 'equilibria.json');
  const gameOnly = !existsSync(join(dir, 'runs.arrow')) && existsSync(eqPath);
  const a = gameOnly ? null : analyze(dir);
  const eq = existsSync(eqPath) ? (readResultsJson(eqPath) as unknown as EquilibriaFile) : null;
  const config = readManifest(dir)?.config;
  const out = opts.out ?? join(dir, 'report');
  const figDir = join(out, 'figures');
  // a planted link at the report's folder in DIR, or at its figures, would send every file elsewhere
  const inDir = resolve(out) === resolve(dir, 'report');
  for (const d of opts.out === undefined || inDir ? [out, figDir] : [figDir]) {
    if (notADirectory(d))
      throw new BackstopInputError(
        [
          {
            path: d,
            message: 'exists and is not a directory (a link or a file); remove it or give another --out',
          },
        ],
        'invalid report directory',
      );
  }
  // an index.html backstop-sim did not write is the user's: never overwritten
  const prior = readRegularFile(join(out, 'index.html'));
  if (prior && !prior.toString('utf8').includes('<title>backstop-sim report: '))
    throw new BackstopInputError(
      [
        {
          path: join(out, 'index.html'),
          message: 'exists and is not a backstop-sim report; give another --out or move it away',
        },
      ],
      'invalid report directory',
    );
  mkdirSync(figDir, { recursive: true });
  const figs = a ? reportFigures(dir, a, opts) : eq ? gameFigures(eq, config) : [];
  const written: string[] = [];
  const sections: string[] = [];
  for (const [k, f] of figs.entries()) {
    const svg = await renderSvg(f.spec);
    const p = join(figDir, `${f.name}.svg`);
    writeFileAtomic(p, svg);
    writeFileAtomic(join(figDir, `${f.name}.png`), await renderPng(svg));
    written.push(p);
    sections.push(
      `<figure id="fig-${esc(f.name)}" class="figure">${svg}<figcaption><b>Figure ${k + 1}.</b> ${esc(f.title)}. ${esc(
        f.note ?? '',
      )} <a href="figures/${esc(f.name)}.svg">SVG</a> · <a href="figures/${esc(f.name)}.png">PNG</a></figcaption></figure>`,
    );
  }
  const fields = a?.fields ?? eq?.fields ?? [];
  const key = fields.length
    ? details(
        'Key of the swept fields',
        { head: ['short name', 'config path', 'description'], rows: fieldKey(fields, config) },
        true,
        'key',
      )
    : '';
  const pl = a ? pointLabels(a) : null;
  const pointKey =
    a && pl?.ids
      ? details(
          'Key of the sweep points',
          {
            head: ['point', ...a.fields.map((f) => shortNames(a.fields).get(f)!)],
            rows: a.groups.map((g, j) => [pl.labels[j], ...a.fields.map((f) => String(g.key[f]))]),
          },
          true,
          'key',
        )
      : '';
  const title = `backstop-sim report: ${a?.experiment ?? eq?.experiment ?? dir}`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="backstop-sim">
<title>${esc(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1340px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
details.key th, details.key td { text-align: left; }
figure { margin: 1.5rem 0 2.5rem; overflow-x: auto; }
figcaption { font-size: 0.9rem; color: #444; max-width: 1100px; margin-top: 0.4rem; }
details { margin: 0.6rem 0; }
summary { cursor: pointer; font-weight: 600; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${
  a
    ? `<p>${a.groups.reduce((s, g) => s + g.runs, 0)} runs in ${a.groups.length} group(s)${
        a.by.length ? ` by ${esc(a.by.join(', '))}` : ''
      }. Loss = ${esc(a.lossTerms.map((c) => c.replace(/_/g, ' ')).join(' + '))} at the end (USD). ${esc(methodsText(a))}</p>`
    : `<p>An empirical game: ${eq ? eq.points.length : 0} sweep point(s), ${eq?.runs ?? 0} runs per profile. Payoffs are PnL − outside option per agent (USD); loss = socialized loss + unpaid + open deficit (USD). Payoff intervals are 95% t-intervals over the profile's runs; the venue's mean loss has its 95% interval on the log scale (a loss is never negative), P(insolvency) a Wilson interval.</p>`
}
<h2>Figures</h2>
${sections.join('\n')}
<h2>Tables</h2>
${key}
${pointKey}
${a ? summaryTables(a) : ''}
${eq ? gameTables(eq) : ''}
</body>
</html>
`;
  const index = join(out, 'index.html');
  writeFileAtomic(index, html);
  return { dir: out, index, figures: written };
}

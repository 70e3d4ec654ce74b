/**
 * Figures as Vega-Lite specs, rendered to SVG in Node by vega's headless view (no canvas, no network: all
 * data inline), and to PNG from that SVG with resvg. Every axis is titled (metric labels and units from
 * the metadata table in src/metrics.ts, swept fields from the config schema's descriptions); no label or
 * legend is truncated (limits are lifted in {@link CONFIG}); facets are bounded so that no figure is taller
 * than two screens at 1400 px.
 */
import type { TopLevelSpec } from 'vega-lite';
import { BUILTIN_PAYERS, UNPAID_SEGMENTS } from '../waterfall/payers.js';

/** A figure: a file-safe name, a title, its Vega-Lite spec, and what its caption says beyond the run. */
export interface Figure {
  /** File name without extension (`loss-distribution`). */
  name: string;
  /** Title shown in the report's caption. */
  title: string;
  /** The Vega-Lite spec, data inline. */
  spec: TopLevelSpec;
  /** What the figure pools or shows, for the caption (e.g. "other swept fields pooled"). */
  note?: string;
}

/**
 * Renders a Vega-Lite spec to an SVG string in Node (vega's headless View.toSVG). vega and vega-lite are
 * loaded on first use: the engine, the runner and every worker thread import this package's entry, and
 * loading the plotting libraries there cost ~60 MB of memory per thread for nothing.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  // without a canvas vega guesses 0.8 em per character, half as wide again as DejaVu Sans (the font a
  // browser and resvg draw with here): layouts then had empty space, or an axis title over its labels
  (vega as unknown as { textMetrics: { width: typeof textWidth } }).textMetrics.width = textWidth;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Renders an SVG string to PNG bytes with resvg (a Rust SVG renderer, prebuilt for each platform on npm),
 * at `scale` times the SVG's size (2: print quality at the figure's size), with the system's sans-serif
 * font. Loaded on first use, as vega is.
 */
export async function renderPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}

const distinctCount = (xs: unknown[]) => new Set(xs).size;

/** Advance widths of DejaVu Sans (em) of the characters figures draw; others count as 0.65 em. */
const EM: Record<string, number> = {
  ' ': 0.318,
  '.': 0.318,
  ',': 0.318,
  ':': 0.337,
  ';': 0.337,
  '/': 0.337,
  '-': 0.361,
  '(': 0.39,
  ')': 0.39,
  '[': 0.39,
  ']': 0.39,
  '=': 0.838,
  '+': 0.838,
  '−': 0.838,
  '×': 0.838,
  '%': 0.95,
  '—': 1,
  '…': 1,
  _: 0.5,
  "'": 0.275,
};
const LOWER = [
  0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612,
  0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525,
];
const UPPER = [
  0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787,
  0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685,
];

/** Width (px) of a line of text in DejaVu Sans at `size` px, bold about 10% wider. */
export function textPx(text: string, size: number, bold = false): number {
  let em = 0;
  for (const c of text) {
    const k = c.charCodeAt(0);
    em +=
      k >= 97 && k <= 122
        ? LOWER[k - 97]
        : k >= 65 && k <= 90
          ? UPPER[k - 65]
          : k >= 48 && k <= 57
            ? 0.636
            : (EM[c] ?? 0.65);
  }
  return em * size * (bold ? 1.1 : 1);
}

/** vega's text width of an item's line (its textMetrics.width): {@link textPx} at the item's font. */
function textWidth(item: { fontSize?: number; fontWeight?: string | number }, text: unknown): number {
  const t = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const w = item.fontWeight;
  return textPx(t, size, w === 'bold' || (typeof w === 'number' && w >= 600));
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** Vega truncates labels and legends with "…" past ~180 px by default: lifted everywhere. */
const CONFIG = {
  // maxExtent: vega keeps an axis's labels within 200 px by default and draws the title there, over longer labels
  axis: { labelLimit: 1000, titleLimit: 2000, labelFontSize: 11, titleFontSize: 12, maxExtent: 1000 },
  legend: { labelLimit: 1000, titleLimit: 1000, symbolLimit: 0, labelFontSize: 11, titleFontSize: 12 },
  header: { labelLimit: 1000, titleLimit: 1000, labelFontSize: 12, titleFontSize: 12 },
  title: { limit: 2000 },
  concat: { spacing: 28 },
  facet: { spacing: 20 },
};
const WIDTH = 560;
/** Width of a panel of a three-column small multiple: three and their axes fit in 1300 px. */
const PANEL = 270;

function spec(s: Record<string, unknown>): TopLevelSpec {
  return { $schema: SCHEMA, config: CONFIG, ...s } as TopLevelSpec;
}

/** Average width of a character of an axis title at 12 px (px), to break titles to fit their axis. */
const CHAR_PX = 6.6;

/**
 * A title broken into lines at spaces that fit `px` pixels, so that no title is wider than its axis (a
 * rotated y title longer than its panel pads the layout with empty space). A field's title
 * (`sigma: annualised volatility`) keeps its name on the first line with the start of its description.
 */
export function wrap(title: string, px: number): string | string[] {
  const max = Math.max(12, Math.floor(px / CHAR_PX));
  if (title.length <= max) return title;
  const lines: string[] = [];
  let line = '';
  for (const w of title.split(' ')) {
    if (line && `${line} ${w}`.length > max) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}

/** Tick labels of money: 0, 10, 100, 1k, 10k, 1M. */
const MONEY_LABEL =
  "datum.value >= 1e9 ? format(datum.value / 1e9, '~g') + 'G' : datum.value >= 1e6 ? format(datum.value / 1e6, '~g') + 'M' : datum.value >= 1e3 ? format(datum.value / 1e3, '~g') + 'k' : format(datum.value, '~g')";

/**
 * Tick values of a symlog axis of money: 0 and the powers of ten up to `max` (from 10 where `max` is
 * 1,000 or more: 0 and 1 lie a few pixels apart there and their labels overlap).
 */
function symlogTicks(max: number): number[] {
  const v = [0];
  for (let p = max >= 1000 ? 10 : 1; p <= Math.max(1, max) * 1.0001; p *= 10) v.push(p);
  return v.length > 8 ? [0, ...v.slice(1).filter((_, i, a) => (a.length - 1 - i) % 2 === 0)] : v;
}

/** A swept field as a figure sees it: its data key, the axis title and whether its axis is log. */
export interface FieldAxis {
  /** Key of the field in the data rows. */
  key: string;
  /** Axis title (`sigma: annualised volatility`). */
  title: string;
  /** Numeric values (else ordinal). */
  numeric: boolean;
  /** A log axis (the field's range was log-scaled). */
  log?: boolean;
}

/** One bin of a histogram. */
export interface Bin {
  lo: number;
  hi: number;
  count: number;
}

/**
 * Histogram of the loss per run (one group), bins computed by the caller; the y domain has room above
 * the tallest bar and the x domain starts half a bin below zero, so the zero bar is drawn whole.
 */
export function histogramFigure(bins: Bin[], xTitle: string): Figure {
  const w = bins.length ? bins[0].hi - bins[0].lo : 1;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const top = bins.length ? bins[bins.length - 1].hi : 1;
  return {
    name: 'loss-distribution',
    title: 'Distribution of the venue loss per run',
    spec: spec({
      data: { values: bins },
      mark: { type: 'rect', tooltip: true, stroke: 'white', strokeWidth: 0.5 },
      encoding: {
        x: {
          field: 'lo',
          type: 'quantitative',
          title: xTitle,
          scale: {
            domain: [bins[0]?.lo !== undefined ? Math.min(0, bins[0].lo) - w / 2 : -0.5, top + w / 2],
            nice: false,
          },
        },
        x2: { field: 'hi' },
        y: {
          field: 'count',
          type: 'quantitative',
          title: 'runs (count, symlog scale)',
          scale: { type: 'symlog', domain: [0, max * 1.3], nice: false },
          axis: { values: [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000].filter((v) => v <= max * 1.3) },
        },
        y2: { datum: 0 },
      },
      width: WIDTH,
      height: 220,
    }),
  };
}

/** Fewest runs in a group for a box plot; with fewer, every run is drawn as a dot (a box of 2 runs is a sliver). */
export const MIN_BOX_RUNS = 5;

/**
 * Box plots of the loss, one per group (≤ 30 groups), on a symlog axis (losses are heavy-tailed, many 0);
 * where a group has fewer than {@link MIN_BOX_RUNS} runs, one dot per run instead.
 */
export function boxFigure(
  rows: { group: string; loss: number }[],
  xTitle: string,
  groupTitle: string,
  groups: string[],
): Figure {
  const max = Math.max(0, ...rows.map((r) => r.loss));
  const per = new Map<string, number>();
  for (const r of rows) per.set(r.group, (per.get(r.group) ?? 0) + 1);
  const dots = Math.min(...(per.size ? per.values() : [0])) < MIN_BOX_RUNS;
  return {
    name: 'loss-distribution',
    title: dots
      ? 'Venue loss of every run, per sweep point (one dot per run)'
      : 'Distribution of the venue loss per run, per sweep point (box: quartiles; whiskers: 1.5 IQR)',
    ...(dots ? { note: `fewer than ${MIN_BOX_RUNS} runs in a sweep point: every run drawn, no box` } : {}),
    spec: spec({
      data: { values: rows },
      mark: dots
        ? { type: 'point', filled: true, size: 40, opacity: 0.7, tooltip: true }
        : { type: 'boxplot', extent: 1.5, size: 12 },
      encoding: {
        y: { field: 'group', type: 'nominal', title: wrap(groupTitle, 20 * groups.length), sort: groups },
        x: {
          field: 'loss',
          type: 'quantitative',
          title: `${xTitle}, symlog scale`,
          // a domain of at least 0–10: where every loss is 0, a domain of one point drew 0 and 1 on each other
          scale: { type: 'symlog', domain: [0, Math.max(10, max * 1.5)] },
          axis: { values: symlogTicks(max), labelExpr: MONEY_LABEL },
        },
      },
      width: WIDTH,
      height: { step: 20 },
    }),
  };
}

/** The axis of a panel's ordinal labels: across, or upright where one is wider than its band (binned ranges). */
function slantAxis(labels: string[]) {
  const values = [...new Set(labels)];
  const wide = Math.max(0, ...values.map((v) => textPx(v, 11))) > PANEL / Math.max(1, values.length) - 6;
  return wide ? { labelAngle: -90, labelAlign: 'right', labelBaseline: 'middle' } : { labelAngle: 0 };
}

/**
 * Box plots of the loss against each swept field's values, other fields pooled (for sweeps of many
 * points: one small panel per field instead of one box per point).
 */
export function marginalBoxFigure(
  rows: { field: string; value: string; num: number; loss: number }[],
  fields: FieldAxis[],
  yTitle: string,
): Figure {
  const max = Math.max(0, ...rows.map((r) => r.loss));
  return {
    name: 'loss-distribution',
    title:
      'Distribution of the venue loss per run against each swept field (box: quartiles; whiskers: 1.5 IQR; other swept fields pooled)',
    note: 'each panel pools every sweep point with that value of its field',
    spec: spec({
      data: { values: rows },
      columns: 3,
      concat: fields.map((f) => {
        return {
          transform: [{ filter: { field: 'field', equal: f.key } }],
          mark: { type: 'boxplot', extent: 1.5, size: 22 },
          encoding: {
            x: {
              field: 'value',
              type: 'ordinal',
              title: wrap(f.title, PANEL),
              sort: f.numeric ? { field: 'num', op: 'min' } : null,
              axis: slantAxis(rows.filter((r) => r.field === f.key).map((r) => r.value)),
            },
            y: {
              field: 'loss',
              type: 'quantitative',
              title: wrap(`${yTitle}, symlog scale`, 180),
              scale: { type: 'symlog', domain: [0, Math.max(10, max * 1.5)] },
              axis: { values: symlogTicks(max), labelExpr: MONEY_LABEL },
            },
          },
          width: PANEL,
          height: 180,
        };
      }),
      resolve: { scale: { y: 'shared' } },
    }),
  };
}

/** Exceedance probability P(loss ≥ x) of the positive losses, log scale: the tail (a few groups). */
export function lossTailFigure(
  data: { group: string; loss: number; exceedance: number }[],
  xTitle: string,
  legendTitle: string,
): Figure {
  return {
    name: 'loss-tail',
    title: 'Tail of the venue loss: share of runs with a loss at least x (log scale)',
    spec: spec({
      data: { values: data },
      mark: { type: 'line', point: true, interpolate: 'step-before', tooltip: true },
      encoding: {
        x: { field: 'loss', type: 'quantitative', title: `loss x: ${xTitle}` },
        y: { field: 'exceedance', type: 'quantitative', scale: { type: 'log' }, title: 'P(loss ≥ x)' },
        color: {
          field: 'group',
          type: 'nominal',
          title: legendTitle,
          sort: null,
          legend: { orient: 'bottom', direction: 'vertical' },
        },
      },
      width: WIDTH,
      height: 300,
    }),
  };
}

/** One row of a metric-versus-field figure. */
export interface BandRow {
  /** Key of the swept field. */
  field: string;
  /** Value of the swept field. */
  x: number | string;
  /** Point estimate. */
  estimate: number;
  /** Lower end of the 95% interval. */
  low: number;
  /** Upper end of the 95% interval. */
  high: number;
}

/**
 * One metric against each swept field with 95% intervals, other fields pooled: one panel per field, the
 * y scale shared so that effect sizes compare. `zero`: the y axis starts at 0 (non-negative metrics).
 */
export function mainEffectsFigure(
  name: string,
  metricTitle: string,
  rows: BandRow[],
  fields: FieldAxis[],
  zero: boolean,
): Figure {
  const panel = (f: FieldAxis) => {
    const w = fields.length === 1 ? WIDTH : PANEL;
    const x = f.numeric
      ? {
          field: 'x',
          type: 'quantitative',
          title: wrap(f.title, w),
          scale: { zero: false, type: f.log ? 'log' : 'linear', padding: 12 },
        }
      : { field: 'x', type: 'ordinal', title: wrap(f.title, w), sort: null, axis: { labelAngle: 0 } };
    const y = { field: 'estimate', type: 'quantitative', title: wrap(metricTitle, 180), scale: { zero } };
    return {
      transform: [{ filter: { field: 'field', equal: f.key } }],
      width: w,
      height: 180,
      layer: [
        { mark: { type: 'rule' }, encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' } } },
        { mark: { type: 'line', point: true, tooltip: true }, encoding: { x, y } },
      ],
    };
  };
  return {
    name,
    title: `${metricTitle} against ${fields.length === 1 ? 'the swept field' : 'each swept field'}, 95% intervals${fields.length > 1 ? ' (other swept fields pooled)' : ''}`,
    note: fields.length > 1 ? 'each panel pools every sweep point with that value of its field' : undefined,
    spec: spec({
      data: { values: rows },
      columns: 3,
      concat: fields.map(panel),
      resolve: { scale: { y: 'shared' } },
    }),
  };
}

/**
 * A metric per sweep point with 95% intervals, one row per point (for designs whose fields are not
 * varied on their own, such as a zip sweep: no main effects there). `zero`: the axis starts at 0.
 */
export function pointsFigure(
  name: string,
  metricTitle: string,
  rows: { group: string; estimate: number; low: number; high: number }[],
  groupTitle: string,
  groups: string[],
  zero = true,
): Figure {
  const y = { field: 'group', type: 'nominal', title: wrap(groupTitle, 24 * groups.length), sort: groups };
  const x = { field: 'estimate', type: 'quantitative', title: metricTitle, scale: { zero } };
  return {
    name,
    title: `${metricTitle[0].toUpperCase()}${metricTitle.slice(1)} per sweep point, 95% intervals`,
    spec: spec({
      data: { values: rows },
      layer: [
        {
          transform: [{ filter: 'isValid(datum.low) && isFinite(datum.low)' }],
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: { y, x: { ...x, field: 'low' }, x2: { field: 'high' } },
        },
        { mark: { type: 'point', filled: true, size: 50, tooltip: true }, encoding: { y, x } },
      ],
      width: WIDTH,
      height: { step: 24 },
    }),
  };
}

/** Fewest points of a space-filling design drawn with a smoother; fewer: the points and their intervals. */
export const MIN_SMOOTHED = 20;

/** A heatmap of a metric over two fields, the value written in each cell; shared colour scale. */
export function heatmapFigure(
  name: string,
  title: string,
  rows: { x: string; y: string; value: number; label: string }[],
  xTitle: string,
  yTitle: string,
  colorTitle: string,
  opts: { percent?: boolean; note?: string; xOrder?: string[]; yOrder?: string[] } = {},
): Figure {
  return {
    name,
    title,
    note: opts.note,
    spec: spec({
      data: { values: rows },
      encoding: {
        x: {
          field: 'x',
          type: 'ordinal',
          title: wrap(xTitle, Math.max(300, 90 * distinctCount(rows.map((r) => r.x)))),
          sort: opts.xOrder ?? null,
          axis: { labelAngle: 0 },
        },
        // the y title written across, above the axis: a rotated one is longer than the few rows
        y: {
          field: 'y',
          type: 'ordinal',
          title: yTitle,
          sort: opts.yOrder ?? null,
          axis: { titleAngle: 0, titleAlign: 'left', titleX: 0, titleY: -10, titleBaseline: 'bottom' },
        },
      },
      layer: [
        {
          mark: { type: 'rect', tooltip: true },
          encoding: {
            color: {
              field: 'value',
              type: 'quantitative',
              title: colorTitle,
              scale: { scheme: 'orangered', zero: true },
              legend: { orient: 'bottom', gradientLength: 240, ...(opts.percent ? { format: '%' } : {}) },
            },
          },
        },
        { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'label' } } },
      ],
      width: { step: 90 },
      height: { step: 36 },
    }),
  };
}

/**
 * Scatter of a metric per sweep point against each swept field of a space-filling design (never lines
 * joining points whose other coordinates differ); log axes for log ranges. With {@link MIN_SMOOTHED} points
 * or more, a quadratic least-squares fit (in log10 of the field on a log axis; not a robust fit, which
 * would discount the worst points); with fewer, no smoother (a curve through 8–12 points is close to
 * joining them), each point's 95% interval instead.
 */
export function scatterFigure(
  name: string,
  metricTitle: string,
  rows: Record<string, number>[],
  fields: FieldAxis[],
  zero: boolean,
  range: [number, number] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
): Figure {
  const smooth = rows.length >= MIN_SMOOTHED;
  // the fit drawn only inside the metric's range (a loss ≥ 0, a probability in [0, 1])
  const lo = Number.isFinite(range[0]) ? range[0] : -1e300;
  const hi = Number.isFinite(range[1]) ? range[1] : 1e300;
  const Metric = `${metricTitle[0].toUpperCase()}${metricTitle.slice(1)}`;
  const panel = (f: FieldAxis) => {
    const x = {
      field: f.key,
      type: 'quantitative',
      title: wrap(`${f.title}${f.log ? ', log scale' : ''}`, PANEL),
      // the axis spans the data, not whole decades around it
      scale: f.log ? { type: 'log', nice: false } : { type: 'linear', zero: false },
    };
    const y = { field: 'metric', type: 'quantitative', title: wrap(metricTitle, 200), scale: { zero } };
    const layer: Record<string, unknown>[] = [
      { mark: { type: 'point', filled: true, opacity: 0.7, size: 30, tooltip: true }, encoding: { x, y } },
    ];
    if (smooth)
      layer.push({
        transform: [
          {
            filter: `isValid(datum['${f.key}']) && isValid(datum.metric)${f.log ? ` && datum['${f.key}'] > 0` : ''}`,
          },
          { calculate: f.log ? `log(datum['${f.key}']) / LN10` : `datum['${f.key}']`, as: '__x' },
          { regression: 'metric', on: '__x', method: 'poly', order: 2 },
          { calculate: f.log ? 'pow(10, datum.__x)' : 'datum.__x', as: f.key },
          { calculate: `clamp(datum.metric, ${lo}, ${hi})`, as: 'metric' },
        ],
        mark: { type: 'line', color: '#d62728', strokeWidth: 2 },
        encoding: { x, y },
      });
    else
      layer.unshift({
        transform: [{ filter: 'isValid(datum.low) && isFinite(datum.low)' }],
        mark: { type: 'rule', opacity: 0.6 },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' } },
      });
    return { width: PANEL, height: 200, layer };
  };
  return {
    name,
    title: smooth
      ? `${Metric} per sweep point against each swept field, with a quadratic least-squares fit`
      : `${Metric} per sweep point against each swept field, 95% intervals`,
    note: smooth
      ? "one dot per sweep point (its mean over its runs); the other fields vary between dots; the red curve is a quadratic least-squares fit of the dots (in log10 of the field on a log axis), not robust: every point counts; it is clamped to the metric's range"
      : `one dot per sweep point (its mean over its runs) with its 95% interval; the other fields vary between dots; no smoother: with ${rows.length} points (fewer than ${MIN_SMOOTHED}) a curve would be close to joining the dots`,
    spec: spec({
      data: { values: rows },
      columns: 3,
      concat: fields.map(panel),
      resolve: { scale: { y: 'shared' } },
    }),
  };
}

/** The built-in segments of the who-paid bar, in order: the payers, what nobody paid, what is still open. */
export const WHO_PAID = [
  ...Object.values(BUILTIN_PAYERS).map((p) => p.label),
  ...UNPAID_SEGMENTS.map((p) => p.label),
];

/**
 * Who paid the shortfall: mean amount per payer, stacked to shares, one bar per group; with `fields`,
 * one panel per swept field with a column per value (other fields pooled). `segments`: the payers' labels
 * in bar order (the built-in ones by default; a plug-in payer's own label among them).
 */
export function whoPaidFigure(
  rows: { group: string; payer: string; amount: number; order: number; field?: string; num?: number }[],
  groupTitle: string,
  fields?: FieldAxis[],
  segments: readonly string[] = WHO_PAID,
): Figure {
  const share = {
    field: 'amount',
    type: 'quantitative',
    stack: 'normalize',
    title: 'share of shortfall + open deficit',
    axis: { format: '%' },
  };
  const color = {
    field: 'payer',
    type: 'nominal',
    title: 'paid by',
    sort: segments,
    // past ten segments (plug-in payers) the default scheme would give two of them one colour
    scale: segments.length > 10 ? { domain: segments, scheme: 'tableau20' } : { domain: segments },
    legend: { orient: 'bottom', direction: 'horizontal', columns: 6 },
  };
  const order = { field: 'order', type: 'quantitative' };
  return {
    name: 'who-paid',
    title:
      'Who paid the shortfall, and what was still open at the end: shares of the mean shortfall + open deficit',
    note: fields ? 'each panel pools every sweep point with that value of its field' : undefined,
    spec: fields
      ? spec({
          data: { values: rows },
          columns: 3,
          concat: fields.map((f) => ({
            transform: [{ filter: { field: 'field', equal: f.key } }],
            mark: { type: 'bar', tooltip: true },
            encoding: {
              x: {
                field: 'group',
                type: 'ordinal',
                title: wrap(f.title, PANEL),
                sort: f.numeric ? { field: 'num', op: 'min' } : null,
                axis: slantAxis(rows.filter((r) => r.field === f.key).map((r) => r.group)),
              },
              y: { ...share, title: wrap(share.title, 180) },
              color,
              order,
            },
            width: PANEL,
            height: 180,
          })),
          resolve: { scale: { color: 'shared' } },
        })
      : spec({
          data: { values: rows },
          mark: { type: 'bar', tooltip: true },
          encoding: {
            y: {
              field: 'group',
              type: 'nominal',
              title: wrap(groupTitle, 22 * distinctCount(rows.map((r) => r.group))),
              sort: null,
            },
            x: share,
            color,
            order,
          },
          width: WIDTH,
          height: { step: 22 },
        }),
  };
}

/** Time series of sample runs, one panel per series (titled with its label and unit), time in hours. */
export function seriesFigure(
  rows: { run: string; hours: number; series: string; value: number }[],
  series: { key: string; title: string }[],
  hours: number,
): Figure {
  return {
    name: 'series',
    title: 'Time series of sample runs',
    spec: spec({
      data: { values: rows },
      vconcat: series.map((s) => ({
        transform: [{ filter: { field: 'series', equal: s.key } }],
        width: WIDTH,
        height: 110,
        mark: { type: 'line', strokeWidth: 1.2 },
        encoding: {
          x: {
            field: 'hours',
            type: 'quantitative',
            title: 'time since the start (hours)',
            scale: { domain: [0, hours], nice: false },
          },
          y: { field: 'value', type: 'quantitative', title: s.title, scale: { zero: false } },
          color: { field: 'run', type: 'nominal', title: 'sample run (run id)' },
        },
      })),
      resolve: { scale: { color: 'shared' } },
    }),
  };
}

/** Rows of the game's payoff figure: one per (point, profile, role). */
export interface PayoffRow {
  role: string;
  strategy: string;
  profile: string;
  /** The other roles' strategies in the profile (`traders=lev3`); '' with one role. */
  against: string;
  x: number | string;
  panel: string;
  payoff: number;
  low: number;
  high: number;
}

/** A facet's column header: the other swept fields, panels in the order of the sweep points. */
function columnFacet(panelTitle: string, order: string[]) {
  return { field: 'panel', type: 'ordinal', title: panelTitle, sort: order, header: { labelFontSize: 12 } };
}

/** Width of one panel of a game figure: three fit at 1400 px with the legend. */
const GAME_PANEL = 270;

/**
 * Each role's payoff per strategy against the swept mechanism parameter, with 95% intervals; one panel
 * per value of the other swept fields (columns) and per role (rows); lines join the points of one profile.
 * With several roles, a role's line for one strategy is drawn once per profile of the other roles: those
 * are told apart by dash and point shape (legend "against"), and set slightly apart along a numeric x so
 * that equal lines stay visible.
 */
export function payoffFigure(
  rows: PayoffRow[],
  x: FieldAxis,
  panelTitle: string | null,
  panels: string[],
  roles: string[],
): Figure {
  const w = panelTitle ? GAME_PANEL : WIDTH;
  const others = [...new Set(rows.map((r) => r.against))];
  const several = roles.length > 1 && others.length > 1;
  // the offset along x of each profile of the other roles: 1.5% of the x range apart
  const xs = rows.map((r) => r.x).filter((v): v is number => typeof v === 'number');
  const span = xs.length ? Math.max(...xs) - Math.min(...xs) : 0;
  const data = rows.map((r) => ({
    ...r,
    xo:
      several && typeof r.x === 'number'
        ? r.x + (others.indexOf(r.against) - (others.length - 1) / 2) * 0.015 * span
        : r.x,
  }));
  const xe = x.numeric
    ? { field: 'xo', type: 'quantitative', title: wrap(x.title, w), scale: { zero: false, padding: 14 } }
    : { field: 'x', type: 'ordinal', title: wrap(x.title, w), sort: null, axis: { labelAngle: 0 } };
  const yTitle = wrap('payoff per agent: PnL − outside option (USD)', 200);
  const strategies = [...new Set(rows.map((r) => r.strategy))];
  const color = {
    field: 'strategy',
    type: 'nominal',
    title: "strategy (the row's role)",
    scale: { domain: strategies },
  };
  const against = several
    ? {
        strokeDash: {
          field: 'against',
          type: 'nominal',
          title: "against (the other roles' strategies)",
          scale: { domain: others },
        },
        shape: {
          field: 'against',
          type: 'nominal',
          title: "against (the other roles' strategies)",
          scale: { domain: others },
        },
      }
    : {};
  const tooltip = [
    { field: 'role', type: 'nominal' },
    { field: 'profile', type: 'nominal' },
    { field: 'x', title: x.title },
    { field: 'payoff', type: 'quantitative', format: ',.4~g' },
  ];
  const layer = [
    {
      mark: { type: 'rule', opacity: 0.7 },
      encoding: {
        x: xe,
        y: { field: 'low', type: 'quantitative', title: yTitle },
        y2: { field: 'high' },
        color,
      },
    },
    {
      mark: { type: 'line', strokeWidth: 1.8 },
      encoding: {
        x: xe,
        y: { field: 'payoff', type: 'quantitative', title: yTitle },
        color,
        detail: { field: 'profile', type: 'nominal' },
        ...(several ? { strokeDash: against.strokeDash } : {}),
      },
    },
    {
      mark: { type: 'point', filled: true, size: 60, opacity: 1 },
      encoding: {
        x: xe,
        y: { field: 'payoff', type: 'quantitative', title: yTitle },
        color,
        tooltip,
        ...(several ? { shape: against.shape } : {}),
      },
    },
  ];
  const facet: Record<string, unknown> = {};
  if (panelTitle) facet.column = columnFacet(panelTitle, panels);
  if (roles.length > 1) facet.row = { field: 'role', type: 'nominal', title: 'role', sort: roles };
  const inner = { width: w, height: 200, layer };
  return {
    name: 'game-payoffs',
    title: "Each role's payoff per strategy against the swept mechanism parameter, 95% intervals",
    note: several
      ? "one row per role; colour: the row's role's strategy; dash and point shape: the other roles' strategies in the profile (one line per profile), set 1.5% of the x range apart so that equal lines stay visible"
      : undefined,
    spec: Object.keys(facet).length
      ? spec({
          data: { values: data },
          facet,
          spec: inner,
          resolve: { scale: { y: 'shared' } },
          config: { ...CONFIG, legend: { ...CONFIG.legend, orient: 'bottom', direction: 'vertical' } },
        })
      : spec({ data: { values: data }, ...inner }),
  };
}

/** One marker of {@link venueLossFigure}: a profile's mean loss (with its interval) at a sweep value. */
export interface VenueLossRow {
  x: number | string;
  panel: string;
  kind: string;
  profile: string;
  loss: number;
  low: number;
  high: number;
}

/** The venue's mean loss under each equilibrium against the best profile for the venue. */
export function venueLossFigure(
  rows: VenueLossRow[],
  x: FieldAxis,
  panelTitle: string | null,
  panels: string[],
  yTitle: string,
): Figure {
  const w = panelTitle ? GAME_PANEL : WIDTH;
  const xe = x.numeric
    ? { field: 'x', type: 'quantitative', title: wrap(x.title, w), scale: { zero: false, padding: 10 } }
    : { field: 'x', type: 'ordinal', title: wrap(x.title, w), sort: null, axis: { labelAngle: 0 } };
  const kinds = ['best profile for the venue', 'pure equilibrium', 'mixed equilibrium (expected)'];
  const color = {
    field: 'kind',
    type: 'nominal',
    title: 'profile',
    scale: { domain: kinds, range: ['#2ca02c', '#d62728', '#9467bd'] },
    legend: { orient: 'bottom', direction: 'horizontal' },
  };
  const y = { field: 'loss', type: 'quantitative', title: wrap(yTitle, 200), scale: { zero: true } };
  const inner = {
    width: w,
    height: 200,
    layer: [
      {
        transform: [{ filter: 'isValid(datum.low)' }],
        mark: { type: 'rule' },
        encoding: { x: xe, y: { ...y, field: 'low' }, y2: { field: 'high' }, color },
      },
      // the best profile's ring larger, so that an equilibrium at the same loss does not hide it
      ...[true, false].map((best) => ({
        transform: [{ filter: `${best ? '' : '!'}(datum.kind === '${kinds[0]}')` }],
        mark: { type: 'point', filled: false, strokeWidth: 2, size: best ? 220 : 80, tooltip: true },
        encoding: {
          x: xe,
          y,
          color,
          shape: {
            field: 'kind',
            type: 'nominal',
            title: 'profile',
            scale: { domain: kinds },
            legend: { orient: 'bottom', direction: 'horizontal' },
          },
        },
      })),
    ],
  };
  return {
    name: 'game-venue-loss',
    title:
      "The venue's mean loss under each pure equilibrium against the best profile for the venue, 95% intervals",
    note: 'where no profile is a pure equilibrium, the expected loss under the mixed (replicator) equilibrium, without an interval',
    spec: panelTitle
      ? spec({
          data: { values: rows },
          facet: { column: columnFacet(panelTitle, panels) },
          spec: inner,
          resolve: { scale: { y: 'shared' } },
        })
      : spec({ data: { values: rows }, ...inner }),
  };
}

/**
 * The equilibrium map: each profile's regret at each sweep point written in its cell (NE: a pure
 * equilibrium, in bold); x the swept parameter, one panel per value of the other swept fields.
 */
export function equilibriumMapFigure(
  rows: {
    x: string;
    panel: string;
    profile: string;
    regret: number;
    label: string;
    equilibrium: boolean;
  }[],
  xTitle: string,
  panelTitle: string | null,
  panels: string[],
  xOrder: string[],
): Figure {
  const step = Math.max(
    70,
    Math.min(110, Math.floor(900 / Math.max(1, xOrder.length * Math.max(1, panels.length)))),
  );
  const text = (bold: boolean) => ({
    transform: [{ filter: bold ? 'datum.equilibrium' : '!datum.equilibrium' }],
    mark: { type: 'text', fontSize: 11, fontWeight: bold ? 'bold' : 'normal' },
    encoding: { text: { field: 'label' } },
  });
  const inner = {
    encoding: {
      x: {
        field: 'x',
        type: 'ordinal',
        title: wrap(xTitle, step * xOrder.length),
        sort: xOrder,
        axis: { labelAngle: 0 },
      },
      y: { field: 'profile', type: 'nominal', title: 'profile', sort: null },
    },
    layer: [
      {
        mark: { type: 'rect', tooltip: true, stroke: 'white' },
        encoding: {
          color: {
            field: 'regret',
            type: 'quantitative',
            title: 'profile regret (USD)',
            scale: { scheme: 'orangered', zero: true },
            legend: { orient: 'bottom', gradientLength: 240 },
          },
        },
      },
      text(false),
      text(true),
    ],
    width: { step },
    height: { step: 34 },
  };
  return {
    name: 'equilibrium-map',
    title:
      'Equilibrium map: the regret of each profile at each sweep point (USD; NE, in bold: a pure equilibrium)',
    spec: panelTitle
      ? spec({ data: { values: rows }, facet: { column: columnFacet(panelTitle, panels) }, spec: inner })
      : spec({ data: { values: rows }, ...inner }),
  };
}

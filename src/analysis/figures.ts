/**
 * Figures as Vega-Lite specs, rendered to SVG in Node by vega's headless view (no canvas, no network: all
 * data inline).
 */
import type { TopLevelSpec } from 'vega-lite';

/** A figure: a file-safe name, a title, and its Vega-Lite spec. */
export interface Figure {
  /** File name without extension (`loss-distribution`). */
  name: string;
  /** Caption shown in the report. */
  title: string;
  /** The Vega-Lite spec, data inline. */
  spec: TopLevelSpec;
}

/**
 * Renders a Vega-Lite spec to an SVG string in Node (vega's headless View.toSVG). vega and vega-lite are
 * loaded on first use: the engine, the runner and every worker thread import this package's entry, and
 * loading the plotting libraries there cost ~60 MB of memory per thread for nothing.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const WIDTH = 520;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Histogram of the loss per group (one row per group), ok runs only. */
export function lossDistributionFigure(data: { group: string; loss: number }[]): Figure {
  return {
    name: 'loss-distribution',
    title: 'Distribution of the loss (socialized + unpaid) per run',
    spec: {
      $schema: SCHEMA,
      data: { values: data },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'loss', type: 'quantitative', bin: { maxbins: 40 }, title: 'loss per run (USD)' },
        y: { aggregate: 'count', type: 'quantitative', title: 'runs' },
        color: { field: 'group', type: 'nominal', legend: null },
        row: {
          field: 'group',
          type: 'nominal',
          title: null,
          header: { labelAngle: 0, labelAlign: 'left', labelLimit: 400 },
        },
      },
      width: WIDTH,
      height: 80,
    } as TopLevelSpec,
  };
}

/** Exceedance probability P(loss ≥ x) of the positive losses, log scale: the tail. */
export function lossTailFigure(data: { group: string; loss: number; exceedance: number }[]): Figure {
  return {
    name: 'loss-tail',
    title: 'Tail of the loss: share of runs with a loss at least x (log scale)',
    spec: {
      $schema: SCHEMA,
      data: { values: data },
      mark: { type: 'line', point: true, interpolate: 'step-before', tooltip: true },
      encoding: {
        x: { field: 'loss', type: 'quantitative', title: 'loss x (USD)' },
        y: { field: 'exceedance', type: 'quantitative', scale: { type: 'log' }, title: 'P(loss ≥ x)' },
        color: { field: 'group', type: 'nominal', legend: { labelLimit: 400 } },
      },
      width: WIDTH,
      height: 300,
    } as TopLevelSpec,
  };
}

/** One row of a metric-versus-field figure. */
export interface BandRow {
  /** Value of the swept field. */
  x: number | string;
  /** Metric shown. */
  metric: string;
  /** Point estimate. */
  estimate: number;
  /** Lower end of the 95% interval. */
  low: number;
  /** Upper end of the 95% interval. */
  high: number;
}

/** Metrics against one swept field with their 95% confidence bands (one panel per metric). */
export function sweepFigure(field: string, rows: BandRow[], numeric: boolean): Figure {
  const x = numeric
    ? { field: 'x', type: 'quantitative', title: field, scale: { zero: false } }
    : { field: 'x', type: 'ordinal', title: field };
  const band = numeric ? { type: 'errorband' } : { type: 'errorbar', ticks: true };
  return {
    name: `sweep-${field.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
    title: `Metrics against ${field}, with 95% confidence intervals (other swept fields pooled)`,
    spec: {
      $schema: SCHEMA,
      data: { values: rows },
      facet: { column: { field: 'metric', type: 'nominal', title: null } },
      spec: {
        width: 220,
        height: 180,
        layer: [
          {
            mark: band,
            encoding: {
              x,
              y: { field: 'low', type: 'quantitative', title: null, scale: { zero: false } },
              y2: { field: 'high' },
            },
          },
          {
            mark: { type: 'line', point: true, tooltip: true },
            encoding: { x, y: { field: 'estimate', type: 'quantitative' } },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

/** Who paid the shortfall: mean amount per payer and group, stacked to shares. */
/** The segments of the who-paid bar, in order: the payers, what nobody paid, what is still open. */
const WHO_PAID = ['insurance fund', 'vault', 'ADL', 'socialized', 'unpaid', 'still open at the end'];

export function whoPaidFigure(rows: { group: string; payer: string; amount: number }[]): Figure {
  return {
    name: 'who-paid',
    title:
      'Who paid the shortfall, and what was still open at the end: share of the mean shortfall + open deficit',
    spec: {
      $schema: SCHEMA,
      data: { values: rows },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'group', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
        x: {
          field: 'amount',
          type: 'quantitative',
          stack: 'normalize',
          title: 'share of shortfall',
          axis: { format: '%' },
        },
        color: {
          field: 'payer',
          type: 'nominal',
          sort: WHO_PAID,
          scale: { domain: WHO_PAID },
        },
        order: { field: 'order', type: 'quantitative' },
      },
      width: WIDTH,
    } as TopLevelSpec,
  };
}

/** Time series of sample runs, one panel per series. */
export function seriesFigure(rows: { run: string; tick: number; series: string; value: number }[]): Figure {
  return {
    name: 'series',
    title: 'Time series of sample runs',
    spec: {
      $schema: SCHEMA,
      data: { values: rows },
      facet: { row: { field: 'series', type: 'nominal', title: null } },
      spec: {
        width: WIDTH,
        height: 120,
        mark: { type: 'line', strokeWidth: 1.2 },
        encoding: {
          x: { field: 'tick', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          color: { field: 'run', type: 'nominal', title: 'run_id' },
        },
      },
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

/** The equilibrium map: regret of every profile at every sweep point; pure equilibria marked. */
export function equilibriumMapFigure(
  rows: { point: string; profile: string; regret: number; equilibrium: boolean }[],
): Figure {
  return {
    name: 'equilibrium-map',
    title: 'Equilibrium map: regret of each profile per sweep point (NE: pure equilibrium)',
    spec: {
      $schema: SCHEMA,
      data: { values: rows },
      encoding: {
        x: { field: 'point', type: 'nominal', title: 'sweep point', sort: null },
        y: { field: 'profile', type: 'nominal', title: 'profile', sort: null },
      },
      layer: [
        {
          mark: { type: 'rect', tooltip: true },
          encoding: { color: { field: 'regret', type: 'quantitative', scale: { scheme: 'orangered' } } },
        },
        {
          transform: [{ filter: 'datum.equilibrium' }],
          mark: { type: 'text', text: 'NE', fontWeight: 'bold' },
        },
      ],
    } as TopLevelSpec,
  };
}

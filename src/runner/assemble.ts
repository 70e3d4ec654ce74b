/**
 * Assembles the result files from part files, chunk by chunk in run order: the same parts give the same
 * bytes, whichever worker, process or machine made them. Memory holds one part and one batch per file.
 */
import { join } from 'node:path';
import { EVENT_KINDS } from '../engine/events.js';
import { gameRoles } from '../experiment/game.js';
import { payoffColumn } from '../experiment/game-columns.js';
import { columnMeta, metaEntries, unitOfDescription } from '../field-meta.js';
import { COUNT_METRICS, METRIC_NAMES, SERIES, STAGE_METRIC_META_KEY } from '../metrics.js';
import { BUILTIN_PAYERS, PAYER_LOSS_META_KEY, PAYER_META_KEY } from '../waterfall/payers.js';
import { type ColSpec, TableSink } from './arrow.js';
import { unpackChunk } from './pack.js';
import { extraColumns, ownColumns, type Plan } from './plan.js';

/** Metrics that are counts (written as Int32); defined beside the metrics (src/metrics.ts). */
export { COUNT_METRICS };

/** The columns with their field metadata (units, descriptions) from the one metadata table. */
function withMeta(cols: ColSpec[], table: 'runs' | 'series' | 'events', config?: unknown): ColSpec[] {
  return cols.map((c) => {
    const m = columnMeta(c.name, table, config);
    return m ? { ...c, meta: metaEntries(m) } : c;
  });
}

/**
 * Schema metadata of a result file: the package version, the experiment and the table. Nothing time- or
 * machine-dependent, so the bytes stay the same on any number of workers, shards or resumes.
 */
export function fileMeta(plan: Pick<Plan, 'name' | 'version'>, table: string): Map<string, string> {
  return new Map([
    ['backstop-sim:version', plan.version],
    ['backstop-sim:experiment', plan.name],
    ['backstop-sim:table', table],
  ]);
}

/**
 * Columns of `runs.arrow` for a plan. Every who-paid column says so in its field metadata (`payer`: its
 * label in the who-paid figure; `in_loss`: '1' when what it pays counts in the venue's loss), so that the analysis and the report find a plug-in payer's column from
 * the file alone; a payer's own column takes its description (and unit) from the stage's declaration.
 * `known`: field metadata already written for these columns (a shard's runs.arrow), for the columns this
 * process cannot describe.
 */
export function runsColumns(plan: Plan, known?: ReadonlyMap<string, Map<string, string>>): ColSpec[] {
  const own = new Map((plan.payers ?? []).map((c) => [c.column, c]));
  const ownMetric = new Map((plan.metrics ?? []).map((c) => [c.column, c]));
  const builtin = new Map<string, string>(Object.values(BUILTIN_PAYERS).map((c) => [c.column, c.label]));
  return withMeta(runsColumnTypes(plan), 'runs', plan.base).map((c) => {
    const m = ownMetric.get(c.name);
    if (m) {
      const meta = metaEntries({
        label: c.name.replace(/_/g, ' '),
        unit: unitOfDescription(m.description),
        description: m.description,
        ...(m.min !== undefined ? { min: m.min } : {}),
        ...(m.max !== undefined ? { max: m.max } : {}),
      });
      meta.set(STAGE_METRIC_META_KEY, '1');
      return { ...c, meta };
    }
    const o = own.get(c.name);
    const label = o?.label ?? builtin.get(c.name);
    // a swept parameter of a plug-in this process has not loaded (merge): as the shard that ran it wrote it
    if (label === undefined)
      return c.meta || !known?.has(c.name) ? c : { ...c, meta: new Map(known.get(c.name)) };
    const meta = o
      ? metaEntries({
          label: `paid by ${o.label}`,
          unit: unitOfDescription(o.description) || 'USD',
          description: o.description,
          min: 0,
        })
      : new Map(c.meta);
    meta.set(PAYER_META_KEY, label);
    if (o ? o.loss : Object.values(BUILTIN_PAYERS).some((b) => b.column === c.name && 'loss' in b && b.loss))
      meta.set(PAYER_LOSS_META_KEY, '1');
    return { ...c, meta };
  });
}

function runsColumnTypes(plan: Plan): ColSpec[] {
  return [
    { name: 'run_id', type: 'i32', nullable: false },
    { name: 'point_id', type: 'i32', nullable: false },
    { name: 'run', type: 'i32', nullable: false },
    { name: 'seed', type: 'f64', nullable: false },
    ...plan.sweep.fields.map((f, k) => ({ name: f, type: plan.sweep.fieldTypes[k], nullable: false })),
    { name: 'status', type: 'utf8', nullable: false },
    { name: 'error', type: 'utf8', nullable: true },
    ...METRIC_NAMES.map(
      (m) => ({ name: m, type: COUNT_METRICS.has(m) ? 'i32' : 'f64', nullable: true }) as ColSpec,
    ),
    // the who-paid columns of the payers' own (plug-in stages), then the stages' own metrics
    ...ownColumns(plan).map((c) => ({ name: c, type: 'f64', nullable: true }) as ColSpec),
    // a game batch: each game role's payoff per agent (PnL − outside option), what its equilibria rest on
    ...gameRoles(plan.game).map((r) => ({ name: payoffColumn(r), type: 'f64', nullable: true }) as ColSpec),
  ];
}

/** Columns of `series.arrow`. */
export const SERIES_COLUMNS: ColSpec[] = withMeta(
  [
    { name: 'run_id', type: 'i32', nullable: false },
    { name: 'tick', type: 'i32', nullable: false },
    ...SERIES.map(([n]) => ({ name: n, type: 'f64', nullable: false }) as ColSpec),
  ],
  'series',
);

/** Columns of `events.arrow`. */
export const EVENT_COLUMNS: ColSpec[] = withMeta(
  [
    { name: 'run_id', type: 'i32', nullable: false },
    { name: 'tick', type: 'i32', nullable: false },
    { name: 'kind', type: 'utf8', nullable: false },
    { name: 'account', type: 'i32', nullable: false },
    { name: 'size', type: 'f64', nullable: false },
    { name: 'price', type: 'f64', nullable: false },
    { name: 'amount', type: 'f64', nullable: false },
    // the account's state before the event (deleverage, liquidation); NaN where not recorded
    { name: 'position', type: 'f64', nullable: false },
    { name: 'leverage', type: 'f64', nullable: false },
    { name: 'pnl', type: 'f64', nullable: false },
  ],
  'events',
);

/** Counts over the assembled runs. */
export interface RunCounts {
  ok: number;
  failed: number;
  /** The first failed runs (at most 20): run_id, seed, message. */
  failures: { run_id: number; seed: number; error: string }[];
}

/**
 * Writes runs.arrow (and series.arrow, events.arrow when the plan records them) into `out` from the parts
 * of `chunks`, read by `part(c)`, in chunk order.
 */
export function assemble(
  plan: Plan,
  chunks: number[],
  part: (c: number) => Uint8Array,
  out: string,
  known?: ReadonlyMap<string, Map<string, string>>,
): RunCounts {
  const runs = new TableSink(join(out, 'runs.arrow'), runsColumns(plan, known), fileMeta(plan, 'runs'));
  const series =
    plan.record.series > 0
      ? new TableSink(join(out, 'series.arrow'), SERIES_COLUMNS, fileMeta(plan, 'series'))
      : undefined;
  const events = plan.record.events
    ? new TableSink(join(out, 'events.arrow'), EVENT_COLUMNS, fileMeta(plan, 'events'))
    : undefined;
  const sinks = [runs, series, events].filter((s): s is TableSink => s !== undefined);
  const counts: RunCounts = { ok: 0, failed: 0, failures: [] };
  const M = METRIC_NAMES.length;
  const X = extraColumns(plan).length;
  const K = plan.record.series;
  try {
    const row: (number | string | boolean | null)[] = [];
    for (const c of chunks) {
      const d = unpackChunk(part(c));
      const n = d.header.count;
      const errors = new Map(d.header.errors);
      if ((d.header.extra ?? 0) !== X)
        throw new Error(
          `part of chunk ${c} has ${d.header.extra ?? 0} values per run after the metrics, expected ${X}`,
        );
      for (let i = 0; i < n; i++) {
        const g = d.header.start + i;
        const point = Math.floor(g / plan.runs);
        row.length = 0;
        row.push(g, point, g % plan.runs, d.seeds[i]);
        const pt = plan.sweep.points[point];
        for (const f of plan.sweep.fields) row.push(pt[f]);
        const ok = d.status[i] === 1;
        const err = errors.get(i) ?? null;
        row.push(ok ? 'ok' : 'failed', err);
        for (let m = 0; m < M; m++) row.push(ok ? d.metrics[m * n + i] : null);
        for (let x = 0; x < X; x++) row.push(ok ? d.extra[x * n + i] : null);
        runs.push(row);
        if (ok) counts.ok++;
        else {
          counts.failed++;
          if (counts.failures.length < 20)
            counts.failures.push({ run_id: g, seed: d.seeds[i], error: err ?? '' });
        }
      }
      if (series) {
        const rows = d.header.seriesRows;
        let r = 0;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < d.seriesLen[i]; k++, r++) {
            row.length = 0;
            row.push(d.header.start + i, k * K);
            for (let s = 0; s < SERIES.length; s++) row.push(d.series[s * rows + r]);
            series.push(row);
          }
        }
      }
      if (events) {
        const e = d.ev;
        for (let j = 0; j < d.header.events; j++) {
          events.push([
            d.header.start + e.run[j],
            e.tick[j],
            EVENT_KINDS[e.kind[j]] ?? String(e.kind[j]),
            e.account[j],
            e.size[j],
            e.price[j],
            e.amount[j],
            e.position[j],
            e.leverage[j],
            e.pnl[j],
          ]);
        }
      }
    }
    for (const s of sinks) s.close();
  } catch (e) {
    for (const s of sinks) s.abort();
    throw e;
  }
  return counts;
}

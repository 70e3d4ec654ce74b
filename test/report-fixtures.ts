/**
 * Small synthetic results directories for the report's browser tests, one per design the report draws
 * differently: a grid of many points over four fields, a grid of two fields, a Latin hypercube with a
 * log-scaled range, and a single point with series (as baseline). runs.arrow, manifest.json and
 * series.arrow are written by the runner's contract (test/analysis-fixture.ts's writer); no simulation runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { type GameDriver, METRIC_NAMES, type ProfileRun, SERIES } from '../src/index.js';
import { COUNT_METRICS } from '../src/runner/assemble.js';
import { type Col, writeArrow } from './analysis-fixture.js';

type Point = Record<string, number>;

/** Every combination of the listed values (first field outermost), as the runner's grid. */
export function grid(fields: Record<string, number[]>): Point[] {
  let pts: Point[] = [{}];
  for (const [f, vs] of Object.entries(fields)) pts = pts.flatMap((p) => vs.map((v) => ({ ...p, [f]: v })));
  return pts;
}

/** A Latin hypercube of n points; `log` ranges stratified in log space, as src/experiment/sweep.ts does. */
export function lhs(
  n: number,
  ranges: Record<string, { min: number; max: number; log?: boolean }>,
  seed = 1,
): Point[] {
  const rng = seedrandom.xor4096(`lhs-${seed}`);
  const cols = Object.entries(ranges).map(([f, r]) => {
    const perm = Array.from({ length: n }, (_, i) => i).sort(() => rng() - 0.5);
    return [
      f,
      perm.map((s) => {
        const u = (s + rng()) / n;
        return r.log
          ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min)))
          : r.min + u * (r.max - r.min);
      }),
    ] as const;
  });
  return Array.from({ length: n }, (_, i) => Object.fromEntries(cols.map(([f, v]) => [f, v[i]])));
}

/** The config of the fixtures: a Dutch-auction first stage, so the schema describes the stage's fields. */
export const CONFIG = {
  ticks: 720,
  dtSeconds: 60,
  market: { index: { model: 'gbm', p0: 2000, sigma: 0.8 } },
  venue: { insuranceFund: 1e6 },
  waterfall: {
    stages: [
      {
        stage: 'dutch-auction',
        buf: 1.2,
        curve: { type: 'stairstep', cut: 0.99, step: 90 },
        tail: 8400,
        cusp: 0.4,
      },
      { stage: 'insurance-fund' },
      { stage: 'socialized' },
    ],
  },
  agents: {
    traders: {
      count: 100,
      capital: { dist: 'fixed', value: 10_000 },
      mix: [{ strategy: 'noise', fraction: 1 }],
    },
  },
};

/**
 * The config of a Black-Thursday-like zip sweep: keepers of three strategies (English bidders, zero-bid
 * bots, Dutch takers), so that the key names the strategy of `agents.liquidators.mix[i]`.
 */
export const KEEPERS_CONFIG = {
  ...CONFIG,
  agents: {
    ...CONFIG.agents,
    liquidators: {
      count: 27,
      mix: [
        { strategy: 'english-bidder', count: 8, params: { maxGasUsd: 6 } },
        { strategy: 'english-bidder', count: 4 },
        { strategy: 'english-bidder', count: 3, params: { openingFraction: 0 } },
        { strategy: 'dutch-taker', count: 8, params: { maxGasUsd: 6 } },
        { strategy: 'dutch-taker', count: 4 },
      ],
    },
  },
};

/** The zip sweep of experiments/black-thursday.ts: five fields moving together over six points. */
export function blackThursdayZip(): Point[] {
  const hole = [0, 0, 1e12, 1e12, 0, 0];
  const gas = [6, 0, 6, 0, 6, 6];
  const bots = [3, 3, 3, 3, 2, 4];
  return hole.map((h, i) => ({
    'waterfall.stages[0].hole': h,
    'agents.liquidators.mix[0].params.maxGasUsd': gas[i],
    'agents.liquidators.mix[3].params.maxGasUsd': gas[i],
    'agents.liquidators.mix[2].count': bots[i],
    'agents.liquidators.count': 24 + bots[i],
  }));
}

/**
 * Writes a results directory: `runs` runs per point; the loss of a run grows with the point's first
 * field (and the product of the first two, an interaction), zero in about half the runs, on common random
 * numbers (run r draws the same uniforms at every point).
 */
export function writeDesign(
  dir: string,
  kind: 'none' | 'grid' | 'lhs' | 'zip',
  points: Point[],
  runs: number,
  opts: { series?: boolean; name?: string; config?: object; crn?: boolean } = {},
): void {
  mkdirSync(dir, { recursive: true });
  const fields = Object.keys(points[0] ?? {});
  const rows: Record<string, (number | string | null)[]> = {};
  const push = (k: string, v: number | string | null) => {
    rows[k] ??= [];
    rows[k].push(v);
  };
  let id = 0;
  points.forEach((pt, p) => {
    // fields of large values (a fund in USD) enter by their order of magnitude
    const vs = fields.map((f) => (pt[f] > 100 ? Math.log10(pt[f]) / 7 : pt[f]));
    const scale = 1e4 * (1 + (vs[0] ?? 1)) * (1 + (vs[0] ?? 0) * (vs[1] ?? 0));
    for (let r = 0; r < runs; r++) {
      const rng = seedrandom.xor4096(`run-${r}`);
      push('run_id', id++);
      push('point_id', p);
      push('run', r);
      push('seed', opts.crn === false ? 1000 + p * runs + r : 1000 + r);
      for (const f of fields) push(f, pt[f]);
      push('status', 'ok');
      push('error', null);
      const u = rng();
      const shortfall = u < 0.55 ? -Math.log(1 - rng()) * scale : 0;
      const fund = Math.min(shortfall, 2e4);
      const rest = shortfall - fund;
      const m: Record<string, number> = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0]));
      Object.assign(m, {
        loss: rest,
        shortfall,
        paid_by_insurance_fund: fund,
        socialized_loss: rest * 0.3,
        unpaid: rest * 0.5,
        open_deficit: rest * 0.2,
        insurance_fund_start: 1e6,
        insurance_fund_end: 1e6 - fund,
        liquidations: Math.round(shortfall / 1e3),
        pnl_traders: -shortfall,
        pnl_market_makers: shortfall,
        min_price: 1300,
      });
      for (const k of METRIC_NAMES) push(k, m[k]);
    }
  });
  writeArrow(join(dir, 'runs.arrow'), [
    { name: 'run_id', type: 'i32', values: rows.run_id },
    { name: 'point_id', type: 'i32', values: rows.point_id },
    { name: 'run', type: 'i32', values: rows.run },
    { name: 'seed', type: 'f64', values: rows.seed },
    ...fields.map((f) => ({ name: f, type: 'f64', values: rows[f] }) as Col),
    { name: 'status', type: 'utf8', values: rows.status },
    { name: 'error', type: 'utf8', values: rows.error },
    ...METRIC_NAMES.map(
      (k) => ({ name: k, type: COUNT_METRICS.has(k) ? 'i32' : 'f64', values: rows[k] }) as Col,
    ),
  ]);
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      experiment: opts.name ?? `fixture-${kind}`,
      preset: null,
      config: opts.config ?? CONFIG,
      sweep: { kind, fields, fieldTypes: fields.map(() => 'f64'), points: fields.length ? points : [{}] },
      runsPerPoint: runs,
      points: points.length,
      masterSeed: 42,
      crn: opts.crn ?? true,
      ok: points.length * runs,
      failed: 0,
    }),
  );
  if (opts.series) {
    const cols: Record<string, number[]> = { run_id: [], tick: [] };
    for (const [s] of SERIES) cols[s] = [];
    for (let runId = 0; runId < 4; runId++)
      for (let t = 0; t < CONFIG.ticks; t += 10) {
        cols.run_id.push(runId);
        cols.tick.push(t);
        const px = 2000 * (t < 360 ? 1 : 0.7) * (1 + 0.01 * Math.sin(t / 50 + runId));
        for (const [s] of SERIES) cols[s].push(s === 'open_interest' ? px * 1e5 : px);
      }
    writeArrow(join(dir, 'series.arrow'), [
      { name: 'run_id', type: 'i32', values: cols.run_id },
      { name: 'tick', type: 'i32', values: cols.tick },
      ...SERIES.map(([s]) => ({ name: s, type: 'f64', values: cols[s] }) as Col),
    ]);
  }
}

/** A fake game driver (no simulation): liquidating pays fee·10,000 − 50; `loss` is the venue's loss. */
export function liquidatorDriver(loss: (active: boolean, i: number) => number): GameDriver {
  return {
    async run(jobs) {
      return jobs.map((j) => {
        const cfg = j.config as {
          venue: { liquidationFee: number };
          agents: { liquidators: { mix: { strategy: string }[] } };
        };
        const active = cfg.agents.liquidators.mix[0].strategy === 'hold';
        return j.seeds.map((seed, i): ProfileRun => {
          const noise = ((seed % 1000) / 1000 - 0.5) * 10;
          const pnl = active ? cfg.venue.liquidationFee * 10_000 - 50 + noise : noise * 0.1;
          const l = loss(active, i);
          return {
            metrics: { loss: l, socialized_loss: l, unpaid: 0, open_deficit: 0, vault_return: 0 } as never,
            groups: [
              {
                group: 0,
                strategy: 'x',
                role: 'liquidators',
                count: 1,
                pnl,
                costs: 0,
                capital: 0,
                outsideOption: 0,
              },
            ],
          };
        });
      });
    },
  };
}

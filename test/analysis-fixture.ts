/**
 * Fixture output directories written by the runner's documented contract (issue 5): runs.arrow with
 * run_id, point_id, run, seed, one column per swept field, status, error, then the metrics in METRICS
 * order; series.arrow; manifest.json. Written directly with apache-arrow, one fresh array per column.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Field,
  Float64,
  Int32,
  Schema,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import seedrandom from 'seedrandom';
import { METRIC_NAMES, SERIES } from '../src/index.js';
import { COUNT_METRICS } from '../src/runner/assemble.js';

export type Col = { name: string; type: 'i32' | 'f64' | 'utf8'; values: (number | string | null)[] };

export function writeArrow(path: string, cols: Col[]): void {
  const data: Record<string, Vector> = {};
  const fields: Field[] = [];
  for (const c of cols) {
    const type = c.type === 'i32' ? new Int32() : c.type === 'f64' ? new Float64() : new Utf8();
    data[c.name] = vectorFromArray([...c.values], type as never);
    fields.push(new Field(c.name, type, c.name === 'error' || METRIC_NAMES.includes(c.name as never)));
  }
  writeFileSync(path, tableToIPC(new Table(new Schema(fields), data), 'file'));
}

/** Insurance fund per sweep point of the fixture. */
export const FUNDS = [0, 1e6, 3e6];
/** Runs per point of the fixture. */
export const RUNS = 100;

/** The fixture's shortfall of run r (same at every point: common random numbers). */
export function fixtureShortfall(r: number): number {
  const rng = seedrandom.xor4096(`shortfall-${r}`);
  return rng() < 0.3 ? -Math.log(1 - rng()) * 2e6 : 0;
}

/**
 * Writes a fixture results directory: 3 sweep points over `venue.insuranceFund`, 100 runs each, run 7 of
 * point 1 failed; 100 traders with fixed capital 10,000 (outside option 100 × 10,000 × 0.05 × 1 day).
 */
export function writeFixture(dir: string, opts: { series?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const rows: Record<string, (number | string | null)[]> = {};
  const push = (k: string, v: number | string | null) => {
    rows[k] ??= [];
    rows[k].push(v);
  };
  let id = 0;
  FUNDS.forEach((fund, p) => {
    for (let r = 0; r < RUNS; r++) {
      const failed = p === 1 && r === 7;
      push('run_id', id++);
      push('point_id', p);
      push('run', r);
      push('seed', 1000 + r);
      push('venue.insuranceFund', fund);
      push('status', failed ? 'failed' : 'ok');
      push('error', failed ? 'boom' : null);
      const s = fixtureShortfall(r);
      const ins = Math.min(s, fund);
      const rest = s - ins;
      const m: Record<string, number> = Object.fromEntries(METRIC_NAMES.map((k) => [k, 0]));
      Object.assign(m, {
        loss: rest,
        shortfall: s,
        paid_by_insurance_fund: ins,
        socialized_loss: rest / 2,
        unpaid: rest / 2,
        insurance_fund_start: fund,
        insurance_fund_end: fund - ins,
        insurance_fund_min: fund - ins,
        liquidations: Math.round(s / 1e4),
        pnl_traders: -s + 5000 + (r % 10) * 100,
        pnl_market_makers: s - 5000 - (r % 10) * 100,
        min_price: 1300 + (r % 50),
      });
      for (const k of METRIC_NAMES) push(k, failed ? null : m[k]);
    }
  });
  writeArrow(join(dir, 'runs.arrow'), [
    { name: 'run_id', type: 'i32', values: rows.run_id },
    { name: 'point_id', type: 'i32', values: rows.point_id },
    { name: 'run', type: 'i32', values: rows.run },
    { name: 'seed', type: 'f64', values: rows.seed },
    { name: 'venue.insuranceFund', type: 'f64', values: rows['venue.insuranceFund'] },
    { name: 'status', type: 'utf8', values: rows.status },
    { name: 'error', type: 'utf8', values: rows.error },
    ...METRIC_NAMES.map(
      (k) => ({ name: k, type: COUNT_METRICS.has(k) ? 'i32' : 'f64', values: rows[k] }) as Col,
    ),
  ]);
  const config = {
    ticks: 1440,
    dtSeconds: 60,
    venue: { insuranceFund: 0 },
    agents: {
      traders: {
        count: 100,
        capital: { dist: 'fixed', value: 10_000 },
        mix: [{ strategy: 'noise', fraction: 1 }],
      },
      riskFreeRate: 0.05,
    },
  };
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      experiment: 'fixture',
      config,
      sweep: {
        kind: 'grid',
        fields: ['venue.insuranceFund'],
        fieldTypes: ['f64'],
        points: FUNDS.map((f) => ({ 'venue.insuranceFund': f })),
      },
      runsPerPoint: RUNS,
      masterSeed: 1,
      crn: true,
      ok: FUNDS.length * RUNS - 1,
      failed: 1,
    }),
  );
  if (opts.series) {
    const cols: Record<string, number[]> = { run_id: [], tick: [] };
    for (const [s] of SERIES) cols[s] = [];
    for (const runId of [0, 1, 2, 100, 101]) {
      for (let t = 0; t < 1440; t += 60) {
        cols.run_id.push(runId);
        cols.tick.push(t);
        const px = 2000 * (t < 720 ? 1 : 0.65) * (1 + 0.01 * Math.sin(t / 100 + runId));
        for (const [s] of SERIES) cols[s].push(s === 'liquidations' ? (t === 720 ? 5 : 0) : px);
      }
    }
    writeArrow(join(dir, 'series.arrow'), [
      { name: 'run_id', type: 'i32', values: cols.run_id },
      { name: 'tick', type: 'i32', values: cols.tick },
      ...SERIES.map(([s]) => ({ name: s, type: 'f64', values: cols[s] }) as Col),
    ]);
  }
}

/**
 * Intervals under common random numbers: pooled runs that share a seed are one cluster, and intervals of
 * bounded metrics stay in range. Every statistical test uses fixed seeds; tolerances come from the
 * binomial standard error of an observed coverage (see each test).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyze,
  clusteredWilson,
  fieldMeta,
  meanInterval,
  pairedDifference,
  readArrowFile,
  wilsonInterval,
} from '../src/index.js';
import { BIN, tmp } from './cli-helpers.js';

/** Standard normal draws by Box–Muller from a seeded stream. */
function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** t_{0.975} from printed tables (Student 1908 / any statistics text), independent of studentTQuantile. */
const T975: Record<number, number> = { 4: 2.776445, 29: 2.04523 };

// A coverage observed over 2,000 independent trials is a binomial proportion with standard error
// √(0.95 · 0.05 / 2000) = 0.49%: ±2% is about 4 standard errors, so a correct interval fails with
// probability ~1e-4 and an interval that is too narrow (or too wide) by a material amount is caught.
const TRIALS = 2000;
const TOL = 0.02;

describe('cluster-robust intervals', () => {
  it('with every observation its own cluster, the interval is the ordinary t-interval', () => {
    const rng = seedrandom.xor4096('singletons');
    const x = Float64Array.from({ length: 37 }, () => normal(rng) * 3 + 1);
    const plain = meanInterval(x);
    const cl = meanInterval(x, 0.95, { clusters: Array.from({ length: 37 }, (_, i) => i * 7) });
    expect(cl.estimate).toBe(plain.estimate);
    expect(cl.low).toBeCloseTo(plain.low, 12);
    expect(cl.high).toBeCloseTo(plain.high, 12);
    expect(cl.clusters).toBe(37);
  });

  // A sweep design under CRN: G = 5 seeds, each seen at P = 32 points, x = μ + u_seed + e, u ~ N(0, 3²),
  // e ~ N(0, 1). With balanced clusters the CR1 variance is exactly the variance of the G cluster means
  // over G, and the cluster means are normal, so the t-interval with G − 1 = 4 degrees of freedom is
  // exact: coverage 95% in theory. The naive interval treats the 160 runs as independent: its standard
  // error is ≈ √(10/160) = 0.25 against the true √((9 + 1/32)/5) = 1.34, coverage ≈ P(|Z| < 0.37) ≈ 29%.
  it('a synthetic correlated design: the naive interval is far too narrow, the clustered one covers 95%', () => {
    const rng = seedrandom.xor4096('crn-design');
    const G = 5;
    const P = 32;
    const clusters = Array.from({ length: G * P }, (_, i) => Math.floor(i / P));
    let naive = 0;
    let clustered = 0;
    let widthRatio = 0;
    for (let t = 0; t < TRIALS; t++) {
      const u = Array.from({ length: G }, () => 3 * normal(rng));
      const x = Float64Array.from(clusters, (c) => 10 + u[c] + normal(rng));
      const a = meanInterval(x);
      const b = meanInterval(x, 0.95, { clusters });
      if (a.low <= 10 && 10 <= a.high) naive++;
      if (b.low <= 10 && 10 <= b.high) clustered++;
      widthRatio += (b.high - b.low) / (a.high - a.low) / TRIALS;
    }
    expect(Math.abs(clustered / TRIALS - 0.95)).toBeLessThanOrEqual(TOL);
    expect(naive / TRIALS).toBeLessThan(0.5);
    expect(widthRatio).toBeGreaterThan(3);
  });

  // Paired differences of a metric pooled over points: pairs of one seed share its random numbers
  // (d = δ + v_seed + e), so the same argument holds for the clustered paired interval.
  it('paired differences pooled over points stay paired and are clustered by seed', () => {
    const rng = seedrandom.xor4096('crn-paired');
    const G = 30;
    const P = 8;
    const keys = Array.from({ length: G * P }, (_, i) => i);
    const seeds = keys.map((i) => Math.floor(i / P));
    let naive = 0;
    let clustered = 0;
    for (let t = 0; t < TRIALS; t++) {
      const common = Array.from({ length: G * P }, () => 10 * normal(rng));
      const shift = Array.from({ length: G }, () => 2 * normal(rng));
      const b = common.map((c) => c + normal(rng));
      const a = common.map((c, i) => c + 1.5 + shift[seeds[i]] + normal(rng));
      const d0 = pairedDifference(a, keys, b, keys);
      const d1 = pairedDifference(a, keys, b, keys, 0.95, seeds);
      if (d0.low <= 1.5 && 1.5 <= d0.high) naive++;
      if (d1.low <= 1.5 && 1.5 <= d1.high) clustered++;
    }
    expect(Math.abs(clustered / TRIALS - 0.95)).toBeLessThanOrEqual(TOL);
    expect(naive / TRIALS).toBeLessThan(0.85);
  });
});

describe('intervals of bounded metrics stay in range', () => {
  it('a non-negative mean with a few large runs: the t-interval goes below 0, the log-scale one does not', () => {
    const x = [0, 0, 0, 0, 1e6];
    const t = meanInterval(x);
    const b = meanInterval(x, 0.95, { min: 0 });
    expect(t.low).toBeLessThan(0);
    expect(b.low).toBeGreaterThan(0);
    expect(b.estimate).toBe(2e5);
    // log scale: m · exp(±t·se/m), se = s/√5, t_{0.975,4} from the tables
    const se = t.se;
    expect(b.low).toBeCloseTo(2e5 * Math.exp((-T975[4] * se) / 2e5), 0);
    expect(b.high).toBeCloseTo(2e5 * Math.exp((T975[4] * se) / 2e5), 0);
  });

  it('every run at the bound gives the bound itself; a [0, 1] metric stays inside [0, 1]', () => {
    expect(meanInterval([0, 0, 0], 0.95, { min: 0 })).toMatchObject({ low: 0, high: 0 });
    const f = meanInterval([0.01, 0.02, 0.95, 0.99], 0.95, { min: 0, max: 1 });
    expect(f.low).toBeGreaterThan(0);
    expect(f.high).toBeLessThan(1);
    const r = meanInterval([-0.99, -0.98, 0.5], 0.95, { min: -1 });
    expect(r.low).toBeGreaterThan(-1);
  });

  // The delta-method log interval on exponential data: log of a Gamma(200) mean is nearly normal, so the
  // coverage is 95% to within far less than the test's ±2% (see TOL above).
  it('the log-scale interval covers 95% on exponential data, n = 200', () => {
    const rng = seedrandom.xor4096('coverage-log');
    let covered = 0;
    for (let t = 0; t < TRIALS; t++) {
      const x = Float64Array.from({ length: 200 }, () => -Math.log(1 - rng()) * 5);
      const ci = meanInterval(x, 0.95, { min: 0 });
      if (ci.low <= 5 && 5 <= ci.high) covered++;
    }
    expect(Math.abs(covered / TRIALS - 0.95)).toBeLessThanOrEqual(TOL);
  });
});

describe('Wilson interval under clustering', () => {
  it('with every observation its own cluster it is the Wilson interval', () => {
    const hits = Array.from({ length: 50 }, (_, i) => i % 7 === 0);
    const w = wilsonInterval(hits.filter(Boolean).length, 50);
    const c = clusteredWilson(
      hits,
      hits.map((_, i) => i),
    );
    expect(c.low).toBeCloseTo(w.low, 14);
    expect(c.high).toBeCloseTo(w.high, 14);
  });

  it('when every run of a seed agrees, the effective sample size is the number of seeds', () => {
    // 5 seeds × 32 points, insolvent exactly in seeds 0 and 1: as informative as 2 of 5
    const seeds = Array.from({ length: 160 }, (_, i) => Math.floor(i / 32));
    const hits = seeds.map((s) => s < 2);
    const c = clusteredWilson(hits, seeds);
    const naive = wilsonInterval(64, 160);
    expect(c.estimate).toBe(0.4);
    expect(c.high - c.low).toBeGreaterThan(3 * (naive.high - naive.low));
    expect(c.low).toBeGreaterThanOrEqual(0);
    expect(c.high).toBeLessThanOrEqual(1);
    const none = clusteredWilson(
      seeds.map(() => false),
      seeds,
    );
    expect(none.low).toBe(0);
    expect(none.high).toBeGreaterThan(wilsonInterval(0, 160).high * 3);
  });

  it('spread fixed by the design is not noise for a mean; a share never claims more than n independent runs', () => {
    // 5 seeds × 4 points; a loss at point 0 in every seed, never elsewhere: every seed sees the same
    // share, so the pooled mean of the 0/1 outcome has no sampling variance (CR1 = 0) ...
    const seeds = Array.from({ length: 20 }, (_, i) => Math.floor(i / 4));
    const hits = seeds.map((_, i) => i % 4 === 0);
    const m = meanInterval(
      hits.map((h) => (h ? 1 : 0)),
      0.95,
      { clusters: seeds },
    );
    expect(m.high - m.low).toBeLessThan(1e-12);
    // ... but the Wilson interval floors the design effect at 1: the same data as 20 independent runs,
    // with t_{0.975, 4} for z (clipper-sweep at σ 0.6 has every seed at 4 of 32 and would read
    // 12.5% [12.5%, 12.5%] without the floor)
    const c = clusteredWilson(hits, seeds);
    expect(c.estimate).toBe(0.25);
    const z = T975[4];
    const n = 20;
    const denom = 1 + (z * z) / n;
    const centre = (0.25 + (z * z) / (2 * n)) / denom;
    const half = (z * Math.sqrt((0.25 * 0.75) / n + (z * z) / (4 * n * n))) / denom;
    expect(c.low).toBeCloseTo(centre - half, 5);
    expect(c.high).toBeCloseTo(centre + half, 5);
  });

  // Binary outcomes correlated within 30 seeds × 8 points (a latent u_seed ~ N(0,1) shifts each seed's
  // probit): the design-effect Wilson interval is approximate (Korn & Graubard), and at 30 clusters its
  // coverage is close to 95%; the naive one, at n = 240, is far below.
  it('coverage on a clustered binary design', () => {
    const rng = seedrandom.xor4096('crn-wilson');
    const G = 30;
    const P = 8;
    const seeds = Array.from({ length: G * P }, (_, i) => Math.floor(i / P));
    // P(hit) = Φ(−1 / √2) marginally, u and e each N(0, 1), threshold 1
    const p = 0.2397500610934768;
    let naive = 0;
    let clustered = 0;
    for (let t = 0; t < TRIALS; t++) {
      const u = Array.from({ length: G }, () => normal(rng));
      const hits = seeds.map((s) => u[s] + normal(rng) > 1);
      const k = hits.filter(Boolean).length;
      const a = wilsonInterval(k, hits.length);
      const b = clusteredWilson(hits, seeds);
      if (a.low <= p && p <= a.high) naive++;
      if (b.low <= p && p <= b.high) clustered++;
    }
    expect(Math.abs(clustered / TRIALS - 0.95)).toBeLessThanOrEqual(TOL);
    expect(naive / TRIALS).toBeLessThan(0.8);
  });
});

describe('analyze on clipper-sweep --runs 5', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(tmp('bs-crn-'), 'out');
    execFileSync(
      process.execPath,
      [BIN, 'run', 'clipper-sweep', '--runs', '5', '--out', dir, '--workers', '2'],
      {
        stdio: 'pipe',
      },
    );
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the pooled interval of loss by market.index.sigma is the cluster-robust one, computed here by hand', () => {
    const t = readArrowFile(join(dir, 'runs.arrow'));
    const sigma = t.columns['market.index.sigma'] as Float64Array;
    const seed = t.columns.seed as Float64Array;
    const run = t.columns.run as Int32Array;
    const loss = t.columns.loss as Float64Array;
    const a = analyze(dir, { by: ['market.index.sigma'] });
    expect(a.groups.length).toBe(3);
    for (const g of a.groups) {
      const rows = [...Array(t.rows).keys()].filter((i) => sigma[i] === g.key['market.index.sigma']);
      // under crn the seed is a function of the run index alone: 5 clusters of 32 runs
      const byRun = new Map<number, number[]>();
      for (const i of rows) {
        const list = byRun.get(run[i]) ?? [];
        list.push(i);
        byRun.set(run[i], list);
      }
      expect(byRun.size).toBe(5);
      for (const list of byRun.values()) expect(new Set(list.map((i) => seed[i])).size).toBe(1);
      const n = rows.length;
      const m = rows.reduce((s, i) => s + loss[i], 0) / n;
      let ss = 0;
      for (const list of byRun.values()) {
        const s = list.reduce((acc, i) => acc + loss[i] - m, 0);
        ss += s * s;
      }
      const G = byRun.size;
      const se = Math.sqrt(((G / (G - 1)) * ss) / (n * n));
      const half = T975[G - 1] * se;
      // loss ≥ 0: the interval is m · exp(±half / m) (the log scale)
      const low = m * Math.exp(-half / m);
      const high = m * Math.exp(half / m);
      const s = g.metrics.loss;
      expect(s.estimate).toBeCloseTo(m, 6);
      expect(Math.abs(s.low - low) / low).toBeLessThan(0.05);
      expect(Math.abs(s.high - high) / high).toBeLessThan(0.05);
      expect(g.clusters).toBe(5);
      // the interval rests on 5 seeds, not 160 runs: t with 4 degrees of freedom (the synthetic design
      // above shows what taking the 160 as independent does)
      expect(s.clusters).toBe(5);
    }
  });

  it('P(insolvency) and the paired differences of the pooled groups are clustered by seed, computed here by hand', () => {
    const t = readArrowFile(join(dir, 'runs.arrow'));
    const sigma = t.columns['market.index.sigma'] as Float64Array;
    const seed = t.columns.seed as Float64Array;
    const loss = t.columns.loss as Float64Array;
    const a = analyze(dir, { by: ['market.index.sigma'], compare: ['loss'] });
    const rowsOf = (v: unknown) => [...Array(t.rows).keys()].filter((i) => sigma[i] === v);
    // CR1 variance of a mean over rows, clustered by seed
    const cr1 = (rows: number[], x: (i: number) => number) => {
      const n = rows.length;
      const m = rows.reduce((s, i) => s + x(i), 0) / n;
      const sums = new Map<number, number>();
      for (const i of rows) sums.set(seed[i], (sums.get(seed[i]) ?? 0) + x(i) - m);
      const G = sums.size;
      let ss = 0;
      for (const v of sums.values()) ss += v * v;
      return { m, v: ((G / (G - 1)) * ss) / (n * n), G };
    };
    for (const g of a.groups) {
      const rows = rowsOf(g.key['market.index.sigma']);
      const { m: p, v, G } = cr1(rows, (i) => (loss[i] > 0 ? 1 : 0));
      expect(G).toBe(5);
      // Wilson on n_eff = n / max(1, deff), deff = v / (p(1−p)/n), with t_{0.975, 4} for z
      const n = rows.length;
      const nEff = n / Math.max(1, v / ((p * (1 - p)) / n));
      const z = T975[4];
      const denom = 1 + (z * z) / nEff;
      const centre = (p + (z * z) / (2 * nEff)) / denom;
      const half = (z * Math.sqrt((p * (1 - p)) / nEff + (z * z) / (4 * nEff * nEff))) / denom;
      expect(g.insolvency.estimate).toBeCloseTo(p, 12);
      expect(Math.abs(g.insolvency.low - (centre - half))).toBeLessThan(1e-4);
      expect(Math.abs(g.insolvency.high - (centre + half))).toBeLessThan(1e-4);
    }
    // paired: σ = 1.2 − σ = 0.6, runs matched by run index and the other swept fields, clustered by seed
    const fields = a.fields.filter((f) => f !== 'market.index.sigma');
    const key = (i: number) => [t.columns.run[i], ...fields.map((f) => t.columns[f][i])].join('|');
    const ref = new Map(rowsOf(a.groups[0].key['market.index.sigma']).map((i) => [key(i), i]));
    const pairs = rowsOf(a.groups[1].key['market.index.sigma']).map((i) => [i, ref.get(key(i))!]);
    expect(pairs.length).toBe(160);
    const d = new Map(pairs.map(([i, j]) => [i, loss[i] - loss[j]]));
    const { m, v, G } = cr1(
      pairs.map(([i]) => i),
      (i) => d.get(i)!,
    );
    const c = a.comparisons.find((x) => x.metric === 'loss' && x.group === a.groups[1].label)!;
    expect(c.difference.estimate).toBeCloseTo(m, 6);
    expect(c.difference.low).toBeCloseTo(m - T975[G - 1] * Math.sqrt(v), 3);
    expect(c.difference.high).toBeCloseTo(m + T975[G - 1] * Math.sqrt(v), 3);
  });

  it('no interval of a non-negative metric has a negative lower end, by point or pooled', () => {
    for (const a of [analyze(dir), analyze(dir, { by: ['market.index.sigma'] })]) {
      let checked = 0;
      for (const g of a.groups) {
        for (const m of a.metrics) {
          const meta = fieldMeta(m);
          const s = g.metrics[m];
          if (meta?.min !== undefined && Number.isFinite(s.low)) {
            expect(s.low, `${g.label} ${m}`).toBeGreaterThanOrEqual(meta.min);
            checked++;
          }
          if (meta?.max !== undefined && Number.isFinite(s.high))
            expect(s.high, `${g.label} ${m}`).toBeLessThanOrEqual(meta.max);
        }
        expect(g.insolvency.low).toBeGreaterThanOrEqual(0);
        expect(g.insolvency.high).toBeLessThanOrEqual(1);
      }
      expect(checked).toBeGreaterThan(0);
    }
  });
});

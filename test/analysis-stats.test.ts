import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  meanInterval,
  pairedDifference,
  sortedCopy,
  studentTQuantile,
  summarize,
  tailRisk,
  wilsonInterval,
} from '../src/index.js';

/** Standard normal draws by Box–Muller from a seeded stream. */
function normals(rng: () => number, n: number, mu: number, sigma: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = mu + sigma * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = mu + sigma * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

describe('t quantiles', () => {
  it('match tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.2622, 4);
    expect(studentTQuantile(0.975, 29)).toBeCloseTo(2.0452, 4);
    expect(studentTQuantile(0.995, 4)).toBeCloseTo(4.6041, 4);
    expect(studentTQuantile(0.025, 9)).toBeCloseTo(-2.2622, 4);
  });
});

describe('interval coverage on synthetic data with a known mean', () => {
  // Acceptance: the nominal 95% interval covers the true value in 95% ± 2% of 2,000 trials. The observed
  // coverage of 2,000 independent trials is a binomial proportion with standard error
  // sqrt(0.95 · 0.05 / 2000) = 0.49%, so ±2% is about 4 standard errors: a correct interval fails this
  // test with probability ~ 1e-4, while a wrong one (e.g. a z-interval at small n, ~93%) is caught.
  // Seeds are fixed, so the test is deterministic.
  const trials = 2000;

  it('t-interval of the mean: normal data, n = 10', () => {
    const rng = seedrandom.xor4096('coverage-normal');
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const ci = meanInterval(normals(rng, 10, 3, 2));
      if (ci.low <= 3 && 3 <= ci.high) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThanOrEqual(0.02);
  });

  it('t-interval of the mean: skewed (exponential) data, n = 200', () => {
    const rng = seedrandom.xor4096('coverage-exp');
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const x = Float64Array.from({ length: 200 }, () => -Math.log(1 - rng()) * 5);
      const ci = meanInterval(x);
      if (ci.low <= 5 && 5 <= ci.high) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThanOrEqual(0.02);
  });

  it('Wilson interval of a probability: p = 0.1, n = 200', () => {
    const rng = seedrandom.xor4096('coverage-wilson');
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      let k = 0;
      for (let i = 0; i < 200; i++) if (rng() < 0.1) k++;
      const ci = wilsonInterval(k, 200);
      if (ci.low <= 0.1 && 0.1 <= ci.high) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThanOrEqual(0.02);
  });

  it('paired difference on common random numbers', () => {
    const rng = seedrandom.xor4096('coverage-paired');
    let covered = 0;
    const keys = Array.from({ length: 30 }, (_, i) => i);
    for (let t = 0; t < trials; t++) {
      const common = normals(rng, 30, 0, 10);
      const noise = normals(rng, 60, 0, 1);
      const a = common.map((c, i) => c + 1.5 + noise[i]);
      const b = common.map((c, i) => c + noise[30 + i]);
      const d = pairedDifference(a, keys, b, keys);
      if (d.low <= 1.5 && 1.5 <= d.high) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThanOrEqual(0.02);
  });
});

describe('VaR and expected shortfall', () => {
  it('match hand-computed values on a small sample', () => {
    // 20 losses, shuffled; sorted: 0 ×10, 1, 2, 3, 4, 5, 10, 20, 40, 80, 100
    const losses = [5, 0, 80, 0, 1, 0, 100, 0, 3, 0, 20, 0, 2, 0, 40, 0, 4, 0, 10, 0];
    const s = sortedCopy(losses);
    // α = 0.95: nα = 19, VaR = L(19) = 80; ES = (0·80 + L(20)) / (20 · 0.05) = 100
    expect(tailRisk(s, 0.95)).toEqual({ level: 0.95, var: 80, es: 100 });
    // α = 0.99: nα = 19.8, ⌈nα⌉ = 20, VaR = 100; ES = (0.2 · 100) / 0.2 = 100
    const r99 = tailRisk(s, 0.99);
    expect(r99.var).toBe(100);
    expect(r99.es).toBeCloseTo(100, 10);
    // α = 0.8: nα = 16, VaR = L(16) = 10; ES = (20 + 40 + 80 + 100) / 4 = 60
    expect(tailRisk(s, 0.8).var).toBe(10);
    expect(tailRisk(s, 0.8).es).toBeCloseTo(60, 10);
    // α = 0.875: nα = 17.5, ⌈⌉ = 18, VaR = L(18) = 40; ES = (0.5·40 + 80 + 100) / 2.5 = 80
    expect(tailRisk(s, 0.875).var).toBe(40);
    expect(tailRisk(s, 0.875).es).toBeCloseTo(80, 10);
  });

  it('ES is the mean of the worst 5% when n·0.05 is whole', () => {
    const s = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(tailRisk(s, 0.95)).toEqual({ level: 0.95, var: 95, es: 98 });
  });
});

describe('summaries', () => {
  it('quantiles are type 7 from one sorted copy; nulls are dropped', () => {
    const s = summarize([10, null, 1, 2, 3, 4, 5, 6, 7, 8, 9, Number.NaN]);
    expect(s.n).toBe(10);
    expect(s.estimate).toBe(5.5);
    expect(s.p50).toBe(5.5);
    expect(s.p95).toBeCloseTo(9.55, 12);
    expect(s.p99).toBeCloseTo(9.91, 12);
    expect(s.min).toBe(1);
    expect(s.max).toBe(10);
    // t-interval by hand: sd = 3.02765, se = 0.957427, t(0.975, 9) = 2.262157
    expect(s.low).toBeCloseTo(5.5 - 2.262157 * 0.957427, 4);
  });

  it('Wilson interval at the boundary stays inside [0, 1]', () => {
    const w = wilsonInterval(0, 100);
    expect(w.low).toBe(0);
    expect(w.high).toBeCloseTo(0.037, 3);
    expect(wilsonInterval(100, 100).high).toBe(1);
  });
});

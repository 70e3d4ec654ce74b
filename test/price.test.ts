/**
 * Statistical tests of the index price models against theory.
 *
 * Tolerances. Every statistical assertion is |estimate − theory| < 4·SE, with SE the standard error of
 * the estimate derived below. With fixed seeds the tests are deterministic; 4 SE means a correct model
 * would fail a given check for about 1 seed in 16,000 (two-sided normal tail), while a wrong drift,
 * compensator or variance is off by many SE at these sample sizes.
 *
 *  - Mean of n i.i.d. per-tick log returns with sd s: SE = s/√n.
 *  - Sample variance of n i.i.d. normal values with variance v: SE ≈ v·√(2/(n−1)). For non-normal i.i.d.
 *    data (Merton) SE ≈ √((m4 − v²)/n), m4 the fourth central moment (estimated from the sample).
 *  - Poisson count with mean λT: SE = √(λT). A proportion p over n i.i.d. trials: SE = √(p(1−p)/n).
 *  - GARCH returns are uncorrelated but their squares are not, so the i.i.d. formula understates the
 *    SE of the sample variance. Two estimates, the larger is used (conservative):
 *    (a) analytic, for GARCH(1,1) with normal innovations: Var(sample variance) ≈ Var(e²)/n·(1 + 2Σρ_k),
 *        Var(e²) = (κ − 1)v², kurtosis κ = 3(1 − (α+β)²)/(1 − (α+β)² − 2α²), autocorrelations of e²
 *        ρ_1 = α(1 − αβ − β²)/(1 − 2αβ − β²), ρ_k = ρ_1(α+β)^{k−1}, so Σρ_k = ρ_1/(1 − α − β)
 *        (Bollerslev 1986, 1988). For α = 0.08, β = 0.9: κ ≈ 4.43, ρ_1 ≈ 0.205, SE ≈ v·√(73.9/n).
 *    (b) batch means: the sample is cut into B blocks much longer than the autocorrelation time
 *        (1/(1 − α − β) = 50 ticks); the block variances are nearly independent, SE = sd(blocks)/√B.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DataFileError } from '../src/errors.js';
import {
  applyShocks,
  clearPriceCsvCache,
  garch,
  garchParams,
  gbm,
  gbmParams,
  getPriceModel,
  merton,
  mertonParams,
  type PriceContext,
  parsePriceCsv,
  replay,
  replayParams,
  resampleToGrid,
  SECONDS_PER_YEAR,
  shockSchema,
} from '../src/market/price/index.js';
import { Stream } from '../src/rng.js';

function ctx(ticks: number, dtSeconds: number, seed: string, baseDir = '.'): PriceContext {
  return { ticks, dtSeconds, rng: new Stream(seed), baseDir };
}

/** Per-tick log returns of a path. */
function logReturns(path: Float64Array): Float64Array {
  const r = new Float64Array(path.length - 1);
  for (let i = 0; i < r.length; i++) r[i] = Math.log(path[i + 1] / path[i]);
  return r;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Unbiased sample variance. */
function variance(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return s / (x.length - 1);
}

/** Fourth central moment. */
function moment4(x: ArrayLike<number>): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 4;
  return s / x.length;
}

function expectWithin(estimate: number, theory: number, se: number, k = 4): void {
  expect(se).toBeGreaterThan(0);
  expect(Math.abs(estimate - theory), `estimate ${estimate}, theory ${theory}, SE ${se}`).toBeLessThan(
    k * se,
  );
}

describe('registry', () => {
  it('registers the built-in models', () => {
    for (const name of ['gbm', 'merton', 'garch', 'replay']) expect(getPriceModel(name)?.name).toBe(name);
  });

  it('schemas are strict and fill defaults', () => {
    expect(gbmParams.parse({ model: 'gbm' })).toEqual({ model: 'gbm', p0: 2000, mu: 0, sigma: 0.8 });
    expect(mertonParams.parse({ model: 'merton' })).toMatchObject({
      lambda: 10,
      jumpMean: -0.05,
      jumpStd: 0.1,
    });
    expect(garchParams.parse({ model: 'garch' })).toMatchObject({ sigma: 0.8, alpha: 0.08, beta: 0.9 });
    expect(replayParams.parse({ model: 'replay', file: 'x.csv' })).toEqual({
      model: 'replay',
      file: 'x.csv',
      scale: 1,
      startOffsetSeconds: 0,
    });
    expect(gbmParams.safeParse({ model: 'gbm', vol: 1 }).success).toBe(false);
    expect(gbmParams.safeParse({ model: 'gbm', sigma: -0.1 }).success).toBe(false);
    expect(gbmParams.safeParse({ model: 'gbm', p0: 0 }).success).toBe(false);
  });
});

describe('gbm', () => {
  // Per tick: log return ~ normal((mu − σ²/2)Δ, σ²Δ), i.i.d.
  it.each([
    { label: 'dt=60s, sigma=0.8, mu=0', dt: 60, mu: 0, sigma: 0.8 },
    { label: 'dt=1h, sigma=0.8, mu=2 (drift ≈ 10 SE, detectable)', dt: 3600, mu: 2, sigma: 0.8 },
  ])('log-return mean and variance per tick match theory ($label)', ({ dt, mu, sigma }) => {
    const n = 200_000;
    const params = gbmParams.parse({ model: 'gbm', mu, sigma });
    const path = gbm.generate(params, ctx(n, dt, 'test-seed-gbm'));
    expect(path.length).toBe(n + 1);
    expect(path[0]).toBe(2000);
    const r = logReturns(path);
    const delta = dt / SECONDS_PER_YEAR;
    const v = sigma * sigma * delta;
    expectWithin(mean(r), (mu - 0.5 * sigma * sigma) * delta, Math.sqrt(v / n));
    expectWithin(variance(r), v, v * Math.sqrt(2 / (n - 1)));
    // E[e^r] = e^{muΔ}; Var(e^r) = e^{2muΔ}(e^{σ²Δ} − 1) (lognormal), SE = sd/√n.
    const gross = r.map(Math.exp);
    expectWithin(mean(gross), Math.exp(mu * delta), Math.exp(mu * delta) * Math.sqrt(Math.expm1(v) / n));
  });

  it('is deterministic for a seed and positive', () => {
    const params = gbmParams.parse({ model: 'gbm', sigma: 3 });
    const a = gbm.generate(params, ctx(10_000, 60, 'test-seed-det'));
    const b = gbm.generate(params, ctx(10_000, 60, 'test-seed-det'));
    expect(a).toEqual(b);
    expect(a.every((p) => p > 0 && Number.isFinite(p))).toBe(true);
  });
});

describe('merton', () => {
  it('jump count matches lambda·T (sigma = 0, fixed jump size: increments reveal N exactly)', () => {
    // With sigma = 0 and jumpStd = 0 each log increment is drift + N·jumpMean, so N per tick is recovered
    // exactly. Total count ~ Poisson(λT), SE = √(λT); share of jump-free ticks p = e^{−λΔ},
    // SE = √(p(1−p)/n).
    const n = 100_000;
    const dt = 3600;
    const params = mertonParams.parse({
      model: 'merton',
      sigma: 0,
      lambda: 1000,
      jumpMean: -0.01,
      jumpStd: 0,
    });
    const path = merton.generate(params, ctx(n, dt, 'test-seed-merton-count'));
    const delta = dt / SECONDS_PER_YEAR;
    const kappa = Math.expm1(params.jumpMean);
    const drift = -params.lambda * kappa * delta;
    const r = logReturns(path);
    let total = 0;
    let zeroTicks = 0;
    let maxResidual = 0;
    let minJumps = 0;
    for (let i = 0; i < n; i++) {
      const jumps = Math.round((r[i] - drift) / params.jumpMean);
      maxResidual = Math.max(maxResidual, Math.abs(r[i] - drift - jumps * params.jumpMean));
      minJumps = Math.min(minJumps, jumps);
      total += jumps;
      if (jumps === 0) zeroTicks++;
    }
    expect(maxResidual).toBeLessThan(1e-9);
    expect(minJumps).toBeGreaterThanOrEqual(0);
    const lt = params.lambda * n * delta;
    expectWithin(total, lt, Math.sqrt(lt));
    const p0 = Math.exp(-params.lambda * delta);
    expectWithin(zeroTicks / n, p0, Math.sqrt((p0 * (1 - p0)) / n));
  });

  it('per-tick log-return mean and variance and E[e^r] match theory (compensated drift)', () => {
    const n = 200_000;
    const dt = 3600;
    const params = mertonParams.parse({
      model: 'merton',
      mu: 0.5,
      sigma: 0.8,
      lambda: 1000,
      jumpMean: -0.05,
      jumpStd: 0.1,
    });
    const { mu, sigma, lambda, jumpMean: m, jumpStd: s } = params;
    const path = merton.generate(params, ctx(n, dt, 'test-seed-merton'));
    const r = logReturns(path);
    const delta = dt / SECONDS_PER_YEAR;
    const kappa = Math.exp(m + (s * s) / 2) - 1;
    const driftTick = (mu - (sigma * sigma) / 2 - lambda * kappa) * delta;
    // Compound Poisson: mean λΔ·m, variance λΔ·(m² + s²).
    const theoryMean = driftTick + lambda * delta * m;
    const theoryVar = sigma * sigma * delta + lambda * delta * (m * m + s * s);
    expectWithin(mean(r), theoryMean, Math.sqrt(theoryVar / n));
    const v = variance(r);
    expectWithin(v, theoryVar, Math.sqrt((moment4(r) - v * v) / n));
    // E[e^r] = e^{muΔ} is what the compensator buys. E[e^{2r}] = e^{2·driftTick + 2σ²Δ}·e^{λΔ(e^{2m+2s²} − 1)}.
    const e1 = Math.exp(mu * delta);
    const e2 = Math.exp(
      2 * driftTick + 2 * sigma * sigma * delta + lambda * delta * Math.expm1(2 * m + 2 * s * s),
    );
    const gross = r.map(Math.exp);
    expectWithin(mean(gross), e1, Math.sqrt((e2 - e1 * e1) / n));
    // An uncompensated drift would be off by λκΔ ≈ 5e-3 per tick, far beyond 4 SE (≈ 4e-4).
    expect(Math.abs(lambda * kappa * delta)).toBeGreaterThan(10 * Math.sqrt((e2 - e1 * e1) / n));
  });
});

describe('garch', () => {
  it('unconditional variance of per-tick returns matches sigma²Δ', () => {
    const n = 400_000;
    const dt = 60;
    const params = garchParams.parse({ model: 'garch', sigma: 0.8, alpha: 0.08, beta: 0.9 });
    const { alpha: a, beta: b } = params;
    const path = garch.generate(params, ctx(n, dt, 'test-seed-garch'));
    expect(path.length).toBe(n + 1);
    const r = logReturns(path);
    const delta = dt / SECONDS_PER_YEAR;
    const v = params.sigma * params.sigma * delta;
    const est = variance(r);
    // (a) analytic SE (see header).
    const p = a + b;
    const kurt = (3 * (1 - p * p)) / (1 - p * p - 2 * a * a);
    const rho1 = (a * (1 - a * b - b * b)) / (1 - 2 * a * b - b * b);
    const seAnalytic = v * Math.sqrt(((kurt - 1) * (1 + (2 * rho1) / (1 - p))) / n);
    // (b) batch means over 50 blocks of 8,000 ticks (160 autocorrelation times each).
    const blocks = 50;
    const len = n / blocks;
    const blockVars = new Float64Array(blocks);
    for (let i = 0; i < blocks; i++) blockVars[i] = variance(r.subarray(i * len, (i + 1) * len));
    const seBatch = Math.sqrt(variance(blockVars) / blocks);
    const se = Math.max(seAnalytic, seBatch);
    expectWithin(est, v, se);
    // The i.i.d. normal SE would be several times too small.
    expect(seAnalytic).toBeGreaterThan(3 * v * Math.sqrt(2 / (n - 1)));
    // Volatility clustering: lag-1 autocorrelation of squared returns, theory ρ_1 ≈ 0.205 (0 for GBM,
    // ± 1/√n ≈ 0.0016). A loose qualitative check; its SE under GARCH is not derived here.
    const m = mean(r);
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      const x = (r[i] - m) ** 2 - est;
      den += x * x;
      if (i > 0) num += x * ((r[i - 1] - m) ** 2 - est);
    }
    expect(num / den).toBeGreaterThan(0.1);
    expect(num / den).toBeLessThan(0.35);
  });

  it('rejects alpha + beta >= 1 with the error on alpha and beta', () => {
    const res = garchParams.safeParse({ model: 'garch', alpha: 0.2, beta: 0.8 });
    expect(res.success).toBe(false);
    const issues = res.error?.issues ?? [];
    expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['alpha', 'beta']);
    for (const i of issues) expect(i.message).toBe('alpha + beta must be < 1 for a stationary GARCH(1,1)');
    expect(garchParams.safeParse({ model: 'garch', alpha: -0.1 }).success).toBe(false);
    expect(garchParams.safeParse({ model: 'garch', alpha: 0.1, beta: 0.89 }).success).toBe(true);
  });
});

describe('replay', () => {
  const csvUrl = new URL('../data/eth_usd_coinapi_10m_2020-03-12.csv', import.meta.url);
  const csvPath = fileURLToPath(csvUrl);
  const rows = readFileSync(csvPath, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [t, p] = line.split(',');
      return { t: Date.parse(t) / 1000, p: Number(p) };
    });
  const replayCtx = (ticks: number, dt: number) => ctx(ticks, dt, 'unused', dirname(csvPath));
  const params = replayParams.parse({ model: 'replay', file: basename(csvPath) });

  it('reproduces the CSV at its own resolution (dt = 600 s), file resolved against baseDir', () => {
    expect(rows.length).toBe(144);
    const path = replay.generate(params, replayCtx(rows.length - 1, 600));
    expect(path.length).toBe(rows.length);
    for (let k = 0; k < rows.length; k++) expect(path[k]).toBe(rows[k].p);
  });

  it('holds the last price at or before each tick time (dt = 60 s), and the last row past the end', () => {
    const ticks = 10 * rows.length + 50;
    const path = replay.generate(params, replayCtx(ticks, 60));
    const t0 = rows[0].t;
    for (let k = 0; k <= ticks; k++) {
      let j = 0;
      while (j + 1 < rows.length && rows[j + 1].t <= t0 + 60 * k) j++;
      expect(path[k]).toBe(rows[j].p);
    }
    expect(path[9]).toBe(rows[0].p);
    expect(path[10]).toBe(rows[1].p);
    expect(path[ticks]).toBe(rows[rows.length - 1].p);
  });

  it('applies scale and startOffsetSeconds; absolute paths work', () => {
    const p = replayParams.parse({ model: 'replay', file: csvPath, scale: 2, startOffsetSeconds: 1200 });
    const path = replay.generate(p, ctx(20, 600, 'unused', '/nonexistent'));
    for (let k = 0; k <= 20; k++) expect(path[k]).toBe(2 * rows[k + 2].p);
  });

  it('resampleToGrid never looks ahead', () => {
    const times = Float64Array.from([0, 10, 25]);
    const prices = Float64Array.from([1, 2, 3]);
    expect(Array.from(resampleToGrid(times, prices, 6, 5, 0))).toEqual([1, 1, 2, 2, 2, 3, 3]);
    expect(Array.from(resampleToGrid(times, prices, 2, 5, 9))).toEqual([1, 2, 2]);
  });

  it('parses ISO-8601 (with offsets) and Unix-second timestamps, quotes and CRLF', () => {
    const text =
      'time,close\r\n"2020-03-12T00:00:00Z","10"\r\n2020-03-12T02:10:00+02:00,11\r\n1583972400,12.5\r\n\r\n';
    const { times, prices } = parsePriceCsv(text, 'inline.csv');
    expect(Array.from(times)).toEqual([1583971200, 1583971800, 1583972400]);
    expect(Array.from(prices)).toEqual([10, 11, 12.5]);
  });

  describe('malformed CSVs throw DataFileError naming the line', () => {
    const head = 'timestamp_utc,price\n2020-03-12T00:10:00Z,194.52\n';
    it.each([
      [
        'bad timestamp',
        `${head}2020-03-12 junk,190\n`,
        /line 3: cannot parse timestamp '2020-03-12 junk'.*ISO-8601/,
      ],
      ['impossible date', `${head}2020-02-30T00:00:00Z,190\n`, /line 3: cannot parse timestamp/],
      ['timestamp in milliseconds', 'ts,price\n1583971800000,1\n', /line 2: .*milliseconds/],
      [
        'decreasing time',
        `${head}2020-03-12T00:20:00Z,190\n2020-03-12T00:15:00Z,189\n`,
        /line 4: .*strictly increasing/,
      ],
      ['repeated time', `${head}2020-03-12T00:10:00Z,190\n`, /line 3: .*strictly increasing/],
      ['negative price', `${head}2020-03-12T00:20:00Z,-5\n`, /line 3: price -5 is not > 0/],
      ['zero price', `${head}2020-03-12T00:20:00Z,0\n`, /line 3: price 0 is not > 0/],
      ['non-numeric price', `${head}2020-03-12T00:20:00Z,abc\n`, /line 3: price 'abc' is not a number/],
      ['infinite price', `${head}2020-03-12T00:20:00Z,1e999\n`, /line 3: price '1e999' is not finite/],
      ['wrong columns', `${head}2020-03-12T00:20:00Z,190,1\n`, /line 3: expected 2 columns .*found 3/],
      ['wrong header columns', 'timestamp_utc\n2020-03-12T00:20:00Z\n', /line 1: expected 2 columns/],
      ['no header', '2020-03-12T00:10:00Z,194.52\n', /line 1: found data where the header belongs/],
      ['header only', 'timestamp_utc,price\n', /no data rows/],
      ['empty file', '', /file is empty/],
      ['whitespace-only file', ' \n\n', /file is empty/],
    ])('%s', (_label, text, message) => {
      expect(() => parsePriceCsv(text, 'bad.csv')).toThrow(DataFileError);
      expect(() => parsePriceCsv(text, 'bad.csv')).toThrow(message);
      try {
        parsePriceCsv(text, 'bad.csv');
      } catch (e) {
        expect((e as DataFileError).issues[0].path).toBe('bad.csv');
      }
    });

    it('missing file', () => {
      clearPriceCsvCache();
      const p = replayParams.parse({ model: 'replay', file: 'no/such/file.csv' });
      const run = () => replay.generate(p, ctx(10, 60, 'unused', '/tmp'));
      expect(run).toThrow(DataFileError);
      expect(run).toThrow(/file not found \(looked for \/tmp\/no\/such\/file\.csv\)/);
    });
  });
});

describe('shocks', () => {
  const shock = shockSchema.parse({ atTick: 100, change: -0.35, durationSeconds: 7200 });

  it('produces the stated drop on a flat path, monotonically over n = 120 ticks', () => {
    const flat = gbm.generate(
      gbmParams.parse({ model: 'gbm', sigma: 0, mu: 0 }),
      ctx(500, 60, 'test-seed-flat'),
    );
    expect(flat.every((p) => p === 2000)).toBe(true);
    applyShocks(flat, [shock], 60);
    expect(Math.abs(flat[220] / flat[100] - 0.65)).toBeLessThan(1e-12);
    for (let k = 0; k <= 100; k++) expect(flat[k]).toBe(2000);
    for (let k = 101; k <= 220; k++) expect(flat[k]).toBeLessThan(flat[k - 1]);
    for (let k = 221; k <= 500; k++) expect(Math.abs(flat[k] / 2000 - 0.65)).toBeLessThan(1e-12);
    // Evenly in log space: half way through the drop is √0.65.
    expect(Math.abs(flat[160] / 2000 - Math.sqrt(0.65))).toBeLessThan(1e-12);
  });

  it('scales a random GBM path by exactly 1 + change after the shock', () => {
    const params = gbmParams.parse({ model: 'gbm', sigma: 0.8 });
    const base = gbm.generate(params, ctx(1000, 60, 'test-seed-shock'));
    const shocked = gbm.generate(params, ctx(1000, 60, 'test-seed-shock'));
    applyShocks(shocked, [shock], 60);
    for (let k = 0; k <= 100; k++) expect(shocked[k]).toBe(base[k]);
    for (let k = 101; k < 220; k++)
      expect(Math.abs(shocked[k] / base[k] - 0.65 ** ((k - 100) / 120))).toBeLessThan(1e-12);
    for (let k = 220; k <= 1000; k++) expect(Math.abs(shocked[k] / base[k] - 0.65)).toBeLessThan(1e-12);
  });

  it('short shocks take one tick; ticks beyond the path are ignored; shocks compose', () => {
    const path = new Float64Array(11).fill(100);
    applyShocks(
      path,
      [
        { atTick: 2, change: 0.5, durationSeconds: 1 },
        { atTick: 8, change: -0.5, durationSeconds: 600 },
        { atTick: 50, change: -0.9, durationSeconds: 60 },
      ],
      60,
    );
    expect(path[2]).toBe(100);
    expect(path[3]).toBe(150);
    expect(path[8]).toBe(150);
    expect(path[10] / 150).toBeCloseTo(0.5 ** 0.2, 12);
  });

  it('schema rejects change <= -1, fractional atTick and non-positive durations', () => {
    expect(shockSchema.safeParse({ atTick: 0, change: -1, durationSeconds: 60 }).success).toBe(false);
    expect(shockSchema.safeParse({ atTick: 1.5, change: -0.1, durationSeconds: 60 }).success).toBe(false);
    expect(shockSchema.safeParse({ atTick: 0, change: -0.1, durationSeconds: 0 }).success).toBe(false);
    expect(shockSchema.safeParse({ atTick: 0, change: -0.1, durationSeconds: 60, extra: 1 }).success).toBe(
      false,
    );
  });
});

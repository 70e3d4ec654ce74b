/**
 * Statistics of Monte Carlo results: means with t-intervals, quantiles from one sorted copy, Wilson
 * intervals for probabilities, empirical VaR and expected shortfall, and paired differences on common
 * random numbers. simple-statistics does the arithmetic; this module fixes the estimator conventions.
 */
import { gammaln, mean, probit, quantileSorted, sampleStandardDeviation } from 'simple-statistics';

/** A point estimate with a two-sided confidence interval. */
export interface Interval {
  /** Number of observations the estimate uses. */
  n: number;
  /** The point estimate. */
  estimate: number;
  /** Lower end of the interval (NaN when it cannot be computed, e.g. n < 2). */
  low: number;
  /** Upper end of the interval (NaN when it cannot be computed). */
  high: number;
}

/** A mean with its t-interval, sample standard deviation and standard error. */
export interface MeanInterval extends Interval {
  /** Sample standard deviation (n − 1 denominator). */
  sd: number;
  /** Standard error of the mean, sd / √n. */
  se: number;
}

/** Distribution summary of one column. */
export interface ColumnSummary extends MeanInterval {
  /** Smallest value. */
  min: number;
  /** Median (type-7 quantile). */
  p50: number;
  /** 95th percentile (type-7 quantile). */
  p95: number;
  /** 99th percentile (type-7 quantile). */
  p99: number;
  /** Largest value. */
  max: number;
}

/** Value at risk and expected shortfall at one level. */
export interface TailRisk {
  /** The level α (e.g. 0.95). */
  level: number;
  /** Value at risk: the lower empirical α-quantile of the loss. */
  var: number;
  /** Expected shortfall: the mean of the worst (1 − α) share of the empirical loss distribution. */
  es: number;
}

/** Natural log of the complete beta function B(a, b). */
function lbeta(a: number, b: number): number {
  return gammaln(a) + gammaln(b) - gammaln(a + b);
}

/** Continued fraction of the regularized incomplete beta function (modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/**
 * Regularized incomplete beta function I_x(a, b).
 *
 * @example incompleteBeta(0.5, 2, 2) // 0.5
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - lbeta(a, b));
  return x < (a + 1) / (a + b + 2) ? (front * betacf(a, b, x)) / a : 1 - (front * betacf(b, a, 1 - x)) / b;
}

/**
 * Cumulative distribution function of Student's t with `df` degrees of freedom.
 *
 * @example studentTCdf(0, 5) // 0.5
 */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Quantile of Student's t with `df` degrees of freedom (by bisection on the exact CDF; 1e-12 relative).
 *
 * @example studentTQuantile(0.975, 9) // 2.2622
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) return Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (!Number.isFinite(df) || df > 1e7) return probit(p);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Values that are finite numbers, as a Float64Array (nulls, NaN and infinities dropped). */
export function finiteValues(xs: ArrayLike<number | null | undefined>): Float64Array {
  let n = 0;
  const out = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v === 'number' && Number.isFinite(v)) out[n++] = v;
  }
  return out.slice(0, n);
}

/**
 * Mean with a two-sided t-interval: mean ± t_{(1+level)/2, n−1} · s/√n, s the sample standard deviation.
 * With n < 2 the interval is NaN; with s = 0 it collapses to the mean.
 *
 * @param xs observations (non-finite values are dropped)
 * @param level confidence level, 0.95 by default
 * @example meanInterval([1, 2, 3, 4]) // { estimate: 2.5, low: 0.446, high: 4.554, ... }
 */
export function meanInterval(xs: ArrayLike<number | null | undefined>, level = 0.95): MeanInterval {
  const v = finiteValues(xs);
  const n = v.length;
  if (n === 0)
    return { n, estimate: Number.NaN, low: Number.NaN, high: Number.NaN, sd: Number.NaN, se: Number.NaN };
  const m = mean(v as unknown as number[]);
  if (n < 2) return { n, estimate: m, low: Number.NaN, high: Number.NaN, sd: Number.NaN, se: Number.NaN };
  const sd = sampleStandardDeviation(v as unknown as number[]);
  const se = sd / Math.sqrt(n);
  const half = studentTQuantile(0.5 + level / 2, n - 1) * se;
  return { n, estimate: m, low: m - half, high: m + half, sd, se };
}

/**
 * Wilson score interval for a binomial proportion k / n (well behaved at 0 and 1, unlike the Wald
 * interval): (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z the normal (1+level)/2 quantile.
 *
 * @example wilsonInterval(0, 100) // { estimate: 0, low: 0, high: 0.037 }
 */
export function wilsonInterval(k: number, n: number, level = 0.95): Interval {
  if (n <= 0) return { n: 0, estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  const z = probit(0.5 + level / 2);
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { n, estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Ascending sorted copy of the finite values of a column. Sort once, then take every quantile from it. */
export function sortedCopy(xs: ArrayLike<number | null | undefined>): Float64Array {
  return finiteValues(xs).sort();
}

/**
 * Type-7 quantile (linear interpolation between order statistics, the default of R and numpy) of an
 * ascending sorted array.
 */
export function quantileOfSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return quantileSorted(sorted as unknown as number[], p);
}

/**
 * Summary of one column: count, mean with its t-interval, sd, se, min, p50, p95, p99, max. The column is
 * sorted once; all quantiles come from that sorted copy.
 */
export function summarize(xs: ArrayLike<number | null | undefined>, level = 0.95): ColumnSummary {
  const sorted = sortedCopy(xs);
  const mi = meanInterval(sorted, level);
  return {
    ...mi,
    min: sorted.length ? sorted[0] : Number.NaN,
    p50: quantileOfSorted(sorted, 0.5),
    p95: quantileOfSorted(sorted, 0.95),
    p99: quantileOfSorted(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}

/**
 * Empirical value at risk and expected shortfall of a loss (larger = worse) at level α, from an ascending
 * sorted sample L(1) ≤ … ≤ L(n):
 *
 * - VaR_α = L(⌈nα⌉), the lower empirical α-quantile inf{ℓ : F_n(ℓ) ≥ α};
 * - ES_α = (1 / (n(1−α))) · [ (⌈nα⌉ − nα) · L(⌈nα⌉) + Σ_{i > ⌈nα⌉} L(i) ], the integral of the empirical
 *   quantile function over (α, 1] divided by 1 − α (Acerbi & Tasche 2002): the mean of the worst
 *   (1 − α) share of outcomes, with the boundary observation counted fractionally. ES_α ≥ VaR_α always.
 *
 * @example tailRisk(Float64Array.from({ length: 100 }, (_, i) => i + 1), 0.95) // { var: 95, es: 98 }
 */
export function tailRisk(sortedLosses: Float64Array, level: number): TailRisk {
  const n = sortedLosses.length;
  if (n === 0) return { level, var: Number.NaN, es: Number.NaN };
  let na = n * level;
  // snap nα to a whole number against binary rounding (0.95·100 = 95.00000000000001)
  if (Math.abs(na - Math.round(na)) <= 1e-9 * Math.max(1, na)) na = Math.round(na);
  const k = Math.min(n, Math.max(1, Math.ceil(na)));
  const v = sortedLosses[k - 1];
  if (na >= n) return { level, var: v, es: v };
  let tail = (k - na) * v;
  for (let i = k; i < n; i++) tail += sortedLosses[i];
  return { level, var: v, es: tail / (n - na) };
}

/** The paired difference of two samples matched by key. */
export interface PairedDifference extends MeanInterval {
  /** Number of matched pairs (= n). */
  pairs: number;
}

/**
 * Mean difference a − b over pairs matched by key (e.g. the run index under common random numbers), with
 * the t-interval of the per-pair differences. Keys present on one side only, and pairs where either value
 * is not finite, are left out.
 */
export function pairedDifference(
  a: ArrayLike<number | null>,
  aKeys: ArrayLike<string | number>,
  b: ArrayLike<number | null>,
  bKeys: ArrayLike<string | number>,
  level = 0.95,
): PairedDifference {
  const idx = new Map<string | number, number>();
  for (let i = 0; i < bKeys.length; i++) idx.set(bKeys[i], i);
  const d: number[] = [];
  for (let i = 0; i < aKeys.length; i++) {
    const j = idx.get(aKeys[i]);
    if (j === undefined) continue;
    const x = a[i];
    const y = b[j];
    if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y))
      d.push(x - y);
  }
  const mi = meanInterval(d, level);
  return { ...mi, pairs: mi.n };
}

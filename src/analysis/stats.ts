/**
 * Statistics of Monte Carlo results: means with t-intervals (cluster-robust over the common-random-numbers
 * unit when runs share it, kept inside the metric's range), quantiles from one sorted copy, Wilson
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
  /** Standard error of the mean: sd / √n, or cluster-robust with clusters. */
  se: number;
  /** Independent units the interval rests on: the number of clusters (n without clusters). */
  clusters: number;
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

/** Options of {@link meanInterval} and {@link summarize}. */
export interface IntervalOptions {
  /**
   * The cluster (the common-random-numbers unit, e.g. the run index) of each observation, aligned with the
   * observations. Observations of one cluster are treated as dependent: the standard error is
   * cluster-robust and the t quantile has G − 1 degrees of freedom, G the number of clusters. Without it
   * every observation is its own cluster, which gives the ordinary t-interval.
   */
  clusters?: ArrayLike<number | string>;
  /** Smallest value the quantity can take (0 for a loss): the interval is built on the log scale of x − min so it never goes below. */
  min?: number;
  /** Largest value (1 for a probability): with `min`, the interval is built on the logit scale. */
  max?: number;
}

/**
 * How {@link meanInterval} builds its interval, in words, for reports: the standard error, the degrees of
 * freedom and the scale.
 */
export const MEAN_INTERVAL_METHOD =
  "mean ± t·SE, SE cluster-robust (CR1) over the common-random-numbers unit (the seed: under crn, run k of every sweep point has one) with G − 1 degrees of freedom, G clusters (runs of one sweep point are each their own cluster, which is the ordinary t-interval); for a metric bounded below (a loss, a count) the interval is built on the log scale of (x − bound) and for one bounded on both sides on the logit scale (delta method), so it never leaves the metric's range";

/** How {@link clusteredWilson} builds its interval, in words. */
export const PROBABILITY_INTERVAL_METHOD =
  'Wilson score interval; when runs share common random numbers, on the effective sample size n / deff (deff the design effect of the cluster-robust variance, floored at 1; the number of clusters when every run agrees) with the t quantile of G − 1 degrees of freedom';

/** How paired comparisons are made, in words. */
export const PAIRED_DIFFERENCE_METHOD =
  'paired differences of runs matched by run index (and the values of swept fields not grouped by), mean ± t·SE with SE cluster-robust over the seed';

/** Finite observations and their clusters, dropped together. */
function finiteWithClusters(
  xs: ArrayLike<number | null | undefined>,
  clusters: ArrayLike<number | string> | undefined,
): { v: Float64Array; c: Int32Array | null; g: number } {
  if (clusters && clusters.length !== xs.length)
    throw new Error(`meanInterval: ${xs.length} observations but ${clusters.length} cluster labels`);
  const v = new Float64Array(xs.length);
  const c = clusters ? new Int32Array(xs.length) : null;
  const ids = new Map<number | string, number>();
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) continue;
    v[n] = x;
    if (c && clusters) {
      const key = clusters[i];
      let id = ids.get(key);
      if (id === undefined) {
        id = ids.size;
        ids.set(key, id);
      }
      c[n] = id;
    }
    n++;
  }
  return { v: v.slice(0, n), c: c ? c.slice(0, n) : null, g: c ? ids.size : n };
}

/** Cluster-robust (CR1) variance of the mean of v: G/(G−1) · Σ_c (Σ_{i∈c} (v_i − m))² / n². */
function clusteredVariance(v: Float64Array, c: Int32Array, g: number, m: number): number {
  const sums = new Float64Array(g);
  for (let i = 0; i < v.length; i++) sums[c[i]] += v[i] - m;
  let ss = 0;
  for (let k = 0; k < g; k++) ss += sums[k] * sums[k];
  const n = v.length;
  return ((g / (g - 1)) * ss) / (n * n);
}

/**
 * Moves a symmetric interval m ± half (half = t·se) onto the scale that keeps it inside [min, max]: the
 * log scale of x − min with only a lower bound, the logit scale of (x − min)/(max − min) with both, the
 * log scale of max − x with only an upper bound (delta method: the standard error on the new scale is
 * se · |g′(m)|). At the bound itself (every observation there) the interval is the bound; a mean outside
 * its range (rounding noise) gets the plain interval clamped.
 */
function boundedInterval(m: number, half: number, min?: number, max?: number): [number, number] {
  const lo = min ?? Number.NEGATIVE_INFINITY;
  const hi = max ?? Number.POSITIVE_INFINITY;
  if (!(Number.isFinite(lo) || Number.isFinite(hi))) return [m - half, m + half];
  const clamp = (x: number) => Math.min(hi, Math.max(lo, x));
  if (half === 0) return [clamp(m), clamp(m)];
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    const w = hi - lo;
    const p = (m - lo) / w;
    if (!(p > 0 && p < 1)) return [clamp(m - half), clamp(m + half)];
    const l = Math.log(p / (1 - p));
    const h = half / w / (p * (1 - p));
    const inv = (y: number) => lo + w / (1 + Math.exp(-y));
    return [inv(l - h), inv(l + h)];
  }
  if (Number.isFinite(lo)) {
    const d = m - lo;
    if (!(d > 0)) return [clamp(m - half), clamp(m + half)];
    const r = Math.exp(half / d);
    return [lo + d / r, lo + d * r];
  }
  const d = hi - m;
  if (!(d > 0)) return [clamp(m - half), clamp(m + half)];
  const r = Math.exp(half / d);
  return [hi - d * r, hi - d / r];
}

/**
 * Mean with a two-sided interval: mean ± t_{(1+level)/2, G−1} · SE.
 *
 * - Without `clusters`, SE = s/√n and G = n: the ordinary t-interval.
 * - With `clusters` (e.g. the run index of runs pooled over sweep points, which share common random
 *   numbers), SE is the cluster-robust CR1 standard error √(G/(G−1) · Σ_c S_c² / n²), S_c the sum of the
 *   deviations from the mean in cluster c, and the t quantile has G − 1 degrees of freedom: runs that share
 *   random numbers do not count as independent. With every observation its own cluster this is the
 *   ordinary interval exactly.
 * - With `min` and/or `max` the interval is built on the log (or logit) scale and mapped back, so it never
 *   leaves the range: a loss's interval never has a negative lower end ({@link MEAN_INTERVAL_METHOD}).
 *
 * With fewer than 2 observations or clusters the interval is NaN; with SE = 0 it collapses to the mean.
 *
 * @param xs observations (non-finite values are dropped, with their cluster labels)
 * @param level confidence level, 0.95 by default
 * @example meanInterval([1, 2, 3, 4]) // { estimate: 2.5, low: 0.446, high: 4.554, ... }
 */
export function meanInterval(
  xs: ArrayLike<number | null | undefined>,
  level = 0.95,
  opts: IntervalOptions = {},
): MeanInterval {
  const { v, c, g } = finiteWithClusters(xs, opts.clusters);
  const n = v.length;
  const none = { low: Number.NaN, high: Number.NaN, sd: Number.NaN, se: Number.NaN, clusters: g };
  if (n === 0) return { n, estimate: Number.NaN, ...none };
  const m = mean(v as unknown as number[]);
  if (n < 2 || g < 2) return { n, estimate: m, ...none };
  const sd = sampleStandardDeviation(v as unknown as number[]);
  const se = c && g < n ? Math.sqrt(clusteredVariance(v, c, g, m)) : sd / Math.sqrt(n);
  const half = studentTQuantile(0.5 + level / 2, g - 1) * se;
  const [low, high] = boundedInterval(m, half, opts.min, opts.max);
  return { n, estimate: m, low, high, sd, se, clusters: g };
}

/**
 * Wilson score interval for a binomial proportion k / n (well behaved at 0 and 1, unlike the Wald
 * interval): (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n), z the normal (1+level)/2 quantile.
 *
 * @example wilsonInterval(0, 100) // { estimate: 0, low: 0, high: 0.037 }
 */
export function wilsonInterval(k: number, n: number, level = 0.95): Interval {
  if (n <= 0) return { n: 0, estimate: Number.NaN, low: Number.NaN, high: Number.NaN };
  return wilsonAt(k / n, n, probit(0.5 + level / 2), n);
}

function wilsonAt(p: number, nEff: number, z: number, n: number): Interval {
  const z2 = z * z;
  const denom = 1 + z2 / nEff;
  const centre = (p + z2 / (2 * nEff)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / nEff + z2 / (4 * nEff * nEff))) / denom;
  return { n, estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Wilson interval of the share of `true` among observations that share random numbers by cluster (the
 * seed): the Wilson interval on the effective sample size n / deff, deff = V_cluster / (p̂(1−p̂)/n) the
 * design effect of the cluster-robust (CR1) variance of p̂, with the t quantile of G − 1 degrees of
 * freedom in place of z (Korn & Graubard 1998). The design effect is floored at 1 (the effective size
 * is at most n): for a share, the variance under independence p̂(1−p̂)/n is known, and with few seeds a
 * clustered variance of a 0/1 outcome is often exactly 0 by chance (every seed with the same share of
 * hits), which would claim certainty. When every observation agrees (p̂ = 0 or 1) the design effect is
 * unknown and the effective size is G, the number of clusters. Without clusters, or with every
 * observation its own cluster, it is {@link wilsonInterval}.
 */
export function clusteredWilson(
  hits: ArrayLike<boolean>,
  clusters: ArrayLike<number | string> | undefined,
  level = 0.95,
): Interval & { clusters: number } {
  const n = hits.length;
  const x = Float64Array.from({ length: n }, (_, i) => (hits[i] ? 1 : 0));
  const { c, g } = finiteWithClusters(x, clusters);
  let k = 0;
  for (let i = 0; i < n; i++) k += x[i];
  if (n === 0) return { ...wilsonInterval(0, 0, level), clusters: 0 };
  if (!c || g >= n) return { ...wilsonInterval(k, n, level), clusters: g };
  if (g < 2) return { n, estimate: k / n, low: Number.NaN, high: Number.NaN, clusters: g };
  const p = k / n;
  const t = studentTQuantile(0.5 + level / 2, g - 1);
  let nEff = g;
  if (p > 0 && p < 1) {
    const deff = clusteredVariance(x, c, g, p) / ((p * (1 - p)) / n);
    nEff = n / Math.max(1, deff);
  }
  return { ...wilsonAt(p, nEff, t, n), clusters: g };
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
export function summarize(
  xs: ArrayLike<number | null | undefined>,
  level = 0.95,
  opts: IntervalOptions = {},
): ColumnSummary {
  const sorted = sortedCopy(xs);
  const mi = meanInterval(opts.clusters ? xs : sorted, level, opts);
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
 * is not finite, are left out. With `aClusters` (the cluster of each element of `a`, e.g. its run index when
 * pairs are matched by run index and the values of pooled fields), pairs of one cluster are dependent and
 * the interval is cluster-robust ({@link meanInterval}).
 */
export function pairedDifference(
  a: ArrayLike<number | null>,
  aKeys: ArrayLike<string | number>,
  b: ArrayLike<number | null>,
  bKeys: ArrayLike<string | number>,
  level = 0.95,
  aClusters?: ArrayLike<string | number>,
): PairedDifference {
  const idx = new Map<string | number, number>();
  for (let i = 0; i < bKeys.length; i++) idx.set(bKeys[i], i);
  const d: number[] = [];
  const cl: (string | number)[] = [];
  for (let i = 0; i < aKeys.length; i++) {
    const j = idx.get(aKeys[i]);
    if (j === undefined) continue;
    const x = a[i];
    const y = b[j];
    if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) {
      d.push(x - y);
      if (aClusters) cl.push(aClusters[i]);
    }
  }
  const mi = meanInterval(d, level, aClusters ? { clusters: cl } : {});
  return { ...mi, pairs: mi.n };
}

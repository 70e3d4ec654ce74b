/**
 * Sweep designs: a grid over listed values, zipped lists, a Latin hypercube and a Sobol sequence over
 * ranges. Each returns the sweep points in a fixed order; a point maps dotted config paths to values.
 */
import { Stream } from '../rng.js';

/** A value of a swept field. */
export type SweepValue = number | string | boolean;
/** One sweep point: dotted config path → value. */
export type SweepPoint = Record<string, SweepValue>;

/** A range of a space-filling design, normalised. */
export interface Range {
  min: number;
  max: number;
  scale: 'linear' | 'log';
  integer: boolean;
}

/** Every combination of the listed values; the first field is outermost, the last varies fastest. */
export function gridPoints<V = SweepValue>(fields: Record<string, V[]>): Record<string, V>[] {
  let points: Record<string, V>[] = [{}];
  for (const [path, values] of Object.entries(fields)) {
    const next: Record<string, V>[] = [];
    for (const p of points) for (const v of values) next.push({ ...p, [path]: v });
    points = next;
  }
  return points;
}

/** Lists of equal length taken element by element (the caller checks the lengths). */
export function zipPoints(fields: Record<string, SweepValue[]>): SweepPoint[] {
  const entries = Object.entries(fields);
  const n = entries[0]?.[1].length ?? 0;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(entries.map(([k, v]) => [k, v[i]])));
}

function scaleTo(u: number, r: Range): number {
  let v =
    r.scale === 'log'
      ? Math.exp(Math.log(r.min) + u * (Math.log(r.max) - Math.log(r.min)))
      : r.min + u * (r.max - r.min);
  if (r.integer) v = Math.min(Math.round(v), Math.floor(r.max));
  return v;
}

/**
 * Latin hypercube: each range is cut into `n` equal strata (in the unit cube), each stratum used once per
 * dimension, a uniform draw inside it; strata are permuted independently per dimension by a seeded stream.
 */
export function lhsPoints(n: number, ranges: Record<string, Range>, seed: number): SweepPoint[] {
  const rng = new Stream(`backstop-sim:lhs:${seed}`);
  const dims = Object.entries(ranges);
  const cols = dims.map(() => {
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    rng.shuffle(perm);
    return Float64Array.from(perm, (s) => (s + rng.uniform()) / n);
  });
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(dims.map(([path, r], d) => [path, scaleTo(cols[d][i], r)])),
  );
}

/**
 * Direction numbers of the first 16 dimensions after the first (Joe and Kuo, new-joe-kuo-6.21201):
 * [degree s, coefficient a, initial m_1..m_s].
 */
const JOE_KUO: [number, number, number[]][] = [
  [1, 0, [1]],
  [2, 1, [1, 3]],
  [3, 1, [1, 3, 1]],
  [3, 2, [1, 1, 1]],
  [4, 1, [1, 1, 3, 3]],
  [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]],
  [5, 4, [1, 1, 5, 5, 5]],
  [5, 7, [1, 1, 7, 11, 19]],
  [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]],
  [5, 14, [1, 3, 5, 5, 31]],
  [6, 1, [1, 3, 3, 9, 7, 49]],
  [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]],
];
/** Most dimensions a Sobol design supports. */
export const SOBOL_MAX_DIMS = JOE_KUO.length + 1;

function directions(dim: number): Uint32Array {
  const v = new Uint32Array(32);
  if (dim === 0) {
    for (let k = 0; k < 32; k++) v[k] = 2 ** (31 - k);
    return v;
  }
  const [s, a, m] = JOE_KUO[dim - 1];
  for (let k = 0; k < s && k < 32; k++) v[k] = (m[k] * 2 ** (31 - k)) >>> 0;
  for (let k = s; k < 32; k++) {
    let x = (v[k - s] ^ (v[k - s] >>> s)) >>> 0;
    for (let j = 1; j < s; j++) if ((a >>> (s - 1 - j)) & 1) x = (x ^ v[k - j]) >>> 0;
    v[k] = x;
  }
  return v;
}

/**
 * The first `n` points of the (unscrambled) Sobol sequence in `dims` dimensions, in the unit cube, after
 * skipping the origin: point i is the (i+1)-th point of the Gray-code construction.
 */
export function sobolUnit(n: number, dims: number): Float64Array[] {
  const dirs = Array.from({ length: dims }, (_, d) => directions(d));
  const x = new Uint32Array(dims);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    // Gray code: flip the direction of the lowest zero bit of i
    let c = 0;
    while ((i >>> c) & 1) c++;
    const p = new Float64Array(dims);
    for (let d = 0; d < dims; d++) {
      x[d] = (x[d] ^ dirs[d][c]) >>> 0;
      p[d] = x[d] / 2 ** 32;
    }
    out.push(p);
  }
  return out;
}

/** A Sobol design over the ranges (at most {@link SOBOL_MAX_DIMS} dimensions). */
export function sobolPoints(n: number, ranges: Record<string, Range>): SweepPoint[] {
  const dims = Object.entries(ranges);
  return sobolUnit(n, dims.length).map((u) =>
    Object.fromEntries(dims.map(([path, r], d) => [path, scaleTo(u[d], r)])),
  );
}

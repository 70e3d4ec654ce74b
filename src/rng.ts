/**
 * Randomness: one master seed per experiment, one seed per run, and named independent streams per run.
 *
 * Every stream is a seedrandom `xor4096` generator (about 5 ns a draw on this project's machines against
 * 25 ns for seedrandom's default ARC4; measured in `bench/bench.ts`). Streams are derived by name, so
 * adding or changing an agent or mechanism parameter never shifts the draws of another stream: the index
 * path of a run depends only on the run's seed and the price-model parameters (common random numbers).
 */
import seedrandom from 'seedrandom';

/** 32-bit FNV-1a over a string; the building block of seed derivation. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A murmur3 finaliser: spreads the bits of a 32-bit integer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derives the seed of one run from the experiment's master seed.
 *
 * With common random numbers (the default) the seed depends on the run index only, so run `i` sees the
 * same market path at every sweep point; without, it depends on the sweep point too.
 * The result is an unsigned 32-bit integer (stored as a plain number, never a BigInt).
 *
 * @example deriveRunSeed(42, 0, 7) // same for every pointId when crn is true
 */
export function deriveRunSeed(masterSeed: number, pointId: number, runIndex: number, crn = true): number {
  const key = crn ? `run:${masterSeed}:${runIndex}` : `run:${masterSeed}:${pointId}:${runIndex}`;
  return fmix32(fnv1a(key));
}

/** Uniform double in [0, 1) with 32 bits of resolution, as returned by seedrandom's `prng()`. */
export type UniformFn = () => number;

/**
 * A named random stream. Thin wrapper over seedrandom's xor4096 with the draws the engine needs; every
 * method is allocation-free. Batch helpers (`fillUniform`, `fillNormal`) fill caller-owned typed arrays.
 */
export class Stream {
  /** The raw generator: uniform in [0, 1). */
  readonly next: UniformFn;
  private spare = 0;
  private hasSpare = false;
  /** The probability of the last {@link Stream.geometricSkip} and ln(1 − it). */
  private skipP = Number.NaN;
  private skipLn = 0;

  constructor(seed: string) {
    this.next = seedrandom.xor4096(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Uniform in (0, 1): never exactly 0, safe under a logarithm. */
  uniformOpen(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }

  /** Uniform in [a, b). */
  between(a: number, b: number): number {
    return a + (b - a) * this.next();
  }

  /** Standard normal draw (Marsaglia's polar method; the second value of each pair is kept). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }

  /** Exponential draw with the given rate (mean 1/rate). */
  exponential(rate: number): number {
    return -Math.log(this.uniformOpen()) / rate;
  }

  /** Poisson draw (Knuth's method for small means, normal approximation above 500). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 500) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const l = Math.exp(-mean);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }

  /**
   * Number of failures before the first success of a Bernoulli(p) sequence: the gap to skip when
   * selecting each of n items independently with probability p, so selection costs O(selected), not O(n).
   * Returns Infinity when p is 0.
   */
  geometricSkip(p: number): number {
    if (p >= 1) return 0;
    if (p <= 0) return Number.POSITIVE_INFINITY;
    // a stream draws skips for one probability after another: its logarithm is kept
    if (p !== this.skipP) {
      this.skipP = p;
      this.skipLn = Math.log1p(-p);
    }
    return Math.floor(Math.log(this.uniformOpen()) / this.skipLn);
  }

  /** Fills `out` with uniforms in [0, 1). */
  fillUniform(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.next();
    return out;
  }

  /** Fills `out` with standard normals. */
  fillNormal(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** In-place Fisher–Yates shuffle of the first `n` entries of an integer array. */
  shuffle(a: Int32Array | Uint32Array, n = a.length): void {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

/**
 * The random streams of one run. `stream(name)` returns the same generator for the same name; each name
 * is seeded from the run seed and the name alone, so streams are independent of each other and of the
 * order in which they are first asked for.
 */
export class RunStreams {
  private readonly streams = new Map<string, Stream>();
  constructor(readonly runSeed: number) {}

  /** The stream called `name` (created on first use). Names in use: `index`, `oracle`, `order`, `agents/<strategy>`, `waterfall`, `congestion`. */
  stream(name: string): Stream {
    let s = this.streams.get(name);
    if (!s) {
      s = new Stream(`backstop-sim:${this.runSeed}:${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}

/**
 * Typed arrays that live for one run, recycled from run to run within a thread.
 *
 * A run allocates its per-account columns (the accounts, the liquidation-price index, the stages' and the
 * strategies' state): megabytes at 10,000 accounts, hundreds at a million. Allocated afresh every run, that
 * memory is outside V8's heap, and the pressure it puts on the heap's external-memory limit forces a full
 * garbage collection every few runs; a full collection also discards the optimised code of functions
 * whose closures died with the last run, so the next run goes back to the interpreter and recompiles.
 * Measured on the default experiment (2-core VM, Node 20): a mark-compact every ~7 runs and 68 functions
 * re-optimised per 50 runs without recycling.
 *
 * An {@link Arena} hands out zeroed arrays; {@link Arena.release} gives them back to the thread's pool,
 * which keeps the arrays of the last released run only (so a sweep over sizes never hoards). Only
 * `simulate()` releases: a `Simulation` built by hand keeps its arrays (they are never reused under it).
 */

/** Something that hands out zeroed typed arrays. */
export interface Allocator {
  f64(n: number): Float64Array;
  i32(n: number): Int32Array;
  u8(n: number): Uint8Array;
}

/** Plain allocation (no recycling). */
export const HEAP: Allocator = {
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
  u8: (n) => new Uint8Array(n),
};

type Pool<T> = Map<number, T[]>;

/** The thread's free arrays by length, from the last released arena. */
let f64Pool: Pool<Float64Array> = new Map();
let i32Pool: Pool<Int32Array> = new Map();
let u8Pool: Pool<Uint8Array> = new Map();

function take<T extends Float64Array | Int32Array | Uint8Array>(
  pool: Pool<T>,
  n: number,
  make: (n: number) => T,
): T {
  const list = pool.get(n);
  const a = list?.pop();
  if (a === undefined) return make(n);
  a.fill(0);
  return a;
}

function put<T>(pool: Pool<T>, a: T, n: number): void {
  const list = pool.get(n);
  if (list) list.push(a);
  else pool.set(n, [a]);
}

/** The typed arrays of one run (see the module's note). */
export class Arena implements Allocator {
  private f: Float64Array[] = [];
  private i: Int32Array[] = [];
  private u: Uint8Array[] = [];

  f64(n: number): Float64Array {
    const a = take(f64Pool, n, (k) => new Float64Array(k));
    this.f.push(a);
    return a;
  }

  i32(n: number): Int32Array {
    const a = take(i32Pool, n, (k) => new Int32Array(k));
    this.i.push(a);
    return a;
  }

  u8(n: number): Uint8Array {
    const a = take(u8Pool, n, (k) => new Uint8Array(k));
    this.u.push(a);
    return a;
  }

  /**
   * Gives every array this arena handed out back to the thread's pool, which from now on holds these only.
   * Nothing may use them afterwards: the next run gets them, zeroed.
   */
  release(): void {
    const f: Pool<Float64Array> = new Map();
    const i: Pool<Int32Array> = new Map();
    const u: Pool<Uint8Array> = new Map();
    for (const a of this.f) put(f, a, a.length);
    for (const a of this.i) put(i, a, a.length);
    for (const a of this.u) put(u, a, a.length);
    f64Pool = f;
    i32Pool = i;
    u8Pool = u;
    this.f = [];
    this.i = [];
    this.u = [];
  }
}

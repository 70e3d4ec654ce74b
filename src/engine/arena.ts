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
 *
 * With `BACKSTOP_ARENA_POISON=1` (set for the test suite in vitest.config.ts) a release fills the arrays
 * with poison (NaN; −2³¹; 255) before pooling them, so a plug-in that keeps one beyond its run, or a result
 * that still points into one, reads garbage that the run's finiteness checks or the test's assertions catch,
 * instead of the next run's zeros.
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

type Typed = Float64Array | Int32Array | Uint8Array;

/** The thread's free arrays by kind and length (`f64:1000`), from the last released arena. */
let pool = new Map<string, Typed[]>();

/** Whether released arrays are poisoned (see the module's note); read once per thread. */
const POISON = process.env.BACKSTOP_ARENA_POISON === '1';

function poison(a: Typed): void {
  if (a instanceof Float64Array) a.fill(Number.NaN);
  else if (a instanceof Int32Array) a.fill(-0x80000000);
  else a.fill(255);
}

/** The typed arrays of one run (see the module's note). */
export class Arena implements Allocator {
  /** What this arena handed out, with its pool key. */
  private taken: [string, Typed][] = [];

  f64(n: number): Float64Array {
    return this.take(`f64:${n}`, () => new Float64Array(n));
  }

  i32(n: number): Int32Array {
    return this.take(`i32:${n}`, () => new Int32Array(n));
  }

  u8(n: number): Uint8Array {
    return this.take(`u8:${n}`, () => new Uint8Array(n));
  }

  /** A free array of the pool under `key`, zeroed, or a new one. */
  private take<T extends Typed>(key: string, make: () => T): T {
    let a = pool.get(key)?.pop() as T | undefined;
    if (a === undefined) a = make();
    else a.fill(0);
    this.taken.push([key, a]);
    return a;
  }

  /**
   * Gives every array this arena handed out back to the thread's pool, which from now on holds these only.
   * Nothing may use them afterwards: the next run gets them, zeroed.
   */
  release(): void {
    const next = new Map<string, Typed[]>();
    for (const [key, a] of this.taken) {
      if (POISON) poison(a);
      const list = next.get(key);
      if (list) list.push(a);
      else next.set(key, [a]);
    }
    pool = next;
    this.taken = [];
  }
}

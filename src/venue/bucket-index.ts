/**
 * An index of liquidation keys in log-spaced buckets (a bucket queue), for one side of one margin tier.
 *
 * Inserting a key is O(1): a logarithm and a push onto the bucket's list. Finding the crossed keys visits
 * only the buckets wholly past the threshold (every live entry there is crossed) and the one bucket that
 * holds the threshold (checked entry by entry). Deletion is lazy: an entry is live while its version equals
 * the account's current version; stale entries are dropped when a scan meets them, and the entry pool is
 * compacted when stale entries dominate.
 *
 * It replaced a binary heap per side and tier. On a 1M-account crash (2.9M re-keys, 830k liquidations) the
 * profile had put heap pushes at about a fifth of the run; whole runs were no more than ~10% faster with the
 * buckets, because the remaining cost is the cache misses of touching each account's columns anyway.
 *
 * `dir = 1`: crossed means key > threshold (longs); `dir = -1`: key < threshold (shorts).
 */
import { type Allocator, HEAP } from '../engine/arena.js';

const BUCKETS = 32_768;
/**
 * Buckets come from the bits of the key instead of a logarithm (Math.log was about a tenth of a re-key): the
 * high 32 bits of a positive double (exponent and the top 20 bits of the mantissa) grow with its value, and
 * are log2 to within a piecewise-linear error. Dropping the low SHIFT of them gives 2^(20 − SHIFT) buckets
 * per doubling: with SHIFT 10, 1,024 (a width of 0.07% of the price on average, 0.1% at most), and 32,768
 * buckets span 2^±16 around the reference. Only monotonicity matters for correctness.
 */
const SHIFT = 10;
const NIL = -1;
/** Scratch for reading a double's bits; the high word is the second on little-endian machines. */
const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** High 32 bits of a positive double (monotone in its value). */
function highBits(x: number): number {
  F64[0] = x;
  return I32[HIGH];
}

export class BucketIndex {
  private readonly head: Int32Array;
  private key: Float64Array;
  private id: Int32Array;
  private ver: Int32Array;
  private next: Int32Array;
  private free = NIL;
  private used = 0;
  /** Entries in use (live or stale, not yet dropped). */
  size = 0;
  /** Highest (dir 1) or lowest (dir −1) bucket that may hold entries. */
  private edge: number;
  private readonly hiRef: number;

  constructor(
    readonly dir: 1 | -1,
    refPrice: number,
    capacity = 1024,
    private readonly alloc: Allocator = HEAP,
  ) {
    this.hiRef = highBits(refPrice);
    this.head = alloc.i32(BUCKETS).fill(NIL);
    this.key = alloc.f64(capacity);
    this.id = alloc.i32(capacity);
    this.ver = alloc.i32(capacity);
    this.next = alloc.i32(capacity);
    this.edge = dir === 1 ? -1 : BUCKETS;
  }

  /** Bucket of a key: monotone in the key; keys ≤ 0 and far keys share the end buckets. */
  bucketOf(k: number): number {
    if (!(k > 0)) return 0;
    const b = ((highBits(k) - this.hiRef) >> SHIFT) + (BUCKETS >> 1);
    return b < 0 ? 0 : b >= BUCKETS ? BUCKETS - 1 : b;
  }

  private grow(): void {
    const cap = this.key.length * 2;
    const k = this.alloc.f64(cap);
    k.set(this.key);
    const i = this.alloc.i32(cap);
    i.set(this.id);
    const v = this.alloc.i32(cap);
    v.set(this.ver);
    const n = this.alloc.i32(cap);
    n.set(this.next);
    this.key = k;
    this.id = i;
    this.ver = v;
    this.next = n;
  }

  /** Adds a key for account `id` at version `v`. */
  insert(k: number, id: number, v: number): void {
    let e = this.free;
    if (e !== NIL) this.free = this.next[e];
    else {
      if (this.used === this.key.length) this.grow();
      e = this.used++;
    }
    const b = this.bucketOf(k);
    this.key[e] = k;
    this.id[e] = id;
    this.ver[e] = v;
    this.next[e] = this.head[b];
    this.head[b] = e;
    this.size++;
    if (this.dir === 1 ? b > this.edge : b < this.edge) this.edge = b;
  }

  private release(e: number): void {
    this.next[e] = this.free;
    this.free = e;
    this.size--;
  }

  /**
   * Appends to `out` (from `count`) every live account whose key is crossed by `thr`, removing those
   * entries and any stale ones met on the way; returns the new count.
   */
  crossed(thr: number, current: Int32Array, out: Int32Array, count: number): number {
    const bt = this.bucketOf(thr);
    const dir = this.dir;
    // buckets wholly past the threshold: every live entry is crossed
    if (dir === 1) {
      for (let b = this.edge; b > bt; b--) count = this.drain(b, current, out, count);
    } else {
      for (let b = this.edge; b < bt; b++) count = this.drain(b, current, out, count);
    }
    // the threshold's own bucket, entry by entry
    let prev = NIL;
    let e = this.head[bt];
    while (e !== NIL) {
      const nx = this.next[e];
      const id = this.id[e];
      const live = this.ver[e] === current[id];
      const hit = live && (dir === 1 ? this.key[e] > thr : this.key[e] < thr);
      if (!live || hit) {
        if (hit) out[count++] = id;
        if (prev === NIL) this.head[bt] = nx;
        else this.next[prev] = nx;
        this.release(e);
      } else prev = e;
      e = nx;
    }
    if (dir === 1 ? this.edge > bt : this.edge < bt) this.edge = bt;
    return count;
  }

  private drain(b: number, current: Int32Array, out: Int32Array, count: number): number {
    let e = this.head[b];
    while (e !== NIL) {
      const nx = this.next[e];
      const id = this.id[e];
      if (this.ver[e] === current[id]) out[count++] = id;
      this.release(e);
      e = nx;
    }
    this.head[b] = NIL;
    return count;
  }

  /** Drops every entry. */
  clear(): void {
    this.head.fill(NIL);
    this.free = NIL;
    this.used = 0;
    this.size = 0;
    this.edge = this.dir === 1 ? -1 : BUCKETS;
  }

  /** Drops stale entries (those whose version is not the account's current one). */
  compact(current: Int32Array): void {
    for (let b = 0; b < BUCKETS; b++) {
      let prev = NIL;
      let e = this.head[b];
      while (e !== NIL) {
        const nx = this.next[e];
        if (this.ver[e] !== current[this.id[e]]) {
          if (prev === NIL) this.head[b] = nx;
          else this.next[prev] = nx;
          this.release(e);
        } else prev = e;
        e = nx;
      }
    }
  }
}

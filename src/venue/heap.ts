/**
 * A binary heap of (key, id, version) over typed arrays, with lazy deletion: an entry is live only while
 * its version equals the account's current version, so re-keying an account is a push, never a search.
 * `sign = 1` is a max-heap, `sign = -1` a min-heap (keys are stored negated).
 */
export class KeyHeap {
  keys: Float64Array;
  ids: Int32Array;
  vers: Int32Array;
  size = 0;

  constructor(
    readonly sign: 1 | -1,
    capacity = 64,
  ) {
    this.keys = new Float64Array(capacity);
    this.ids = new Int32Array(capacity);
    this.vers = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    const k = new Float64Array(cap);
    k.set(this.keys);
    const i = new Int32Array(cap);
    i.set(this.ids);
    const v = new Int32Array(cap);
    v.set(this.vers);
    this.keys = k;
    this.ids = i;
    this.vers = v;
  }

  /** Appends without restoring heap order; call `heapify()` after a batch. */
  append(key: number, id: number, ver: number): void {
    if (this.size === this.keys.length) this.grow();
    const n = this.size++;
    this.keys[n] = this.sign * key;
    this.ids[n] = id;
    this.vers[n] = ver;
  }

  push(key: number, id: number, ver: number): void {
    this.append(key, id, ver);
    this.up(this.size - 1);
  }

  /** Restores heap order over all entries, O(n). */
  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** The top key in the caller's orientation (largest for a max-heap, smallest for a min-heap). */
  topKey(): number {
    return this.sign * this.keys[0];
  }

  /** Removes the top entry. */
  pop(): void {
    const last = --this.size;
    if (last > 0) {
      this.keys[0] = this.keys[last];
      this.ids[0] = this.ids[last];
      this.vers[0] = this.vers[last];
      this.down(0);
    }
  }

  /** Keeps only entries whose version matches `current[id]`, then re-heapifies. */
  compact(current: Int32Array): void {
    let w = 0;
    for (let r = 0; r < this.size; r++) {
      if (this.vers[r] === current[this.ids[r]]) {
        this.keys[w] = this.keys[r];
        this.ids[w] = this.ids[r];
        this.vers[w] = this.vers[r];
        w++;
      }
    }
    this.size = w;
    this.heapify();
  }

  private up(i: number): void {
    const keys = this.keys;
    const k = keys[i];
    const id = this.ids[i];
    const v = this.vers[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] >= k) break;
      keys[i] = keys[p];
      this.ids[i] = this.ids[p];
      this.vers[i] = this.vers[p];
      i = p;
    }
    keys[i] = k;
    this.ids[i] = id;
    this.vers[i] = v;
  }

  private down(i: number): void {
    const keys = this.keys;
    const n = this.size;
    const k = keys[i];
    const id = this.ids[i];
    const v = this.vers[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && keys[c + 1] > keys[c]) c++;
      if (keys[c] <= k) break;
      keys[i] = keys[c];
      this.ids[i] = this.ids[c];
      this.vers[i] = this.vers[c];
      i = c;
    }
    keys[i] = k;
    this.ids[i] = id;
    this.vers[i] = v;
  }
}

import type { Tier } from '../config/schema.js';
import { type Allocator, HEAP } from '../engine/arena.js';
import { BucketIndex } from './bucket-index.js';

/**
 * Every agent's venue account as typed-array columns (structure of arrays), plus the index of
 * liquidation prices that lets the margin check visit only crossed accounts.
 *
 * Equity at price P: E = cash + q·(P − entry) − q·(Φ − fundIdx), where Φ is the venue's cumulative funding
 * index (USD per unit of position). For a long in tier m, E < m·|q|·P  ⇔  (1 − m)·P − Φ < key, and for a
 * short  ⇔  (1 + m)·P − Φ > key, with key = entry − fundIdx − cash/q. The key of an account changes only
 * when the account itself changes (funding settlement leaves it unchanged), so one index of long keys and
 * one of short keys per tier (log-spaced bucket queues, {@link BucketIndex}) give the crossed accounts in
 * O(crossed + one bucket).
 *
 * The tier of a position is chosen by its entry notional |q|·entry, so an account's maintenance rate is
 * fixed between its own trades.
 */
export class Accounts {
  readonly n: number;
  /** Collateral on the venue (USD). */
  readonly cash: Float64Array;
  /** Signed position (base units; > 0 long). */
  readonly qty: Float64Array;
  /** Average entry price (USD). */
  readonly entry: Float64Array;
  /** Cumulative funding index at the last settlement (USD per unit). */
  readonly fundIdx: Float64Array;
  /** Maintenance margin rate of the position's tier. */
  readonly mmr: Float64Array;
  /** Initial margin rate of the position's tier. */
  readonly imr: Float64Array;
  /** Tier index of the position. */
  readonly tier: Int32Array;
  /** Version of the account's liquidation key (index entries with another version are stale). */
  readonly ver: Int32Array;
  /** Which index holds the live key: 0 none, 1 + 2·tier long, 2 + 2·tier short. */
  readonly slotOf: Int32Array;
  /** 1 while the agent takes part; 0 once it has left. */
  readonly active: Uint8Array;
  /** 1 once the account has been handed to the waterfall (liquidated at least once). */
  readonly liquidated: Uint8Array;
  /** Money the agent holds off the venue (USD, ≥ 0): deposits and top-ups come from here, spot is paid from it. */
  readonly wallet: Float64Array;
  /** Units of the underlying the agent holds on the spot market outside the venue (≥ 0: no short sales). */
  readonly spot: Float64Array;
  /** Money put in from outside over the run (USD): capital employed. */
  readonly capitalIn: Float64Array;
  /** Money taken out to the outside over the run (USD). */
  readonly capitalOut: Float64Array;
  /** Fees and gas paid over the run (USD). */
  readonly costs: Float64Array;
  /** Index of the agent's group (strategy). */
  readonly group: Int32Array;

  readonly tiers: Tier[];
  /** While true (setting up the starting state), `rekey` only bumps versions; `rekeyAll` indexes in O(n). */
  deferIndex = true;
  private readonly longIndex: BucketIndex[];
  private readonly shortIndex: BucketIndex[];
  private readonly live: Int32Array;

  /**
   * @param n number of accounts
   * @param tiers margin tiers
   * @param refPrice a typical price (the start of the index): centres the liquidation-price index
   * @param alloc where the columns come from (a run's arena recycles them from run to run)
   */
  constructor(n: number, tiers: Tier[], refPrice = 1000, alloc: Allocator = HEAP) {
    this.n = n;
    this.cash = alloc.f64(n);
    this.qty = alloc.f64(n);
    this.entry = alloc.f64(n);
    this.fundIdx = alloc.f64(n);
    this.mmr = alloc.f64(n);
    this.imr = alloc.f64(n);
    this.tier = alloc.i32(n);
    this.ver = alloc.i32(n);
    this.slotOf = alloc.i32(n);
    this.active = alloc.u8(n).fill(1);
    this.liquidated = alloc.u8(n);
    this.wallet = alloc.f64(n);
    this.spot = alloc.f64(n);
    this.capitalIn = alloc.f64(n);
    this.capitalOut = alloc.f64(n);
    this.costs = alloc.f64(n);
    this.group = alloc.i32(n);
    this.tiers = tiers;
    this.longIndex = tiers.map(() => new BucketIndex(1, refPrice, Math.max(64, n), alloc));
    this.shortIndex = tiers.map(() => new BucketIndex(-1, refPrice, Math.max(64, n), alloc));
    this.live = new Int32Array(2 * tiers.length + 1);
    const m0 = tiers[0];
    this.mmr.fill(m0.mmr);
    this.imr.fill(m0.imr);
  }

  /** Equity at price `p` given the venue's funding index `phi`. */
  equity(i: number, p: number, phi: number): number {
    const q = this.qty[i];
    return this.cash[i] + q * (p - this.entry[i]) - q * (phi - this.fundIdx[i]);
  }

  /** Bankruptcy price (equity zero) of the account's position, NaN without a position. */
  bankruptcyPrice(i: number, phi: number): number {
    const q = this.qty[i];
    if (q === 0) return Number.NaN;
    return this.entry[i] + (phi - this.fundIdx[i]) - this.cash[i] / q;
  }

  /** Sets the tier of account `i` from its entry notional. */
  setTier(i: number): void {
    const notional = Math.abs(this.qty[i]) * this.entry[i];
    const tiers = this.tiers;
    let t = 0;
    while (t + 1 < tiers.length && notional >= tiers[t + 1].minNotional) t++;
    this.tier[i] = t;
    this.mmr[i] = tiers[t].mmr;
    this.imr[i] = tiers[t].imr;
  }

  /** Re-indexes account `i` after any change to its cash, position, entry or funding index. */
  rekey(i: number): void {
    const v = ++this.ver[i];
    if (this.deferIndex) return;
    const old = this.slotOf[i];
    if (old !== 0) this.live[old]--;
    const h = this.index(i, v);
    if (h && h.size > 2 * this.live[this.slotOf[i]] + 65_536) h.compact(this.ver);
  }

  /** Indexes every account at once (O(n)); used after the initial positions are opened. */
  rekeyAll(): void {
    this.deferIndex = false;
    for (const h of this.longIndex) h.clear();
    for (const h of this.shortIndex) h.clear();
    this.live.fill(0);
    for (let i = 0; i < this.n; i++) this.index(i, ++this.ver[i]);
  }

  /** Inserts account i's key at version v into its side's and tier's index; returns that index (none: flat or gone). */
  private index(i: number, v: number): BucketIndex | undefined {
    const q = this.qty[i];
    if (q === 0 || this.active[i] === 0) {
      this.slotOf[i] = 0;
      return undefined;
    }
    const t = this.tier[i];
    const slot = q > 0 ? 1 + 2 * t : 2 + 2 * t;
    const h = q > 0 ? this.longIndex[t] : this.shortIndex[t];
    h.insert(this.entry[i] - this.fundIdx[i] - this.cash[i] / q, i, v);
    this.slotOf[i] = slot;
    this.live[slot]++;
    return h;
  }

  /**
   * Appends to `out` (from position `count`) the accounts whose liquidation key is crossed at price `p`
   * and funding index `phi`, removing them from the index; returns the new count. Each candidate must be
   * confirmed with the exact equity test and, if it holds, re-indexed with {@link rekey}.
   */
  crossed(p: number, phi: number, out: Int32Array, count: number): number {
    for (let t = 0; t < this.tiers.length; t++) {
      const m = this.tiers[t].mmr;
      const from = count;
      count = this.longIndex[t].crossed((1 - m) * p - phi, this.ver, out, count);
      count = this.shortIndex[t].crossed((1 + m) * p - phi, this.ver, out, count);
      for (let j = from; j < count; j++) {
        const id = out[j];
        this.live[this.slotOf[id]]--;
        this.slotOf[id] = 0;
      }
    }
    return count;
  }
}

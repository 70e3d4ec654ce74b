import type { VenueContext } from '../context.js';
/**
 * Shared machinery of the auction stages (`dutch-auction`, `english-auction`): each open auction holds its
 * lot in a system account row (the auction id keepers see is that row).
 *
 * Kick: the lot (the whole position, or the part the caps leave room for) moves from the account to the row
 * at the account's bankruptcy price p_bk, so the account keeps exactly the collateral that backed the rest
 * and the row's cash afterwards is the auction's result against p_bk. debt = lot·p_bk (what selling the lot
 * at p_bk raises), tab = debt·chop (MakerDAO).
 *
 * Prices of a short lot mirror a long lot's around the reference price r (the oracle at the kick or last
 * reset): a lot "value" v per unit (what the Dutch curve gives, what an English bid offers per unit) fills a
 * long lot at v and a short lot at 2r − v, so the keeper's discount is the same on both sides; a short's
 * debt is lot·(2r − p_bk).
 *
 * Settle (lot sold): the penalty min(result⁺, tab − debt) goes to the insurance fund (`penaltyToFund`) and
 * the venue; what is left goes back to the account; a negative result is its shortfall and goes to the payers.
 * Give back (no taker, and a closer is listed after the stage): the unsold lot returns at p_bk and the
 * account goes to the next closer.
 */
import type { StageMetric } from '../metrics.js';
import { LEDGER } from '../venue/ledger.js';
import { AUCTION_SERVICE, type AuctionService, serviceToken } from './keepers.js';
import { moveCash, transferPosition } from './ops.js';
import type { StageInstance } from './stage.js';
import type { StagedWaterfall } from './waterfall.js';

/** The metrics every auction stage declares (`StageDef.metrics`). */
export const AUCTION_METRICS = [
  'auctions',
  'zero_bid_auctions',
  'zero_bid_value',
] as const satisfies readonly StageMetric[];

/** What the auction stages of a run share: the tab of every lot in their auctions (see `houseDebt`). */
const AUCTION_DEBT = serviceToken<Float64Array>('auction-debt', { many: true });

export abstract class AuctionHouse implements AuctionService, StageInstance {
  abstract readonly kind: 'dutch' | 'english';
  readonly owner: Int32Array;
  readonly sgn: Float64Array;
  readonly lot0: Float64Array;
  readonly debt: Float64Array;
  readonly tab0: Float64Array;
  readonly ref: Float64Array;
  readonly start: Float64Array;
  readonly pbk: Float64Array;
  readonly resets: Int32Array;
  readonly zero: Uint8Array;
  /** Tab of the lots now in this stage's auctions (USD: MakerDAO's `dirt`). */
  dirt = 0;
  /**
   * Tab of the lots in every auction stage of the run together (USD: MakerDAO's `Dirt`), one number the
   * auction stages share through the waterfall (`StagedWaterfall.shared`).
   */
  protected readonly houseDebt: Float64Array;
  /** Per account: how many of its lots are in this stage's auctions now. */
  private readonly open: Int32Array;
  /** Slots of the metrics an auction stage declares (`AUCTION_METRICS`). */
  private readonly mAuctions: number;
  private readonly mZeroBid: number;
  /** Slot of zero_bid_value: the market value of what zero bids won, at the index when won (USD). */
  protected readonly mZeroValue: number;

  constructor(
    readonly sim: VenueContext,
    readonly waterfall: StagedWaterfall,
    readonly index: number,
    readonly first: number,
    readonly slots: number,
    readonly chop: number,
    readonly penaltyToFund: number,
    metric: (name: StageMetric) => number,
  ) {
    this.houseDebt = waterfall.shared(AUCTION_DEBT, () => new Float64Array(1));
    this.mAuctions = metric('auctions');
    this.mZeroBid = metric('zero_bid_auctions');
    this.mZeroValue = metric('zero_bid_value');
    this.owner = sim.i32(slots).fill(-1);
    this.sgn = sim.f64(slots);
    this.lot0 = sim.f64(slots);
    this.debt = sim.f64(slots);
    this.tab0 = sim.f64(slots);
    this.ref = sim.f64(slots);
    this.start = sim.f64(slots);
    this.pbk = sim.f64(slots);
    this.resets = sim.i32(slots);
    this.zero = sim.u8(slots);
    this.open = sim.i32(sim.accounts.n);
    waterfall.keepers.provide(AUCTION_SERVICE, this, `auction stage ${index}`);
  }

  /** Whether a lot of account `id`'s position is in one of this stage's auctions (it may come back). */
  holds(id: number): boolean {
    return this.open[id] > 0;
  }

  owns(id: number): boolean {
    return id >= this.first && id < this.first + this.slots;
  }
  /** Slot of auction `id` when it is open, else −1. */
  slot(id: number): number {
    const k = id - this.first;
    return k >= 0 && k < this.slots && this.owner[k] >= 0 ? k : -1;
  }
  list(out: Int32Array, count: number): number {
    for (let k = 0; k < this.slots; k++) if (this.owner[k] >= 0) out[count++] = this.first + k;
    return count;
  }
  lot(id: number): number {
    const k = this.slot(id);
    return k < 0 ? 0 : Math.abs(this.sim.accounts.qty[this.first + k]);
  }
  side(id: number): number {
    const k = this.slot(id);
    return k < 0 ? 0 : this.sgn[k];
  }
  /** Remaining tab of slot k: the tab in proportion to the lot left. */
  tabLeft(k: number): number {
    const lot = Math.abs(this.sim.accounts.qty[this.first + k]);
    return this.lot0[k] > 0 ? (this.tab0[k] * lot) / this.lot0[k] : 0;
  }
  tab(id: number): number {
    const k = this.slot(id);
    return k < 0 ? Number.NaN : this.tabLeft(k);
  }
  /** Fill price per unit of slot k for a lot value `v` per unit. */
  px(k: number, v: number): number {
    return this.sgn[k] > 0 ? v : 2 * this.ref[k] - v;
  }

  abstract price(id: number): number;
  abstract liquidate(id: number, declined: boolean): boolean;
  abstract endTick(): void;
  ends(_id: number): number {
    return Number.NaN;
  }
  highBid(_id: number): number {
    return Number.NaN;
  }
  bidder(_id: number): number {
    return -1;
  }
  take(_id: number, _keeper: number, _amount: number, _limitPrice: number): number {
    return 0;
  }
  bid(_id: number, _keeper: number, _value: number, _lot: number): boolean {
    return false;
  }

  /** The tab a kick of account `id`'s whole position would have (USD). */
  tabOf(id: number): number {
    const a = this.sim.accounts;
    const q = a.qty[id];
    const pbk = a.bankruptcyPrice(id, this.sim.phi);
    const r = this.sim.oracle;
    return this.chop * Math.max(0, Math.abs(q) * (q > 0 ? pbk : 2 * r - pbk));
  }

  /** Starts an auction of `fraction` of account `id`'s position; returns its slot, or −1 when none is free. */
  kick(id: number, fraction: number): number {
    let k = 0;
    while (k < this.slots && this.owner[k] >= 0) k++;
    if (k === this.slots) return -1;
    const sim = this.sim;
    const a = sim.accounts;
    const row = this.first + k;
    const q = a.qty[id];
    const dq = fraction >= 1 ? q : q * fraction;
    const pbk = a.bankruptcyPrice(id, sim.phi);
    const r = sim.oracle;
    transferPosition(sim, id, row, dq, pbk);
    // the whole position went (or what was left of it was dust): so does what is left of its collateral
    // (zero at p_bk, up to rounding, which for a tiny position far from its bankruptcy price is not small);
    // the settlement brings it back, or books it as the account's shortfall
    if (a.qty[id] === 0 && a.cash[id] !== 0) moveCash(sim, id, row, a.cash[id]);
    const lot = Math.abs(dq);
    this.owner[k] = id;
    this.open[id]++;
    this.sgn[k] = Math.sign(q);
    this.lot0[k] = lot;
    this.pbk[k] = pbk;
    this.ref[k] = r;
    this.debt[k] = Math.max(0, lot * (q > 0 ? pbk : 2 * r - pbk));
    this.tab0[k] = this.chop * this.debt[k];
    this.start[k] = sim.time;
    this.resets[k] = 0;
    this.zero[k] = 0;
    this.dirt += this.tab0[k];
    this.houseDebt[0] += this.tab0[k];
    sim.metrics[this.mAuctions]++;
    sim.noteLiquidation(lot * sim.mark);
    sim.log('kick', id, dq, pbk, this.tab0[k]);
    return k;
  }

  /** Moves `units` of slot k's lot to `keeper` at fill price `x`; settles the auction when the lot is gone. */
  sell(k: number, keeper: number, units: number, x: number): void {
    const a = this.sim.accounts;
    const row = this.first + k;
    const lot = Math.abs(a.qty[row]);
    const part = units >= lot ? this.tabLeft(k) : (this.tabLeft(k) * units) / lot;
    this.dirt -= part;
    this.houseDebt[0] -= part;
    transferPosition(this.sim, row, keeper, units >= lot ? a.qty[row] : this.sgn[k] * units, x);
    if (a.qty[row] === 0) this.settle(k);
  }

  /** The lot is sold: penalty to the fund and venue, the rest (or the shortfall) to the account. */
  settle(k: number): void {
    const sim = this.sim;
    const a = sim.accounts;
    const row = this.first + k;
    const id = this.owner[k];
    this.release(k);
    const result = a.cash[row];
    const penalty = Math.min(Math.max(0, result), this.tab0[k] - this.debt[k]);
    if (penalty > 0) {
      const f = penalty * this.penaltyToFund;
      if (f > 0) sim.charge(row, LEDGER.insuranceFund, f);
      if (penalty - f > 0) sim.charge(row, LEDGER.venueFees, penalty - f);
    }
    if (this.zero[k]) sim.metrics[this.mZeroBid]++;
    moveCash(sim, row, id, a.cash[row]);
    if (a.qty[id] === 0 && a.cash[id] < 0)
      sim.waterfall.coverShortfall(id, -a.cash[id], this.sgn[k], this.pbk[k]);
  }

  /** No taker: the lot goes back to the account at p_bk and the account to the next closer. */
  giveBack(k: number): void {
    const sim = this.sim;
    const a = sim.accounts;
    const row = this.first + k;
    const id = this.owner[k];
    this.release(k);
    transferPosition(sim, row, id, a.qty[row], this.pbk[k]);
    moveCash(sim, row, id, a.cash[row]);
    sim.log('reset', id, a.qty[id], this.pbk[k], 0);
    this.waterfall.passOn(id, this.index);
  }

  private release(k: number): void {
    const left = this.tabLeft(k);
    this.dirt -= left;
    this.houseDebt[0] -= left;
    if (Math.abs(this.dirt) < 1e-9) this.dirt = 0;
    if (Math.abs(this.houseDebt[0]) < 1e-9) this.houseDebt[0] = 0;
    this.open[this.owner[k]]--;
    this.owner[k] = -1;
  }

  /** Pays a keeper bot (if any) `amount` from the venue: the incentive to start or reset an auction. */
  incentive(amount: number): void {
    if (!(amount > 0)) return;
    const kw = this.waterfall.keepers.nextWatcher();
    if (kw >= 0) this.sim.credit(LEDGER.venueFees, kw, amount);
  }
}

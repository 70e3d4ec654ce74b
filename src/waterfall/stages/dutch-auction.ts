/**
 * Dutch auction (MakerDAO Liquidations 2.0, the Clipper). The lot starts at top = oracle·buf and its price
 * falls along a curve (linear, stair-step exponential, continuous exponential; see `auctionPrice`); a
 * keeper takes any slice at the current price (`Keepers.take`). The auction is reset (top taken again from
 * the oracle) when more than `tail` seconds passed or price/top < cusp. Starting or resetting earns the
 * keeper bot tip + chip·tab (from the venue). Throughput caps: at most `hole` of tab in this stage's
 * auctions and `Hole` in all auctions; when the room left is smaller than an account's tab, only that part
 * of its position is auctioned. A take may not leave less than dust·chop of tab behind. After `maxResets`
 * resets without a taker the lot goes back to the account and to the next closer (when one is listed;
 * otherwise the auction keeps resetting, as in MakerDAO). Defaults: ETH-B as voted in April 2021.
 * See `../auctions.ts` for the lot, debt and short-lot conventions.
 */
import { z } from 'zod';
import {
  AUCTION_METRICS,
  type AuctionCurve,
  AuctionHouse,
  auctionCurveSchema,
  auctionPrice,
  canHold,
  defineStage,
} from '../../plugin.js';

const nonneg = () => z.number().finite().min(0);

/**
 * A part of a position left out of an auction for want of room is at least this much tab (USD): smaller
 * remainders are auctioned whole (a remainder of dust, re-auctioned in ever smaller parts, has no end).
 */
const MIN_TAB_USD = 1;

const params = z.strictObject({
  buf: z.number().finite().positive().default(1.3).describe('start price over the oracle (multiplier)'),
  curve: auctionCurveSchema
    .prefault({ type: 'stairstep', cut: 0.99, step: 90 })
    .describe('price curve: linear { tau s }, stairstep { cut, step s }, exponential { cut per s }'),
  tail: z.number().finite().positive().default(8_400).describe('reset after this long (seconds)'),
  cusp: z.number().finite().min(0).max(1).default(0.4).describe('reset when price / top falls below this'),
  chop: z.number().finite().min(1).default(1.13).describe('tab = debt · chop (1 + liquidation penalty)'),
  tip: nonneg().default(0).describe('flat incentive for starting or resetting an auction (USD)'),
  chip: nonneg().max(1).default(0.001).describe('incentive for starting or resetting, as a share of the tab'),
  hole: nonneg().default(8_000_000).describe("most tab in this stage's auctions at once (USD)"),
  Hole: nonneg().default(100_000_000).describe('most tab in all auctions at once (USD)'),
  dust: nonneg()
    .default(0)
    .describe('smallest tab an auction may start with or leave behind, before chop (USD)'),
  maxResets: z
    .number()
    .int()
    .min(0)
    .default(3)
    .describe('resets without a taker before the lot goes to the next closer'),
  slots: z.number().int().positive().max(100_000).default(64).describe('most auctions open at once'),
  penaltyToFund: z
    .number()
    .finite()
    .min(0)
    .max(1)
    .default(1)
    .describe('share of the penalty paid into the insurance fund'),
});

class Dutch extends AuctionHouse {
  readonly kind = 'dutch' as const;
  readonly top: Float64Array;
  readonly curve: AuctionCurve;
  constructor(
    sim: ConstructorParameters<typeof AuctionHouse>[0],
    wf: ConstructorParameters<typeof AuctionHouse>[1],
    index: number,
    first: number,
    readonly p: z.output<typeof params>,
    metric: ConstructorParameters<typeof AuctionHouse>[7],
    top: Float64Array,
  ) {
    super(sim, wf, index, first, p.slots, p.chop, p.penaltyToFund, metric);
    this.top = top;
    this.curve = p.curve as AuctionCurve;
  }
  /** Lot value per unit of slot k now. */
  value(k: number): number {
    return auctionPrice(this.curve, this.top[k], this.sim.time - this.start[k]);
  }
  done(k: number, v: number): boolean {
    return this.sim.time - this.start[k] > this.p.tail || v / this.top[k] < this.p.cusp;
  }
  override price(id: number): number {
    const k = this.slot(id);
    return k < 0 ? Number.NaN : this.px(k, this.value(k));
  }
  override liquidate(id: number): boolean {
    const p = this.p;
    const room = Math.min(p.hole - this.dirt, p.Hole - this.houseDebt[0]);
    if (!(room > 0)) return false;
    const tab = this.tabOf(id);
    let fraction = tab <= room ? 1 : room / tab;
    // never leave a remainder smaller than the dust (at least MIN_TAB_USD of tab) behind: it goes whole
    if (fraction < 1 && tab * (1 - fraction) < Math.max(p.dust * p.chop, MIN_TAB_USD)) fraction = 1;
    if (tab * fraction < p.dust * p.chop) return false;
    const k = this.kick(id, fraction);
    if (k < 0) return false;
    this.top[k] = this.sim.oracle * p.buf;
    this.incentive(p.tip + p.chip * this.tab0[k]);
    return true;
  }
  override take(id: number, keeper: number, amount: number, limitPrice: number): number {
    const k = this.slot(id);
    if (k < 0 || !(amount > 0) || keeper === this.owner[k]) return 0;
    const v = this.value(k);
    if (this.done(k, v)) return 0;
    const x = this.px(k, v);
    if (this.sgn[k] > 0 ? x > limitPrice : x < limitPrice) return 0;
    const lot = this.lot(id);
    let units = Math.min(amount, lot);
    if (units < lot) {
      // MakerDAO's dust rule: never leave less than chost = dust·chop of tab behind
      const tab = this.tabLeft(k);
      const chost = this.p.dust * this.p.chop;
      if ((tab * (lot - units)) / lot < chost) {
        if (tab <= chost) return 0;
        units = (lot * (tab - chost)) / tab;
      }
    }
    if (!canHold(this.sim, keeper, this.sgn[k] * units, x)) return 0;
    if (v === 0) {
      this.zero[k] = 1;
      this.sim.metrics[this.mZeroValue] += units * this.sim.indexPrice;
    }
    this.sim.log('take', keeper, this.sgn[k] * units, x, units * v);
    this.sell(k, keeper, units, x);
    return units;
  }
  override endTick(): void {
    const sim = this.sim;
    for (let k = 0; k < this.slots; k++) {
      if (this.owner[k] < 0) continue;
      if (!this.done(k, this.value(k))) continue;
      if (this.resets[k] >= this.p.maxResets && this.waterfall.hasCloserAfter(this.index)) {
        this.giveBack(k);
        continue;
      }
      this.top[k] = sim.oracle * this.p.buf;
      this.ref[k] = sim.oracle;
      this.start[k] = sim.time;
      this.resets[k]++;
      const tab = this.tabLeft(k);
      sim.log('reset', this.owner[k], this.lot(this.first + k), this.top[k], tab);
      this.incentive(this.p.tip + this.p.chip * tab);
    }
  }
}

export default defineStage({
  name: 'dutch-auction',
  description: 'Dutch auction (MakerDAO Liquidations 2.0): falling price, resets, tip + chip, hole caps',
  role: 'close',
  metrics: AUCTION_METRICS,
  params,
  rows: (p) => p.slots,
  rowRole: 'traders',
  // per auction slot: its starting price
  state: (p) => ({ top: { type: 'f64', length: p.slots } }),
  build: ({ sim, params: p, waterfall, index, firstRow, metric, state }) =>
    new Dutch(sim, waterfall, index, firstRow, p, metric, state.top),
});

/**
 * English auction (MakerDAO Liquidations 1.2, the Flipper). Tend: keepers raise the value (USD) offered for
 * the whole lot, each bid at least `beg` times the last, up to the tab; dent: with the tab bid, they offer
 * to take a smaller lot (at most lot/beg) for it. The auction ends `ttl` after the last bid or `tau` after
 * the start; the high bid wins, however low: an unopposed bid of zero wins the lot for nothing. What the
 * dent phase leaves of the lot goes back to the account. With no bid at all the auction restarts, and
 * after `maxRestarts` the lot goes to the next closer when one is listed. A bid must be carried at initial
 * margin when it is placed and again when it wins (a winner that can no longer carry it has its bid voided,
 * and the auction restarts).
 * See `../auctions.ts` for the lot, debt and short-lot conventions.
 */
import { z } from 'zod';
import {
  AUCTION_METRICS,
  AuctionHouse,
  canHold,
  defineStage,
  type StageState,
  transferPosition,
} from '../../plugin.js';

const params = z.strictObject({
  beg: z.number().finite().min(1).default(1.03).describe('minimum bid increase (multiplier; 1.03: 3%)'),
  ttl: z
    .number()
    .finite()
    .positive()
    .default(600)
    .describe('the auction ends this long after the last bid (seconds)'),
  tau: z
    .number()
    .finite()
    .positive()
    .default(21_600)
    .describe('the auction ends this long after it started (seconds)'),
  chop: z.number().finite().min(1).default(1.13).describe('tab = debt · chop (1 + liquidation penalty)'),
  maxRestarts: z
    .number()
    .int()
    .min(0)
    .default(3)
    .describe('restarts without a bid before the lot goes to the next closer'),
  slots: z.number().int().positive().max(100_000).default(64).describe('most auctions open at once'),
  penaltyToFund: z
    .number()
    .finite()
    .min(0)
    .max(1)
    .default(1)
    .describe('share of the penalty paid into the insurance fund'),
});

/** Per auction slot: the high bid's value, lot and time, its bidder (−1: none), the auction's end. */
function state(p: z.output<typeof params>) {
  const f64 = { type: 'f64', length: p.slots } as const;
  return {
    bidV: f64,
    bidLot: f64,
    bidTime: f64,
    bidBy: { type: 'i32', length: p.slots, fill: -1 },
    end: f64,
  } as const;
}

class English extends AuctionHouse {
  readonly kind = 'english' as const;
  readonly bidV: Float64Array;
  readonly bidLot: Float64Array;
  readonly bidTime: Float64Array;
  readonly bidBy: Int32Array;
  readonly end: Float64Array;
  constructor(
    sim: ConstructorParameters<typeof AuctionHouse>[0],
    wf: ConstructorParameters<typeof AuctionHouse>[1],
    index: number,
    first: number,
    readonly p: z.output<typeof params>,
    metric: ConstructorParameters<typeof AuctionHouse>[7],
    st: StageState<ReturnType<typeof state>>,
  ) {
    super(sim, wf, index, first, p.slots, p.chop, p.penaltyToFund, metric);
    this.bidV = st.bidV;
    this.bidLot = st.bidLot;
    this.bidTime = st.bidTime;
    this.bidBy = st.bidBy;
    this.end = st.end;
  }
  override price(id: number): number {
    const k = this.slot(id);
    return k < 0 || this.bidBy[k] < 0 ? Number.NaN : this.px(k, this.bidV[k] / this.bidLot[k]);
  }
  override ends(id: number): number {
    const k = this.slot(id);
    if (k < 0) return Number.NaN;
    return this.bidBy[k] < 0 ? this.end[k] : Math.min(this.end[k], this.bidTime[k] + this.p.ttl);
  }
  override highBid(id: number): number {
    const k = this.slot(id);
    return k < 0 || this.bidBy[k] < 0 ? Number.NaN : this.bidV[k];
  }
  override bidder(id: number): number {
    const k = this.slot(id);
    return k < 0 ? -1 : this.bidBy[k];
  }
  override liquidate(id: number): boolean {
    const k = this.kick(id, 1);
    if (k < 0) return false;
    this.bidBy[k] = -1;
    this.bidV[k] = 0;
    this.bidLot[k] = this.lot0[k];
    this.end[k] = this.sim.time + this.p.tau;
    return true;
  }
  override bid(id: number, keeper: number, value: number, lot: number): boolean {
    const k = this.slot(id);
    if (k < 0 || keeper === this.owner[k] || !(value >= 0) || !(lot > 0)) return false;
    if (this.sim.time >= this.ends(id)) return false;
    const L = this.lot(id);
    const tab = this.tabLeft(k);
    const beg = this.p.beg;
    const first = this.bidBy[k] < 0;
    if (lot >= L * (1 - 1e-12)) {
      // tend: more value for the whole lot
      lot = L;
      if (value > tab) return false;
      if (!first && !(value > this.bidV[k] && (value >= beg * this.bidV[k] || value === tab))) return false;
    } else {
      // dent: the tab for less of the lot
      if (first || this.bidV[k] < tab || value !== tab || lot * beg > this.bidLot[k]) return false;
    }
    const x = this.px(k, value / lot);
    if (!canHold(this.sim, keeper, this.sgn[k] * lot, x)) return false;
    this.bidV[k] = value;
    this.bidLot[k] = lot;
    this.bidBy[k] = keeper;
    this.bidTime[k] = this.sim.time;
    this.sim.log('bid', keeper, this.sgn[k] * lot, x, value);
    return true;
  }
  override endTick(): void {
    const sim = this.sim;
    for (let k = 0; k < this.slots; k++) {
      if (this.owner[k] < 0) continue;
      const id = this.first + k;
      if (sim.time < this.ends(id)) continue;
      let winner = this.bidBy[k];
      if (winner >= 0) {
        // a winner who can no longer carry its lot at initial margin (its equity fell, or it won others
        // since) cannot honour the bid: it is void, and the auction goes on as if nobody had bid
        const units = Math.min(this.bidLot[k], this.lot(id));
        if (!canHold(sim, winner, this.sgn[k] * units, this.px(k, this.bidV[k] / units))) {
          sim.log('reset', winner, 0, sim.oracle, this.bidV[k]);
          this.bidBy[k] = -1;
          this.bidV[k] = 0;
          this.bidLot[k] = this.lot(id);
          winner = -1;
        }
      }
      if (winner >= 0) {
        // deal: the winner gets its lot at the price of its bid; the rest of the lot goes back
        const L = this.lot(id);
        const units = Math.min(this.bidLot[k], L);
        const x = this.px(k, this.bidV[k] / units);
        if (units < L) {
          const back = (this.tabLeft(k) * (L - units)) / L;
          this.dirt -= back;
          this.houseDebt[0] -= back;
          transferPosition(sim, id, this.owner[k], this.sgn[k] * (L - units), this.pbk[k]);
        }
        if (this.bidV[k] === 0) {
          this.zero[k] = 1;
          sim.metrics[this.mZeroValue] += units * sim.indexPrice;
        }
        this.bidBy[k] = -1;
        sim.log('take', winner, this.sgn[k] * units, x, this.bidV[k]);
        this.sell(k, winner, units, x);
      } else if (this.resets[k] >= this.p.maxRestarts && this.waterfall.hasCloserAfter(this.index)) {
        this.giveBack(k);
      } else {
        this.resets[k]++;
        this.ref[k] = sim.oracle;
        this.end[k] = sim.time + this.p.tau;
        sim.log('reset', this.owner[k], this.lot(id), sim.oracle, this.tabLeft(k));
      }
    }
  }
}

export default defineStage({
  name: 'english-auction',
  description: 'English auction (MakerDAO Liquidations 1.2): tend then dent, beg, ttl, tau; zero bids win',
  role: 'close',
  metrics: AUCTION_METRICS,
  params,
  rows: (p) => p.slots,
  rowRole: 'traders',
  state,
  build: ({ sim, params: p, waterfall, index, firstRow, metric, state: st }) =>
    new English(sim, waterfall, index, firstRow, p, metric, st),
});

/**
 * Fixed-spread takeover by liquidators (Aave, Compound, Morpho): an account that reaches this stage is
 * offered to keepers, who take over (part of) its position at the oracle price minus a bonus (a long; plus
 * for a short) through `Keepers.takeover`. One takeover may take at most `closeFactor` of the position,
 * or all of it when health (equity / maintenance margin) is at most `fullCloseBelow`. The position and its
 * collateral move together: the keeper receives the units at the discounted price, the account's realized
 * PnL stays with it; an account left without a position and with negative collateral is a shortfall for the
 * payers. If nobody takes the offer within `patienceSeconds`, the account goes to the next closer.
 */
import { z } from 'zod';
import {
  type Accounts,
  canHold,
  defineStage,
  health,
  type StageInstance,
  type StateSizes,
  TAKEOVER_SERVICE,
  type TakeoverService,
  transferPosition,
  type VenueContext,
} from '../../plugin.js';

const Params = z.strictObject({
  closeFactor: z
    .number()
    .finite()
    .positive()
    .max(1)
    .default(0.5)
    .describe('most of a position one takeover may take (fraction; Aave 0.5)'),
  fullCloseBelow: z
    .number()
    .finite()
    .min(0)
    .default(0.95)
    .describe('below this health (equity / maintenance margin) a takeover may take all (Aave 0.95)'),
  bonus: z
    .number()
    .finite()
    .min(0)
    .max(0.5)
    .default(0.05)
    .describe('discount to the oracle for the liquidator (fraction; Aave 5–10%)'),
  patienceSeconds: z
    .number()
    .finite()
    .min(0)
    .default(60)
    .describe('how long an offer waits for a liquidator before the next closer runs (seconds)'),
});

/**
 * One run's offers, and the keepers' view of them. A class, not closures made in `build` (docs/performance.md).
 */
class Takeover implements StageInstance, TakeoverService {
  private readonly a: Accounts;
  /** when the account was first offered (seconds; −1: not on offer) */
  private readonly since: Float64Array;
  private readonly offered: Int32Array;
  private offeredN = 0;

  constructor(
    private readonly sim: VenueContext,
    private readonly params: z.output<typeof Params>,
    since: Float64Array,
    offered: Int32Array,
  ) {
    this.a = sim.accounts;
    this.since = since;
    this.offered = offered;
  }

  private live(t: number): boolean {
    return this.since[t] >= 0 && this.a.qty[t] !== 0 && this.sim.isLiquidatable(t);
  }

  list(out: Int32Array, count: number): number {
    const offered = this.offered;
    for (let j = 0; j < this.offeredN; j++) if (this.live(offered[j])) out[count++] = offered[j];
    return count;
  }

  price(t: number): number {
    return this.live(t) ? this.sim.oracle * (1 - Math.sign(this.a.qty[t]) * this.params.bonus) : Number.NaN;
  }

  maxFraction(t: number): number {
    if (!this.live(t)) return 0;
    return health(this.sim, t) <= this.params.fullCloseBelow ? 1 : this.params.closeFactor;
  }

  takeover(keeper: number, t: number, fraction: number): number {
    const { sim, a } = this;
    if (keeper === t || !this.live(t) || !(fraction > 0)) return 0;
    const f = Math.min(fraction, this.maxFraction(t));
    const q = a.qty[t];
    const x = this.price(t);
    const dq = f >= 1 ? q : q * f;
    if (!canHold(sim, keeper, dq, x)) return 0;
    const pbk = a.bankruptcyPrice(t, sim.phi);
    transferPosition(sim, t, keeper, dq, x);
    const notional = Math.abs(dq) * x;
    sim.noteLiquidation(notional);
    sim.log('takeover', t, -dq, x, notional);
    if (a.qty[t] === 0) {
      this.since[t] = -1;
      if (a.cash[t] < 0) sim.waterfall.coverShortfall(t, -a.cash[t], Math.sign(q), pbk);
    }
    return Math.abs(dq);
  }

  liquidate(id: number): boolean {
    const since = this.since;
    if (since[id] < 0) {
      since[id] = this.sim.time;
      this.offered[this.offeredN++] = id;
      return true;
    }
    return this.sim.time - since[id] < this.params.patienceSeconds;
  }

  endTick(): void {
    // drop offers on accounts that are closed or healthy again
    const { sim, a, offered, since } = this;
    let k = 0;
    for (let j = 0; j < this.offeredN; j++) {
      const t = offered[j];
      if (a.qty[t] !== 0 && sim.isLiquidatable(t)) offered[k++] = t;
      else since[t] = -1;
    }
    this.offeredN = k;
  }
}

export default defineStage({
  name: 'takeover',
  description: 'liquidators take over positions at a fixed discount to the oracle (close factor, bonus)',
  role: 'close',
  provides: [TAKEOVER_SERVICE],
  params: Params,
  // per account row: when it was first offered (seconds; −1: not on offer); the rows on offer
  state: (_p, run: StateSizes) => ({
    since: { type: 'f64', length: run.accounts, fill: -1 },
    offered: 'i32',
  }),
  build({ sim, params, provide, state }) {
    const stage = new Takeover(sim, params, state.since, state.offered);
    provide(TAKEOVER_SERVICE, stage);
    return stage;
  },
});

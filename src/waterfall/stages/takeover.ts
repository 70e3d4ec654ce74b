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
import type { TakeoverService } from '../keepers.js';
import { canHold, health, transferPosition } from '../ops.js';
import { defineStage } from '../stage.js';

export default defineStage({
  name: 'takeover',
  description: 'liquidators take over positions at a fixed discount to the oracle (close factor, bonus)',
  role: 'close',
  params: z.strictObject({
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
  }),
  build({ sim, params, waterfall }) {
    const a = sim.accounts;
    const since = sim.f64(a.n).fill(-1);
    const offered = sim.i32(a.n);
    let offeredN = 0;

    function live(t: number): boolean {
      return since[t] >= 0 && a.qty[t] !== 0 && sim.isLiquidatable(t);
    }
    const service: TakeoverService = {
      list(out, count) {
        for (let j = 0; j < offeredN; j++) if (live(offered[j])) out[count++] = offered[j];
        return count;
      },
      price(t) {
        return live(t) ? sim.oracle * (1 - Math.sign(a.qty[t]) * params.bonus) : Number.NaN;
      },
      maxFraction(t) {
        if (!live(t)) return 0;
        return health(sim, t) <= params.fullCloseBelow ? 1 : params.closeFactor;
      },
      takeover(keeper, t, fraction) {
        if (keeper === t || !live(t) || !(fraction > 0)) return 0;
        const f = Math.min(fraction, service.maxFraction(t));
        const q = a.qty[t];
        const x = service.price(t);
        const dq = f >= 1 ? q : q * f;
        if (!canHold(sim, keeper, dq, x)) return 0;
        const pbk = a.bankruptcyPrice(t, sim.phi);
        transferPosition(sim, t, keeper, dq, x);
        const notional = Math.abs(dq) * x;
        sim.noteLiquidation(notional);
        sim.log('takeover', t, -dq, x, notional);
        if (a.qty[t] === 0) {
          since[t] = -1;
          if (a.cash[t] < 0) sim.waterfall.coverShortfall(t, -a.cash[t], Math.sign(q), pbk);
        }
        return Math.abs(dq);
      },
    };
    waterfall.keepers.takeoverStage = service;

    return {
      liquidate(id) {
        if (since[id] < 0) {
          since[id] = sim.time;
          offered[offeredN++] = id;
          return true;
        }
        return sim.time - since[id] < params.patienceSeconds;
      },
      endTick() {
        // drop offers on accounts that are closed or healthy again
        let k = 0;
        for (let j = 0; j < offeredN; j++) {
          const t = offered[j];
          if (a.qty[t] !== 0 && sim.isLiquidatable(t)) offered[k++] = t;
          else since[t] = -1;
        }
        offeredN = k;
      },
    };
  },
});

import { z } from 'zod';
import { leverageSchema } from '../src/config/bounds.js';
import { defineStrategy } from '../src/strategy.js';

/**
 * Attacker (the Hyperliquid JELLY pattern, March 2025). Agents work in pairs: the first of a pair opens a
 * large, thinly margined short (the bait), the second an equal long (the leg that profits). From
 * `pushStartTick` the second buys spot for `pushTicks` ticks, which (with a finite `market.spot.depthUsd`)
 * pushes the index, so the bait is liquidated and — where the book cannot absorb it — taken over by the
 * backstop vault, which then carries the loss as the push goes on. At `exitTick` the profiting leg closes
 * its long and sells its spot. The pair's payoff is the long's gain less the bait's margin and the cost of
 * the push.
 */
export default defineStrategy({
  name: 'attacker',
  role: 'traders',
  description:
    'JELLY pattern: a bait short for the vault, a profiting long, and spot buying to push the index',
  params: z.strictObject({
    notionalUsd: z.number().positive().default(5_000_000).describe('size of each leg (USD)'),
    baitLeverage: leverageSchema()
      .default(20)
      .describe('leverage of the bait short (x equity, at most 1000)'),
    startTick: z.number().int().min(0).default(10).describe('tick at which both legs open'),
    pushStartTick: z.number().int().min(0).default(30).describe('first tick of spot buying'),
    pushTicks: z.number().int().min(0).default(60).describe('ticks of spot buying'),
    pushUsdPerTick: z.number().min(0).default(500_000).describe('spot bought per tick (USD)'),
    exitTick: z
      .number()
      .int()
      .min(0)
      .default(120)
      .describe('tick at which the long closes and the spot is sold'),
  }),
  state: { spot: 'f64' },
  act(g, sim) {
    const { notionalUsd, baitLeverage, startTick, pushStartTick, pushTicks, pushUsdPerTick, exitTick } =
      g.params;
    const t = sim.tick;
    const a = sim.accounts;
    for (let bait = g.first; bait + 1 < g.first + g.count; bait += 2) {
      const leg = bait + 1;
      if (t === startTick) {
        // the bait posts only notional / leverage as margin; the rest waits in its wallet, out of reach
        const margin = notionalUsd / baitLeverage;
        if (a.cash[bait] > margin) sim.toWallet(bait, a.cash[bait] - margin);
        const q = notionalUsd / sim.mark;
        sim.trade(bait, -q);
        sim.trade(leg, q);
      } else if (t >= pushStartTick && t < pushStartTick + pushTicks) {
        const ds = pushUsdPerTick / sim.indexPrice;
        sim.spotTrade(leg, ds);
        g.state.spot[leg - g.first] += ds;
      } else if (t === exitTick) {
        sim.close(leg);
        const s = g.state.spot[leg - g.first];
        if (s !== 0) sim.spotTrade(leg, -s);
        g.state.spot[leg - g.first] = 0;
      }
    }
  },
  holdings(g, id, sim) {
    return g.state.spot[id - g.first] * sim.indexPrice;
  },
});

import { z } from 'zod';
import { defineStrategy, leverageSchema } from '../src/plugin.js';

/**
 * Attacker (the Hyperliquid JELLY pattern, March 2025). Agents work in pairs: the first of a pair opens a
 * large, thinly margined short (the bait), the second an equal long (the leg that profits). From
 * `pushStartTick` the second buys spot for `pushTicks` ticks, which (with a finite `market.spot.depthUsd`)
 * pushes the index, so the bait is liquidated and — where the book cannot absorb it — taken over by the
 * backstop vault, which then carries the loss as the push goes on. From `exitTick`, over `exitTicks` ticks,
 * the profiting leg closes its long and sells its spot back through the spot book (which pushes the index
 * back down): a gain counts only once sold. The pair's payoff is the long's gain less the bait's margin and the cost of
 * the push. Each leg posts `notionalUsd / baitLeverage` as margin and keeps the rest of its capital in its
 * wallet; the push is paid from the profiting leg's wallet (nothing is lent: a push larger than its capital
 * is cut to what it can pay, counted in `orders_cut`). A book too thin to take a leg at once within the
 * price band fills it in parts: each tick until the push starts, each leg sends what it still lacks.
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
      .describe('tick at which the long starts closing and the spot starts being sold'),
    exitTicks: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('ticks over which the exit is spread: each closes an equal share of what is left'),
  }),
  // the units each leg aims at, set at `startTick` (in the bait's slot)
  state: { units: 'f64' },
  act(g, sim) {
    const {
      notionalUsd,
      baitLeverage,
      startTick,
      pushStartTick,
      pushTicks,
      pushUsdPerTick,
      exitTick,
      exitTicks,
    } = g.params;
    const t = sim.tick;
    const a = sim.accounts;
    for (let bait = g.first; bait + 1 < g.first + g.count; bait += 2) {
      const leg = bait + 1;
      if (t === startTick) {
        // each leg posts only notional / leverage as margin; the rest waits in its wallet (the bait's out
        // of reach, the long's to pay for the push)
        const margin = notionalUsd / baitLeverage;
        if (a.cash[bait] > margin) sim.toWallet(bait, a.cash[bait] - margin);
        if (a.cash[leg] > margin) sim.toWallet(leg, a.cash[leg] - margin);
        g.state.units[bait - g.first] = notionalUsd / sim.mark;
      }
      const units = g.state.units[bait - g.first];
      if (t >= startTick && t < Math.max(pushStartTick, startTick + 1) && units > 0) {
        // build both legs (the bait only while it has not been taken from it)
        if (a.liquidated[bait] === 0 && -a.qty[bait] < units * (1 - 1e-9))
          sim.trade(bait, -units - a.qty[bait]);
        if (a.qty[leg] < units * (1 - 1e-9)) sim.trade(leg, units - a.qty[leg]);
      }
      if (t >= pushStartTick && t < pushStartTick + pushTicks) {
        sim.spotTrade(leg, pushUsdPerTick / sim.indexPrice);
      }
      if (t >= exitTick && t < exitTick + exitTicks) {
        // an equal share of what is left each tick: the last tick closes the rest (what the book or the
        // band refuses stays, and is valued at the end's prices)
        const share = 1 / (exitTick + exitTicks - t);
        if (share >= 1) sim.close(leg);
        else if (a.qty[leg] !== 0) sim.trade(leg, -a.qty[leg] * share);
        if (a.spot[leg] > 0) sim.spotTrade(leg, -a.spot[leg] * share);
      }
    }
  },
});

import { z } from 'zod';
import { defineStrategy, leverageSchema, NO_FEE, NO_FLOW, NO_IMPACT } from '../src/plugin.js';
import { hedge, spotShareParam } from './hedge.js';

/**
 * Basis arbitrage, hedged on the spot market outside the venue with its own money (nothing is lent): it
 * keeps `spotShare` of its capital off the venue and starts from a cash-and-carry base — `baseShare` of that
 * spent on spot, the same units sold on the perp. A rich perp (mark above the index) it sells, buying the
 * same units of spot with its wallet; a cheap perp it buys back, selling the same units of spot it holds;
 * when the basis has closed it moves back toward its base. Every leg stays hedged (perp = −spot), within
 * its capital (leverage), inventory limit, wallet and spot held. The group aims to cancel the impact the
 * mark would otherwise carry into the next tick (flow = −resilience · impact · 100 · depth), never trading
 * more in a tick than moves the price by `maxImpactPerTick` (sized to the book, so it cannot whipsaw the
 * mark), shared equally among its agents.
 */
export default defineStrategy({
  name: 'basis-arb',
  role: 'arbitrageurs',
  description: 'sells the perp above the index and buys it back below, hedged on spot it pays for',
  params: z.strictObject({
    entryThreshold: z
      .number()
      .min(0)
      .default(0.0015)
      .describe('|mark/index − 1| above which it trades (fraction)'),
    exitThreshold: z
      .number()
      .min(0)
      .default(0.0003)
      .describe('|mark/index − 1| below which it moves back to its base (fraction)'),
    maxLeverage: leverageSchema()
      .default(3)
      .describe('largest perp notional per unit of equity (x, at most 1000)'),
    inventoryLimitUsd: z
      .number()
      .positive()
      .default(5_000_000)
      .describe('largest perp notional per agent (USD)'),
    maxImpactPerTick: z
      .number()
      .positive()
      .default(0.002)
      .describe("the group's largest price impact in one tick (fraction)"),
    spotShare: spotShareParam,
    baseShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe('share of that spot money turned into the hedged base position at the start (fraction)'),
  }),
  // base: units of spot (= perp sold) of the starting position
  state: { base: 'f64' },
  init(g, sim) {
    const { spotShare, baseShare } = g.params;
    const a = sim.accounts;
    for (let i = g.first; i < g.first + g.count; i++) {
      sim.toWallet(i, a.cash[i] * spotShare);
      const bought = sim.spotTrade(i, (a.wallet[i] * baseShare) / sim.indexPrice);
      if (!(bought > 0)) continue;
      // the perp leg is part of the venue's starting state: no fee, no book flow; what margin does not
      // allow on the perp is sold back on spot, so the base is hedged
      sim.trade(i, -bought, NO_FEE | NO_FLOW | NO_IMPACT);
      const sold = -a.qty[i];
      if (sold < bought) sim.spotTrade(i, sold - bought);
      g.state.base[i - g.first] = a.spot[i];
    }
  },
  act(g, sim) {
    const { entryThreshold, exitThreshold, maxLeverage, inventoryLimitUsd, maxImpactPerTick } = g.params;
    if (g.count === 0) return;
    const a = sim.accounts;
    const m = sim.market;
    const mark = m.mark;
    const basis = mark / m.index[sim.tick] - 1;
    const budget = (maxImpactPerTick * 100 * m.depth) / g.count / mark; // units per agent this tick
    if (Math.abs(basis) < exitThreshold) {
      for (let i = g.first; i < g.first + g.count; i++) {
        if (a.active[i] === 0) continue;
        const gap = a.spot[i] - g.state.base[i - g.first]; // > 0: above its base, buy the perp back
        if (gap !== 0) hedge(sim, i, Math.sign(gap) * Math.min(Math.abs(gap), budget), 0);
      }
      return;
    }
    if (Math.abs(basis) < entryThreshold) return;
    const dir = basis > 0 ? -1 : 1; // sell a rich perp, buy a cheap one
    const wanted = Math.abs(sim.cfg.market.liquidity.resilience * basis * 100 * m.depth) / g.count / mark;
    const each = Math.min(wanted, budget);
    for (let i = g.first; i < g.first + g.count; i++) {
      if (a.active[i] === 0) continue;
      const e = sim.equity(i);
      if (!(e > 0)) continue;
      const room = Math.min(inventoryLimitUsd, maxLeverage * e) / mark - Math.abs(a.qty[i]);
      const units = dir < 0 ? Math.min(each, room) : each;
      if (units > 0) hedge(sim, i, dir * units, 0);
    }
  },
});

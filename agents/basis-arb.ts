import { z } from 'zod';
import { leverageSchema } from '../src/config/bounds.js';
import { defineStrategy } from '../src/strategy.js';

/**
 * Basis arbitrage: trades the mark back toward the index when the gap beats costs, hedged one-for-one on
 * the spot market outside the venue, within its capital (leverage) and inventory limits; unwinds when the
 * basis has closed. The group aims to cancel the impact the mark would otherwise carry into the next tick
 * (flow = −resilience · impact · 100 · depth), never trading more in a tick than moves the price by
 * `maxImpactPerTick` (sized to the book, so it cannot whipsaw the mark), shared equally among its agents.
 */
export default defineStrategy({
  name: 'basis-arb',
  role: 'arbitrageurs',
  description: 'sells the perp above the index and buys it below, hedged on spot, within capital limits',
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
      .describe('|mark/index − 1| below which it unwinds (fraction)'),
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
  }),
  state: { spot: 'f64' },
  act(g, sim) {
    const { entryThreshold, exitThreshold, maxLeverage, inventoryLimitUsd, maxImpactPerTick } = g.params;
    if (g.count === 0) return;
    const a = sim.accounts;
    const m = sim.market;
    const mark = m.mark;
    const basis = mark / m.index[sim.tick] - 1;
    const spot = g.state.spot;
    const budget = (maxImpactPerTick * 100 * m.depth) / g.count; // USD per agent this tick
    if (Math.abs(basis) < exitThreshold) {
      for (let i = g.first; i < g.first + g.count; i++) {
        const q = a.qty[i];
        if (q === 0) continue;
        const dq = -Math.sign(q) * Math.min(Math.abs(q), budget / mark);
        sim.trade(i, dq);
        sim.spotTrade(i, -dq);
        spot[i - g.first] -= dq;
        if (a.qty[i] === 0 && spot[i - g.first] !== 0) {
          sim.spotTrade(i, -spot[i - g.first]);
          spot[i - g.first] = 0;
        }
      }
      return;
    }
    if (Math.abs(basis) < entryThreshold) return;
    const dir = basis > 0 ? -1 : 1; // sell a rich perp, buy a cheap one
    const wanted = Math.abs(sim.cfg.market.liquidity.resilience * basis * 100 * m.depth) / g.count;
    const each = Math.min(wanted, budget);
    for (let i = g.first; i < g.first + g.count; i++) {
      if (a.active[i] === 0) continue;
      const e = sim.equity(i);
      if (e <= 0) continue;
      const held = a.qty[i] * mark * dir; // > 0 when already positioned the same way
      const room = Math.min(inventoryLimitUsd, maxLeverage * e) - Math.max(0, held);
      const usd = Math.min(each, room);
      if (usd <= 0) continue;
      const dq = (dir * usd) / mark;
      sim.trade(i, dq);
      sim.spotTrade(i, -dq);
      spot[i - g.first] -= dq;
    }
  },
  holdings(g, id, sim) {
    return g.state.spot[id - g.first] * sim.indexPrice;
  },
});

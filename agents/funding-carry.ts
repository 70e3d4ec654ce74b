import { z } from 'zod';
import { leverageSchema } from '../src/config/bounds.js';
import { defineStrategy } from '../src/strategy.js';

/**
 * Funding carry: holds the perp on the side that receives funding (short when the mark is above the
 * index, as longs then pay), hedged on spot, building toward `leverage` × equity; moves to flat when the
 * basis falls under half the entry threshold. It never trades more in a tick than moves the price by
 * `maxImpactPerTick` (shared among its agents).
 */
export default defineStrategy({
  name: 'funding-carry',
  role: 'arbitrageurs',
  description: 'collects funding on the receiving side, hedged on spot',
  params: z.strictObject({
    entryThreshold: z
      .number()
      .min(0)
      .default(0.0005)
      .describe('|mark/index − 1| above which it enters (fraction)'),
    leverage: leverageSchema()
      .default(2)
      .describe('target perp notional per unit of equity (x, at most 1000)'),
    maxImpactPerTick: z
      .number()
      .positive()
      .default(0.001)
      .describe("the group's largest price impact in one tick (fraction)"),
  }),
  state: { spot: 'f64' },
  act(g, sim) {
    const { entryThreshold, leverage, maxImpactPerTick } = g.params;
    if (g.count === 0) return;
    const a = sim.accounts;
    const m = sim.market;
    const mark = m.mark;
    const basis = mark / m.index[sim.tick] - 1;
    const side =
      basis > entryThreshold
        ? -1
        : basis < -entryThreshold
          ? 1
          : Math.abs(basis) < entryThreshold / 2
            ? 0
            : Number.NaN;
    if (Number.isNaN(side)) return;
    const step = (maxImpactPerTick * 100 * m.depth) / g.count / mark; // units per agent this tick
    const spot = g.state.spot;
    for (let i = g.first; i < g.first + g.count; i++) {
      if (a.active[i] === 0) continue;
      const e = sim.equity(i);
      const target = side === 0 || e <= 0 ? 0 : (side * leverage * e) / mark;
      const gap = target - a.qty[i];
      if (gap === 0) continue;
      const dq = Math.sign(gap) * Math.min(Math.abs(gap), step);
      sim.trade(i, dq);
      sim.spotTrade(i, -dq);
      spot[i - g.first] -= dq;
    }
  },
  holdings(g, id, sim) {
    return g.state.spot[id - g.first] * sim.indexPrice;
  },
});

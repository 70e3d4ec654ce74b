import { z } from 'zod';
import { defineStrategy, leverageSchema } from '../src/plugin.js';
import { hedge, spotShareParam } from './hedge.js';

/**
 * Funding carry: holds the perp on the side that receives funding, hedged on spot with its own money (it
 * keeps `spotShare` of its capital off the venue for that). When the mark is above the index longs pay:
 * it sells the perp and buys the same units of spot, building toward `leverage` × equity, as far as its
 * wallet pays for the spot. When the mark is below the index the receiving side is long, whose hedge is a
 * spot sale the model does not lend for: it buys its perp back and sells its spot, down to flat. It also
 * goes flat when the basis falls under half the entry threshold. It never trades more in a tick than moves
 * the price by `maxImpactPerTick` (shared among its agents).
 */
export default defineStrategy({
  name: 'funding-carry',
  role: 'arbitrageurs',
  description: 'collects funding on the receiving side, hedged on spot it pays for',
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
    spotShare: spotShareParam,
  }),
  init(g, sim) {
    const a = sim.accounts;
    for (let i = g.first; i < g.first + g.count; i++) sim.toWallet(i, a.cash[i] * g.params.spotShare);
  },
  act(g, sim) {
    const { entryThreshold, leverage, maxImpactPerTick } = g.params;
    if (g.count === 0) return;
    const a = sim.accounts;
    const m = sim.market;
    const mark = m.mark;
    const basis = mark / m.index[sim.tick] - 1;
    const short = basis > entryThreshold;
    if (!short && basis >= -entryThreshold && Math.abs(basis) >= entryThreshold / 2) return;
    const step = (maxImpactPerTick * 100 * m.depth) / g.count / mark; // units per agent this tick
    for (let i = g.first; i < g.first + g.count; i++) {
      if (a.active[i] === 0) continue;
      const e = sim.equity(i);
      const target = short && e > 0 ? (-leverage * e) / mark : 0;
      const gap = target - a.qty[i];
      if (gap !== 0) hedge(sim, i, Math.sign(gap) * Math.min(Math.abs(gap), step), 0);
    }
  },
});

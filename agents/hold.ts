import { z } from 'zod';
import { leverageSchema } from '../src/config/bounds.js';
import { NO_FEE, NO_FLOW, NO_IMPACT } from '../src/engine/simulation.js';
import { defineStrategy } from '../src/strategy.js';
import { manageMargin, marginParams, reserveCapital } from './margin.js';

/**
 * Opens one position before the first tick and holds it: the simplest trader, and the isolated account of
 * the engine's liquidation tests. Opening is part of the venue's starting state: no fee, no book flow.
 */
export default defineStrategy({
  name: 'hold',
  role: 'traders',
  description: 'opens one position at a fixed leverage before the first tick and holds it',
  params: z.strictObject({
    leverage: leverageSchema().default(5).describe('leverage of the position (x equity, at most 1000)'),
    side: z.enum(['long', 'short', 'random']).default('long').describe('side of the position'),
    longProbability: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("probability of a long when side is 'random'"),
    margin: marginParams,
  }),
  init(g, sim) {
    const { leverage, side, longProbability, margin } = g.params;
    reserveCapital(g.first, g.count, margin, sim);
    for (let i = g.first; i < g.first + g.count; i++) {
      const s = side === 'long' ? 1 : side === 'short' ? -1 : g.rng.uniform() < longProbability ? 1 : -1;
      sim.openAtLeverage(i, leverage, s, NO_FEE | NO_FLOW | NO_IMPACT);
    }
  },
  act(g, sim) {
    manageMargin(g.first, g.count, g.params.margin, sim);
  },
});

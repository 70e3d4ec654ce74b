import { z } from 'zod';
import { defineStrategy, leverageSchema } from '../src/plugin.js';
import { manageMargin, marginParams } from './margin.js';
import { retarget } from './trend.js';

/**
 * Momentum: follows the trend of the mark over a lookback window. With trend = ln(mark_t / mark_{t−L}),
 * a trader reviewing its position goes long when trend > threshold and short when trend < −threshold,
 * and otherwise keeps what it has. Reviews arrive as a Poisson process (probability per tick).
 */
export default defineStrategy({
  name: 'momentum',
  role: 'traders',
  description: 'long after a rising lookback window, short after a falling one',
  params: z.strictObject({
    lookbackTicks: z.number().int().min(1).default(60).describe('lookback window (ticks)'),
    threshold: z.number().min(0).default(0.01).describe('trend (log return over the window) needed to act'),
    leverage: leverageSchema().default(5).describe('leverage of new positions (x equity, at most 1000)'),
    reviewProbability: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('chance per tick that a trader reviews its position'),
    margin: marginParams,
  }),
  act(g, sim) {
    const { lookbackTicks: L, threshold, leverage, reviewProbability, margin } = g.params;
    const t = sim.tick;
    if (t >= L) {
      const trend = Math.log(sim.market.marks[t] / sim.market.marks[t - L]);
      const side = trend > threshold ? 1 : trend < -threshold ? -1 : Number.NaN;
      retarget(g.first, g.count, reviewProbability, side, leverage, sim, g.rng);
    }
    manageMargin(g.first, g.count, margin, sim);
  },
});

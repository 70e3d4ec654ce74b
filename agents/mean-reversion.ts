import { z } from 'zod';
import { defineStrategy, leverageSchema } from '../src/plugin.js';
import { manageMargin, marginParams } from './margin.js';
import { retarget } from './trend.js';

/**
 * Mean reversion: bets that the mark returns to its moving average. With dev = ln(mark / MA_L), a trader
 * reviewing its position goes short when dev > threshold, long when dev < −threshold, and closes when
 * |dev| < exitThreshold.
 */
export default defineStrategy({
  name: 'mean-reversion',
  role: 'traders',
  description: 'short above the moving average, long below it, flat near it',
  params: z.strictObject({
    lookbackTicks: z.number().int().min(2).default(120).describe('moving-average window (ticks)'),
    threshold: z.number().min(0).default(0.01).describe('deviation from the average needed to open'),
    exitThreshold: z.number().min(0).default(0.002).describe('deviation under which positions are closed'),
    leverage: leverageSchema().default(3).describe('leverage of new positions (x equity, at most 1000)'),
    reviewProbability: z
      .number()
      .min(0)
      .max(1)
      .default(0.05)
      .describe('chance per tick that a trader reviews its position'),
    margin: marginParams,
  }),
  act(g, sim) {
    const { lookbackTicks: L, threshold, exitThreshold, leverage, reviewProbability, margin } = g.params;
    const t = sim.tick;
    if (t >= L) {
      const marks = sim.market.marks;
      let s = 0;
      for (let k = t - L + 1; k <= t; k++) s += marks[k];
      const dev = Math.log(marks[t] / (s / L));
      const side =
        dev > threshold ? -1 : dev < -threshold ? 1 : Math.abs(dev) < exitThreshold ? 0 : Number.NaN;
      retarget(g.first, g.count, reviewProbability, side, leverage, sim, g.rng);
    }
    manageMargin(g.first, g.count, margin, sim);
  },
});

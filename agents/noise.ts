import { z } from 'zod';
import { defineStrategy, leverageSchema, NO_FEE, NO_FLOW, NO_IMPACT } from '../src/plugin.js';

/**
 * Noise trader: each tick, each trader turns over with a fixed probability (Poisson arrivals): it closes
 * its position (if any) at the book price and at once reopens with its whole equity at a fresh leverage
 * and side, or leaves if its equity is below `minEquity`. A liquidated trader leaves (or, with
 * `afterLiquidation: 'return'`, comes back at its next arrival). Selection skips geometrically over
 * the group, so a tick costs O(arrivals), not O(agents).
 */
export default defineStrategy({
  name: 'noise',
  role: 'traders',
  description: 'Poisson turnover: close, then reopen at a random leverage and side, or leave when poor',
  params: z
    .strictObject({
      arrivalProbability: z
        .number()
        .min(0)
        .max(1)
        .default(0.002)
        .describe('chance per tick that a trader turns over'),
      leverageMin: leverageSchema().default(2).describe('lowest leverage drawn (x equity, at most 1000)'),
      leverageMax: leverageSchema().default(20).describe('highest leverage drawn (x equity, at most 1000)'),
      longProbability: z.number().min(0).max(1).default(0.6).describe('chance that a position is long'),
      minEquity: z
        .number()
        .min(0)
        .default(100)
        .describe('a trader with less equity leaves instead of reopening (USD)'),
      openAtStart: z.boolean().default(true).describe('open a position before the first tick'),
      afterLiquidation: z
        .enum(['leave', 'return'])
        .default('leave')
        .describe('a liquidated trader leaves, or returns at its next arrival with what equity it has left'),
    })
    .refine((p) => p.leverageMin <= p.leverageMax, {
      path: ['leverageMin'],
      error: (i) => {
        const p = i.input as { leverageMin: number; leverageMax: number };
        return `must be ≤ leverageMax (${p.leverageMax}): leverage is drawn uniformly between them`;
      },
    }),
  init(g, sim) {
    if (!g.params.openAtStart) return;
    const { leverageMin, leverageMax, longProbability } = g.params;
    const rng = g.rng;
    for (let i = g.first; i < g.first + g.count; i++) {
      const lev = rng.between(leverageMin, leverageMax);
      const side = rng.uniform() < longProbability ? 1 : -1;
      sim.openAtLeverage(i, lev, side, NO_FEE | NO_FLOW | NO_IMPACT);
    }
  },
  act(g, sim) {
    const {
      arrivalProbability: p,
      leverageMin,
      leverageMax,
      longProbability,
      minEquity,
      afterLiquidation,
    } = g.params;
    const leave = afterLiquidation === 'leave';
    if (p <= 0) return;
    const a = sim.accounts;
    const rng = g.rng;
    const end = g.first + g.count;
    for (let i = g.first + rng.geometricSkip(p); i < end; i += 1 + rng.geometricSkip(p)) {
      // a trader without a position (never opened, or closed by ADL) arrives and opens one; a liquidated
      // trader has left unless it returns
      if (a.active[i] === 0 || (a.qty[i] === 0 && leave && a.liquidated[i] === 1)) continue;
      sim.close(i);
      if (a.cash[i] < minEquity) {
        sim.exit(i);
        continue;
      }
      const lev = rng.between(leverageMin, leverageMax);
      const side = rng.uniform() < longProbability ? 1 : -1;
      sim.openAtLeverage(i, lev, side);
    }
  },
});

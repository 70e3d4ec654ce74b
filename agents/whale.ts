import { z } from 'zod';
import { defineStrategy, leverageSchema, NO_FEE, NO_FLOW, NO_IMPACT } from '../src/plugin.js';
import { manageMargin, marginParams, reserveCapital } from './margin.js';

/**
 * Whale: one large, highly leveraged account (give the role a large capital). It opens before the first
 * tick and, if `addEveryTicks` > 0, adds to its position on that schedule while its leverage allows. At
 * `withdrawAtTick` it takes off the venue everything the venue lets it (down to initial margin; with
 * `venue.withdrawUnrealized`, its unrealized gain too: the HLP whale of 12 March 2025).
 */
export default defineStrategy({
  name: 'whale',
  role: 'traders',
  description: 'a large, highly leveraged position that may keep adding',
  params: z.strictObject({
    leverage: leverageSchema()
      .default(20)
      .describe('leverage of the opening position (x equity, at most 1000)'),
    side: z.enum(['long', 'short']).default('long').describe('side of the position'),
    addEveryTicks: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('add to the position every this many ticks (0: never)'),
    addFraction: z.number().min(0).default(0.1).describe('each add is this share of the current position'),
    maxLeverage: leverageSchema()
      .default(20)
      .describe('never add beyond this leverage (x equity, at most 1000)'),
    withdrawAtTick: z
      .number()
      .int()
      .min(-1)
      .default(-1)
      .describe(
        'at this tick, take everything the venue lets it withdraw off the venue, to its wallet (−1: never)',
      ),
    margin: marginParams,
  }),
  init(g, sim) {
    const { leverage, side, margin } = g.params;
    reserveCapital(g.first, g.count, margin, sim);
    for (let i = g.first; i < g.first + g.count; i++)
      sim.openAtLeverage(i, leverage, side === 'long' ? 1 : -1, NO_FEE | NO_FLOW | NO_IMPACT);
  },
  act(g, sim) {
    const { addEveryTicks, addFraction, maxLeverage, margin, withdrawAtTick } = g.params;
    if (sim.tick === withdrawAtTick)
      for (let i = g.first; i < g.first + g.count; i++) sim.toWallet(i, sim.withdrawable(i));
    if (addEveryTicks > 0 && sim.tick > 0 && sim.tick % addEveryTicks === 0) {
      const a = sim.accounts;
      for (let i = g.first; i < g.first + g.count; i++) {
        const q = a.qty[i];
        const e = sim.equity(i);
        if (q === 0 || e <= 0) continue;
        const add = q * addFraction;
        if ((Math.abs(q + add) * sim.mark) / e <= maxLeverage) sim.trade(i, add);
      }
    }
    manageMargin(g.first, g.count, margin, sim);
  },
});

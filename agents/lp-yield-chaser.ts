import { z } from 'zod';
import { defineStrategy, keepers } from '../src/plugin.js';
import { depositAll, ticksPerYear, withdrawAll } from './lp.js';

/**
 * Yield-chasing LP: follows the vault's trailing return — an exponential average of its share price's
 * log return per tick, with a half-life of `lookbackTicks`, annualised. Deposits when it beats `hurdle`,
 * asks to withdraw when it falls below (lock-up and delay apply). Reviews every `reviewEveryTicks`.
 */
export default defineStrategy({
  name: 'lp-yield-chaser',
  role: 'lps',
  description: "deposits when the vault's trailing return beats its hurdle, withdraws below it",
  params: z.strictObject({
    hurdle: z.number().default(0.1).describe('annual return it requires (fraction per year)'),
    lookbackTicks: z.number().int().min(1).default(240).describe('half-life of the trailing return (ticks)'),
    reviewEveryTicks: z.number().int().min(1).default(60).describe('how often it reviews (ticks)'),
    startIn: z.boolean().default(true).describe('deposits before the first tick'),
  }),
  // group scalars live in the first agent's slots: previous share price, averaged log return
  state: { prev: 'f64', ema: 'f64' },
  init(g, sim) {
    if (g.params.startIn) for (let i = g.first; i < g.first + g.count; i++) depositAll(sim, i);
    if (g.count > 0) g.state.prev[0] = keepers(sim).sharePrice();
  },
  act(g, sim) {
    if (g.count === 0) return;
    const { hurdle, lookbackTicks, reviewEveryTicks } = g.params;
    const k = keepers(sim);
    const p = k.sharePrice();
    const st = g.state;
    if (p > 0 && st.prev[0] > 0) {
      const alpha = 1 - 2 ** (-1 / lookbackTicks);
      st.ema[0] += alpha * (Math.log(p / st.prev[0]) - st.ema[0]);
    }
    st.prev[0] = p;
    if (sim.tick % reviewEveryTicks !== 0 || sim.tick === 0) return;
    const annual = st.ema[0] * ticksPerYear(sim);
    for (let i = g.first; i < g.first + g.count; i++) {
      if (annual > hurdle) depositAll(sim, i);
      else withdrawAll(sim, i);
    }
  },
});

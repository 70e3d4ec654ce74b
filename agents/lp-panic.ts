import { z } from 'zod';
import { defineStrategy, keepers } from '../src/plugin.js';
import { depositAll, withdrawAll } from './lp.js';

/**
 * Panic LP: deposits everything at the start; runs — asks to withdraw all its shares, and keeps asking
 * through any lock-up — once the vault's share price has fallen `drawdown` below its peak, or realized
 * volatility exceeds `volThreshold`.
 */
export default defineStrategy({
  name: 'lp-panic',
  role: 'lps',
  description: 'withdraws everything on a vault drawdown or a volatility spike',
  params: z.strictObject({
    drawdown: z
      .number()
      .positive()
      .max(1)
      .default(0.05)
      .describe('share-price fall from its peak that triggers the run (fraction)'),
    volThreshold: z
      .number()
      .positive()
      .default(3)
      .describe('annualised realized volatility that triggers the run'),
  }),
  state: { peak: 'f64', running: 'u8' },
  init(g, sim) {
    for (let i = g.first; i < g.first + g.count; i++) depositAll(sim, i);
    if (g.count > 0) g.state.peak[0] = keepers(sim).sharePrice();
  },
  act(g, sim) {
    if (g.count === 0) return;
    const st = g.state;
    const p = keepers(sim).sharePrice();
    if (p > st.peak[0]) st.peak[0] = p;
    if (
      !st.running[0] &&
      (p < st.peak[0] * (1 - g.params.drawdown) || sim.market.realizedVol > g.params.volThreshold)
    ) {
      st.running[0] = 1;
    }
    if (st.running[0]) for (let i = g.first; i < g.first + g.count; i++) withdrawAll(sim, i);
  },
});

import { z } from 'zod';
import { defineStrategy, keepers } from '../src/plugin.js';
import { depositAll, withdrawAll } from './lp.js';

/**
 * Front-running LP: deposits everything at the start and watches the vault's inventory; when a tick's
 * takeovers grow the vault's position by more than `takeoverShare` of the vault's equity (in notional),
 * it asks to withdraw everything before the loss shows in the share price.
 */
export default defineStrategy({
  name: 'lp-front-runner',
  role: 'lps',
  description: 'withdraws on seeing large takeovers by the vault',
  params: z.strictObject({
    takeoverShare: z
      .number()
      .positive()
      .default(0.2)
      .describe(
        "growth of the vault's inventory in one tick, as a share of its equity, that triggers the exit",
      ),
  }),
  state: { prevQty: 'f64', running: 'u8' },
  init(g, sim) {
    for (let i = g.first; i < g.first + g.count; i++) depositAll(sim, i);
  },
  act(g, sim) {
    if (g.count === 0) return;
    const k = keepers(sim);
    const st = g.state;
    const q = k.vaultPosition();
    const grew = (Math.abs(q) - Math.abs(st.prevQty[0])) * sim.mark;
    st.prevQty[0] = q;
    if (!st.running[0] && grew > g.params.takeoverShare * k.vaultEquity()) st.running[0] = 1;
    if (st.running[0]) for (let i = g.first; i < g.first + g.count; i++) withdrawAll(sim, i);
  },
});

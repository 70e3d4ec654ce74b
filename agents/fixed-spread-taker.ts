import { z } from 'zod';
import { defineStrategy, keepers } from '../src/plugin.js';
import { buffer, followGas, keeperParams, room, unitValue, unwind } from './keeper.js';

/**
 * Fixed-spread liquidator (Aave/Compound style): takes over the largest allowed fraction of an account
 * offered for takeover when its discount to the oracle beats its valuation (the price the inventory
 * fetches back through the book) by its margin plus gas, within its inventory room. Failed or congested
 * transactions still pay gas. It unwinds what it took through the book.
 */
export default defineStrategy({
  name: 'fixed-spread-taker',
  role: 'liquidators',
  description: 'takes over underwater positions at the fixed discount when it beats its costs',
  params: z.strictObject(keeperParams),
  init(g, sim) {
    if (g.params.runsBot) for (let i = g.first; i < g.first + g.count; i++) keepers(sim).watch(i);
  },
  act(g, sim) {
    const { margin, capitalLimitUsd, unwindFraction } = g.params;
    const k = keepers(sim);
    const a = sim.accounts;
    unwind(g.first, g.count, unwindFraction, sim);
    if (followGas(g.first, g.count, g.params, sim)) return;
    const buf = buffer(a.n);
    const n = k.takeoverOffers(buf);
    let next = 0;
    for (let j = 0; j < n && next < g.count; j++) {
      const target = buf[j];
      const q = a.qty[target];
      if (q === 0) continue;
      const side = Math.sign(q);
      const price = k.takeoverPrice(target);
      const frac = k.maxTakeoverFraction(target);
      if (!(price > 0) || !(frac > 0)) continue;
      const i = g.first + next++;
      const units = Math.min(Math.abs(q) * frac, room(sim, i, capitalLimitUsd) / price);
      if (!(units > 0)) continue;
      const edge = side * (unitValue(sim, side, units) - price) * units;
      if (edge < margin * units * price + sim.gasCost()) continue;
      if (sim.keeperTransaction(i, g.rng)) k.takeover(i, target, units / Math.abs(q));
    }
  },
});

import { z } from 'zod';
import { defineStrategy } from '../src/strategy.js';
import { keepers } from '../src/waterfall/keepers.js';
import { buffer, keeperParams, pendingState, room, unitValue, unwind } from './keeper.js';

/**
 * Dutch-auction taker (Liquidations 2.0 keepers): takes a lot as soon as the auction price falls to its
 * valuation × (1 − margin) — for a long lot; a short lot mirrors — within its inventory room. Under
 * congestion its take lands `sim.keeperDelay()` ticks later (at the then-current price, only if still
 * within the limit it decided on) and may fail; gas is paid either way. It unwinds its inventory through
 * the book.
 */
export default defineStrategy({
  name: 'dutch-taker',
  role: 'liquidators',
  description: 'takes Dutch-auction lots at its valuation less a margin; pays gas, suffers congestion',
  params: z.strictObject(keeperParams),
  state: pendingState,
  init(g, sim) {
    g.state.due.fill(-1);
    if (g.params.runsBot) for (let i = g.first; i < g.first + g.count; i++) keepers(sim).watch(i);
  },
  act(g, sim) {
    const { margin, capitalLimitUsd, unwindFraction } = g.params;
    const k = keepers(sim);
    const t = sim.tick;
    const st = g.state;
    // actions decided earlier land now
    for (let j = 0; j < g.count; j++) {
      if (st.due[j] < 0 || st.due[j] > t) continue;
      st.due[j] = -1;
      const i = g.first + j;
      if (sim.keeperTransaction(i, g.rng)) k.take(st.target[j], i, st.units[j], st.limit[j]);
    }
    unwind(g.first, g.count, unwindFraction, sim);
    const buf = buffer(sim.accounts.n);
    const n = k.openAuctions(buf);
    let next = 0; // agents take turns, one auction each per tick
    for (let j = 0; j < n && next < g.count; j++) {
      const id = buf[j];
      if (k.auctionKind(id) !== 'dutch') continue;
      const side = k.auctionSide(id);
      const lot = k.auctionLot(id);
      const p = k.auctionPrice(id);
      if (!(lot > 0) || !(p > 0)) continue;
      const v = unitValue(sim, side, lot);
      const limit = side > 0 ? v * (1 - margin) : v * (1 + margin);
      if (side > 0 ? p > limit : p < limit) continue;
      while (next < g.count) {
        const jj = next++;
        const i = g.first + jj;
        if (st.due[jj] >= 0 || sim.accounts.active[i] === 0) continue;
        const units = Math.min(lot, room(sim, i, capitalLimitUsd) / p);
        if (!(units > 0)) continue;
        const delay = sim.keeperDelay();
        if (delay === 0) {
          if (sim.keeperTransaction(i, g.rng)) k.take(id, i, units, limit);
        } else {
          st.due[jj] = t + delay;
          st.target[jj] = id;
          st.units[jj] = units;
          st.limit[jj] = limit;
        }
        break;
      }
    }
  },
});

import { z } from 'zod';
import { defineStrategy, keepers } from '../src/plugin.js';
import {
  auctionParams,
  followGas,
  keeperParams,
  marginUnits,
  pendingState,
  room,
  table,
  unitValue,
  unwind,
} from './keeper.js';

/**
 * Dutch-auction taker (Liquidations 2.0 keepers): takes a lot as soon as the auction price falls to its
 * valuation × (1 − margin) — for a long lot; a short lot mirrors. Each agent considers every open Dutch
 * auction each tick and takes from as many as its transaction limit, its inventory room
 * (`capitalLimitUsd`) and its initial margin allow: each take is sized to the smallest of the lot, the room
 * and the most the margin carries at the current price after gas. It unwinds its inventory through the book.
 *
 * Gas: with `maxGasUsd` set, it sends nothing in a tick whose gas is above it, and a take in flight then is
 * never mined.
 *
 * Throughput: at most `maxTxPerTick` takes per tick. Under congestion (`sim.keeperDelay()` > 0) it has one
 * transaction in flight at a time (a stuck transaction blocks the later ones from the same account:
 * Ethereum nonces): the take lands `sim.keeperDelay()` ticks later, at the then-current price, only if still
 * within the limit it decided on, and may fail; gas is paid either way. Pending takes are public (the
 * mempool): a member of the group does not send a take for what the group's pending takes already cover.
 *
 * Order: agents act in a turn order that rotates every tick, each starting its scan of the auctions at its
 * own offset (turn · auctions / agents), so that a group spreads over many lots. Deterministic; draws only
 * for transaction failures, from the group's stream.
 */
export default defineStrategy({
  name: 'dutch-taker',
  role: 'liquidators',
  description: 'takes Dutch-auction lots at its valuation less a margin; pays gas, suffers congestion',
  params: z.strictObject({ ...keeperParams, ...auctionParams }),
  state: pendingState,
  init(g, sim) {
    g.state.due.fill(-1);
    if (g.params.runsBot) for (let i = g.first; i < g.first + g.count; i++) keepers(sim).watch(i);
  },
  act(g, sim) {
    const { margin, capitalLimitUsd, unwindFraction, maxTxPerTick } = g.params;
    const k = keepers(sim);
    const a = sim.accounts;
    const t = sim.tick;
    const st = g.state;
    const first = g.first;
    const count = g.count;
    // actions decided earlier land now (unless gas has risen above what its software pays: never mined)
    const out = followGas(first, count, g.params, sim);
    for (let j = 0; j < count; j++) {
      if (st.due[j] < 0 || st.due[j] > t) continue;
      st.due[j] = -1;
      const i = first + j;
      if (!out && sim.keeperTransaction(i, g.rng)) k.take(st.target[j], i, st.units[j], st.limit[j]);
    }
    unwind(first, count, unwindFraction, sim);
    const T = table;
    T.ensure(a.n);
    const n = k.openAuctions(T.id);
    // the lots it would take now (entry m: id, side, units left, price, its limit)
    let m = 0;
    for (let j = 0; j < n; j++) {
      const id = T.id[j];
      if (k.auctionKind(id) !== 'dutch') continue;
      const side = k.auctionSide(id);
      const lot = k.auctionLot(id);
      const p = k.auctionPrice(id);
      if (!(lot > 0) || !(p > 0)) continue;
      const v = unitValue(sim, side, lot);
      const limit = side > 0 ? v * (1 - margin) : v * (1 + margin);
      if (side > 0 ? p > limit : p < limit) continue;
      T.id[m] = id;
      T.side[m] = side;
      T.units[m] = lot;
      T.price[m] = p;
      T.limit[m] = limit;
      T.byId[id] = 0; // units the group's pending takes cover
      m++;
    }
    if (m === 0 || out) return;
    const delay = sim.keeperDelay();
    if (delay > 0) for (let j = 0; j < count; j++) if (st.due[j] >= 0) T.byId[st.target[j]] += st.units[j];
    const budget = delay > 0 ? 1 : maxTxPerTick;
    const gas = sim.gasCost();
    const shift = t % count;
    for (let r = 0; r < count; r++) {
      const jj = r + shift < count ? r + shift : r + shift - count;
      const i = first + jj;
      if (st.due[jj] >= 0 || a.active[i] === 0) continue;
      let sent = 0;
      let q = Math.floor((r * m) / count);
      for (let s = 0; s < m && sent < budget; s++, q = q + 1 === m ? 0 : q + 1) {
        const id = T.id[q];
        const left = T.units[q] - T.byId[id];
        if (!(left > 0)) continue;
        const p = T.price[q];
        const free = room(sim, i, capitalLimitUsd);
        if (!(free > 0)) break;
        const units = marginUnits(sim, i, T.side[q], Math.min(left, free / sim.mark), p, gas);
        if (!(units > 0)) continue;
        sent++;
        if (delay === 0) {
          if (sim.keeperTransaction(i, g.rng)) T.units[q] -= k.take(id, i, units, T.limit[q]);
        } else {
          st.due[jj] = t + delay;
          st.target[jj] = id;
          st.units[jj] = units;
          st.limit[jj] = T.limit[q];
          T.byId[id] += units;
        }
      }
    }
  },
});

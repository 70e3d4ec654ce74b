import { z } from 'zod';
import { defineStrategy, keepers } from '../src/plugin.js';
import { auctionParams, followGas, keeperParams, meetsInitial, table, unitValue, unwind } from './keeper.js';

/**
 * English-auction bidder (Liquidations 1.2 keepers). Each agent considers every open English auction each
 * tick and competes with every other bidder, the members of its own group included.
 *
 * Tend: it opens at `openingFraction` of what the lot is worth to it (0: the zero bid that wins when
 * nobody else comes), and when another bidder holds the auction it raises by `increment` of the tab, up to
 * its value of the lot less its margin, never above the tab. Dent: once the tab is bid, it offers the tab
 * for 1/(1 + `increment`) of the standing lot, as long as that much collateral is still worth the tab to it.
 * Each step is the smallest its own increment allows (the auction's `beg` is not shown to keepers, so a
 * bidder whose increment is under beg − 1 sees its raises refused), and a rival of the same valuation
 * answers it, so competition within one group drives a lot to its value (tend) and past the tab into dent.
 *
 * Capital: its standing high bids commit it. It holds no set of high bids it could not carry at initial
 * margin if it won them all (gross: lots on opposite sides are not netted, as it may win only one of
 * them), nor more than `capitalLimitUsd` of them with its inventory, and every bid also passes the
 * auction's own check for that lot alone. Commitments are recomputed each tick from the open auctions.
 *
 * Gas: with `maxGasUsd` set, it bids nothing in a tick whose gas is above it (its transactions are priced out).
 *
 * Throughput: at most `maxTxPerTick` bids per tick; under congestion (`sim.keeperDelay()` > 0) one, since a
 * stuck transaction blocks the later ones from the same account (Ethereum nonces). A bid is placed or
 * fails within the tick; every bid is a keeper transaction: it pays gas and may fail. One raise per auction
 * per tick from the group: members acting in the same tick see the same chain state, and a second raise
 * built on it would race the first (on chain, the later one reverts).
 *
 * Order: agents act in a turn order that rotates every tick, each starting its scan of the auctions at
 * its own offset (turn · auctions / agents), so that a group spreads over many auctions and no agent has
 * first pick every tick. Deterministic; draws only for transaction failures, from the group's stream.
 *
 * Short lots: the API prices them mirrored around the reference oracle r of the auction, which it does not
 * show; the current oracle stands in for r (the fill price of a short bid and the standing lot of a short
 * dent). Long lots need no r and are exact.
 */
export default defineStrategy({
  name: 'english-bidder',
  role: 'liquidators',
  description:
    'bids in English auctions with increments, competing on every open one; may open with a zero bid',
  params: z.strictObject({
    ...keeperParams,
    ...auctionParams,
    openingFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("first bid as a share of the lot's value to it (0: a zero bid)"),
    increment: z
      .number()
      .positive()
      .default(0.05)
      .describe(
        'raise over the high bid, as a share of the tab; in dent, the lot is cut by 1/(1 + increment)',
      ),
  }),
  /** Units and equity gain at the mark (USD) of the lots of its standing high bids, recomputed each tick. */
  state: { heldUnits: 'f64', heldGain: 'f64' },
  init(g, sim) {
    if (g.params.runsBot) for (let i = g.first; i < g.first + g.count; i++) keepers(sim).watch(i);
  },
  act(g, sim) {
    const { margin, capitalLimitUsd, unwindFraction, openingFraction, increment, maxTxPerTick } = g.params;
    const k = keepers(sim);
    const a = sim.accounts;
    const first = g.first;
    const count = g.count;
    const heldUnits = g.state.heldUnits;
    const heldGain = g.state.heldGain;
    unwind(first, count, unwindFraction, sim);
    const out = followGas(first, count, g.params, sim);
    const T = table;
    T.ensure(a.n);
    const n = k.openAuctions(T.id);
    const now = sim.time;
    const mk = sim.mark;
    const r2 = 2 * sim.oracle;
    heldUnits.fill(0);
    heldGain.fill(0);
    // one pass: the group's commitments, and the auctions where it has a bid to make (entry m, its bid)
    let m = 0;
    for (let j = 0; j < n; j++) {
      const id = T.id[j];
      if (k.auctionKind(id) !== 'english') continue;
      const lot = k.auctionLot(id);
      const tab = k.auctionTab(id);
      if (!(lot > 0) || !(tab > 0)) continue;
      const side = k.auctionSide(id);
      const b = k.highBidder(id);
      const high = k.highBid(id);
      let standUnits = 0;
      let standGain = 0;
      if (b >= 0) {
        const x = k.auctionPrice(id); // the standing bid's fill price
        if (high < tab) standUnits = lot;
        else {
          const s = high / (side > 0 ? x : r2 - x);
          standUnits = s > 0 && s < lot ? s : lot;
        }
        standGain = side * standUnits * (mk - x);
        if (b >= first && b < first + count) {
          heldUnits[b - first] += standUnits;
          heldGain[b - first] += standGain;
        }
      }
      // an auction past its end takes no more bids, but its high bid still commits (it settles this tick)
      if (!(k.auctionEnds(id) > now)) continue;
      // what the lot is worth to it (USD), priced as a long lot: the API mirrors short lots
      const uv = unitValue(sim, 1, lot);
      const worth = lot * uv * (1 - margin);
      let value: number;
      let units: number;
      if (b < 0) {
        value = Math.min(tab, openingFraction * worth);
        units = lot;
        if (!(value >= 0)) continue;
      } else if (high < tab) {
        value = Math.min(tab, high + increment * tab);
        units = lot;
        if (!(value <= worth)) continue;
      } else {
        // dent: the tab for less collateral, down to the least that is still worth the tab to it
        // (a hair under: the standing lot is read back from the price, and beg = 1 + increment must pass)
        value = tab;
        units = (standUnits / (1 + increment)) * (1 - 1e-9);
        if (!(units * uv * (1 - margin) >= tab)) continue;
      }
      T.id[m] = id;
      T.side[m] = side;
      T.bidder[m] = b;
      T.value[m] = value;
      T.units[m] = units;
      T.standUnits[m] = standUnits;
      T.standGain[m] = standGain;
      T.done[m] = 0;
      m++;
    }
    if (m === 0 || out) return;
    const budget = sim.keeperDelay() > 0 ? 1 : maxTxPerTick;
    const gas = sim.gasCost();
    const shift = sim.tick % count;
    for (let r = 0; r < count; r++) {
      const jj = r + shift < count ? r + shift : r + shift - count;
      const i = first + jj;
      if (a.active[i] === 0) continue;
      let sent = 0;
      let q = Math.floor((r * m) / count);
      for (let s = 0; s < m && sent < budget; s++, q = q + 1 === m ? 0 : q + 1) {
        if (T.done[q] === 1 || T.bidder[q] === i) continue;
        const units = T.units[q];
        const value = T.value[q];
        const side = T.side[q];
        const x = side > 0 ? value / units : r2 - value / units;
        const gain = side * units * (mk - x);
        // if it won every lot it stands on, and this one: within its inventory limit and initial margin
        const gross = Math.abs(a.qty[i]) + heldUnits[jj] + units;
        if (gross * mk > capitalLimitUsd) continue;
        if (!meetsInitial(sim, i, gross, heldGain[jj] + gain - gas)) continue;
        // ...and the auction's own check of this lot alone
        if (!meetsInitial(sim, i, Math.abs(a.qty[i] + side * units), gain - gas)) continue;
        sent++;
        if (!sim.keeperTransaction(i, g.rng) || !k.bid(T.id[q], i, value, units)) continue;
        T.done[q] = 1;
        const prev = T.bidder[q];
        if (prev >= first && prev < first + count) {
          heldUnits[prev - first] -= T.standUnits[q];
          heldGain[prev - first] -= T.standGain[q];
        }
        heldUnits[jj] += units;
        heldGain[jj] += gain;
        T.bidder[q] = i;
        T.standUnits[q] = units;
        T.standGain[q] = gain;
      }
    }
  },
});

import { z } from 'zod';
import { defineStrategy } from '../src/strategy.js';
import { keepers } from '../src/waterfall/keepers.js';
import { buffer, keeperParams, unitValue, unwind } from './keeper.js';

/**
 * English-auction bidder (Liquidations 1.2 keepers). Tend: opens at `openingFraction` of what the lot is
 * worth to it (0: the zero bid that wins when nobody else comes), and when outbid raises by `increment`
 * of the tab, up to its value of the lot less its margin, never above the tab. Dent: once the tab is bid,
 * offers the tab for less collateral, down to what its margin allows. Every bid is a keeper transaction:
 * it pays gas and may fail under congestion.
 */
export default defineStrategy({
  name: 'english-bidder',
  role: 'liquidators',
  description: 'bids in English auctions with increments; may open with a zero bid',
  params: z.strictObject({
    ...keeperParams,
    openingFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("first bid as a share of the lot's value to it (0: a zero bid)"),
    increment: z.number().positive().default(0.05).describe('raise over the high bid, as a share of the tab'),
  }),
  init(g, sim) {
    if (g.params.runsBot) for (let i = g.first; i < g.first + g.count; i++) keepers(sim).watch(i);
  },
  act(g, sim) {
    const { margin, unwindFraction, openingFraction, increment } = g.params;
    const k = keepers(sim);
    unwind(g.first, g.count, unwindFraction, sim);
    const buf = buffer(sim.accounts.n);
    const n = k.openAuctions(buf);
    let next = 0;
    for (let j = 0; j < n && next < g.count; j++) {
      const id = buf[j];
      if (k.auctionKind(id) !== 'english') continue;
      const lot = k.auctionLot(id);
      const tab = k.auctionTab(id);
      if (!(lot > 0) || !(tab > 0)) continue;
      const i = g.first + next++;
      if (k.highBidder(id) === i) continue;
      // what the lot is worth to it (USD), priced as a long lot: the API mirrors short lots
      const worth = lot * unitValue(sim, 1, lot) * (1 - margin);
      const high = k.highBid(id);
      if (Number.isNaN(high)) {
        if (sim.keeperTransaction(i, g.rng)) k.bid(id, i, Math.min(tab, openingFraction * worth), lot);
      } else if (high < tab) {
        const bid = Math.min(tab, high + increment * tab);
        if (bid <= worth && sim.keeperTransaction(i, g.rng)) k.bid(id, i, bid, lot);
      } else {
        // dent: the tab for less collateral
        const want = tab / (unitValue(sim, 1, lot) * (1 - margin));
        if (want < lot && sim.keeperTransaction(i, g.rng)) k.bid(id, i, tab, want);
      }
    }
  },
});

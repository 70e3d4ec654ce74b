/**
 * Test-local keepers and LPs, written against the keeper/LP API (`keepers(sim)`): a keeper bot, a Dutch
 * taker, an English zero bidder, a fixed-spread liquidator, a capacity provider, and an LP. Importing this
 * module registers them.
 */
import { defineStrategy, keepers, registerStrategy, z } from '../src/index.js';

const buf = new Int32Array(1024);

registerStrategy(
  defineStrategy({
    name: 'test-watcher',
    role: 'liquidators',
    description: 'test only: runs a keeper bot (starts and resets auctions) and does nothing else',
    params: z.strictObject({}),
    init(g, sim) {
      for (let i = g.first; i < g.first + g.count; i++) keepers(sim).watch(i);
    },
    act() {},
  }),
);

registerStrategy(
  defineStrategy({
    name: 'test-dutch-taker',
    role: 'liquidators',
    description: 'test only: takes whole Dutch lots once the price is at most `below` × oracle',
    params: z.strictObject({ below: z.number().default(0.95) }),
    act(g, sim) {
      const k = keepers(sim);
      const n = k.openAuctions(buf);
      for (let j = 0; j < n; j++) {
        const id = buf[j];
        if (k.auctionKind(id) !== 'dutch' || k.auctionSide(id) <= 0) continue;
        const p = k.auctionPrice(id);
        if (p <= g.params.below * sim.oracle) k.take(id, g.first, k.auctionLot(id), p);
      }
    },
  }),
);

registerStrategy(
  defineStrategy({
    name: 'test-zero-bidder',
    role: 'liquidators',
    description: 'test only: bids zero for the whole lot of every English auction without a bid',
    params: z.strictObject({}),
    act(g, sim) {
      const k = keepers(sim);
      const n = k.openAuctions(buf);
      for (let j = 0; j < n; j++)
        if (k.auctionKind(buf[j]) === 'english' && k.highBidder(buf[j]) < 0)
          k.bid(buf[j], g.first, 0, k.auctionLot(buf[j]));
    },
  }),
);

registerStrategy(
  defineStrategy({
    name: 'test-taker-over',
    role: 'liquidators',
    description: 'test only: takes over every offered account, as much as allowed',
    params: z.strictObject({}),
    act(g, sim) {
      if (g.count === 0) return; // (g.first is then the next group's first account)
      const k = keepers(sim);
      const n = k.takeoverOffers(buf);
      for (let j = 0; j < n; j++) k.takeover(g.first, buf[j], k.maxTakeoverFraction(buf[j]));
    },
  }),
);

registerStrategy(
  defineStrategy({
    name: 'test-provider',
    role: 'liquidators',
    description: 'test only: commits backstop capacity',
    params: z.strictObject({ perMinuteUsd: z.number(), perHourUsd: z.number() }),
    init(g, sim) {
      for (let i = g.first; i < g.first + g.count; i++)
        keepers(sim).commitCapacity(i, g.params.perMinuteUsd, g.params.perHourUsd);
    },
    act() {},
  }),
);

registerStrategy(
  defineStrategy({
    name: 'test-spot-cycle',
    role: 'traders',
    description: 'test only: moves its cash to its wallet, then spot round trips in `slices` orders a tick',
    params: z.strictObject({ slices: z.number().int().min(1).max(100).default(50) }),
    act(g, sim) {
      const a = sim.accounts;
      const n = g.params.slices;
      for (let i = g.first; i < g.first + g.count; i++) {
        if (sim.tick === 0) sim.toWallet(i, a.cash[i]);
        else if (sim.tick % 2 === 1) {
          const w = a.wallet[i] / n;
          for (let k = 0; k < n; k++) sim.spotTrade(i, (Math.min(w, a.wallet[i]) / sim.indexPrice) * 0.999);
        } else {
          const u = a.spot[i] / n;
          for (let k = 0; k < n; k++) sim.spotTrade(i, -Math.min(u, a.spot[i]));
        }
      }
    },
  }),
);

registerStrategy(
  defineStrategy({
    name: 'test-lp',
    role: 'lps',
    description: 'test only: deposits at the start, asks to withdraw everything at `withdrawAtTick`',
    params: z.strictObject({ usd: z.number(), withdrawAtTick: z.number().default(-1) }),
    state: { asked: 'u8' },
    init(g, sim) {
      keepers(sim).deposit(g.first, g.params.usd);
    },
    act(g, sim) {
      if (sim.tick === g.params.withdrawAtTick) {
        const k = keepers(sim);
        g.state.asked[0] = k.requestWithdrawal(g.first, k.vaultShares(g.first)) ? 1 : 2;
      }
    },
  }),
);

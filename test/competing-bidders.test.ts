/**
 * Competing auction keepers (agents/english-bidder.ts, agents/dutch-taker.ts): every agent of a group
 * considers every open auction of its kind each tick, within its transaction limit and its capital, so
 * the members of one group outbid each other.
 *
 * The scene: `hold` longs as vaults, a flat deep market (sigma 0, a 1e12-USD book) with one downward gap
 * at tick 5 that puts every vault below maintenance at once, so that all their lots go to auction on the
 * same tick (6) and are seen by the keepers from tick 7 on.
 */
import { describe, expect, it } from 'vitest';
import {
  EVENT_KINDS,
  keepers,
  parseConfig,
  type SimConfigInput,
  Simulation,
  simulate,
} from '../src/index.js';
import { expectConserved, expectWhoPaid } from './helpers.js';

const BID = EVENT_KINDS.indexOf('bid');
const TAKE = EVENT_KINDS.indexOf('take');

/** Flat at 2,000 with a one-tick gap of `gap` at tick 5, deep book, no funding. */
const gapMarket = (gap: number) => ({
  index: { model: 'gbm' as const, p0: 2000, sigma: 0 },
  shocks: [{ atTick: 5, change: gap, durationSeconds: 60 }],
  liquidity: { depthUsd: 1e12 },
  funding: { enabled: false },
});

/** `count` long vaults at `leverage` with distinct equities (uniform in [min, max] USD), so distinct lots. */
const vaults = (count: number, leverage: number, min: number, max: number) => ({
  count,
  capital: { dist: 'uniform' as const, min, max },
  mix: [{ strategy: 'hold', fraction: 1, params: { leverage } }],
});

function start(cfg: SimConfigInput, seed: number): Simulation {
  const s = new Simulation(parseConfig(cfg), { seed, events: true });
  s.start();
  return s;
}

/** Runs every tick, calling `each(t)` after each one. */
function runAll(s: Simulation, each: (t: number) => void): void {
  for (let t = 0; t < s.cfg.ticks; t++) {
    s.step(t);
    each(t);
  }
}

/** The lot a standing English bid is for (a long lot: its value over its price per unit). */
function standingLot(s: Simulation, id: number): number {
  const k = keepers(s);
  const lot = k.auctionLot(id);
  const high = k.highBid(id);
  return high < k.auctionTab(id) ? lot : Math.min(lot, high / k.auctionPrice(id));
}

describe('competing English bidders', () => {
  /**
   * 20 vaults at 4x with a 20% maintenance rate are liquidated 8% down, well above their bankruptcy price
   * (75% of the start): each lot is worth more to the bidders (mark × (1 − 2%)) than its tab (1.13 × debt),
   * by about 6%, so an honest auction goes through tend to the tab and into dent (beg 3%: two steps).
   */
  const english = (bidders: number, capital: number, imr: number): SimConfigInput => ({
    ticks: 120,
    market: gapMarket(-0.08),
    venue: { tiers: [{ minNotional: 0, mmr: 0.2, imr }], insuranceFund: 0 },
    waterfall: {
      stages: [{ stage: 'english-auction', beg: 1.03 }, { stage: 'insurance-fund' }, { stage: 'socialized' }],
    },
    agents: {
      traders: vaults(20, 4, 2000, 4000),
      liquidators: {
        count: bidders,
        capital: { dist: 'fixed', value: capital },
        mix: [
          {
            strategy: 'english-bidder',
            count: bidders,
            params: { openingFraction: 0.8, increment: 0.03, margin: 0.02 },
          },
        ],
      },
    },
  });

  it('one group on 20 lots: its members raise each other on the same auction, and dent bids follow', () => {
    const s = start(english(4, 1e6, 0.25), 7);
    const k = keepers(s);
    const group = s.groups.find((g) => g.strategy === 'english-bidder')!;
    const inGroup = (i: number) => i >= group.first && i < group.first + group.count;
    const buf = new Int32Array(s.accounts.n);
    // per auction id: the high bids seen at the end of each tick (bidder, value, lot)
    const seen = new Map<number, { bidder: number; value: number; lot: number; whole: number }[]>();
    let kicked = 0;
    runAll(s, () => {
      const n = k.openAuctions(buf);
      kicked = Math.max(kicked, n);
      for (let j = 0; j < n; j++) {
        const id = buf[j];
        const b = k.highBidder(id);
        if (b < 0) continue;
        const list = seen.get(id) ?? [];
        const bid = { bidder: b, value: k.highBid(id), lot: standingLot(s, id), whole: k.auctionLot(id) };
        const last = list.at(-1);
        if (!last || last.bidder !== bid.bidder || last.value !== bid.value || last.lot !== bid.lot)
          list.push(bid);
        seen.set(id, list);
      }
    });
    expect(kicked).toBe(20);
    expect(seen.size).toBe(20); // every lot got bids

    let raised = 0; // auctions where a second member of the group outbid the first with more value
    let dented = 0; // auctions that reached dent: the tab bid for less than the whole lot
    let dentBids = 0;
    let dentRivals = 0; // dent bids that answered another member's dent
    for (const list of seen.values()) {
      for (const b of list) expect(inGroup(b.bidder)).toBe(true);
      for (let j = 1; j < list.length; j++) expect(list[j].bidder).not.toBe(list[j - 1].bidder); // nobody outbids itself
      if (list.some((b, j) => j > 0 && b.value > list[j - 1].value && b.lot === b.whole)) raised++;
      const dents = list.filter((b) => b.lot < b.whole * (1 - 1e-9));
      if (dents.length > 0) dented++;
      dentBids += dents.length;
      for (let j = 1; j < list.length; j++)
        if (list[j].lot < list[j - 1].lot * (1 - 1e-9) && dents.includes(list[j - 1])) dentRivals++;
      // dent bids offer the tab, and each takes less collateral than the one before
      for (const d of dents) expect(d.value).toBeCloseTo(list.at(-1)!.value, 9);
      for (let j = 1; j < dents.length; j++) expect(dents[j].lot).toBeLessThan(dents[j - 1].lot);
    }
    expect(raised).toBe(20);
    expect(dented).toBe(20);
    expect(dentRivals).toBeGreaterThan(0);

    // the event log agrees: as many 'bid' events as standing bids seen (one bid per auction per tick from
    // the group), dent bids among them (value = tab for less than the lot: sizes below the whole lots)
    const e = s.events;
    const wholes = [...seen.values()].map((l) => l[0].whole);
    let bids = 0;
    let dentEvents = 0;
    for (let j = 0; j < e.length; j++) {
      if (e.kind[j] !== BID) continue;
      bids++;
      const size = Math.abs(e.size[j]);
      if (!wholes.some((w) => Math.abs(size - w) <= 1e-9 * w)) dentEvents++;
    }
    expect(bids).toBe([...seen.values()].reduce((a, l) => a + l.length, 0));
    expect(dentEvents).toBe(dentBids);
    expect(dentBids).toBeGreaterThanOrEqual(20);
    // every lot sold, to a member of the group, for the tab: no loss
    const m = s.finish();
    expect(m.zero_bid_auctions).toBe(0);
    expect(m.shortfall).toBe(0);
  });

  it('an English bidder never stands as high bidder on more lots than it could carry if it won them all', () => {
    // keepers pay in full: each may hold at most its capital (30k USD) of notional, lots of 8–16k USD;
    // and initial margin (25%) on what it would then hold
    const LIMIT = 30_000;
    const base = english(3, LIMIT, 0.25);
    const cfg = {
      ...base,
      agents: {
        ...base.agents,
        liquidators: {
          ...base.agents!.liquidators!,
          mix: [
            {
              strategy: 'english-bidder',
              count: 3,
              params: { openingFraction: 0.8, increment: 0.03, margin: 0.02, capitalLimitUsd: LIMIT },
            },
          ],
        },
      },
    } as SimConfigInput;
    const s = start(cfg, 11);
    const k = keepers(s);
    const group = s.groups.find((g) => g.strategy === 'english-bidder')!;
    const buf = new Int32Array(s.accounts.n);
    const a = s.accounts;
    let peak = 0; // highest share of a bidder's limit its inventory and standing bids take
    let ticksNearFull = 0;
    runAll(s, () => {
      const n = k.openAuctions(buf);
      const units = new Float64Array(group.count);
      const gain = new Float64Array(group.count);
      for (let j = 0; j < n; j++) {
        const id = buf[j];
        const b = k.highBidder(id) - group.first;
        if (b < 0 || b >= group.count) continue;
        const lot = standingLot(s, id);
        units[b] += lot;
        gain[b] += lot * (s.mark - k.auctionPrice(id)); // long lots
      }
      for (let j = 0; j < group.count; j++) {
        const i = group.first + j;
        // if it won every lot: within its limit, and equity + gains ≥ imr × the notional it would hold
        const notional = (Math.abs(a.qty[i]) + units[j]) * s.mark;
        expect(notional).toBeLessThanOrEqual(LIMIT * (1 + 1e-9));
        expect(s.equity(i) + gain[j]).toBeGreaterThanOrEqual(0.25 * notional * (1 - 1e-9));
        peak = Math.max(peak, notional / LIMIT);
        if (notional > 0.7 * LIMIT) ticksNearFull++;
      }
    });
    // the limit was reached, not just respected from afar
    expect(peak).toBeGreaterThan(0.7);
    expect(ticksNearFull).toBeGreaterThan(5);
    const r = s.finish();
    expect(r.auctions).toBe(20);
  });
});

describe('competing Dutch takers', () => {
  /**
   * 20 vaults at 10x gap 12% down at tick 5 and are kicked together at tick 6, all at the same top; the
   * linear curve falls 1/60 of the top a tick, so all 20 lots cross the takers' limit (mark × 0.95) on
   * the same tick.
   */
  const dutch = (
    takers: number,
    capital: number,
    params: Record<string, unknown>,
    tiers?: unknown,
  ): SimConfigInput => ({
    ticks: 80,
    market: gapMarket(-0.12),
    venue: { insuranceFund: 0, ...(tiers ? { tiers } : {}) },
    waterfall: {
      stages: [
        { stage: 'dutch-auction', buf: 1.2, curve: { type: 'linear', tau: 3600 }, tail: 7200, cusp: 0.05 },
        // no socialized stage: the vaults' shortfalls stay unpaid rather than haircut the takers' new
        // positions, so that what a taker holds is what it took
        { stage: 'insurance-fund' },
      ],
    },
    agents: {
      traders: vaults(20, 10, 8000, 12_000),
      liquidators: {
        count: takers,
        capital: { dist: 'fixed', value: capital },
        mix: [
          {
            strategy: 'dutch-taker',
            count: takers,
            params: { margin: 0.05, unwindFraction: 0, runsBot: false, ...params },
          },
        ],
      },
    },
  });

  /** Dutch takes per (tick, taker) from the event log. */
  function takesByTick(s: Simulation) {
    const e = s.events;
    const per = new Map<number, Map<number, number>>();
    for (let j = 0; j < e.length; j++) {
      if (e.kind[j] !== TAKE) continue;
      const t = per.get(e.tick[j]) ?? new Map<number, number>();
      t.set(e.account[j], (t.get(e.account[j]) ?? 0) + 1);
      per.set(e.tick[j], t);
    }
    return per;
  }

  it('a group takes several lots in one tick, each member at most maxTxPerTick, until every lot is gone', () => {
    const s = start(dutch(3, 1e7, { maxTxPerTick: 3 }), 3);
    runAll(s, () => {});
    const per = takesByTick(s);
    const ticks = [...per.keys()].sort((x, y) => x - y);
    // 20 lots, 3 takers × 3 transactions: 9, 9, then the last 2
    expect(ticks.map((t) => [...per.get(t)!.values()].reduce((x, y) => x + y, 0))).toEqual([9, 9, 2]);
    expect(ticks[1]).toBe(ticks[0] + 1);
    for (const t of ticks) for (const c of per.get(t)!.values()) expect(c).toBeLessThanOrEqual(3);
    for (const c of per.get(ticks[0])!.values()) expect(c).toBe(3);
    const r = s.finish();
    expect(r.auctions).toBe(20);
    expect(r.shortfall).toBeGreaterThan(0); // 12% down at 10x is past bankruptcy: the lots sell at a loss
  });

  it('takes are sized by inventory room and by initial margin: partial lots up to the limit, never past it', () => {
    // lots of 80–120k USD of notional; one taker capped at 250k of inventory (room for 2–3 lots)
    const roomCase = start(dutch(1, 1e7, { capitalLimitUsd: 250_000 }), 5);
    // margin: imr 10% while the discount is 5% of the mark, so each unit costs 5% of its notional in margin:
    // 15k USD of equity carries about 300k of notional
    const tiers = [{ minNotional: 0, mmr: 0.05, imr: 0.1 }];
    const marginCase = start(dutch(1, 15_000, {}, tiers), 5);
    for (const s of [roomCase, marginCase]) {
      const taker = s.groups.find((g) => g.strategy === 'dutch-taker')!.first;
      const a = s.accounts;
      let most = 0;
      runAll(s, () => {
        const notional = Math.abs(a.qty[taker]) * s.mark;
        most = Math.max(most, notional);
        if (s === roomCase) expect(notional).toBeLessThanOrEqual(250_000 * (1 + 1e-9));
        const imr = s.cfg.venue.tiers[0].imr;
        expect(s.equity(taker)).toBeGreaterThanOrEqual(imr * notional * (1 - 1e-9));
      });
      const takes = takesByTick(s);
      // it used its limit (within a lot's share of a percent), in more than one lot, in one tick
      if (s === roomCase) expect(most).toBeGreaterThan(0.999 * 250_000);
      else expect(most).toBeGreaterThan(250_000);
      const first = Math.min(...takes.keys());
      expect(takes.get(first)!.get(taker)).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('competing bidders keep the books', () => {
  it('conservation and who-paid hold with competing English bidders and Dutch takers', () => {
    for (const seed of [1, 2]) {
      const r = simulate(
        {
          ticks: 200,
          market: { ...gapMarket(-0.1), liquidity: { depthUsd: 5e6 } },
          venue: { insuranceFund: 0 },
          waterfall: {
            stages: [
              { stage: 'dutch-auction', hole: 300_000 },
              { stage: 'english-auction' },
              { stage: 'insurance-fund' },
              { stage: 'socialized' },
            ],
          },
          agents: {
            traders: vaults(60, 10, 2000, 20_000),
            liquidators: {
              count: 12,
              capital: { dist: 'fixed', value: 100_000 },
              mix: [
                { strategy: 'english-bidder', count: 6, params: { openingFraction: 0.5 } },
                { strategy: 'dutch-taker', count: 6 },
              ],
            },
          },
        },
        { seed },
      );
      expectConserved(r);
      expectWhoPaid(r);
    }
  });
});

/**
 * A keeper's gas ceiling (`maxGasUsd`, agents/keeper.ts): MakerDAO's default auction keeper priced its
 * transactions at a ceiling and stopped bidding on 12 March 2020 when gas rose above it. Above the ceiling
 * a keeper sends nothing that is mined: no bid, no take, no gas paid; at or below it, it acts as without.
 *
 * The scene: 10 long vaults all below maintenance at tick 6 (a one-tick gap, a flat deep market), English
 * auctions, one honest bidder and one zero-bid bot; gas is 2 USD · (1 + 5 · level), the level 1 from the
 * start: 12 USD a transaction.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, type SimConfigInput, simulate } from '../src/index.js';
import { expectConserved, expectWhoPaid } from './helpers.js';

const BID = EVENT_KINDS.indexOf('bid');

const scene = (kind: 'english-bidder' | 'dutch-taker', maxGasUsd: number): SimConfigInput => ({
  ticks: 200,
  market: {
    index: { model: 'gbm', p0: 2000, sigma: 0 },
    shocks: [{ atTick: 5, change: -0.08, durationSeconds: 60 }],
    liquidity: { depthUsd: 1e12 },
    funding: { enabled: false },
    congestion: { series: { everySeconds: 60, values: [1] }, gasUsd: 2, gasPerLevel: 5 },
  },
  venue: { tiers: [{ minNotional: 0, mmr: 0.2, imr: 0.2 }], insuranceFund: 0 },
  waterfall: {
    stages: [
      kind === 'english-bidder' ? { stage: 'english-auction', beg: 1.03 } : { stage: 'dutch-auction' },
      { stage: 'insurance-fund' },
      { stage: 'socialized' },
    ],
  },
  agents: {
    traders: {
      count: 10,
      capital: { dist: 'uniform', min: 2000, max: 4000 },
      mix: [{ strategy: 'hold', fraction: 1, params: { leverage: 4 } }],
    },
    liquidators: {
      count: 2,
      capital: { dist: 'fixed', value: 1e6 },
      mix: [
        kind === 'english-bidder'
          ? { strategy: 'english-bidder', count: 1, params: { openingFraction: 0.8, maxGasUsd } }
          : { strategy: 'dutch-taker', count: 1, params: { maxGasUsd } },
        {
          strategy: 'english-bidder',
          count: 1,
          params: { openingFraction: 0, margin: 1, runsBot: false, capitalLimitUsd: 1e12 },
        },
      ],
    },
  },
});

const run = (kind: 'english-bidder' | 'dutch-taker', maxGasUsd: number) => {
  const r = simulate(scene(kind, maxGasUsd), { seed: 7, events: true });
  expectConserved(r);
  expectWhoPaid(r);
  const e = r.events!;
  const honestBids = [...e.kind].filter((k, j) => k === BID && e.account[j] === 10).length;
  return { m: r.metrics, honest: r.groups[1], honestBids };
};

describe('keeper gas ceiling', () => {
  it('an English bidder priced out sends no bid and pays no gas; the zero bids win every lot', () => {
    const out = run('english-bidder', 6); // 12 USD of gas > 6
    expect(out.m.auctions).toBe(10);
    expect(out.honestBids).toBe(0);
    expect(out.honest.costs).toBe(0);
    expect(out.m.zero_bid_auctions).toBe(10);
    // their value: every lot's units at the index when won (flat at 2,000 · 0.92 after the gap)
    const e = simulate(scene('english-bidder', 6), { seed: 7, events: true }).events!;
    const TAKE = EVENT_KINDS.indexOf('take');
    let units = 0;
    for (let j = 0; j < e.kind.length; j++)
      if (e.kind[j] === TAKE && e.amount[j] === 0) units += Math.abs(e.size[j]);
    expect(out.m.zero_bid_value).toBeCloseTo(units * 2000 * 0.92, 3);
    for (const ceiling of [0, 12, 100]) {
      // no ceiling, a ceiling at the gas, above it: it bids, pays gas, and no lot goes for nothing
      const on = run('english-bidder', ceiling);
      expect(on.honestBids).toBeGreaterThan(0);
      expect(on.honest.costs).toBeGreaterThan(0);
      expect(on.m.zero_bid_auctions).toBe(0);
      expect(on.m.zero_bid_value).toBe(0);
    }
  });

  it('a Dutch taker priced out takes nothing; below the gas it takes the lots', () => {
    const out = run('dutch-taker', 6);
    const on = run('dutch-taker', 0);
    expect(out.honest.pnl).toBe(0);
    expect(out.honest.costs).toBe(0);
    expect(on.honest.costs).toBeGreaterThan(0);
    expect(on.m.loss).toBeLessThan(out.m.loss + 1e-9);
  });
});

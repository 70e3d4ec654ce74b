/**
 * What an account with a position may withdraw (`Simulation.withdrawable`): by default its collateral above
 * initial margin and never more than its cash; with `venue.withdrawUnrealized` its unrealized gain too
 * (Hyperliquid until March 2025: the HLP whale); with `venue.withdrawMarginFloor` it must leave that share
 * of the notional as equity.
 *
 * The account: 10,000 USD, a 10x long of 100,000 at 100 (IMR 5%); the index rises 10% in one tick.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type SimConfigInput, Simulation, simulate } from '../src/index.js';
import { expectConserved, expectWhoPaid } from './helpers.js';

const cfg = (venue: Record<string, unknown>, fall = 0): SimConfigInput => ({
  ticks: 10,
  market: {
    index: { model: 'gbm', p0: 100, sigma: 0 },
    shocks: [
      { atTick: 1, change: 0.1, durationSeconds: 60 },
      ...(fall ? [{ atTick: 4, change: fall, durationSeconds: 60 }] : []),
    ],
    liquidity: { depthUsd: 1e12 },
    funding: { enabled: false },
  },
  venue: { tiers: [{ minNotional: 0, mmr: 0.025, imr: 0.05 }], takerFee: 0, insuranceFund: 0, ...venue },
  waterfall: { stages: [{ stage: 'market' }, { stage: 'insurance-fund' }, { stage: 'socialized' }] },
  agents: {
    traders: {
      count: 1,
      capital: { dist: 'fixed', value: 10_000 },
      mix: [{ strategy: 'whale', count: 1, params: { leverage: 10, maxLeverage: 10, withdrawAtTick: 3 } }],
    },
  },
});

function at2(venue: Record<string, unknown>) {
  const s = new Simulation(parseConfig(cfg(venue)), { seed: 1 });
  s.start();
  for (let t = 0; t < 3; t++) s.step(t);
  return s;
}

describe('withdrawal rules', () => {
  it('default: above initial margin, at most the cash; unrealized: the gain too; a floor: that share kept', () => {
    const s = at2({});
    const mark = s.mark;
    expect(mark).toBeCloseTo(110, 6);
    const q = s.accounts.qty[0];
    const equity = s.equity(0);
    expect(equity).toBeCloseTo(10_000 + q * 10, 3); // 20,000
    const im = 0.05 * q * mark;
    expect(s.withdrawable(0)).toBeCloseTo(Math.min(s.accounts.cash[0], equity - im), 6); // the cash, 10,000
    expect(at2({ withdrawUnrealized: true }).withdrawable(0)).toBeCloseTo(equity - im, 6); // 14,500
    expect(at2({ withdrawUnrealized: true, withdrawMarginFloor: 0.15 }).withdrawable(0)).toBeCloseTo(
      equity - 0.15 * q * mark,
      6,
    ); // 3,500
    expect(at2({ withdrawMarginFloor: 0.5 }).withdrawable(0)).toBe(0); // more than its equity: nothing
  });

  it('a whale that took its gain out and then gaps through zero leaves a shortfall the waterfall counts', () => {
    const r = simulate(cfg({ withdrawUnrealized: true }, -0.2), { seed: 1 });
    expectConserved(r);
    expectWhoPaid(r);
    // withdrew 14,500 at the top, then lost all it left on the venue and more: the rest is the venue's
    expect(r.metrics.shortfall).toBeGreaterThan(0);
    expect(r.metrics.loss).toBeCloseTo(r.metrics.shortfall, 6);
    expect(r.groups[0].pnl).toBeCloseTo(14_500 - 10_000, 3);
  });
});

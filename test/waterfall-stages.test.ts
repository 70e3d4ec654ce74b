import { describe, expect, it } from 'vitest';
import {
  defineStrategy,
  keepers,
  LEDGER,
  NO_FEE,
  NO_FLOW,
  parseConfig,
  registerStrategy,
  SECONDS_PER_YEAR,
  type SimulateResult,
  Simulation,
  z,
} from '../src/index.js';
import { expectConserved, expectWhoPaid } from './helpers.js';
import { eventsOf, expectWhoPaidPerTick } from './waterfall-helpers.js';
import './waterfall-keepers.js';

// ------------------------------------------------------------ one isolated long on a falling path

const L = 10;
const MMR = 0.02;
const P0 = 2000;
const Q = (10_000 * L) / P0; // 50 units
const PBK = P0 * (1 - 1 / L); // 1,800
const PL = PBK / (1 - MMR); // liquidation price

function isolated(
  stages: unknown[],
  liquidators: unknown[] = [],
  extra: Record<string, unknown> = {},
  ticks = 500,
) {
  const dt = 60;
  // ln P falls by 0.2 over the run: the long is liquidated near tick 213
  const mu = -0.2 / ((ticks * dt) / SECONDS_PER_YEAR);
  return parseConfig({
    ticks,
    dtSeconds: dt,
    market: {
      index: { model: 'gbm', p0: P0, mu, sigma: 0 },
      liquidity: { depthUsd: 1e12 },
      funding: { enabled: false },
      oracle: { heartbeatSeconds: 60, deviation: 0 },
    },
    venue: {
      tiers: [{ minNotional: 0, mmr: MMR, imr: 0.1 }],
      liquidationFee: 0,
      insuranceFund: 0,
      takerFee: 0,
    },
    agents: {
      traders: {
        count: 1,
        capital: { dist: 'fixed', value: 10_000 },
        mix: [{ strategy: 'hold', count: 1, params: { leverage: L, side: 'long' } }],
      },
      liquidators: {
        count: liquidators.length,
        capital: { dist: 'fixed', value: 1_000_000 },
        mix: liquidators,
      },
      ...extra,
    },
    waterfall: { stages },
  });
}

function run(cfg: ReturnType<typeof parseConfig>, seed = 1) {
  const sim = new Simulation(cfg, { seed, events: true, series: 1 });
  const metrics = sim.run();
  const r: SimulateResult = {
    seed,
    metrics,
    moneyScale: sim.moneyScale,
    events: sim.events.columns(),
    series: sim.series,
  };
  expectConserved(r);
  expectWhoPaid(r);
  expectWhoPaidPerTick(r);
  return { sim, r, m: metrics };
}

/** The tick at which the isolated long is found below maintenance. */
function liquidationTick(r: SimulateResult): number {
  return r.series!.mark!.findIndex((p) => p < PL);
}

describe('Dutch auction (Liquidations 2.0)', () => {
  for (const tip of [0, 100]) {
    it(`with ETH-B terms${tip ? ` and tip ${tip}` : ''}, resets at the right second and pays tip + chip·tab each time`, () => {
      const { sim, r, m } = run(
        isolated(
          [{ stage: 'dutch-auction', tip }, { stage: 'insurance-fund' }],
          [{ strategy: 'test-watcher', count: 1 }],
        ),
      );
      const k = liquidationTick(r);
      expect(k).toBeGreaterThan(0);
      // ETH-B: stair-step, cut 0.99 every 90 s, cusp 0.4, tail 8,400 s. The first second at which the
      // auction is done, by brute force over seconds:
      let tDone = 0;
      while (!(tDone > 8400 || 0.99 ** Math.floor(tDone / 90) < 0.4)) tDone++;
      expect(tDone).toBe(8280); // 92 steps of 90 s: 0.99^92 = 0.397 < 0.4, before the tail
      // checked at the end of every 60-second tick: the first tick at or after that second
      const every = Math.ceil(tDone / 60);
      const kicks = eventsOf(r, 'kick');
      const resets = eventsOf(r, 'reset');
      expect(kicks.map((e) => e.tick)).toEqual([k]);
      const want: number[] = [];
      for (let t = k + every; t < 500; t += every) want.push(t);
      expect(want.length).toBeGreaterThanOrEqual(2);
      expect(resets.map((e) => e.tick)).toEqual(want);
      // tab = debt · chop = 50 units · 1,800 · 1.13; each kick and reset pays tip + 0.1% of it
      const tab = Q * PBK * 1.13;
      expect(kicks[0].amount).toBeCloseTo(tab, 6);
      const watcher = sim.nAgents - 1;
      const paid = (1 + want.length) * (tip + 0.001 * tab);
      expect(sim.accounts.cash[watcher] - 1_000_000).toBeCloseTo(paid, 6);
      expect(m.venue_fees).toBeCloseTo(-paid, 6);
      expect(m.auctions).toBe(1);
      // top taken again from the oracle at each reset
      for (const e of resets) expect(e.price).toBeCloseTo(1.3 * sim.market.index[e.tick], 9);
    });
  }

  for (const below of [0.95, 1]) {
    it(`a keeper takes the lot when the curve reaches ${below} × oracle; penalty to the fund, the rest back or a shortfall`, () => {
      const { sim, r, m } = run(
        isolated(
          [{ stage: 'dutch-auction' }, { stage: 'insurance-fund' }],
          [{ strategy: 'test-dutch-taker', count: 1, params: { below } }],
        ),
      );
      const k = liquidationTick(r);
      const oracle = sim.market.index[k]; // heartbeat 60 s, no delay: the oracle is the index of the tick
      const top = 1.3 * oracle;
      // the keeper takes at the first tick after the kick at which top·0.99^floor(60j/90) ≤ 0.95·oracle(tick)
      let j = 1;
      while (top * 0.99 ** Math.floor((60 * j) / 90) > below * sim.market.index[k + j]) j++;
      const x = top * 0.99 ** Math.floor((60 * j) / 90);
      const take = eventsOf(r, 'take');
      expect(take.map((e) => e.tick)).toEqual([k + j]);
      expect(take[0].price).toBeCloseTo(x, 9);
      const keeper = sim.nAgents - 1;
      expect(sim.accounts.qty[keeper]).toBeCloseTo(Q, 12);
      expect(sim.accounts.entry[keeper]).toBeCloseTo(x, 9);
      // result against the bankruptcy price, penalty up to 13% of the debt
      const result = Q * (x - PBK);
      const penalty = Math.min(Math.max(0, result), 0.13 * Q * PBK);
      expect(m.insurance_fund_end).toBeCloseTo(penalty, 6);
      expect(sim.accounts.cash[0]).toBeCloseTo(Math.max(0, result - penalty), 6);
      expect(sim.accounts.qty[0]).toBe(0);
      expect(m.shortfall).toBeCloseTo(Math.max(0, -result), 6);
      expect(result > 0).toBe(below === 1);
    });
  }
});

describe('English auction (Liquidations 1.2)', () => {
  it('with one bidder ends at its zero bid, ttl after it, and the shortfall is the whole debt', () => {
    const { sim, r, m } = run(
      isolated(
        [{ stage: 'english-auction' }, { stage: 'insurance-fund' }],
        [{ strategy: 'test-zero-bidder', count: 1 }],
      ),
    );
    const k = liquidationTick(r);
    const bids = eventsOf(r, 'bid');
    expect(bids.map((e) => [e.tick, e.amount])).toEqual([[k + 1, 0]]);
    // ttl 600 s after the bid at tick k+1: the deal at the end of tick k+1+10
    const take = eventsOf(r, 'take');
    expect(take.map((e) => [e.tick, e.price, e.amount])).toEqual([[k + 11, 0, 0]]);
    expect(m.auctions).toBe(1);
    expect(m.zero_bid_auctions).toBe(1);
    const bidder = sim.nAgents - 1;
    expect(sim.accounts.qty[bidder]).toBe(Q);
    expect(sim.accounts.entry[bidder]).toBe(0);
    // sold for nothing: the shortfall is the debt, lot · p_bk, and with an empty fund it stays unpaid
    expect(m.shortfall).toBeCloseTo(Q * PBK, 6);
    expect(m.unpaid).toBeCloseTo(Q * PBK, 6);
  });

  it('with no bidder and a closer after it, restarts maxRestarts times, then the market closes', () => {
    const { r, m } = run(isolated([{ stage: 'english-auction', maxRestarts: 1 }, { stage: 'market' }]));
    const k = liquidationTick(r);
    // tau 21,600 s = 360 ticks: restart at k+360, give back at k+720 — past the run; shorten with tau
    expect(eventsOf(r, 'reset').map((e) => e.tick)).toEqual([k + 360].filter((t) => t < 500));
    expect(m.auctions).toBe(1);
    const r2 = run(isolated([{ stage: 'english-auction', maxRestarts: 1, tau: 1200 }, { stage: 'market' }]));
    const resets = eventsOf(r2.r, 'reset').map((e) => e.tick);
    expect(resets).toEqual([k + 20, k + 40]); // a restart, then the lot given back
    expect(eventsOf(r2.r, 'liquidation').map((e) => e.tick)).toEqual([k + 40]);
  });
});

describe('fixed-spread takeover', () => {
  it('a liquidator takes the close factor at the oracle minus the bonus; the market closes the rest', () => {
    const { sim, r } = run(
      isolated(
        [{ stage: 'takeover' }, { stage: 'market' }, { stage: 'insurance-fund' }],
        [{ strategy: 'test-taker-over', count: 1 }],
      ),
    );
    const k = liquidationTick(r);
    const tk = eventsOf(r, 'takeover');
    // offered at tick k, taken at tick k+1 (health just below 1 > 0.95: close factor 0.5)
    expect(tk.map((e) => e.tick)).toEqual([k + 1]);
    const keeper = sim.nAgents - 1;
    expect(sim.accounts.qty[keeper]).toBeCloseTo(Q / 2, 12);
    expect(sim.accounts.entry[keeper]).toBeCloseTo(0.95 * sim.market.index[k + 1], 9);
    // patience 60 s: at tick k+1 the rest goes to the market
    expect(eventsOf(r, 'liquidation').map((e) => [e.tick, e.size])).toEqual([[k + 1, -Q / 2]]);
  });

  it('with no liquidator the offer lapses and the next stage runs', () => {
    const { r } = run(isolated([{ stage: 'takeover' }, { stage: 'market' }]));
    const k = liquidationTick(r);
    expect(eventsOf(r, 'liquidation').map((e) => e.tick)).toEqual([k + 1]);
  });
});

describe('backstop capacity providers', () => {
  it('take the position at the mark within their per-minute capacity, the rest the next minute', () => {
    const { sim, r } = run(
      isolated(
        [{ stage: 'capacity-providers' }, { stage: 'market' }],
        [{ strategy: 'test-provider', count: 1, params: { perMinuteUsd: 60_000, perHourUsd: 1e9 } }],
      ),
    );
    const k = liquidationTick(r);
    const tk = eventsOf(r, 'takeover');
    expect(tk.map((e) => e.tick)).toEqual([k, k + 1]);
    const m0 = r.series!.mark![k];
    expect(-tk[0].size).toBeCloseTo(60_000 / m0, 9);
    expect(sim.accounts.qty[sim.nAgents - 1]).toBeCloseTo(Q, 9);
    expect(sim.accounts.qty[0]).toBe(0);
  });
});

// ------------------------------------------------------------ the vault

registerStrategy(
  defineStrategy({
    name: 'test-bankrupt-short',
    role: 'traders',
    description: 'test only: a short of 20 at 600 with 1,000 USD (bankruptcy 650) and a long of 20 at 600',
    params: z.strictObject({}),
    init(g, sim) {
      sim.transferIn(g.first, 1000);
      sim.fill(g.first, -20, 600, NO_FEE | NO_FLOW);
      sim.transferIn(g.first + 1, 10_000);
      sim.fill(g.first + 1, 20, 600, NO_FEE | NO_FLOW);
    },
    act() {},
  }),
);

function vaultConfig(vault: Record<string, unknown>, lp?: Record<string, unknown>) {
  return parseConfig({
    ticks: 10,
    market: {
      index: { model: 'gbm', p0: 700, sigma: 0 },
      liquidity: { depthUsd: 1e300 },
      funding: { enabled: false },
    },
    venue: { liquidationFee: 0, insuranceFund: 0, takerFee: 0 },
    agents: {
      traders: {
        count: 2,
        capital: { dist: 'fixed', value: 0 },
        mix: [{ strategy: 'test-bankrupt-short', count: 2 }],
      },
      lps: lp
        ? {
            count: 1,
            capital: { dist: 'fixed', value: 50_000 },
            mix: [{ strategy: 'test-lp', count: 1, params: lp }],
          }
        : {},
    },
    waterfall: { stages: [{ stage: 'market' }, { stage: 'insurance-fund' }, { stage: 'vault', ...vault }] },
  });
}

describe('backstop vault', () => {
  it('its share price falls by exactly the loss it absorbs', () => {
    const { sim, m } = run(vaultConfig({ initialUsd: 10_000 }, { usd: 5_000 }));
    // shortfall 20·(700 − 650) = 1,000 paid by the vault: 15,000 of equity over 15,000 shares → 14,000
    expect(m.paid_by_vault).toBeCloseTo(1000, 9);
    const k = keepers(sim);
    expect(k.vaultShares(sim.nAgents - 1)).toBeCloseTo(5000, 9);
    expect(k.sharePrice()).toBeCloseTo((15_000 - 1000) / 15_000, 12);
    expect(m.vault_return).toBeCloseTo(-1000 / 15_000, 12);
    expect(m.vault_max_drawdown).toBeCloseTo(1000 / 15_000, 12);
    // the LPs' PnL (the LP and the vault's own seed capital) is minus the loss
    expect(m.pnl_lps).toBeCloseTo(-1000, 9);
  });

  it('holds withdrawals for the lock-up, then pays them at the share price after the delay', () => {
    const locked = run(vaultConfig({ initialUsd: 10_000 }, { usd: 5_000, withdrawAtTick: 3 }));
    const lp = locked.sim.nAgents - 1;
    expect(locked.sim.groups[1].state.asked[0]).toBe(2); // refused: 4-day lock-up
    const { sim, r } = run(
      vaultConfig(
        { initialUsd: 10_000, lockupSeconds: 0, withdrawalDelaySeconds: 120 },
        { usd: 5_000, withdrawAtTick: 3 },
      ),
    );
    expect(sim.groups[1].state.asked[0]).toBe(1);
    const w = eventsOf(r, 'withdrawal');
    expect(w.map((e) => e.tick)).toEqual([5]);
    expect(w[0].amount).toBeCloseTo((5000 * 14_000) / 15_000, 9);
    expect(sim.accounts.cash[lp]).toBeCloseTo(45_000 + (5000 * 14_000) / 15_000, 9);
    expect(keepers(sim).sharePrice()).toBeCloseTo(14_000 / 15_000, 12);
  });

  it('takes over a position below its threshold with its margin, and keeps the margin', () => {
    const { sim, r } = run(
      isolated([{ stage: 'vault', initialUsd: 1e6, takeoverBelow: 1, unwind: 'hold' }, { stage: 'market' }]),
    );
    const k = liquidationTick(r);
    const M = r.series!.mark![k];
    const e = 10_000 + Q * (M - P0);
    const tk = eventsOf(r, 'takeover');
    expect(tk.map((x) => [x.tick, x.size])).toEqual([[k, Q]]);
    expect(tk[0].amount).toBeCloseTo(e, 6);
    const row = sim.nAgents;
    expect(sim.accounts.qty[row]).toBe(Q);
    expect(sim.accounts.cash[row]).toBeCloseTo(1e6 + e, 6);
    expect(sim.accounts.cash[0]).toBe(0);
    expect(sim.ledger[LEDGER.vault]).toBe(0);
  });
});

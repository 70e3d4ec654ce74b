import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadConfigModules,
  parseConfig,
  SECONDS_PER_YEAR,
  type SimConfigInput,
  Simulation,
  Stream,
  simulate,
} from '../src/index.js';
import { expectConserved } from './helpers.js';

/** A calm deterministic market: ln P moves by the same step each tick (sigma 0). */
function path(totalMove: number, ticks: number) {
  return { model: 'gbm', p0: 2000, mu: totalMove / ((ticks * 60) / SECONDS_PER_YEAR), sigma: 0 };
}

function sim(cfg: SimConfigInput, seed = 1) {
  const s = new Simulation(parseConfig(cfg), { seed });
  s.start();
  return s;
}

describe('trader decision rules', () => {
  it('momentum goes long after a rising lookback window, short after a falling one, and not before the window is full', () => {
    for (const [move, side] of [
      [0.1, 1],
      [-0.1, -1],
    ] as const) {
      const s = sim({
        ticks: 50,
        market: { index: path(move, 50), funding: { enabled: false } },
        agents: {
          traders: {
            count: 20,
            mix: [
              {
                strategy: 'momentum',
                fraction: 1,
                params: { lookbackTicks: 10, threshold: 0.001, reviewProbability: 1 },
              },
            ],
          },
        },
      });
      for (let t = 0; t < 10; t++) {
        s.step(t);
        for (let i = 0; i < 20; i++) expect(s.accounts.qty[i]).toBe(0);
      }
      s.step(10);
      for (let i = 0; i < 20; i++) expect(Math.sign(s.accounts.qty[i])).toBe(side);
    }
  });

  it('momentum does nothing while the trend is inside its threshold', () => {
    const s = sim({
      ticks: 30,
      market: { index: path(0.001, 30), funding: { enabled: false } },
      agents: {
        traders: {
          count: 5,
          mix: [
            {
              strategy: 'momentum',
              fraction: 1,
              params: { lookbackTicks: 10, threshold: 0.01, reviewProbability: 1 },
            },
          ],
        },
      },
    });
    for (let t = 0; t < 30; t++) s.step(t);
    for (let i = 0; i < 5; i++) expect(s.accounts.qty[i]).toBe(0);
  });

  it('mean reversion shorts above its moving average and longs below it', () => {
    for (const [move, side] of [
      [0.2, -1],
      [-0.2, 1],
    ] as const) {
      const s = sim({
        ticks: 40,
        market: { index: path(move, 40), funding: { enabled: false } },
        agents: {
          traders: {
            count: 10,
            mix: [
              {
                strategy: 'mean-reversion',
                fraction: 1,
                params: { lookbackTicks: 20, threshold: 0.005, reviewProbability: 1 },
              },
            ],
          },
        },
      });
      for (let t = 0; t <= 20; t++) s.step(t);
      for (let i = 0; i < 10; i++) expect(Math.sign(s.accounts.qty[i])).toBe(side);
    }
  });

  it('noise traders turn over at their arrival probability (binomial count within 4 standard errors)', () => {
    const n = 2000;
    const T = 100;
    const p = 0.01;
    const s = sim({
      ticks: T,
      market: { index: path(0, T), funding: { enabled: false } },
      agents: {
        traders: {
          count: n,
          mix: [
            {
              strategy: 'noise',
              fraction: 1,
              params: { arrivalProbability: p, leverageMin: 1, leverageMax: 2 },
            },
          ],
        },
      },
    });
    const before = new Float64Array(n);
    let turnovers = 0;
    for (let t = 0; t < T; t++) {
      before.set(s.accounts.qty);
      s.step(t);
      for (let i = 0; i < n; i++) if (s.accounts.qty[i] !== before[i]) turnovers++;
    }
    // each of n·T (agent, tick) pairs turns over independently with probability p: Binomial(nT, p),
    // SE = sqrt(nT p (1 − p)) ≈ 44.5 around the mean 2,000
    const mean = n * T * p;
    const se = Math.sqrt(n * T * p * (1 - p));
    expect(Math.abs(turnovers - mean)).toBeLessThan(4 * se);
  });

  it('a whale opens at its leverage and adds on its schedule while its leverage allows', () => {
    const s = sim({
      ticks: 30,
      // a book deep enough that the add moves no price, and no fee: leverage changes by the add alone
      market: { index: path(0, 30), funding: { enabled: false }, liquidity: { depthUsd: 1e15 } },
      venue: { takerFee: 0, tiers: [{ minNotional: 0, mmr: 0.005, imr: 0.01 }] },
      agents: {
        traders: {
          count: 1,
          capital: { dist: 'fixed', value: 1e6 },
          mix: [
            {
              strategy: 'whale',
              count: 1,
              params: { leverage: 20, addEveryTicks: 10, addFraction: 0.5, maxLeverage: 35 },
            },
          ],
        },
      },
    });
    const lev = () => (Math.abs(s.accounts.qty[0]) * s.mark) / s.equity(0);
    expect(lev()).toBeCloseTo(20, 6);
    for (let t = 0; t <= 10; t++) s.step(t);
    expect(lev()).toBeCloseTo(30, 6); // 20 → 30 (1.5×)
    for (let t = 11; t <= 20; t++) s.step(t);
    expect(lev()).toBeCloseTo(30, 6); // 45 would exceed 35: no add
  });

  it('margin policies: let it go is liquidated, top-up survives by depositing its reserve, reduce cuts the position', () => {
    const run = (policy: 'none' | 'topup' | 'reduce') =>
      simulate(
        {
          ticks: 200,
          market: { index: path(Math.log(0.85), 200), funding: { enabled: false } },
          agents: {
            traders: {
              count: 10,
              capital: { dist: 'fixed', value: 10_000 },
              mix: [
                {
                  strategy: 'hold',
                  fraction: 1,
                  params: { leverage: 10, margin: { policy, trigger: 2, target: 4, reserveFraction: 0.5 } },
                },
              ],
            },
          },
        },
        { seed: 1 },
      );
    const none = run('none');
    const topup = run('topup');
    const reduce = run('reduce');
    // 10x long, 15% fall: liquidated unless managed
    expect(none.metrics.liquidations).toBe(10);
    // top-up: half the capital in reserve, so the position is 20x its collateral at the start, but the
    // reserve covers a 15% fall on 5x the capital
    expect(topup.metrics.liquidations).toBe(0);
    expect(reduce.metrics.liquidations).toBe(0);
    for (const r of [none, topup, reduce]) expectConserved(r);
  });
});

/** A venue whose noise and momentum traders push the mark around a thin book. */
function flowVenue(extra: Partial<Record<'arbitrageurs' | 'marketMakers', unknown>>): SimConfigInput {
  return {
    ticks: 720,
    market: {
      index: { model: 'gbm', sigma: 0.8 },
      shocks: [{ atTick: 360, change: -0.2, durationSeconds: 3600 }],
      liquidity: { depthUsd: 4e6, resilience: 0.95 },
    },
    agents: {
      traders: {
        count: 1000,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
        mix: [
          { strategy: 'noise', fraction: 0.5, params: { arrivalProbability: 0.01, leverageMax: 10 } },
          { strategy: 'momentum', fraction: 0.5, params: { leverage: 5 } },
        ],
      },
      ...extra,
    } as SimConfigInput['agents'],
  };
}

function meanAbsBasis(cfg: SimConfigInput, seed: number): number {
  const r = simulate(cfg, { seed, series: 1 });
  expectConserved(r);
  const m = r.series!.mark!;
  const ix = r.series!.index!;
  let s = 0;
  for (let t = 0; t < m.length; t++) s += Math.abs(m[t] / ix[t] - 1);
  return s / m.length;
}

describe('arbitrageurs and market makers', () => {
  it('basis arbitrageurs shrink the mean absolute basis (paired over seeds, mean difference > 3 SE)', () => {
    const arbs = {
      arbitrageurs: {
        count: 10,
        capital: { dist: 'fixed', value: 2e6 },
        mix: [{ strategy: 'basis-arb', fraction: 1 }],
      },
    };
    const d: number[] = [];
    for (let seed = 1; seed <= 8; seed++)
      d.push(meanAbsBasis(flowVenue({}), seed) - meanAbsBasis(flowVenue(arbs), seed));
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
    expect(mean).toBeGreaterThan(3 * (sd / Math.sqrt(d.length)));
  });

  it('funding carry takes the receiving short side with a spot hedge it pays for, and goes flat when the basis turns', () => {
    // a deep book (its own trades move no price) and a basis held by hand: impact persists (resilience 1)
    const s = sim({
      ticks: 400,
      market: {
        index: path(0, 400),
        liquidity: { depthUsd: 1e12, resilience: 1 },
        funding: { intervalSeconds: 600 },
      },
      agents: {
        arbitrageurs: {
          count: 2,
          capital: { dist: 'fixed', value: 1e6 },
          // 80% of capital in the wallet: enough spot money for 2x the 20% left on the venue
          mix: [{ strategy: 'funding-carry', fraction: 1, params: { leverage: 2, spotShare: 0.8 } }],
        },
      },
    });
    const g = s.groups[0];
    const a = s.accounts;
    s.market.impact = 0.002; // mark above index: longs pay, the carry goes short
    for (let t = 0; t < 200; t++) s.step(t);
    for (let i = g.first; i < g.first + g.count; i++) {
      expect(Math.sign(a.qty[i])).toBe(-1);
      // it rebalances to 2x each tick; funding (capped at 0.0005 of notional) arrives after it acted, so
      // its leverage is 2 / (1 + at most one funding payment of 2 × 0.0005)
      const lev = (Math.abs(a.qty[i]) * s.mark) / s.equity(i);
      expect(lev).toBeLessThanOrEqual(2 + 1e-9);
      expect(lev).toBeGreaterThanOrEqual(2 / (1 + 2 * 0.0005) - 1e-9);
      expect(a.spot[i]).toBeCloseTo(-a.qty[i], 9);
      expect(a.wallet[i]).toBeGreaterThanOrEqual(0);
    }
    const cashBefore = a.cash[g.first];
    // mark below index: the receiving side is long, whose hedge (a spot sale beyond what it holds) nobody
    // lends for, so it buys back and sells its spot, to flat
    s.market.impact = -0.002;
    for (let t = 200; t < 400; t++) s.step(t);
    for (let i = g.first; i < g.first + g.count; i++) {
      expect(a.qty[i]).toBe(0);
      expect(a.spot[i]).toBe(0);
    }
    const m = s.finish();
    expect(s.accounts.cash[g.first]).not.toBe(cashBefore);
    expect(Math.abs(m.conservation_error)).toBeLessThanOrEqual(1e-9 * s.moneyScale);
  });

  it("market makers own the book's PnL and pull depth as their inventory grows", () => {
    const cfg = flowVenue({
      marketMakers: {
        count: 4,
        mix: [{ strategy: 'passive-mm', fraction: 1, params: { depthUsd: 1e6, inventoryLimitUsd: 2e6 } }],
      },
    });
    const s = new Simulation(parseConfig(cfg), { seed: 2 });
    s.start();
    expect(s.market.agentDepth).toBe(4e6);
    let thinned = false;
    for (let t = 0; t < 720; t++) {
      s.step(t);
      const inv = Math.abs(s.longQty + s.shortQty) * s.mark;
      const expected = 4e6 * Math.max(0.1, 1 - inv / 8e6);
      // the group sets its depth from the inventory it saw when it acted; check it stays in range
      expect(s.market.agentDepth).toBeGreaterThanOrEqual(4e5 - 1e-6);
      expect(s.market.agentDepth).toBeLessThanOrEqual(4e6 + 1e-6);
      if (expected < 2e6) thinned = true;
    }
    const m = s.finish();
    expect(thinned).toBe(true);
    const mm = s.groupPayoffs.find((g) => g.role === 'marketMakers')!;
    expect(mm.pnl).toBeCloseTo(m.pnl_market_makers, 6);
    expect(Math.abs(m.conservation_error)).toBeLessThanOrEqual(1e-9 * s.moneyScale);
  });
});

describe('congestion', () => {
  it('rises with realized volatility in a crash and makes keeper transactions dearer and less reliable', () => {
    const cfg = parseConfig({
      ticks: 300,
      market: {
        index: { model: 'gbm', sigma: 0.3 },
        shocks: [{ atTick: 100, change: -0.4, durationSeconds: 1800 }],
        liquidity: { refVol: 0.3, volWindowTicks: 30 },
        congestion: {
          baseline: 0.1,
          sensitivity: 1,
          gasUsd: 5,
          gasPerLevel: 2,
          failureRate: 1,
          delayTicksPerLevel: 2,
        },
      },
    });
    const s = new Simulation(cfg, { seed: 3 });
    s.start();
    let calm = 0;
    let peak = 0;
    for (let t = 0; t < 300; t++) {
      s.step(t);
      if (t === 90) calm = s.market.congestion;
      peak = Math.max(peak, s.market.congestion);
    }
    expect(calm).toBeLessThan(0.5);
    expect(peak).toBeGreaterThan(2);
  });

  it('keeper transactions pay gas = gasUsd·(1 + gasPerLevel·level) and fail with probability 1 − exp(−rate·level)', () => {
    const cfg = parseConfig({
      ticks: 10,
      market: {
        congestion: {
          series: { everySeconds: 60, values: [2] },
          gasUsd: 5,
          gasPerLevel: 2,
          failureRate: 0.5,
          delayTicksPerLevel: 1.5,
        },
      },
      agents: {
        liquidators: { count: 0 },
        traders: {
          count: 1,
          capital: { dist: 'fixed', value: 1e9 },
          mix: [{ strategy: 'hold', count: 1, params: { leverage: 0.001 } }],
        },
      },
    });
    const s = new Simulation(cfg, { seed: 1 });
    s.start();
    s.step(0);
    expect(s.market.congestion).toBe(2);
    expect(s.gasCost()).toBeCloseTo(25, 12);
    expect(s.keeperDelay()).toBe(3);
    const pf = 1 - Math.exp(-1);
    const rng = new Stream('keeper-test');
    const n = 20_000;
    const cash0 = s.accounts.cash[0];
    let failed = 0;
    for (let k = 0; k < n; k++) if (!s.keeperTransaction(0, rng)) failed++;
    // Binomial(n, pf): 4 standard errors
    expect(Math.abs(failed / n - pf)).toBeLessThan(4 * Math.sqrt((pf * (1 - pf)) / n));
    expect(cash0 - s.accounts.cash[0]).toBeCloseTo(25 * n, 6);
  });
});

describe('payoffs', () => {
  it("record each group's PnL, costs, capital and outside option, consistent with the role metrics", () => {
    const r = simulate(
      flowVenue({
        arbitrageurs: {
          count: 4,
          capital: { dist: 'fixed', value: 1e6 },
          mix: [
            { strategy: 'basis-arb', count: 2 },
            { strategy: 'funding-carry', count: 2 },
          ],
        },
      }),
      { seed: 5 },
    );
    expectConserved(r);
    const byRole = (role: string) => r.groups.filter((g) => g.role === role).reduce((a, g) => a + g.pnl, 0);
    expect(byRole('traders')).toBeCloseTo(r.metrics.pnl_traders, 4);
    expect(byRole('arbitrageurs')).toBeCloseTo(r.metrics.pnl_arbitrageurs, 4);
    const years = (720 * 60) / SECONDS_PER_YEAR;
    for (const g of r.groups) {
      expect(g.outsideOption).toBeCloseTo(g.capital * 0.05 * years, 6);
      expect(g.costs).toBeGreaterThanOrEqual(0);
    }
    expect(r.groups.find((g) => g.strategy === 'basis-arb')!.capital).toBe(2e6);
  });
});

describe('user strategies', () => {
  it('a strategy in a file outside agents/, named in a config, runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backstop-strategy-'));
    writeFileSync(
      join(dir, 'contrarian.ts'),
      `import { defineStrategy, z } from 'backstop-sim';
export default defineStrategy({
  name: 'test-contrarian',
  role: 'traders',
  description: 'shorts every up-tick, covers on down-ticks',
  params: z.strictObject({ leverage: z.number().positive().default(2).describe('leverage (x)') }),
  state: { trades: 'i32' },
  act(g, sim) {
    const t = sim.tick;
    if (t === 0) return;
    const up = sim.market.marks[t] > sim.market.marks[t - 1];
    for (let i = g.first; i < g.first + g.count; i++) {
      if (up && sim.accounts.qty[i] === 0) { sim.openAtLeverage(i, g.params.leverage, -1); g.state.trades[i - g.first]++; }
      else if (!up && sim.accounts.qty[i] !== 0) sim.close(i);
    }
  },
});
`,
    );
    const input = {
      ticks: 200,
      strategies: ['./contrarian.ts'],
      agents: {
        traders: { count: 5, mix: [{ strategy: 'test-contrarian', fraction: 1, params: { leverage: 3 } }] },
      },
    };
    expect(await loadConfigModules(input, dir)).toEqual(['test-contrarian']);
    const r = simulate(input, { seed: 1, baseDir: dir });
    expectConserved(r);
    expect(r.groups[0].strategy).toBe('test-contrarian');
    expect(r.groups[0].costs).toBeGreaterThan(0); // it traded, paying taker fees
  });

  it('a config naming a missing module is rejected with the path of the entry', async () => {
    await expect(loadConfigModules({ strategies: ['./nope.ts'] }, tmpdir())).rejects.toThrow(
      /strategies\[0\]: \.\/nope\.ts/,
    );
  });
});

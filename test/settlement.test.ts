/**
 * The settlement stage (a delisting: every position closed at one chosen price at one tick) and sweeps
 * over a waterfall stage's parameters.
 */
import { describe, expect, it } from 'vitest';
import { eventCode } from '../src/engine/events.js';
import { checkSchemaPath, parsePath } from '../src/experiment/paths.js';
import { parseConfig, Simulation, simConfigSchema, simulate } from '../src/index.js';
import { expectConserved, expectWhoPaid } from './helpers.js';

function config(settlement: Record<string, unknown>, leverage = 5) {
  return {
    ticks: 20,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 100, sigma: 0 },
      shocks: [{ atTick: 2, change: -0.1, durationSeconds: 60 }],
      funding: { enabled: false },
    },
    venue: { insuranceFund: 0, takerFee: 0 },
    agents: {
      traders: {
        count: 2,
        capital: { dist: 'fixed' as const, value: 10_000 },
        mix: [
          { strategy: 'hold', count: 1, params: { side: 'long' as const, leverage } },
          { strategy: 'hold', count: 1, params: { side: 'short' as const, leverage } },
        ],
      },
    },
    waterfall: {
      stages: [{ stage: 'market' }, { stage: 'insurance-fund' }, { stage: 'socialized' }, settlement],
    },
  };
}

describe('settlement stage', () => {
  it('closes every position at a fixed price at its tick, conserving money', () => {
    const r = simulate(config({ stage: 'settlement', atTick: 5, price: 100 }), { seed: 1, events: true });
    expectConserved(r);
    expectWhoPaid(r);
    // both accounts closed at 100 = their entry: no PnL for either trader
    for (const g of r.groups) expect(Math.abs(g.pnl)).toBeLessThan(1e-6);
    const e = r.events!;
    const settled = [...e.tick].filter((t, j) => t === 5 && e.price[j] === 100).length;
    expect(settled).toBe(2);
  });

  it('without the settlement the same run keeps its PnL; the oracle price settles at the market', () => {
    const none = simulate(config({ stage: 'settlement', atTick: 'never', price: 100 }), { seed: 1 });
    const atOracle = simulate(config({ stage: 'settlement', atTick: 5, price: 'oracle' }), { seed: 1 });
    expectConserved(none);
    expectConserved(atOracle);
    // the long lost and the short gained 10% of 50,000 USD, settled or not
    for (const r of [none, atOracle]) {
      expect(r.groups[0].pnl).toBeCloseTo(-5000, 6);
      expect(r.groups[1].pnl).toBeCloseTo(5000, 6);
    }
  });

  it('a shortfall left by the settlement goes to the payers', () => {
    // 20x accounts settled at 80 (−20%): the long is bankrupt (equity 10,000 − 200,000·0.2 < 0)
    const r = simulate(config({ stage: 'settlement', atTick: 1, price: 80 }, 20), { seed: 1 });
    expectConserved(r);
    expectWhoPaid(r);
    expect(r.metrics.shortfall).toBeGreaterThan(0);
  });

  it("an 'oracle-twap' window longer than the run averages every reading so far (hostile review: 1e15 s allocated an array per second)", () => {
    // the shock at tick 2 takes the oracle from 100 to 90 at tick 3: at tick 5 the readings are 100, 100,
    // 100, 90, 90, 90, so a window of the whole run settles at 95, as does one of 1e15 seconds
    const run = (twapSeconds: number) =>
      simulate(config({ stage: 'settlement', atTick: 5, price: 'oracle-twap', twapSeconds }), {
        seed: 1,
        events: true,
      });
    const whole = run(20 * 60);
    const huge = run(1e15);
    for (const r of [whole, huge]) {
      expectConserved(r);
      const e = r.events!;
      const prices = [...e.tick].flatMap((t, j) => (t === 5 && e.account[j] < 2 ? [e.price[j]] : []));
      expect(prices).toHaveLength(2);
      for (const p of prices) expect(p).toBeCloseTo(95, 9);
    }
    expect(huge.metrics).toEqual(whole.metrics);
  });

  it("'oracle-twap' after a fall of many orders of magnitude settles at the window's mean (hostile review: a running sum settled at −6.7e-11)", () => {
    // from 3e6 to 3e-12 in two ticks; the window (10 ticks) lies wholly after the fall
    const cfg = parseConfig({
      ticks: 40,
      dtSeconds: 60,
      market: {
        index: { model: 'gbm', p0: 3e6, sigma: 0.8 },
        shocks: [
          { atTick: 5, change: -0.999999999, durationSeconds: 60 },
          { atTick: 6, change: -0.999999999, durationSeconds: 60 },
        ],
        liquidity: { depthUsd: 6e6 },
      },
      waterfall: {
        stages: [
          { stage: 'market' },
          { stage: 'insurance-fund' },
          { stage: 'socialized', over: 'winners' },
          { stage: 'settlement', atTick: 30, price: 'oracle-twap', twapSeconds: 600 },
        ],
      },
      agents: {
        traders: {
          count: 50,
          capital: { dist: 'fixed', value: 10_000 },
          mix: [{ strategy: 'hold', fraction: 1, params: { side: 'random', leverage: 2 } }],
        },
      },
    });
    for (const seed of [1, 2]) {
      const sim = new Simulation(cfg, { seed, events: true });
      sim.start();
      const readings: number[] = [];
      for (let t = 0; t < 40; t++) {
        sim.step(t);
        readings.push(sim.oracle);
      }
      sim.finish();
      const window = readings.slice(21, 31);
      const twap = window.reduce((x, y) => x + y, 0) / window.length;
      expect(twap).toBeGreaterThan(0);
      expect(twap).toBeLessThan(1e-10);
      // every position still open at tick 30 is closed at the settlement price (logged as a liquidation)
      const e = sim.events.columns();
      const liq = eventCode('liquidation');
      const prices = [...e.tick].flatMap((t, j) => (t === 30 && e.kind[j] === liq ? [e.price[j]] : []));
      expect(prices.length).toBeGreaterThan(0);
      for (const p of prices) expect(p / twap).toBeCloseTo(1, 9);
    }
  });

  it('rejects a bad price', () => {
    expect(() => simulate(config({ stage: 'settlement', atTick: 1, price: 'vwap' }), { seed: 1 })).toThrow(
      /price/,
    );
  });
});

describe('sweep paths into a stage entry', () => {
  it("accepts any key of a stage's entry (checked when the point's config is parsed)", () => {
    expect(checkSchemaPath(simConfigSchema, parsePath('waterfall.stages[0].hole')!)).toBeUndefined();
    expect(checkSchemaPath(simConfigSchema, parsePath('venue.nope')!)).toMatch(/no field "nope"/);
  });
});

/**
 * Populations with spread (issue 15, item 2) in the `hold` strategy: leverage drawn log-normally around
 * `leverage` (`leverageSigma`), and opening times drawn uniformly over the first N ticks
 * (`openWithinTicks`), so entry prices differ. Statistical checks use a fixed seed and tolerances of four
 * standard errors from the theory (stated at each).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type SimConfigInput, Simulation } from '../src/index.js';

const N = 2000;
const cfg = (params: Record<string, unknown>): SimConfigInput => ({
  ticks: 40,
  dtSeconds: 60,
  market: { index: { model: 'gbm', p0: 100, sigma: 0.5 }, funding: { enabled: false } },
  venue: { tiers: [{ minNotional: 0, mmr: 0.005, imr: 0.01 }] }, // up to 100x: nothing drawn is cut
  agents: {
    traders: {
      count: N,
      capital: { dist: 'fixed', value: 10_000 },
      mix: [{ strategy: 'hold', fraction: 1, params: { side: 'random', ...params } }],
    },
  },
});

describe('hold: populations with spread', () => {
  it('leverageSigma draws each account log-normally around leverage', () => {
    const sim = new Simulation(parseConfig(cfg({ leverage: 5, leverageSigma: 0.5 })), { seed: 7 });
    sim.start();
    const a = sim.accounts;
    const ln: number[] = [];
    for (let i = 0; i < N; i++) ln.push(Math.log((Math.abs(a.qty[i]) * 100) / 10_000));
    ln.sort((x, y) => x - y);
    const median = (ln[N / 2 - 1] + ln[N / 2]) / 2;
    const mean = ln.reduce((s, x) => s + x, 0) / N;
    const sd = Math.sqrt(ln.reduce((s, x) => s + (x - mean) ** 2, 0) / (N - 1));
    // median of a normal sample: standard error 1.2533·σ/√n = 0.014; four of them
    expect(Math.abs(median - Math.log(5))).toBeLessThan(4 * 1.2533 * (0.5 / Math.sqrt(N)));
    // sample standard deviation: standard error σ/√(2(n−1)) = 0.0079; four of them
    expect(Math.abs(sd - 0.5)).toBeLessThan(4 * (0.5 / Math.sqrt(2 * (N - 1))));
  });

  it('without it every account opens at the same leverage, as before', () => {
    const sim = new Simulation(parseConfig(cfg({ leverage: 5 })), { seed: 7 });
    sim.start();
    for (let i = 0; i < N; i++) expect((Math.abs(sim.accounts.qty[i]) * 100) / 10_000).toBeCloseTo(5, 9);
  });

  it('openWithinTicks opens each account at a tick drawn from the first N, so entry prices differ', () => {
    const sim = new Simulation(parseConfig(cfg({ leverage: 5, openWithinTicks: 20 })), { seed: 7 });
    sim.start();
    const a = sim.accounts;
    const open = () => {
      let k = 0;
      for (let i = 0; i < N; i++) if (a.qty[i] !== 0) k++;
      return k / N;
    };
    expect(open()).toBe(0); // nothing before the first tick
    for (let t = 0; t < 10; t++) sim.step(t);
    // half the ticks: a binomial share with standard error √(0.25/n) = 0.011; four of them
    expect(Math.abs(open() - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / N));
    for (let t = 10; t < 20; t++) sim.step(t);
    expect(open()).toBe(1);
    // the entries are the marks of twenty different ticks (a random path), paid through the book
    const entries = new Set<number>();
    for (let i = 0; i < N; i++) entries.add(Math.round(a.entry[i] * 1e6));
    expect(entries.size).toBeGreaterThanOrEqual(20);
    const m = sim.finish();
    expect(m.venue_fees).toBeGreaterThan(0); // they paid the taker fee, unlike the starting state
  });
});

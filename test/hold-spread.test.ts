/**
 * Populations with spread (issue 15, item 2) in the `hold` strategy: leverage drawn log-normally around
 * `leverage` (`leverageSigma`) or from an empirical histogram (`leverageHistogram`), opening times drawn
 * uniformly over the first N ticks (`openWithinTicks`), so entry prices differ, and margin modes that
 * differ within the group (`margin.share`). Statistical checks use a fixed seed and tolerances of four
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

  it('leverageHistogram draws a bin by weight and the leverage log-uniform within it', () => {
    const h = { edges: [1, 2, 10, 20], weights: [1, 0, 3] };
    const sim = new Simulation(parseConfig(cfg({ leverageHistogram: h })), { seed: 7 });
    sim.start();
    const a = sim.accounts;
    const lnHigh: number[] = [];
    for (let i = 0; i < N; i++) {
      const lev = (Math.abs(a.qty[i]) * 100) / 10_000;
      // every draw in a bin with weight; none in the empty bin [2, 10)
      expect((lev >= 1 && lev < 2) || (lev >= 10 && lev <= 20)).toBe(true);
      if (lev >= 10) lnHigh.push(Math.log(lev));
    }
    // the upper bin's share: binomial, p = 3/4, standard error √(p(1−p)/n) = 0.0097; four of them
    expect(Math.abs(lnHigh.length / N - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / N));
    // log-uniform within it: ln(lev) uniform on [ln 10, ln 20], mean at the middle, standard error
    // (ln 2/√12)/√n₂; four of them
    const mean = lnHigh.reduce((x, y) => x + y, 0) / lnHigh.length;
    expect(Math.abs(mean - (Math.log(10) + Math.log(20)) / 2)).toBeLessThan(
      (4 * (Math.log(2) / Math.sqrt(12))) / Math.sqrt(lnHigh.length),
    );
  });

  it('a histogram with leverageSigma, or weights that do not fit the edges, is refused naming the field', () => {
    const bad = (params: Record<string, unknown>) => () => parseConfig(cfg(params));
    expect(bad({ leverageSigma: 0.5, leverageHistogram: { edges: [1, 2], weights: [1] } })).toThrow(
      /leverageHistogram.*not both/s,
    );
    expect(bad({ leverageHistogram: { edges: [1, 2, 3], weights: [1] } })).toThrow(
      /weights.*one weight per bin/s,
    );
    expect(bad({ leverageHistogram: { edges: [2, 1], weights: [1] } })).toThrow(/edges.*rise strictly/s);
    expect(bad({ leverageHistogram: { edges: [1, 2], weights: [0] } })).toThrow(/weights.*above 0/s);
  });

  it("margin.share: only that share of the group's accounts follows its margin policy", () => {
    const margin = { policy: 'topup', reserveFraction: 0.5, share: 0.25 };
    const sim = new Simulation(parseConfig(cfg({ leverage: 5, margin })), { seed: 7 });
    sim.start();
    let reserved = 0;
    for (let i = 0; i < N; i++) if (sim.accounts.wallet[i] > 0) reserved++;
    expect(reserved).toBe(Math.round(0.25 * N)); // exactly: the first quarter of the group keeps a reserve
  });

  it("a drawn leverage above the venue's highest is taken at it: every account opens", () => {
    const c = cfg({ leverage: 8, leverageSigma: 0.5 });
    c.venue = { tiers: [{ minNotional: 0, mmr: 0.05, imr: 0.1 }] }; // at most 10x
    const sim = new Simulation(parseConfig(c), { seed: 7 });
    sim.start();
    let atMost = 0;
    for (let i = 0; i < N; i++) {
      const lev = (Math.abs(sim.accounts.qty[i]) * 100) / 10_000;
      expect(lev).toBeGreaterThan(0);
      expect(lev).toBeLessThanOrEqual(10);
      if (lev > 9.999) atMost++;
    }
    // P(8·e^{0.5 z} > 10) = P(z > 2 ln(1.25)) = 0.3264; binomial standard error √(p(1−p)/n); four of them
    const p = 0.3264;
    expect(Math.abs(atMost / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
  });
});

/**
 * Whole venues checked tick by tick (test/invariants.ts): a LUNA replay and the default experiment.
 *
 * A replay of a real crash to near zero, not tuned to any outcome: LUNA on the oracle Drift used, 9–11 May
 * 2022 (data/luna_usd_drift_oracle_1m_2022-05-09_2022-05-11.csv: 63.90 → 0.687, −98.9%), one-minute ticks,
 * every role but arbitrageurs, margin checked against the oracle, and the full waterfall (takeovers, the LP
 * vault, the book, the insurance fund, ADL, socialized loss). The population is the default experiment's
 * mix at a smaller size, with the strategies' and venue's defaults; nothing here was chosen to make a
 * number come out. Without arbitrageurs the book's mark is held to the oracle only by the price band.
 *
 * What must hold (limited liability and the venue's loss): after every tick and at the end, every
 * invariant of `checkRun` (no agent or LP losing more than it put in, no holder's deficit left unbooked,
 * the vault's shares worth at least zero, the mark inside the band, conservation, who paid); no group
 * earning more than the money that was in the system at the start; and the venue's loss being what the
 * waterfall could not cover: shortfall − (fund + vault + ADL) + what is still open.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type SimConfigInput, Simulation } from '../src/index.js';
import { ROOT } from './cli-helpers.js';
import { checkRun } from './invariants.js';

const LUNA: SimConfigInput = {
  ticks: 3600, // 60 hours of the file's 61
  dtSeconds: 60,
  market: {
    index: { model: 'replay', file: 'data/luna_usd_drift_oracle_1m_2022-05-09_2022-05-11.csv' },
    liquidity: { depthUsd: 2_000_000, resilience: 0.9, thinning: 1 },
    congestion: { sensitivity: 0.5 },
  },
  venue: { marginPrice: 'oracle', insuranceFund: 0, insuranceFundShareOfCollateral: 0.005 },
  waterfall: {
    stages: [
      { stage: 'takeover', bonus: 0.05 },
      { stage: 'vault', takeoverBelow: 0.5 },
      { stage: 'market' },
      { stage: 'insurance-fund' },
      { stage: 'adl', ranking: 'bitmex', policy: 'queue' },
      { stage: 'socialized', over: 'winners' },
    ],
  },
  agents: {
    traders: {
      count: 400,
      capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
      mix: [
        { strategy: 'noise', fraction: 0.5 },
        { strategy: 'momentum', fraction: 0.15 },
        { strategy: 'mean-reversion', fraction: 0.1 },
        { strategy: 'hold', fraction: 0.2, params: { side: 'random', leverage: 10 } },
        { strategy: 'whale', fraction: 0.05 },
      ],
    },
    liquidators: {
      count: 3,
      capital: { dist: 'fixed', value: 500_000 },
      mix: [{ strategy: 'fixed-spread-taker', fraction: 1 }],
    },
    lps: {
      count: 20,
      capital: { dist: 'lognormal', median: 200_000, sigma: 0.5 },
      mix: [
        { strategy: 'lp-passive', fraction: 0.5 },
        { strategy: 'lp-yield-chaser', fraction: 0.2 },
        { strategy: 'lp-panic', fraction: 0.2 },
        { strategy: 'lp-front-runner', fraction: 0.1 },
      ],
    },
    marketMakers: { count: 4, mix: [{ strategy: 'passive-mm', fraction: 1 }] },
  },
};

describe('LUNA, May 2022, replayed with every role and no arbitrageurs', () => {
  it('no agent or LP loses more than it put in, and the venue loses what the waterfall could not cover', () => {
    for (const seed of [1, 2]) {
      const { metrics: m } = checkRun(LUNA, seed);
      // the path: down about 99%
      expect(m.min_price).toBeLessThan(0.05 * 63.9);
      expect(m.liquidations).toBeGreaterThan(100);
      expect(m.vault_return).toBeGreaterThanOrEqual(-1);
      const covered = m.paid_by_insurance_fund + m.paid_by_vault + m.paid_by_adl;
      expect(m.loss).toBeCloseTo(m.shortfall - covered + m.open_deficit, 3);
      // no group earned more than the money in the system: every agent's capital and the fund
      const sim = new Simulation(parseConfig(LUNA, { baseDir: ROOT }), { seed, baseDir: ROOT });
      expect(sim.run()).toEqual(m);
      // what is still open, counted here from the accounts themselves: every account's (agents' and the
      // waterfall's rows') negative equity at the final mark
      const a = sim.accounts;
      let open = 0;
      for (let i = 0; i < a.n; i++) open += Math.max(0, -(a.cash[i] + a.qty[i] * (sim.mark - a.entry[i])));
      expect(m.open_deficit).toBeCloseTo(open, 6);
      const money = sim.groupPayoffs.reduce((s, g) => s + g.capital, 0) + m.insurance_fund_start;
      for (const g of sim.groupPayoffs) {
        expect(g.pnl).toBeLessThanOrEqual(money);
        expect(g.pnl).toBeGreaterThanOrEqual(-g.capital * (1 + 1e-12));
      }
    }
  });
});

describe('the default experiment (baseline) keeps every invariant, tick by tick', () => {
  it('three runs of the full-size venue: limited liability, no unbooked deficit, the band, conservation', async () => {
    const { resolveExperiment, deriveRunSeed } = await import('../src/index.js');
    const e = await resolveExperiment({ file: `${ROOT}/experiments/baseline.ts`, overrides: {} });
    for (let r = 0; r < 3; r++) {
      const { metrics: m } = checkRun(e.configs[0], deriveRunSeed(e.seed, 0, r, e.crn));
      expect(m.vault_return).toBeGreaterThanOrEqual(-1);
      expect(m.liquidations).toBeGreaterThan(1000);
    }
  }, 120_000);
});

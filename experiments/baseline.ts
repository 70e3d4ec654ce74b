/**
 * The default experiment (`npm start`): one day of one-minute ticks of a venue through a crash (GBM at 80%
 * annualised volatility with a −35% shock spread over two hours at noon), with all the roles — traders of
 * several strategies, liquidators, backstop LPs in a vault, arbitrageurs and market makers — and the full
 * waterfall: liquidators' takeovers, the LP vault, the book, the insurance fund, auto-deleveraging and
 * socialized loss. 1,000 runs of 10,000 traders; sized to finish in a couple of minutes on two cores.
 */
import { defineExperiment } from 'backstop-sim';

const TRADERS = 10_000;

export default defineExperiment({
  name: 'baseline',
  description:
    'A venue with every role through a one-day crash: who pays for the shortfall, and is staying in worth it?',
  base: {
    ticks: 1440,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.8 },
      shocks: [{ atTick: 720, change: -0.35, durationSeconds: 7200 }],
      liquidity: { depthUsd: 20_000 * TRADERS, resilience: 0.9, thinning: 1 },
      congestion: { sensitivity: 0.5 },
    },
    venue: { insuranceFund: 0, insuranceFundShareOfCollateral: 0.005 },
    waterfall: {
      stages: [
        { stage: 'takeover', bonus: 0.05 }, // liquidators take over at a 5% discount
        { stage: 'vault', takeoverBelow: 0.5 }, // the LP vault takes what they leave, deep underwater
        { stage: 'market' }, // the rest is closed through the book
        { stage: 'insurance-fund' },
        { stage: 'adl', ranking: 'bitmex', policy: 'queue' },
        { stage: 'socialized', over: 'winners' },
      ],
    },
    agents: {
      traders: {
        count: TRADERS,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
        mix: [
          { strategy: 'noise', fraction: 0.5 },
          { strategy: 'momentum', fraction: 0.15 },
          { strategy: 'mean-reversion', fraction: 0.1 },
          { strategy: 'hold', fraction: 0.2, params: { side: 'random', leverage: 10 } },
          { strategy: 'whale', fraction: 0.05, params: { leverage: 20 } },
        ],
      },
      liquidators: {
        count: 5,
        capital: { dist: 'fixed', value: 1_000_000 },
        mix: [{ strategy: 'fixed-spread-taker', fraction: 1 }],
      },
      lps: {
        count: 100,
        capital: { dist: 'lognormal', median: 200_000, sigma: 0.5 },
        mix: [
          { strategy: 'lp-passive', fraction: 0.5 },
          { strategy: 'lp-yield-chaser', fraction: 0.2 },
          { strategy: 'lp-panic', fraction: 0.2 },
          { strategy: 'lp-front-runner', fraction: 0.1 },
        ],
      },
      arbitrageurs: {
        count: 4,
        capital: { dist: 'fixed', value: 2_000_000 },
        mix: [
          { strategy: 'basis-arb', fraction: 0.75 },
          { strategy: 'funding-carry', fraction: 0.25 },
        ],
      },
      marketMakers: { count: 4, mix: [{ strategy: 'passive-mm', fraction: 1 }] },
    },
  },
  runs: 1000,
  seed: 20_240_101,
  crn: true,
  // per-tick series every 30 minutes for 20 sample runs: the report draws their mark, insurance fund, vault and
  // open interest (recording every run's would only make the files larger)
  record: { series: 30, seriesRuns: 20 },
  presets: {
    small: {
      description: 'a quick look: 500 traders, 6 hours, 50 runs',
      runs: 50,
      ticks: 360,
      agents: { traders: { count: 500 } },
      set: {
        'market.shocks': [{ atTick: 180, change: -0.35, durationSeconds: 7200 }],
        'market.liquidity.depthUsd': 10_000_000,
      },
    },
  },
});

/**
 * Does a longer lock-up, or a withdrawal delay, stop the run on the backstop vault — and at what cost?
 * A venue of leveraged traders through a −30% crash six hours in; the LP vault takes over positions deep
 * underwater (and pays shortfalls), then the book, the insurance fund, ADL and socialized loss. The LPs'
 * population either stays (`lp-passive`), runs on a drawdown or a volatility spike (`lp-panic`), or
 * runs on seeing the vault take large positions (`lp-front-runner`). The lock-up (counted from the
 * deposit at the start) and the withdrawal delay (a withdrawal is paid at the share price when it falls
 * due) are swept. `backstop-sim game lp-run` gives, per mechanism, which behaviour is an equilibrium, the
 * probability of insolvency and the LPs' return under it.
 */
import { defineExperiment } from 'backstop-sim';

export default defineExperiment({
  name: 'lp-run',
  description: 'The LP withdrawal game against lock-up length and withdrawal delay',
  base: {
    ticks: 720,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.6 },
      shocks: [{ atTick: 360, change: -0.3, durationSeconds: 3600 }],
      liquidity: { depthUsd: 20_000_000, resilience: 0.9, thinning: 1 },
    },
    venue: { insuranceFund: 0, insuranceFundShareOfCollateral: 0.002 },
    waterfall: {
      stages: [
        { stage: 'vault', lockupSeconds: 0, withdrawalDelaySeconds: 0 },
        { stage: 'market' },
        { stage: 'insurance-fund' },
        { stage: 'adl' },
        { stage: 'socialized' },
      ],
    },
    agents: {
      traders: {
        count: 2000,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
        mix: [
          { strategy: 'hold', fraction: 0.5, params: { side: 'long', leverage: 10 } },
          { strategy: 'noise', fraction: 0.5 },
        ],
      },
      lps: { count: 20, capital: { dist: 'fixed', value: 250_000 } },
      arbitrageurs: {
        count: 2,
        capital: { dist: 'fixed', value: 2_000_000 },
        mix: [{ strategy: 'basis-arb', fraction: 1 }],
      },
    },
  },
  sweep: {
    grid: {
      // none, 3 hours (ends before the crash), 1 day (outlasts the run)
      'waterfall.stages[0].lockupSeconds': [0, 10_800, 86_400],
      'waterfall.stages[0].withdrawalDelaySeconds': [0, 3600, 14_400],
    },
  },
  runs: 100,
  seed: 7,
  game: {
    roles: {
      lps: [
        { strategy: 'lp-passive', label: 'stay' },
        { strategy: 'lp-panic', label: 'panic' },
        { strategy: 'lp-front-runner', label: 'front-run' },
      ],
    },
  },
  presets: {
    small: {
      description: 'seconds: 400 traders, 480 ticks, 6 runs per profile',
      runs: 6,
      ticks: 480,
      agents: { traders: { count: 400 }, lps: { count: 10, capital: { dist: 'fixed', value: 100_000 } } },
      set: {
        'market.shocks': [{ atTick: 240, change: -0.3, durationSeconds: 3600 }],
        'market.liquidity.depthUsd': 4_000_000,
      },
    },
  },
});

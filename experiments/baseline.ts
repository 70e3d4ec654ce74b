/**
 * The default experiment (`npm start`): one day of one-minute ticks of a venue of 100,000 traders through a
 * crash (GBM at 80% annualised volatility with a −35% shock spread over two hours at noon), liquidations
 * going down the waterfall as far as it exists. Roles and waterfall stages join here as they land.
 */
import { defineExperiment } from '../src/index.js';

const TRADERS = 100_000;

export default defineExperiment({
  name: 'baseline',
  description: 'A 100,000-trader venue through a one-day crash: who pays for the shortfall?',
  base: {
    ticks: 1440,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.8 },
      shocks: [{ atTick: 720, change: -0.35, durationSeconds: 7200 }],
      liquidity: { depthUsd: 20_000 * TRADERS, resilience: 0.9, thinning: 1 },
    },
    venue: { insuranceFund: 0, insuranceFundShareOfCollateral: 0.005 },
    agents: {
      traders: {
        count: TRADERS,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
        mix: [
          { strategy: 'noise', fraction: 0.8 },
          { strategy: 'hold', fraction: 0.2, params: { side: 'random', leverage: 10 } },
        ],
      },
    },
  },
  runs: 1000,
  seed: 20_240_101,
  crn: true,
  presets: {
    small: {
      description: 'a quick look: 2,000 traders, 6 hours, 50 runs',
      runs: 50,
      ticks: 360,
      agents: { traders: { count: 2000 } },
      set: {
        'market.shocks': [{ atTick: 180, change: -0.35, durationSeconds: 7200 }],
        'market.liquidity.depthUsd': 40_000_000,
      },
    },
  },
});

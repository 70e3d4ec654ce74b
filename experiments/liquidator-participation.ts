/**
 * At which liquidation incentive do liquidators show up in a crash? (the analogue of Gauntlet's lending
 * curves). A venue of 10x longs through a −30% crash; positions below maintenance are first offered to
 * liquidators at a fixed discount (`takeover` stage, the bonus swept), then closed through the book, and
 * the insurance fund pays what is left. The liquidators' population either liquidates (takes every
 * takeover worth its costs and runs a keeper bot) or stays idle; a third candidate liquidates only with a
 * 2% margin over its valuation. `backstop-sim game liquidator-participation` finds, per bonus, which of
 * them is an equilibrium and what the venue loses under it.
 *
 * There is no ADL or socialized-loss stage: it would claw back the liquidators' bonus gains (they are the
 * tick's winners), which mixes a second mechanism into the participation question.
 */
import { defineExperiment } from 'backstop-sim';

export default defineExperiment({
  name: 'liquidator-participation',
  description:
    'Liquidation incentive (takeover bonus) swept: is liquidating an equilibrium, and what does the venue lose?',
  base: {
    ticks: 720,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.5 },
      shocks: [{ atTick: 360, change: -0.3, durationSeconds: 3600 }],
      liquidity: { depthUsd: 10_000_000 },
      // keepers pay more gas, and wait, when the crash congests the chain
      congestion: { sensitivity: 1, gasUsd: 5, gasPerLevel: 2 },
    },
    // an insurance fund of 0.2% of the traders' collateral pays shortfalls first
    venue: { insuranceFund: 0, insuranceFundShareOfCollateral: 0.002 },
    waterfall: {
      stages: [{ stage: 'takeover', bonus: 0.05 }, { stage: 'market' }, { stage: 'insurance-fund' }],
    },
    agents: {
      traders: {
        count: 1000,
        capital: { dist: 'fixed', value: 10_000 },
        mix: [{ strategy: 'hold', fraction: 1, params: { side: 'long', leverage: 10 } }],
      },
      liquidators: { count: 5, capital: { dist: 'fixed', value: 2_000_000 } },
    },
  },
  sweep: { grid: { 'waterfall.stages[0].bonus': [0.005, 0.01, 0.03, 0.1, 0.2] } },
  runs: 100,
  seed: 6,
  game: {
    roles: {
      liquidators: [
        { strategy: 'fixed-spread-taker', label: 'liquidate', params: { margin: 0 } },
        { strategy: 'fixed-spread-taker', label: 'liquidate-cautious', params: { margin: 0.02 } },
        // never finds a takeover worth a 1e9 margin and runs no keeper bot: stays idle
        { strategy: 'fixed-spread-taker', label: 'idle', params: { margin: 1e9, runsBot: false } },
      ],
    },
  },
  presets: {
    small: {
      description: 'seconds: 300 traders, 400 ticks, 6 runs per profile',
      runs: 6,
      ticks: 400,
      agents: { traders: { count: 300 } },
      set: {
        'market.shocks': [{ atTick: 200, change: -0.3, durationSeconds: 3600 }],
        'market.liquidity.depthUsd': 5_000_000,
      },
    },
  },
});

/** The default experiment: a venue of noise and holding traders through a 35% crash. */
export default {
  name: 'baseline',
  runs: 200,
  seed: 42,
  base: {
    ticks: 1440,
    market: {
      index: { model: 'gbm', p0: 2000, sigma: 0.8 },
      shocks: [{ atTick: 720, change: -0.35, durationSeconds: 7200 }],
      liquidity: { depthUsd: 20_000_000, thinning: 1 },
    },
    venue: { insuranceFund: 2_000_000 },
    agents: {
      traders: {
        count: 2000,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 },
        mix: [
          { strategy: 'noise', fraction: 0.8 },
          { strategy: 'hold', fraction: 0.2, params: { side: 'random', leverage: 10 } },
        ],
      },
    },
  },
};

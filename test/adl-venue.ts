/**
 * The venue the ADL closer tests share (test/adl-closer.test.ts, test/adl-outcomes.test.ts): one 20x long of
 * 10,000 (2,000 units at 100, bankruptcy price 95) and `shorts` shorts of 10,000 at `shortLeverage` (ten 2x
 * shorts by default: 200 units each, 2,000 together); the index falls 10% in one tick, and the book holds
 * 1 USD of depth per 1%, so it can close nothing: whatever closes the long is ADL. `adl` is merged into the
 * closer stage, listed first.
 */
import type { SimConfigInput } from '../src/index.js';

export function adlVenue(adl: Record<string, unknown>, shorts = 10, shortLeverage = 2): SimConfigInput {
  return {
    ticks: 10,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 100, sigma: 0 },
      shocks: [{ atTick: 2, change: -0.1, durationSeconds: 60 }],
      liquidity: { depthUsd: 1 },
      funding: { enabled: false },
    },
    venue: { insuranceFund: 1e6, takerFee: 0 },
    waterfall: {
      stages: [
        { stage: 'adl', form: 'closer', ...adl },
        { stage: 'market' },
        { stage: 'insurance-fund' },
        { stage: 'socialized' },
      ],
    },
    agents: {
      traders: {
        count: 1 + shorts,
        capital: { dist: 'fixed', value: 10_000 },
        mix: [
          { strategy: 'hold', count: 1, params: { side: 'long', leverage: 20 } },
          { strategy: 'hold', count: shorts, params: { side: 'short', leverage: shortLeverage } },
        ],
      },
    },
  };
}

/**
 * Gauntlet's Liquidations 2.0 study (2021), in the small: Dutch-auction (Clipper) parameters — buf,
 * cut/step, cusp, tail — swept on a full grid across volatilities, each grid point on the same paths
 * (common random numbers). The grid holds MakerDAO's ETH-B terms (buf 1.3, cut 0.99 every 90 s, cusp 0.4,
 * tail 8,400 s) and Gauntlet's recommendation (buf 1.10, cut 0.997 every 30 s, cusp 0.6, tail 5,200 s).
 *
 * Published record (domain notes §4): Dutch auctions beat English on throughput and insolvency at every
 * setting, most at Black-Thursday volatility (English against Dutch on one path: see black-thursday);
 * Gauntlet recommended the terms above.
 *
 * Set-up: 12 hours of 1-minute ticks; GBM at the swept volatility with a −40% crash spread over six hours
 * from hour one (Black Thursday's ETH fell 43% in a day); vaults as in black-thursday (long ETH at
 * collateralization 160–270%, 150% liquidation ratio, one-hour-late oracle); Dutch takers with a 2%
 * margin, mildly congested keepers. Measures: deficit = unpaid + open_deficit; liquidated notional
 * (throughput); keepers' PnL (what the auctions gave away).
 */
import { defineExperiment } from 'backstop-sim';

const RATIOS = [1.6, 1.8, 2.0, 2.3, 2.7];

export default defineExperiment({
  name: 'clipper-sweep',
  description: "Liquidations 2.0: buf, cut/step, cusp, tail across volatilities; ETH-B vs Gauntlet's terms",
  base: {
    ticks: 720,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: 200, sigma: 1 }, // swept (annualised)
      shocks: [{ atTick: 60, change: -0.4, durationSeconds: 21_600 }],
      oracle: { delaySeconds: 3600, heartbeatSeconds: 3600, deviation: 0 }, // Maker's OSM
      liquidity: { depthUsd: 2_000_000, resilience: 0.9, thinning: 1 }, // USD per 1%
      funding: { enabled: false },
      congestion: {
        baseline: 0.2, // mild congestion throughout (dimensionless)
        sensitivity: 0.5, // more as realized volatility rises above refVol
        gasUsd: 2,
        gasPerLevel: 5,
        failureRate: 1, // P(fail) = 1 − e^(−level)
        delayTicksPerLevel: 2,
      },
    },
    venue: {
      marginPrice: 'oracle',
      // 150% liquidation ratio; a vault may be drawn down to it (imr = mmr, MakerDAO's rule)
      tiers: [{ minNotional: 0, mmr: 1 / 3, imr: 1 / 3 }],
      // the book stands for the spot market keepers sell into: its band is centred on the index
      priceBand: { reference: 'index' },
      takerFee: 0,
      insuranceFund: 0,
    },
    agents: {
      traders: {
        count: 1000,
        capital: { dist: 'uniform', min: 1000, max: 3600 }, // vault equity (USD)
        mix: RATIOS.map((r) => ({
          strategy: 'hold',
          fraction: 1 / RATIOS.length,
          params: { side: 'long' as const, leverage: r / (r - 1) },
        })),
      },
      liquidators: {
        count: 20,
        capital: { dist: 'fixed', value: 150_000 }, // DAI per keeper (USD)
        // keepers pay for lots in full: their inventory limit is their DAI
        mix: [{ strategy: 'dutch-taker', fraction: 1, params: { margin: 0.02, capitalLimitUsd: 150_000 } }],
      },
    },
    waterfall: {
      stages: [
        {
          stage: 'dutch-auction',
          buf: 1.3, // swept: start price over the oracle
          curve: { type: 'stairstep', cut: 0.99, step: 90 }, // cut and step swept (per step, seconds)
          cusp: 0.4, // swept: reset below this share of the start price
          tail: 8400, // swept: reset after this long (seconds)
          chop: 1.13, // 13% penalty
          tip: 0, // USD
          chip: 0.001, // share of the tab
          hole: 1e12, // not binding (USD)
          Hole: 1e12,
          maxResets: 1_000_000, // never passed on: keeps resetting, as in MakerDAO
          slots: 1024,
        },
        { stage: 'insurance-fund' },
      ],
    },
  },
  sweep: {
    grid: {
      'market.index.sigma': [0.6, 1.2, 2.4], // calm, volatile, Black-Thursday-like (annualised)
      'waterfall.stages[0].buf': [1.1, 1.3],
      'waterfall.stages[0].curve.cut': [0.99, 0.997],
      'waterfall.stages[0].curve.step': [30, 90],
      'waterfall.stages[0].cusp': [0.4, 0.6],
      'waterfall.stages[0].tail': [5200, 8400],
    },
  },
  runs: 30,
  seed: 20_210_401,
  crn: true,
  presets: {
    small: {
      description: 'a quick look: 200 vaults, 4 keepers, 6 hours, 1 run per point',
      runs: 1,
      ticks: 360,
      agents: { traders: { count: 200 }, liquidators: { count: 4 } },
      set: {
        'market.shocks': [{ atTick: 30, change: -0.4, durationSeconds: 10_800 }],
        'market.liquidity.depthUsd': 400_000,
        'waterfall.stages[0].slots': 256,
      },
    },
  },
});

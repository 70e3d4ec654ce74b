/**
 * A 10-October-2025-like cascade (Hyperliquid, 21:15–21:27 UTC): a fast crash into a thin book, many
 * high-leverage longs, a small insurance fund, and auto-deleveraging of the profitable shorts. The ADL
 * policy is swept: the production-like PnL queue that closes every winner it touches, the same queue
 * reducing only what is needed, pro-rata, capped pro-rata and risk-aware pro-rata.
 *
 * Published record (domain notes §4; data/hyperliquid_*_2025-10-10.csv): 63,637 liquidation fills and
 * 34,983 ADL fills; 7.61B USD of forced closes, 2.10B of them ADL (27.6%); first ADL 61.7 s after the
 * first liquidation, then bursts; ADL hit profitable low-leverage accounts (median leverage 0.15x);
 * reconstructions put the production queue's overshoot at 45–52M USD against about 3M USD for the best
 * alternative policy.
 *
 * Measures: `adl_overshoot` (USD taken from winners beyond the shortfall), `adl_notional` against
 * `liquidated_notional`, and — from the events (`--events`), see test/experiments-adl-policies.test.ts —
 * the concentration of the ADL burden over accounts and which trader groups (leverage) were hit, and
 * the time from the first liquidation to the first ADL.
 *
 * No intraday price file for the day is in data/ (see data/README.md), so the crash is synthetic:
 * −18% over three minutes on a GBM path, calibrated only in shape.
 */
import { defineExperiment } from 'backstop-sim';

const TRADERS = 3000;
/**
 * Spread of leverage within each cohort (log-normal σ, assumed): a cohort's accounts no longer share one
 * liquidation price, so the cascade runs over many ticks instead of two; a draw above the venue's 40x opens
 * at 40x.
 */
const SPREAD = 0.3;

export default defineExperiment({
  name: 'adl-policies',
  description: 'A 10-October-2025-like cascade: ADL by queue, pro-rata, capped and risk-aware pro-rata',
  base: {
    ticks: 240, // 20 minutes of 5-second ticks
    dtSeconds: 5,
    market: {
      index: { model: 'gbm', p0: 100, sigma: 0.8 }, // annualised volatility before the crash
      // the crash: −18% spread over 180 s from one minute in (Hyperliquid's majors fell 10–20% within
      // minutes; alts more)
      shocks: [{ atTick: 12, change: -0.18, durationSeconds: 180 }],
      // a thin book: 75M USD moves the mark 1%, halving as realized volatility doubles; impact decays
      // slowly (resilience per 5-s tick)
      liquidity: { depthUsd: 75_000_000, resilience: 0.95, thinning: 1, volWindowTicks: 12 },
      oracle: { heartbeatSeconds: 5, deviation: 0 },
      funding: { enabled: false },
    },
    venue: {
      marginPrice: 'mark',
      tiers: [{ minNotional: 0, mmr: 0.02, imr: 0.025 }], // up to 40x (Hyperliquid's majors)
      insuranceFund: 250_000, // a small fund (USD)
    },
    agents: {
      traders: {
        count: TRADERS,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1 }, // USD per account
        mix: [
          // high-leverage longs: liquidated in the crash, many bankrupt in the thin book
          { strategy: 'hold', fraction: 0.35, params: { side: 'long', leverage: 30, leverageSigma: SPREAD } },
          { strategy: 'hold', fraction: 0.15, params: { side: 'long', leverage: 12, leverageSigma: SPREAD } },
          // the profitable shorts ADL draws on: large low-leverage accounts (hedgers and funds with
          // cross-margined collateral, 0.5x; median capital 200,000 USD) ...
          {
            strategy: 'hold',
            fraction: 0.1,
            params: { side: 'short', leverage: 0.5, leverageSigma: SPREAD },
            capital: { dist: 'lognormal', median: 200_000, sigma: 1 },
          },
          // ... and leveraged retail shorts
          { strategy: 'hold', fraction: 0.25, params: { side: 'short', leverage: 5, leverageSigma: SPREAD } },
          {
            strategy: 'hold',
            fraction: 0.15,
            params: { side: 'short', leverage: 15, leverageSigma: SPREAD },
          },
        ],
      },
    },
    waterfall: {
      stages: [
        { stage: 'market' }, // liquidation orders into the book, whole
        { stage: 'insurance-fund' },
        // ADL of the opposite side's winners, ranked by unrealized PnL (a "PnL queue"), filled at the
        // bankrupt's bankruptcy price; capped policies take at most 30% of a winner's capacity
        { stage: 'adl', ranking: 'upnl', policy: 'queue', price: 'bankruptcy', maxHaircut: 0.3 },
        { stage: 'socialized' },
      ],
    },
  },
  sweep: {
    zip: {
      // 'queue' + 'whole': production-like (every winner touched is closed entirely)
      'waterfall.stages[2].policy': ['queue', 'queue', 'pro-rata', 'capped-pro-rata', 'risk-aware-pro-rata'],
      'waterfall.stages[2].close': ['whole', 'needed', 'needed', 'needed', 'needed'],
    },
  },
  runs: 100,
  seed: 20_251_010,
  crn: true,
  record: { events: true },
  presets: {
    small: {
      description: 'a quick look: 1,000 accounts, 4 runs per policy',
      runs: 4,
      agents: { traders: { count: 1000 } },
      set: { 'market.liquidity.depthUsd': 25_000_000, 'venue.insuranceFund': 80_000 },
    },
  },
});

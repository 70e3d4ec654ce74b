/**
 * The HLP ETH whale, 12 March 2025, reproduced by mechanism: a 50x ETH long of about 306M USD; once in
 * profit, the trader withdraws everything above initial margin, unrealized gain included (Hyperliquid's
 * rule then), which leaves the position a little above maintenance; a small fall liquidates it, the book
 * cannot take it, the HLP vault takes it over with what margin is left and unwinds it into the book.
 *
 * Published record (domain notes §4, press): the vault lost about 4M USD while the trader made about 1.8M;
 * leverage caps were cut afterwards (to 25x on ETH) and withdrawals were made to leave 20% margin.
 *
 * Set from the record: the position (306M USD of ETH at 50x); Hyperliquid's margin (maintenance half of
 * initial) and waterfall (market orders in 20% slices every 30 s above 100,000 USD; the vault takes over
 * below 2/3 of maintenance); withdrawals down to initial margin with unrealized gains (`withdrawUnrealized`).
 *
 * Assumed (not in the record; each stated so it can be changed): the path (ETH up 3% over two hours, the
 * withdrawal at the top, then easing back 1.5% over an hour, on a GBM of 60% a year); the book (20M USD per
 * 1%, impact decaying by 2% a minute); HLP's equity (350M USD) and its unwinding (2% of its inventory a
 * minute). The whale is the only trader, so the traders' PnL is its PnL.
 *
 * Emerges: whether and when the whale is liquidated, how much the vault takes over, the vault's PnL from
 * unwinding it, and the whale's PnL (its withdrawal less the capital it put in). Two of these lean on the
 * assumptions: the whale's gain is about what the assumed 3% rise lets it withdraw, and the takeover needs
 * the fall after the withdrawal to pass the 1.33% that takes 2% margin to 2/3 of 1% maintenance (the
 * assumed 1.5% easing does, with the GBM's noise; the table shows on how many paths).
 *
 * Swept (zip): the rules on the day (50x, withdrawals down to initial margin), then each fix made afterwards
 * alone (25x; withdrawals must leave 20% of the notional as margin), then both.
 */
import { defineExperiment } from 'backstop-sim';

/** The whale's position (USD of ETH) and its leverage on the day. */
const NOTIONAL = 306_000_000;
const LEVERAGE = 50;
/** The first price of the (synthetic) path (USD per ETH). */
const P0 = 1900;

export default defineExperiment({
  name: 'hlp-2025-03-12',
  description: 'The HLP ETH whale of 12 March 2025: withdrawing unrealized gains, then a vault takeover',
  base: {
    ticks: 480, // 8 hours of 1-minute ticks
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: P0, sigma: 0.6 },
      shocks: [
        { atTick: 10, change: 0.03, durationSeconds: 7200 }, // up 3% over two hours
        { atTick: 150, change: -0.015, durationSeconds: 3600 }, // eases back 1.5% over an hour
      ],
      liquidity: { depthUsd: 20_000_000, resilience: 0.98 },
      oracle: { heartbeatSeconds: 60, deviation: 0 },
      funding: { enabled: false },
    },
    venue: {
      // 50x on ETH on the day: initial 2%, maintenance half of it (Hyperliquid's rule)
      tiers: [{ minNotional: 0, mmr: 1 / LEVERAGE / 2, imr: 1 / LEVERAGE }],
      insuranceFund: 0,
      withdrawUnrealized: true,
    },
    agents: {
      traders: {
        count: 1,
        // the whale: 6.12M USD of margin, 306M USD at 50x; withdraws all it may at the top (tick 130)
        capital: { dist: 'fixed', value: NOTIONAL / LEVERAGE },
        mix: [
          {
            strategy: 'whale',
            count: 1,
            params: { leverage: LEVERAGE, side: 'long', maxLeverage: LEVERAGE, withdrawAtTick: 130 },
          },
        ],
      },
    },
    waterfall: {
      stages: [
        // HLP takes over an account below 2/3 of maintenance, whatever the book is doing with it
        {
          stage: 'vault',
          initialUsd: 350_000_000,
          takeoverBelow: 2 / 3,
          takeOnDecline: false,
          unwindFraction: 0.02,
        },
        // above it, market orders: whole up to 100,000 USD, larger positions 20% every 30 s
        { stage: 'market', fraction: 0.2, sliceAboveUsd: 100_000, cooldownSeconds: 30 },
        { stage: 'socialized' },
      ],
    },
  },
  sweep: {
    zip: {
      // the day's rule, each fix alone, both: 50x or 25x (the tiers), and withdrawals down to initial margin
      // or leaving 20%
      'venue.tiers[0].imr': [1 / 50, 1 / 25, 1 / 50, 1 / 25],
      'venue.tiers[0].mmr': [1 / 100, 1 / 50, 1 / 100, 1 / 50],
      'agents.traders.mix[0].params.leverage': [50, 25, 50, 25],
      'agents.traders.mix[0].params.maxLeverage': [50, 25, 50, 25],
      // withdrawals must leave 20% of the notional as margin (Hyperliquid's rule since)
      'venue.withdrawMarginFloor': [0, 0, 0.2, 0.2],
    },
  },
  runs: 40,
  seed: 20_250_312,
  crn: true,
  presets: {
    small: {
      description: 'a quick look: 4 runs per point',
      runs: 4,
    },
  },
});

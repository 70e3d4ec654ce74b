/**
 * The JELLY pattern (Hyperliquid, 26 March 2025): an attacker opens a large, thinly margined short (the
 * bait) and an equal long, then buys the thin spot market the index comes from. The bait is liquidated;
 * the book cannot absorb it, so the backstop vault (HLP) takes it over and carries the loss while the push
 * goes on. Swept: the perp book's depth, an open-interest cap on what the vault may take over
 * (`maxPositionUsd`; above it the market stage sells the position into the book instead), and a
 * settlement override (the `settlement` stage: every position closed at the pre-attack price).
 *
 * Published record (domain notes §4, press): a short of about 4–6M USD taken over by the vault, the spot
 * price pushed up 400–500%, the vault's unrealized loss about 12M USD; validators delisted the market and
 * settled it at a chosen price (the attacker's entry), so the vault ended with a small gain.
 *
 * Scale: the vault holds 20M USD (HLP held a few hundred million; what matters here is the loss, not the
 * share). Time: 1-minute ticks.
 */
import { defineExperiment } from 'backstop-sim';

/** Start price of the token (USD); the settlement override pays everyone at this price. */
const P0 = 1;

export default defineExperiment({
  name: 'vault-attack',
  description: 'JELLY pattern: attacker vs the backstop vault; book depth, OI caps and a settlement override',
  base: {
    ticks: 150,
    dtSeconds: 60,
    market: {
      index: { model: 'gbm', p0: P0, sigma: 1 }, // a volatile small-cap (annualised)
      // the spot market the index is taken from: 150,000 USD of buying moves it 1% (thin), and the move
      // mostly stays (resilience per tick)
      spot: { depthUsd: 150_000, resilience: 0.995 },
      // the perp book: swept (USD per 1%); impact decays by resilience per tick
      liquidity: { depthUsd: 1_000_000, resilience: 0.9 },
      oracle: { heartbeatSeconds: 60, deviation: 0 },
      funding: { enabled: false },
    },
    venue: {
      tiers: [{ minNotional: 0, mmr: 0.05, imr: 0.1 }], // a small-cap: 10x at most
      insuranceFund: 0,
    },
    agents: {
      traders: {
        count: 2,
        // USD per attacker account: each leg posts 500,000 of margin (5M at 10x); the long pays for the
        // push (60 × 450,000 = 27M of spot) from the rest, as nothing is lent (the bait's rest stays idle)
        capital: { dist: 'fixed', value: 28_000_000 },
        mix: [
          // the attacker pair: a 5M USD short (the bait, 10x) and a 5M USD long; 10 minutes in, spot
          // buying of 450,000 USD a minute for 60 minutes; from tick 110 (after the settlement, when it
          // happens) it closes its long and sells its spot back through the same thin spot book over 30
          // minutes: its gain counts only as far as that sale realizes it
          {
            strategy: 'attacker',
            count: 2,
            params: {
              notionalUsd: 5_000_000,
              baitLeverage: 10,
              startTick: 10,
              pushStartTick: 20,
              pushTicks: 60,
              pushUsdPerTick: 450_000,
              exitTick: 110,
              exitTicks: 30,
            },
          },
        ],
      },
    },
    waterfall: {
      stages: [
        // HLP: takes over below 2/3 of maintenance and holds what it took (HLP could not close the JELLY
        // short into the thin book); no cap on what one takeover may take (USD; swept)
        {
          stage: 'vault',
          initialUsd: 20_000_000,
          takeoverBelow: 2 / 3,
          unwind: 'hold',
          maxPositionUsd: 0,
        },
        // otherwise liquidation into the book in 20% slices every 30 s (Hyperliquid above 100,000 USD)
        { stage: 'market', fraction: 0.2, sliceAboveUsd: 100_000, cooldownSeconds: 30 },
        { stage: 'insurance-fund' },
        { stage: 'socialized' },
        // the settlement override: swept between tick 100 (after the push: delisted and settled at the
        // pre-attack price P0) and never (a tick beyond the run)
        { stage: 'settlement', atTick: 'never', price: P0 },
      ],
    },
  },
  sweep: {
    grid: {
      'market.liquidity.depthUsd': [250_000, 1_000_000, 4_000_000], // perp book depth (USD per 1%)
      'waterfall.stages[0].maxPositionUsd': [0, 2_000_000], // OI cap on one takeover (USD; 0: none)
      'waterfall.stages[4].atTick': ['never', 100], // settlement: never, or at tick 100
    },
  },
  runs: 50,
  seed: 20_250_326,
  crn: true,
  presets: {
    small: {
      description: 'a quick look: 3 runs per point',
      runs: 3,
    },
  },
});

/**
 * Hyperliquid, 10 October 2025, 21:15–21:27 UTC, reproduced by mechanism: a fast crash into a thin book,
 * Hyperliquid's waterfall (market orders, sliced above 100,000 USD; the HLP liquidator vault taking over
 * accounts below 2/3 of maintenance; ADL closing bankrupt positions against the opposite side's winners at
 * the previous oracle price), and a two-sided population with spread in leverage, size and entry time.
 *
 * Set from the record (domain notes §1–§4, data/README.md §2):
 * - the clock: 1-second ticks from 20:45:00; the crash starts at 21:15:00 and lasts the six minutes in
 *   which the published liquidation fills fell (data/hyperliquid_liquidation_fill_counts_per_minute_…csv:
 *   98% of fills in 21:15–21:20);
 * - the drop: −15%, the middle of the majors' 10–20% (no intraday price file for the day is in data/);
 * - margin: 40x maximum leverage (IMR 2.5%), maintenance half of it (1.25%), Hyperliquid's rule;
 * - the waterfall: whole market orders up to 100,000 USD, larger positions 20% every 30 s; the vault takes
 *   over below 2/3 of maintenance; ADL closes a position whose account is bankrupt at the mark, ranked by
 *   PnL and leverage (the BitMEX score), at the previous oracle price; no separate insurance fund;
 * - open interest is two-sided: every long has an account on the other side (a perpetual venue has no
 *   other counterparty), so the shorts ADL draws on hold the whole of the longs' notional.
 *
 * - margin is checked against the oracle: Hyperliquid's mark is a median of the oracle (plus a 150-s EMA of
 *   the basis), its own book and other venues' perps, so its own book pushed down alone barely moves it.
 *
 * Assumed (not in the record; each stated so it can be changed): the population's capital (log-normal,
 * median 10,000 USD, σ 1.5) and leverage (log-normal, median 3x, σ 1, the same on both sides), 20,000
 * accounts opening through the book at ticks drawn from the first 25 minutes (so their entry prices follow
 * the path; a warm-up of one minute instead liquidated the most levered before the crash began, the
 * opening flow moving this book too fast); the book's depth (25M USD per 1%, thinning as realized
 * volatility rises); HLP's capital for the liquidator (400M USD) and its unwinding (1% of its inventory a
 * second); 20 basis arbitrageurs of 5M USD each.
 *
 * Emerges (compared with the record in experiments/README.md, never fitted): liquidations and ADL per
 * minute, the ADL share of forced closes, the delay from the first liquidation to the first ADL, the
 * leverage of the accounts ADL hit, the concentration of the burden, and the overshoot of the production
 * price against ADL at the bankruptcy price, under each allocation policy.
 */
import { defineExperiment } from 'backstop-sim';

const ACCOUNTS = 20_000;
/** The book: USD that moves the mark 1% (assumed: about Hyperliquid's BTC book on a calm day). */
const DEPTH = 25_000_000;
/** Capital of each of the 20 arbitrageurs (USD; assumed). */
const ARB_CAPITAL = 5_000_000;
/**
 * The warm-up: the run starts at 20:45:00; every account opens at a tick drawn from the first 25 minutes,
 * through the book, so entry prices differ along the path; the crash starts at 21:15:00 (tick 1,800).
 */
const WARM_UP_OPEN = 1500;
const CRASH_TICK = 1800;
/** Trader leverage: log-normal around the median (the same law on both sides). */
const LEVERAGE = { leverage: 3, leverageSigma: 1, openWithinTicks: WARM_UP_OPEN };

export default defineExperiment({
  name: 'hyperliquid-2025-10-10',
  description: 'Hyperliquid on 10 October 2025: the cascade, HLP and ADL as a closer, by mechanism',
  base: {
    ticks: CRASH_TICK + 900, // 1-second ticks from 20:45:00 to 21:30:00
    dtSeconds: 1,
    market: {
      index: { model: 'gbm', p0: 100, sigma: 0.8 },
      shocks: [{ atTick: CRASH_TICK, change: -0.15, durationSeconds: 360 }],
      liquidity: { depthUsd: DEPTH, resilience: 0.99, thinning: 1, volWindowTicks: 60 },
      oracle: { heartbeatSeconds: 3, deviation: 0 },
      funding: { enabled: false },
    },
    venue: {
      // Hyperliquid's mark is a median of the oracle (plus a 150-s EMA of the basis), its book and other
      // venues' perps: with its own book alone pushed down it stays near the oracle, so margin is checked there
      marginPrice: 'oracle',
      tiers: [{ minNotional: 0, mmr: 0.0125, imr: 0.025 }],
      insuranceFund: 0,
    },
    agents: {
      traders: {
        count: ACCOUNTS,
        capital: { dist: 'lognormal', median: 10_000, sigma: 1.5 },
        mix: [
          { strategy: 'hold', fraction: 0.5, params: { side: 'long', ...LEVERAGE } },
          { strategy: 'hold', fraction: 0.5, params: { side: 'short', ...LEVERAGE } },
        ],
      },
      // arbitrageurs who buy the perp back toward the oracle when the liquidations push the mark under it,
      // hedged on spot they pay for; without them the mark sits at the band's edge once the vault sells
      arbitrageurs: {
        count: 20,
        capital: { dist: 'fixed', value: ARB_CAPITAL },
        mix: [{ strategy: 'basis-arb', fraction: 1 }],
      },
    },
    waterfall: {
      stages: [
        { stage: 'adl', form: 'closer', ranking: 'bitmex', policy: 'queue', price: 'previous-oracle' },
        {
          stage: 'vault',
          initialUsd: 400_000_000,
          takeoverBelow: 2 / 3,
          takeOnDecline: false,
          unwindFraction: 0.01,
        },
        { stage: 'market', fraction: 0.2, sliceAboveUsd: 100_000, cooldownSeconds: 30 },
        { stage: 'socialized' },
      ],
    },
  },
  sweep: {
    zip: {
      // the production rule (Hyperliquid: PnL-and-leverage queue, previous oracle price), the allocation
      // policies studied since at the same price, and the queue at the bankruptcy price (BitMEX, Binance)
      'waterfall.stages[0].policy': ['queue', 'pro-rata', 'capped-pro-rata', 'risk-aware-pro-rata', 'queue'],
      'waterfall.stages[0].price': [
        'previous-oracle',
        'previous-oracle',
        'previous-oracle',
        'previous-oracle',
        'bankruptcy',
      ],
    },
  },
  runs: 20,
  seed: 20_251_010,
  crn: true,
  record: { events: true },
  presets: {
    small: {
      description: 'a quick look: 4,000 accounts, 4 runs per policy',
      runs: 4,
      agents: { traders: { count: 4000 } },
      // a fifth of the accounts, with a fifth of the book and of the vault
      set: { 'market.liquidity.depthUsd': DEPTH / 5, 'waterfall.stages[1].initialUsd': 80_000_000 },
    },
  },
});

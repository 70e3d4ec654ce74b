/**
 * MakerDAO Black Thursday, 12–13 March 2020: the ETH path replayed; English auctions (Liquidations 1.2,
 * the Flipper) against Dutch auctions (Liquidations 2.0, the Clipper, ETH-B terms) on the same path, the
 * same vaults, the same keepers' capital and the same congestion, with common random numbers.
 *
 * Published record (domain notes §4; MakerDAO's post-mortem): about 36% of flip auctions won with
 * zero-DAI bids, about 8.32M USD of ETH taken that way, about 5.67M DAI left unbacked (covered by MKR
 * debt auctions). Penalty 13%, lot 50 ETH.
 *
 * Modelling choices (each an assumption, stated so it can be changed):
 * - Vaults are long ETH positions: collateral C ETH against debt D DAI is a long of C ETH with equity
 *   C·p − D; the 150% liquidation ratio is a maintenance rate of 1/3. Five groups of vaults start at
 *   collateralization 160%, 180%, 200%, 230%, 270% (leverage r/(r − 1)).
 * - Every vault is at most one 50-ETH lot (Maker's `lump`): equity 1,000–3,600 USD at p0 ≈ 194.5 USD,
 *   so collateral is 8–50 ETH. The population is scaled so that about as many lots go to auction as on
 *   Black Thursday (≈ 3,500 flip auctions: 36% zero-bid ≈ 1,250 lots ≈ 62,000 ETH ≈ 8.3M USD), which
 *   puts the deficit in the published order of magnitude; the deficit is compared in magnitude only.
 * - Keepers pay cash for lots in full (their inventory limit is their DAI): they can run out of DAI, as on
 *   the day. Vaults may be drawn down to the liquidation ratio (MakerDAO's rule), so the venue's initial
 *   margin rate equals the maintenance rate, 1/3.
 * - Congestion: level 0.1 before 10:00 UTC, 1 after (Ethereum gas spiked with the crash and stayed high).
 *   At level 1 gas is 6× its calm cost, keepers' actions fail with probability 1 − e^(−failureRate) and
 *   land `delayTicksPerLevel` ticks late (the Dutch takers; an English bid is placed or fails at once).
 * - The oracle is Maker's OSM: one hour late. The book stands for the spot market keepers sell into, so
 *   its price band is centred on the index, not on the deliberately late oracle.
 * - The deficit is the run's `loss` (here `unpaid + open_deficit`): shortfalls the surplus buffer (the
 *   insurance fund, fed by the 13% penalties, starting empty) could not pay, plus losses still open at the
 *   end.
 */
import { defineExperiment } from 'backstop-sim';

/** Vaults (CDPs) in the full run: about the number of Black-Thursday flip auctions. */
const VAULTS = 7000;
/** Collateralization ratios r of the five vault groups → leverage r/(r − 1). */
const RATIOS = [1.6, 1.8, 2.0, 2.3, 2.7];

/**
 * The keepers, in proportion to the vaults (per 1,000 vaults: 40 honest English bidders, 34 zero-bid
 * agents, 40 Dutch takers), so that keeper capacity per auction is the same at every scale. Every keeper
 * considers every open auction each tick, within its capital and its transaction limit.
 */
function keepers(vaults: number) {
  const k = vaults / 1000;
  const honest = Math.round(40 * k);
  const zero = Math.round(34 * k);
  return {
    count: 2 * honest + zero,
    capital: { dist: 'fixed' as const, value: 75_000 }, // DAI per keeper (USD): 3M DAI per 1,000 vaults
    mix: [
      // keepers that bid honestly in English auctions: open at 80% of the lot's value to them and
      // raise by 5% of the tab while the lot is worth it
      {
        strategy: 'english-bidder',
        count: honest,
        params: { openingFraction: 0.8, increment: 0.05, capitalLimitUsd: 75_000 },
      },
      // zero bidders: a bot placing zero bids on every auction it can reach; margin 1 values lots at
      // nothing, so they never raise. A zero bid wins when no honest keeper outbids it within ttl.
      // Capital: gas money only (USD)
      {
        strategy: 'english-bidder',
        count: zero,
        params: { openingFraction: 0, margin: 1, runsBot: false, capitalLimitUsd: 10_000 },
        capital: { dist: 'fixed' as const, value: 10_000 },
      },
      // the honest keepers' capital as Dutch takers (each strategy acts only on its kind of auction)
      { strategy: 'dutch-taker', count: honest, params: { margin: 0.02, capitalLimitUsd: 75_000 } },
    ],
  };
}

export default defineExperiment({
  name: 'black-thursday',
  description:
    'ETH on 12–13 March 2020: English (Liquidations 1.2) vs Dutch (2.0, ETH-B) auctions under congestion',
  base: {
    // 30 hours of 1-minute ticks: the 24 replayed hours (10-minute CoinAPI closes, held between rows),
    // then the last price held so that auctions started late can finish (tau is 6 h)
    ticks: 1800,
    dtSeconds: 60,
    market: {
      index: { model: 'replay', file: '../data/eth_usd_coinapi_10m_2020-03-12.csv' },
      // Maker's OSM: the price a vault is checked against is one hour old (seconds)
      oracle: { delaySeconds: 3600, heartbeatSeconds: 3600, deviation: 0 },
      // book the keepers sell their ETH into: 2M USD per 1% (thin on the day), thinning with volatility
      liquidity: { depthUsd: 2_000_000, resilience: 0.9, thinning: 1 },
      funding: { enabled: false },
      congestion: {
        // hourly levels from 00:10 UTC: calm until 10:00, congested after (dimensionless)
        series: { everySeconds: 3600, values: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1] },
        gasUsd: 2, // USD per keeper transaction at level 0
        gasPerLevel: 5, // gas × (1 + 5·level): ×6 at level 1
        failureRate: 1.2, // P(fail) = 1 − e^(−1.2·level): 70% at level 1
        delayTicksPerLevel: 5, // a Dutch take lands 5 minutes late at level 1
      },
    },
    venue: {
      marginPrice: 'oracle',
      // 150% liquidation ratio → maintenance 1/3 of notional; a vault may be drawn down to it (imr = mmr)
      tiers: [{ minNotional: 0, mmr: 1 / 3, imr: 1 / 3 }],
      priceBand: { reference: 'index' },
      takerFee: 0,
      insuranceFund: 0, // the surplus buffer starts empty; it collects the 13% penalties
    },
    agents: {
      traders: {
        count: VAULTS,
        capital: { dist: 'uniform', min: 1000, max: 3600 }, // vault equity (USD): 8–50 ETH of collateral
        mix: RATIOS.map((r) => ({
          strategy: 'hold',
          fraction: 1 / RATIOS.length,
          params: { side: 'long' as const, leverage: r / (r - 1) },
        })),
      },
      liquidators: keepers(VAULTS),
    },
    waterfall: {
      stages: [
        // Liquidations 2.0, ETH-B terms (the stage's defaults, written out): the Dutch arm. Its `hole` is
        // swept: 0 makes it decline every vault, which then goes to the English auction listed next (the
        // English arm); 1e12 (not binding, as `Hole`) keeps every vault in Dutch auctions. ETH-B's real
        // hole would pass vaults on to the English stage when full, mixing the arms, so it is lifted.
        {
          stage: 'dutch-auction',
          buf: 1.3, // start at 130% of the (one-hour-old) oracle
          curve: { type: 'stairstep', cut: 0.99, step: 90 }, // −1% every 90 s
          tail: 8400, // reset after 140 minutes (seconds)
          cusp: 0.4, // or when the price falls below 40% of the start
          chop: 1.13, // 13% liquidation penalty
          tip: 0, // flat keeper incentive (USD)
          chip: 0.001, // keeper incentive: 0.1% of the tab
          hole: 1e12, // swept (USD)
          Hole: 1e12, // not binding (USD)
          slots: 8192, // more than vaults: a vault is never passed on for want of a slot
          maxResets: 1_000_000, // as in MakerDAO, an auction nobody takes keeps resetting
        },
        // Liquidations 1.2 (the Flipper) as on 12 March 2020: 3% minimum raise, a bid stands 10 minutes,
        // an auction lasts at most 6 hours, 13% penalty; lots of at most 50 ETH (each vault is one lot)
        { stage: 'english-auction', beg: 1.03, ttl: 600, tau: 21_600, chop: 1.13, slots: 8192 },
        { stage: 'insurance-fund' },
      ],
    },
  },
  sweep: {
    grid: {
      // 0: every vault goes to the English auction; 1e12: to the Dutch auction (USD of tab)
      'waterfall.stages[0].hole': [0, 1e12],
      // 0: keepers never fail (gas and delays still apply); 1.2: 70% of keeper actions fail at level 1
      'market.congestion.failureRate': [0, 4],
    },
  },
  runs: 40,
  seed: 20_200_312,
  crn: true,
  presets: {
    small: {
      description: 'a quick look: 1,000 vaults, 2 runs per point',
      runs: 2,
      agents: { traders: { count: 1000 }, liquidators: keepers(1000) },
      set: { 'waterfall.stages[0].slots': 1024, 'waterfall.stages[1].slots': 1024 },
    },
  },
});

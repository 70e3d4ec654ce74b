/**
 * MakerDAO Black Thursday, 12–13 March 2020: the ETH path replayed; English auctions (Liquidations 1.2,
 * the Flipper) against Dutch auctions (Liquidations 2.0, the Clipper, ETH-B terms) on the same path, the
 * same vaults, the same keepers and the same congestion, with common random numbers.
 *
 * Published record (domain notes §4; MakerDAO's post-mortem): about 36% of flip auctions won with
 * zero-DAI bids, about 8.32M USD of ETH taken that way, about 5.67M DAI left unbacked (covered by MKR
 * debt auctions). Penalty 13%, lot 50 ETH.
 *
 * Set from the record:
 * - the path: CoinAPI's 10-minute ETH closes of 12 March (data/), −45% close to close;
 * - the auctions: ≈ 3,500–4,000 flip auctions of lots of at most 50 ETH: 3,750 vaults of one 50-ETH lot
 *   each (a vault larger than a lot made several auctions; one vault per lot is the same auctions);
 * - the terms: English beg 3%, ttl 10 min, tau 6 h, chop 1.13; Dutch at the ETH-B terms; Maker's OSM (the
 *   price vaults are checked against is one hour old); the 150% liquidation ratio;
 * - congestion: calm until 10:00 UTC, then gas about 6× its calm cost (to about 80 gwei);
 * - how keepers failed: MakerDAO's default auction keeper priced its transactions at a ceiling and stopped
 *   bidding when gas rose above it, and keepers needed DAI, which was short. So the keepers running the
 *   default software send nothing once gas is above their ceiling (`maxGasUsd`, set between the calm and the
 *   congested gas, where any value gives the same runs), and every keeper bids only with the DAI it holds
 *   (its lots are paid in full; it gets DAI back by selling the ETH into the thin book). No transaction
 *   fails at random.
 *
 * Assumed (not in the record; each stated so it can be changed): the spread of collateralization (five
 * groups at 160%, 180%, 200%, 230%, 270%); the keepers: 8 running the default software and 4 running their
 * own, each with 500,000 DAI (6M DAI together, a quarter of the collateral auctioned), bidding honestly
 * (open at 80% of the lot's value to them, raise 5% of the tab), the same keepers as Dutch takers, and 3
 * zero-bid bots with gas money only; the book keepers sell into (2M USD per 1%, thinning with volatility);
 * Dutch takes under congestion land 5 minutes late.
 *
 * Emerges: the auctions run, the zero-bid share, the ETH taken at zero bids and the deficit (the run's
 * `loss`, here `unpaid + open_deficit`: shortfalls the surplus buffer, fed by the penalties and starting
 * empty, could not pay, plus losses still open at the end).
 *
 * Swept: the auction type (through the Dutch stage's `hole`: 0 sends every vault to the English stage) and
 * the default keepers' gas ceiling (none: they keep bidding at any gas; 6 USD: as on the day); and, English
 * as on the day, 2 and 4 zero-bid bots instead of 3: the zero-bid share follows their throughput, while
 * the honest keepers' DAI does not bind at 500,000 each (it does at 100,000 or less).
 */
import { defineExperiment } from 'backstop-sim';

/** Vaults: one per flip auction of the record (≈ 3,500–4,000), each one lot of 50 ETH. */
const VAULTS = 3750;
/** ETH per vault: Maker's lot (`lump`). */
const LOT_ETH = 50;
/** The first price of the replayed file (USD). */
const P0 = 194.52;
/** Collateralization ratios r of the five vault groups → leverage r/(r − 1), equity 50·P0·(1 − 1/r). */
const RATIOS = [1.6, 1.8, 2.0, 2.3, 2.7];
/** Gas per keeper transaction: calm cost (USD) and the multiplier at congestion level 1 (×6, the record). */
const GAS_USD = 2;
const GAS_PER_LEVEL = 5;
/** The default keeper's gas ceiling (USD): above the calm gas (3 USD at level 0.1), below the congested (12 USD). */
const DEFAULT_KEEPER_MAX_GAS = 6;
/** DAI of each honest keeper (USD). */
const KEEPER_DAI = 500_000;
/** Honest keepers running the default software and their own, and zero-bid bots (assumed). */
const DEFAULTS = 8;
const OWN = 4;
const ZERO_BOTS = 3;
/** The default keepers' ceiling at each sweep point: as on the day, none, as on the day, none, as on the day ×2. */
const G = [
  DEFAULT_KEEPER_MAX_GAS,
  0,
  DEFAULT_KEEPER_MAX_GAS,
  0,
  DEFAULT_KEEPER_MAX_GAS,
  DEFAULT_KEEPER_MAX_GAS,
];

/**
 * The keepers: honest English bidders and Dutch takers running the default software (a gas ceiling) or
 * their own (none), with the same DAI, and zero-bid bots. Each strategy acts only on its kind of auction.
 */
function keepers(defaults: number, own: number, zero: number) {
  const honest = { openingFraction: 0.8, increment: 0.05, capitalLimitUsd: KEEPER_DAI };
  return {
    count: 2 * (defaults + own) + zero,
    capital: { dist: 'fixed' as const, value: KEEPER_DAI },
    mix: [
      // [0] English bidders running the default keeper: the gas ceiling is swept
      {
        strategy: 'english-bidder',
        count: defaults,
        params: { ...honest, maxGasUsd: DEFAULT_KEEPER_MAX_GAS },
      },
      // [1] English bidders running their own software: no ceiling
      { strategy: 'english-bidder', count: own, params: honest },
      // [2] zero bidders: bots placing zero bids on every auction they reach; margin 1 values lots at
      // nothing, so they never raise. A zero bid wins when no honest keeper outbids it within ttl. Capital:
      // gas money only (USD); a lot won for nothing needs no DAI, so no inventory limit holds them back
      {
        strategy: 'english-bidder',
        count: zero,
        params: { openingFraction: 0, margin: 1, runsBot: false, capitalLimitUsd: 1e12 },
        capital: { dist: 'fixed' as const, value: 10_000 },
      },
      // [3], [4] the same keepers as Dutch takers: the default software (its ceiling swept with [0]) and
      // their own
      {
        strategy: 'dutch-taker',
        count: defaults,
        params: { margin: 0.02, capitalLimitUsd: KEEPER_DAI, maxGasUsd: DEFAULT_KEEPER_MAX_GAS },
      },
      { strategy: 'dutch-taker', count: own, params: { margin: 0.02, capitalLimitUsd: KEEPER_DAI } },
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
        gasUsd: GAS_USD, // USD per keeper transaction at level 0
        gasPerLevel: GAS_PER_LEVEL, // gas × (1 + 5·level): ×6 at level 1 (the record: about 6×)
        failureRate: 0, // no transaction fails at random: keepers fail by their gas ceiling and their DAI
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
        // a vault: 50 ETH of collateral against DAI debt, a long of 50 ETH with equity 50·P0·(1 − 1/r)
        mix: RATIOS.map((r) => ({
          strategy: 'hold',
          fraction: 1 / RATIOS.length,
          params: { side: 'long' as const, leverage: r / (r - 1) },
          capital: { dist: 'fixed' as const, value: LOT_ETH * P0 * (1 - 1 / r) },
        })),
      },
      liquidators: keepers(DEFAULTS, OWN, ZERO_BOTS),
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
    zip: {
      // 0: every vault goes to the English auction; 1e12: to the Dutch auction (USD of tab)
      'waterfall.stages[0].hole': [0, 0, 1e12, 1e12, 0, 0],
      // the default keepers' gas ceiling, English bidders and Dutch takers alike: as on the day, or none
      'agents.liquidators.mix[0].params.maxGasUsd': G,
      'agents.liquidators.mix[3].params.maxGasUsd': G,
      // the zero-bid bots, an assumption the zero-bid share follows (each carries one transaction at a time
      // under congestion): 3, and 2 or 4 in the last two points (English, as on the day)
      'agents.liquidators.mix[2].count': [
        ZERO_BOTS,
        ZERO_BOTS,
        ZERO_BOTS,
        ZERO_BOTS,
        ZERO_BOTS - 1,
        ZERO_BOTS + 1,
      ],
      'agents.liquidators.count': [0, 0, 0, 0, -1, 1].map((d) => 2 * (DEFAULTS + OWN) + ZERO_BOTS + d),
    },
  },
  runs: 40,
  seed: 20_200_312,
  crn: true,
  presets: {
    small: {
      // the vault count and keepers are the record's and the assumptions' as they stand (a scaled-down
      // population is not the same auctions: the keepers' counts cannot be scaled in proportion), so the
      // quick look keeps them and runs fewer runs
      description: 'a quick look: the full population, 2 runs per point',
      runs: 2,
    },
  },
});

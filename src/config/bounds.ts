/**
 * Limits on inputs that could not be simulated: values past them overflow a price, a balance or a path to
 * Infinity or NaN (which a results file stores as null), or allocate more memory than any machine has.
 * Each limit is far beyond anything a real venue needs; the reason for each is next to it.
 *
 * Price paths. Over the run's horizon T (years: ticks × dtSeconds / 31,536,000) the price models are held
 * to a budget in log-price terms:
 *  - drift: |mu|·T ≤ {@link MAX_DRIFT_LOG} (50: the drift alone moves the price by at most e^50 ≈ 5e21×);
 *  - volatility: the standard deviation of ln(P_T/p0) at most {@link MAX_VOL_LOG} (10), i.e. sigma·√T ≤ 10
 *    (and, with Merton jumps, sigma²T + lambda·T·(jumpMean² + jumpStd²) ≤ 100); the drag this costs the
 *    median path (sigma²T/2) is then at most 50;
 *  - jumps: their expected drag lambda·T·(k − jumpMean) ≤ {@link MAX_DRIFT_LOG}, k = e^(jumpMean +
 *    jumpStd²/2) − 1 the compensator;
 *  - shocks: Σ|ln(1 + change)| ≤ {@link MAX_SHOCK_LOG} (50).
 * Together the log price stays within ±300 of ln p0 unless a 10-standard-deviation move happens (odds
 * below 1e-20 a run), so with p0 in [{@link MIN_PRICE}, {@link MAX_PRICE}] every price stays within about
 * 1e-143..1e143 USD, and every notional (at most {@link MAX_USD} × {@link MAX_LEVERAGE} at the start)
 * below 1e150: far inside float64 (1.8e308), with room for the products and squares the metrics take.
 */
import { z } from 'zod';
import { SECONDS_PER_YEAR } from '../market/price/types.js';

/**
 * Largest USD amount of any balance-like input (capital, insurance fund, spot depth, gas): 1e15 USD, a
 * thousand times the whole crypto market's capitalisation, and a million times the largest venue's open
 * interest. It keeps every balance (and its products with prices and leverage) finite.
 */
export const MAX_USD = 1e15;

/**
 * Largest depth of the perp's book (`market.liquidity.depthUsd`): 1e300 USD per 1%. A depth only divides
 * order flow (impact = flow / (100 · depth)), so any depth below this keeps `100 · depth` and the basis
 * arbitrageurs' order budgets finite; 1e300 is the idiom for a book that never moves.
 */
export const MAX_BOOK_DEPTH_USD = 1e300;

/**
 * Smallest depth of the perp's book: 1e-6 USD per 1% (a real book has millions). The effective depth is
 * depthUsd / (1 + thinning · excess volatility); with {@link MAX_THINNING}, {@link MIN_REF_VOL} and
 * {@link MIN_DT_SECONDS} that stays above 1e-20 and never rounds to 0, where the mark would become 0/0 = NaN.
 */
export const MIN_BOOK_DEPTH_USD = 1e-6;

/**
 * Most agents in a run, over every role: 10,000,000, ten times the largest benchmark (1M accounts). Each
 * agent costs about 320 bytes of per-account typed-array columns in a run (measured: 319 bytes with noise
 * traders and the default waterfall; strategies and stages with per-account state add more), so a run at
 * the maximum holds about 3.2 GB per worker thread.
 */
export const MAX_AGENTS = 10_000_000;

/**
 * Most ticks in a run: 10,000,000 (19 years of one-minute ticks). The run keeps the index path and the
 * marks, 8 bytes each per tick (160 MB at the maximum), and time runs over every tick.
 */
export const MAX_TICKS = 10_000_000;

/**
 * Largest replayed price file (`market.index.model: replay`): 256 MiB, checked with its size before it is
 * read. The file is read whole and parsed in memory (a string of its size, then 16 bytes a row); a CSV of
 * one price a tick for the most ticks a run has ({@link MAX_TICKS}) is about 250 MB.
 */
export const MAX_PRICE_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Largest experiment file (JSON), checked with its size before it is read: 64 MiB. The largest sweep
 * (1,000,000 points) written out as a grid or zip list is about 10 MB.
 */
export const MAX_EXPERIMENT_FILE_BYTES = 64 * 1024 * 1024;

/** A byte count for a message: 268435456 → 256 MiB, 3221225472 → 3 GiB, 5000 → 5,000 bytes. */
export function fmtBytes(n: number): string {
  if (n >= 1024 ** 3) return `${fmt(Number((n / 1024 ** 3).toPrecision(3)))} GiB`;
  if (n >= 1024 ** 2) return `${fmt(Number((n / 1024 ** 2).toPrecision(3)))} MiB`;
  return `${n.toLocaleString('en-US')} bytes`;
}

/** Shortest tick: 1 ms. Realized volatility divides squared returns by the tick's length in years; below this it overflows. */
export const MIN_DT_SECONDS = 0.001;

/** Longest tick: one year (31,536,000 s). Margin is checked once a tick, so a longer tick models no venue; and the clock (tick × dtSeconds) stays finite. */
export const MAX_DT_SECONDS = SECONDS_PER_YEAR;

/**
 * Lowest start price (p0) and lowest replayed price: 1e-12 USD, a thousand times below the cheapest traded
 * tokens (~1e-9 USD). A path that then falls as far as the budget above allows (e^-300) stays far above
 * float64's smallest normal number (2.2e-308), and position sizes (capital × leverage / price) finite.
 */
export const MIN_PRICE = 1e-12;

/** Highest start price and replayed price: 1e12 USD, ten million times bitcoin's price (and any price quoted in a weak currency). */
export const MAX_PRICE = 1e12;

/** Largest |mu|·T, the log-price move of the drift over the horizon: 50 (a factor e^50 ≈ 5e21). */
export const MAX_DRIFT_LOG = 50;

/** Largest standard deviation of the log price over the horizon (sigma·√T): 10 (1000%/year over a year). */
export const MAX_VOL_LOG = 10;

/** Largest total log-price move of all shocks together, Σ|ln(1 + change)|: 50. */
export const MAX_SHOCK_LOG = 50;

/**
 * Smallest and largest price factor 1 + change of one shock: 1e-9..1e9 (a −99.9999999% crash, LUNA's
 * collapse in May 2022 was about −99.9999%, up to a billion-fold spike).
 */
export const MIN_SHOCK_FACTOR = 1e-9;
/** See {@link MIN_SHOCK_FACTOR}. */
export const MAX_SHOCK_FACTOR = 1e9;

/** Longest shock ramp: 100 years; longer than any run (past the run's end the ramp is cut off). */
export const MAX_SHOCK_SECONDS = 100 * SECONDS_PER_YEAR;

/** Largest |jumpMean| of Merton jumps (log units): 10, one jump multiplying or dividing the price by e^10 ≈ 22,026. */
export const MAX_JUMP_MEAN = 10;
/** Largest jumpStd of Merton jumps (log units): 5 (the compensator e^(jumpMean + jumpStd²/2) − 1 stays below 1e10). */
export const MAX_JUMP_STD = 5;
/** Largest Merton jump intensity: 1,000,000 jumps per year, one every 32 seconds (beyond that jumps are diffusion). */
export const MAX_JUMP_INTENSITY = 1e6;

/**
 * Largest leverage of a built-in strategy's positions: 1000x, above the highest leverage any venue
 * offers (125x on the large exchanges, up to ~1000x on a few DEXs). Notional = equity × leverage.
 */
export const MAX_LEVERAGE = 1000;

/**
 * Largest log standard deviation of a lognormal capital distribution: 5 (real account sizes have about
 * 1.5–2.5). With it, the median and the draw a 1-in-a-billion agent gets (6 standard deviations above it)
 * must stay within {@link MAX_USD}.
 */
export const MAX_CAPITAL_LOG_SIGMA = 5;
/** Standard deviations above the median of lognormal capital that must stay within {@link MAX_USD}: 6 (1 draw in a billion is above). */
export const CAPITAL_TAIL_Z = 6;

/** Largest annual risk-free rate of agents' outside option: 1 (100% a year). */
export const MAX_RISK_FREE_RATE = 1;

/**
 * Largest standard deviation of the oracle's log noise: 0.5 (a print off by a factor e^0.5 = 1.65 at one
 * standard deviation; a noisier oracle is no oracle, and the price band holds the mark to it).
 */
export const MAX_ORACLE_NOISE = 0.5;

/** Smallest reference volatility of the book's thinning (annualised): 0.001 (0.1%/year). */
export const MIN_REF_VOL = 0.001;
/** Largest thinning of the book by volatility: 1000 (depth / (1 + 1000 · excess)). With {@link MIN_REF_VOL} the thinned depth never rounds to 0. */
export const MAX_THINNING = 1000;

/** Largest congestion level, sensitivity and gas multiplier: 1e6 (gas = gasUsd · (1 + gasPerLevel · level) stays finite). */
export const MAX_CONGESTION = 1e6;

/** Largest share of all initial collateral added to the insurance fund at the start: 1 (a fund as large as all collateral). */
export const MAX_FUND_SHARE = 1;

/** The run's horizon: ticks × dtSeconds, in seconds and in years. */
export interface Horizon {
  ticks: number;
  dtSeconds: number;
  /** ticks × dtSeconds / SECONDS_PER_YEAR */
  years: number;
}

/** The horizon of a run of `ticks` ticks of `dtSeconds` seconds. */
export function horizonOf(ticks: number, dtSeconds: number): Horizon {
  return { ticks, dtSeconds, years: (ticks * dtSeconds) / SECONDS_PER_YEAR };
}

/** A number for a message: 1e+15 → 1e15, 10000000 → 10,000,000, 0.0027397… → 0.00274, 18249.99… → 18250. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e9 || a < 1e-3)) {
    const [m, e] = x.toExponential(3).split('e');
    return `${m.replace(/\.?0+$/, '')}e${e.replace('+', '')}`;
  }
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const r = Number(x.toPrecision(4));
  return Number.isInteger(r) ? r.toLocaleString('en-US') : String(r);
}

/** "over this run's horizon of 0.00274 years (1,440 ticks × 60 s)" */
export function horizonText(h: Horizon): string {
  return `over this run's horizon of ${fmt(h.years)} ${h.years === 1 ? 'year' : 'years'} (${fmt(h.ticks)} ticks × ${fmt(h.dtSeconds)} s)`;
}

/**
 * The drift and volatility budget of a price model over the horizon: |mu|·T ≤ {@link MAX_DRIFT_LOG} and
 * sigma·√T ≤ {@link MAX_VOL_LOG}. Returns issues with paths relative to the model's parameters.
 */
export function driftVolIssues(mu: number, sigma: number, h: Horizon): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const T = h.years;
  if (!(Math.abs(mu) * T <= MAX_DRIFT_LOG))
    out.push({
      path: 'mu',
      message: `drift ${fmt(mu)} per year moves the log price by |mu|·T = ${fmt(Math.abs(mu) * T)} ${horizonText(h)}; allowed: |mu| ≤ ${fmt(MAX_DRIFT_LOG / T)} per year here (|mu|·T ≤ ${MAX_DRIFT_LOG}, a price factor of e^${MAX_DRIFT_LOG}: beyond it prices and balances overflow)`,
    });
  if (!(sigma * Math.sqrt(T) <= MAX_VOL_LOG))
    out.push({
      path: 'sigma',
      message: `volatility ${fmt(sigma)} gives the log price a standard deviation of sigma·√T = ${fmt(sigma * Math.sqrt(T))} ${horizonText(h)}; allowed: sigma ≤ ${fmt(MAX_VOL_LOG / Math.sqrt(T))} per √year here (sigma·√T ≤ ${MAX_VOL_LOG}: beyond it prices overflow or underflow)`,
    });
  return out;
}

/** The zod error option of an upper bound: `Too big: allowed at most 1e15 USD (why)`. */
export function atMost(max: number | string, unit: string, why: string): { error: string } {
  return {
    error: `Too big: allowed at most ${typeof max === 'string' ? max : fmt(max)}${unit ? ` ${unit}` : ''} (${why})`,
  };
}

/** The zod error option of a lower bound: `Too small: allowed at least 0.001 s (why)`. */
export function atLeast(min: number | string, unit: string, why: string): { error: string } {
  return {
    error: `Too small: allowed at least ${typeof min === 'string' ? min : fmt(min)}${unit ? ` ${unit}` : ''} (${why})`,
  };
}

/** Why {@link MAX_USD}: the reason every USD amount's message gives. */
export const USD_REASON = 'far above any venue; it keeps every balance finite';

/** A leverage parameter of a strategy (x equity): > 0 and at most {@link MAX_LEVERAGE}. */
export function leverageSchema() {
  return z
    .number()
    .positive()
    .max(
      MAX_LEVERAGE,
      atMost(
        `${MAX_LEVERAGE}x`,
        '',
        'above the highest leverage any venue offers; keeps every notional finite',
      ),
    );
}

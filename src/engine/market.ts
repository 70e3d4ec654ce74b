import type { SimConfig } from '../config/schema.js';
import { getPriceModel } from '../market/price/registry.js';
import { applyShocks } from '../market/price/shocks.js';
import { SECONDS_PER_YEAR } from '../market/price/types.js';
import type { RunStreams, Stream } from '../rng.js';
import { numbersAsDoubles } from './layout.js';

/** The index moved by spot trades stays within these multiples of its own path (see `spotAfter`). */
const LN_MIN_SPOT = Math.log(0.01);
const LN_MAX_SPOT = Math.log(100);
/**
 * Prices of one run: the exogenous index path (generated up front from the `index` stream, so it depends
 * on nothing but the run seed and the price model), the oracle, and the mark from the liquidity model.
 */
export class Market {
  /** Index path, `ticks + 1` points; `index[t]` is the index during tick t (index[0] is the start). */
  readonly index: Float64Array;
  /** Current oracle price. */
  oracle: number;
  /** Time (seconds) of the oracle's last update. */
  oracleTime = 0;
  /** Current mark price. */
  mark: number;
  /** Relative price impact carried between ticks: mark = index · (1 + impact). */
  impact = 0;
  /** Signed notional traded this tick through the book (USD, buys positive). */
  flow = 0;
  /** Effective depth this tick: USD of signed flow that moves the price 1%. */
  depth: number;
  /** Annualised realized volatility of the index over the window. */
  realizedVol: number;
  /** Log spot price impact from agents' spot trades: index[t] = base path · exp(spotImpact). */
  spotImpact = 0;
  /** The part of `spotImpact` already in `index[t]` (its value when the tick began): spot orders of the tick walk the spot book from there. */
  private spotTickStart = 0;
  /** Depth supplied by market-maker agents (USD per 1%), set by their strategy; used from the next tick. */
  agentDepth = 0;
  /** Network congestion level this tick (0 = calm); drives keepers' gas, delay and failures. */
  congestion = 0;
  /** Mark price of every tick so far: `marks[t]` is the mark of tick t (lookback strategies read it). */
  readonly marks: Float64Array;
  /** Lowest and highest price the book may fill at this tick: the band around the reference (oracle or index). */
  bandLow = 0;
  bandHigh = Number.POSITIVE_INFINITY;
  /** Notional (USD) that takes the book from the mark to the band's upper and lower edge this tick. */
  private roomUp = Number.POSITIVE_INFINITY;
  private roomDown = Number.POSITIVE_INFINITY;

  private readonly cfg: SimConfig['market'];
  /** `liquidity.impact === 'shared'`: orders in one tick walk the book together. */
  private readonly sharedBook: boolean;
  /** Half-width of the price band (fraction of the reference). */
  private readonly bandWidth: number;
  /** The band's reference is the oracle (true) or the index. */
  private readonly bandOnOracle: boolean;
  private readonly dt: number;
  private readonly delayTicks: number;
  private readonly oracleRng: Stream;
  private readonly sq: Float64Array;
  private sqSum = 0;
  private sqCount = 0;
  private sqPos = 0;

  constructor(cfg: SimConfig, streams: RunStreams, baseDir: string) {
    this.cfg = cfg.market;
    this.dt = cfg.dtSeconds;
    const model = getPriceModel(String(cfg.market.index.model));
    if (!model) throw new Error(`price model '${String(cfg.market.index.model)}' is not registered`);
    this.index = model.generate(cfg.market.index, {
      ticks: cfg.ticks,
      dtSeconds: cfg.dtSeconds,
      rng: streams.stream('index'),
      baseDir,
    });
    applyShocks(this.index, cfg.market.shocks, cfg.dtSeconds);
    this.oracleRng = streams.stream('oracle');
    this.sharedBook = cfg.market.liquidity.impact === 'shared';
    this.bandWidth = cfg.venue.priceBand.width;
    this.bandOnOracle = cfg.venue.priceBand.reference === 'oracle';
    this.delayTicks = Math.round(this.cfg.oracle.delaySeconds / this.dt);
    this.oracle = this.index[0];
    this.mark = this.index[0];
    this.depth = this.cfg.liquidity.depthUsd;
    this.realizedVol = this.cfg.liquidity.refVol;
    this.sq = new Float64Array(this.cfg.liquidity.volWindowTicks);
    this.marks = new Float64Array(cfg.ticks + 1);
    this.marks[0] = this.mark;
    numbersAsDoubles(this);
    // the starting state (strategies' init) trades inside the band around the first price
    this.applyBand(0);
  }

  /** Phase 1 of tick t: index, realized volatility, depth and the mark for this tick. */
  beginTick(t: number): void {
    if (t > 0 && this.spotImpact !== 0) {
      this.spotImpact *= this.cfg.spot.resilience;
      this.index[t] *= Math.exp(this.spotImpact);
    }
    this.spotTickStart = t > 0 ? this.spotImpact : 0;
    const p = this.index[t];
    if (t > 0) {
      const r = Math.log(p / this.index[t - 1]);
      const r2 = r * r;
      this.sqSum += r2 - this.sq[this.sqPos];
      this.sq[this.sqPos] = r2;
      this.sqPos = (this.sqPos + 1) % this.sq.length;
      if (this.sqCount < this.sq.length) this.sqCount++;
      const yearFraction = this.dt / SECONDS_PER_YEAR;
      this.realizedVol = Math.sqrt(Math.max(0, this.sqSum) / this.sqCount / yearFraction);
    }
    const liq = this.cfg.liquidity;
    const excess = this.sqCount > 1 ? Math.max(0, this.realizedVol / liq.refVol - 1) : 0;
    this.depth = (liq.depthUsd + this.agentDepth) / (1 + liq.thinning * excess);
    this.mark = p * (1 + this.impact);
    this.marks[t] = this.mark;
    this.flow = 0;
    const c = this.cfg.congestion;
    if (c.series) {
      const v = c.series.values;
      this.congestion = v[Math.min(v.length - 1, Math.floor((t * this.dt) / c.series.everySeconds))];
    } else {
      this.congestion = c.baseline + (this.sqCount > 1 ? c.sensitivity * excess : 0);
    }
  }

  /** Phase 2 of tick t: the oracle reads the (delayed) index on its heartbeat or past its deviation threshold. */
  updateOracle(t: number): void {
    const o = this.cfg.oracle;
    const now = t * this.dt;
    const src = this.index[Math.max(0, t - this.delayTicks)];
    if (now - this.oracleTime >= o.heartbeatSeconds || Math.abs(src / this.oracle - 1) >= o.deviation) {
      // log-normal noise: a print is never zero or negative, however noisy the oracle
      this.oracle = o.noise > 0 ? src * Math.exp(o.noise * this.oracleRng.normal()) : src;
      this.oracleTime = now;
    }
    this.applyBand(t);
  }

  /**
   * The price band of tick t: the book fills only within reference · (1 ± width), the reference being the
   * oracle just read (or the index), and the mark for the tick is held inside it; a mark pushed further by
   * earlier flow is set back to the edge and the impact carried forward is what is left inside the band.
   * Like a venue's price band (Binance USDⓈ-M's PERCENT_PRICE filter, Paradex's price bands): a market
   * order fills up to the band's edge and the rest is rejected (see {@link Market.bookLimit}).
   */
  private applyBand(t: number): void {
    const ref = this.bandOnOracle ? this.oracle : this.index[t];
    this.bandLow = ref * (1 - this.bandWidth);
    this.bandHigh = ref * (1 + this.bandWidth);
    let mk = this.mark;
    if (mk < this.bandLow) mk = this.bandLow;
    else if (mk > this.bandHigh) mk = this.bandHigh;
    if (mk !== this.mark) {
      this.mark = mk;
      this.marks[t] = mk;
      this.impact = mk / this.index[t] - 1;
    }
    // the mark and the depth hold for the tick: so does how far the book is from the band's edges
    const room = 100 * this.depth;
    this.roomUp = (this.bandHigh / mk - 1) * room;
    this.roomDown = (1 - this.bandLow / mk) * room;
  }

  /**
   * A spot trade of signed notional `f` (USD at the index, buys positive) outside the venue. With a finite
   * spot depth it moves the log index by m = f / (100 · depth) (from the next tick on, decaying by the spot
   * resilience; multiplicative, so the index stays positive) and fills at the average price along the move,
   * p · (e^m − 1) / m, where p is where the tick's earlier spot orders left the spot price (they walk the spot
   * book one after another, as orders walk the perp book: each paying only its own move from the tick's
   * start was a money pump, a round trip sliced into many orders gaining on every slice). With an infinitely
   * deep spot market it fills at the index. Callers cut `f` to {@link Market.spotLimit}. Returns the price.
   */
  spotFill(t: number, f: number): number {
    const p = this.spotQuote(t, f);
    if (this.cfg.spot.depthUsd > 0) this.spotImpact = this.spotAfter(f);
    return p;
  }

  /** The price {@link Market.spotFill} would fill `f` at now, without trading. */
  spotQuote(t: number, f: number): number {
    if (this.cfg.spot.depthUsd <= 0 || f === 0) return this.index[t];
    const p = this.index[t] * Math.exp(this.spotImpact - this.spotTickStart);
    const m = this.spotAfter(f) - this.spotImpact;
    return Math.abs(m) < 1e-9 ? p * (1 + m / 2) : (p * Math.expm1(m)) / m;
  }

  /**
   * The largest notional (USD at the tick's index, ≥ 0) a spot order on `side` can trade now before the
   * index reaches the [1%, 100×] bound of its own path: nothing fills beyond it. Infinity without a spot book.
   */
  spotLimit(side: number): number {
    const d = this.cfg.spot.depthUsd;
    if (d <= 0) return Number.POSITIVE_INFINITY;
    const room = side > 0 ? LN_MAX_SPOT - this.spotImpact : this.spotImpact - LN_MIN_SPOT;
    return Math.max(0, room * 100 * d);
  }

  /**
   * The log spot impact after a trade of `f`. It stays within [1%, 100×] of the index's own path: linear
   * impact means nothing further out, and a spot trade far larger than the spot book (pushing e^500)
   * overflowed the index.
   */
  private spotAfter(f: number): number {
    const after = this.spotImpact + f / (100 * this.cfg.spot.depthUsd);
    return after < LN_MIN_SPOT ? LN_MIN_SPOT : Math.min(after, LN_MAX_SPOT);
  }

  /**
   * Execution price of a signed notional `f` (USD, buys positive) through the book at this tick's mark. An
   * order walks the book from where this tick's earlier orders left it: it pays the impact of the tick's
   * flow so far plus its own, so N orders on one side together pay the impact they cause (each paying only
   * its own was a money pump: a crowd trading together moved the next mark N times further than it paid
   * for, and at thin depth fed on itself until prices and balances overflowed). With `liquidity.impact:
   * 'own'` each order pays only its own impact against the tick's mark (the declared benchmark model's rule;
   * it lets a crowd trading together move the next mark further than it paid for). Callers cut `f` to
   * {@link Market.bookLimit} first, so the price is inside the band; it is held there against rounding.
   */
  impactPrice(f: number): number {
    const x = this.mark * (1 + (this.sharedBook ? this.flow + f : f) / (100 * this.depth));
    return x < this.bandLow ? this.bandLow : Math.min(x, this.bandHigh);
  }

  /**
   * The largest notional (USD, ≥ 0) an order on `side` (+1 buy, −1 sell) can fill through the book now
   * without its price leaving the band: the band's edge less the flow this tick's earlier orders took.
   */
  bookLimit(side: number): number {
    const used = this.sharedBook ? this.flow : 0;
    const f = side > 0 ? this.roomUp - used : this.roomDown + used;
    return Math.max(f, 0);
  }

  /**
   * Last phase of a tick: the impact decays toward the index and this tick's flow adds to it. The next
   * tick's mark is held inside that tick's band (`applyBand`), so the impact needs no bound of its own.
   */
  endTick(): void {
    this.impact = this.cfg.liquidity.resilience * this.impact + this.flow / (100 * this.depth);
  }
}

import type { SimConfig } from '../config/schema.js';
import { getPriceModel } from '../market/price/registry.js';
import { applyShocks } from '../market/price/shocks.js';
import { SECONDS_PER_YEAR } from '../market/price/types.js';
import type { RunStreams, Stream } from '../rng.js';
import { holdFractions } from './layout.js';

/** The mark and every fill through the book stay within these multiples of the index / the mark. */
export const MIN_IMPACT_FACTOR = 0.01;
export const MAX_IMPACT_FACTOR = 100;
const LN_MIN_IMPACT = Math.log(MIN_IMPACT_FACTOR);
const LN_MAX_IMPACT = Math.log(MAX_IMPACT_FACTOR);
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
  /** Depth supplied by market-maker agents (USD per 1%), set by their strategy; used from the next tick. */
  agentDepth = 0;
  /** Network congestion level this tick (0 = calm); drives keepers' gas, delay and failures. */
  congestion = 0;
  /** Mark price of every tick so far: `marks[t]` is the mark of tick t (lookback strategies read it). */
  readonly marks: Float64Array;

  private readonly cfg: SimConfig['market'];
  /** `liquidity.impact === 'shared'`: orders in one tick walk the book together. */
  private readonly sharedBook: boolean;
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
    this.delayTicks = Math.round(this.cfg.oracle.delaySeconds / this.dt);
    this.oracle = this.index[0];
    this.mark = this.index[0];
    this.depth = this.cfg.liquidity.depthUsd;
    this.realizedVol = this.cfg.liquidity.refVol;
    this.sq = new Float64Array(this.cfg.liquidity.volWindowTicks);
    this.marks = new Float64Array(cfg.ticks + 1);
    this.marks[0] = this.mark;
    holdFractions(this, [
      'oracle',
      'mark',
      'impact',
      'flow',
      'depth',
      'realizedVol',
      'spotImpact',
      'agentDepth',
      'congestion',
      'sqSum',
    ]);
  }

  /** Phase 1 of tick t: index, realized volatility, depth and the mark for this tick. */
  beginTick(t: number): void {
    if (t > 0 && this.spotImpact !== 0) {
      this.spotImpact *= this.cfg.spot.resilience;
      this.index[t] *= Math.exp(this.spotImpact);
    }
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
      this.oracle = o.noise > 0 ? src * Math.max(1e-9, 1 + o.noise * this.oracleRng.normal()) : src;
      this.oracleTime = now;
    }
  }

  /**
   * A spot trade of signed notional `f` (USD at the index, buys positive) outside the venue. With a finite
   * spot depth it moves the log index by m = f / (100 · depth) (from the next tick on, decaying by the spot
   * resilience; multiplicative, so the index stays positive) and fills at the average price along the move,
   * p · (e^m − 1) / m; with an infinitely deep spot market it fills at the index. Returns the fill price.
   */
  spotFill(t: number, f: number): number {
    const p = this.index[t];
    const d = this.cfg.spot.depthUsd;
    if (d <= 0 || f === 0) return p;
    // like the mark, the index moved by spot trades stays within [1%, 100×] of its own path: a spot
    // trade far larger than the spot book (pushing e^500) overflowed the index to Infinity
    const before = this.spotImpact;
    const after = Math.min(LN_MAX_IMPACT, Math.max(LN_MIN_IMPACT, before + f / (100 * d)));
    const m = after - before;
    this.spotImpact = after;
    return Math.abs(m) < 1e-9 ? p * (1 + m / 2) : (p * Math.expm1(m)) / m;
  }

  /**
   * Execution price of a signed notional `f` (USD, buys positive) through the book at this tick's mark. An
   * order walks the book from where this tick's earlier orders left it: it pays the impact of the tick's
   * flow so far plus its own, so N orders on one side together pay the impact they cause (each paying only
   * its own was a money pump: a crowd trading together moved the next mark N times further than it paid
   * for, and at thin depth fed on itself until prices and balances overflowed). Like the mark, the price
   * stays within [1%, 100×] of the mark: a sale larger than the book cannot fill at zero or a negative
   * price, and a buy larger than the book cannot fill at an unbounded one. With `liquidity.impact: 'own'`
   * each order pays only its own impact against the tick's mark (the declared benchmark model's rule; it
   * lets a crowd trading together move the next mark further than it paid for).
   */
  impactPrice(f: number): number {
    const k = 1 + (this.sharedBook ? this.flow + f : f) / (100 * this.depth);
    return this.mark * Math.min(MAX_IMPACT_FACTOR, Math.max(MIN_IMPACT_FACTOR, k));
  }

  /** Last phase of a tick: the impact decays toward the index and this tick's flow adds to it. */
  endTick(): void {
    this.impact = this.cfg.liquidity.resilience * this.impact + this.flow / (100 * this.depth);
    // the mark can never be pushed through zero, nor (symmetrically in log terms) past 100× the index:
    // linear impact means nothing that far out, and unbounded it let a thin book overflow every balance
    if (this.impact < MIN_IMPACT_FACTOR - 1) this.impact = MIN_IMPACT_FACTOR - 1;
    else if (this.impact > MAX_IMPACT_FACTOR - 1) this.impact = MAX_IMPACT_FACTOR - 1;
  }
}

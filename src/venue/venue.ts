/**
 * The venue of one run: its accounts, its ledger and every operation agents and waterfall stages perform on
 * them — trades and fills under the margin rules, money moves, funding, keeper transactions, the event log.
 * A `Venue` is what plug-ins are handed: it implements {@link StrategyContext} and {@link VenueContext}. The
 * engine (`Simulation`, src/engine/simulation.ts) is a `Venue` that also builds the population and the
 * waterfall and runs the tick loop; payoffs and the run's checks are src/engine/results.ts.
 *
 * Money rules of every operation here: an amount a strategy passes that is not a finite number ≥ 0 is a bug
 * in the caller and ends the run with an error naming the call; an amount larger than the account may move
 * is cut to what it may (collateral above initial margin, the wallet, the spot held). Nothing here lends: an
 * agent spends only what it has, so no agent can lose more than it put in.
 */
import type { SimConfig } from '../config/schema.js';
import type { VenueContext } from '../context.js';
import { Arena } from '../engine/arena.js';
import { EventLog, eventCode } from '../engine/events.js';
import { NO_FEE, NO_FLOW, NO_IMPACT } from '../engine/flags.js';
import { numbersAsDoubles } from '../engine/layout.js';
import { Market } from '../engine/market.js';
import { METRIC_NAMES, type MetricColumn } from '../metrics.js';
import { RunStreams, type Stream } from '../rng.js';
import type { PayerColumn } from '../waterfall/payers.js';
import { ownMetricColumns, ownPayerColumns } from '../waterfall/stage.js';
import type { Waterfall } from '../waterfall/waterfall.js';
import { Accounts } from './accounts.js';
import { LEDGER, LEDGER_SIZE, PAYER, PAYER_SLOTS } from './ledger.js';

/** Options of one run. */
export interface RunOptions {
  /** The run's seed (unsigned 32-bit integer). */
  seed: number;
  /** Record per-tick series every `series` ticks (0: none). */
  series?: number;
  /** Record events. */
  events?: boolean;
  /** Directory against which relative paths in the config (replay files) are resolved. */
  baseDir?: string;
}

/** Σ q·(mark − entry) over every account. */
export function agentsUpnl(a: Accounts, mark: number): number {
  let s = 0;
  for (let i = 0; i < a.n; i++) s += a.qty[i] * (mark - a.entry[i]);
  return s;
}

/**
 * Losses not yet realised: the negative equity of every account at the mark (agents' and system rows',
 * with or without a position: an account left with negative collateral is as much a loss as one still
 * holding an underwater position), unsettled funding included (at `finish` it is settled, mid-run it is
 * what settling it would leave).
 */
export function openDeficit(v: Venue, mark: number): number {
  const n = v.accounts.n;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const e = v.equity(i, mark);
    if (e < 0) d -= e;
  }
  return d;
}

/** The venue of one run (see the module's note). */
export class Venue implements VenueContext {
  readonly cfg: SimConfig;
  readonly seed: number;
  readonly streams: RunStreams;
  /** Where the run's per-account arrays come from (see {@link Venue.f64}). */
  private readonly arena = new Arena();
  readonly market: Market;
  readonly accounts: Accounts;
  /** Named ledger balances, indexed by {@link LEDGER}. */
  readonly ledger = new Float64Array(LEDGER_SIZE);
  /**
   * Shortfall paid, indexed by {@link PAYER} (the built-in payers and what went unpaid), then by the run's
   * own payer columns ({@link Venue.payerColumns}) from `PAYER_SLOTS` on.
   */
  readonly paid: Float64Array;
  /** The who-paid columns of their own of the stages this run lists (`StageDef.pays`), in stage order. */
  readonly payerColumns: readonly Required<PayerColumn>[];
  /**
   * The metric slots stages write (see {@link VenueContext.metrics}): the fixed metrics' (by column), then the
   * run's own metric columns ({@link Venue.metricColumns}) from `METRIC_NAMES.length` on.
   */
  readonly metrics: Float64Array;
  /** The metric columns of their own of the stages this run lists (`StageDef.metrics`), in stage order. */
  readonly metricColumns: readonly MetricColumn[];
  readonly events: EventLog;
  /** Number of agents; account rows from here on belong to waterfall stages (vault, auction lots). */
  readonly nAgents: number;
  /**
   * Shares of the book's counterparty (the `market` ledger account and its position) owned by each agent:
   * market-maker strategies set them; the book's PnL is split among owners in proportion at the end.
   */
  readonly bookShare: Float64Array;
  /** The waterfall, wired by the engine once the starting capital is in (see {@link Venue.wire}). */
  waterfall!: Waterfall;

  /** Current tick. */
  tick = 0;
  /** Cumulative funding index (USD per unit of long position paid so far). */
  phi = 0;
  /** Sum of long positions and of short positions (base units, shorts negative). */
  longQty = 0;
  shortQty = 0;
  /** Notional liquidated so far (USD). */
  liquidatedNotional = 0;
  /** Shortfall so far, and in the current tick (USD, before it is paid). */
  shortfall = 0;
  /** @internal */
  tickShortfall = 0;
  /** The insurance fund at the start, and its lowest balance so far (USD). */
  insuranceFundStart = 0;
  insuranceFundMin = 0;
  /** Largest |mark / index − 1| so far; lowest mark so far (USD). */
  maxBasis = 0;
  minPrice = Number.POSITIVE_INFINITY;
  /** All money after the starting state was set up (see `Simulation.money`). */
  moneyStart = 0;
  /** @internal the larger gross money of the start and the end (see `Simulation.moneyScale`) */
  grossMoney = 0;
  /** Share of every trading fee a stage takes (the waterfall's `tradingFeeShare`, to `feeTo`). */
  private feeShare = 0;
  /** Liquidations so far, and in the current tick. */
  liquidations = 0;
  /** @internal */
  tickLiquidations = 0;
  /** Orders cut to what margin, the price band, the wallet or the spot held allowed; orders with nothing left. */
  ordersCut = 0;
  ordersRejected = 0;
  /** Funding has moved at least once (until then every account's funding snapshot is 0). */
  private fundingEverMoved = false;
  /** The ledger account a stage's share of trading fees goes to (see {@link Venue.feeShare}). */
  private feeTo: number = LEDGER.venueFees;
  /** The starting state is set up: agents' orders no longer take flags. */
  protected started = false;
  /** `market.liquidity.agentSlippage` */
  private readonly agentSlippage: boolean;
  /** `venue.takerFee`, and whether it is charged on every trade (`venue.feeOn: 'all'`). */
  private readonly takerFee: number;
  private readonly feeOnAll: boolean;
  /** Margin is checked at the oracle (`venue.marginPrice`), so initial margin is met there too. */
  private readonly marginAtOracle: boolean;
  /** `market.liquidity.unpaidFlowMovesMark` */
  private readonly unpaidFlowMovesMark: boolean;

  /**
   * A venue of `nAgents` agent accounts followed by `systemRows` rows of the waterfall's stages (inactive:
   * never margin-checked or acted on), with its prices, its ledger and nothing in it yet.
   */
  constructor(cfg: SimConfig, opts: RunOptions, nAgents: number, systemRows: number) {
    this.cfg = cfg;
    this.seed = opts.seed >>> 0;
    this.payerColumns = ownPayerColumns(cfg.waterfall.stages as { stage: string }[]);
    this.paid = new Float64Array(PAYER_SLOTS + this.payerColumns.length);
    this.metricColumns = ownMetricColumns(cfg.waterfall.stages as { stage: string }[]);
    this.metrics = new Float64Array(METRIC_NAMES.length + this.metricColumns.length);
    this.streams = new RunStreams(this.seed);
    this.market = new Market(cfg, this.streams, opts.baseDir ?? process.cwd());
    this.events = new EventLog(opts.events ?? false);
    this.agentSlippage = cfg.market.liquidity.agentSlippage;
    this.takerFee = cfg.venue.takerFee;
    this.feeOnAll = cfg.venue.feeOn === 'all';
    this.marginAtOracle = cfg.venue.marginPrice !== 'mark';
    this.unpaidFlowMovesMark = cfg.market.liquidity.unpaidFlowMovesMark;
    this.nAgents = nAgents;
    const n = nAgents + systemRows;
    this.accounts = new Accounts(n, cfg.venue.tiers, this.market.index[0], this.arena);
    this.accounts.active.fill(0, nAgents);
    this.accounts.group.fill(-1, nAgents);
    this.bookShare = this.f64(n);
    // every number field a double from the first run on (src/engine/layout.ts)
    numbersAsDoubles(this);
  }

  /** @internal Connects the waterfall the engine built on this venue. */
  protected wire(waterfall: Waterfall): void {
    this.waterfall = waterfall;
    this.feeShare = waterfall.tradingFeeShare ?? 0;
    this.feeTo = waterfall.tradingFeeTo ?? LEDGER.venueFees;
  }

  /** @internal Takes the insurance fund's balance into its running minimum. */
  noteFund(): void {
    const fund = this.ledger[LEDGER.insuranceFund];
    if (fund < this.insuranceFundMin) this.insuranceFundMin = fund;
  }

  // ---------------------------------------------------------------- per-run arrays

  /**
   * A zeroed Float64Array of length `n` for the rest of the run. After `simulate()` returns it is recycled
   * for the thread's next run, so it must not be kept or handed out beyond the run (results, series, events
   * use their own arrays). Strategies and stages declare their arrays (`state`) instead of calling this.
   */
  f64(n: number): Float64Array {
    return this.arena.f64(n);
  }
  /** A zeroed Int32Array for the rest of the run (see {@link Venue.f64}). */
  i32(n: number): Int32Array {
    return this.arena.i32(n);
  }
  /** A zeroed Uint8Array for the rest of the run (see {@link Venue.f64}). */
  u8(n: number): Uint8Array {
    return this.arena.u8(n);
  }
  /**
   * Ends the run's use of its arrays: the thread's next run reuses them. Nothing may read this run's
   * accounts or stage state afterwards. `simulate()` calls it once the results are taken.
   */
  dispose(): void {
    this.arena.release();
  }

  // ---------------------------------------------------------------- prices and reads

  /** Index price this tick. */
  get indexPrice(): number {
    return this.market.index[this.tick];
  }
  /** Mark price this tick. */
  get mark(): number {
    return this.market.mark;
  }
  /** Oracle price. */
  get oracle(): number {
    return this.market.oracle;
  }
  /** Seconds since the oracle's last update. */
  get oracleAge(): number {
    return this.tick * this.cfg.dtSeconds - this.market.oracleTime;
  }
  /** The price margin is checked against. */
  get checkPrice(): number {
    return this.marginAtOracle ? this.market.oracle : this.market.mark;
  }
  /** Seconds since the start of the run. */
  get time(): number {
    return this.tick * this.cfg.dtSeconds;
  }
  /** Equity of account i at price p (default: the mark), unsettled funding included. */
  equity(i: number, p = this.market.mark): number {
    const a = this.accounts;
    // without funding every snapshot is 0: skip that column (a cache miss per call at 1M accounts)
    if (!this.fundingEverMoved) return a.cash[i] + a.qty[i] * (p - a.entry[i]);
    return a.equity(i, p, this.phi);
  }
  /** Whether account i is below maintenance at the checked price. */
  isLiquidatable(i: number): boolean {
    const a = this.accounts;
    const q = a.qty[i];
    if (q === 0) return false;
    const p = this.checkPrice;
    return this.equity(i, p) < a.mmr[i] * Math.abs(q) * p;
  }

  // ---------------------------------------------------------------- keepers under congestion

  /** Gas cost of one keeper transaction at this tick's congestion (USD). */
  gasCost(): number {
    const c = this.cfg.market.congestion;
    return c.gasUsd * (1 + c.gasPerLevel * this.market.congestion);
  }

  /** Ticks by which a keeper action submitted now lands late. */
  keeperDelay(): number {
    return Math.floor(this.cfg.market.congestion.delayTicksPerLevel * this.market.congestion);
  }

  /** Probability that a keeper action submitted now fails. */
  keeperFailureProbability(): number {
    return 1 - Math.exp(-this.cfg.market.congestion.failureRate * this.market.congestion);
  }

  /**
   * Account i sends one keeper transaction: it pays the gas (to the chain) whether or not the action goes
   * through, and the return value says whether it did (drawn from the keeper's own stream). An account whose
   * equity cannot pay the gas sends nothing (false).
   */
  keeperTransaction(i: number, rng: Stream): boolean {
    const gas = this.gasCost();
    if (gas > 0) {
      if (!(this.equity(i) >= gas)) return false;
      this.charge(i, LEDGER.gas, gas);
    }
    const pf = this.keeperFailureProbability();
    return pf <= 0 || rng.uniform() >= pf;
  }

  // ---------------------------------------------------------------- money movements (rules: the module's note)

  /** Ends the run: strategy or stage code called `what` with an amount it may not. */
  private misuse(what: string, i: number, amount: number): never {
    throw new Error(
      `${what}(${i}, ${amount}) at tick ${this.tick}: the amount must be a finite number ≥ 0 (a bug in the strategy or stage that called it)`,
    );
  }

  /** Moves `amount` between two named ledger accounts. */
  move(from: number, to: number, amount: number): void {
    this.ledger[from] -= amount;
    this.ledger[to] += amount;
  }

  /** Deposits `amount` of new capital from outside into account i's collateral. */
  transferIn(i: number, amount: number): void {
    if (!(amount >= 0 && amount < Number.POSITIVE_INFINITY)) this.misuse('transferIn', i, amount);
    const a = this.accounts;
    this.ledger[LEDGER.outside] -= amount;
    a.cash[i] += amount;
    a.capitalIn[i] += amount;
    if (a.qty[i] !== 0) a.rekey(i);
  }

  /**
   * Collateral account i may take off the venue now (USD): all of it without a position; with one, what
   * is above the initial margin of its tier (or `venue.withdrawMarginFloor` of the notional, if larger) at
   * the mark (and at the oracle when margin is checked there), and never more than its cash, unless
   * `venue.withdrawUnrealized` lets it take unrealized PnL out too (its cash may then go below zero, the
   * position's gain standing for it).
   */
  withdrawable(i: number): number {
    const a = this.accounts;
    const q = a.qty[i];
    if (q === 0) return Math.max(a.cash[i], 0);
    const mark = this.market.mark;
    const v = this.cfg.venue;
    const keep = Math.max(a.imr[i], v.withdrawMarginFloor);
    const above = this.equity(i) - keep * Math.abs(q) * mark;
    let free = v.withdrawUnrealized ? above : Math.min(a.cash[i], above);
    const check = this.checkPrice;
    if (check !== mark) free = Math.min(free, this.equity(i, check) - keep * Math.abs(q) * check);
    return Math.max(free, 0);
  }

  /**
   * Moves up to `amount` of account i's collateral to its wallet (off the venue, still the agent's money),
   * as far as {@link Venue.withdrawable} allows; returns what it moved.
   */
  toWallet(i: number, amount: number): number {
    if (!(amount >= 0 && amount < Number.POSITIVE_INFINITY)) this.misuse('toWallet', i, amount);
    const a = this.accounts;
    const x = Math.min(amount, this.withdrawable(i));
    if (!(x > 0)) return 0;
    a.cash[i] -= x;
    a.wallet[i] += x;
    if (a.qty[i] !== 0) a.rekey(i);
    return x;
  }

  /** Deposits up to `amount` from account i's wallet into its collateral (a margin top-up); returns what it moved. */
  fromWallet(i: number, amount: number): number {
    if (!(amount >= 0 && amount < Number.POSITIVE_INFINITY)) this.misuse('fromWallet', i, amount);
    const a = this.accounts;
    const x = Math.min(amount, a.wallet[i]);
    if (!(x > 0)) return 0;
    a.wallet[i] -= x;
    a.cash[i] += x;
    if (a.qty[i] !== 0) a.rekey(i);
    return x;
  }

  /**
   * Trades `ds` units of the underlying on the spot market outside the venue (at the index price, or with
   * price impact when `market.spot.depthUsd` is set: spot buying pushes the index up) for account i: a buy
   * is paid from its wallet and cut to what the wallet pays for, a sale is cut to the spot it holds (no
   * borrowing, no short sales). The units held are `accounts.spot[i]`, valued at the index in the agent's
   * payoff. Returns the signed units traded (0: rejected).
   */
  spotTrade(i: number, ds: number): number {
    if (ds === 0) return 0;
    if (!(Math.abs(ds) < Number.POSITIVE_INFINITY)) this.misuse('spotTrade', i, ds);
    const a = this.accounts;
    const m = this.market;
    const t = this.tick;
    let u = ds;
    if (u < 0 && -u > a.spot[i]) u = -a.spot[i];
    // nothing fills past the spot book's bound
    const lim = m.spotLimit(u > 0 ? 1 : -1) / m.index[t];
    if (Math.abs(u) > lim) u = u > 0 ? lim : -lim;
    if (u > 0) {
      const cost = u * m.spotQuote(t, u * m.index[t]);
      // the whole order's average price is above any smaller order's, so this part is paid for
      if (cost > a.wallet[i]) u = (u * a.wallet[i] * (1 - 1e-12)) / cost;
    }
    if (!(Math.abs(u) > 0)) {
      this.ordersRejected++;
      return 0;
    }
    if (u !== ds) this.ordersCut++;
    const p = m.spotFill(t, u * m.index[t]);
    const cost = u * p;
    a.wallet[i] -= cost;
    a.spot[i] = u === -a.spot[i] ? 0 : a.spot[i] + u;
    this.ledger[LEDGER.outside] += cost;
    return u;
  }

  /** Withdraws up to `amount` of account i's collateral to outside (see {@link Venue.withdrawable}); returns what it moved. */
  transferOut(i: number, amount: number): number {
    if (!(amount >= 0 && amount < Number.POSITIVE_INFINITY)) this.misuse('transferOut', i, amount);
    const a = this.accounts;
    const x = Math.min(amount, this.withdrawable(i));
    if (!(x > 0)) return 0;
    a.cash[i] -= x;
    this.ledger[LEDGER.outside] += x;
    a.capitalOut[i] += x;
    if (a.qty[i] !== 0) a.rekey(i);
    return x;
  }

  /** Moves `amount` from account i's collateral to a named ledger account (a cost: fee, gas). */
  charge(i: number, to: number, amount: number): void {
    const a = this.accounts;
    a.cash[i] -= amount;
    a.costs[i] += amount;
    this.ledger[to] += amount;
  }

  /** Pays `amount` from a named ledger account into account i's collateral. */
  credit(from: number, i: number, amount: number): void {
    this.ledger[from] -= amount;
    this.accounts.cash[i] += amount;
  }

  /** Settles account i's accrued funding into its collateral (no change to its liquidation key). */
  settleFunding(i: number): void {
    const a = this.accounts;
    // no funding has ever accrued: every snapshot is 0 already (saves a cache miss per fill)
    if (!this.fundingEverMoved) return;
    const owed = a.qty[i] * (this.phi - a.fundIdx[i]);
    if (owed !== 0) {
      a.cash[i] -= owed;
      this.ledger[LEDGER.funding] += owed;
    }
    a.fundIdx[i] = this.phi;
  }

  // ---------------------------------------------------------------- trading

  /**
   * Sends an order of `dq` units (buy > 0) for account i through the liquidity model and returns the fill
   * price. Two venue rules cut it first (counted in `orders_cut`, or `orders_rejected` when nothing is left):
   * the price band — an order through the book fills only up to the band's edge (see `Market.bookLimit`) —
   * and initial margin — an order that opens, grows or flips a position is cut to the size at which the
   * account's equity after the fill (slippage and fee paid) still meets its tier's initial margin at the
   * mark, and at the price margin is checked at when that is the oracle. Realized PnL is paid by the book's counterparty (ledger `market`); the taker fee (per the venue's
   * `feeOn` rule, never taking equity below zero) goes to the venue. `flags`: {@link NO_FEE},
   * {@link NO_FLOW}, {@link NO_IMPACT}, honoured for the starting state (strategies' `init`) and the
   * waterfall's system rows only. An order that pays no impact (NO_IMPACT, or an agent's order with
   * `agentSlippage` off) does not move the mark either, unless `unpaidFlowMovesMark` (the benchmark's rule).
   */
  trade(i: number, dq: number, flags = 0): number {
    const m = this.market;
    if (dq === 0) return m.mark;
    if (!(Math.abs(dq) < Number.POSITIVE_INFINITY)) this.misuse('trade', i, dq);
    const agent = i < this.nAgents;
    // the flags are for the starting state and the waterfall's own rows: an agent's order in the run pays
    // the venue's rules like any other
    if (agent && this.started) flags = 0;
    const pays = (flags & NO_IMPACT) === 0 && (this.agentSlippage || !agent);
    if (!pays && !this.unpaidFlowMovesMark) flags |= NO_FLOW;
    const a = this.accounts;
    const q = a.qty[i];
    let u = dq;
    let x = m.mark;
    if (pays) {
      const lim = m.bookLimit(u > 0 ? 1 : -1);
      if (Math.abs(u) * m.mark > lim) u = (u > 0 ? lim : -lim) / m.mark;
      if (u !== 0) x = m.impactPrice(u * m.mark);
    }
    const nq = q + u;
    if (u !== 0 && nq !== 0 && (q === 0 || nq > 0 !== q > 0 || Math.abs(nq) > Math.abs(q))) {
      // initial margin on an order that opens, grows or flips a position, at the mark (the quick test
      // first: most pass) and at the oracle when margin is checked there
      const n = Math.abs(nq) * m.mark;
      const e = this.fundingEverMoved ? a.equity(i, m.mark, this.phi) : a.cash[i] + q * (m.mark - a.entry[i]);
      const fee =
        (flags & NO_FEE) !== 0 ? 0 : this.takerFee * Math.abs(x) * (this.feeOnAll ? Math.abs(u) : 0);
      if (
        !(e - Math.abs(x - m.mark) * Math.abs(u) - fee >= this.initialMarginRate(n) * n) ||
        (!this.feeOnAll && q !== 0 && nq > 0 !== q > 0)
      ) {
        const v = this.marginCut(i, q, u, x, flags, m.mark);
        if (v !== u) {
          u = v;
          if (pays && u !== 0) x = m.impactPrice(u * m.mark);
        }
      }
      if (this.marginAtOracle && u !== 0) {
        const v = this.marginAllows(i, q, u, x, flags, m.oracle);
        if (v !== u) {
          u = v;
          if (pays && u !== 0) x = m.impactPrice(u * m.mark);
        }
      }
    }
    if (u === 0) {
      this.ordersRejected++;
      return m.mark;
    }
    if (u !== dq) this.ordersCut++;
    if (agent && q !== 0 && q > 0 !== u > 0 && Math.abs(u) >= Math.abs(q) * (1 - 1e-9))
      this.closeWhole(i, q, u, x, flags);
    else this.fill(i, u, x, flags);
    return x;
  }

  /**
   * An agent's order that closes its whole position: a close below its bankruptcy price leaves a shortfall,
   * which goes to the waterfall at once (a system row's deficit is its stage's to settle).
   */
  private closeWhole(i: number, q: number, u: number, x: number, flags: number): void {
    const a = this.accounts;
    const pbk = a.bankruptcyPrice(i, this.phi);
    this.fill(i, u, x, flags);
    if (a.qty[i] === 0 && a.cash[i] < 0) this.waterfall.coverShortfall(i, -a.cash[i], q > 0 ? 1 : -1, pbk);
  }

  /** `u` when an order of `u` units at `x` meets initial margin at price `p`, else {@link marginCut}. */
  private marginAllows(i: number, q: number, u: number, x: number, flags: number, p: number): number {
    const a = this.accounts;
    const nq = q + u;
    const n = Math.abs(nq) * p;
    const e = this.fundingEverMoved ? a.equity(i, p, this.phi) : a.cash[i] + q * (p - a.entry[i]);
    const fee = (flags & NO_FEE) !== 0 ? 0 : this.takerFee * Math.abs(x) * (this.feeOnAll ? Math.abs(u) : 0);
    if (
      e - Math.abs(x - p) * Math.abs(u) - fee >= this.initialMarginRate(n) * n &&
      (this.feeOnAll || q === 0 || nq > 0 === q > 0)
    )
      return u;
    return this.marginCut(i, q, u, x, flags, p);
  }

  /**
   * The part of an order of `dq` units at price `x` (on a position of `q`) that initial margin allows at
   * price `mark` (the mark, or the price margin is checked at): all of it when equity there after the fill
   * (its slippage |x − mark| and its fee paid) meets the initial margin of the new position's tier, else the
   * largest size that does (the cut size's tier is at most the full order's, so its rate is no higher), and
   * never less than what closes the position.
   */
  private marginCut(i: number, q: number, dq: number, x: number, flags: number, mark: number): number {
    const e = this.equity(i, mark);
    const u = Math.abs(dq);
    const aq = Math.abs(q);
    const flip = q !== 0 && dq > 0 !== q > 0;
    const slip = Math.abs(x - mark);
    const f = (flags & NO_FEE) === 0 ? this.cfg.venue.takerFee * Math.abs(x) : 0;
    // the fee per unit on every unit, or (feeOn 'close') only on the units that close
    const all = this.cfg.venue.feeOn === 'all';
    const closed = flip ? aq : 0;
    const nq = Math.abs(q + dq);
    const r = this.initialMarginRate(nq * mark);
    if (e - slip * u - f * (all ? u : closed) >= r * nq * mark) return dq;
    // same side: e − u(slip + f') ≥ r(|q| + u)m; a flip: e − u(slip + f') − f''|q| ≥ r(u − |q|)m
    const top = flip ? e + r * aq * mark - (all ? 0 : f * aq) : e - r * aq * mark;
    let most = (top / (slip + (all ? f : 0) + r * mark)) * (1 - 1e-12);
    if (flip && !(most > aq)) most = aq; // closing is always allowed
    if (!(most > 0)) return 0;
    return most >= u ? dq : dq > 0 ? most : -most;
  }

  /** Initial margin rate of the tier a position of `notional` USD falls in. */
  initialMarginRate(notional: number): number {
    const tiers = this.accounts.tiers;
    let t = 0;
    while (t + 1 < tiers.length && notional >= tiers[t + 1].minNotional) t++;
    return tiers[t].imr;
  }

  /**
   * Fills `dq` units for account i at price `x` (the caller chose the price: book, auction, takeover).
   * Counts in the book's flow unless {@link NO_FLOW}; charges the taker fee unless {@link NO_FEE}.
   */
  fill(i: number, dq: number, x: number, flags = 0): number {
    const a = this.accounts;
    this.settleFunding(i);
    const q = a.qty[i];
    const p0 = a.entry[i];
    let closing = 0;
    if (q !== 0 && Math.sign(dq) !== Math.sign(q)) {
      closing = Math.min(Math.abs(dq), Math.abs(q));
      const realized = Math.sign(q) * closing * (x - p0);
      a.cash[i] += realized;
      this.ledger[LEDGER.market] -= realized;
    }
    const nq = q + dq;
    const opening = Math.abs(dq) - closing;
    if (opening > 0) {
      // same side grows: average entry; a flip: entry at the fill
      a.entry[i] = Math.abs(q) > 0 && closing === 0 ? (Math.abs(q) * p0 + opening * x) / Math.abs(nq) : x;
    }
    // a close that leaves a rounding residual of the position closes it; a fresh position is never dust
    a.qty[i] = Math.abs(nq) < 1e-12 * Math.abs(q) ? 0 : nq;
    this.updateOpenInterest(q, a.qty[i]);
    if ((flags & NO_FEE) === 0) {
      const feeQty = this.cfg.venue.feeOn === 'all' ? Math.abs(dq) : closing;
      const fee = Math.min(this.cfg.venue.takerFee * feeQty * Math.abs(x), Math.max(0, this.equity(i)));
      if (fee > 0) {
        if (this.feeShare > 0) {
          const f = fee * this.feeShare;
          this.charge(i, this.feeTo, f);
          this.charge(i, LEDGER.venueFees, fee - f);
        } else this.charge(i, LEDGER.venueFees, fee);
      }
    }
    if ((flags & NO_FLOW) === 0) this.market.flow += dq * x;
    if (opening > 0 && a.tiers.length > 1) a.setTier(i);
    a.rekey(i);
    return x;
  }

  private updateOpenInterest(before: number, after: number): void {
    if (before > 0) this.longQty -= before;
    else if (before < 0) this.shortQty -= before;
    if (after > 0) this.longQty += after;
    else if (after < 0) this.shortQty += after;
  }

  /**
   * Opens (or adds to) a position of `leverage` × account i's equity at the mark, on `side` (+1 long, −1
   * short), as far as initial margin and the price band allow; returns the units traded.
   */
  openAtLeverage(i: number, leverage: number, side: number, flags = 0): number {
    const e = this.equity(i);
    if (!(e > 0)) return 0;
    const a = this.accounts;
    const before = a.qty[i];
    this.trade(i, (side * e * leverage) / this.market.mark, flags);
    return a.qty[i] - before;
  }

  /**
   * Closes account i's whole position through the book (as far as the price band allows: what is left stays
   * open). A close that leaves no position and negative collateral makes a shortfall that goes to the
   * waterfall's payers (with the bankruptcy price from before the close), as any trade that closes does.
   */
  close(i: number, flags = 0): void {
    const q = this.accounts.qty[i];
    if (q !== 0) this.trade(i, -q, flags);
  }

  /**
   * Account i leaves: closes its position, withdraws what is left to outside, and stops acting. An account
   * whose position the book could not take whole stays (false): nobody leaves a venue with a position open;
   * nor one whose position is partly in the waterfall (a lot in an auction, which may come back to it).
   */
  exit(i: number, flags = 0): boolean {
    const a = this.accounts;
    if (this.waterfall.holds?.(i)) return false;
    this.close(i, flags);
    if (a.qty[i] !== 0) return false;
    if (a.cash[i] > 0) this.transferOut(i, a.cash[i]);
    a.active[i] = 0;
    a.rekey(i);
    return true;
  }

  // ---------------------------------------------------------------- funding

  /**
   * @internal Phase 4 at a funding interval: rate = clamp((mark − index)/index, ±cap) moves the cumulative
   * funding index; accounts settle lazily when touched, the book's counterparty at once.
   */
  accrueFunding(): void {
    const m = this.market;
    const p = m.index[this.tick];
    const cap = this.cfg.market.funding.cap;
    const rate = Math.min(cap, Math.max(-cap, (m.mark - p) / p));
    const d = rate * m.mark;
    this.phi += d;
    this.fundingEverMoved = true;
    // the book's counterparty holds −(net agent position) and settles at once
    const marketPos = -(this.longQty + this.shortQty);
    const owed = marketPos * d;
    this.ledger[LEDGER.market] -= owed;
    this.ledger[LEDGER.funding] += owed;
  }

  /** @internal Settles every account's funding (at the end of the run). */
  settleAllFunding(): void {
    const n = this.accounts.n;
    for (let i = 0; i < n; i++) this.settleFunding(i);
  }

  // ---------------------------------------------------------------- tallies and the event log

  /** Records a liquidation in the tick's counters and metrics. */
  noteLiquidation(notional: number): void {
    this.liquidations++;
    this.tickLiquidations++;
    this.liquidatedNotional += notional;
  }

  /** Records a shortfall (before it is paid). */
  noteShortfall(amount: number): void {
    this.shortfall += amount;
    this.tickShortfall += amount;
  }

  /** Logs an event when events are recorded (the account's state, when given, is from {@link snap}). */
  log(
    kind: Parameters<typeof eventCode>[0],
    account: number,
    size: number,
    price: number,
    amount: number,
    position = Number.NaN,
    leverage = Number.NaN,
    pnl = Number.NaN,
  ): void {
    if (this.events.enabled)
      this.events.push(this.tick, eventCode(kind), account, size, price, amount, position, leverage, pnl);
  }

  /** Account state taken by {@link snap}: units held, leverage at the mark, unrealized PnL at the mark. */
  snapQty = Number.NaN;
  snapLeverage = Number.NaN;
  snapPnl = Number.NaN;
  /**
   * Takes account i's state before an event, for the event log (only when events are recorded): its
   * position, its leverage |q|·mark/equity (+Infinity at equity ≤ 0) and its unrealized PnL at the mark
   * (equity − cash, unsettled funding included).
   */
  snap(i: number): void {
    if (!this.events.enabled) return;
    const q = this.accounts.qty[i];
    const mark = this.market.mark;
    const e = this.equity(i, mark);
    this.snapQty = q;
    this.snapLeverage = e > 0 ? (Math.abs(q) * mark) / e : Number.POSITIVE_INFINITY;
    this.snapPnl = e - this.accounts.cash[i];
  }

  // ---------------------------------------------------------------- the book

  /**
   * The book's counterparty's PnL so far at price `mark` (USD): the cash it took from every fill and funding,
   * plus its position −Σq valued at the mark. O(accounts): call it once a tick, not per account.
   */
  bookPnl(mark = this.market.mark): number {
    return this.ledger[LEDGER.market] - agentsUpnl(this.accounts, mark);
  }

  /**
   * What the book's counterparty has gained so far and can keep (USD): its PnL less what bankrupt accounts
   * owe it and cannot pay (the negative equity still open, and what went unpaid) — the figure its owners
   * share at the end. O(accounts).
   */
  bookCollected(mark = this.market.mark): number {
    return this.bookPnl(mark) - this.paid[PAYER.unpaid] - openDeficit(this, mark);
  }
}

/**
 * What plug-ins see of a run: {@link StrategyContext} for strategies, {@link VenueContext} for waterfall
 * stages. Both are interfaces the run's venue (`Venue`, src/venue/venue.ts) implements, so a plug-in is written,
 * read and typed against a few dozen documented members instead of the engine class, and its types do not
 * let it write the engine's clock or tallies (`tick`, prices, open interest are read-only here). Plug-ins
 * are trusted code that runs in the engine's thread: a cast gets past the types, and the run's checks
 * (conservation, finiteness, who paid, declared metrics, a frozen config) catch much of what that breaks,
 * not all of it. At run time the context is the
 * venue object itself (the engine is a `Venue` that runs the loop): a call through it is a direct method call.
 */
import type { SimConfig } from './config/schema.js';
import type { EventKind } from './engine/events.js';
import type { Market } from './engine/market.js';
import type { Stream } from './rng.js';
import type { Accounts } from './venue/accounts.js';
import type { Keepers } from './waterfall/keepers.js';
import type { Waterfall } from './waterfall/waterfall.js';

/** What a strategy's `init`, `act` and `holdings` get: prices, account columns, trades and money moves. */
export interface StrategyContext {
  /** The validated config of the run (frozen: a run may not change it). */
  readonly cfg: SimConfig;
  /** The current tick (0 before the first). */
  readonly tick: number;
  /** Seconds since the start (tick × dtSeconds). */
  readonly time: number;
  /** Index price (USD). */
  readonly indexPrice: number;
  /** Mark price (USD). */
  readonly mark: number;
  /** Oracle price (USD). */
  readonly oracle: number;
  /** Seconds since the oracle last updated. */
  readonly oracleAge: number;
  /** The price margin is checked at (mark or oracle, as the venue says). */
  readonly checkPrice: number;
  /** Open interest, long and short (units). */
  readonly longQty: number;
  readonly shortQty: number;
  /**
   * The account columns (`qty`, `cash`, `wallet`, …), indexed by account id. Read them; change them only
   * through the operations below, which keep the ledger, the liquidation index and open interest right.
   */
  readonly accounts: Accounts;
  /** The book: marks, depth, realized volatility. */
  readonly market: Market;
  /** Each market-maker agent's share of the book's depth, by account id. */
  readonly bookShare: Float64Array;
  /** The keeper services of the waterfall (get them with `keepers(ctx)`). */
  readonly waterfall: { readonly keepers?: Keepers };
  /** Equity of account `i` at price `p` (default: the mark). */
  equity(i: number, p?: number): number;
  /** Trades `dq` units for account `i` through the book (cut to what margin allows); returns what filled. */
  trade(i: number, dq: number, flags?: number): number;
  /** Opens a position of `leverage` × equity on `side` (+1 long, −1 short); returns the units filled. */
  openAtLeverage(i: number, leverage: number, side: number, flags?: number): number;
  /** Closes account `i`'s position. */
  close(i: number, flags?: number): void;
  /** Closes the position and withdraws everything; false when the account cannot leave yet. */
  exit(i: number, flags?: number): boolean;
  /** Whether account `i` is below maintenance margin now. */
  isLiquidatable(i: number): boolean;
  /** Deposits `amount` from outside into account `i`'s collateral. */
  transferIn(i: number, amount: number): void;
  /** Withdraws up to `amount` of account `i`'s collateral to outside; returns what moved. */
  transferOut(i: number, amount: number): number;
  /** Initial margin rate for a position of `notional` USD (the venue's tiers). */
  initialMarginRate(notional: number): number;
  /** USD account `i` may withdraw now. */
  withdrawable(i: number): number;
  /** Moves up to `amount` from the account's collateral to its wallet; returns what moved. */
  toWallet(i: number, amount: number): number;
  /** Moves up to `amount` from the account's wallet to its collateral; returns what moved. */
  fromWallet(i: number, amount: number): number;
  /** Buys (`ds` > 0) or sells spot off the venue with the wallet; returns the units traded. */
  spotTrade(i: number, ds: number): number;
  /** Gas of one keeper transaction now (USD). */
  gasCost(): number;
  /** Ticks a keeper transaction takes to land now. */
  keeperDelay(): number;
  /** Whether a keeper transaction by `i` lands (draws its failure from `rng`), paying its gas. */
  keeperTransaction(i: number, rng: Stream): boolean;
  /** A per-run column of `n` numbers (recycled for the thread's next run). */
  f64(n: number): Float64Array;
  i32(n: number): Int32Array;
  u8(n: number): Uint8Array;
}

/** What a waterfall stage gets besides its parameters: the strategy context and the venue's operations. */
export interface VenueContext extends StrategyContext {
  /** Cumulative funding index (USD per unit). */
  readonly phi: number;
  /** Number of agent accounts (system rows follow them). */
  readonly nAgents: number;
  /** The ledger's named accounts (`LEDGER`), USD. */
  readonly ledger: Float64Array;
  /** The waterfall: `coverShortfall` passes a shortfall down the payers; the keeper services. */
  readonly waterfall: Pick<Waterfall, 'coverShortfall' | 'keepers'>;
  /** Fills `dq` units for account `i` at price `x` (no margin check); returns what filled. */
  fill(i: number, dq: number, x: number, flags?: number): number;
  /** Moves `amount` from account `i`'s collateral to ledger account `to`. */
  charge(i: number, to: number, amount: number): void;
  /** Moves `amount` from ledger account `from` to account `i`'s collateral. */
  credit(from: number, i: number, amount: number): void;
  /** Counts a liquidation of `notional` USD. */
  noteLiquidation(notional: number): void;
  /** Records an event (when the run records events). */
  log(
    kind: EventKind,
    account: number,
    size: number,
    price: number,
    amount: number,
    position?: number,
    leverage?: number,
    pnl?: number,
  ): void;
  /** Takes account `i`'s state into `snapQty`, `snapLeverage`, `snapPnl` (for an event). */
  snap(i: number): void;
  readonly snapQty: number;
  readonly snapLeverage: number;
  readonly snapPnl: number;
  /** What the book collected at `mark` (its PnL less what bankrupt accounts owe it). */
  bookCollected(mark?: number): number;
  /**
   * The run's metric slots, one per summary metric in column order: a stage adds to (or, in `report`,
   * sets) the slots of the metrics it declares (`StageDef.metrics`), at the index `StageContext.metric`
   * gives it. A slot no listed stage declares must stay 0 (checked at the end of the run).
   */
  readonly metrics: Float64Array;
}

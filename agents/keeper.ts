/**
 * What liquidator strategies share: their parameters, their valuation of inventory (what it fetches when
 * sold back through the same liquidity model), actions that land late under congestion, and unwinding;
 * and for the auction keepers, their transaction limit, the initial-margin rule applied to many lots at
 * once, and a reusable table of the open auctions.
 */
import { z } from 'zod';
import { keepers, maxTake, type StrategyContext } from '../src/plugin.js';

/** Parameters every liquidator strategy has. */
export const keeperParams = {
  margin: z.number().min(0).default(0.02).describe('profit required over its valuation (fraction of value)'),
  capitalLimitUsd: z
    .number()
    .positive()
    .default(5_000_000)
    .describe('largest inventory it will hold (USD of notional)'),
  unwindFraction: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('share of its inventory sold back through the book each tick'),
  runsBot: z
    .boolean()
    .default(true)
    .describe('runs a keeper bot: starts and resets auctions for their incentive'),
  maxGasUsd: z
    .number()
    .finite()
    .min(0)
    .default(0)
    .describe(
      'highest gas its software pays per transaction (USD; 0: no ceiling); above it its transactions are priced out and never mined',
    ),
};

/**
 * Whether a keeper whose software pays at most `maxGasUsd` per transaction is priced out this tick: gas
 * costs more, so what it sends is never mined (it pays nothing and nothing happens). MakerDAO's default
 * auction keeper on 12 March 2020 priced its transactions this way and stopped bidding when gas spiked.
 */
export function pricedOut(sim: StrategyContext, maxGasUsd: number): boolean {
  return maxGasUsd > 0 && sim.gasCost() > maxGasUsd;
}

/**
 * A keeper bot priced out sends no kicks either: while gas is above `maxGasUsd` the group's bots stop
 * (they start and reset no auctions and earn no incentive) and start again when it falls back. Returns
 * whether the group is priced out this tick. Watching is idempotent, so this costs only at a change.
 */
export function followGas(
  first: number,
  count: number,
  params: { runsBot: boolean; maxGasUsd: number },
  sim: StrategyContext,
): boolean {
  const out = pricedOut(sim, params.maxGasUsd);
  if (params.runsBot && params.maxGasUsd > 0) {
    const k = keepers(sim);
    for (let i = first; i < first + count; i++) {
      if (out) k.unwatch(i);
      else k.watch(i);
    }
  }
  return out;
}

/**
 * Value per unit of taking `units` on `side` (+1 long) now: the price the whole lot fetches if sold back
 * through the book at once (mark moved by its own impact) — a conservative valuation.
 */
export function unitValue(sim: StrategyContext, side: number, units: number): number {
  const m = sim.market;
  return m.mark * (1 - (side * units * m.mark) / (100 * m.depth));
}

/** Inventory room of agent i (USD of notional). */
export function room(sim: StrategyContext, i: number, limitUsd: number): number {
  return Math.max(0, limitUsd - Math.abs(sim.accounts.qty[i]) * sim.mark);
}

/** Sells `fraction` of each agent's inventory back through the book. */
export function unwind(first: number, count: number, fraction: number, sim: StrategyContext): void {
  if (fraction <= 0) return;
  const a = sim.accounts;
  for (let i = first; i < first + count; i++) {
    const q = a.qty[i];
    if (q === 0) continue;
    if (fraction >= 1 || Math.abs(q) * sim.mark < 100) sim.close(i);
    else sim.trade(i, -q * fraction);
  }
}

let scratch = new Int32Array(0);
/** A reusable id buffer of at least `n` entries (one per thread; grows, never shrinks). */
export function buffer(n: number): Int32Array {
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, 2 * scratch.length));
  return scratch;
}

/** State columns of actions waiting to land: due tick (−1: none), target, units, limit price. */
export const pendingState = { due: 'i32', target: 'i32', units: 'f64', limit: 'f64' } as const;

/**
 * Parameters of the auction keepers (English bidder, Dutch taker), who consider every open auction of their
 * kind each tick and compete with each other, members of their own group included.
 */
export const auctionParams = {
  // A keeper bot sends one transaction per bid or take, from one account, so its nonce sequence and gas
  // budget bound how many it gets mined per tick; two per 12-second Ethereum block in a 1-minute tick is a
  // bot that keeps up with the chain without outbidding everyone on gas. Congestion is modelled apart
  // (gas, failures, delays), so this is the calm-chain ceiling.
  maxTxPerTick: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(10)
    .describe(
      'transactions it sends per tick (count; 10 ≈ two per 12-s block in a 1-min tick); one under congestion',
    ),
};

/**
 * canHold's rule (src/waterfall/ops.ts) for any set of positions: whether agent i, with `units` base units
 * of position valued at the mark and `extraEquity` USD more equity than now, meets the initial margin of
 * the tier of that notional.
 */
export function meetsInitial(sim: StrategyContext, i: number, units: number, extraEquity: number): boolean {
  const notional = units * sim.mark;
  return sim.equity(i) + extraEquity >= sim.initialMarginRate(notional) * notional;
}

/**
 * The most units (≤ `cap`) agent i can take on `side` at price `x`, paying `gas` for the transaction first,
 * and still meet initial margin (the check the auction applies): `maxTake`, a hair inside against rounding
 * in the auction's own check.
 */
export function marginUnits(
  sim: StrategyContext,
  i: number,
  side: number,
  cap: number,
  x: number,
  gas: number,
): number {
  if (!(cap > 0)) return 0;
  if (meetsInitial(sim, i, Math.abs(sim.accounts.qty[i] + side * cap), side * cap * (sim.mark - x) - gas))
    return cap;
  const most = maxTake(sim, i, side, x, -gas);
  return most < cap ? most * (1 - 1e-9) : 0;
}

/**
 * Reusable columns over the open auctions of one act call (one set per thread; grow, never shrink). A
 * strategy fills the first entries itself each call and reads only what it wrote, so nothing carries over
 * between calls, groups or runs.
 */
export class AuctionTable {
  id = new Int32Array(0);
  bidder = new Int32Array(0);
  done = new Uint8Array(0);
  side = new Float64Array(0);
  value = new Float64Array(0);
  units = new Float64Array(0);
  standUnits = new Float64Array(0);
  standGain = new Float64Array(0);
  price = new Float64Array(0);
  limit = new Float64Array(0);
  /** Indexed by auction id (an account row), not by entry. */
  byId = new Float64Array(0);

  /** Makes room for `n` entries (and ids below `n`). */
  ensure(n: number): void {
    if (this.id.length >= n) return;
    const c = Math.max(n, 2 * this.id.length);
    this.id = new Int32Array(c);
    this.bidder = new Int32Array(c);
    this.done = new Uint8Array(c);
    this.side = new Float64Array(c);
    this.value = new Float64Array(c);
    this.units = new Float64Array(c);
    this.standUnits = new Float64Array(c);
    this.standGain = new Float64Array(c);
    this.price = new Float64Array(c);
    this.limit = new Float64Array(c);
    this.byId = new Float64Array(c);
  }
}

/** The thread's auction table (see {@link AuctionTable}). */
export const table = new AuctionTable();

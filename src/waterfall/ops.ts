import type { StrategyContext, VenueContext } from '../context.js';
/** Money and position movements shared by the stages. Every one has a payer and a payee in the ledger. */

import { NO_FEE, NO_FLOW } from '../engine/flags.js';

/**
 * Moves `dq` units of position (signed, as seen by `to`) from account `from` to account `to` at price `x`:
 * `from` trades −dq and `to` trades +dq at `x`, with no fee and no book flow. Each side's realized PnL is
 * settled against the book's ledger as in any fill, so the two legs together leave it where it was
 * relative to the agents' open positions (the book's counterparty is untouched).
 */
export function transferPosition(sim: VenueContext, from: number, to: number, dq: number, x: number): void {
  if (dq === 0) return;
  const a = sim.accounts;
  // what would be left of `from`'s position is a rounding residual: it all moves, so that no position is
  // left on one side that the other side does not hold
  const q = a.qty[from];
  if (Math.abs(q - dq) < 1e-12 * Math.abs(q)) dq = q;
  sim.fill(from, -dq, x, NO_FEE | NO_FLOW);
  const qt = a.qty[to];
  // (a lot within rounding of the taker's opposite position closes it too: `fill` clears the residual)
  const closes = qt !== 0 && qt > 0 !== dq > 0 && Math.abs(dq) >= Math.abs(qt) * (1 - 1e-9);
  const pbk = closes ? a.bankruptcyPrice(to, sim.phi) : Number.NaN;
  sim.fill(to, dq, x, NO_FEE | NO_FLOW);
  // a taker whose own opposite position this closed, leaving it flat and owing money (it was underwater, and
  // taking the lot realized that), has a shortfall of its own (a stage's row settles its own deficit)
  if (closes && to < sim.nAgents && a.qty[to] === 0 && a.cash[to] < 0)
    sim.waterfall.coverShortfall(to, -a.cash[to], qt > 0 ? 1 : -1, pbk);
}

/** Moves `amount` USD of collateral from account `from` to account `to` (either may then be negative). */
export function moveCash(sim: VenueContext, from: number, to: number, amount: number): void {
  if (amount === 0) return;
  const a = sim.accounts;
  a.cash[from] -= amount;
  a.cash[to] += amount;
  if (a.qty[from] !== 0) a.rekey(from);
  if (a.qty[to] !== 0) a.rekey(to);
}

/**
 * Whether account `k` could take `dq` more units at price `x` and still meet the initial margin of the tier
 * of its new position at the mark, and at the price margin is checked at when that is the oracle.
 */
export function canHold(sim: VenueContext, k: number, dq: number, x: number): boolean {
  const check = sim.checkPrice;
  return holdsAt(sim, k, dq, x, sim.mark) && (check === sim.mark || holdsAt(sim, k, dq, x, check));
}

function holdsAt(sim: VenueContext, k: number, dq: number, x: number, m: number): boolean {
  const a = sim.accounts;
  const q = a.qty[k] + dq;
  const e = sim.equity(k, m) + dq * (m - x);
  const notional = Math.abs(q) * m;
  const tiers = a.tiers;
  let t = 0;
  while (t + 1 < tiers.length && notional >= tiers[t + 1].minNotional) t++;
  return e >= tiers[t].imr * notional;
}

/**
 * The most units account `k` can take on `side` (+1 long, −1 short) at price `x` and still meet the initial
 * margin of its new position's tier at the mark (and at the price margin is checked at when that is the
 * oracle): E + extra + u·side·(m − x) ≥ imr·|q + side·u|·m (`extra`: equity it gains or pays first, e.g.
 * −gas). Units that reduce an opposite position are always allowed (they lower the requirement). When each
 * unit brings more equity than the margin it needs (a price that good), the condition binds from below, not
 * above: Infinity if the account meets it now, else 0.
 */
export function maxTake(sim: StrategyContext, k: number, side: number, x: number, extra = 0): number {
  const u = maxTakeAt(sim, k, side, x, extra, sim.mark);
  const check = sim.checkPrice;
  return check === sim.mark ? u : Math.min(u, maxTakeAt(sim, k, side, x, extra, check));
}

function maxTakeAt(
  sim: StrategyContext,
  k: number,
  side: number,
  x: number,
  extra: number,
  m: number,
): number {
  const a = sim.accounts;
  const q = a.qty[k];
  const aq = Math.abs(q);
  const e = sim.equity(k, m) + extra;
  const g = side * (m - x); // what each unit taken gains (negative: costs) at the price
  const opposite = q !== 0 && q > 0 !== side > 0;
  let r = sim.initialMarginRate(0);
  let u = 0;
  // the tier depends on the size taken: raise the rate until the size found stays within it (conservative)
  for (let pass = 0; pass <= a.tiers.length; pass++) {
    const d = r * m - g;
    if (!(d > 0)) return e >= r * aq * m ? Number.POSITIVE_INFINITY : 0;
    u = (opposite ? e + r * aq * m : e - r * aq * m) / d;
    if (opposite && u < aq) u = aq;
    const r2 = sim.initialMarginRate(Math.abs(q + side * Math.max(0, u)) * m);
    if (!(r2 > r)) break;
    r = r2;
  }
  return Math.max(u, 0);
}

/** Equity per unit of maintenance requirement at the checked price (< 1: liquidatable). */
export function health(sim: VenueContext, id: number): number {
  const a = sim.accounts;
  const p = sim.checkPrice;
  const mm = a.mmr[id] * Math.abs(a.qty[id]) * p;
  return mm > 0 ? sim.accounts.equity(id, p, sim.phi) / mm : Number.POSITIVE_INFINITY;
}

/**
 * The liquidation waterfall seen from the engine: the tick loop hands each liquidatable account to
 * `liquidate`, and every negative balance left after a close to `coverShortfall`. The engine knows
 * nothing else about stages.
 */
import type { Simulation } from '../engine/simulation.js';
import { LEDGER, PAYER } from '../venue/ledger.js';

/** What the engine calls; built from the config by {@link buildWaterfall}. */
export interface Waterfall {
  /** Handles one account found below maintenance this tick. */
  liquidate(id: number): void;
  /**
   * Finds payers for `amount` USD of shortfall left on account `id` (its collateral is −amount) after its
   * position (sign `side`, bankruptcy price `pbk`) was closed. Must leave the account's collateral at 0
   * and add exactly `amount` to the `paid` counters.
   */
  coverShortfall(id: number, amount: number, side: number, pbk: number): void;
  /** Called once per tick after the liquidations (auctions advance, the vault unwinds...). */
  endTick?(): void;
  /** Called once after the last tick. */
  finish?(): void;
  /** Value (USD) of what account i holds in the waterfall besides its collateral (e.g. vault shares). */
  holdingsValue?(i: number): number;
  /** Vault equity at the mark (USD), when there is a vault. */
  vaultEquity?(): number;
  /** Vault share price at the end over the start, minus 1. */
  vaultReturn?(): number;
  /** Vault's largest share-price drawdown (fraction). */
  vaultMaxDrawdown?(): number;
}

/**
 * Closes account `id`'s whole position through the book at the impact price, charges the liquidation fee
 * (from what equity is left, never below zero; the configured share to the insurance fund, the rest to
 * the venue) and returns the shortfall left (≥ 0). The shared building block of market liquidation.
 */
export function marketClose(sim: Simulation, id: number): number {
  const a = sim.accounts;
  const q = a.qty[id];
  if (q === 0) return 0;
  const m = sim.market;
  const pbk = a.bankruptcyPrice(id, sim.phi);
  const x = m.impactPrice(-q * m.mark);
  sim.fill(id, -q, x, 1 /* NO_FEE: the liquidation fee replaces the taker fee */);
  const notional = Math.abs(q) * Math.abs(x);
  sim.noteLiquidation(notional);
  sim.log('liquidation', id, -q, x, notional);
  const v = sim.cfg.venue;
  const fee = Math.min(v.liquidationFee * notional, Math.max(0, a.cash[id]));
  if (fee > 0) {
    const toFund = fee * v.liquidationFeeToFund;
    sim.charge(id, LEDGER.insuranceFund, toFund);
    sim.charge(id, LEDGER.venueFees, fee - toFund);
  }
  const short = a.cash[id] < 0 ? -a.cash[id] : 0;
  if (short > 0) sim.waterfall.coverShortfall(id, short, Math.sign(q), pbk);
  return short;
}

/** Records `amount` of account `id`'s shortfall as unpaid: its debt moves to the bad-debt ledger. */
export function leaveUnpaid(sim: Simulation, id: number, amount: number): void {
  if (amount <= 0) return;
  sim.accounts.cash[id] += amount;
  sim.ledger[LEDGER.badDebt] -= amount;
  sim.paid[PAYER.unpaid] += amount;
  sim.log('unpaid', id, 0, 0, amount);
}

/**
 * The engine's plain waterfall (before stages are configured): a full market close; any shortfall is
 * recorded and left unpaid.
 */
export function buildWaterfall(sim: Simulation): Waterfall {
  return {
    liquidate(id) {
      marketClose(sim, id);
    },
    coverShortfall(id, amount) {
      sim.noteShortfall(amount);
      sim.log('shortfall', id, 0, 0, amount);
      leaveUnpaid(sim, id, amount);
    },
  };
}

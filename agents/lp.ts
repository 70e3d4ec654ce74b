import { keepers, type StrategyContext } from '../src/plugin.js';
/** What backstop-LP strategies share: depositing, leaving, and the vault's signals. */

/** Agent i deposits all its collateral into the vault; returns the shares minted. */
export function depositAll(sim: StrategyContext, i: number): number {
  const c = sim.accounts.cash[i];
  return c > 0 ? keepers(sim).deposit(i, c) : 0;
}

/**
 * Agent i asks to redeem every share it holds that is not already pending; false while locked up (the
 * caller keeps asking). Returns true once everything is pending.
 */
export function withdrawAll(sim: StrategyContext, i: number): boolean {
  const k = keepers(sim);
  const free = k.vaultShares(i) - k.pendingWithdrawal(i);
  if (free <= 1e-12) return true;
  return k.requestWithdrawal(i, free);
}

/** Annualisation factor: ticks per year. */
export function ticksPerYear(sim: StrategyContext): number {
  return 31_536_000 / sim.cfg.dtSeconds;
}

import type { StrategyContext, Stream } from '../src/plugin.js';
/** The shared decision loop of the lookback traders (momentum and mean reversion). */

/**
 * Visits each agent of `first .. first+count-1` with probability `p` this tick (geometric skips: O(visits))
 * and moves it to `side` (+1, −1, or 0 = flat; NaN = keep) at `leverage`.
 */
export function retarget(
  first: number,
  count: number,
  p: number,
  side: number,
  leverage: number,
  sim: StrategyContext,
  rng: Stream,
): void {
  if (p <= 0 || Number.isNaN(side)) return;
  const a = sim.accounts;
  const end = first + count;
  for (let i = first + rng.geometricSkip(p); i < end; i += 1 + rng.geometricSkip(p)) {
    if (a.active[i] === 0) continue;
    const cur = Math.sign(a.qty[i]);
    if (cur === side) continue;
    if (cur !== 0) sim.close(i);
    if (side !== 0 && sim.equity(i) > 0) sim.openAtLeverage(i, leverage, side);
  }
}

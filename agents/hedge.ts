/** What the hedged arbitrageurs share: a perp trade matched on the spot market with money they have. */
import { z } from 'zod';
import type { StrategyContext } from '../src/plugin.js';

/** The hedged arbitrageurs' `spotShare` parameter: the part of capital kept in the wallet for spot. */
export const spotShareParam = z
  .number()
  .min(0)
  .max(1)
  .default(0.5)
  .describe('share of capital kept off the venue to pay for spot (fraction)');

/**
 * Trades `dq` perp units for account i hedged on spot (perp = −spot): a perp sale is limited to the spot its
 * wallet pays for, a perp purchase to the spot it holds; the perp leg goes first (the venue may cut it), the
 * spot leg matches what it filled. Returns the perp units traded.
 */
export function hedge(sim: StrategyContext, i: number, dq: number, flags: number): number {
  const a = sim.accounts;
  const px = sim.indexPrice;
  const most = dq < 0 ? a.wallet[i] / (px * (1 + 1e-9)) : a.spot[i];
  const u = dq < 0 ? -Math.min(-dq, most) : Math.min(dq, most);
  if (!(Math.abs(u) > 0)) return 0;
  const before = a.qty[i];
  sim.trade(i, u, flags);
  const done = a.qty[i] - before;
  if (done !== 0) sim.spotTrade(i, -done);
  return done;
}

/**
 * Margin management shared by trader strategies: what an account does when its equity nears maintenance.
 *   'none'  — let it go (the waterfall takes it);
 *   'topup' — deposit from its wallet (a reserve kept off the venue) back to `target` × maintenance;
 *   'reduce' — cut the position until equity is `target` × maintenance.
 * With `share` < 1 only that share of the group's accounts follows the policy; the rest let it go.
 */
import { z } from 'zod';
import type { StrategyContext } from '../src/plugin.js';

/** The `margin` parameter block of trader strategies. */
export const marginParams = z
  .strictObject({
    policy: z
      .enum(['none', 'topup', 'reduce'])
      .default('none')
      .describe("'none' (let it go), 'topup' from the wallet, or 'reduce' the position"),
    trigger: z
      .number()
      .min(1)
      .default(1.5)
      .describe('act when equity falls below trigger × maintenance margin (x)'),
    target: z.number().min(1).default(3).describe('restore equity to target × maintenance margin (x)'),
    reserveFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("share of capital kept in the wallet as a reserve ('topup')"),
    share: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        "share of the group's accounts that follow the policy; the rest let it go ('none'): margin modes that differ within one strategy",
      ),
  })
  .prefault({});

/**
 * Accounts of a group of `count` that follow the policy: the first round(share · count) of them. The
 * accounts of a group are drawn alike (capital, leverage), so which ones does not matter.
 */
export function managed(count: number, m: MarginParams): number {
  return m.share >= 1 ? count : Math.round(m.share * count);
}

/** Parsed margin-management parameters. */
export type MarginParams = z.output<typeof marginParams>;

/** At start: keep the reserve off the venue ('topup' only). */
export function reserveCapital(first: number, count: number, m: MarginParams, sim: StrategyContext): void {
  if (m.policy !== 'topup' || m.reserveFraction <= 0) return;
  const a = sim.accounts;
  const n = managed(count, m);
  for (let i = first; i < first + n; i++) sim.toWallet(i, a.cash[i] * m.reserveFraction);
}

/** Each tick: one loop over the group's open positions. Costs nothing when the policy is 'none'. */
export function manageMargin(first: number, count: number, m: MarginParams, sim: StrategyContext): void {
  if (m.policy === 'none') return;
  const a = sim.accounts;
  const p = sim.checkPrice;
  const topup = m.policy === 'topup';
  const n = managed(count, m);
  for (let i = first; i < first + n; i++) {
    const q = a.qty[i];
    if (q === 0 || a.active[i] === 0) continue;
    const maint = a.mmr[i] * Math.abs(q) * p;
    const e = sim.equity(i, p);
    if (e >= m.trigger * maint) continue;
    if (topup) {
      const need = Math.min(a.wallet[i], m.target * maint - e);
      if (need > 0) sim.fromWallet(i, need);
    } else if (e > 0) {
      // equity / (mmr · |q'| · p) = target  ⇒  |q'| = e / (target · mmr · p)
      const keep = e / (m.target * a.mmr[i] * p);
      if (keep < Math.abs(q)) sim.trade(i, -Math.sign(q) * (Math.abs(q) - keep));
    }
  }
}

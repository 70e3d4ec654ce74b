/**
 * What liquidator strategies share: their parameters, their valuation of inventory (what it fetches when
 * sold back through the same liquidity model), actions that land late under congestion, and unwinding.
 */
import { z } from 'zod';
import type { Simulation } from '../src/engine/simulation.js';

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
};

/**
 * Value per unit of taking `units` on `side` (+1 long) now: the price the whole lot fetches if sold back
 * through the book at once (mark moved by its own impact) — a conservative valuation.
 */
export function unitValue(sim: Simulation, side: number, units: number): number {
  const m = sim.market;
  return m.mark * (1 - (side * units * m.mark) / (100 * m.depth));
}

/** Inventory room of agent i (USD of notional). */
export function room(sim: Simulation, i: number, limitUsd: number): number {
  return Math.max(0, limitUsd - Math.abs(sim.accounts.qty[i]) * sim.mark);
}

/** Sells `fraction` of each agent's inventory back through the book. */
export function unwind(first: number, count: number, fraction: number, sim: Simulation): void {
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

import { z } from 'zod';
import { defineStrategy, leverageSchema, MAX_LEVERAGE, NO_FEE, NO_FLOW, NO_IMPACT } from '../src/plugin.js';
import { manageMargin, marginParams, reserveCapital } from './margin.js';

/**
 * Opens one position and holds it: the simplest trader, and the isolated account of the engine's
 * liquidation tests. By default every account opens before the first tick, as part of the venue's starting
 * state (no fee, no book flow), at one leverage. A population with spread: `leverageSigma` draws each
 * account's leverage log-normally around `leverage` (at most 1000x; the venue's initial margin cuts what it
 * does not allow), and `openWithinTicks` has each account open at a tick drawn uniformly from the first N,
 * through the book like any order (fees, impact, initial margin), so entry prices differ.
 */
export default defineStrategy({
  name: 'hold',
  role: 'traders',
  description: 'opens one position at a fixed leverage before the first tick and holds it',
  params: z
    .strictObject({
      leverage: leverageSchema().default(5).describe('leverage of the position (x equity, at most 1000)'),
      side: z.enum(['long', 'short', 'random']).default('long').describe('side of the position'),
      longProbability: z
        .number()
        .min(0)
        .max(1)
        .default(0.5)
        .describe("probability of a long when side is 'random'"),
      leverageSigma: z
        .number()
        .min(0)
        .max(3)
        .default(0)
        .describe(
          "spread of the leverage: log-normal around `leverage` with this sigma (0: all alike); a draw above the venue's highest leverage is taken at it",
        ),
      leverageHistogram: z
        .strictObject({
          edges: z
            .array(z.number().positive().max(MAX_LEVERAGE))
            .min(2)
            .describe('bin edges, ascending (x equity, at most 1000)'),
          weights: z
            .array(z.number().finite().min(0))
            .min(1)
            .describe('weight of each bin (one fewer than edges)'),
        })
        .superRefine((h, ctx) => {
          if (h.weights.length !== h.edges.length - 1)
            ctx.addIssue({
              code: 'custom',
              path: ['weights'],
              message: `give one weight per bin: ${h.edges.length - 1} for ${h.edges.length} edges, not ${h.weights.length}`,
            });
          for (let k = 1; k < h.edges.length; k++)
            if (!(h.edges[k] > h.edges[k - 1]))
              ctx.addIssue({ code: 'custom', path: ['edges', k], message: 'edges must rise strictly' });
          if (!(h.weights.reduce((a, b) => a + b, 0) > 0))
            ctx.addIssue({
              code: 'custom',
              path: ['weights'],
              message: 'at least one weight must be above 0',
            });
        })
        .optional()
        .describe(
          'an empirical leverage distribution: a bin drawn by weight, the leverage log-uniform within it (instead of leverage and leverageSigma)',
        ),
      openWithinTicks: z
        .number()
        .int()
        .min(0)
        .max(10_000_000)
        .default(0)
        .describe(
          '0: open before the first tick; N: each account opens at a tick drawn from 0..N−1, through the book',
        ),
      margin: marginParams,
    })
    .superRefine((p, ctx) => {
      if (p.leverageHistogram && p.leverageSigma > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['leverageHistogram'],
          message:
            'give either leverageHistogram or leverageSigma, not both (the histogram replaces the log-normal)',
        });
    }),
  init(g, sim) {
    const { leverage, side, longProbability, margin, leverageSigma, openWithinTicks } = g.params;
    const hist = g.params.leverageHistogram;
    // the venue's highest leverage (its first tier's), a hair under so that the opening passes its check
    const most = Math.min(MAX_LEVERAGE, (1 - 1e-6) / sim.cfg.venue.tiers[0].imr);
    reserveCapital(g.first, g.count, margin, sim);
    const st = g.state;
    for (let i = g.first; i < g.first + g.count; i++) {
      const s = side === 'long' ? 1 : side === 'short' ? -1 : g.rng.uniform() < longProbability ? 1 : -1;
      // a drawn leverage above what the venue allows is taken at the most it allows (a trader asking for
      // more opens at the maximum), where an order above it would be refused and leave no position
      const lev = hist
        ? Math.min(most, drawLeverage(hist, g.rng.uniform(), g.rng.uniform()))
        : leverageSigma > 0
          ? Math.min(most, leverage * Math.exp(leverageSigma * g.rng.normal()))
          : leverage;
      if (openWithinTicks === 0) sim.openAtLeverage(i, lev, s, NO_FEE | NO_FLOW | NO_IMPACT);
      else {
        const k = i - g.first;
        st.at[k] = Math.floor(g.rng.uniform() * openWithinTicks);
        st.lev[k] = s * lev;
      }
    }
    if (openWithinTicks > 0) {
      // the accounts in the order they open (a counting sort by tick; those drawn past the run's last tick,
      // which never open, last), so that a tick visits only its own
      const n = g.count;
      const T = Math.min(openWithinTicks, sim.cfg.ticks);
      const start = sim.i32(T + 2); // zeroed, from the run's arena
      for (let k = 0; k < n; k++) start[Math.min(st.at[k], T) + 1]++;
      for (let t = 0; t <= T; t++) start[t + 1] += start[t];
      for (let k = 0; k < n; k++) st.order[start[Math.min(st.at[k], T)]++] = k;
    }
  },
  act(g, sim) {
    const n = g.params.openWithinTicks;
    if (n > 0 && sim.tick < n && g.count > 0) {
      const st = g.state;
      // the cursor into `order` lives in the first agent's `next` slot
      let c = st.next[0];
      while (c < g.count && st.at[st.order[c]] === sim.tick) {
        const k = st.order[c++];
        const lev = st.lev[k];
        sim.openAtLeverage(g.first + k, Math.abs(lev), lev > 0 ? 1 : -1);
      }
      st.next[0] = c;
    }
    manageMargin(g.first, g.count, g.params.margin, sim);
  },
  state: { at: 'i32', lev: 'f64', order: 'i32', next: 'i32' },
});

/**
 * A leverage from an empirical histogram: the bin whose cumulative weight first exceeds u·Σw, then
 * log-uniform within it (edges[k] · (edges[k+1]/edges[k])^v), since leverage spans orders of magnitude.
 */
export function drawLeverage(h: { edges: number[]; weights: number[] }, u: number, v: number): number {
  let total = 0;
  for (const w of h.weights) total += w;
  let x = u * total;
  let k = 0;
  while (k < h.weights.length - 1 && (x >= h.weights[k] || h.weights[k] === 0)) {
    x -= h.weights[k];
    k++;
  }
  // a bin of weight 0 is never drawn: past the last bin with weight, step back to it
  while (h.weights[k] === 0 && k > 0) k--;
  const lo = h.edges[k];
  const hi = h.edges[k + 1];
  return lo * (hi / lo) ** v;
}

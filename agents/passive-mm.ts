import { z } from 'zod';
import { defineStrategy } from '../src/plugin.js';

/**
 * Passive market makers: with the book's own depth (`market.liquidity.depthUsd`, the outside market's) they
 * are the book's counterparty. Each supplies `depthUsd` of depth (USD per 1% move) and owns that share of
 * the book — of what it collected, never of what bankrupt accounts still owe it — each bearing a loss and
 * taking a gain only up to what it holds (a ledger account, not a free source of money, nor a free option). When the book's inventory |Σq|·mark
 * grows toward their combined inventory limit they pull depth, down to `minDepthFraction`.
 */
export default defineStrategy({
  name: 'passive-mm',
  role: 'marketMakers',
  description: "supplies book depth, owns the book's PnL, thins depth as inventory grows",
  params: z.strictObject({
    depthUsd: z.number().min(0).default(1_000_000).describe('depth each agent supplies (USD per 1% move)'),
    inventoryLimitUsd: z
      .number()
      .positive()
      .default(20_000_000)
      .describe('inventory at which an agent supplies its least depth (USD)'),
    minDepthFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('share of depth kept at the inventory limit'),
  }),
  init(g, sim) {
    for (let i = g.first; i < g.first + g.count; i++) sim.bookShare[i] = g.params.depthUsd;
    sim.market.agentDepth += g.count * g.params.depthUsd;
    if (g.count > 0) g.state.supplied[0] = g.count * g.params.depthUsd;
  },
  act(g, sim) {
    const { depthUsd, inventoryLimitUsd, minDepthFraction } = g.params;
    const inventoryUsd = Math.abs(sim.longQty + sim.shortQty) * sim.mark;
    const f = Math.max(minDepthFraction, 1 - inventoryUsd / (g.count * inventoryLimitUsd));
    if (g.count === 0) return;
    // this group's contribution (kept in its first agent's state slot) replaces what it supplied last tick
    const now = g.count * depthUsd * f;
    sim.market.agentDepth += now - g.state.supplied[0];
    g.state.supplied[0] = now;
  },
  state: { supplied: 'f64' },
});

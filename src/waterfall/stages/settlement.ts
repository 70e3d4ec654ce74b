/**
 * Settlement override: at tick `atTick` (after that tick's liquidations) every open position — the
 * agents' and the backstop vault's — is closed at one chosen price against the book's counterparty, as
 * when Hyperliquid's validators delisted JELLY (26 March 2025) and settled it at a price of their choice.
 * The price is a number (USD), or the oracle's time-weighted average over the `twapSeconds` before the
 * settlement ('oracle-twap'), or the oracle now ('oracle'). An account left with negative collateral is a
 * shortfall for the payers. Open auction lots are not settled.
 *
 * The market stays open afterwards: for a delisting end the run at the settlement (`ticks = atTick + 1`)
 * or use strategies that no longer trade. List it last; it closes nothing when accounts are liquidated.
 */
import { z } from 'zod';
import { NO_FEE, NO_FLOW } from '../../engine/simulation.js';
import { defineStage } from '../stage.js';

export default defineStage({
  name: 'settlement',
  description: 'settlement override: closes every position at a chosen price at one tick (a delisting)',
  role: 'both',
  params: z.strictObject({
    atTick: z.number().int().min(0).describe('tick after whose liquidations every position is settled'),
    price: z
      .union([z.number().finite().positive(), z.enum(['oracle-twap', 'oracle'])])
      .default('oracle-twap')
      .describe("settlement price: a number (USD), 'oracle-twap' over twapSeconds, or 'oracle' now"),
    twapSeconds: z
      .number()
      .finite()
      .positive()
      .default(3600)
      .describe("window of 'oracle-twap', ending at the settlement (seconds)"),
  }),
  build({ sim, params, waterfall }) {
    const a = sim.accounts;
    const window = sim.f64(Math.max(1, Math.round(params.twapSeconds / sim.cfg.dtSeconds)));
    let filled = 0;
    let at = 0;
    let sum = 0;

    function settle(p: number): void {
      const vault = waterfall.vault?.cashRow ?? -1;
      for (let i = 0; i < a.n; i++) {
        const q = a.qty[i];
        if (q === 0 || (i >= sim.nAgents && i !== vault)) continue;
        const pbk = a.bankruptcyPrice(i, sim.phi);
        sim.fill(i, -q, p, NO_FEE | NO_FLOW);
        sim.log('liquidation', i, -q, p, Math.abs(q) * p);
        if (i < sim.nAgents && a.cash[i] < 0) waterfall.coverShortfall(i, -a.cash[i], Math.sign(q), pbk);
      }
    }

    return {
      endTick() {
        // the oracle's last `window` readings, one per tick
        if (filled === window.length) sum -= window[at];
        else filled++;
        window[at] = sim.oracle;
        sum += sim.oracle;
        at = (at + 1) % window.length;
        if (sim.tick !== params.atTick) return;
        const p =
          typeof params.price === 'number'
            ? params.price
            : params.price === 'oracle'
              ? sim.oracle
              : sum / filled;
        settle(p);
      },
    };
  },
});

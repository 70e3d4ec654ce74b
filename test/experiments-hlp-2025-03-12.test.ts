/**
 * Direction test of experiments/hlp-2025-03-12.ts at its small preset (the HLP ETH whale of 12 March 2025).
 * Rules are compared run by run on common random numbers (the same path at every point):
 * - under the rules of the day (50x, withdrawals down to initial margin with unrealized gains) the whale,
 *   having withdrawn at the top, is liquidated in every run, most of its position taken over by the vault,
 *   and the vault loses;
 * - with withdrawals that must leave 20% of the notional as margin the whale keeps more margin on the same
 *   path, so it is liquidated in no run where it survived under the rules of the day (more margin is never
 *   liquidated earlier), and the vault does better (paired difference of its return, 95% t-interval above
 *   zero).
 */
import { describe, expect, it } from 'vitest';
import { paired, runPreset } from './experiment-runs.js';

describe('hlp-2025-03-12 (small preset)', () => {
  it('withdrawing to initial margin makes the takeover and the vault loss; a 20% floor limits both', async () => {
    const pts = await runPreset('hlp-2025-03-12');
    const at = (lev: number, floor: number) =>
      pts.find(
        (p) =>
          p.point['agents.traders.mix[0].params.leverage'] === lev &&
          p.point['venue.withdrawMarginFloor'] === floor,
      )!;
    const day = at(50, 0);
    const floor = at(50, 0.2);
    for (const m of day.runs) {
      expect(m.liquidated_notional).toBeGreaterThan(0.9 * 306e6);
      expect(m.vault_return).toBeLessThan(0);
      const sum = m.paid_by_insurance_fund + m.paid_by_vault + m.paid_by_adl + m.socialized_loss + m.unpaid;
      expect(Math.abs(m.shortfall - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, m.shortfall));
    }
    floor.runs.forEach((m, r) => {
      if (m.liquidated_notional > 0) expect(day.runs[r].liquidated_notional).toBeGreaterThan(0);
    });
    expect(paired(floor, day, (m) => m.vault_return).low).toBeGreaterThan(0);
  });
});

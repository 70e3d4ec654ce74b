/**
 * Direction test of experiments/vault-attack.ts at its small preset (the JELLY pattern), on the thinnest
 * book (250,000 USD per 1%). Points are compared run by run (common random numbers); each direction holds
 * when the 95% t-interval of the paired difference lies on one side of zero:
 * - the vault takes over the bait and draws down deeply (the published unrealized loss was ~12M USD);
 * - an open-interest cap on takeovers (2M USD, below the 5M bait) lowers the vault's drawdown;
 * - the attacker's spot counts only as sold back through the thin spot book it pushed: selling it brings
 *   the index back down, so the attacker ends with a loss in every run, and the settlement override
 *   (everything closed at the pre-attack price, before the exit) makes that loss larger.
 */
import { describe, expect, it } from 'vitest';
import { paired, runPreset } from './experiment-runs.js';

describe('vault-attack (small preset)', () => {
  it('the vault draws down in the push; an OI cap limits it; sold back, the push loses the attacker money', async () => {
    const pts = await runPreset('vault-attack', {
      keep: (p) => p['market.liquidity.depthUsd'] === 250_000,
    });
    const at = (cap: number, settle: number | 'never') =>
      pts.find(
        (p) =>
          p.point['waterfall.stages[0].maxPositionUsd'] === cap &&
          String(p.point['waterfall.stages[4].atTick']) === String(settle), // a column of text and ticks is text
      )!;
    const NEVER = 'never';
    const open = at(0, NEVER);
    const capped = at(2_000_000, NEVER);
    const settled = at(0, 100);
    for (const m of open.runs) {
      expect(m.vault_max_drawdown).toBeGreaterThan(0.3);
      expect(m.pnl_traders).toBeLessThan(0);
      expect(Math.abs(m.conservation_error)).toBeLessThan(1e-3);
    }
    expect(paired(open, capped, (m) => m.vault_max_drawdown).low).toBeGreaterThan(0);
    expect(paired(open, settled, (m) => m.pnl_traders).low).toBeGreaterThan(0);
  });
});

/**
 * Direction test of experiments/adl-policies.ts at its small preset (a 10-October-2025-like cascade).
 * Policies are compared run by run on common random numbers (the same path and accounts at every point):
 * - overshoot: the production-like PnL queue closing whole winners takes more from winners than any
 *   policy reducing only what is needed (paired difference, 95% t-interval above zero);
 * - timing: ADL starts after the first liquidation (published: 61.7 s later).
 *
 * Concentration of the burden and who was hit are reported by the experiment, not asserted: since the
 * price band holds the mark within 5% of the oracle, the cascade's closes are cut at the band's edge and
 * sent again over many ticks, so ADL pays many small shortfalls, and in this (payer) form a winner gives up
 * only |q|·g per shortfall (g: the gap between the bankrupt's bankruptcy price and the mark). The PnL queue
 * then closes many winners whole for little each, and its top-10 share falls below pro-rata's (0.05 against
 * 0.09 in the full run, see experiments/README.md); risk-aware pro-rata no longer moves the burden off the 0.5x winners. The earlier
 * findings came from a few large shortfalls; ADL that closes the bankrupt position against winners, as
 * venues run it, is where they are taken up again (see experiments/README.md).
 */
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../src/index.js';
import { paired, runPreset } from './experiment-runs.js';

const DELEVERAGE = EVENT_KINDS.indexOf('deleverage');
const LIQUIDATION = EVENT_KINDS.indexOf('liquidation');

describe('adl-policies (small preset)', () => {
  it('the production-like queue overshoots; ADL comes after the first liquidation', async () => {
    const pts = await runPreset('adl-policies');
    const at = (policy: string, close: string) =>
      pts.find(
        (p) =>
          p.point['waterfall.stages[2].policy'] === policy && p.point['waterfall.stages[2].close'] === close,
      )!;
    const prod = at('queue', 'whole');
    const queue = at('queue', 'needed');
    const runs = prod.runs.length;
    for (const pt of pts) for (const m of pt.runs) expect(m.adl_events).toBeGreaterThan(0);

    // overshoot: production-like queue > every policy that reduces only what is needed (which is 0)
    for (const other of pts.filter((p) => p !== prod)) {
      const d = paired(prod, other, (m) => m.adl_overshoot);
      expect(d.low).toBeGreaterThan(0);
    }

    // timing: the first ADL comes after the first liquidation
    for (let r = 0; r < runs; r++) {
      const e = queue.events[r];
      const first = (k: number) => e.tick[e.kind.indexOf(k)];
      expect(first(DELEVERAGE)).toBeGreaterThanOrEqual(first(LIQUIDATION));
    }
  });
});

/**
 * Backstop capacity providers (FTX's backstop liquidity providers): an account that reaches this stage is
 * closed against the providers that committed capacity (`Keepers.commitCapacity`), in proportion to what
 * each has left of its per-minute and per-hour capacity (fixed clock windows of 60 s and 3,600 s). The
 * position moves to them at the mark with its collateral, pro rata; when the capacity left is smaller than
 * the position, only that part moves now (the rest waits for the next tick); when there is none, the
 * account goes to the next closer. A negative equity, once the whole position has moved, is a shortfall for
 * the payers. Providers take what they committed to: no margin check.
 */
import { z } from 'zod';
import type { CapacityService } from '../keepers.js';
import { moveCash, transferPosition } from '../ops.js';
import { defineStage } from '../stage.js';

export default defineStage({
  name: 'capacity-providers',
  description: 'closes positions against committed backstop providers, pro rata to capacity left (FTX)',
  role: 'close',
  params: z.strictObject({
    minNotionalUsd: z
      .number()
      .finite()
      .min(0)
      .default(1)
      .describe('capacity left below this is not used (USD of notional)'),
  }),
  build({ sim, params, waterfall }) {
    const a = sim.accounts;
    const n = a.n;
    const perMin = sim.f64(n);
    const perHour = sim.f64(n);
    const usedMin = sim.f64(n);
    const usedHour = sim.f64(n);
    const minBucket = sim.f64(n).fill(-1);
    const hourBucket = sim.f64(n).fill(-1);
    const providers = sim.i32(n);
    let providersN = 0;
    const share = sim.f64(n);

    function remaining(k: number): number {
      const t = sim.time;
      const mb = Math.floor(t / 60);
      const hb = Math.floor(t / 3600);
      if (minBucket[k] !== mb) {
        minBucket[k] = mb;
        usedMin[k] = 0;
      }
      if (hourBucket[k] !== hb) {
        hourBucket[k] = hb;
        usedHour[k] = 0;
      }
      return Math.max(0, Math.min(perMin[k] - usedMin[k], perHour[k] - usedHour[k]));
    }
    const service: CapacityService = {
      commit(k, m, h) {
        if (perMin[k] === 0 && perHour[k] === 0 && (m > 0 || h > 0)) providers[providersN++] = k;
        perMin[k] = Math.max(0, m);
        perHour[k] = Math.max(0, h);
      },
      remaining,
    };
    waterfall.keepers.capacityStage = service;

    return {
      liquidate(id) {
        const q = a.qty[id];
        const mark = sim.mark;
        let total = 0;
        for (let j = 0; j < providersN; j++) {
          const k = providers[j];
          share[j] = k === id ? 0 : remaining(k);
          total += share[j];
        }
        if (!(total >= params.minNotionalUsd)) return false;
        const notional = Math.abs(q) * mark;
        const f = Math.min(1, total / notional);
        const pbk = a.bankruptcyPrice(id, sim.phi);
        const e = sim.equity(id);
        let moved = 0;
        let last = -1;
        for (let j = 0; j < providersN; j++) if (share[j] > 0) last = j;
        for (let j = 0; j < providersN; j++) {
          if (!(share[j] > 0)) continue;
          const k = providers[j];
          const w = share[j] / total;
          // the last provider takes exactly what is left, so a full close leaves no dust
          const dq = f >= 1 && j === last ? a.qty[id] : q * f * w;
          transferPosition(sim, id, k, dq, mark);
          usedMin[k] += Math.abs(dq) * mark;
          usedHour[k] += Math.abs(dq) * mark;
          if (e > 0) moveCash(sim, id, k, f >= 1 && j === last ? a.cash[id] : e * f * w);
          moved += Math.abs(dq);
          sim.log('takeover', id, -dq, mark, e * f * w);
        }
        sim.noteLiquidation(moved * mark);
        if (a.qty[id] === 0 && a.cash[id] < 0)
          sim.waterfall.coverShortfall(id, -a.cash[id], Math.sign(q), pbk);
        return true;
      },
    };
  },
});

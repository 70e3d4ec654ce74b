/**
 * Socialized loss: what is still unpaid is spread over accounts by capped pro-rata (water-filling):
 * over the day's winners in proportion to their gain since the start of the (UTC-like, 86,400 s) day
 * (Deribit), or over all open interest in proportion to notional. Nobody is charged more than its gain
 * (winners) nor more than its equity above maintenance, so socialization never starts a new liquidation.
 * The accounts are listed lazily, once per tick, at the first use.
 */
import { z } from 'zod';
import { PAYER } from '../../venue/ledger.js';
import { allocateInto, policyCode } from '../allocate.js';
import { moveCash } from '../ops.js';
import { defineStage } from '../stage.js';

const DAY = 86_400;

export default defineStage({
  name: 'socialized',
  description: "spreads what is left over the day's winners or all open interest",
  role: 'pay',
  params: z.strictObject({
    over: z
      .enum(['winners', 'open-interest'])
      .default('winners')
      .describe("who pays: the day's winners (pro rata to gain) or all open interest (pro rata to notional)"),
  }),
  build({ sim, params }) {
    const a = sim.accounts;
    const nA = sim.nAgents;
    const winners = params.over === 'winners';
    const dayBase = new Float64Array(nA); // equity + out − in at the start of the day (0 on day 0: since the start)
    let day = 0;
    const list = new Int32Array(nA);
    let listN = 0;
    let builtAt = -1;
    const ids = new Int32Array(nA);
    const w = new Float64Array(nA);
    const cap = new Float64Array(nA);
    const rw = new Float64Array(nA);
    const order = new Int32Array(nA);
    const h = new Float64Array(nA);
    const code = policyCode('capped-pro-rata');
    const gain = (i: number) => sim.equity(i) + a.capitalOut[i] - a.capitalIn[i] - dayBase[i];

    return {
      cover(id, amount) {
        if (builtAt !== sim.tick) {
          listN = 0;
          for (let i = 0; i < nA; i++) {
            if (a.active[i] === 0) continue;
            if (winners ? gain(i) > 0 : a.qty[i] !== 0) list[listN++] = i;
          }
          builtAt = sim.tick;
        }
        const mark = sim.mark;
        let n = 0;
        for (let k = 0; k < listN; k++) {
          const i = list[k];
          if (i === id) continue;
          const e = sim.equity(i);
          const notional = Math.abs(a.qty[i]) * mark;
          const excess = e - a.mmr[i] * notional;
          const weight = winners ? gain(i) : notional;
          const most = winners ? Math.min(weight, excess) : excess;
          if (!(weight > 0) || !(most > 0)) continue;
          ids[n] = i;
          w[n] = weight;
          cap[n] = Math.min(1, most / weight);
          n++;
        }
        if (n === 0) return 0;
        allocateInto(code, n, w, cap, rw, order, amount, h);
        let paid = 0;
        for (let k = 0; k < n; k++) {
          const x = w[k] * h[k];
          if (!(x > 0)) continue;
          moveCash(sim, ids[k], id, x);
          sim.log('haircut', ids[k], 0, 0, x);
          paid += x;
        }
        sim.paid[PAYER.socialized] += paid;
        return paid;
      },
      endTick() {
        if (!winners) return;
        const d = Math.floor(((sim.tick + 1) * sim.cfg.dtSeconds) / DAY);
        if (d === day) return;
        day = d;
        for (let i = 0; i < nA; i++) dayBase[i] = sim.equity(i) + a.capitalOut[i] - a.capitalIn[i];
      },
    };
  },
});

/**
 * Socialized loss: what is still unpaid is spread over accounts by capped pro-rata (water-filling):
 * over the day's winners in proportion to their gain since the start of the (UTC-like, 86,400 s) day
 * (Deribit), or over all open interest in proportion to notional. Nobody is charged more than its gain
 * (winners) nor more than its equity above maintenance, so socialization never starts a new liquidation.
 * The accounts are listed lazily, once per tick, at the first use.
 */
import { z } from 'zod';
import type { Simulation } from '../../engine/simulation.js';
import type { Accounts } from '../../venue/accounts.js';
import { LEDGER, PAYER } from '../../venue/ledger.js';
import { allocateInto, policyCode } from '../allocate.js';
import { defineStage, type StageInstance } from '../stage.js';

const DAY = 86_400;

const Params = z.strictObject({
  over: z
    .enum(['winners', 'open-interest'])
    .default('winners')
    .describe("who pays: the day's winners (pro rata to gain) or all open interest (pro rata to notional)"),
});

/**
 * One run's state. A class rather than closures made in `build`: V8 keeps a function's optimised code only
 * while some closure of it is alive, so closures made afresh every run were recompiled run after run.
 */
class Socialized implements StageInstance {
  private readonly a: Accounts;
  private readonly nA: number;
  private readonly winners: boolean;
  /** equity + out − in at the start of the day (0 on day 0: since the start) */
  private readonly dayBase: Float64Array;
  private day = 0;
  private readonly ids: Int32Array;
  private readonly w: Float64Array;
  private readonly cap: Float64Array;
  private readonly rw: Float64Array;
  private readonly order: Int32Array;
  private readonly h: Float64Array;
  private readonly code = policyCode('capped-pro-rata');

  constructor(
    private readonly sim: Simulation,
    params: z.output<typeof Params>,
  ) {
    const nA = sim.nAgents;
    this.a = sim.accounts;
    this.nA = nA;
    this.winners = params.over === 'winners';
    this.dayBase = sim.f64(nA);
    this.ids = sim.i32(nA);
    this.w = sim.f64(nA);
    this.cap = sim.f64(nA);
    this.rw = sim.f64(nA);
    this.order = sim.i32(nA);
    this.h = sim.f64(nA);
  }

  // Each shortfall is paid at once from the socialized-loss pool (so who paid is exact per event); the
  // pool's deficit is collected from that tick's winners at the end of the tick, capped pro rata — one
  // O(winners) pass a tick instead of one per event. What they cannot cover is reclassified from
  // socialized to unpaid at once (a `reclassify` event), as if no winner had been there to pay it.
  // Events: `haircut` (on the bankrupt account: its shortfall's socialized share), `levy` (on each
  // winner: what it paid into the pool).
  private collect(): void {
    const { sim, a, nA, winners, dayBase, ids, w, cap, h } = this;
    const deficit = -sim.ledger[LEDGER.socializedPool];
    if (!(deficit > 0)) return;
    const mark = sim.mark;
    let n = 0;
    for (let i = 0; i < nA; i++) {
      if (a.active[i] === 0 || (!winners && a.qty[i] === 0)) continue;
      const e = sim.equity(i, mark);
      const g = e + a.capitalOut[i] - a.capitalIn[i] - dayBase[i];
      if (winners && !(g > 0)) continue;
      const notional = Math.abs(a.qty[i]) * mark;
      const excess = e - a.mmr[i] * notional;
      const weight = winners ? g : notional;
      const most = winners ? Math.min(weight, excess) : excess;
      if (!(weight > 0) || !(most > 0)) continue;
      ids[n] = i;
      w[n] = weight;
      cap[n] = Math.min(1, most / weight);
      n++;
    }
    if (n === 0) return;
    allocateInto(this.code, n, w, cap, this.rw, this.order, deficit, h);
    for (let k = 0; k < n; k++) {
      const x = w[k] * h[k];
      if (!(x > 0)) continue;
      a.cash[ids[k]] -= x;
      sim.ledger[LEDGER.socializedPool] += x;
      if (a.qty[ids[k]] !== 0) a.rekey(ids[k]);
      sim.log('levy', ids[k], 0, 0, x);
    }
  }

  /** What this tick's winners could not cover was never socialized: it is unpaid. */
  private settleUncollected(): void {
    const sim = this.sim;
    const owed = -sim.ledger[LEDGER.socializedPool];
    if (!(owed > 0)) return;
    sim.move(LEDGER.badDebt, LEDGER.socializedPool, owed);
    sim.paid[PAYER.socialized] -= owed;
    sim.paid[PAYER.unpaid] += owed;
    sim.log('reclassify', -1, 0, 0, owed);
  }

  cover(id: number, amount: number): number {
    const sim = this.sim;
    if (!(amount > 0)) return 0;
    sim.credit(LEDGER.socializedPool, id, amount);
    sim.paid[PAYER.socialized] += amount;
    sim.log('haircut', id, 0, 0, amount);
    return amount;
  }

  endTick(): void {
    this.collect();
    this.settleUncollected();
    if (!this.winners) return;
    const { sim, a, dayBase } = this;
    const d = Math.floor(((sim.tick + 1) * sim.cfg.dtSeconds) / DAY);
    if (d === this.day) return;
    this.day = d;
    for (let i = 0; i < this.nA; i++) dayBase[i] = sim.equity(i) + a.capitalOut[i] - a.capitalIn[i];
  }
}

export default defineStage({
  name: 'socialized',
  description: "spreads what is left over the day's winners or all open interest",
  role: 'pay',
  params: Params,
  build: ({ sim, params }) => new Socialized(sim, params),
});

/**
 * Socialized loss: what is still unpaid is spread over accounts by capped pro-rata (water-filling): over
 * the day's winners in proportion to their gain since the start of the (UTC-like, 86,400 s) day (Deribit),
 * or over all open interest in proportion to notional. Nobody is charged more than its gain (winners) nor
 * more than its equity above maintenance, so socialization never starts a new liquidation. It pays only
 * what they can: the rest of a shortfall goes on to the payers listed after it.
 *
 * The accounts that may pay are listed lazily, once per tick, at the first shortfall that reaches the stage
 * (one O(accounts) pass); each shortfall then charges them at once, capped by what each can pay at that
 * moment (one pass over the list). Events: `haircut` (on the bankrupt account: what the stage paid it),
 * `levy` (on each payer: what it paid).
 */
import { z } from 'zod';
import type { Simulation } from '../../engine/simulation.js';
import type { Accounts } from '../../venue/accounts.js';
import { allocateInto, policyCode } from '../allocate.js';
import { moveCash } from '../ops.js';
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
  /** The tick the list below was made in (−1: none yet). */
  private listedAt = -1;
  private n = 0;
  private readonly ids: Int32Array;
  /** weight: gain at the listing (winners) or notional (open interest) */
  private readonly w: Float64Array;
  private readonly cap: Float64Array;
  /** what each can pay now (USD) */
  private readonly most: Float64Array;
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
    this.most = sim.f64(nA);
    this.rw = sim.f64(nA);
    this.order = sim.i32(nA);
    this.h = sim.f64(nA);
  }

  /** Gain of account i since the start of the day (equity + withdrawals − deposits − the day's base). */
  private gain(i: number, e: number): number {
    const a = this.a;
    return e + a.capitalOut[i] - a.capitalIn[i] - this.dayBase[i];
  }

  /** Lists this tick's possible payers and their weights. */
  private list(): void {
    const { sim, a, nA, winners, ids, w } = this;
    const mark = sim.mark;
    let n = 0;
    for (let i = 0; i < nA; i++) {
      if (a.active[i] === 0 || (!winners && a.qty[i] === 0)) continue;
      const weight = winners ? this.gain(i, sim.equity(i, mark)) : Math.abs(a.qty[i]) * mark;
      if (!(weight > 0)) continue;
      ids[n] = i;
      w[n] = weight;
      n++;
    }
    this.n = n;
    this.listedAt = sim.tick;
  }

  cover(id: number, amount: number): number {
    const { sim, a, winners, ids, w, cap, most, h } = this;
    if (!(amount > 0)) return 0;
    if (this.listedAt !== sim.tick) this.list();
    const n = this.n;
    if (n === 0) return 0;
    // what each can pay now: its equity above maintenance, and (winners) no more than its gain so far today
    const mark = sim.mark;
    let room = 0;
    for (let k = 0; k < n; k++) {
      const i = ids[k];
      cap[k] = 0;
      most[k] = 0;
      if (i === id || a.active[i] === 0) continue;
      const e = sim.equity(i, mark);
      let m = e - a.mmr[i] * Math.abs(a.qty[i]) * mark;
      if (winners) m = Math.min(m, this.gain(i, e));
      if (!(m > 0)) continue;
      most[k] = m;
      cap[k] = Math.min(1, m / w[k]);
      room += w[k] * cap[k];
    }
    if (!(room > 0)) return 0;
    allocateInto(this.code, n, w, cap, this.rw, this.order, Math.min(amount, room), h);
    let paid = 0;
    for (let k = 0; k < n; k++) {
      // never more than it can pay, not even by the rounding of w·h
      const x = Math.min(w[k] * h[k], most[k]);
      if (!(x > 0)) continue;
      moveCash(sim, ids[k], id, x);
      sim.log('levy', ids[k], 0, 0, x);
      paid += x;
    }
    sim.log('haircut', id, 0, 0, paid);
    return paid;
  }

  endTick(): void {
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
  description: "spreads what is left over the day's winners or all open interest, as far as they can pay",
  role: 'pay',
  pays: 'socialized',
  params: Params,
  build: ({ sim, params }) => new Socialized(sim, params),
});

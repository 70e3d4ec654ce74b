/**
 * Socialized loss: what is still unpaid is spread over accounts by capped pro-rata (water-filling): over
 * the day's winners in proportion to their gain since the start of the (UTC-like, 86,400 s) day (Deribit),
 * or over all open interest in proportion to notional. A winner's gain is the change of all it holds (venue
 * equity, wallet, spot, vault shares, net of deposits and withdrawals), so moving money between them is no
 * gain. Nobody is charged more than its gain (winners) nor more than its equity above initial margin, at the
 * mark and at the price margin is checked at, so socialization never starts a new liquidation.
 *
 * It settles once per tick, as a venue's socialized loss settles at a settlement time rather than trade by
 * trade: the shortfalls that reach it during the tick are advanced to the bankrupt accounts at once out of
 * the bad-debt ledger (a pool), and at the end of the tick (`settleTick`, after every other stage's end of tick)
 * the pool is levied on the payers as far as they can pay then. Of each shortfall the same fraction is left
 * when they cannot pay it all; that part is taken back and goes on to the payers listed after this stage
 * (the rest is unpaid). One O(accounts) pass a tick with a shortfall, however many shortfalls it had.
 * Events: `haircut` (on each bankrupt account, at the settlement: what the stage paid it), `levy` (on each
 * payer: what it paid that tick).
 */
import { z } from 'zod';
import {
  type Accounts,
  allocateInto,
  defineStage,
  LEDGER,
  policyCode,
  type StagedWaterfall,
  type StageInstance,
  type StageState,
  type StateSizes,
  type VenueContext,
} from '../../plugin.js';

const DAY = 86_400;

/**
 * Per agent: what it held at the start of the day, and the levy's scratch (payers, weights, caps, shares,
 * order); the tick's pool of advanced shortfalls, 64 to start with (it grows with `sim.f64` when full).
 */
function state(_p: unknown, run: StateSizes) {
  const f64 = { type: 'f64', length: run.agents } as const;
  const i32 = { type: 'i32', length: run.agents } as const;
  return {
    dayBase: f64,
    ids: i32,
    w: f64,
    cap: f64,
    most: f64,
    rw: f64,
    order: i32,
    h: f64,
    pId: { type: 'i32', length: 64 },
    pAmount: { type: 'f64', length: 64 },
    pSide: { type: 'f64', length: 64 },
    pPbk: { type: 'f64', length: 64 },
  } as const;
}
/** A pool levied in full but for this share of it (the rounding of a sum of many shares) is levied in full. */
const ROUNDING = 1e-12;

const Params = z.strictObject({
  over: z
    .enum(['winners', 'open-interest'])
    .default('winners')
    .describe("who pays: the day's winners (pro rata to gain) or all open interest (pro rata to notional)"),
});

/**
 * One run's state. A class, not closures made in `build` (docs/performance.md).
 */
class Socialized implements StageInstance {
  private readonly a: Accounts;
  private readonly nA: number;
  private readonly winners: boolean;
  /** what each account held at the start of the day (`worth`; 0 on day 0: its gain is since the start) */
  private readonly dayBase: Float64Array;
  private day = 0;
  // the payers of a settlement: account, weight (gain or notional), cap (fraction of the weight), what each
  // can pay (USD); scratch of the water-filling
  private readonly ids: Int32Array;
  private readonly w: Float64Array;
  private readonly cap: Float64Array;
  private readonly most: Float64Array;
  private readonly rw: Float64Array;
  private readonly order: Int32Array;
  private readonly h: Float64Array;
  private readonly code = policyCode('capped-pro-rata');
  // the tick's pool: each shortfall advanced (account, USD, side and bankruptcy price of its position)
  private np = 0;
  private pool = 0;
  private pId: Int32Array;
  private pAmount: Float64Array;
  private pSide: Float64Array;
  private pPbk: Float64Array;

  constructor(
    private readonly sim: VenueContext,
    params: z.output<typeof Params>,
    private readonly waterfall: StagedWaterfall,
    private readonly index: number,
    st: StageState<ReturnType<typeof state>>,
  ) {
    this.a = sim.accounts;
    this.nA = sim.nAgents;
    this.winners = params.over === 'winners';
    this.dayBase = st.dayBase;
    this.ids = st.ids;
    this.w = st.w;
    this.cap = st.cap;
    this.most = st.most;
    this.rw = st.rw;
    this.order = st.order;
    this.h = st.h;
    this.pId = st.pId;
    this.pAmount = st.pAmount;
    this.pSide = st.pSide;
    this.pPbk = st.pPbk;
  }

  /**
   * What account i holds in all (USD): its equity `e` on the venue, its wallet, its spot at the index and
   * its holdings in the waterfall (vault shares), plus what it took out less what it put in. Its gain today
   * is this less the day's base: moving money between its wallet, the vault and the venue is no gain.
   */
  private worth(i: number, e: number): number {
    const a = this.a;
    const held = this.waterfall.holdingsValue(i);
    return e + a.wallet[i] + a.spot[i] * this.sim.indexPrice + held + a.capitalOut[i] - a.capitalIn[i];
  }

  /** Advances the whole shortfall out of the pool; the settlement at the end of the tick levies it. */
  cover(id: number, amount: number, side: number, pbk: number): number {
    if (!(amount > 0)) return 0;
    const { sim, a } = this;
    if (this.np === this.pId.length) this.grow();
    const k = this.np++;
    this.pId[k] = id;
    this.pAmount[k] = amount;
    this.pSide[k] = side;
    this.pPbk[k] = pbk;
    this.pool += amount;
    sim.credit(LEDGER.badDebt, id, amount);
    if (a.qty[id] !== 0) a.rekey(id);
    return amount;
  }

  /** Doubles the pool's arrays (rare: a tick with more shortfalls reaching the stage than ever before). */
  private grow(): void {
    const n = 2 * this.pId.length;
    const id = new Int32Array(n);
    id.set(this.pId);
    this.pId = id;
    for (const key of ['pAmount', 'pSide', 'pPbk'] as const) {
      const x = new Float64Array(n);
      x.set(this[key]);
      this[key] = x;
    }
  }

  settleTick(): void {
    if (this.np > 0) this.levy();
    if (this.winners) this.rollDay();
  }

  /** Levies the tick's pool on the payers, as far as they can pay, and passes on what they could not. */
  private levy(): void {
    const { sim, a, nA, winners, ids, w, cap, most, h } = this;
    const mark = sim.mark;
    // the payers, their weights and what each can pay: its equity above initial margin, at the mark and at
    // the price margin is checked at (so that paying leaves it able to hold its position, and liquidates
    // nobody), and (winners) no more than its gain today
    const check = sim.checkPrice;
    const twoPrices = check !== mark;
    let n = 0;
    let room = 0;
    let total = 0; // Σ weight of the payers
    let least = 1; // the smallest cap
    for (let i = 0; i < nA; i++) {
      const q = a.qty[i];
      if (a.active[i] === 0 || (!winners && q === 0)) continue;
      const e = sim.equity(i, mark);
      const g = winners ? this.worth(i, e) - this.dayBase[i] : Math.abs(q) * mark;
      if (!(g > 0)) continue;
      let m = e - a.imr[i] * Math.abs(q) * mark;
      if (twoPrices && q !== 0) m = Math.min(m, sim.equity(i, check) - a.imr[i] * Math.abs(q) * check);
      if (winners) m = Math.min(m, g);
      if (!(m > 0)) continue;
      const c = Math.min(1, m / g);
      ids[n] = i;
      w[n] = g;
      most[n] = m;
      cap[n] = c;
      n++;
      room += g * c;
      total += g;
      if (c < least) least = c;
    }
    const pool = this.pool;
    const budget = Math.min(pool, room);
    let levied = 0;
    if (budget > 0) {
      // capped pro-rata; when nobody reaches its cap, every payer pays the same fraction of its weight
      const level = budget / total;
      const uniform = level <= least;
      if (!uniform) allocateInto(this.code, n, w, cap, this.rw, this.order, budget, h);
      for (let k = 0; k < n; k++) {
        // never more than it can pay, not even by the rounding of w·h
        const x = Math.min(w[k] * (uniform ? level : h[k]), most[k]);
        if (!(x > 0)) continue;
        const i = ids[k];
        a.cash[i] -= x;
        if (a.qty[i] !== 0) a.rekey(i);
        sim.log('levy', i, 0, 0, x);
        levied += x;
      }
    }
    const ledger = sim.ledger;
    ledger[LEDGER.badDebt] += levied;
    let share = levied / pool;
    if (share >= 1 - ROUNDING) {
      // levied in full but for rounding: the venue pays the difference, as it does a close's rounding
      ledger[LEDGER.venueFees] -= pool - levied;
      ledger[LEDGER.badDebt] += pool - levied;
      share = 1;
    }
    // of each shortfall the same share was paid (booked now); the rest goes back to its account and on down the
    // waterfall
    const np = this.np;
    this.np = 0;
    this.pool = 0;
    for (let k = 0; k < np; k++) {
      const id = this.pId[k];
      const amount = this.pAmount[k];
      const paid = share === 1 ? amount : amount * share;
      if (paid > 0) sim.log('haircut', id, 0, 0, paid);
      const back = amount - paid;
      if (back > 0) {
        sim.accounts.cash[id] -= back;
        ledger[LEDGER.badDebt] += back;
      }
      this.waterfall.settled(this.index, id, paid, back, this.pSide[k], this.pPbk[k]);
    }
  }

  /** At a new day, every account's gain starts again from its state now. */
  private rollDay(): void {
    const { sim, dayBase } = this;
    const d = Math.floor(((sim.tick + 1) * sim.cfg.dtSeconds) / DAY);
    if (d === this.day) return;
    this.day = d;
    for (let i = 0; i < this.nA; i++) dayBase[i] = this.worth(i, sim.equity(i));
  }
}

export default defineStage({
  name: 'socialized',
  description: "spreads what is left over the day's winners or all open interest, as far as they can pay",
  role: 'pay',
  pays: 'socialized',
  params: Params,
  state,
  build: ({ sim, params, waterfall, index, state: st }) => new Socialized(sim, params, waterfall, index, st),
});

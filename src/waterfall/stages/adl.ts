/**
 * Auto-deleveraging: what is left of a shortfall is taken from profitable accounts on the other side.
 * A winner reduced by d units closes them at the mark against the book and gives up g_w per unit to the
 * bankrupt account, where g = side·(F − mark) is what one unit closed at the fill price F instead of the
 * mark costs (F: the bankrupt's bankruptcy price, the oracle, or FTX's 2/3·bankruptcy + 1/3·mark), and
 * g_w = min(g, equity_w / |q_w|): a winner never goes below its own bankruptcy price.
 *
 * Each winner's capacity c_w = |q_w|·g_w is what `allocateDeleveraging` splits the shortfall over; a
 * haircut h closes the fraction h of the winner's position. Rankings (BitMEX, Binance, uPnL, size) are
 * built lazily, once per tick and side, at the first ADL; a winner reduced in part (or changed since) is
 * re-ranked through a small heap merged with the sorted array. With `close: 'whole'` every winner touched
 * is closed entirely and what it gives up beyond its share is the overshoot (paid to the insurance fund).
 *
 * `form: 'closer'`: ADL as venues run it (BitMEX, Binance, Hyperliquid). The stage closes a liquidated
 * position itself, when the account is bankrupt at the mark (`closeWhen: 'bankrupt'`, the book would
 * close it below its bankruptcy price) or whenever it is handed one (`'always'`): the position is assigned
 * to opposite-side winners, ranked and split by the same rankings and policies (in units: a winner's
 * capacity is its position, or what it can give up at the ADL price without going below zero equity), and
 * both sides close the assigned units against each other at the ADL price: the bankruptcy price, the
 * oracle, the previous tick's oracle (Hyperliquid) or FTX's 2/3·bankruptcy + 1/3·mark. At the bankruptcy
 * price nothing is left unpaid; at another price what the account then owes is a shortfall for the payers
 * after it, and what no winner can take goes to the next closer. What winners give up beyond the account's
 * deficit at the mark (a price above a bankrupt long's bankruptcy price) is the overshoot: a bankrupt
 * account's margin is forfeit, so what that leaves it goes to the insurance fund. The candidates are the
 * agents with a position and the vault's row, ranked; then (`book`, the default) the book's counterparty,
 * the market makers, which holds −(the accounts' net position) and takes what is left when it is on the
 * other side and has gained (last: it has no entry price or margin to rank it by).
 */
import { z } from 'zod';
import {
  type Accounts,
  ADL_POLICIES,
  allocateInto,
  defineStage,
  LEDGER,
  moveCash,
  NO_FEE,
  NO_FLOW,
  policyCode,
  type StagedWaterfall,
  type StageInstance,
  type StageMetric,
  type StageState,
  type StateSizes,
  transferPosition,
  VAULT_SERVICE,
  type VenueContext,
} from '../../plugin.js';

const Params = z.strictObject({
  ranking: z
    .enum(['bitmex', 'binance', 'upnl', 'largest'])
    .default('bitmex')
    .describe(
      'queue order: bitmex (PnL% × effective leverage), binance (PnL% × margin ratio), upnl, largest (notional)',
    ),
  policy: z.enum(ADL_POLICIES).default('queue').describe('how the shortfall is split over the winners'),
  form: z
    .enum(['payer', 'closer'])
    .default('payer')
    .describe(
      "'payer': pays what is left of a shortfall after the position was closed; 'closer': closes a bankrupt position itself against the winners",
    ),
  closeWhen: z
    .enum(['bankrupt', 'always'])
    .default('bankrupt')
    .describe(
      'closer: close the accounts handed to it that are bankrupt at the mark (equity below zero), or all of them',
    ),
  price: z
    .enum(['bankruptcy', 'oracle', 'previous-oracle', 'ftx'])
    .default('bankruptcy')
    .describe(
      "ADL price: the bankrupt's bankruptcy price, the oracle, the previous tick's oracle, or 2/3·bankruptcy + 1/3·mark",
    ),
  maxHaircut: z
    .number()
    .finite()
    .min(0)
    .max(1)
    .default(1)
    .describe("cap on a winner's haircut (fraction of its capacity) for the capped policies"),
  book: z
    .boolean()
    .default(true)
    .describe(
      "closer: after every account winner, the book's counterparty (the market makers) takes what is left when it holds the other side, the ADL price is above the mark and it has gained",
    ),
  close: z
    .enum(['needed', 'whole'])
    .default('needed')
    .describe(
      "'needed': reduce only what covers the shortfall; 'whole': close every winner touched entirely",
    ),
});

type AdlParams = z.output<typeof Params>;
const RANKINGS = ['bitmex', 'binance', 'upnl', 'largest'] as const;
/** The closer leaves no position under this notional (USD) on either side of an assignment. */
const MIN_LEFT_USD = 1;

/**
 * One run's arrays: per side, the ranked candidates and their versions, the ranking's heap (it grows with
 * `sim.f64` when stale entries fill it); per account, its score and live version; the policy's scratch per
 * winner offered. The closer also ranks the vault's row (an account past the agents): room for one more
 * candidate, and per-account arrays over every row.
 */
function state(params: AdlParams, run: StateSizes) {
  const closer = params.form === 'closer';
  const nC = closer ? run.agents + 1 : run.agents;
  const nIdx = closer ? run.accounts : run.agents;
  const c32 = { type: 'i32', length: nC } as const;
  const c64 = { type: 'f64', length: nC } as const;
  const h64 = { type: 'f64', length: nC + 1 } as const;
  const h32 = { type: 'i32', length: nC + 1 } as const;
  return {
    cand0: c32,
    cand1: c32,
    candVer0: c32,
    candVer1: c32,
    score: { type: 'f64', length: nIdx },
    liveVer: { type: 'i32', length: nIdx, fill: -1 },
    hs0: h64,
    hs1: h64,
    hi0: h32,
    hi1: h32,
    hv0: h32,
    hv1: h32,
    bId: c32,
    bPnl: c64,
    bCap: { type: 'f64', length: nC, fill: params.maxHaircut },
    bRw: c64,
    bGw: c64,
    bEw: c64,
    bOrder: c32,
    bH: c64,
  } as const;
}

/**
 * One run's ADL state. A class, not closures made in `build` (docs/performance.md).
 */
class Adl implements StageInstance {
  private readonly a: Accounts;
  private readonly nA: number;
  private readonly policy: number;
  private readonly queued: boolean;
  /** 0 bitmex, 1 binance, 2 upnl, 3 largest */
  private readonly ranking: number;
  private readonly whole: boolean;
  /** 0 bankruptcy, 1 ftx, 2 oracle, 3 previous oracle */
  private readonly priceRule: number;
  /** ADL closes positions itself (`form: 'closer'`). */
  private readonly closer: boolean;
  private readonly onlyBankrupt: boolean;
  /** The oracle at the end of the previous tick. */
  private prevOracle: number;
  /** The closer deleverages the book's counterparty last (`book`). */
  private readonly book: boolean;
  /**
   * The book's collected PnL (not what bankrupt accounts owe it), taken once a tick at its first need
   * (O(accounts)), and the tick it was taken; and what the book has given up to ADL over the run (the
   * collected PnL does not show it: see deleverageBook). What it may still give up is their difference.
   */
  private bookCollected = 0;
  private bookCollectedAt = -1;
  private bookGiven = 0;
  private readonly maxHaircut: number;
  // candidates per side (0: winners against a bankrupt long, i.e. shorts; 1: longs), built lazily per tick
  private readonly cand: [Int32Array, Int32Array];
  private readonly candN = [0, 0];
  private readonly builtAt = [-1, -1];
  private readonly candVer: [Int32Array, Int32Array];
  private readonly pos = [0, 0];
  private readonly score: Float64Array;
  private readonly liveVer: Int32Array;
  // the queue of each side, a max-heap: room for every account from the start (the arena recycles the
  // arrays), so that building it never grows it
  private readonly hs: [Float64Array, Float64Array];
  private readonly hi: [Int32Array, Int32Array];
  private readonly hv: [Int32Array, Int32Array];
  private readonly hn = [0, 0];
  // batch scratch for allocateInto
  private readonly bId: Int32Array;
  private readonly bPnl: Float64Array;
  private readonly bCap: Float64Array;
  private readonly bRw: Float64Array;
  private readonly bGw: Float64Array;
  private readonly bEw: Float64Array;
  private readonly bOrder: Int32Array;
  private readonly bH: Float64Array;
  /** Winners offered to the policy by the current `cover`. */
  private n = 0;

  /** Slots of the metrics the stage declares: reductions, their notional, the overshoot (USD). */
  private readonly mEvents: number;
  private readonly mNotional: number;
  private readonly mOvershoot: number;

  constructor(
    private readonly sim: VenueContext,
    params: AdlParams,
    private readonly waterfall: StagedWaterfall,
    metric: (name: StageMetric) => number,
    st: StageState<ReturnType<typeof state>>,
  ) {
    this.mEvents = metric('adl_events');
    this.mNotional = metric('adl_notional');
    this.mOvershoot = metric('adl_overshoot');
    const nA = sim.nAgents;
    this.a = sim.accounts;
    this.nA = nA;
    this.closer = params.form === 'closer';
    this.onlyBankrupt = params.closeWhen === 'bankrupt';
    this.book = params.book;
    this.prevOracle = sim.oracle;
    this.policy = policyCode(params.policy);
    this.queued = this.policy <= 1;
    this.ranking = RANKINGS.indexOf(params.ranking);
    this.whole = params.close === 'whole';
    this.priceRule =
      params.price === 'bankruptcy' ? 0 : params.price === 'ftx' ? 1 : params.price === 'oracle' ? 2 : 3;
    this.maxHaircut = params.maxHaircut;
    this.cand = [st.cand0, st.cand1];
    this.candVer = [st.candVer0, st.candVer1];
    this.score = st.score;
    this.liveVer = st.liveVer;
    this.hs = [st.hs0, st.hs1];
    this.hi = [st.hi0, st.hi1];
    this.hv = [st.hv0, st.hv1];
    this.bId = st.bId;
    this.bPnl = st.bPnl;
    this.bCap = st.bCap;
    this.bRw = st.bRw;
    this.bGw = st.bGw;
    this.bEw = st.bEw;
    this.bOrder = st.bOrder;
    this.bH = st.bH;
  }

  private scoreOf(w: number, mark: number): number {
    const a = this.a;
    const q = a.qty[w];
    const up = q * (mark - a.entry[w]);
    const ew = this.sim.equity(w);
    switch (this.ranking) {
      case 0:
        return (up * Math.abs(mark)) / (Math.abs(a.entry[w]) * ew);
      case 1:
        return (Math.max(0, up) / Math.max(1, a.cash[w])) * ((a.mmr[w] * Math.abs(q) * mark) / ew);
      case 2:
        return up;
      default:
        return Math.abs(q) * mark;
    }
  }

  /** Whether w is a winner against a bankrupt of side sb. */
  private isWinner(w: number, sb: number, mark: number, bankrupt: number): boolean {
    const a = this.a;
    const q = a.qty[w];
    return (
      w !== bankrupt &&
      // the vault's row (the only candidate past the agents) is a system row, never "active"
      (a.active[w] === 1 || w >= this.nA) &&
      q * sb < 0 &&
      q * (mark - a.entry[w]) > 0 &&
      this.sim.equity(w) > 0
    );
  }

  private build(s: number, sb: number): void {
    const { a, nA, queued, score, liveVer } = this;
    const mark = this.sim.mark;
    const c = this.cand[s];
    const cv = this.candVer[s];
    let m = 0;
    for (let w = 0; w < nA; w++) {
      if (!this.isWinner(w, sb, mark, -1)) continue;
      c[m++] = w;
      if (queued) score[w] = this.scoreOf(w, mark);
    }
    // the closer deleverages the vault's book too, as venues do the backstop's
    const vr = this.closer ? (this.waterfall.keepers.service(VAULT_SERVICE)?.cashRow ?? -1) : -1;
    if (vr >= 0 && this.isWinner(vr, sb, mark, -1)) {
      c[m++] = vr;
      if (queued) score[vr] = this.scoreOf(vr, mark);
    }
    this.hn[s] = 0;
    if (queued) {
      // the queue is a heap of every winner, built in O(m): a tick's ADL pops only the few it needs, where
      // sorting all winners cost O(m log m) a tick (the largest cost of a 1M-account crash)
      const S = this.hs[s];
      const I = this.hi[s];
      const V = this.hv[s];
      for (let k = 0; k < m; k++) {
        const w = c[k];
        S[k] = score[w];
        I[k] = w;
        V[k] = a.ver[w];
        liveVer[w] = V[k];
      }
      this.hn[s] = m;
      for (let j = (m >> 1) - 1; j >= 0; j--) this.siftDown(s, j, m, S[j], I[j], V[j]);
      this.candN[s] = 0;
    } else {
      for (let k = 0; k < m; k++) {
        cv[k] = a.ver[c[k]];
        liveVer[c[k]] = cv[k];
      }
      this.candN[s] = m;
    }
    this.pos[s] = 0;
    this.builtAt[s] = this.sim.tick;
  }

  /** Sifts (ks, ki, kv) down from slot j of side s's heap of n entries. */
  private siftDown(s: number, j: number, n: number, ks: number, ki: number, kv: number): void {
    const S = this.hs[s];
    const I = this.hi[s];
    const V = this.hv[s];
    for (;;) {
      let c = 2 * j + 1;
      if (c >= n) break;
      if (c + 1 < n && above(S[c + 1], I[c + 1], S[c], I[c])) c++;
      if (!above(S[c], I[c], ks, ki)) break;
      S[j] = S[c];
      I[j] = I[c];
      V[j] = V[c];
      j = c;
    }
    S[j] = ks;
    I[j] = ki;
    V[j] = kv;
  }

  private push(s: number, w: number, sc: number): void {
    let n = this.hn[s];
    if (n === this.hs[s].length) {
      // stale entries of re-ranked winners can outnumber the accounts
      const S2 = this.sim.f64(n * 2);
      S2.set(this.hs[s]);
      this.hs[s] = S2;
      const I2 = this.sim.i32(n * 2);
      I2.set(this.hi[s]);
      this.hi[s] = I2;
      const V2 = this.sim.i32(n * 2);
      V2.set(this.hv[s]);
      this.hv[s] = V2;
    }
    const S = this.hs[s];
    const I = this.hi[s];
    const V = this.hv[s];
    const v = this.a.ver[w];
    this.liveVer[w] = v;
    while (n > 0) {
      const p = (n - 1) >> 1;
      if (!above(sc, w, S[p], I[p])) break;
      S[n] = S[p];
      I[n] = I[p];
      V[n] = V[p];
      n = p;
    }
    S[n] = sc;
    I[n] = w;
    V[n] = v;
    this.hn[s]++;
  }

  private popHeap(s: number): void {
    const n = --this.hn[s];
    this.siftDown(s, 0, n, this.hs[s][n], this.hi[s][n], this.hv[s][n]);
  }

  /** The best-ranked live winner, removed from the queue; −1 when none is left. */
  private pop(s: number, sb: number, bankrupt: number): number {
    const { a, score, liveVer } = this;
    const mark = this.sim.mark;
    for (;;) {
      const hasSorted = this.pos[s] < this.candN[s];
      let w: number;
      let v: number;
      if (this.hn[s] > 0 && (!hasSorted || this.hs[s][0] > score[this.cand[s][this.pos[s]]])) {
        w = this.hi[s][0];
        v = this.hv[s][0];
        this.popHeap(s);
      } else if (hasSorted) {
        w = this.cand[s][this.pos[s]];
        v = this.candVer[s][this.pos[s]];
        this.pos[s]++;
      } else return -1;
      if (v !== liveVer[w]) continue; // a stale entry: the winner was re-ranked since
      liveVer[w] = -1;
      if (a.ver[w] !== v) {
        // changed since it was ranked: rank it again
        if (this.isWinner(w, sb, mark, bankrupt)) {
          score[w] = this.scoreOf(w, mark);
          this.push(s, w, score[w]);
        }
        continue;
      }
      if (!this.isWinner(w, sb, mark, bankrupt)) continue;
      return w;
    }
  }

  /**
   * Offers winner w to the policy, at a cost of g per unit against the mark, with its capacity: in USD for
   * the payer form (|q|·g_w, g_w = min(g, equity/|q|)), in units for the closer (its position, or what it can
   * give up at g > 0 a unit without going below zero equity).
   */
  private add(w: number, g: number, mark: number, units: boolean): void {
    const a = this.a;
    const n = this.n;
    const aq = Math.abs(a.qty[w]);
    const ew = this.sim.equity(w);
    if (units) {
      this.bGw[n] = g;
      this.bPnl[n] = g > 0 ? Math.min(aq, (ew / g) * (1 - 1e-12)) : aq;
    } else {
      const gw = Math.min(g, ew / aq);
      this.bGw[n] = gw;
      this.bPnl[n] = gw < g ? ew : aq * gw;
    }
    this.bId[n] = w;
    this.bEw[n] = ew;
    this.bRw[n] = (aq * mark) / ew;
    this.bOrder[n] = n;
    this.n = n + 1;
  }

  /**
   * Fills the batch with the winners of side s (against bankrupt `id` of side sb) offered to the policy: for
   * the queues, popped best first until their capacity covers `need`; otherwise every winner of the side.
   */
  private offer(
    s: number,
    sb: number,
    id: number,
    need: number,
    g: number,
    mark: number,
    units: boolean,
  ): void {
    this.n = 0;
    if (this.queued) {
      let capSum = 0;
      const capF = this.policy === 1 ? this.maxHaircut : 1;
      while (capSum < need) {
        const w = this.pop(s, sb, id);
        if (w < 0) break;
        this.add(w, g, mark, units);
        capSum += this.bPnl[this.n - 1] * capF;
      }
    } else {
      const c = this.cand[s];
      for (let k = 0; k < this.candN[s]; k++)
        if (this.isWinner(c[k], sb, mark, id)) this.add(c[k], g, mark, units);
    }
  }

  /** The ADL price for an account of bankruptcy price `pbk`. */
  private priceFor(pbk: number): number {
    const r = this.priceRule;
    return r === 0
      ? pbk
      : r === 1
        ? (2 * pbk + this.sim.mark) / 3
        : r === 2
          ? this.sim.oracle
          : this.prevOracle;
  }

  endTick(): void {
    this.prevOracle = this.sim.oracle;
  }

  /**
   * The closer form: assigns bankrupt account `id`'s position to the opposite side's winners (see the file's
   * header). True when it closed the whole position; false passes what is left (or all of it: a solvent
   * account under `closeWhen: 'bankrupt'`, no winner) to the next closer.
   */
  liquidate(id: number): boolean {
    if (!this.closer) return false;
    const { sim, a, policy, queued, bPnl, bH, bId } = this;
    const q = a.qty[id];
    if (q === 0) return true;
    // bankrupt where the venue values accounts: the price margin is checked against
    const bankrupt = sim.equity(id, sim.checkPrice) < 0;
    if (this.onlyBankrupt && !bankrupt) return false;
    const mark = sim.mark;
    const sb = q > 0 ? 1 : -1;
    const pbk = a.bankruptcyPrice(id, sim.phi);
    const F = this.priceFor(pbk);
    if (!(F > 0) || !Number.isFinite(F)) return false;
    // what closing one unit at F instead of the mark costs a winner (negative: it gains)
    const g = sb * (F - mark);
    const s = sb > 0 ? 0 : 1;
    if (this.builtAt[s] !== sim.tick) this.build(s, sb);
    const need = Math.abs(q);
    // what each unit must bring to cover the account's deficit at the mark; a price that makes winners give
    // up more per unit (the oracle or previous oracle above a long's bankruptcy price) leaves the account
    // cash it did not have: that excess is the overshoot (at the bankruptcy price there is none)
    const owed = this.priceRule === 0 ? g : Math.max(0, -sim.equity(id, mark)) / need;
    this.offer(s, sb, id, need, g, mark, true);
    const n = this.n;
    if (n > 0) {
      allocateInto(policy, n, bPnl, this.bCap, this.bRw, this.bOrder, need, bH);
      for (let k = 0; k < n; k++) {
        const w = bId[k];
        // what is left of the position itself, not need − Σ closed (a float sum that drifts: the last
        // slice then overshot into a dust position on the other side, hostile review)
        const left = Math.abs(a.qty[id]);
        const aw = Math.abs(a.qty[w]);
        let d = Math.min(bH[k] >= 1 ? bPnl[k] : bH[k] * bPnl[k], left, aw);
        // no dust positions (as the market's slices): a remainder of the bankrupt's position under
        // MIN_LEFT_USD goes with this slice when the winner holds it, and a winner that would keep less than
        // that is closed whole when the bankrupt has the units and the winner's equity is not what bounds it
        // (only where the winner stays at or above zero equity: bEw ≥ units · g)
        const dust = MIN_LEFT_USD / mark;
        const ew = g > 0 ? this.bEw[k] : Number.POSITIVE_INFINITY;
        if (d > 0 && left - d < dust && aw >= left && ew >= left * g) d = left;
        else if (d > 0 && aw - d < dust && left >= aw && ew >= aw * g) d = aw;
        if (d > 0 && a.qty[id] !== 0) {
          // both close d units against each other at F: the winner's position shrinks by d
          const before = a.qty[w];
          sim.snap(w);
          transferPosition(sim, id, w, sb * d, F);
          const m = sim.metrics;
          m[this.mEvents]++;
          m[this.mNotional] += d * F;
          if (g > owed) m[this.mOvershoot] += d * (g - owed);
          sim.log('deleverage', w, a.qty[w] - before, F, d * g, sim.snapQty, sim.snapLeverage, sim.snapPnl);
        }
        if (queued && a.qty[w] !== 0 && this.isWinner(w, sb, mark, id)) {
          this.score[w] = this.scoreOf(w, mark);
          this.push(s, w, this.score[w]);
        }
      }
    }
    if (this.book && a.qty[id] !== 0) this.deleverageBook(id, sb, g, mark);
    if (a.qty[id] !== 0) return false;
    // closed whole: what the price leaves it owing is a shortfall for the payers; what a price above its
    // bankruptcy price leaves it (the winners' overshoot) is not the bankrupt's to keep: a liquidated
    // account's margin is forfeit, so it goes to the insurance fund
    if (a.cash[id] < 0) sim.waterfall.coverShortfall(id, -a.cash[id], sb, pbk);
    else if (bankrupt && a.cash[id] > 0) sim.charge(id, LEDGER.insuranceFund, a.cash[id]);
    return true;
  }

  /**
   * The book's counterparty as the last winner: the market makers (and the depth the book stands for) hold
   * −(the accounts' net position). When that is on the other side of bankrupt `id` (side `sb`) and the book
   * has gained (its collected PnL: not counting what bankrupt accounts owe it), it takes what is left of the
   * position, up to what it holds and what it gained (units · g within that PnL, as any winner gives up at
   * most its gain), at the ADL price or, where that is above what covers the account's deficit at the
   * mark, at the price that covers it (it pays no overshoot), as venues deleverage their makers' positions.
   * Its cost d·g is the book's, shared by its owners as every book gain or loss is (the makers within what
   * they hold, the outside market the rest).
   */
  private deleverageBook(id: number, sb: number, gAdl: number, mark: number): void {
    const { sim, a } = this;
    // the book, a last resort, covers the deficit and no more: per unit at most what the account still owes
    // at the mark (fourth review: at an oracle price above the bankruptcy price it handed the excess to the
    // account or the fund), and nothing when it owes nothing, or when the price is at or below the mark
    // (third review: it bought cheaper than the market at the fund's expense)
    const owedNow = Math.max(0, -sim.equity(id, mark)) / Math.abs(a.qty[id]);
    const gb = Math.min(gAdl, owedNow);
    if (!(gb > 0)) return;
    const Fb = mark + sb * gb;
    const B = -(sim.longQty + sim.shortQty);
    if (!(B * sb < 0)) return;
    if (this.bookCollectedAt !== sim.tick) {
      this.bookCollected = sim.bookCollected(mark);
      this.bookCollectedAt = sim.tick;
    }
    // a fill at the bankruptcy price lowers the book's PnL and the open deficit alike, so its collected PnL
    // does not show what it gave up: that is subtracted over the run, as a winner's equity falls
    const gained = this.bookCollected - this.bookGiven;
    if (!(gained > 0)) return;
    const left = Math.abs(a.qty[id]);
    // like any winner it gives up at most what it gained: units × g within it
    const most = gained / gb;
    let d = Math.min(left, Math.abs(B), most);
    // no dust left on the bankrupt's side (the book's side may keep any remainder: it is no account)
    if (left - d < MIN_LEFT_USD / mark && left <= most) d = left;
    if (!(d > 0)) return;
    sim.fill(id, d === left ? -a.qty[id] : -sb * d, Fb, NO_FEE | NO_FLOW);
    sim.metrics[this.mEvents]++;
    sim.metrics[this.mNotional] += d * Fb;
    this.bookGiven += d * gb;
    // account −1: the book; it holds no account state to record
    sim.log('deleverage', -1, sb * d, Fb, d * gb);
  }

  cover(id: number, amount: number, sb: number, pbk: number): number {
    const { sim, a, policy, queued, whole, bPnl, bH, bId, bGw } = this;
    const mark = sim.mark;
    const F = this.priceFor(pbk);
    const g = sb * (F - mark);
    if (!(g > 0) || !Number.isFinite(g)) return 0;
    const s = sb > 0 ? 0 : 1;
    if (this.builtAt[s] !== sim.tick) this.build(s, sb);
    this.offer(s, sb, id, amount, g, mark, false);
    const n = this.n;
    if (n === 0) return 0;
    allocateInto(policy, n, bPnl, this.bCap, this.bRw, this.bOrder, amount, bH);
    let paid = 0;
    for (let k = 0; k < n; k++) {
      const h = bH[k];
      const w = bId[k];
      if (!(h > 0)) {
        if (queued) this.push(s, w, this.scoreOf(w, mark));
        continue;
      }
      const qw = a.qty[w];
      const aq = Math.abs(qw);
      const full = h >= 1 || whole;
      const d = full ? aq : h * aq;
      let seized = h >= 1 ? bPnl[k] : h * bPnl[k];
      sim.snap(w);
      sim.fill(w, full ? -qw : -Math.sign(qw) * d, mark, NO_FEE | NO_FLOW);
      // a winner closed whole gives up at most what it then holds, not even a rounding more
      if (a.qty[w] === 0 && seized > a.cash[w]) seized = Math.max(0, a.cash[w]);
      moveCash(sim, w, id, seized);
      if (whole && h < 1) {
        const over = bPnl[k] - seized;
        sim.charge(w, LEDGER.insuranceFund, over);
        sim.metrics[this.mOvershoot] += over;
      }
      paid += seized;
      const Fw = mark + sb * bGw[k];
      sim.metrics[this.mEvents]++;
      sim.metrics[this.mNotional] += d * Math.abs(Fw);
      sim.log(
        'deleverage',
        w,
        full ? -qw : -Math.sign(qw) * d,
        Fw,
        seized,
        sim.snapQty,
        sim.snapLeverage,
        sim.snapPnl,
      );
      if (queued && a.qty[w] !== 0) {
        this.score[w] = this.scoreOf(w, mark);
        this.push(s, w, this.score[w]);
      }
    }
    return paid;
  }
}

/** Heap order: the higher score first; equal scores, the lower account id first. */
function above(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa > sb || (sa === sb && ia < ib);
}

export default defineStage({
  name: 'adl',
  description: 'auto-deleverages opposite-side winners by a ranking and an allocation policy',
  role: 'both',
  roleOf: (params) => (params.form === 'closer' ? 'close' : 'pay'),
  pays: 'adl',
  metrics: ['adl_events', 'adl_notional', 'adl_overshoot'],
  params: Params,
  checkRun: (params) =>
    params.form === 'closer' && params.close === 'whole'
      ? [
          {
            path: 'close',
            message:
              "'whole' is for the payer form (winners closed whole against the book); the closer reduces each winner by the units assigned to it; allowed with form 'closer': 'needed'",
          },
        ]
      : [],
  state,
  build: ({ sim, params, waterfall, metric, state: st }) => new Adl(sim, params, waterfall, metric, st),
});
